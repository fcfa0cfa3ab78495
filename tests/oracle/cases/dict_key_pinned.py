# Pinned twin of dict_key.py.
import mlrun

CONFIG = {
    "image": "mlrun/mlrun:1.12.1",
    "base_image": "mlrun/mlrun:1.12.1",
    "requirements": ["pandas==2.2.2"],
}


def setup(project):
    fn = project.set_function("src/train.py", name="train", kind="job", image=CONFIG["image"])
    fn.spec.build.base_image = CONFIG.get("base_image")
    fn.with_requirements(CONFIG["requirements"])
    return project
