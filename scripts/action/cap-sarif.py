#!/usr/bin/env python3
"""Keep a SARIF report within GitHub code scanning's upload limits, in place.

Code scanning rejects an upload with more than 25,000 results in a run, or a file
over 10 MB once gzipped, and shows only the first 5,000 results of a run
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#file-limits).
Over a limit, this keeps the most severe results (error, then warning, then note,
in report order within a level), drops the rest, records what was dropped as a
tool notification in the run, and prints a GitHub `::warning` saying so. Under the
limits the file is left byte for byte as it was.

Standard library only: the action runs it with whatever Python the runner has.
"""

import argparse
import copy
import gzip
import json
import sys

# GitHub's limits (the page above).
MAX_RESULTS_PER_RUN = 25_000
MAX_GZIPPED_BYTES = 10 * 1000 * 1000
# Each shrinking round keeps this share of what the size limit allows, so a
# report over the size limit settles in a few rounds.
SHRINK_MARGIN = 0.9
LEVEL_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}


def gzipped_size(sarif):
    return len(gzip.compress(json.dumps(sarif).encode("utf-8"), compresslevel=6))


def size_text(size):
    return f"{size // 1_000_000} MB" if size % 1_000_000 == 0 else f"{size} bytes"


def by_severity(results):
    order = sorted(range(len(results)), key=lambda i: (LEVEL_RANK.get(results[i].get("level", "warning"), 1), i))
    return [results[i] for i in order]


def notify(run, kept, total, reason):
    text = (
        f"mlrun-lint: the report was capped for GitHub code scanning ({reason}): "
        f"{kept} of {total} results kept, the most severe first; run mlrun-lint locally "
        "or with another --output-format to see them all."
    )
    invocations = run.setdefault("invocations", [])
    if not invocations:
        invocations.append({"executionSuccessful": True})
    invocations[0].setdefault("toolExecutionNotifications", []).append(
        {"level": "warning", "message": {"text": text}}
    )
    return text


def cap(sarif, max_results, max_bytes):
    """Caps every run in place; returns one message per capped run. The size is
    measured with the notifications in, since they add to it."""
    runs = sarif.get("runs", [])
    originals = [list(run.get("results") or []) for run in runs]
    invocations = [copy.deepcopy(run.get("invocations")) for run in runs]
    limits = [min(len(r), max_results) for r in originals]
    reasons = [f"more than {max_results} results" if len(r) > max_results else None for r in originals]
    ranked = [by_severity(r) for r in originals]
    while True:
        messages = []
        for i, run in enumerate(runs):
            if "results" in run:
                run["results"] = ranked[i][: limits[i]]
            if invocations[i] is None:
                run.pop("invocations", None)
            else:
                run["invocations"] = copy.deepcopy(invocations[i])
            if reasons[i] and limits[i] < len(originals[i]):
                messages.append(notify(run, limits[i], len(originals[i]), reasons[i]))
        size = gzipped_size(sarif)
        if size <= max_bytes or not any(limits):
            return messages
        shrink = max_bytes / size * SHRINK_MARGIN
        for i, limit in enumerate(limits):
            limits[i] = int(limit * shrink)
            reasons[i] = f"over {size_text(max_bytes)} gzipped"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-results", type=int, default=MAX_RESULTS_PER_RUN)
    parser.add_argument("--max-gzipped-bytes", type=int, default=MAX_GZIPPED_BYTES)
    parser.add_argument("sarif")
    options = parser.parse_args()
    max_results = options.max_results
    if not 0 < max_results <= MAX_RESULTS_PER_RUN:
        print(f"::warning title=mlrun-lint::max-results {max_results} is outside 1..{MAX_RESULTS_PER_RUN}; using {MAX_RESULTS_PER_RUN}")
        max_results = MAX_RESULTS_PER_RUN
    with open(options.sarif, encoding="utf-8") as f:
        sarif = json.load(f)
    total = sum(len(run.get("results") or []) for run in sarif.get("runs", []))
    if total <= max_results and gzipped_size(sarif) <= options.max_gzipped_bytes:
        print(f"SARIF report within code scanning's limits: {total} results")
        return 0
    messages = cap(sarif, max_results, options.max_gzipped_bytes)
    with open(options.sarif, "w", encoding="utf-8") as f:
        json.dump(sarif, f, ensure_ascii=False)
    for message in messages:
        print(f"::warning title=mlrun-lint SARIF capped::{message}")
    if gzipped_size(sarif) > options.max_gzipped_bytes:
        print(
            f"::warning title=mlrun-lint SARIF capped::the report is over {options.max_gzipped_bytes} "
            "gzipped bytes even without results (its rule descriptions); code scanning may refuse it"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
