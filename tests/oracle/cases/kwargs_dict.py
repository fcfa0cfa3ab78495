# **kwargs from a dict literal and from dict(...).
import mlrun

TRAIN = {"name": "train", "kind": "job", "image": "mlrun/mlrun", "requirements": ["pandas"]}


def setup(project):
    project.set_function("src/train.py", **TRAIN)
    serve = dict(name="serve", kind="job", image="mlrun/mlrun-gpu")
    project.set_function("src/serve.py", **serve)
    return project
