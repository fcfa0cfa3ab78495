# Pinned twin of reassignment.py.
# oracle-variant: ORACLE_GPU=1
import os

import mlrun


def setup(project):
    image = "mlrun/mlrun:1.12.1"
    if os.environ.get("ORACLE_GPU"):
        image = "mlrun/mlrun-gpu:1.12.1"
    project.set_function("src/train.py", name="train", kind="job", image=image)
    return project
