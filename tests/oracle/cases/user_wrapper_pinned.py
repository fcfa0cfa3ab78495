# Pinned twin of user_wrapper.py.
import mlrun


def _set_function(project, func, name=None, image=None, requirements=None):
    return project.set_function(func, name=name, kind="job", image=image, requirements=requirements)


def setup(project):
    _set_function(project, "src/train.py", name="train", image="mlrun/mlrun:1.12.1", requirements=["pandas==2.2.2"])
    _set_function(project, func="hub://auto_trainer:1.8.0", name="auto-trainer")
    return project
