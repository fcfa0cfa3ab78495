# Pinned twin of parameter_default.py.
import mlrun


def setup(project, image="mlrun/mlrun:1.12.1", requirements=("pandas==2.2.2",)):
    project.set_function(
        "src/train.py", name="train", kind="job", image=image, requirements=list(requirements)
    )
    return project
