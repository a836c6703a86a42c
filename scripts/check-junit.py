"""Checks a trailaudit JUnit XML report with junitparser, a widely used JUnit
reader (the kind of parser GitLab and Jenkins plugins rely on), against the JSON
report of the same run: every result must be exactly one test case in its
rule's suite, with the right outcome.

    .venv/bin/python scripts/check-junit.py REPORT.xml REPORT.json

Exits 1 and lists every difference when the two disagree.
"""

import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped


def outcome(case):
    kinds = [type(r) for r in case.result]
    if not kinds:
        return "pass", None
    if len(kinds) != 1:
        return f"several results {kinds}", None
    r = case.result[0]
    return {Failure: "fail", Error: "error", Skipped: "waived"}.get(type(r), f"unknown {type(r)}"), r


def main(xml_path, json_path):
    xml = JUnitXml.fromfile(xml_path)
    report = json.load(open(json_path, encoding="utf-8"))
    problems = []
    cases = {}
    for suite in xml:
        rule_id = suite.name.split(" ", 1)[0]
        counted = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in suite:
            key = (rule_id, case.classname, case.name)
            if key in cases:
                problems.append(f"duplicate test case {key}")
            cases[key] = case
            counted["tests"] += 1
            kind, _ = outcome(case)
            counted[{"fail": "failures", "error": "errors", "waived": "skipped"}.get(kind, "tests")] += kind != "pass"
        for attr, n in counted.items():
            if int(getattr(suite, attr) or 0) != n:
                problems.append(f"suite {suite.name}: {attr}={getattr(suite, attr)} but it holds {n}")
    results = report["results"]
    if len(cases) != len(results):
        problems.append(f"{len(cases)} test cases for {len(results)} results")
    for r in results:
        # An event detection's case names its event (two events can share a resource).
        evidence = r.get("evidence") or {}
        event_id = evidence.get("event_id") or (evidence.get("rule_evidence") or {}).get("event_id")
        name = f'{r["resource"]} (event {event_id})' if isinstance(event_id, str) else r["resource"]
        key = (r["rule_id"], f'{r["account"]}/{r["region"] or "global"}', name)
        case = cases.get(key)
        if case is None:
            problems.append(f"no test case for {key}")
            continue
        kind, detail = outcome(case)
        if kind != r["status"]:
            problems.append(f"{key}: JUnit says {kind}, JSON says {r['status']}")
        elif kind == "fail" and detail.type != r["severity"]:
            problems.append(f"{key}: failure type {detail.type!r}, severity {r['severity']!r}")
        elif kind == "waived" and r["waiver"]["reason"] not in (detail.message or ""):
            problems.append(f"{key}: skipped message {detail.message!r} lacks the waiver reason")
    if problems:
        print(f"check-junit: {xml_path}: FAILED", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    statuses = {s: sum(1 for r in results if r["status"] == s) for s in ("pass", "fail", "error", "waived")}
    print(f"check-junit: {xml_path}: ok ({len(cases)} test cases in {len(list(xml))} suites; {statuses})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
