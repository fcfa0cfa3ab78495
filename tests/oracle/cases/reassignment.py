# A reassignment under a condition: both definitions reach the call.
# oracle-variant: ORACLE_GPU=1
import os

import mlrun


def setup(project):
    image = "mlrun/mlrun"
    if os.environ.get("ORACLE_GPU"):
        image = "mlrun/mlrun-gpu"
    project.set_function("src/train.py", name="train", kind="job", image=image)
    return project
