#!/usr/bin/env python3
"""Standalone release binaries from the wheels: the binary users download is the
one in the wheel pip installs, built once.

    package-binaries.py OUT WHEEL[=TARGET]...

For each wheel, writes OUT/mlrun-lint-TARGET.tar.gz (the binary at the top level,
with LICENSE and README.md when the current folder has them) and
OUT/mlrun-lint-TARGET.tar.gz.sha256 ("<hex>  <name>", as `sha256sum` writes), then
OUT/SHA256SUMS over every archive. TARGET is the Rust target triple, taken from the
wheel's platform tag unless given after `=`. Linux binaries come from the
musllinux wheels: statically linked, they run on any distribution.
"""

import gzip
import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile

# Wheel platform tag (after the manylinux/musllinux/macosx version) -> target triple.
PLATFORMS = [
    (r"^musllinux_\d+_\d+_x86_64$", "x86_64-unknown-linux-musl"),
    (r"^musllinux_\d+_\d+_aarch64$", "aarch64-unknown-linux-musl"),
    (r"^(manylinux\d*|manylinux_\d+_\d+)_x86_64$", "x86_64-unknown-linux-gnu"),
    (r"^(manylinux\d*|manylinux_\d+_\d+)_aarch64$", "aarch64-unknown-linux-gnu"),
    (r"^macosx_\d+_\d+_x86_64$", "x86_64-apple-darwin"),
    (r"^macosx_\d+_\d+_arm64$", "aarch64-apple-darwin"),
    (r"^win_amd64$", "x86_64-pc-windows-msvc"),
    (r"^win_arm64$", "aarch64-pc-windows-msvc"),
]
# A fixed time for archive members, so the same binary gives the same archive.
MTIME = 0


def target_of(wheel):
    platform = os.path.basename(wheel)[: -len(".whl")].split("-")[-1]
    for tag in platform.split("."):
        for pattern, target in PLATFORMS:
            if re.match(pattern, tag):
                return target
    sys.exit(f"{wheel}: no target for platform tag '{platform}'")


def binary_of(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if re.search(r"\.data/scripts/mlrun-lint(\.exe)?$", n)]
        if len(names) != 1:
            sys.exit(f"{wheel}: expected one mlrun-lint binary in *.data/scripts/, found {names}")
        return os.path.basename(names[0]), z.read(names[0])


def add(tar, name, data, mode):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, MTIME
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def main(out, specs):
    os.makedirs(out, exist_ok=True)
    sums = []
    for spec in specs:
        wheel, _, target = spec.partition("=")
        target = target or target_of(wheel)
        name, binary = binary_of(wheel)
        archive = f"mlrun-lint-{target}.tar.gz"
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
            add(tar, name, binary, 0o755)
            for extra in ("LICENSE", "README.md"):
                if os.path.isfile(extra):
                    with open(extra, "rb") as f:
                        add(tar, extra, f.read(), 0o644)
        # mtime=0 in the gzip header too: byte-identical archives for one binary.
        data = gzip.compress(buffer.getvalue(), compresslevel=9, mtime=MTIME)
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(out, archive), "wb") as f:
            f.write(data)
        line = f"{digest}  {archive}\n"
        with open(os.path.join(out, archive + ".sha256"), "w", encoding="ascii", newline="\n") as f:
            f.write(line)
        sums.append(line)
        print(f"{archive}: {len(binary)} byte binary from {os.path.basename(wheel)}, sha256 {digest}")
    with open(os.path.join(out, "SHA256SUMS"), "w", encoding="ascii", newline="\n") as f:
        f.writelines(sorted(sums, key=lambda l: l.split()[1]))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
