"""cfn-lint plugin: ``cfn-lint --append-rules=clarify_vpc_lint.cfn_lint template.yaml``.

Every catalogue rule becomes a cfn-lint rule ``E9nnn``/``W9nnn`` (its default severity) and an
``I9nnn`` twin for the findings whose facts are unknown; ``E9000`` reports a template the engine
could not judge (an input error, an engine failure, the time budget spent), once. The template is
judged once by the same engine as the CLI (see ``clarify_vpc_lint.project``), so lines and messages
are the CLI's. The templates one cfn-lint run is given are judged together, as the CLI judges them
(a network stack's exports seen by the ML stack), and each finding is reported at its own template;
a template judged alone (read from stdin, or through cfn-lint's API) sees only itself. Inventories, parameter files, the region and declared jobs come from the
project's config file (found from the template's folder upward), or from one
``--configure-rule E9201:context=inventory/`` that applies to every rule; a baseline (written by
``clarify-vpc-lint --write-baseline``) from ``--configure-rule E9000:baseline=FILE``, else
``CLARIFY_VPC_LINT_BASELINE``, hides the findings it holds. A finding whose subject
lives in an inventory (a VPC known from ``describe-vpcs``) is reported at the template resource
that uses it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Tuple

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from ..baseline import BASELINE_VARIABLE, Baseline, BaselineError, read_baseline
from ..catalogue import Rule, plugin_rules
from ..config import declared_names, find_config, load_config
from ..documents import ParseError, text_read_again
from ..findings import Result
from ..names import AWS_ID
from ..project import Settings, judge, judge_file
from ..readers import MAX_FILE_BYTES
from ..rulefiles import docs_url

_CONFIG = {
    "context": {"default": [], "type": "list", "itemtype": "string"},
    "parameters": {"default": [], "type": "list", "itemtype": "string"},
    "baseline": {"default": "", "type": "string"},  # else $CLARIFY_VPC_LINT_BASELINE
}
_CONFIGURED: Dict[str, List[str]] = {key: [] for key in _CONFIG}  # from any rule, for all rules
# Resources that use a VPC's subnets and security groups: where an inventory subject is reported.
_USERS = (
    "AWS::SageMaker::ProcessingJob", "AWS::SageMaker::Model", "AWS::SageMaker::Pipeline",
    "AWS::SageMaker::ModelBiasJobDefinition", "AWS::SageMaker::ModelExplainabilityJobDefinition",
    "AWS::StepFunctions::StateMachine",
)  # fmt: skip
_FROM_STDIN: Dict[Tuple[str, Settings], Tuple[str, Result]] = {}


@cache
def _config_path(directory: str) -> Optional[str]:
    """The project's config file for templates in ``directory`` (looked up once per folder)."""
    found = find_config(Path(directory).resolve())
    return os.path.relpath(found) if found else None


@cache
def _templates_given() -> Tuple[str, ...]:
    """The templates this cfn-lint run lints (its command line and .cfnlintrc), or none when
    cfn-lint is not run from its command line."""
    try:
        from cfnlint.config import ConfigMixIn

        return tuple(str(t) for t in ConfigMixIn(sys.argv[1:]).templates or ())
    except (Exception, SystemExit):  # another host's command line: judge each template alone
        return ()


def _together(path: str) -> Tuple[str, ...]:
    """The templates judged with ``path``: all those given with it, in their order."""
    given = [t for t in _templates_given() if os.path.isfile(t)]
    real = {os.path.realpath(t) for t in given}
    return tuple(given) if os.path.realpath(path) in real else (path,)


