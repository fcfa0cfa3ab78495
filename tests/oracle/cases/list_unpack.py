# List unpacking: [*base, "x"].
import mlrun

BASE = ["pandas==2.2.2", "requests"]


def setup(project):
    fn = project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1")
    fn.with_requirements([*BASE, "pyarrow"])
    return project
