"""SARIF 2.1.0 for code-scanning dashboards (GitHub, Azure DevOps, ...)."""

from __future__ import annotations

import json
from typing import Any, Dict

from .. import __version__
from ..catalogue import explain, load_rules
from ..findings import Result

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/clarify-vpc-lint/clarify-vpc-lint"


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
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in rules],
                    }
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
                                    "artifactLocation": {"uri": finding.file},
                                    "region": {
                                        "startLine": finding.line,
                                        "startColumn": finding.column,
                                    },
                                },
                                "logicalLocations": [{"name": finding.resource}],
                            }
                        ],
                        "properties": {"remediation": finding.remediation},
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
                                            "artifactLocation": {"uri": error.file},
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


def _rule(rule: Any) -> Dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": rule.summary},
        "helpUri": rule.doc_url,
        "help": {"text": rule.rationale, "markdown": explain(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.tags)},
    }
