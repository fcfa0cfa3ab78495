# Pinned twin of client_version_tag.py: the tag is a literal.
import mlrun

MLRUN_VERSION = "1.12.1"


def setup(project):
    project.set_function("src/a.py", name="a", kind="job", image=f"mlrun/mlrun:{MLRUN_VERSION}")
    project.set_function("src/b.py", name="b", kind="job", image="mlrun/mlrun-gpu:" + MLRUN_VERSION)
    return project
