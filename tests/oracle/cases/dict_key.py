# A configuration dict read by key and with .get.
import mlrun

CONFIG = {
    "image": "mlrun/mlrun",
    "base_image": "python:3.11",
    "requirements": ["pandas"],
}


def setup(project):
    fn = project.set_function("src/train.py", name="train", kind="job", image=CONFIG["image"])
    fn.spec.build.base_image = CONFIG.get("base_image")
    fn.with_requirements(CONFIG["requirements"])
    return project
