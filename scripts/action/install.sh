#!/usr/bin/env bash
# The action's install step: put mlrun-lint on PATH as resolve.sh decided.
#
#   download: reuse DIR/bin if the cache step restored it; otherwise fetch URL and
#             URL.sha256, refuse the archive unless its SHA-256 matches, unpack it
#             into DIR/bin.
#   source:   cargo install --locked from GITHUB_ACTION_PATH into RUNNER_TEMP.
#
# Environment: MLRUN_LINT_MODE, MLRUN_LINT_VERSION, MLRUN_LINT_ASSET, MLRUN_LINT_URL,
# MLRUN_LINT_DIR (resolve.sh's outputs), GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_PATH.
set -euo pipefail

die() {
  echo "::error title=mlrun-lint::$*"
  exit 1
}

exe=""
case "${RUNNER_OS:-}" in Windows) exe=.exe ;; esac

sha256_of() { # sha256_of FILE: the lowercase hex digest
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -- "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 -- "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is on PATH: cannot check the download"
  fi
}

install_release() {
  local version=${MLRUN_LINT_VERSION:?} asset=${MLRUN_LINT_ASSET:?} url=${MLRUN_LINT_URL:?}
  local dir=${MLRUN_LINT_DIR:?}
  local bin="$dir/bin/mlrun-lint$exe"
  if [ -x "$bin" ]; then
    echo "mlrun-lint $version from the cache ($dir)"
  else
    local tmp
    tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mlrun-lint-download.XXXXXX")
    echo "downloading $url"
    curl -fsSL --retry 3 -o "$tmp/$asset" "$url" \
      || die "could not download $url (is v$version released, with an asset for this platform?)"
    curl -fsSL --retry 3 -o "$tmp/$asset.sha256" "$url.sha256" \
      || die "could not download the checksum $url.sha256; the binary is not installed unchecked"
    local expected actual
    expected=$(tr -d '\r' <"$tmp/$asset.sha256" | awk 'NR == 1 { print tolower($1) }')
    printf '%s' "$expected" | grep -Eq '^[0-9a-f]{64}$' \
      || die "$asset.sha256 holds no SHA-256 digest: '$(head -c 200 "$tmp/$asset.sha256")'"
    actual=$(sha256_of "$tmp/$asset")
    if [ "$actual" != "$expected" ]; then
      die "checksum mismatch for $asset: expected $expected (from $asset.sha256), got $actual. The download is corrupt or not the released file; it was not installed."
    fi
    echo "sha256 $actual  $asset: ok"
    mkdir -p "$tmp/unpacked"
    tar -xzf "$tmp/$asset" -C "$tmp/unpacked" \
      || die "could not unpack $asset"
    [ -f "$tmp/unpacked/mlrun-lint$exe" ] \
      || die "$asset holds no mlrun-lint$exe at its top level"
    mkdir -p "$dir/bin"
    mv -f "$tmp/unpacked/mlrun-lint$exe" "$bin"
    chmod +x "$bin"
    rm -rf "$tmp"
  fi
  echo "$dir/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
  local shown
  shown=$("$bin" --version) || die "$bin does not run on this runner"
  echo "$shown"
  [ "$shown" = "mlrun-lint $version" ] || die "$bin says '$shown', expected 'mlrun-lint $version'"
}

install_source() {
  command -v cargo >/dev/null 2>&1 \
    || die "building mlrun-lint from source needs cargo on PATH (install Rust first), or use a release: pin a vX.Y.Z tag or set version: X.Y.Z"
  local root="${RUNNER_TEMP:?}/mlrun-lint"
  cargo install --locked --path "${GITHUB_ACTION_PATH:?}" --root "$root"
  echo "$root/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
  "$root/bin/mlrun-lint$exe" --version
}

case "${MLRUN_LINT_MODE:-}" in
  download) install_release ;;
  source) install_source ;;
  *) die "unknown install mode '${MLRUN_LINT_MODE:-}'" ;;
esac
