#!/usr/bin/env python3
"""Seeds the fuzz targets' corpora (fuzz/corpus/<target>/) from real files.

Usage: fuzz_seed.py SHARED_CORPUS_DIR FUZZ_DIR

Files of ../shared/corpus go to the targets that read their kind; the
hand-written seeds of fuzz/seeds/<target>/ cover kinds the shared corpus lacks
(Python files, locks, configuration). Targets that pick a file name from the
input's first byte (see fuzz/src/lib.rs) get that byte prepended, chosen from
the seed's own name, so a seed is read as the kind it is. Seeds are named by
their content's hash: seeding twice adds nothing, and libFuzzer's own finds in
the same folders are kept.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

# Larger seeds slow every run of a target for little coverage (notebooks with
# outputs reach megabytes); libFuzzer's -max_len follows the largest seed.
MAX_SEED_BYTES = 64 * 1024

# The name lists of fuzz/src/lib.rs, in the same order: the index is the byte.
YAML_NAMES = ["function.yaml", "project.yaml", "item.yaml", "spec.yml"]
LOCK_NAMES = ["uv.lock", "poetry.lock", "Pipfile.lock", "pylock.toml"]
CONFIG_NAMES = ["mlrun-lint.toml", "pyproject.toml"]
FIX_NAMES = [
    "function.yaml",
    "requirements.txt",
    "project.yaml",
    "Dockerfile",
    "setup.py",
    "notebook.ipynb",
    "environment.yml",
]

PIP_LINE = re.compile(r"pip3?\s+install[^\n]*")


def kind_of(path: Path):
    """The kind mlrun-lint gives a file by name (sources::FileKind::of, roughly)."""
    name = path.name.lower()
    if name in ("uv.lock", "poetry.lock", "pipfile.lock") or (
        name.startswith("pylock.") and name.endswith(".toml")
    ):
        return "lock"
    if name in ("mlrun-lint.toml", ".mlrun-lint.toml", "pyproject.toml"):
        return "config"
    if name.split(".")[-1] not in ("md", "rst", "dockerignore") and (
        name in ("dockerfile", "containerfile")
        or name.startswith(("dockerfile.", "containerfile."))
        or name.endswith((".dockerfile", ".containerfile"))
    ):
        return "dockerfile"
    if name in ("environment.yml", "environment.yaml"):
        return "conda"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".py"):
        return "python"
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith(".txt"):
        stem = name[: -len(".txt")]
        if "requirements" in stem or stem.startswith("constraints") or path.parent.name.lower() == "requirements":
            return "requirements"
    return None


def yaml_byte(path: Path) -> int:
    name = path.name.lower()
    if name == "item.yaml":
        return 2
    if "project" in name:
        return 1
    return 0


def notebook_code(text: str):
    """The joined code cells of a notebook, or None when it is not one."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return None
    code = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            code.append("".join(source) if isinstance(source, list) else str(source))
    return "\n".join(code)


class Seeder:
    def __init__(self, fuzz_dir: Path):
        self.corpus = fuzz_dir / "corpus"
        self.counts = {}

    def add(self, target: str, data: bytes, prefix=None):
        if prefix is not None:
            data = bytes([prefix]) + data
        if not data or len(data) > MAX_SEED_BYTES:
            return
        folder = self.corpus / target
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / ("seed-" + hashlib.sha1(data).hexdigest())
        if not out.exists():
            out.write_bytes(data)
            self.counts[target] = self.counts.get(target, 0) + 1

    def add_file(self, path: Path, kind: str, target_hint=None):
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        if kind == "yaml":
            self.add("yaml_spec", data, yaml_byte(path))
            self.add("fix_roundtrip", data, 2 if yaml_byte(path) == 1 else 0)
        elif kind == "requirements":
            self.add("requirements_txt", data)
            self.add("fix_roundtrip", data, FIX_NAMES.index("requirements.txt"))
        elif kind == "dockerfile":
            self.add("dockerfile", data)
            self.add("fix_roundtrip", data, FIX_NAMES.index("Dockerfile"))
        elif kind == "conda":
            self.add("conda", data)
            self.add("fix_roundtrip", data, FIX_NAMES.index("environment.yml"))
        elif kind == "notebook":
            self.add("notebook", data)
            self.add("fix_roundtrip", data, FIX_NAMES.index("notebook.ipynb"))
            code = notebook_code(text)
            if code and "mlrun" in code:
                self.add("python", code.encode())
            text = code or text
        elif kind == "python":
            self.add("python", data)
            self.add("fix_roundtrip", data, FIX_NAMES.index("setup.py"))
        elif kind == "lock":
            self.add("lock", data, LOCK_NAMES.index(path.name) if path.name in LOCK_NAMES else 0)
        elif kind == "config":
            self.add("config", data, 1 if path.name == "pyproject.toml" else 0)
        # pip commands hide in build commands, RUN lines, notebooks and scripts.
        for line in PIP_LINE.findall(text):
            self.add("pip_command", line.strip().encode())


def main():
    shared, fuzz_dir = Path(sys.argv[1]), Path(sys.argv[2])
    seeder = Seeder(fuzz_dir)
    for folder in (shared, fuzz_dir / "seeds"):
        if not folder.is_dir():
            print(f"fuzz_seed: {folder} not found; skipped", file=sys.stderr)
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.stat().st_size > MAX_SEED_BYTES:
                continue
            if folder.name == "seeds" and path.parent.name == "pip_command":
                seeder.add("pip_command", path.read_bytes().strip())
                continue
            kind = kind_of(path)
            if kind:
                seeder.add_file(path, kind)
    for target, count in sorted(seeder.counts.items()):
        print(f"fuzz_seed: {target}: {count} new seeds")


if __name__ == "__main__":
    main()
