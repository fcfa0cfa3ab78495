# Pinned twin of list_insert.py.
import mlrun


def setup(project):
    commands = ["pip install pandas==2.2.2"]
    commands.insert(0, "pip install --upgrade lxml==5.3.0")
    fn = project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1")
    fn.with_commands(commands)
    return project
