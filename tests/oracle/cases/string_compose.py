# Images composed with an f-string, `+` and .format from known parts.
import mlrun

REPO = "mlrun"
TAG = "latest"


def setup(project):
    a = project.set_function("src/a.py", name="a", kind="job", image=f"{REPO}/mlrun:{TAG}")
    b = project.set_function("src/b.py", name="b", kind="job", image="python:" + "latest")
    c = project.set_function("src/c.py", name="c", kind="job", image="mlrun/mlrun-gpu:{}".format(TAG))
    return project
