# Pinned twin of try_except.py.
# oracle-variant: ORACLE_IMAGE_KEY=1
import os

import mlrun


def setup(project):
    try:
        os.environ["ORACLE_IMAGE_KEY"]
        image = "mlrun/mlrun-gpu:1.12.1"
    except KeyError:
        image = "mlrun/mlrun:1.12.1"
    project.set_function("src/train.py", name="train", kind="job", image=image)
    return project
