# Literals written inside the SDK calls.
import mlrun


def setup(project):
    project.set_function(
        "src/train.py",
        name="train",
        kind="job",
        image="mlrun/mlrun",
        requirements=["pandas", "scikit-learn>=1.3"],
    )
    fn = mlrun.code_to_function("prep", filename="src/prep.py", kind="job", image="python:3.11")
    fn.with_commands(["pip install xgboost"])
    mlrun.new_function("serve", kind="serving", image="mlrun/mlrun-gpu")
    return project
