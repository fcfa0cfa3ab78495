# Both branches of an if/else give the image and the requirements.
# oracle-variant: ORACLE_GPU=1
import os

import mlrun


def setup(project):
    if os.environ.get("ORACLE_GPU"):
        image = "mlrun/mlrun-gpu"
        requirements = ["torch"]
    else:
        image = "mlrun/mlrun:1.12.1"
        requirements = ["scikit-learn"]
    project.set_function("src/train.py", name="train", kind="job", image=image, requirements=requirements)
    return project
