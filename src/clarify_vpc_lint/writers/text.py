"""Human-readable report: one line per finding, its remediation indented below, a summary last.

Like ruff and cfn-lint: colour only when asked (the CLI asks on a terminal without ``NO_COLOR``),
``quiet`` keeps errors and warnings without remediations, ``statistics`` prints counts per rule
instead of the findings. Infos held back by the same missing facts are one entry (SPEC section 5):
the facts, how to supply them, the rules they hold back, and the subjects they concern.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Dict, List, Tuple

from ..findings import Finding, Result
from . import terminal_safe

SEVERITY_COLOURS = {"error": "31", "warning": "33", "info": "36"}  # red, yellow, cyan
BOLD, DIM = "1", "2"


def write(
    result: Result, colour: bool = False, quiet: bool = False, statistics: bool = False
) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    lines: List[str] = []
    for error in result.errors:
        where = f"{error.file}:{error.line}" if error.line else error.file
        lines.append(
            f"{paint(where, BOLD)}: {paint('error', SEVERITY_COLOURS['error'])}: {error.message}"
        )
    findings = [f for f in result.findings if not (quiet and f.severity == "info")]
    if statistics:
        by_rule: Dict[str, List[Finding]] = {}
        for finding in findings:
            by_rule.setdefault(finding.rule, []).append(finding)
        for rule, group in sorted(by_rule.items()):
            severities = Counter(f.severity for f in group)
            worst = next(s for s in ("error", "warning", "info") if severities[s])
            detail = ", ".join(
                f"{severities[s]} {s}" for s in ("error", "warning", "info") if severities[s]
            )
            lines.append(
                f"{len(group):>5}  {paint(rule, SEVERITY_COLOURS[worst])}  {group[0].name} ({detail})"
            )
    else:
        causes: Dict[Tuple[str, ...], List[Finding]] = {}
        for finding in findings:
            if finding.missing:
                causes.setdefault(finding.missing, []).append(finding)
        for finding in findings:
            held = causes.get(finding.missing, [])
            if len(held) > 1:
                if finding is held[0]:  # one entry per cause, where its first finding was
                    lines.extend(_cause(held, paint))
                continue
            lines.append(
                f"{paint(f'{finding.file}:{finding.line}:{finding.column}', BOLD)}: "
                f"{paint(finding.severity, SEVERITY_COLOURS[finding.severity])} "
                f"{paint(finding.rule, BOLD)} [{finding.name}] {finding.resource}: "
                f"{finding.message} {paint(f'(see --explain {finding.rule})', DIM)}"
            )
            if not quiet:
                lines.extend("    " + line for line in finding.remediation.splitlines())
    lines.append(summary(result))
    return terminal_safe("\n".join(lines) + "\n")


def _cause(held: List[Finding], paint: Callable[[str, str], str]) -> List[str]:
    """One entry for the infos one missing fact holds back: the fact, how to supply it, the rules,
    then each subject with its rules (ordered as the findings are)."""
    first = held[0]
    rules = sorted({f.rule for f in held})
    subjects: Dict[Tuple[str, int, int, str], List[str]] = {}
    for finding in held:
        where = (finding.file, finding.line, finding.column, finding.resource)
        subjects.setdefault(where, []).append(finding.rule)
    lines = [
        f"{paint(f'{first.file}:{first.line}:{first.column}', BOLD)}: "
        f"{paint('info', SEVERITY_COLOURS['info'])} not known: {'; '.join(first.missing)}; "
        f"holds back {', '.join(rules)}"
    ]
    for (file, line, column, resource), ids in subjects.items():
        lines.append(f"    {file}:{line}:{column}: {resource}: {', '.join(ids)}")
    return lines


def summary(result: Result) -> str:
    """The last line: files read per format, findings per severity, and what the inputs lack."""
    counts = Counter(f.severity for f in result.findings)
    formats = Counter(result.linted.values())
    per_format = ", ".join(
        f"{count} {result.format_titles.get(kind, kind)}" for kind, count in sorted(formats.items())
    )
    line = (
        f"{result.files} file(s) linted{f' ({per_format})' if per_format else ''}: "
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info, "
        f"{len(result.errors)} input error(s)"
    )
    if result.baselined is not None:
        line += f", {result.baselined} baselined"
    missing = [
        name
        for name, key in (("Clarify job", "jobs"), ("model", "models"), ("VPC", "VPCs"))
        if not result.found.get(key)
    ]
    if len(missing) == 3:
        line += "; no Clarify job, model or VPC found: nothing was checked"
    elif missing:
        line += f"; no {' or '.join(missing)} found in the inputs"
    return line
