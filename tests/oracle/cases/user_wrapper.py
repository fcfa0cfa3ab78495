# A user wrapper that forwards to project.set_function, called with literals.
import mlrun


def _set_function(project, func, name=None, image=None, requirements=None):
    return project.set_function(func, name=name, kind="job", image=image, requirements=requirements)


def setup(project):
    _set_function(project, "src/train.py", name="train", image="mlrun/mlrun", requirements=["pandas"])
    _set_function(project, func="hub://auto_trainer", name="auto-trainer")
    return project
