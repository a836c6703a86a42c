"""What scripts/check-ocsf.py and scripts/check-asff.py share: both read a
findings file (a JSON array) beside the JSON report of the same run, compare
fields of each finding with its result, and list every problem found.

Each script's `check(findings, results)` returns its problems; `run`
calls it for every pair of files given, so that the validators' imports and
schemas are loaded once for all of scripts/test.sh's reports instead of once a
file.
"""

import json
import sys

MOST_SHOWN = 50


def mismatches(i, want, got):
    """Where finding i's fields (`got`) differ from what its result says (`want`)."""
    return [
        f"finding {i}: {key} is {got[key]!r}, the JSON report says {value!r}"
        for key, value in want.items()
        if got[key] != value
    ]


def run(doc, check, passed):
    """`script FINDINGS REPORT.json [FINDINGS REPORT.json ...]`: exits 1 when any pair has a problem.

    `check(findings, results)` returns a list of problems; `passed(findings)`
    is the line printed for a file without any."""
    args = sys.argv[1:]
    if not args or len(args) % 2:
        sys.exit(doc)
    failed = 0
    for findings_path, json_path in zip(args[::2], args[1::2]):
        with open(findings_path, encoding="utf-8") as f:
            findings = json.load(f)
        with open(json_path, encoding="utf-8") as f:
            results = json.load(f)["results"]
        if isinstance(findings, list):
            problems = check(findings, results)
        else:
            problems = [f"expected a JSON array of findings, got {type(findings).__name__}"]
        if problems:
            failed = 1
            print(f"{findings_path}: {len(problems)} problem(s)", file=sys.stderr)
            for p in problems[:MOST_SHOWN]:
                print(f"  {p}", file=sys.stderr)
        else:
            print(f"{findings_path}: {passed(findings)}")
    sys.exit(failed)
