# Lists built with .append.
import mlrun


def setup(project):
    requirements = []
    requirements.append("pandas")
    requirements.append("numpy==1.26.4")
    project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1", requirements=requirements)
    return project
