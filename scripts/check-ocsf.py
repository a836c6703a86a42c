"""Validates a trailaudit OCSF report with py-ocsf-models (PyPI, pinned in
scripts/test.sh), the pydantic models of the OCSF schema that Prowler builds its
own OCSF output from, and checks it against the JSON report of the same run.

    .venv/bin/python scripts/check-ocsf.py REPORT.ocsf.json REPORT.json

Each finding must
- validate as a DetectionFinding in pydantic's strict mode (no type coercion:
  a number given as a string, an unknown enum value or a missing required
  field fails);
- hold no attribute the model does not know: the model is dumped back and
  must equal the input, so an unknown or misspelled field fails instead of
  being dropped silently (outside `unmapped` and `resources[].data`, which
  the schema leaves open);
- be consistent with OCSF's own rules: type_uid = class_uid * 100 + activity_id,
  the captions (severity, status, activity) those of their ids;
and the findings must be exactly the JSON report's results, in order, with
finding_info.uid the result's fingerprint (unique), status_code its verdict.

Exits 1 and lists every problem.
"""

import json
import sys

from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID

SEVERITY = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SEVERITY_CAPTION = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}


def differences(given, dumped, path=""):
    """Where `given` and the model's dump of it differ."""
    if isinstance(given, dict) and isinstance(dumped, dict):
        for key in sorted(set(given) | set(dumped)):
            where = f"{path}.{key}" if path else key
            if key not in dumped:
                yield f"{where}: not an attribute of the OCSF model (dropped)"
            elif key not in given:
                yield f"{where}: added by the model (default {dumped[key]!r})"
            else:
                yield from differences(given[key], dumped[key], where)
    elif isinstance(given, list) and isinstance(dumped, list) and len(given) == len(dumped):
        for i, (g, d) in enumerate(zip(given, dumped)):
            yield from differences(g, d, f"{path}[{i}]")
    elif given != dumped:
        yield f"{path}: {given!r} became {dumped!r}"


def check_finding(i, f, result):
    problems = []
    try:
        model = DetectionFinding.model_validate_json(json.dumps(f), strict=True)
    except Exception as e:  # pydantic.ValidationError: lists every field
        return [f"finding {i}: not a valid DetectionFinding: {e}"]
    dumped = json.loads(model.model_dump_json(exclude_none=True))
    problems += [f"finding {i}: {d}" for d in differences(f, dumped)]
    if f["class_uid"] != 2004 or f["category_uid"] != 2:
        problems.append(f"finding {i}: class {f['class_uid']}/category {f['category_uid']}, expected 2004/2")
    if f["type_uid"] != f["class_uid"] * 100 + f["activity_id"]:
        problems.append(f"finding {i}: type_uid {f['type_uid']} is not class_uid * 100 + activity_id")
    if f.get("activity_name") != ActivityID(f["activity_id"]).name:
        problems.append(f"finding {i}: activity_name {f.get('activity_name')!r} for activity_id {f['activity_id']}")
    if f.get("severity") != SEVERITY_CAPTION.get(f["severity_id"], SeverityID(f["severity_id"]).name):
        problems.append(f"finding {i}: severity {f.get('severity')!r} for severity_id {f['severity_id']}")
    if f.get("status") != StatusID(f["status_id"]).name:
        problems.append(f"finding {i}: status {f.get('status')!r} for status_id {f['status_id']}")
    if f["metadata"]["version"] != OCSF_VERSION:
        problems.append(f"finding {i}: OCSF version {f['metadata']['version']}, the models are {OCSF_VERSION}")
    if not f.get("resources") or not all(r.get("uid") for r in f["resources"]):
        problems.append(f"finding {i}: every finding needs resources with a uid")

    # Against the JSON report of the same run.
    want = {
        "finding_info.uid": result["fingerprint"],
        "metadata.event_code": result["rule_id"],
        "severity_id": SEVERITY[result["severity"]],
        "cloud.account.uid": result["account"],
        "resources[0].uid": result["resource"],
        "status_id": 3 if result["status"] == "waived" else 1,
        "status_code": {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[
            result["waiver"]["original_status"] if result["status"] == "waived" else result["status"]
        ],
        "unmapped.compliance": result["frameworks"],
    }
    got = {
        "finding_info.uid": f["finding_info"]["uid"],
        "metadata.event_code": f["metadata"]["event_code"],
        "severity_id": f["severity_id"],
        "cloud.account.uid": f["cloud"]["account"]["uid"],
        "resources[0].uid": f["resources"][0]["uid"],
        "status_id": f["status_id"],
        "status_code": f["status_code"],
        "unmapped.compliance": f["unmapped"]["compliance"],
    }
    for key, value in want.items():
        if got[key] != value:
            problems.append(f"finding {i}: {key} is {got[key]!r}, the JSON report says {value!r}")
    if result["region"] is not None and f["cloud"].get("region") != result["region"]:
        problems.append(f"finding {i}: cloud.region {f['cloud'].get('region')!r}, the JSON report says {result['region']!r}")
    return problems


def main(ocsf_path, json_path):
    findings = json.load(open(ocsf_path, encoding="utf-8"))
    results = json.load(open(json_path, encoding="utf-8"))["results"]
    problems = []
    if not isinstance(findings, list):
        problems.append(f"expected a JSON array of findings, got {type(findings).__name__}")
        findings = []
    if len(findings) != len(results):
        problems.append(f"{len(findings)} findings for {len(results)} results")
    uids = [f.get("finding_info", {}).get("uid") for f in findings]
    if len(set(uids)) != len(uids):
        problems.append("finding_info.uid is not unique")
    for i, (f, r) in enumerate(zip(findings, results)):
        problems += check_finding(i, f, r)
    if problems:
        print(f"{ocsf_path}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems[:50]:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"{ocsf_path}: {len(findings)} OCSF {OCSF_VERSION} Detection Findings valid")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
