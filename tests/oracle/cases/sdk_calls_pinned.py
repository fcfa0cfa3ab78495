# Pinned twin of sdk_calls.py.
import mlrun

project = mlrun.new_project("sdk-calls", context="./", save=False)
project.set_default_image("mlrun/mlrun:1.12.1")
project.build_config(
    base_image="mlrun/mlrun-gpu:1.12.1", requirements=["pandas==2.2.2"], commands=["pip install numpy==1.26.4"]
)
fn = mlrun.new_function("job", kind="job", image="mlrun/mlrun:1.12.1")
fn.spec.image = "python:3.11.7"
fn.spec.build.base_image = "mlrun/mlrun:1.12.1"
fn.build_config(requirements=["requests==2.32.3"], commands=["python -m pip install boto3==1.35.0"])
hub = mlrun.import_function("hub://describe:1.4.0")
