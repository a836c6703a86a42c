#!/usr/bin/env bash
# The Rego lint of the built-in pack (opa fmt and Regal cannot be installed from
# the registries this project reaches): lines of at most 170 columns (tabs 4,
# string literals as "", METADATA not counted), helpers private to a library
# named `_like_this`, no unused imports. The checks are src/pack/lint.rs (unit
# tests there show each one catching its case); tests/rego_lint.rs runs them on
# policies/ and prints every problem as file:line: message.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --quiet --test rego_lint -- --nocapture
