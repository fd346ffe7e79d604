"""checkov plugin: the engine behind the checks in ``checkov_checks/``.

checkov shows a check one resource at a time; each check judges the resource's whole file once
through the same engine as the CLI (cached per file) and answers for that resource. A finding whose
facts are unknown answers UNKNOWN. Nothing here prints: checkov's ``-o json`` must stay valid.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .catalogue import Rule, load_rules
from .config import find_config
from .linter import Result, judge_file

CHECKS_DIR = Path(__file__).parent / "checkov_checks"


def _roots() -> List[str]:
    """The directories checkov was asked to scan (-d/--directory): it names files relative to them."""
    roots, arguments = [], sys.argv[1:]
    for position, argument in enumerate(arguments):
        if argument in ("-d", "--directory") and position + 1 < len(arguments):
            roots.append(arguments[position + 1])
        elif argument.startswith("--directory="):
            roots.append(argument.split("=", 1)[1])
    return roots + [os.getcwd()]


def _real_path(scanned_file: str) -> Optional[str]:
    relative = scanned_file.lstrip("/")
    for candidate in (scanned_file, *(os.path.join(root, relative) for root in _roots())):
        if os.path.isfile(candidate):
            return candidate
    return None


def _judge(path: str) -> Result:
    """The config file found from the working directory applies (declared jobs, inventories)."""
    found = find_config(Path.cwd())
    return judge_file(path, os.path.getmtime(path), config_path=str(found) if found else None)


def verdict(rule: Rule, scanned_file: str, resource: Optional[str]) -> Tuple[str, List[str]]:
    """("FAILED" | "UNKNOWN" | "PASSED", messages) for the resource (None: the whole file).

    The json framework sees every JSON file; templates and plans are answered by the
    cloudformation and terraform_plan checks, per resource, so it passes them here.
    """
    path = _real_path(scanned_file)
    if path is None:
        return "UNKNOWN", [f"{scanned_file} could not be found to judge it"]
    result = _judge(path)
    if resource is None and result.linted.get(path) in ("cloudformation", "terraform"):
        return "PASSED", []
    findings = [
        f
        for f in result.findings
        if f.rule == rule.id and (resource is None or f.resource.split("/")[0] == resource)
    ]
    definite = [f.message for f in findings if f.severity != "info"]
    if definite:
        return "FAILED", definite
    if findings:
        return "UNKNOWN", [f.message for f in findings]
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
            outcome, self.details = verdict(self.rule, scanned_file, resource)
            return getattr(CheckResult, outcome)

        check = type(rule.checkov_id, (base,), {
            "__init__": __init__, "run": run,
            "scan_resource_conf": judge, "scan_entity_conf": judge if per_file else base.scan_entity_conf,
        })  # fmt: skip
        namespace[rule.checkov_id] = check()
