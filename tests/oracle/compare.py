"""Compare what MLRun was given (run_oracle.py's JSON) with what mlrun-lint reports.

Standard library only. For each case:

- every value MLRun read back is classified by mlrun-lint's policy: an image is unpinned with no
  tag (and no digest) or a moving tag (`latest`, ...), or with a tag that is the MLRun client's
  own version when no literal of the case holds that version (`f"mlrun/mlrun:{mlrun.__version__}"`
  is MLRun's client-following fill made explicit); a requirement (in `requirements` or a
  `pip install` build command) is unpinned unless pinned exactly (`name==X.Y.Z`: a `==` clause
  without `.*`, or `===`); a hub URL is unpinned without `:tag`;
- the string literals that produced it are located with `ast`: literals equal to the value (for a
  command's package, the command literals naming it); for a composed value (f-string, `+`,
  `.format`) the literals whose text is part of it;
- `mlrun-lint check --output-format json` runs on a copy of each case, and it is asserted that
  every unpinned value has a finding of its family (MLR101-106/109 image, MLR201-206 requirement,
  MLR301 hub; MLR108 does not count: every value here is known) inside one of its literals;
  no finding sits inside a literal that produced only pinned values, or outside every literal
  MLRun used; a case whose values are all pinned has no finding; one literal gets one finding per
  rule, however many calls use it;
- every function MLRun left with no image at all (no `spec.image`, no build base or target, no
  project default image; not `local`) is one MLR107, and there are no others.

A case named in the expected-gap list (case id and reason per line) may fail; when it passes the
list is out of date and that is a failure. The closing line is `N passed, N failed`; the exit
code is 1 on any failure.

    python3 tests/oracle/compare.py --oracle oracle.json --cases tests/oracle/cases \
        --bin target/release/mlrun-lint [--gaps tests/oracle/expected-gaps.txt] [-v]
"""

import argparse
import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

MOVING_TAGS = {"latest", "unstable", "dev", "development", "edge", "nightly", "main", "master"}
# `name[extras] specifiers ; marker`. Pinned, as mlrun-lint and `packaging` agree
# (tests/differential_packaging.rs): a `===` clause, or a `==` clause without `.*`, whatever other
# clauses sit beside it (`==1.0,!=1.1` admits at most 1.0).
REQUIREMENT = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*(?P<specs>[^;@]*?)\s*(;.*)?$")
EXACT_CLAUSE = re.compile(r"^\s*(===\s*\S+|==\s*[0-9][^*\s]*)\s*$")
MAGIC = re.compile(r"^\s*[%!]")
PIP_OPTIONS_WITH_VALUE = {
    "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "--trusted-host", "-e", "--editable", "-t", "--target",
}
FAMILY = {
    "image": {"MLR101", "MLR102", "MLR103", "MLR104", "MLR105", "MLR106", "MLR109"},
    "requirement": {"MLR201", "MLR202", "MLR203", "MLR204", "MLR205", "MLR206"},
    "hub": {"MLR301"},
}
MIN_PART = 3  # shortest literal taken as a part of a composed value
# Where a part of a composed value may begin or end: an image's `/`, `:`, `@`, a requirement's
# operators and markers. A part that ends inside a name (`mlrun/mlrun` in `mlrun/mlrun-gpu:x`)
# did not produce it.
SEPARATORS = set(":/@=<>~![]; ,")


# ---------------------------------------------------------------- policy


def image_pinned(image, client_version, literals_text):
    ref = image.strip()
    if "@sha256:" in ref or "@" in ref.rsplit("/", 1)[-1]:
        return True, "digest"
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last:
        return False, "no tag"
    tag = last.split(":", 1)[1]
    if tag.lower() in MOVING_TAGS:
        return False, f"moving tag `{tag}`"
    if ref.startswith(".") and tag == "latest":
        return False, "built image tagged latest"
    if tag == client_version and not any(client_version in t for t in literals_text):
        return False, "tag is the client's own version (MLRun's fill, made explicit)"
    return True, f"tag `{tag}`"


def requirement_pinned(req):
    m = REQUIREMENT.match(req)
    if m and any(EXACT_CLAUSE.match(clause) for clause in m.group("specs").split(",")):
        return True, "exact"
    return False, "not pinned exactly (`name==X.Y.Z`)"


def hub_pinned(url):
    rest = url[len("hub://") :]
    if ":" in rest.rsplit("/", 1)[-1]:
        return True, "tagged"
    return False, "no `:tag`"


