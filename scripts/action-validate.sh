#!/usr/bin/env bash
# Validates action.yml, the release workflow (.github/workflows/release.yml)
# and the example workflows in docs/examples/ with
# action-validator (crates.io), installed into .tools/ on first use:
#   cargo install action-validator --locked --debug --root .tools
# --debug: the dev profile builds in 89 s CPU (79 user + 9 sys, cold) where the release profile
# (opt-level "s") takes 178 s (166 + 12), both measured the same way on the same machine; the
# validator reads a few small YAML files, its speed does not matter. It is the
# same version and so the same checks (npm's @action-validator/cli, the only prebuilt one the
# reachable registries have, is 0.6.0 compiled to WASM: it prints "Glob validation is not yet
# supported" and passes a `paths:` glob matching no file, which 0.9.0 refuses).
# Only crates.io is contacted, and only when the tool is missing.
# The example workflows are meant for another repository (the one holding
# trailaudit.yaml and custom policies), and action-validator checks their
# `paths:` filters against that repository's git-tracked files; so they are
# validated inside a throw-away repository shaped like it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=0.9.0
validator="$root/.tools/bin/action-validator"

if ! "$validator" --version 2>/dev/null | grep -qx "action-validator $version"; then
  echo "installing action-validator $version into .tools/"
  started=$SECONDS
  # The host's own flags and compiler: nothing of scripts/test.sh's build environment.
  env -u RUSTFLAGS -u CARGO_BUILD_TARGET -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS \
    cargo install action-validator --version "$version" --locked --debug --root "$root/.tools" --quiet
  echo "action-validator installed in $((SECONDS - started))s"
fi

"$validator" action.yml
"$validator" .github/workflows/release.yml

consumer=$(mktemp -d)
trap 'rm -rf "$consumer"' EXIT
mkdir -p "$consumer/.github/workflows" "$consumer/policies"
cp docs/examples/pull-request.yml "$consumer/.github/workflows/trailaudit-pr.yml"
cp docs/examples/nightly.yml "$consumer/.github/workflows/trailaudit-nightly.yml"
cp docs/examples/organization-sharded.yml "$consumer/.github/workflows/trailaudit-organization.yml"
cp fixtures/advanced_selectors/trailaudit.yaml "$consumer/trailaudit.yaml"
echo 'package acme.example' >"$consumer/policies/example.rego"
(
  cd "$consumer"
  git init -q .
  git add -A
  "$validator" .github/workflows/*.yml
)
echo "action.yml, .github/workflows/release.yml and docs/examples/*.yml are valid"
