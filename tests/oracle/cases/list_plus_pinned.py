# Pinned twin of list_plus.py.
import mlrun

BASE = ["pandas==2.2.2", "numpy==1.26.4"]


def setup(project):
    requirements = BASE + ["scikit-learn==1.5.2"]
    project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1", requirements=requirements)
    return project
