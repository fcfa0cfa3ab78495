# Pinned twin of list_append.py.
import mlrun


def setup(project):
    requirements = []
    requirements.append("pandas==2.2.2")
    requirements.append("numpy==1.26.4")
    project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1", requirements=requirements)
    return project
