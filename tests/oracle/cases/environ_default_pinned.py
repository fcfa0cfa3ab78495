# Pinned twin of environ_default.py.
import os

import mlrun


def setup(project):
    image = os.environ.get("ORACLE_TRAIN_IMAGE", "mlrun/mlrun:1.12.1")
    base = os.getenv("ORACLE_BASE_IMAGE", "mlrun/mlrun-gpu:1.12.1")
    fn = project.set_function("src/train.py", name="train", kind="job", image=image)
    fn.spec.build.base_image = base
    return project
