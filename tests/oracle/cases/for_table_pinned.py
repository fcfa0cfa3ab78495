# Pinned twin of for_table.py.
import mlrun

FUNCTIONS = [
    ("prep", "src/prep.py", "mlrun/mlrun:1.12.1"),
    ("train", "src/train.py", "mlrun/mlrun-gpu:1.12.1"),
    ("serve", "src/serve.py", "mlrun/mlrun:1.12.1"),
]


def setup(project):
    for name, path, image in FUNCTIONS:
        project.set_function(path, name=name, kind="job", image=image)
    for req in ["pandas==2.2.2", "numpy==1.26.4"]:
        project.get_function("prep").with_requirements([req])
    return project
