# Pinned twin of list_iadd.py.
import mlrun


def setup(project):
    commands = ["pip install pandas==2.2.2"]
    commands += ["pip install matplotlib==3.9.2"]
    fn = project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun:1.12.1")
    fn.with_commands(commands)
    return project
