# Pinned twin of kwargs_dict.py.
import mlrun

TRAIN = {"name": "train", "kind": "job", "image": "mlrun/mlrun:1.12.1", "requirements": ["pandas==2.2.2"]}


def setup(project):
    project.set_function("src/train.py", **TRAIN)
    serve = dict(name="serve", kind="job", image="mlrun/mlrun-gpu:1.12.1")
    project.set_function("src/serve.py", **serve)
    return project
