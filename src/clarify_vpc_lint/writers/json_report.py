"""The JSON report of SPEC section 6: one document, stable key order and content."""

from __future__ import annotations

import json

from .. import __version__
from ..findings import Result


def write(result: Result) -> str:
    summary = {
        "files": result.files,
        "findings": len(result.findings),
        "errors": len(result.errors),
    }
    if result.baselined is not None:
        summary["baselined"] = result.baselined
    document = {
        "version": 1,
        "tool": {"name": "clarify-vpc-lint", "version": __version__},
        "findings": [finding.as_dict() for finding in result.findings],
        "errors": [error.as_dict() for error in result.errors],
        "summary": summary,
    }
    return json.dumps(document, indent=2) + "\n"
