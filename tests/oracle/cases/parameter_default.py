# A parameter's default value flows into the call.
import mlrun


def setup(project, image="mlrun/mlrun", requirements=("pandas",)):
    project.set_function(
        "src/train.py", name="train", kind="job", image=image, requirements=list(requirements)
    )
    return project
