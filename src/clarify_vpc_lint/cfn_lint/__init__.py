"""cfn-lint plugin: ``cfn-lint --append-rules=clarify_vpc_lint.cfn_lint template.yaml``.

Every catalogue rule becomes a cfn-lint rule ``E9nnn``/``W9nnn`` (its default severity) and an
``I9nnn`` twin for the findings whose facts are unknown. The template is judged once by the same
engine as the CLI (cached per file), so lines and messages are the CLI's. cfn-lint shows one
template at a time: what another template would tell stays unknown (``I9nnn``). Supply inventories
and parameter files with ``--configure-rule E9201:context=inventory/subnets.json``.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Iterator, Tuple

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from ..catalogue import Rule, load_rules
from ..findings import Finding
from ..linter import DEFAULT_REGION, judge_file

_CONFIG = {
    "context": {"default": [], "type": "list", "itemtype": "string"},
    "parameters": {"default": [], "type": "list", "itemtype": "string"},
}


def _template_findings(cfn: Any, config: Dict[str, Any]) -> Tuple[Finding, ...]:
    region = cfn.regions[0] if getattr(cfn, "regions", None) else DEFAULT_REGION
    settings = (region, tuple(config.get("context") or ()), tuple(config.get("parameters") or ()))
    path = cfn.filename
    if path and os.path.isfile(path):
        findings = judge_file(path, os.path.getmtime(path), *settings).findings
        return tuple(f for f in findings if f.file == path)  # not those in an inventory file
    # a template read from stdin: judge what cfn-lint decoded
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(cfn.template, handle)
    try:
        return tuple(
            f for f in judge_file(handle.name, 0.0, *settings).findings if f.file == handle.name
        )
    finally:
        os.unlink(handle.name)


def _rule_class(rule: Rule, unknown: bool) -> type:
    letter = "I" if unknown else rule.severity[0].upper()

    def match(self: CloudFormationLintRule, cfn: Any) -> Iterator[RuleMatch]:
        for finding in _template_findings(cfn, self.config):
            if finding.rule != rule.id or (finding.severity == "info") != unknown:
                continue
            logical_id = finding.resource.split("/")[0]
            yield RuleMatch(
                ["Resources", logical_id],
                finding.message,
                location=(
                    finding.line - 1,
                    finding.column - 1,
                    finding.line - 1,
                    finding.column - 1,
                ),
            )

    def __init__(self: CloudFormationLintRule) -> None:
        CloudFormationLintRule.__init__(self)
        self.config_definition = dict(_CONFIG)
        self.configure()

    return type(
        f"{letter}9{rule.digits}",
        (CloudFormationLintRule,),
        {
            "id": f"{letter}9{rule.digits}",
            "shortdesc": rule.name + (" (not decided: a fact is missing)" if unknown else ""),
            "description": rule.summary,
            "source_url": rule.doc_url,
            "tags": ["clarify", *rule.tags],
            "__init__": __init__,
            "match": match,
            "__module__": __name__,
        },
    )


for _rule in load_rules():
    for _unknown in (False, True):
        _class = _rule_class(_rule, _unknown)
        globals()[_class.__name__] = _class
del _rule, _unknown, _class  # cfn-lint instantiates every rule class it finds in the module
