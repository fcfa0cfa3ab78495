#!/usr/bin/env bash
# The action's first step: decide how mlrun-lint is installed on this runner.
#
#   download  the release binary vX.Y.Z for the runner's OS and architecture
#             (install.sh fetches it, checks its SHA-256 and caches it);
#   source    `cargo install --locked` from the action's own checkout, for a ref
#             that is not a release (a branch, an unreleased commit).
#
# Environment (set by action.yml; the tests set them by hand):
#   MLRUN_LINT_VERSION     the `version` input: "" (follow the action's ref),
#                          "X.Y.Z" (that release) or "source" (always build)
#   MLRUN_LINT_ACTION_REF  github.action_ref: a tag, a branch or a commit SHA
#   MLRUN_LINT_ACTION_REPOSITORY  github.action_repository (owner/name)
#   MLRUN_LINT_RELEASES_URL  where release assets live, default
#                          https://github.com/<action repository>/releases/download
#                          (a mirror, or file:// in tests)
#   GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, GITHUB_OUTPUT
#
# Writes to GITHUB_OUTPUT: mode, version, target, asset, url, dir.
# Written for bash 3.2 too (macOS runners): no mapfile, no ${x,,}.
set -euo pipefail

die() {
  echo "::error title=mlrun-lint::$*"
  exit 1
}

# The runner's platform -> the release asset's target triple. Linux gets the
# static musl binary, which runs on any distribution.
supported="Linux X64, Linux ARM64, macOS X64, macOS ARM64, Windows X64"
target_of() { # target_of OS ARCH
  case "$1/$2" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

action_path=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
crate_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1)
[ -n "$crate_version" ] || die "no version in $action_path/Cargo.toml"

requested=${MLRUN_LINT_VERSION:-}
requested=${requested#v}
ref=${MLRUN_LINT_ACTION_REF:-}
repository=${MLRUN_LINT_ACTION_REPOSITORY:-}
releases_url=${MLRUN_LINT_RELEASES_URL:-}
if [ -z "$releases_url" ] && [ -n "$repository" ]; then
  releases_url="https://github.com/$repository/releases/download"
fi

mode=source
version=$crate_version
why=""
case "$requested" in
  source)
    why="version: source" ;;
  "")
    if [ -z "$releases_url" ]; then
      why="the action's repository is unknown (github.action_repository is empty when this action is nested in another composite action); set version: X.Y.Z to download a release"
    elif [ "$ref" = "v$crate_version" ]; then
      mode=download
    elif printf '%s' "$ref" | grep -Eq '^[0-9a-f]{40}$'; then
      # A commit SHA: it is a release if it is the commit release v<Cargo.toml's
      # version> was built from (the release's source-commit.txt asset).
      released=$(curl -fsSL --retry 2 "$releases_url/v$crate_version/source-commit.txt" 2>/dev/null || true)
      if [ "$(printf '%s' "$released" | tr -d '[:space:]')" = "$ref" ]; then
        mode=download
      else
        why="commit $ref is not the commit of release v$crate_version"
      fi
    else
      why="ref '${ref:-?}' is not a release tag (v$crate_version)"
    fi ;;
  *)
    printf '%s' "$requested" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$' \
      || die "version: '$MLRUN_LINT_VERSION' is not a release version (X.Y.Z), 'source' or empty"
    [ -n "$releases_url" ] || die "version: $requested: the action's repository is unknown; set MLRUN_LINT_RELEASES_URL"
    mode=download
    version=$requested ;;
esac

target="" asset="" url="" dir=""
if [ "$mode" = download ]; then
  os=${RUNNER_OS:-?} arch=${RUNNER_ARCH:-?}
  target=$(target_of "$os" "$arch") \
    || die "no mlrun-lint release binary for a $os $arch runner; supported: $supported. Set version: source to build it with cargo."
  asset="mlrun-lint-$target.tar.gz"
  url="$releases_url/v$version/$asset"
  dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?}}/mlrun-lint/$version/$target"
  echo "mlrun-lint $version: release binary $asset"
else
  echo "mlrun-lint: building from the action's checkout with cargo ($why)."
  echo "Pin a release tag (uses: ...@v$crate_version), or set version: X.Y.Z, to download a prebuilt binary in seconds."
fi

{
  echo "mode=$mode"
  echo "version=$version"
  echo "target=$target"
  echo "asset=$asset"
  echo "url=$url"
  echo "dir=$dir"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
