# Pinned twin of if_else.py.
# oracle-variant: ORACLE_GPU=1
import os

import mlrun


def setup(project):
    if os.environ.get("ORACLE_GPU"):
        image = "mlrun/mlrun-gpu:1.12.1"
        requirements = ["torch==2.3.1"]
    else:
        image = "mlrun/mlrun:1.12.1"
        requirements = ["scikit-learn==1.5.2"]
    project.set_function("src/train.py", name="train", kind="job", image=image, requirements=requirements)
    return project
