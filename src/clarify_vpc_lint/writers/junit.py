"""JUnit XML: one test case per file and rule that applies to it, so CI test reports show what
passed too.

A rule applies to a file when it judged a subject there (a rule about models does not apply to a
network stack); a file no rule judged anything in still gets one passing case, so every file
read shows. Every text goes through ``xml_safe``: a control character in a file name must not make
the report ill-formed.
"""

from __future__ import annotations

from typing import Dict, List, Set, Tuple
from xml.etree import ElementTree

from ..catalogue import load_rules
from ..findings import Finding, Result
from . import xml_safe

FAILING = ("error", "warning")


def write(result: Result) -> str:
    rules = load_rules()
    by_case: Dict[Tuple[str, str], List[Finding]] = {}
    applies: Dict[str, Set[str]] = {}
    for finding in result.findings:
        by_case.setdefault((finding.file, finding.rule), []).append(finding)
        applies.setdefault(finding.file, set()).add(finding.rule)
    for rule_id, locations in result.judged.items():
        for loc in locations:
            applies.setdefault(loc.file, set()).add(rule_id)
    files = sorted(set(result.linted) | set(applies))
    suite = ElementTree.Element("testsuite", name="clarify-vpc-lint")
    failures = 0
    for file in files:
        name = xml_safe(file)
        judged = [rule for rule in rules if rule.id in applies.get(file, ())]
        if not judged:
            ElementTree.SubElement(suite, "testcase", classname=name, name="read input")
        for rule in judged:
            case = ElementTree.SubElement(
                suite, "testcase", classname=name, name=f"{rule.id} {rule.name}"
            )
            findings = by_case.get((file, rule.id), [])
            failing = [f for f in findings if f.severity in FAILING]
            if failing:
                failures += 1
                failure = ElementTree.SubElement(
                    case,
                    "failure",
                    type=failing[0].severity,
                    message=xml_safe(failing[0].message),
                )
                failure.text = "\n".join(_describe(f) for f in failing)
            notes = [f for f in findings if f.severity not in FAILING]
            if notes:
                ElementTree.SubElement(case, "system-out").text = "\n".join(
                    _describe(f) for f in notes
                )
    for error in result.errors:
        case = ElementTree.SubElement(
            suite, "testcase", classname=xml_safe(error.file), name="read input"
        )
        ElementTree.SubElement(
            case, "error", message=xml_safe(error.message), type="input-error"
        ).text = xml_safe(f"{error.file}:{error.line or ''}: {error.message}")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(len(result.errors)))
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _describe(finding: Finding) -> str:
    return xml_safe(
        f"{finding.file}:{finding.line}:{finding.column}: {finding.severity} {finding.rule} "
        f"{finding.resource}: {finding.message}\n{finding.remediation}"
    )