def pip_packages(command):
    """Package arguments of each `pip install` in a shell command ('' when none)."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    out, i = [], 0
    while i < len(words):
        w = words[i]
        is_pip = os.path.basename(w) in ("pip", "pip3") or (
            w == "-m" and i + 1 < len(words) and words[i + 1] == "pip"
        )
        if is_pip:
            i += 2 if w == "-m" else 1
            if i < len(words) and words[i] == "install":
                i += 1
                while i < len(words) and words[i] not in ("&&", ";", "||", "|"):
                    arg = words[i]
                    if arg in PIP_OPTIONS_WITH_VALUE:
                        i += 2
                        continue
                    if not arg.startswith("-"):
                        out.append(arg)
                    i += 1
            continue
        i += 1
    return out


# ---------------------------------------------------------------- literals


class Literal:
    """A string literal (or f-string) in a case file: where it is and the text it writes."""

    def __init__(self, path, cell, node, text):
        self.path, self.cell, self.text = path, cell, text
        self.start = (node.lineno, node.col_offset + 1)
        self.end = (node.end_lineno, node.end_col_offset + 1)

    def contains(self, finding):
        if finding["path"] != self.path or finding.get("cell") != self.cell:
            return False
        pos = (finding["start"]["line"], finding["start"]["column"])
        return self.start <= pos < self.end

    def __str__(self):
        cell = f"cell {self.cell}:" if self.cell else ""
        return f"{self.path}:{cell}{self.start[0]}:{self.start[1]} {json.dumps(self.text)}"


def _literals_of(path, cell, source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    inside_fstring = set()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                inside_fstring.add(id(part))
                parts.append(part.value if isinstance(part, ast.Constant) else "{}")
            out.append(Literal(path, cell, node, "".join(parts)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstring:
            out.append(Literal(path, cell, node, node.value))
    return out


def case_literals(root, case_rel):
    """Every literal of a case: its .py files, or its notebook's code cells (1-based, all cells)."""
    full = os.path.join(root, case_rel)
    files = []
    if os.path.isdir(full):
        for dirpath, _dirs, names in os.walk(full):
            files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".py")]
    else:
        files = [full]
    out = []
    for f in files:
        rel = os.path.relpath(f, root)
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        if f.endswith(".ipynb"):
            for index, cell in enumerate(json.loads(text).get("cells", []), start=1):
                if cell.get("cell_type") != "code":
                    continue
                src = cell.get("source", "")
                src = "".join(src) if isinstance(src, list) else src
                src = "\n".join("" if MAGIC.match(line) else line for line in src.split("\n"))
                out += _literals_of(rel, index, src)
        else:
            out += _literals_of(rel, None, text)
    return out


def locate(value, literals, command_token=False):
    """The literals that produced `value`: equal ones, else the parts of a composed one."""
    exact = [lit for lit in literals if lit.text == value]
    if command_token:
        exact += [lit for lit in literals if lit.text != value and value in lit.text.split()]
    if exact:
        return exact
    parts = []
    for lit in literals:
        segments = [s for s in lit.text.split("{}") if s]
        if segments and sum(map(len, segments)) >= MIN_PART and all(_is_part(s, value) for s in segments):
            parts.append(lit)
    return parts


def _is_part(segment, value):
    """Whether `segment` occurs in `value` as a whole piece (see SEPARATORS)."""
    start = value.find(segment)
    while start >= 0:
        end = start + len(segment)
        left = start == 0 or segment[0] in SEPARATORS or value[start - 1] in SEPARATORS
        right = end == len(value) or segment[-1] in SEPARATORS or value[end] in SEPARATORS
        if left and right:
            return True
        start = value.find(segment, start + 1)
    return False


# ---------------------------------------------------------------- one case


def produced_values(case, client_version, literals):
    """(family, value, pinned, why, literals, where) for every value MLRun read back, deduplicated."""
    texts = [lit.text for lit in literals]
    seen, out = set(), []

    def add(family, value, verdict, lits, where):
        key = (family, value, tuple(sorted(map(str, lits))))
        if key in seen:
            return
        seen.add(key)
        out.append((family, value, verdict[0], verdict[1], lits, where))

    for run in case["runs"]:
        for v in run["values"]:
            where = f"{v['where']} {v['field']}" + (f" (env {run['env']})" if run["env"] else "")
            if v["kind"] == "image":
                add("image", v["value"], image_pinned(v["value"], client_version, texts),
                    locate(v["value"], literals), where)
            elif v["kind"] == "implicit":
                continue  # judged by implicit_problems
            elif v["kind"] == "requirement":
                add("requirement", v["value"], requirement_pinned(v["value"]),
                    locate(v["value"], literals), where)
            else:
                for pkg in pip_packages(v["value"]):
                    add("requirement", pkg, requirement_pinned(pkg),
                        locate(pkg, literals, command_token=True), where + f" `{v['value']}`")
        for url in run["hub"]:
            add("hub", url, hub_pinned(url), locate(url, literals), "hub import")
    return out


