#!/usr/bin/env bash
# Runs every test trailaudit has, from a clean checkout:
#   1. the moto virtualenv (.venv) for the collector's integration tests, created if missing;
#   2. cargo test: unit tests, the Rego pack's own tests, golden reports of every
#      fixture, CLI tests, collector tests against moto on 127.0.0.1;
#   3. Microsoft's SARIF validator (Sarif + GitHub rules) on the SARIF of every fixture;
#   4. action-validator on action.yml and the example workflows (scripts/action-validate.sh);
#      the action itself is exercised end to end by tests/action.rs in step 2.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> moto virtualenv"
scripts/moto.sh install

echo "==> cargo test"
cargo test --locked --all-targets

echo "==> SARIF of every fixture, validated"
cargo build --locked --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for snapshot in fixtures/*/snapshot.json; do
  name=$(basename "$(dirname "$snapshot")")
  config=()
  [ -f "fixtures/$name/trailaudit.yaml" ] && config=(--config "fixtures/$name/trailaudit.yaml")
  status=0
  target/debug/trailaudit audit --snapshot "$snapshot" "${config[@]}" --format sarif --output "$out/$name.sarif" || status=$?
  if [ "$status" -gt 3 ] || [ "$status" -eq 2 ]; then
    echo "audit of $snapshot failed to run (exit $status)" >&2
    exit 1
  fi
done
scripts/validate-sarif.sh "$out"/*.sarif

echo "==> GitHub Action and example workflows, validated"
scripts/action-validate.sh

echo "all checks passed"