def _judged(cfn: Any) -> Tuple[str, Settings, Result]:
    """The judged file's path, the settings it was judged with, and the result."""
    region = cfn.regions[0] if getattr(cfn, "regions", None) else None
    path = cfn.filename
    readable = bool(path) and os.path.isfile(path)
    settings = Settings(
        region=region,
        context=tuple(_CONFIGURED["context"]),
        parameters=tuple(_CONFIGURED["parameters"]),
        config_path=_config_path(os.path.dirname(path) if readable else os.getcwd()),
    )
    if readable:
        return path, settings, judge(_together(path), settings)
    # a template read from stdin: judge what cfn-lint decoded, once (a temporary name each time)
    text = json.dumps(cfn.template, default=str)
    if (text, settings) not in _FROM_STDIN:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            handle.write(text)
        try:
            _FROM_STDIN[text, settings] = (handle.name, judge_file(handle.name, settings))
        finally:
            os.unlink(handle.name)
    name, result = _FROM_STDIN[text, settings]
    return name, settings, result


def _user_of(cfn: Any, message: str) -> Optional[str]:
    """The template resource that uses an inventory subject: one naming its IDs, else the first
    Clarify job or model. (The engine does not yet link a subject to its users.)"""
    resources = cfn.template.get("Resources") if isinstance(cfn.template, dict) else None
    if not isinstance(resources, dict):
        return None
    users = [
        name
        for name, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") in _USERS
    ]
    named = set(AWS_ID.findall(message))
    for name in users:
        if named & set(AWS_ID.findall(json.dumps(resources[name], default=str))):
            return name
    return users[0] if users else None


@cache
def _first_user(cfn: Any, path: str, finding: Any) -> bool:
    """Whether this template is the first of those judged together to use an inventory subject
    (so that a finding is reported once, not at every template)."""
    for other in _together(path):
        if os.path.realpath(other) == os.path.realpath(path):
            return True
        if finding.resource in _ids_in(other) or any(
            i in _ids_in(other) for i in AWS_ID.findall(finding.message)
        ):
            return False
    return True


@cache
def _ids_in(path: str) -> FrozenSet[str]:
    return frozenset(AWS_ID.findall(text_read_again(path, MAX_FILE_BYTES) or ""))


@cache
def _declared_names(config_path: str) -> Dict[str, List[str]]:
    """The subnets and security groups each job declared in the config file names."""
    return declared_names(load_config(Path(config_path)))


def _declared_user(cfn: Any, config_path: str, job: str) -> Optional[str]:
    """The first template resource a declared job names (its subnets, its security groups)."""
    resources = cfn.template.get("Resources") if isinstance(cfn.template, dict) else None
    try:
        used = _declared_names(config_path).get(job, [])
    except (OSError, ParseError):  # the judgement itself reports a bad config file
        return None
    return next((n for n in used if isinstance(resources, dict) and n in resources), None)


def _baseline_path() -> Optional[str]:
    """The baseline configured (``--configure-rule E9000:baseline=FILE``), else the variable's."""
    return next(iter(_CONFIGURED["baseline"]), None) or os.environ.get(BASELINE_VARIABLE) or None


@cache
def _baseline(path: str) -> Baseline:
    return read_baseline(path)  # a BaselineError is not cached: E9000 says it at each template


_SHOWN: Dict[int, Tuple[Result, List[Any]]] = {}  # id(result) -> (result, what a baseline leaves)


def _shown(result: Result) -> List[Any]:
    """The result's findings less those the baseline hides (worked out once per result)."""
    path = _baseline_path()
    if not path:
        return result.findings
    if id(result) not in _SHOWN:
        try:
            kept, _ = _baseline(path).apply(result.findings, os.getcwd())
        except BaselineError:  # E9000 reports it; no finding is hidden
            kept = result.findings
        _SHOWN[id(result)] = (result, kept)
    return _SHOWN[id(result)][1]


