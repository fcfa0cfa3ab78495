# Lists built with .extend.
import mlrun

EXTRA = ["lightgbm", "shap"]


def setup(project):
    requirements = ["pandas==2.2.2"]
    requirements.extend(EXTRA)
    project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1", requirements=requirements)
    return project
