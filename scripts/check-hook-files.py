#!/usr/bin/env python3
"""Tests the `files` regex of every hook in .pre-commit-hooks.yaml.

pre-commit runs a hook on the paths (relative to the repository root, `/`
separators) for which `re.search(files, path)` matches. The regex must select
exactly the files mlrun-lint reads (src/sources/mod.rs, `FileKind::of`: by name,
ASCII case ignored): a miss is a silent pass in pre-commit, an extra match only
costs time but says the regex is not the list it claims to be.

With `--binary PATH`, also asks that mlrun-lint whether it reads each name the
regex must select: a file named on the command line that it does not recognise
is skipped with a note on standard error ("… skipped: mlrun-lint does not read
this kind of file"), so the hook would select a file it never checks. Those
names are failures with `--strict`, warnings without it.

Needs PyYAML (pre-commit depends on it, so the pre-commit venv has it).
Usage: check-hook-files.py [--binary PATH [--strict]] [PATH/TO/.pre-commit-hooks.yaml]
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

# The note `check` prints for a named file of a kind it does not read.
SKIPPED = re.compile(r"^mlrun-lint: note: (.*) skipped: mlrun-lint does not read this kind of file$")

MUST_MATCH = [
    # YAML: MLRun specs, any YAML (recognised by content), conda environments
    "function.yaml",
    "project.yaml",
    "src/functions/train/function.yaml",
    "hub/describe/item.yaml",
    "x.YML",
    "deploy/values.yml",
    "environment.yml",
    "envs/environment.yaml",
    ".pre-commit-config.yaml",
    # requirements and constraints
    "requirements.txt",
    "requirements-dev.txt",
    "Requirements.TXT",
    "dev-requirements.txt",
    "docker/requirements_gpu.txt",
    "constraints.txt",
    "constraints-py311.txt",
    "requirements/base.txt",
    "a/b/requirements/prod.txt",
    "Requirements/base.txt",
    # Dockerfiles
    "Dockerfile",
    "docker/Dockerfile",
    "dockerfile",
    "serve.Dockerfile",
    "images/gpu.dockerfile",
    "Dockerfile.gpu",
    "Dockerfile.dev.cuda",
    "Containerfile",
    "build/Containerfile",
    "Containerfile.gpu",
    "images/base.containerfile",
    # Python and notebooks
    "project_setup.py",
    "src/deep/module.py",
    "notebooks/train.ipynb",
    "Train.IPYNB",
    # lock files
    "uv.lock",
    "sub/uv.lock",
    "poetry.lock",
    "Pipfile.lock",
    "pipfile.lock",
    "pylock.toml",
    "pylock.dev.toml",
    "envs/pylock.gpu-cuda12.toml",
]

MUST_NOT_MATCH = [
    "README.md",
    "LICENSE",
    "notes.txt",
    "data/base.txt",
    "requirements.in",
    "requirements-dev.in",
    "requirements.txt.bak",
    "requirements/base.in",
    "requirements/nested/base.txt",  # only .txt directly in a requirements/ folder
    "myconstraints.txt",  # constraints*.txt starts with the word
    "Dockerfile-old/notes.md",
    "Dockerfiles/README",
    "my-dockerfile",
    "Dockerfile.md",  # files about a Dockerfile
    "docs/Containerfile.rst",
    "Dockerfile.adoc",
    "serve.Dockerfile.md",
    "Dockerfile.dockerignore",
    ".dockerignore",
    "docker-compose.override.json",
    "setup.cfg",
    "pyproject.toml",
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "Pipfile",
    "uv.lock.orig",
    "poetry.lock/README",
    "pylock..toml",  # PEP 751: the name between the dots is not empty
    "pylock.toml.bak",
    "mypylock.toml",
    "script.pyc",
    "module.pyi",
    "notebook.ipynb_checkpoints/x",
    "config.json",
    "chart/templates/deployment.tpl",
    "yaml/README",
    "function.yaml.j2",
]


def unread_by(binary: str, names: list) -> set:
    """The names that `binary` does not recognise when they are named."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = Path(tmp, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
        run = subprocess.run(
            [binary, "check", "--output-format", "json", "--select", "MLR003", *names],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
    if run.returncode not in (0, 1):
        raise SystemExit(f"{binary} exited {run.returncode}: {run.stderr}")
    json.loads(run.stdout)  # the report is still whole
    return set(
        match.group(1)
        for match in map(SKIPPED.match, run.stderr.splitlines())
        if match
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest", nargs="?", type=Path,
                        default=Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml")
    parser.add_argument("--binary", help="an mlrun-lint binary to ask which names it reads")
    parser.add_argument("--strict", action="store_true",
                        help="fail on names the binary does not read")
    options = parser.parse_args()
    manifest = options.manifest
    hooks = yaml.safe_load(manifest.read_text())
    failures = 0
    checked = 0
    for hook in hooks:
        pattern = hook.get("files")
        if not pattern:
            print(f"FAIL {hook['id']}: no `files` regex")
            failures += 1
            continue
        regex = re.compile(pattern)
        for path in MUST_MATCH:
            checked += 1
            if not regex.search(path):
                print(f"FAIL {hook['id']}: should select {path!r}")
                failures += 1
        for path in MUST_NOT_MATCH:
            checked += 1
            if regex.search(path):
                print(f"FAIL {hook['id']}: should not select {path!r}")
                failures += 1
        # pre-commit also filters by `types`; `file` is every regular file.
        if hook.get("types", ["file"]) != ["file"]:
            print(f"FAIL {hook['id']}: types should be [file], got {hook.get('types')}")
            failures += 1
        # The linter's own hook must never run a floating container image.
        if hook.get("language") in ("docker", "docker_image"):
            print(f"FAIL {hook['id']}: a docker hook; use a hook whose version is `rev`")
            failures += 1
    if options.binary:
        binary = str(Path(options.binary).resolve())
        unread = sorted(unread_by(binary, MUST_MATCH))
        read = sorted(set(MUST_NOT_MATCH) - unread_by(binary, MUST_NOT_MATCH))
        checked += len(MUST_MATCH) + len(MUST_NOT_MATCH)
        word = "FAIL" if options.strict else "WARNING"
        for name in unread:
            print(f"{word}: the hooks select {name!r} but {options.binary} does not read it "
                  f"(the hook would select a file it never checks)")
        for name in read:
            print(f"{word}: {options.binary} reads {name!r} but the hooks do not select it")
        if options.strict:
            failures += len(unread) + len(read)
    print(f"{checked - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