def _matches(cfn: Any, rule: Rule, unknown: bool) -> Iterator[RuleMatch]:
    path, settings, result = _judged(cfn)
    config_path = settings.config_path
    for finding in _shown(result):
        if finding.rule != rule.id or (finding.severity == "info") != unknown:
            continue
        if finding.file == path and path != cfn.filename:  # from stdin: cfn-lint places it
            yield RuleMatch(["Resources", finding.resource.split("/")[0]], finding.message)
        elif finding.file == path:
            yield RuleMatch(
                ["Resources", finding.resource.split("/")[0]],
                finding.message,
                location=_location(finding),
            )
        elif result.linted.get(finding.file) == "inventory" and _first_user(cfn, path, finding):
            user = _user_of(cfn, finding.message)
            where = f" (in {finding.file}:{finding.line})"
            yield RuleMatch(["Resources", user] if user else [], finding.message + where)
        elif config_path and finding.file == config_path:
            user = _declared_user(cfn, config_path, finding.resource.split("/")[0])
            if user:  # a job declared to run in this template's network
                where = f" (declared job in {finding.file}:{finding.line})"
                yield RuleMatch(["Resources", user], finding.message + where)


def _location(finding: Any) -> Tuple[int, int, int, int]:
    """cfn-lint's 0-based range: the finding's region (the property that is wrong)."""
    line, column, end_line, end_column = finding.region or (
        finding.line,
        finding.column,
        finding.line,
        finding.column + 1,
    )
    return (line - 1, column - 1, end_line - 1, end_column - 1)


def _rule_class(rule: Rule, unknown: bool) -> type:
    letter = "I" if unknown else rule.severity[0].upper()

    def match(self: CloudFormationLintRule, cfn: Any) -> Iterator[RuleMatch]:
        return _matches(cfn, rule, unknown)

    return _class(
        f"{letter}9{rule.digits}",
        rule.name + (" (not decided: a fact is missing)" if unknown else ""),
        rule.summary,
        rule.doc_url,
        rule.tags,
        match,
    )


def _not_judged(self: CloudFormationLintRule, cfn: Any) -> Iterator[RuleMatch]:
    baseline = _baseline_path()
    if baseline:
        try:
            _baseline(baseline)
        except BaselineError as error:  # no baseline is applied: say so at every template
            yield RuleMatch([], f"baseline: {error}", location=(0, 0, 0, 0))
    path, _, result = _judged(cfn)
    together = _together(path) if os.path.isfile(path) else (path,)
    for error in result.errors:
        if error.file != path and (error.file in together or path != together[0]):
            continue  # reported at its own template, or once at the first one
        where = "" if error.file == path else f"{error.file}: "
        line = (error.line or 1) - 1
        yield RuleMatch([], where + error.message, location=(line, 0, line, 0))


def _configure(
    self: CloudFormationLintRule, configs: Any = None, experimental: bool = False
) -> None:
    CloudFormationLintRule.configure(self, configs, experimental)
    for key in _CONFIG:
        given = self.config.get(key)
        for value in [given] if isinstance(given, str) and given else given or []:
            if value not in _CONFIGURED[key]:
                _CONFIGURED[key].append(value)


def _class(rule_id: str, shortdesc: str, description: str, url: str, tags: Any, match: Any) -> type:
    def __init__(self: CloudFormationLintRule) -> None:
        CloudFormationLintRule.__init__(self)
        self.config_definition = dict(_CONFIG)
        self.configure()

    return type(rule_id, (CloudFormationLintRule,), {
        "id": rule_id, "shortdesc": shortdesc, "description": description, "source_url": url,
        "tags": ["clarify", *tags], "__init__": __init__, "configure": _configure,
        "match": match, "__module__": __name__,
    })  # fmt: skip


E9000 = _class(
    "E9000",
    "clarify-vpc-lint could not judge the template",
    "An input error, an engine failure or the time budget spent: no E9/W9/I9 finding is given.",
    f"{docs_url()}/README.md",
    [],
    _not_judged,
)
for _rule in plugin_rules():
    for _unknown in (False, True):
        _rule_class_ = _rule_class(_rule, _unknown)
        globals()[_rule_class_.__name__] = _rule_class_
del _rule, _unknown, _rule_class_  # cfn-lint instantiates every rule class it finds in the module
