# Pinned twin of list_unpack.py.
import mlrun

BASE = ["pandas==2.2.2", "requests==2.32.3"]


def setup(project):
    fn = project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1")
    fn.with_requirements([*BASE, "pyarrow==17.0.0"])
    return project
