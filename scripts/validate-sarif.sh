#!/usr/bin/env bash
# Validates SARIF files with Microsoft's SARIF Multitool (npm
# @microsoft/sarif-multitool) using the SARIF and GitHub rule sets, and fails
# on any error or warning. The multitool exits 0 even when the log it checks
# has errors, so its findings are read from its output.
#
#   scripts/validate-sarif.sh report.sarif [more.sarif ...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || { echo "usage: $0 FILE.sarif..." >&2; exit 2; }

VERSION=5.7.0
TOOLS=.tools/sarif
BIN="$TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$BIN" ]; then
  echo "validate-sarif: installing @microsoft/sarif-multitool@$VERSION into $TOOLS" >&2
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" "@microsoft/sarif-multitool@$VERSION" >&2
  # npm may skip the package's postinstall (chmod u+x); do it ourselves.
  chmod u+x "$BIN"
fi

failed=0
for file in "$@"; do
  out=$("$BIN" validate --rule-kind "Sarif;Gh" --level "Error;Warning" "$file" 2>&1) || true
  problems=$(printf '%s\n' "$out" | grep -E ': (error|warning) [A-Z]+[0-9]+' || true)
  if ! printf '%s\n' "$out" | grep -q "^Analyzing"; then
    echo "validate-sarif: the multitool did not run on $file:" >&2
    printf '%s\n' "$out" >&2
    failed=1
  elif [ -n "$problems" ]; then
    echo "validate-sarif: $file: FAILED" >&2
    printf '%s\n' "$problems" >&2
    failed=1
  else
    echo "validate-sarif: $file: ok (no errors, no warnings)"
  fi
done
exit "$failed"
