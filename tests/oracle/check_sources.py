"""Check the MLRun source lines cited by tests/conformance/entry_points.toml against an
installed MLRun: each `path.py:line` must exist under site-packages and hold the entry's
`cites` text when it has one, else name the entry point's own identifier (`set_function` for `project.set_function(image=)`), or for fields
the last part of the field (`image` for `fn.spec.image =`). Sources that are not a path
(`IPython: …`) are skipped. Standard library only (Python ≥ 3.11 for tomllib).

    python tests/oracle/check_sources.py tests/conformance/entry_points.toml
"""

import os
import re
import sys
import tomllib


def identifiers(entry):
    """Words the cited line may contain: the called name, else the field's parts."""
    called = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\(", entry)
    if called:
        return {called[0]}
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", entry)
    return set(words)


def main():
    manifest = tomllib.load(open(sys.argv[1], "rb"))
    import mlrun

    roots = [os.path.dirname(os.path.dirname(mlrun.__file__))]
    failures = 0
    checked = 0
    for entry in manifest["entry"]:
        match = re.match(r"^([\w/.]+\.py):(\d+)$", entry["source"])
        if not match:
            continue
        path, line = match.group(1), int(match.group(2))
        full = os.path.join(roots[0], path)
        try:
            text = open(full, encoding="utf-8").read().splitlines()[line - 1]
        except (OSError, IndexError):
            print(f"MISSING {entry['entry']}: {path}:{line}")
            failures += 1
            continue
        if "cites" in entry:
            if entry["cites"] not in text:
                print(f"WRONG   {entry['entry']}: {path}:{line} is `{text.strip()}`")
                failures += 1
            checked += 1
            continue
        wanted = identifiers(entry["entry"])
        # Fields name a part of themselves; entry points like `%nuclio cmd` their magic.
        wanted |= {w for w in re.findall(r"[A-Za-z_]+", entry["entry"]) if len(w) > 2}
        if not any(re.search(rf"\b{re.escape(w)}\b", text) for w in wanted):
            print(f"WRONG   {entry['entry']}: {path}:{line} is `{text.strip()}`")
            failures += 1
        checked += 1
    print(f"   {checked} MLRun {mlrun.__version__} source lines checked, {failures} wrong")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
