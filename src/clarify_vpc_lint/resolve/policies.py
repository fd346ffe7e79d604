"""Does a policy deny creating a Clarify job unless ``sagemaker:NetworkIsolation`` is true?

IAM evaluation, reduced to what CVL104 asks: a ``Deny`` statement whose actions cover the create
call of the job (wildcards, ``NotAction``), whose resources may be that job, and whose condition
holds for a request with network isolation off but names ``sagemaker:NetworkIsolation``: an
isolation mandate, not a blanket deny. Condition keys other than that one depend on who calls
and how (``aws:PrincipalArn``, tags, ...), which no input here says: such a statement is Unknown.

A Clarify job that needs inference runs with isolation off; its request carries
``sagemaker:NetworkIsolation`` as ``false`` (the SDK always sends ``EnableNetworkIsolation``) or,
when the field is left out, perhaps not at all. A statement blocks the job when it denies both; one
that spares ``false`` does not (the job can always send it); one that denies ``false`` but spares a
missing key is Unknown.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, List, Optional, Tuple

from ..logic import Fact, all_of, any_of
from ..values import Unknown

ISOLATION_KEY = "sagemaker:networkisolation"
# the create calls of each kind of Clarify job, with the resource type each creates
CREATE_CALLS = {
    "processing": (("sagemaker:CreateProcessingJob", "processing-job"),),
    "declared": (("sagemaker:CreateProcessingJob", "processing-job"),),
    "explainability-monitor": (
        (
            "sagemaker:CreateModelExplainabilityJobDefinition",
            "model-explainability-job-definition",
        ),
        ("sagemaker:CreateMonitoringSchedule", "monitoring-schedule"),
    ),
    "bias-monitor": (
        ("sagemaker:CreateModelBiasJobDefinition", "model-bias-job-definition"),
        ("sagemaker:CreateMonitoringSchedule", "monitoring-schedule"),
    ),
}
_ISOLATION_OFF = ("false", None)  # the key sent as false, or left out of the request


def blocks(document: Any, job_kind: str) -> Tuple[Fact, List[str]]:
    """(does the policy deny creating a job of this kind with isolation off, the calls denied)."""
    results: List[Fact] = []
    denied: List[str] = []
    for action, resource_type in CREATE_CALLS.get(job_kind, CREATE_CALLS["processing"]):
        result = denies(document, action, resource_type)
        results.append(result)
        if result is not False:
            denied.append(action)
    return any_of(results), denied


def denies(document: Any, action: str, resource_type: str) -> Fact:
    if isinstance(document, Unknown):
        return document
    statements = document.get("Statement")
    if isinstance(statements, Unknown):
        return Unknown(f"the policy's statements are built at run time: {statements.reason}")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return False
    return any_of(_statement_denies(s, action, resource_type) for s in statements)


def _statement_denies(statement: Any, action: str, resource_type: str) -> Fact:
    if isinstance(statement, Unknown):
        return Unknown(f"a statement of the policy is built at run time: {statement.reason}")
    if not isinstance(statement, dict):
        return False
    effect = statement.get("Effect")
    if isinstance(effect, Unknown):
        return Unknown("a statement's Effect is built at run time")
    if effect != "Deny":
        return False
    condition = statement.get("Condition")
    if not _names_isolation(condition):
        return False  # a deny that is not an isolation mandate: not this rule's concern
    sent_false, left_out = (_condition_holds(condition, value) for value in _ISOLATION_OFF)
    if sent_false is False:
        return False  # a job can always send EnableNetworkIsolation false explicitly
    if sent_false is True and left_out is True:
        holds: Fact = True
    elif isinstance(sent_false, Unknown):
        holds = sent_false
    elif isinstance(left_out, Unknown):
        holds = left_out
    else:
        holds = Unknown(
            "the statement denies the request only when sagemaker:NetworkIsolation is sent as "
            "false; whether SageMaker leaves the key out when EnableNetworkIsolation is not set "
            "is not documented"
        )
    return all_of(
        [
            _covers_action(statement, action),
            _covers_resource(statement.get("Resource"), resource_type),
            holds,
        ]
    )


def _names_isolation(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    return any(
        isinstance(keys, dict) and any(str(k).lower() == ISOLATION_KEY for k in keys)
        for keys in condition.values()
    )


def _patterns(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    return [value] if isinstance(value, str) else value if isinstance(value, list) else []


def _matches(patterns: List[Any], name: str, what: str) -> Fact:
    results: List[Fact] = []
    for pattern in patterns:
        if isinstance(pattern, str):
            results.append(fnmatchcase(name.lower(), pattern.lower()))
        else:
            results.append(Unknown(f"{what} is built at run time"))
    return any_of(results)


def _covers_action(statement: dict, action: str) -> Fact:
    if "Action" in statement:
        patterns = _patterns(statement["Action"])
        if isinstance(patterns, Unknown):
            return Unknown(f"the statement's Action is built at run time: {patterns.reason}")
        return _matches(patterns, action, "an Action of the statement")
    patterns = _patterns(statement.get("NotAction"))
    if isinstance(patterns, Unknown):
        return Unknown(f"the statement's NotAction is built at run time: {patterns.reason}")
    matched = _matches(patterns, action, "a NotAction of the statement")
    return matched if isinstance(matched, Unknown) else not matched


def _covers_resource(resources: Any, resource_type: str) -> Fact:
    """Can the statement's Resource be the job? ``*``, or a SageMaker ARN of its type."""
    patterns = _patterns(resources)
    if isinstance(patterns, Unknown):
        return Unknown(f"the statement's Resource is built at run time: {patterns.reason}")
    if resources is None:
        return True  # NotResource or none: not narrowed here
    results: List[Fact] = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            results.append(Unknown("a Resource of the statement is built at run time"))
            continue
        parts = pattern.split(":", 5)
        results.append(
            pattern == "*"
            or len(parts) == 6
            and fnmatchcase("sagemaker", parts[2].lower())
            and fnmatchcase(f"{resource_type}/clarify", parts[5].lower())
        )
    return any_of(results)


def _condition_holds(condition: dict, isolation: Optional[str]) -> Fact:
    """Every operator's every key must hold (IAM ANDs them); a key's values are ORed."""
    results: List[Fact] = []
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            results.append(Unknown(f"the condition {operator} is built at run time"))
            continue
        for key, values in keys.items():
            if str(key).lower() != ISOLATION_KEY:
                results.append(
                    Unknown(
                        f"the condition {operator} on {key} depends on who creates the job "
                        "and how, which the inputs do not say"
                    )
                )
            else:
                results.append(_isolation_holds(str(operator), values, isolation))
    return all_of(results)


def _isolation_holds(operator: str, values: Any, isolation: Optional[str]) -> Fact:
    values = _patterns(values)
    if isinstance(values, Unknown) or any(not isinstance(v, (str, bool)) for v in values):
        return Unknown(f"the values of {operator} on sagemaker:NetworkIsolation are not known")
    wanted = [str(v).lower() for v in values]
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    if ":" in base:  # ForAnyValue: / ForAllValues: on a single-valued key
        return Unknown(f"the operator {operator} on sagemaker:NetworkIsolation")
    if base == "Null":
        return (isolation is None) == ("true" in wanted)
    negated = base in ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike")
    if base not in ("StringEquals", "StringEqualsIgnoreCase", "Bool", "StringLike") and not negated:
        return Unknown(f"the operator {operator} on sagemaker:NetworkIsolation")
    if isolation is None:
        return negated or if_exists
    matched = any(fnmatchcase(isolation, w) if "Like" in base else isolation == w for w in wanted)
    return not matched if negated else matched
