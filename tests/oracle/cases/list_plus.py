# Lists built with `+`.
import mlrun

BASE = ["pandas", "numpy==1.26.4"]


def setup(project):
    requirements = BASE + ["scikit-learn"]
    project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1", requirements=requirements)
    return project
