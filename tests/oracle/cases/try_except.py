# try/except: the except branch runs when the variable is missing.
# oracle-variant: ORACLE_IMAGE_KEY=1
import os

import mlrun


def setup(project):
    try:
        os.environ["ORACLE_IMAGE_KEY"]
        image = "mlrun/mlrun-gpu"
    except KeyError:
        image = "mlrun/mlrun"
    project.set_function("src/train.py", name="train", kind="job", image=image)
    return project
