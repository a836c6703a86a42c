"""Validates a trailaudit ASFF report against botocore's service model of
securityhub BatchImportFindings (botocore is in .venv with moto) and checks it
against the JSON report of the same run.

    .venv/bin/python scripts/check-asff.py REPORT.asff.json REPORT.json [MORE.asff.json MORE.json ...]

- The file is the API's `Findings` parameter (a JSON array); it is sent in
  calls of at most 100, as the API takes them, and each call's parameters are
  validated with botocore.validate.ParamValidator (required members, types,
  unknown members, list and string minimums).
- ParamValidator leaves out enums and patterns: every string member with an
  `enum` in the model must hold one of its values, every `NonEmptyString` must
  match its pattern `.*\\S.*`.
- ASFF's documented length limits, which the model does not carry: Id 512,
  Title 256, Description 1024, Recommendation.Text 512, Note.Text 512,
  Types 50 entries, RelatedRequirements 32, ProductFields 50 keys
  (key 128, value 2048 characters).
- Imported, in-process (moto's mock_aws: no network), through boto3's
  securityhub client of each finding's Region, 100 per call: no finding may
  fail, GetFindings must return them all, and importing them a second time
  must update them, not add findings (the Id is the fingerprint).
- Against the JSON report: one finding per result, in order; Id the
  result's fingerprint (unique); GeneratorId the rule id; AwsAccountId the
  account; Compliance.Status the verdict.

Exits 1 and lists every problem (scripts/report_check.py runs the pairs).
"""

import re

import botocore.session
from botocore.validate import ParamValidator
from report_check import mismatches, run

LIMITS = {"Id": 512, "Title": 256, "Description": 1024}
COMPLIANCE = {"pass": "PASSED", "fail": "FAILED", "waived": "FAILED", "error": "NOT_AVAILABLE"}
OPERATION = botocore.session.get_session().get_service_model("securityhub").operation_model("BatchImportFindings")
FINDING = OPERATION.input_shape.members["Findings"].member


def model_problems(value, shape, path):
    """Enum values and patterns, which ParamValidator does not check."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, member in shape.members.items():
            if key in value:
                yield from model_problems(value[key], member, f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            yield from model_problems(item, shape.member, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            yield from model_problems(v, shape.value, f"{path}[{k!r}]")
    elif shape.type_name == "string" and isinstance(value, str):
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            yield f"{path}: {value!r} is not one of {enum}"
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value, re.DOTALL):
            yield f"{path}: {value!r} does not match {pattern}"


def limit_problems(i, f):
    where = f"finding {i}"
    for key, most in LIMITS.items():
        if len(f.get(key, "")) > most:
            yield f"{where}: {key} has {len(f[key])} characters, ASFF allows {most}"
    text = f.get("Remediation", {}).get("Recommendation", {}).get("Text", "")
    if len(text) > 512:
        yield f"{where}: Remediation.Recommendation.Text has {len(text)} characters, ASFF allows 512"
    if len(f.get("Note", {}).get("Text", "")) > 512:
        yield f"{where}: Note.Text longer than 512 characters"
    if len(f.get("Types", [])) > 50:
        yield f"{where}: more than 50 Types"
    for t in f.get("Types", []):
        if t.split("/")[0] not in {
            "Software and Configuration Checks",
            "TTPs",
            "Effects",
            "Unusual Behaviors",
            "Sensitive Data Identifications",
        }:
            yield f"{where}: type {t!r} is not in an ASFF namespace"
    if len(f.get("Compliance", {}).get("RelatedRequirements", [])) > 32:
        yield f"{where}: more than 32 Compliance.RelatedRequirements"
    fields = f.get("ProductFields", {})
    if len(fields) > 50:
        yield f"{where}: more than 50 ProductFields"
    for k, v in fields.items():
        if len(k) > 128 or len(v) > 2048:
            yield f"{where}: ProductFields {k!r} is too long"


def import_problems(findings):
    """Imports the findings into moto's Security Hub, each in its Region, twice."""
    import os

    import boto3
    from moto import mock_aws

    problems = []
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    by_region = {}
    for f in findings:
        by_region.setdefault(f["Region"], []).append(f)
    with mock_aws():
        for region, batch in sorted(by_region.items()):
            client = boto3.client("securityhub", region_name=region)
            for attempt in ("first", "second"):
                for start in range(0, len(batch), 100):
                    answer = client.batch_import_findings(Findings=batch[start : start + 100])
                    if answer["FailedCount"]:
                        problems.append(f"{region}: {attempt} import refused {answer['FailedFindings'][:3]}")
                stored = []
                for page in client.get_paginator("get_findings").paginate():
                    stored += page["Findings"]
                if len(stored) != len(batch):
                    problems.append(f"{region}: {len(stored)} findings stored after the {attempt} import of {len(batch)}")
    return problems


def check(findings, results):
    problems = []
    validator = ParamValidator()
    for start in range(0, len(findings), 100):
        report = validator.validate({"Findings": findings[start : start + 100]}, OPERATION.input_shape)
        if report.has_errors():
            problems.append(f"findings {start}..{start + 99}: {report.generate_report()}")
    for i, f in enumerate(findings):
        problems += list(model_problems(f, FINDING, f"finding {i}"))
        problems += list(limit_problems(i, f))
    if len(findings) != len(results):
        problems.append(f"{len(findings)} findings for {len(results)} results")
    ids = [f.get("Id") for f in findings]
    if len(set(ids)) != len(ids):
        problems.append("Id is not unique")
    for i, (f, r) in enumerate(zip(findings, results)):
        want = {
            "Id": r["fingerprint"],
            "GeneratorId": r["rule_id"],
            "AwsAccountId": r["account"],
            "SchemaVersion": "2018-10-08",
            "Compliance.Status": COMPLIANCE[r["status"]],
            "Resources[0].Id": r["resource"],
            "Severity.Label": r["severity"].upper().replace("INFO", "INFORMATIONAL"),
        }
        got = {
            "Id": f.get("Id"),
            "GeneratorId": f.get("GeneratorId"),
            "AwsAccountId": f.get("AwsAccountId"),
            "SchemaVersion": f.get("SchemaVersion"),
            "Compliance.Status": f.get("Compliance", {}).get("Status"),
            "Resources[0].Id": (f.get("Resources") or [{}])[0].get("Id"),
            "Severity.Label": f.get("Severity", {}).get("Label"),
        }
        problems += mismatches(i, want, got)
        region = f.get("Region")
        account = f.get("AwsAccountId")
        arn = re.fullmatch(r"arn:[a-z-]+:securityhub:([a-z0-9-]+):(\d{12}):product/(\d{12})/default", f.get("ProductArn", ""))
        if not arn or arn.group(1) != region or arn.group(2) != account or arn.group(3) != account:
            problems.append(f"finding {i}: ProductArn {f.get('ProductArn')!r} is not the default product of {account} in {region}")
    if not problems:
        problems += import_problems(findings)
    return problems


if __name__ == "__main__":
    run(__doc__, check, lambda findings: f"{len(findings)} ASFF findings valid for securityhub:BatchImportFindings, imported twice (moto)")
