# Pinned twin of shared_literal.py.
import mlrun

IMAGE = "mlrun/mlrun:1.12.1"


def setup(project):
    for name in ["prep", "train", "serve"]:
        project.set_function("src/train.py", name=name, kind="job", image=IMAGE)
    extra = mlrun.new_function("extra", kind="job", image=IMAGE)
    return project
