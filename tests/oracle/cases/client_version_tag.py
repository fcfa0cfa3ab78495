# A tag taken from the client's own version: MLRun's fill, made explicit (MLR101).
import mlrun


def setup(project):
    project.set_function("src/a.py", name="a", kind="job", image=f"mlrun/mlrun:{mlrun.__version__}")
    project.set_function("src/b.py", name="b", kind="job", image="mlrun/mlrun-gpu:" + mlrun.get_version())
    return project
