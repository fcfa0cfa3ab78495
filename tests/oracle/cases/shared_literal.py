# One literal used by several calls: reported once, at the literal.
import mlrun

IMAGE = "mlrun/mlrun"


def setup(project):
    for name in ["prep", "train", "serve"]:
        project.set_function("src/train.py", name=name, kind="job", image=IMAGE)
    extra = mlrun.new_function("extra", kind="job", image=IMAGE)
    return project
