"""Classify requirement lines with the `packaging` library, the reference for PEP 508.

Reads one requirement per line from the file named by the first argument and prints
one line per input line, in order: `pinned`, `range`, `none`, `url` or `error`,
followed by a tab and packaging's error message for `error`. The Rust test
`tests/differential_packaging.rs` compares these answers with mlrun-lint's
`classify`.

"pinned" is the rule both sides agree on: the specifier set holds at least one
`===` clause, or one `==` clause whose version does not end in `.*`. Beside other
clauses (`==1.0,!=1.1`, `==1.0,>=0.9`) such a clause still admits at most one
release, so the whole set is pinned; a set without one (`>=1,<2`, `==1.*`, `!=1.0`)
is a range.
"""

import sys

from packaging.requirements import InvalidRequirement, Requirement


def classify(line: str) -> str:
    try:
        req = Requirement(line)
    except InvalidRequirement as error:
        message = " ".join(str(error).split())
        return f"error\t{message}"
    if req.url:
        return "url"
    specifiers = list(req.specifier)
    if not specifiers:
        return "none"
    exact = any(
        spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*"))
        for spec in specifiers
    )
    return "pinned" if exact else "range"


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as lines:
        for line in lines:
            print(classify(line.rstrip("\n")))


if __name__ == "__main__":
    main()
