# Pinned twin of module_constant.py.
import mlrun

IMAGE = "mlrun/mlrun:1.12.1"
REQUIREMENTS = ["pandas==2.2.2", "numpy==1.26.4"]
HUB = "hub://describe:1.4.0"


def setup(project):
    project.set_function("src/train.py", name="train", kind="job", image=IMAGE, requirements=REQUIREMENTS)
    project.set_function(HUB, name="describe")
    return project
