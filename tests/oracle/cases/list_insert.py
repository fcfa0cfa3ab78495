# Lists built with .insert.
import mlrun


def setup(project):
    commands = ["pip install pandas==2.2.2"]
    commands.insert(0, "pip install --upgrade lxml")
    fn = project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1")
    fn.with_commands(commands)
    return project
