# Pinned twin of string_compose.py.
import mlrun

REPO = "mlrun"
TAG = "1.12.1"


def setup(project):
    a = project.set_function("src/a.py", name="a", kind="job", image=f"{REPO}/mlrun:{TAG}")
    b = project.set_function("src/b.py", name="b", kind="job", image="python:" + "3.11.7")
    c = project.set_function("src/c.py", name="c", kind="job", image="mlrun/mlrun-gpu:{}".format(TAG))
    return project
