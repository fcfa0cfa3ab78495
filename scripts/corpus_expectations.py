#!/usr/bin/env python3
"""Compares mlrun-lint's JSON findings on ../shared/corpus with the reviewed counts.

The counts in corpus-expected.json were checked by hand (see "Checked on
real projects" in docs/testing.md); a change in them is either a fix or a regression,
so it must be looked at and the file updated on purpose (`--update`).
The corpus holds only valid files, so no parse error or skipped file may appear.
"""
import collections
import json
import pathlib
import sys

expected_path = pathlib.Path(__file__).with_name("corpus-expected.json")
findings = json.load(open(sys.argv[1]))
counts = dict(sorted(collections.Counter(d["code"] for d in findings).items()))

if "--update" in sys.argv:
    expected_path.write_text(json.dumps(counts, indent=2) + "\n")
    print(f"corpus: wrote {expected_path.name}: {counts}")
    sys.exit(0)

problems = [d for d in findings if d["code"] in ("MLR001", "MLR003")]
for d in problems:
    print(f"corpus: unexpected {d['code']} at {d['path']}:{d['start']['line']}: {d['message']}")
expected = json.loads(expected_path.read_text())
if counts != expected:
    print(f"corpus: counts changed\n  expected {expected}\n  got      {counts}")
    print("corpus: if the change is intended, run scripts/shared-checks --update")
    sys.exit(1)
if problems:
    sys.exit(1)
print(f"corpus: {len(findings)} findings, as reviewed: {counts}")
