# os.environ.get / os.getenv defaults (judged as a Dockerfile ARG default is).
import os

import mlrun


def setup(project):
    image = os.environ.get("ORACLE_TRAIN_IMAGE", "mlrun/mlrun")
    base = os.getenv("ORACLE_BASE_IMAGE", "mlrun/mlrun-gpu")
    fn = project.set_function("src/train.py", name="train", kind="job", image=image)
    fn.spec.build.base_image = base
    return project
