# Class attributes as configuration.
import mlrun


class Config:
    IMAGE = "mlrun/mlrun"
    REQUIREMENTS = ["lightgbm"]


def setup(project):
    project.set_function(
        "src/train.py", name="train", kind="job", image=Config.IMAGE, requirements=Config.REQUIREMENTS
    )
    return project
