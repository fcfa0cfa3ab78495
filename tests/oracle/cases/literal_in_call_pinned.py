# Pinned twin of literal_in_call.py.
import mlrun


def setup(project):
    project.set_function(
        "src/train.py",
        name="train",
        kind="job",
        image="mlrun/mlrun:1.12.1",
        requirements=["pandas==2.2.2", "scikit-learn==1.5.2"],
    )
    fn = mlrun.code_to_function("prep", filename="src/prep.py", kind="job", image="python:3.11.7")
    fn.with_commands(["pip install xgboost==2.1.1"])
    mlrun.new_function("serve", kind="serving", image="mlrun/mlrun-gpu:1.12.1")
    return project
