"""Compare mlrun-lint's version facts with what each installed MLRun version does.

Standard library only. Reads the JSON of version_facts.py from several venvs (one MLRun version
each) and, for each version V, runs `mlrun-lint check --mlrun-version V` on small function specs:

- one `function.yaml` per image of the facts table (`spec.image: <image>`): where MLRun fills a
  tag (`enrich_image_url` with client V), mlrun-lint must flag the image and its fix, applied,
  must give MLRun's result for a Python 3.11 client; where a Python 3.9 client gets another image
  (`-py39`), the fix must be unsafe, and where it gets the same one the help must not ask for
  `-py39`; an explicitly tagged image MLRun still changes for Python 3.9 clients must be said. Where MLRun fills nothing, mlrun-lint must not offer a safe
  fix as if it did; where MLRun rewrites the name (`mlrun/ml-base` -> `mlrun/mlrun`) or the tag
  (`python` -> `python:3.11`), what mlrun-lint says is shown beside it, and for `python` it
  must name the tag MLRun writes and not say it resolves `latest`; an obsolete image MLR105
  says is removed by some version must no longer run in that version;
- one spec with no image per function kind: the image MLR107 names must be that version's
  `function_defaults.image_by_kind[kind]`.

Disagreements are listed (`DIFF`) and make the exit code 1: mlrun-lint's version facts must
be MLRun's at every version compared.

    python3 tests/oracle/compare_versions.py --bin target/release/mlrun-lint facts-*.json
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

KINDS = ["job", "serving", "nuclio", "remote", "dask", "mpijob", "application"]
MLR107_IMAGE = re.compile(r"default image of kind `[^`]+`, `([^`]+)`")
REMOVAL_PLANNED = re.compile(r"removal (?:is )?planned for (\d+\.\d+\.\d+)")


def _version(text):
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def lint(binary, root, version):
    proc = subprocess.run(
        [binary, "check", "--output-format", "json", "--exit-zero", "--mlrun-version", version, "."],
        cwd=root, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"),
    )
    if proc.returncode != 0:
        sys.exit(f"mlrun-lint failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def apply_fix(text, fix):
    """The text with the fix's edits applied (line/column positions, 1-based, edits in order)."""
    lines = text.split("\n")

    def offset(pos):
        return sum(len(line) + 1 for line in lines[: pos["line"] - 1]) + pos["column"] - 1

    for edit in sorted(fix["edits"], key=lambda e: offset(e["start"]), reverse=True):
        start, end = offset(edit["start"]), offset(edit["end"])
        text = text[:start] + edit["content"] + text[end:]
    return text


def spec_image(text):
    m = re.search(r"^  image: (.*)$", text, re.M)
    return m.group(1).strip().strip("'\"") if m else ""


