# The other SDK entry points, with literals.
import mlrun

project = mlrun.new_project("sdk-calls", context="./", save=False)
project.set_default_image("mlrun/mlrun")
project.build_config(base_image="mlrun/mlrun-gpu", requirements=["pandas"], commands=["pip install numpy"])
fn = mlrun.new_function("job", kind="job", image="mlrun/mlrun:1.12.1")
fn.spec.image = "python:latest"
fn.spec.build.base_image = "mlrun/mlrun"
fn.build_config(requirements=["requests>=2"], commands=["python -m pip install boto3"])
hub = mlrun.import_function("hub://describe")
