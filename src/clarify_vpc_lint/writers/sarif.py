"""SARIF 2.1.0 for code-scanning dashboards (GitHub, Azure DevOps, ...)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import quote

from .. import __version__
from ..catalogue import explain, load_rules
from ..findings import Finding, Result
from ..rulefiles import docs_url, rule_url
from . import fingerprint, relative_path

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SOURCE_ROOT = "SRCROOT"
FINGERPRINT_KEY = "clarifyVpcLint/v1"


def write(result: Result) -> str:
    rules = load_rules()
    index = {rule.id: position for position, rule in enumerate(rules)}
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "clarify-vpc-lint",
                        "version": __version__,
                        "informationUri": f"{docs_url(result.docs_url)}/README.md",
                        "rules": [_rule(rule, result.docs_url) for rule in rules],
                    }
                },
                # findings' paths are relative to the folder the linter ran in
                "originalUriBaseIds": {
                    SOURCE_ROOT: {"uri": Path(os.getcwd()).as_uri().rstrip("/") + "/"}
                },
                "results": [
                    {
                        "ruleId": finding.rule,
                        "ruleIndex": index[finding.rule],
                        "level": LEVELS[finding.severity],
                        "message": {
                            "text": finding.message,
                            "markdown": f"{finding.message}\n\nFix:\n\n```\n{finding.remediation}\n```",
                        },
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": _artifact(finding.file),
                                    "region": _region(finding),
                                },
                                "logicalLocations": [{"name": finding.resource}],
                            }
                        ],
                        "partialFingerprints": {
                            FINGERPRINT_KEY: fingerprint(
                                finding.rule,
                                relative_path(finding.file) or finding.file,
                                finding.resource,
                                finding.message,
                            )
                        },
                        "properties": _properties(finding),
                    }
                    for finding in result.findings
                ],
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": [
                            {
                                "level": "error",
                                "message": {"text": error.message},
                                "locations": [
                                    {
                                        "physicalLocation": {
                                            "artifactLocation": _artifact(error.file),
                                            **(
                                                {"region": {"startLine": error.line}}
                                                if error.line
                                                else {}
                                            ),
                                        }
                                    }
                                ],
                            }
                            for error in result.errors
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _rule(rule: Any, configured_docs: Optional[str]) -> Dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": rule.summary},
        "helpUri": rule_url(rule.id, configured_docs),
        "help": {"text": rule.rationale, "markdown": explain(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.tags)},
    }


def _region(finding: Finding) -> Dict[str, int]:
    if finding.region is None:
        return {"startLine": finding.line, "startColumn": finding.column}
    start_line, start_column, end_line, end_column = finding.region
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _artifact(file: str) -> Dict[str, str]:
    relative = relative_path(file)
    if relative is None:  # outside the working folder: an absolute file URI
        return {"uri": Path(os.path.abspath(file)).as_uri()}
    # the file name's own bytes, percent-encoded: control characters and names that are not
    # UTF-8 (surrogates in Python) included
    encoded = quote(relative.encode("utf-8", "surrogateescape"), safe="/")
    return {"uri": encoded, "uriBaseId": SOURCE_ROOT}


def _properties(finding: Finding) -> Dict[str, Any]:
    """The remediation, and for an info the missing facts (so tools can group by cause)."""
    properties: Dict[str, Any] = {"remediation": finding.remediation}
    if finding.missing:
        properties["missing"] = finding.reported_missing()
    return properties
