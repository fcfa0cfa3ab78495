"""JupyterLab + jupyterlab-lsp + mlrun-lint in headless Chromium (scripts/jupyterlab-test).

Starts JupyterLab on a temporary project with the `jupyter_server_config.json` of
docs/editors.md (read from that page itself), opens a notebook, a project spec and a Dockerfile, and waits
for mlrun-lint's underline in the right cell (and on the spec's and Dockerfile's line). Exits non-zero with
what it saw when an underline does not come.
"""

import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BIN_DIR = os.path.dirname(os.path.abspath(os.environ.get("MLRUN_LINT_BIN", ROOT / "target/debug/mlrun-lint")))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TOKEN = "mlrun-lint-test"
IMAGE_LINE = 'fn = mlrun.new_function("train", kind="job", image="mlrun/mlrun")'


def readme_config() -> dict:
    readme = (ROOT / "docs" / "editors.md").read_text()
    after = readme.split("**JupyterLab**", 1)[1]
    return json.loads(re.search(r"```json\n(.*?)```", after, re.S).group(1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def project(folder: pathlib.Path):
    (folder / ".git").mkdir()
    (folder / "requirements.txt").write_text("mlrun==1.6.4\n")
    (folder / "project.yaml").write_text(
        "kind: project\nmetadata:\n  name: demo\nspec:\n  default_image: mlrun/mlrun\n"
    )
    (folder / "Dockerfile").write_text("FROM python:latest\n")
    cells = ["import mlrun", "x = 1\n\n\ny = 2", IMAGE_LINE, "%pip install pandas"]
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{n}", "metadata": {},
             "outputs": [], "source": text}
            for n, text in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / "train.ipynb").write_text(json.dumps(notebook, indent=1))


def underlined(page, scope: str, timeout_s: float) -> list[list]:
    """The underlined texts inside `scope`, each with the index of its notebook cell
    (-1 outside cells), once there are some."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = page.eval_on_selector_all(
            f"{scope} .cm-lintRange",
            """nodes => nodes.map(n => {
                const cell = n.closest('.jp-Cell');
                const cells = cell ? [...cell.parentElement.querySelectorAll(':scope > .jp-Cell')] : [];
                return [n.textContent, cell ? cells.indexOf(cell) : -1];
            })""",
        )
        if found:
            return found
        time.sleep(0.5)
    return []


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        folder = tmp / "project"
        folder.mkdir()
        project(folder)
        config = tmp / "config"
        config.mkdir()
        (config / "jupyter_server_config.json").write_text(json.dumps(readme_config()))
        port = free_port()
        env = {
            **os.environ,
            "PATH": f"{BIN_DIR}:{os.path.dirname(sys.executable)}:{os.environ['PATH']}",
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(tmp / "data"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "HOME": str(tmp),
        }
        log = open(tmp / "jupyter.log", "w")
        lab = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
             f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}",
             "--ServerApp.disable_check_xsrf=True", "--allow-root"],
            env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
        )
        failures = []
        try:
            time.sleep(6)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/lab/tree/train.ipynb?token={TOKEN}")
                seen = underlined(page, ".jp-Notebook", 90)
                print("notebook underlines:", seen)
                # The image literal in the third cell. (jupyterlab-lsp hides
                # diagnostics on lines it rewrote, such as `%pip install pandas`.)
                if ['"mlrun/mlrun"', 2] not in seen:
                    failures.append(f"no underline on the image in its cell: {seen}")
                page.goto(f"http://127.0.0.1:{port}/lab/tree/project.yaml?token={TOKEN}")
                seen = underlined(page, ".jp-MainAreaWidget:not(.lm-mod-hidden) .jp-FileEditor", 60)
                print("project.yaml underlines:", seen)
                if ["mlrun/mlrun", -1] not in seen:
                    failures.append(f"no underline in project.yaml: {seen}")
                for name, expected in [("Dockerfile", "python:latest")]:
                    page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}?token={TOKEN}")
                    page.wait_for_selector(f".lm-TabBar-tab.lm-mod-current:has-text('{name}')")
                    seen = underlined(page, ".jp-MainAreaWidget:not(.lm-mod-hidden) .jp-FileEditor", 60)
                    print(f"{name} underlines:", seen)
                    if [expected, -1] not in seen:
                        failures.append(f"no underline in {name}: {seen}")
                browser.close()
        finally:
            lab.terminate()
            lab.wait(timeout=30)
            log.close()
            if failures:
                print((tmp / "jupyter.log").read_text()[-6000:])
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
