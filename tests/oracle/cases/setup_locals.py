# The project_setup.py layout: function-local variables inside setup(project).
import mlrun


def setup(project: mlrun.projects.MlrunProject) -> mlrun.projects.MlrunProject:
    image = "mlrun/mlrun"
    requirements = ["transformers", "torch~=2.3"]
    commands = ["pip install tqdm"]
    fn = project.set_function("src/train.py", name="train", kind="job", image=image)
    fn.with_requirements(requirements)
    fn.with_commands(commands)
    project.set_default_image(image)
    return project
