"""checkov plugin: the engine behind the checks in ``checkov_checks/``.

checkov shows a check one resource at a time and one file at a time; a network stack alone would
pass rules that fail once the ML stack using it is seen. So the first check judges the whole project
once per process (everything under checkov's ``-d`` directories and ``-f`` files, with the config
file found from the working directory: inventories, parameters, declared jobs) through the same
engine as the CLI, and every check answers from that judgement for its resource. A finding whose
facts are unknown, or a file the engine could not judge, answers UNKNOWN (checkov reports neither
PASSED nor FAILED), never PASSED. The finding's message is in the result's check name (checkov's
SARIF puts ``details`` where the SARIF schema forbids them) and the rule's URL in ``guideline``.
Nothing here prints to stdout: checkov's ``-o json`` must stay valid.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .catalogue import Rule, load_rules
from .config import find_config
from .engine import Finding
from .linter import Result
from .project import Settings, judge

CHECKS_DIR = Path(__file__).parent / "checkov_checks"


def _targets() -> List[str]:
    """What checkov was asked to scan (-d/--directory, -f/--file): it names files relative to them."""
    targets, arguments = [], sys.argv[1:]
    for position, argument in enumerate(arguments):
        if argument in ("-d", "--directory", "-f", "--file") and position + 1 < len(arguments):
            targets.append(arguments[position + 1])
        elif argument.startswith(("--directory=", "--file=")):
            targets.append(argument.split("=", 1)[1])
    return targets


def _real_path(scanned_file: str) -> Optional[str]:
    relative = scanned_file.lstrip("/")
    roots = [os.path.dirname(t) if os.path.isfile(t) else t for t in _targets()] + [os.getcwd()]
    for candidate in (scanned_file, *(os.path.join(root, relative) for root in roots)):
        if os.path.isfile(candidate):
            return os.path.realpath(candidate)
    return None


@cache
def project_result() -> Result:
    """The whole project, judged once per process; a failure is said once on stderr."""
    found = find_config(Path.cwd())
    settings = Settings(config_path=os.path.relpath(found) if found else None)
    result = judge(tuple(_targets() or ["."]), settings)
    for error in result.errors:
        if error.message.startswith("not judged"):
            sys.stderr.write(f"clarify-vpc-lint: {error.file}: {error.message}\n")
    return result


def _said(finding: Finding, per_file: bool) -> str:
    where = f"{finding.resource} (line {finding.line}): " if per_file else ""
    return where + finding.message


@cache
def _by_file() -> Tuple[Dict[str, str], Dict[str, List[Finding]], Dict[str, List[str]]]:
    """The project's formats, findings and errors by real path (checkov names files its own way)."""
    result = project_result()
    formats = {os.path.realpath(p): kind for p, kind in result.linted.items()}
    findings: Dict[str, List[Finding]] = {}
    for finding in result.findings:
        findings.setdefault(os.path.realpath(finding.file), []).append(finding)
    errors: Dict[str, List[str]] = {}
    for error in result.errors:
        errors.setdefault(os.path.realpath(error.file), []).append(error.message)
    return formats, findings, errors


def verdict(rule: Rule, scanned_file: str, resource: Optional[str]) -> Tuple[str, List[str]]:
    """("FAILED" | "UNKNOWN" | "PASSED", messages) for the resource (None: the whole file)."""
    path = _real_path(scanned_file)
    if path is None:
        return "UNKNOWN", [f"{scanned_file} could not be found to judge it"]
    formats, findings_of, errors_of = _by_file()
    failures = [e.message for e in project_result().errors if e.message.startswith("not judged")]
    if failures or path in errors_of:
        return "UNKNOWN", failures + errors_of.get(path, [])
    if resource is None and formats.get(path) in ("cloudformation", "terraform"):
        # the json framework sees templates and plans too: their own frameworks answer, per
        # resource; UNKNOWN here reports nothing twice and passes nothing unseen
        return "UNKNOWN", []
    findings = [
        f
        for f in findings_of.get(path, [])
        if f.rule == rule.id and (resource is None or f.resource.split("/")[0] == resource)
    ]
    definite = [_said(f, resource is None) for f in findings if f.severity != "info"]
    if definite:
        return "FAILED", definite
    if findings:
        return "UNKNOWN", [_said(f, resource is None) for f in findings]
    return "PASSED", []


def make_checks(
    base: type, resources: List[str], namespace: Dict[str, Any], *, per_file: bool = False
) -> None:
    """Instantiate (and so register) one check per catalogue rule, named CKV_CVL_<digits>."""
    from checkov.common.models.enums import CheckCategories, CheckResult

    for rule in load_rules():

        def __init__(self: Any, rule: Rule = rule) -> None:
            self.rule = rule
            keywords = (
                {"supported_entities": resources, "block_type": "jsondocument"}
                if per_file
                else {"supported_resources": resources}
            )
            base.__init__(self, name=f"{rule.id} {rule.name}", id=rule.checkov_id,
                          categories=[CheckCategories.NETWORKING], **keywords)  # fmt: skip
            self.guideline = rule.doc_url

        def run(self: Any, scanned_file: str, entity_configuration: Any, entity_name: str,
                entity_type: str, skip_info: Any) -> Any:  # fmt: skip
            self.scanned = (scanned_file, None if per_file else entity_name)
            return base.run(
                self, scanned_file, entity_configuration, entity_name, entity_type, skip_info
            )

        def judge(self: Any, conf: Any, entity_type: Any = None) -> Any:
            scanned_file, resource = self.scanned
            if isinstance(conf, dict) and isinstance(conf.get("__address__"), str):
                resource = conf["__address__"]  # a plan's resource: its full Terraform address
            outcome, messages = verdict(self.rule, scanned_file, resource)
            # checkov copies the name into this result's record, in every output format
            self.name = "; ".join([f"{self.rule.id} {self.rule.name}", *messages])
            return getattr(CheckResult, outcome)

        check = type(rule.checkov_id, (base,), {
            "__init__": __init__, "run": run,
            "scan_resource_conf": judge, "scan_entity_conf": judge if per_file else base.scan_entity_conf,
        })  # fmt: skip
        namespace[rule.checkov_id] = check()
