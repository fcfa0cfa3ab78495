# project_setup.py calling a wrapper from a project-local module.
import mlrun
from helpers import register_function


def setup(project):
    register_function(project, "src/prep.py", "prep")
    register_function(project, "src/train.py", "train", image="mlrun/mlrun-gpu", extra_requirements=["torch"])
    return project
