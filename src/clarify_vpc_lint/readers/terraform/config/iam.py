"""IAM policy JSON as the AWS provider makes it offline, so ``.tf`` values equal the plan's.

- ``go_json``: JSON as Go's ``encoding/json`` writes it (Terraform's ``jsonencode`` and the
  provider): object keys sorted, ``<``, ``>``, ``&`` escaped.
- ``policy_document``: the ``aws_iam_policy_document`` data source (computed by the provider
  from its arguments alone, never read from AWS): its ``json`` and ``minified_json``.
- ``normalize_policies``: the provider rewrites the policy attributes of IAM resources into a
  normal form when it plans them (``aws_organizations_policy`` content is kept as written).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple, Union

from ....values import Unknown

_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _integral(value: Any) -> Any:
    """Terraform numbers: a whole float is written as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    return value


def go_json(value: Any, sort_keys: bool = True, indent: Optional[int] = None) -> str:
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(
        _integral(value),
        sort_keys=sort_keys,
        ensure_ascii=False,
        indent=indent,
        separators=separators,
    )
    for char, escape in _GO_ESCAPES.items():
        text = text.replace(char, escape)  # outside strings JSON holds none of them
    return text


# -- the aws_iam_policy_document data source ------------------------------------------------------


def _decoded(items: List[str]) -> Union[str, List[str]]:
    """The provider's set of strings: one is a string, more are sorted in reverse."""
    unique = list(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else sorted(unique, reverse=True)


def _variables(value: Union[str, List[str]]) -> Union[str, List[str]]:
    """``&{aws:username}`` is the provider's escape for the policy variable ``${aws:username}``."""
    if isinstance(value, str):
        return value.replace("&{", "${")
    return [item.replace("&{", "${") for item in value]


def _principals(blocks: List[Dict[str, Any]]) -> Union[str, Dict[str, Any]]:
    decoded = [(b.get("type"), _variables(_decoded(b.get("identifiers") or []))) for b in blocks]
    if len(decoded) == 1 and decoded[0][0] == "*" and decoded[0][1] in ("*", ["*"]):
        return "*"
    merged: Dict[str, Any] = {}
    for kind, identifiers in decoded:
        existing = merged.get(kind)
        if existing is None:
            merged[kind] = identifiers
        else:
            before = [existing] if isinstance(existing, str) else existing
            merged[kind] = before + ([identifiers] if isinstance(identifiers, str) else identifiers)
    return dict(sorted(merged.items()))  # a Go map: written with its keys sorted


def _conditions(blocks: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    merged: Dict[str, Dict[str, List[str]]] = {}
    for block in blocks:
        values = _variables([str(v) for v in block.get("values") or []])
        merged.setdefault(block["test"], {}).setdefault(block["variable"], []).extend(values)
    return {  # Go maps: written with their keys sorted
        test: {
            name: values[0] if len(values) == 1 else values
            for name, values in sorted(merged[test].items())
        }
        for test in sorted(merged)
    }


def _statement(block: Dict[str, Any]) -> Dict[str, Any]:
    statement: Dict[str, Any] = {}
    if block.get("sid"):
        statement["Sid"] = block["sid"]
    statement["Effect"] = block.get("effect") or "Allow"
    for name, key, variables in (
        ("actions", "Action", False),
        ("not_actions", "NotAction", False),
        ("resources", "Resource", True),
        ("not_resources", "NotResource", True),
    ):
        if block.get(name):
            value = _decoded(block[name])
            statement[key] = _variables(value) if variables else value
    for name, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if block.get(name):
            statement[key] = _principals(block[name])
    if block.get("condition"):
        statement["Condition"] = _conditions(block["condition"])
    return statement


def policy_document(values: Dict[str, Any], address: str) -> Union[Unknown, Tuple[str, str]]:
    """``json`` (indented) and ``minified_json`` of an ``aws_iam_policy_document``."""
    for merged in ("source_policy_documents", "override_policy_documents"):
        if values.get(merged):
            return Unknown(f"{address}: {merged} are not merged offline")
    version = values.get("version") or "2012-10-17"
    statements = values.get("statement") or []
    if version == "2008-10-17" and "&{" in json.dumps(statements):
        return Unknown(f"{address}: &{{ is not supported in policy version 2008-10-17")
    document: Dict[str, Any] = {"Version": version}
    if values.get("policy_id"):
        document["Id"] = values["policy_id"]
    if statements:
        document["Statement"] = [_statement(block) for block in statements]
    return go_json(document, sort_keys=False, indent=2), go_json(document, sort_keys=False)


def partial_policy_document(values: Any) -> Any:
    """What an ``aws_iam_policy_document`` says where some of its values are not known offline
    (an ARN with the account ID of ``aws_caller_identity``): its statements, with those values
    left as they are, so the policy evaluator can still read what is known."""
    if not isinstance(values, dict) or not isinstance(values.get("statement"), list):
        return None
    if values.get("source_policy_documents") or values.get("override_policy_documents"):
        return None
    return {
        "Version": values.get("version") or "2012-10-17",
        "Statement": [_partial_statement(block) for block in values["statement"]],
    }


def _partial_statement(block: Any) -> Any:
    if not isinstance(block, dict):
        return block
    statement: Dict[str, Any] = {"Effect": block.get("effect") or "Allow"}
    for name, key in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        if block.get(name):
            statement[key] = block[name]
    for name, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if isinstance(block.get(name), list) and block[name]:
            statement[key] = {
                p.get("type"): p.get("identifiers") for p in block[name] if isinstance(p, dict)
            }
        elif block.get(name):
            statement[key] = block[name]
    if isinstance(block.get("condition"), list) and block["condition"]:
        condition: Dict[Any, Any] = {}
        for test in block["condition"]:
            if isinstance(test, dict):
                variable = test.get("variable")
                condition.setdefault(test.get("test"), {})[variable] = test.get("values")
        statement["Condition"] = condition
    elif block.get("condition"):
        statement["Condition"] = block["condition"]
    return statement


# -- the provider's normal form of planned policies -----------------------------------------------

# (resource type, attribute) -> form: "sorted" is JSON with every key sorted; "iam" puts
# Version and Id first, then Statement with its keys sorted.
_NORMALIZED = {
    ("aws_iam_policy", "policy"): "sorted",
    ("aws_iam_role", "assume_role_policy"): "sorted",
    ("aws_iam_role_policy", "policy"): "iam",
    ("aws_iam_user_policy", "policy"): "iam",
    ("aws_iam_group_policy", "policy"): "iam",
}


def _normal(text: Any, form: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past Python's stack
        return text  # the provider rejects it; the policy reader reports it
    if form == "sorted" or not isinstance(document, dict):
        return go_json(document)
    head = {key: document[key] for key in ("Version", "Id") if document.get(key)}
    rest = {key: value for key, value in document.items() if key not in ("Version", "Id")}
    return go_json(head, sort_keys=False)[:-1] + ("," if head and rest else "") + go_json(rest)[1:]


def normalize_policies(resource_type: str, values: Dict[str, Any]) -> None:
    """Rewrite a planned IAM resource's policy attributes as the provider does."""
    for (kind, attribute), form in _NORMALIZED.items():
        if kind == resource_type and attribute in values:
            values[attribute] = _normal(values[attribute], form)
    if resource_type == "aws_iam_role" and isinstance(values.get("inline_policy"), list):
        for block in values["inline_policy"]:
            if isinstance(block, dict) and "policy" in block:
                block["policy"] = _normal(block["policy"], "iam")
