#!/usr/bin/env bash
# Validates action.yml, the release workflow (.github/workflows/release.yml)
# and the example workflows in docs/examples/ with
# action-validator (crates.io), installed into .tools/ on first use:
#   cargo install action-validator --locked --root .tools    (about 3.5 min on 1 core)
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
  cargo install action-validator --version "$version" --locked --root "$root/.tools" --quiet
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
