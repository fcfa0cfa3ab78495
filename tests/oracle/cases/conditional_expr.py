# A conditional expression chooses the image.
# oracle-variant: ORACLE_GPU=1
import os

import mlrun


def setup(project):
    gpu = bool(os.environ.get("ORACLE_GPU"))
    project.set_function(
        "src/train.py", name="train", kind="job", image="mlrun/mlrun-gpu" if gpu else "mlrun/mlrun"
    )
    return project
