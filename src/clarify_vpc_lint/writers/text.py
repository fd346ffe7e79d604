"""Human-readable report: one line per finding, then its remediation, indented."""

from __future__ import annotations

from ..findings import Result


def write(result: Result) -> str:
    lines = []
    for error in result.errors:
        where = f"{error.file}:{error.line}" if error.line else error.file
        lines.append(f"{where}: error: {error.message}")
    for finding in result.findings:
        lines.append(
            f"{finding.file}:{finding.line}:{finding.column}: {finding.severity} "
            f"{finding.rule} [{finding.name}] {finding.resource}: {finding.message}"
        )
        lines.extend("    " + line for line in finding.remediation.splitlines())
    counts = {
        s: sum(f.severity == s for f in result.findings) for s in ("error", "warning", "info")
    }
    lines.append(
        f"{result.files} file(s) linted: {counts['error']} error(s), {counts['warning']} "
        f"warning(s), {counts['info']} info, {len(result.errors)} input error(s)"
    )
    return "\n".join(lines) + "\n"
