#!/usr/bin/env bash
# Runs every test trailaudit has, from a clean checkout:
#   1. the moto virtualenv (.venv) for the collector's integration tests, created if missing;
#   2. cargo test: unit tests, the Rego pack's own tests, golden reports of every
#      fixture, CLI tests, collector tests against moto on 127.0.0.1;
#   3. Microsoft's SARIF validator (Sarif + GitHub rules) on the SARIF of every fixture;
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> moto virtualenv"
scripts/moto.sh install

echo "==> cargo test"
cargo test --locked --all-targets

echo "==> SARIF of every fixture, validated"
# The binary cargo test built for the CLI tests. A separate `cargo build` would
# compile the AWS SDK crates a second time: without dev-dependencies, cargo
# resolves their features differently.
bin="${CARGO_TARGET_DIR:-target}/debug/trailaudit"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for snapshot in fixtures/*/snapshot.json; do
  name=$(basename "$(dirname "$snapshot")")
  config=()
  [ -f "fixtures/$name/trailaudit.yaml" ] && config=(--config "fixtures/$name/trailaudit.yaml")
  status=0
  "$bin" audit --snapshot "$snapshot" "${config[@]}" --format sarif --output "$out/$name.sarif" || status=$?
  if [ "$status" -gt 3 ] || [ "$status" -eq 2 ]; then
    echo "audit of $snapshot failed to run (exit $status)" >&2
    exit 1
  fi
done
scripts/validate-sarif.sh "$out"/*.sarif

echo "all checks passed"