def judge(case_id, case, findings, literals, client_version):
    """(problems, notes) of one case."""
    problems, notes = [], []
    errors = [r["error"] for r in case["runs"] if r["error"]]
    if errors:
        problems.append("MLRun could not run the case:\n" + errors[0].rstrip())
        return problems, notes
    values = produced_values(case, client_version, literals)
    implicit = sorted({v["where"] for r in case["runs"] for v in r["values"] if v["kind"] == "implicit"})
    mlr107 = [f for f in findings if f["code"] == "MLR107"]
    findings = [f for f in findings if f["code"] != "MLR107"]
    if len(mlr107) != len(implicit):
        problems.append(
            f"implicit default: MLRun runs {len(implicit)} function(s) on the kind's default image"
            + (f" ({'; '.join(implicit)})" if implicit else "")
            + f", mlrun-lint reports MLR107 {len(mlr107)} time(s)"
            + "".join(f"\n  MLR107 at {f['path']}:{f['start']['line']}: {f['message']}" for f in mlr107)
        )
    if not values and not implicit:
        problems.append("MLRun read back no value: the case tests nothing")
    used = {}  # str(literal) -> [literal, any unpinned?]
    for family, value, pinned, why, lits, where in values:
        for lit in lits:
            entry = used.setdefault(str(lit), [lit, False])
            entry[1] = entry[1] or not pinned
        if not lits:
            notes.append(f"not located in the source: {family} {value!r} ({where}); not judged")
            continue
        if pinned:
            continue
        hits = [f for f in findings if f["code"] in FAMILY[family] and any(lit.contains(f) for lit in lits)]
        if not hits:
            near = [f"{f['code']}@{f['start']['line']}:{f['start']['column']}" for f in findings
                    if any(lit.contains(f) for lit in lits)]
            problems.append(
                f"missed: unpinned {family} {value!r} ({why}; {where}) has no {family} finding at "
                + " or ".join(map(str, lits)) + (f" (found there: {', '.join(near)})" if near else "")
            )
    for f in findings:
        at = [entry for entry in used.values() if entry[0].contains(f)]
        pos = f"{f['path']}:" + (f"cell {f['cell']}:" if f.get("cell") else "")
        pos += f"{f['start']['line']}:{f['start']['column']}"
        if not at:
            problems.append(f"unexplained: {f['code']} at {pos} is not at a literal MLRun used: {f['message']}")
        elif not any(unpinned for _lit, unpinned in at):
            problems.append(f"false positive: {f['code']} at {pos} is on a pinned value: {f['message']}")
    keys = {}
    for f in findings:
        key = (f["code"], f["path"], f.get("cell"), f["start"]["line"], f["start"]["column"])
        keys[key] = keys.get(key, 0) + 1
    for key, count in keys.items():
        if count > 1:
            cell = f"cell {key[2]}:" if key[2] else ""
            problems.append(f"duplicate: {key[0]} reported {count} times at {key[1]}:{cell}{key[3]}:{key[4]}")
    return problems, notes


# ---------------------------------------------------------------- driver


def read_gaps(path):
    gaps = {}
    if not path or not os.path.exists(path):
        return gaps
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                case_id, _, reason = line.partition(" ")
                gaps[case_id] = reason.strip()
    return gaps


def run_linter(binary, root, path="."):
    proc = subprocess.run(
        [binary, "check", "--output-format", "json", "--exit-zero", path],
        cwd=root, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"),
    )
    if proc.returncode != 0:
        sys.exit(f"mlrun-lint failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", required=True)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--gaps")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print notes and passing details")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    with open(args.oracle, encoding="utf-8") as fh:
        oracle = json.load(fh)
    client_version = oracle["mlrun_version"]
    gaps = read_gaps(args.gaps)
    root = tempfile.mkdtemp(prefix="mlrun-lint-oracle-cases-")
    try:
        shutil.copytree(args.cases, root, dirs_exist_ok=True)
        # Each case on its own, as the project it is: a default image one case's project sets
        # must not cover another's functions.
        findings = [f for case in oracle["cases"].values() for f in run_linter(args.bin, root, case["path"])]
        passed = failed = gapped = 0
        for case_id, case in sorted(oracle["cases"].items()):
            literals = case_literals(root, case["path"])
            mine = [f for f in findings
                    if f["path"] == case["path"] or f["path"].startswith(case["path"] + os.sep)]
            problems, notes = judge(case_id, case, mine, literals, client_version)
            if case_id in gaps:
                if problems:
                    gapped += 1
                    print(f"GAP  {case_id} (expected: {gaps[case_id]})")
                    if args.verbose:
                        for p in problems:
                            print("     " + p.replace("\n", "\n     "))
                    continue
                problems = [f"listed in the expected gaps ({gaps[case_id]}) but passes: remove it"]
            if problems:
                failed += 1
                print(f"FAIL {case_id}")
                for p in problems:
                    print("     " + p.replace("\n", "\n     "))
            else:
                passed += 1
                print(f"ok   {case_id}")
            if args.verbose or problems:
                for n in notes:
                    print("     note: " + n)
        for case_id in sorted(set(gaps) - set(oracle["cases"])):
            failed += 1
            print(f"FAIL {case_id}: in the expected gaps but there is no such case")
        if gapped:
            print(f"{gapped} expected gaps (see {args.gaps})")
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
