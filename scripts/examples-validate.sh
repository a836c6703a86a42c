#!/usr/bin/env bash
# Validates the deployment examples in docs/examples/ that are not workflows
# (those are action-validator's, scripts/action-validate.sh), offline, with
# validators from PyPI installed into the project virtualenv .venv:
#   - every Kubernetes manifest (kubernetes-*.yaml) against the OpenAPI schemas
#     of Kubernetes 1.37 that kubernetes-validate ships, strictly (unknown
#     fields are errors);
#   - the CloudFormation template of the member role with cfn-lint (resource
#     specs, IAM action names, intrinsic functions; also shipped, no network).
# tests/examples.rs checks what a schema cannot: hardening, the shard index,
# the merge step.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
[ -x "$venv/bin/python" ] || scripts/moto.sh install
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "kubernetes-validate==1.37.0" "cfn-lint==1.58.0"

"$venv/bin/kubernetes-validate" --strict --quiet docs/examples/kubernetes-*.yaml
"$venv/bin/cfn-lint" docs/examples/organization-member-role.yaml
echo "Kubernetes manifests and the CloudFormation template in docs/examples/ are valid"
