# The same functions in a project whose default image is pinned: every one has an image.
import mlrun


def setup(project):
    project.set_default_image("mlrun/mlrun:1.12.1")
    project.set_function("src/train.py", name="train", kind="job")
    project.set_function("src/serve.py", name="serve", kind="serving")
    project.set_function("src/prep.py", name="prep", kind="job", image="mlrun/mlrun:1.12.1")
    gpu = project.set_function("src/gpu.py", name="gpu", kind="job")
    gpu.spec.image = "mlrun/mlrun-gpu:1.12.1"
    project.set_function("src/local.py", name="local", kind="local")
    return project
