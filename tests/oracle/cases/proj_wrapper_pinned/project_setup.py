# Pinned twin: a project_setup.py with a local helper, a default image parameter and a GPU branch.
# oracle-variant: ORACLE_GPU=1
import os

import mlrun

DEFAULT_IMAGE = "mlrun/mlrun:1.12.1"
GPU_IMAGE = "mlrun/mlrun-gpu:1.12.1"


def _set_function(project, func, name, kind="job", image=None, requirements=None, with_repo=False):
    fn = project.set_function(func=func, name=name, kind=kind, image=image, requirements=requirements)
    return fn


def setup(project: mlrun.projects.MlrunProject) -> mlrun.projects.MlrunProject:
    use_gpu = bool(os.environ.get("ORACLE_GPU"))
    image = GPU_IMAGE if use_gpu else DEFAULT_IMAGE
    project.set_default_image(image)
    common = ["pandas==2.2.2", "scikit-learn==1.5.2"]
    _set_function(project, "src/data.py", "data", image=image, requirements=common)
    train = _set_function(project, "src/train.py", "train", image=image, requirements=common + ["xgboost==2.1.1"])
    train.with_commands(["pip install shap==0.46.0"])
    _set_function(project, "hub://describe:1.4.0", "describe")
    return project