def compare_version(binary, facts):
    version = facts["mlrun_version"]
    root = tempfile.mkdtemp(prefix="mlrun-lint-versions-")
    rows, diffs = [], []
    try:
        images = sorted({e["image"] for e in facts["enrich"]})
        texts = {}
        for i, image in enumerate(images):
            text = f"kind: job\nmetadata:\n  name: f{i}\nspec:\n  image: {image}\n"
            texts[f"image{i}.yaml"] = (image, text)
            with open(os.path.join(root, f"image{i}.yaml"), "w", encoding="utf-8") as fh:
                fh.write(text)
        for kind in KINDS:
            with open(os.path.join(root, f"kind-{kind}.yaml"), "w", encoding="utf-8") as fh:
                fh.write(f"kind: {kind}\nmetadata:\n  name: f\nspec:\n  image: ''\n")
        findings = lint(binary, root, version)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def mlrun_result(image, python):
        for e in facts["enrich"]:
            if e["image"] == image and e["python_version"].startswith(python) and e["client_version"] == version:
                return e["result"]
        return None

    for name, (image, text) in sorted(texts.items(), key=lambda kv: kv[1][0]):
        mine = [f for f in findings if f["path"] == name]
        py311, py39 = mlrun_result(image, "3.11"), mlrun_result(image, "3.9")
        by_code = {f["code"]: f for f in mine}
        codes = ",".join(f["code"] for f in mine) or "nothing"
        shown = by_code.get("MLR101") if by_code.get("MLR101", {}).get("fix") else next((f for f in mine if f["fix"]), None)
        lint_view = codes
        if shown:
            lint_view += f"; {shown['code']} fix → {spec_image(apply_fix(text, shown['fix']))} ({shown['fix']['applicability']})"
        rows.append((image, py311, py39, lint_view))
        fills = py311 != image
        tag_fix = by_code.get("MLR101") if by_code.get("MLR101", {}).get("fix") else None
        if fills and not mine:
            diffs.append(f"{image}: MLRun {version} resolves it to {py311}, mlrun-lint reports nothing")
        elif fills and tag_fix:
            got = spec_image(apply_fix(text, tag_fix["fix"]))
            if got != py311:
                diffs.append(f"{image}: MLRun {version} gives {py311} (Python 3.11 client), mlrun-lint's MLR101 fix gives {got}")
            if py39 != py311 and tag_fix["fix"]["applicability"] == "safe":
                diffs.append(f"{image}: a Python 3.9 client of MLRun {version} gets {py39}, yet mlrun-lint's fix {got} is marked safe")
            if py39 == py311 == got and "-py39" in tag_fix["help"]:
                diffs.append(f"{image}: MLRun {version} gives Python 3.9 clients {py39} too (no suffix), yet mlrun-lint's help "
                             f"says to add -py39 and its fix is {tag_fix['fix']['applicability']}: {tag_fix['help']}")
        elif fills and "MLR105" in by_code:
            # Obsolete image: flagged, which is right (MLRun would tag an image that is no longer
            # published); when MLRun itself renames it, the replacement must be the same image.
            renamed = py311.rsplit(":", 1)[0]
            if renamed != image and by_code["MLR105"]["fix"]:
                target = spec_image(apply_fix(text, by_code["MLR105"]["fix"])).rsplit(":", 1)[0]
                if target != renamed:
                    diffs.append(f"{image}: MLRun {version} runs {py311}, mlrun-lint's MLR105 fix gives {target}")
        elif fills and image == "python":
            # mlrun-lint cannot know the client's Python: it must say MLRun tags the image
            # from it (naming the 3.11 result), and not that it resolves `latest`.
            said = " ".join(f'{f["message"]} {f["help"] or ""}' for f in mine)
            if f"`{py311}`" not in said or "resolves `latest`" in said:
                diffs.append(f"{image}: MLRun {version} tags it from the client's Python ({py311} / {py39}); mlrun-lint says "
                             f"{codes}: {said}")
        elif not fills and py39 != image and not any("py39" in f["message"] + f["help"] for f in mine):
            diffs.append(f"{image}: MLRun {version} changes it to {py39} for Python 3.9 clients (kept for 3.11); "
                         f"mlrun-lint says {codes} and nothing of that")
        elif not fills and tag_fix and tag_fix["fix"]["applicability"] == "safe":
            diffs.append(f"{image}: MLRun {version} fills no tag, yet mlrun-lint offers a safe MLR101 fix")
        said_105 = f'{by_code["MLR105"]["message"]} {by_code["MLR105"]["help"] or ""}' if "MLR105" in by_code else ""
        planned = REMOVAL_PLANNED.search(said_105)
        if planned and fills and _version(version) >= _version(planned.group(1)):
            diffs.append(f"{image}: mlrun-lint's MLR105 says removal planned for {planned.group(1)}, "
                         f"but MLRun {version} still runs it (as {py311}): {by_code['MLR105']['message']}")
    kind_rows = []
    by_kind = facts.get("image_by_kind") or {}
    for kind in KINDS:
        mine = [f for f in findings if f["path"] == f"kind-{kind}.yaml" and f["code"] == "MLR107"]
        # The headline names the function; the default image is in the help's why.
        said = f'{mine[0]["message"]} {mine[0]["help"] or ""}' if mine else ""
        named = MLR107_IMAGE.search(said).group(1) if MLR107_IMAGE.search(said) else None
        want = by_kind.get(kind, facts["default_base_image"] if kind in ("remote",) else None)
        kind_rows.append((kind, want, named))
        if not want and named:
            diffs.append(f"kind {kind}: MLRun {version} has no default image for it (no such kind), mlrun-lint's MLR107 names {named}")
        elif want and named != want:
            diffs.append(f"kind {kind}: MLRun {version}'s default image is {want}, mlrun-lint's MLR107 names "
                         + (f"{named}" if named else "no image" if mine else "nothing (no MLR107)"))
    return rows, kind_rows, diffs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("facts", nargs="+")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    all_diffs = []
    for path in args.facts:
        with open(path, encoding="utf-8") as fh:
            facts = json.load(fh)
        v = facts["mlrun_version"]
        print(f"\n== MLRun {v} (installed on Python {facts['python_version']}) as the server, client {v}")
        print(f"   default_base_image={facts['default_base_image']}  kfp_image={facts['kfp_image']}  "
              f"dask_kfp_image={facts['dask_kfp_image']}  images_to_enrich_registry={facts['images_to_enrich_registry']}")
        rows, kind_rows, diffs = compare_version(binary, facts)
        print(f"   {'image':28} {'MLRun, py3.11 client':32} {'MLRun, py3.9 client':32} mlrun-lint --mlrun-version {v}")
        for image, py311, py39, view in rows:
            print(f"   {image:28} {py311:32} {py39:32} {view}")
        print(f"   {'kind':12} {'MLRun default image':24} MLR107 names")
        for kind, want, named in kind_rows:
            print(f"   {kind:12} {str(want):24} {named}")
        for d in diffs:
            print(f"   DIFF {d}")
        all_diffs += diffs
    print(f"\n{len(all_diffs)} version facts differ from MLRun")
    return 1 if all_diffs else 0


if __name__ == "__main__":
    sys.exit(main())
