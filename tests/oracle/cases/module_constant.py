# Module-level constants used in the calls.
import mlrun

IMAGE = "mlrun/mlrun"
REQUIREMENTS = ["pandas", "numpy==1.26.4"]
HUB = "hub://describe"


def setup(project):
    project.set_function("src/train.py", name="train", kind="job", image=IMAGE, requirements=REQUIREMENTS)
    project.set_function(HUB, name="describe")
    return project
