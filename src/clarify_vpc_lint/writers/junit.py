"""JUnit XML: one test case per file and rule, so CI test reports show what passed too."""

from __future__ import annotations

from typing import Dict, List, Tuple
from xml.etree import ElementTree

from ..catalogue import load_rules
from ..findings import Finding, Result

FAILING = ("error", "warning")


def write(result: Result) -> str:
    rules = load_rules()
    by_case: Dict[Tuple[str, str], List[Finding]] = {}
    for finding in result.findings:
        by_case.setdefault((finding.file, finding.rule), []).append(finding)
    files = sorted(set(result.linted) | {f.file for f in result.findings})
    suite = ElementTree.Element("testsuite", name="clarify-vpc-lint")
    failures = 0
    for file in files:
        for rule in rules:
            case = ElementTree.SubElement(
                suite, "testcase", classname=file, name=f"{rule.id} {rule.name}"
            )
            findings = by_case.get((file, rule.id), [])
            failing = [f for f in findings if f.severity in FAILING]
            if failing:
                failures += 1
                failure = ElementTree.SubElement(
                    case, "failure", type=failing[0].severity, message=failing[0].message
                )
                failure.text = "\n".join(_describe(f) for f in failing)
            notes = [f for f in findings if f.severity not in FAILING]
            if notes:
                ElementTree.SubElement(case, "system-out").text = "\n".join(
                    _describe(f) for f in notes
                )
    for error in result.errors:
        case = ElementTree.SubElement(suite, "testcase", classname=error.file, name="read input")
        ElementTree.SubElement(
            case, "error", message=error.message, type="input-error"
        ).text = f"{error.file}:{error.line or ''}: {error.message}"
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(len(result.errors)))
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _describe(finding: Finding) -> str:
    return (
        f"{finding.file}:{finding.line}:{finding.column}: {finding.severity} {finding.rule} "
        f"{finding.resource}: {finding.message}\n{finding.remediation}"
    )
