# Pinned twin of list_extend.py.
import mlrun

EXTRA = ["lightgbm==4.5.0", "shap==0.46.0"]


def setup(project):
    requirements = ["pandas==2.2.2"]
    requirements.extend(EXTRA)
    project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1", requirements=requirements)
    return project
