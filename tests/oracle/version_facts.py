"""Print the version-dependent image facts of the installed mlrun, as JSON.

Runs inside a virtualenv with one `mlrun` version from PyPI (scripts/oracle-tests makes one per
version). The installed code stands for an API server of that version: `enrich_image_url` is the
function the server applies to every function image at run time, with the client's version and
Python version from the request headers (mlrun-semantics.md section 1.2 and section 4), and
`mlconf` holds the defaults a server of that version ships with (default base image, the default
image of each function kind, the KFP images, which images get the registry prefix).

    <venv>/bin/python tests/oracle/version_facts.py --out facts-1.8.0.json
"""

import argparse
import json
import os
import sys

os.environ["MLRUN_DBPATH"] = ""
os.environ.setdefault("MLRUN_LOG_LEVEL", "ERROR")

import mlrun  # noqa: E402
import mlrun.utils.helpers as helpers  # noqa: E402
from mlrun.config import config  # noqa: E402

# What a user writes as an image, untagged or otherwise, MLRun's own and others'.
IMAGES = [
    "mlrun/mlrun",
    "mlrun/mlrun-gpu",
    "mlrun/ml-base",
    "mlrun/ml-models",
    "mlrun/ml-models-gpu",
    "mlrun/mlrun-kfp",
    "mlrun/mlrun-kfp:1.10.0",
    "mlrun/ml-base:1.10.0",
    "mlrun/jupyter",
    "quay.io/mlrun/mlrun",
    "my-registry/mlrun/mlrun",
    "localhost:5000/mlrun/mlrun",
    "mlrun/mlrun:latest",
    "mlrunx/mlrun",
    "python",
]
PYTHONS = ["3.9.18", "3.11.7"]


def _plain(value):
    """mlconf sections are Config objects; turn them into JSON."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--client-version",
        action="append",
        default=[],
        help="client versions to resolve for (default: the installed version)",
    )
    args = parser.parse_args()
    clients = args.client_version or [mlrun.__version__]
    enrich = []
    for client in clients:
        for python in PYTHONS:
            for image in IMAGES:
                try:
                    result = helpers.enrich_image_url(image, client, python)
                except Exception as err:  # an image this version refuses is a fact too
                    result = f"error: {err}"
                enrich.append({"image": image, "client_version": client, "python_version": python, "result": result})
    defaults = config.function_defaults
    facts = {
        "mlrun_version": mlrun.__version__,
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "default_base_image": config.default_base_image,
        "image_by_kind": _plain(getattr(defaults, "image_by_kind", {})),
        "kfp_image": config.kfp_image,
        "dask_kfp_image": config.dask_kfp_image,
        "images_to_enrich_registry": config.images_to_enrich_registry,
        "default_project_image_name": getattr(config, "default_project_image_name", None),
        "enrich": enrich,
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(facts, fh, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
