# Project helper module: a wrapper whose parameters flow into the SDK.
import mlrun

BASE_REQUIREMENTS = ["pandas==2.2.2", "pyarrow==17.0.0"]


def register_function(project, path, name, image="mlrun/mlrun:1.12.1", extra_requirements=None):
    requirements = BASE_REQUIREMENTS + (extra_requirements or [])
    return project.set_function(path, name=name, kind="job", image=image, requirements=requirements)
