# Pinned twin of setup_locals.py.
import mlrun


def setup(project: mlrun.projects.MlrunProject) -> mlrun.projects.MlrunProject:
    image = "mlrun/mlrun:1.12.1"
    requirements = ["transformers==4.44.2", "torch==2.3.1"]
    commands = ["pip install tqdm==4.66.5"]
    fn = project.set_function("src/train.py", name="train", kind="job", image=image)
    fn.with_requirements(requirements)
    fn.with_commands(commands)
    project.set_default_image(image)
    return project
