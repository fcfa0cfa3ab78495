#!/usr/bin/env python3
"""Compares mlrun-lint's JSON findings on a generated tree with its EXPECTED.json.

    bench_counts.py FINDINGS.json EXPECTED.json

The generator (../shared/bench/gen_monorepo.py) counts one finding per
occurrence, by rule code (`rules`), and by class and location (`images` and
`packages`, `by_class` / `by_location`). Only what it models is compared:

- rules MLR101-103, 108, 109 (images), 201-204 (packages) and 301 (hub refs);
- per location, the image and package classes, so a difference points at a reader
  (dockerfile, function_yaml, project_yaml, python, notebook, requirements_txt).

mlrun-lint also reports rules the generator does not model (MLR104 image/client
version mismatch, MLR205 pin conflicts, ...): they are listed, not compared.
Exit 1 on any difference in a compared count.
"""
import collections
import json
import sys

IMAGE_RULES = {
    "MLR101": "untagged_mlrun",
    "MLR102": "untagged_other",
    "MLR103": "mutable_tag",
    "MLR108": "unverifiable",
    "MLR109": "built_mutable",
}
PACKAGE_RULES = {
    "MLR201": "unpinned",
    "MLR202": "range",
    "MLR203": "url_unpinned",
    "MLR204": "mlrun_not_exact",
}
MODELLED = set(IMAGE_RULES) | set(PACKAGE_RULES) | {"MLR301"}

# Where the generator's class is not what MLRun would run. Its Python and notebook
# "unverifiable" images are `MLRUN_IMAGE = f"mlrun/mlrun:{MLRUN_VERSION}"` with a
# pinned MLRUN_VERSION, `os.environ.get("IMAGE", "mlrun/mlrun:1.6.2")` and
# `f"{name}:{tag}"` with `tag = os.environ.get("TAG", "1.0.0")`: every one is pinned
# once its value is followed (docs/what-is-scanned.md, "How Python values are followed"), so mlrun-lint
# is right to say nothing. They are counted as pinned, and MLR108 loses them.
FOLLOWED_TO_PINNED = {
    ("images", "python", "unverifiable"),
    ("images", "notebook", "unverifiable"),
}


def followed(expected):
    """EXPECTED.json with the classes of FOLLOWED_TO_PINNED moved to `pinned`."""
    for kind, place, cls in FOLLOWED_TO_PINNED:
        counts = expected[kind]["by_location"].get(place, {})
        moved = counts.pop(cls, 0)
        counts["pinned"] = counts.get("pinned", 0) + moved
        code = next(c for c, name in IMAGE_RULES.items() if name == cls)
        expected["rules"][code] = expected["rules"].get(code, 0) - moved
        if moved:
            print(f"{kind} {place} {cls}: {moved} followed to pinned values (not reported)")
    return expected


def location(path):
    """The generator's location of a file, from its name."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith("Dockerfile"):
        return "dockerfile"
    if name == "function.yaml":
        return "function_yaml"
    if name == "project.yaml":
        return "project_yaml"
    if name.endswith(".py"):
        return "python"
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith(".txt"):
        return "requirements_txt"
    return "other:" + name


def main(findings_path, expected_path):
    findings = json.load(open(findings_path))
    expected = followed(json.load(open(expected_path)))
    ours = collections.Counter(d["code"] for d in findings)
    problems = []

    print(f"{'rule':<8} {'expected':>9} {'ours':>9}")
    for code in sorted(MODELLED):
        want, got = expected["rules"].get(code, 0), ours.get(code, 0)
        mark = "" if want == got else "   <-- differs"
        print(f"{code:<8} {want:>9} {got:>9}{mark}")
        if want != got:
            problems.append(f"{code}: expected {want}, got {got}")
    others = {c: n for c, n in sorted(ours.items()) if c not in MODELLED}
    print(f"not modelled by the generator (not compared): {others}")

    by_place = collections.Counter()
    for d in findings:
        for rules, kind in ((IMAGE_RULES, "images"), (PACKAGE_RULES, "packages")):
            if d["code"] in rules:
                by_place[(kind, location(d["path"]), rules[d["code"]])] += 1
    for kind, rules in (("images", IMAGE_RULES), ("packages", PACKAGE_RULES)):
        classes = set(rules.values())
        for place, counts in expected[kind]["by_location"].items():
            for cls, want in counts.items():
                if cls not in classes:
                    continue  # `pinned` / `exact`: nothing to report
                got = by_place.pop((kind, place, cls), 0)
                if want != got:
                    problems.append(f"{kind} {place} {cls}: expected {want}, got {got}")
    for (kind, place, cls), got in sorted(by_place.items()):
        problems.append(f"{kind} {place} {cls}: expected 0, got {got}")

    if problems:
        print("counts differ from EXPECTED.json:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print("counts equal EXPECTED.json in every modelled rule and location")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
