# A for loop over a literal table of functions.
import mlrun

FUNCTIONS = [
    ("prep", "src/prep.py", "mlrun/mlrun"),
    ("train", "src/train.py", "mlrun/mlrun-gpu"),
    ("serve", "src/serve.py", "mlrun/mlrun:1.12.1"),
]


def setup(project):
    for name, path, image in FUNCTIONS:
        project.set_function(path, name=name, kind="job", image=image)
    for req in ["pandas", "numpy==1.26.4"]:
        project.get_function("prep").with_requirements([req])
    return project
