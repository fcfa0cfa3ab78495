import mlrun
from mlrun import code_to_function, import_function

project = mlrun.get_or_create_project("demo", context="./")
project.set_function("src/trainer.py", name="trainer", kind="job", image="mlrun/mlrun")
fn = code_to_function("serve", filename="serve.py", kind="serving", image=f"mlrun/mlrun:{version}")
fn.spec.build.base_image = "python:3.9"
fn.spec.build.commands = ["pip install pandas>=1.0 'scikit-learn==1.2.*'"]
fn.with_requirements(["mlrun", "xgboost>=1.6"], requirements_file="requirements.txt")
hub = import_function("hub://describe")
project.build_image(base_image="mlrun/mlrun:1.6.4", requirements=["torch"], commands=["pip install -r extra.txt"])
project.set_default_image("mlrun/ml-models")
