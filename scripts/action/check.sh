#!/usr/bin/env bash
# The action's check step: run `mlrun-lint check --output-format sarif` and keep
# its exit code for the last step, so the report is uploaded whatever the findings.
#
# Environment: MLRUN_LINT_PATHS and MLRUN_LINT_ARGS (whitespace-separated, over
# any number of lines), MLRUN_LINT_SARIF (the report's path), MLRUN_LINT_MAX_RESULTS
# (the cap, at most GitHub's 25,000), GITHUB_OUTPUT.
# Writes exit-code and sarif-file to GITHUB_OUTPUT. Written for bash 3.2 too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# words VAR TEXT: appends every whitespace-separated word of TEXT, on every
# line (a YAML block scalar gives one path per line), to the array VAR. No
# globbing: `read -a` does not expand `*`.
words() {
  local line part
  while IFS= read -r line || [ -n "$line" ]; do
    read -r -a part <<<"${line%$'\r'}" || true
    if [ "${#part[@]}" -gt 0 ]; then
      eval "$1+=(\"\${part[@]}\")"
    fi
  done <<<"$2"
}

paths=() args=()
words paths "${MLRUN_LINT_PATHS:-}"
words args "${MLRUN_LINT_ARGS:-}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
sarif=${MLRUN_LINT_SARIF:-mlrun-lint.sarif}
mkdir -p -- "$(dirname -- "$sarif")"

# bash 3.2 refuses "${args[@]}" of an empty array under `set -u`.
echo "mlrun-lint check --output-format sarif ${args[*]+${args[*]}} -- ${paths[*]} > $sarif"
status=0
mlrun-lint check --output-format sarif ${args[@]+"${args[@]}"} -- "${paths[@]}" >"$sarif" || status=$?

# The absolute path, in the form the runner's tools read (C:/... on Windows).
case "$sarif" in
  /* | [A-Za-z]:[\\/]*) absolute=$sarif ;;
  *) absolute="$PWD/$sarif" ;;
esac
if command -v cygpath >/dev/null 2>&1; then
  absolute=$(cygpath -m -- "$absolute")
fi

if [ "$status" -ge 2 ]; then
  # A usage or configuration error: the report may be empty, so it is not
  # uploaded. This step passes so the outputs are set; the last step fails.
  echo "::error title=mlrun-lint::mlrun-lint exited $status (usage, configuration or internal error)"
else
  echo "mlrun-lint exited $status; SARIF report: $sarif"
  # Code scanning refuses a report over its limits: keep the most severe results.
  python=""
  for p in python3 python; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 6))' 2>/dev/null; then
      python=$p
      break
    fi
  done
  if [ -n "$python" ]; then
    "$python" "$here/cap-sarif.py" --max-results "${MLRUN_LINT_MAX_RESULTS:-25000}" -- "$sarif" \
      || { echo "::error title=mlrun-lint::could not check the SARIF report against code scanning's limits"; status=2; }
  else
    echo "::warning title=mlrun-lint::no Python on PATH: the SARIF report was not checked against code scanning's limits (25,000 results, 10 MB gzipped)"
  fi
fi
{
  echo "exit-code=$status"
  echo "sarif-file=$absolute"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
exit 0
