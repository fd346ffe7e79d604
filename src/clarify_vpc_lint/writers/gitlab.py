"""GitLab Code Quality report (``artifacts: reports: codequality``): a JSON list of issues."""

from __future__ import annotations

import json

from ..findings import Result
from . import fingerprint, relative_path

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def write(result: Result) -> str:
    issues = [
        {
            "description": f"{error.message}",
            "check_name": "input-error",
            "fingerprint": fingerprint("input-error", _path(error.file), error.message),
            "severity": "blocker",
            "location": {"path": _path(error.file), "lines": {"begin": error.line or 1}},
        }
        for error in result.errors
    ]
    issues += [
        {
            "description": f"{finding.rule} {finding.resource}: {finding.message}",
            "check_name": finding.rule,
            "fingerprint": fingerprint(
                finding.rule, _path(finding.file), finding.resource, finding.message
            ),
            "severity": SEVERITIES[finding.severity],
            # shown at its region: the property that is wrong
            "location": {
                "path": _path(finding.file),
                "lines": {
                    "begin": finding.region[0] if finding.region else finding.line,
                    "end": finding.region[2] if finding.region else finding.line,
                },
            },
        }
        for finding in result.findings
    ]
    return json.dumps(issues, indent=2) + "\n"


def _path(file: str) -> str:
    return relative_path(file) or file
