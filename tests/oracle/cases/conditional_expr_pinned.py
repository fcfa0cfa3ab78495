# Pinned twin of conditional_expr.py.
# oracle-variant: ORACLE_GPU=1
import os

import mlrun


def setup(project):
    gpu = bool(os.environ.get("ORACLE_GPU"))
    project.set_function(
        "src/train.py", name="train", kind="job", image="mlrun/mlrun-gpu:1.12.1" if gpu else "mlrun/mlrun:1.12.1"
    )
    return project
