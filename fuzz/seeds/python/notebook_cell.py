%pip install mlrun==1.6.4 pandas
!pip install "tensorflow>=2.1"
import mlrun
fn = mlrun.new_function("x", kind="job", image=IMAGE, requirements=["a", "b==1"])
fn.deploy(with_mlrun=True)
