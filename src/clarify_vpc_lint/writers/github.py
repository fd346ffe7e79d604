"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from ..findings import Result
from . import relative_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def write(result: Result) -> str:
    lines = [
        f"::error file={_property(_path(error.file))}"
        + (f",line={error.line}" if error.line else "")
        + f"::{_data(error.message)}"
        for error in result.errors
    ]
    for finding in result.findings:
        title = f"{finding.rule} {finding.name} ({finding.resource})"
        line, column, end_line, end_column = finding.region or (
            finding.line,
            finding.column,
            finding.line,
            finding.column + 1,
        )  # the property that is wrong where the region says so
        lines.append(
            f"::{COMMANDS[finding.severity]} file={_property(_path(finding.file))},line={line},"
            f"col={column},endLine={end_line},endColumn={end_column},title={_property(title)}::"
            f"{_data(finding.message + chr(10) + chr(10) + finding.remediation)}"
        )
    return "".join(line + "\n" for line in lines)


def _path(file: str) -> str:
    """Annotations attach to files by their path from the repository root, where CI runs."""
    return relative_path(file) or file
