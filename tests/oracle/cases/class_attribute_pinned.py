# Pinned twin of class_attribute.py.
import mlrun


class Config:
    IMAGE = "mlrun/mlrun:1.12.1"
    REQUIREMENTS = ["lightgbm==4.5.0"]


def setup(project):
    project.set_function(
        "src/train.py", name="train", kind="job", image=Config.IMAGE, requirements=Config.REQUIREMENTS
    )
    return project
