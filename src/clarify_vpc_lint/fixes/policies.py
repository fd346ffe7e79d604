"""Fixes of policies (CVL104, CVL105, CVL501-503): one statement added to a policy document, or
one exception added to a deny's condition (an operator, a key, or a value of a key), never a
change to the other statements (issue 22: a fix for a policy adds or narrows one statement).

What to write is decided where the policy was judged (``resolve/subjects``) and carried on the
finding as ``fix_adds``: ``(rule, JSON)`` with the documents to edit (``targets``: the file, the
resource and the edits) or what the fix needs (``needs``). Here the edits are placed in the
text: CloudFormation templates (YAML or JSON: ``Content``, ``PolicyDocument``, a role's
``Policies``) and Terraform configuration (``jsonencode({... Statement = [...]})``, and for an
execution role a new ``aws_iam_role_policy`` after the role's block). A policy anywhere else (an
inventory, an AWS CLI output, a plan) is listed with what its fix needs.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ..documents import ParseError, parse_text
from ..findings import Finding
from ..values import dig
from . import Edit, after_last_item, closing, line_offsets, newline_of
from .documents import add_item, add_member

RULES = ("CVL104", "CVL105", "CVL501", "CVL502", "CVL503")
# where a CloudFormation resource holds its policy document(s)
_DOCUMENT_MEMBERS = ("Content", "PolicyDocument")
Targets = Union[List[Tuple[str, Edit]], str]  # (file, edit) of every edit, or why none


def plan(finding: Finding, linted: Dict[str, str], read) -> Targets:
    """The edits of a policy finding's fix, file by file; else what it needs. ``read(path)``
    gives a file's text as the plan holds it."""
    carried = next(
        (json.loads(text) for rule, text in finding.fix_adds if rule == finding.rule), None
    )
    if carried is None:
        return "the policy to change is not known: apply the remediation by hand"
    if carried.get("needs"):
        return carried["needs"]
    found: List[Tuple[str, Edit]] = []
    for target in carried["targets"]:
        kind = linted.get(target["file"])
        if kind == "cloudformation":
            outcome = _template_edits(target, read(target["file"]))
        elif kind == "terraform-config" and target["file"].endswith(".tf"):
            outcome = _terraform_edits(target, read(target["file"]))
        else:
            outcome = _elsewhere(kind, target)
        if isinstance(outcome, str):
            return outcome
        found.extend((target["file"], edit) for edit in outcome)
    return found or "the policy already holds what the fix adds: lint again"


_IN_AWS = {
    "iam-policy": "a new version of the policy, or aws iam put-role-policy",
    "iam-authorization-details": "aws iam put-role-policy or a new version of a managed policy",
    "bucket-policy": "aws s3api put-bucket-policy",
    "inventory": "aws ec2 modify-vpc-endpoint --policy-document",
}


def _elsewhere(kind: Optional[str], target: Dict[str, Any]) -> str:
    where = f"{target['resource']} ({target['file']})"
    if kind == "terraform":
        return f"{where} is in a Terraform plan, which is generated: fix the configuration (.tf)"
    if kind in _IN_AWS:
        return (
            f"{where} is the policy as AWS lists it: change it in AWS ({_IN_AWS[kind]}) or where "
            "it is defined, with the remediation's statement or value"
        )
    if kind is None:
        return f"{where} is not one of the PATHs linted: change it there"
    return f"{where}: its fix is not written automatically in this input format"


# -- CloudFormation (YAML or JSON) --------------------------------------------------------------------


def _template_edits(target: Dict[str, Any], text: str) -> Union[List[Edit], str]:
    try:
        document = parse_text(target["file"], text.lstrip("\ufeff"))
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    resource = dig(document.data, "Resources", target["resource"])
    if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
        return f"{target['resource']} is not where the finding says: lint again"
    root = ["Resources", target["resource"], "Properties"]
    edits: List[Edit] = []
    for edit in target["edits"]:
        documents = _documents(resource["Properties"], edit)
        if isinstance(documents, str):
            return documents
        if len(documents) != 1:
            return f"{target['resource']} holds {len(documents)} documents the fix could change: change one by hand"
        path = [*root, *documents[0]]
        outcome = _document_edit(document, text, path, edit)
        if isinstance(outcome, str):
            return outcome
        edits.extend(outcome)
    return edits


def _documents(properties: dict, edit: Dict[str, Any]) -> Union[List[list], str]:
    """The paths (under Properties) of the resource's documents the edit may apply to: for an
    added statement the document itself (a role's first inline policy), for a condition the one
    whose statement has the edit's Sid or number."""
    found: List[list] = [[m] for m in _DOCUMENT_MEMBERS if m in properties]
    inline = properties.get("Policies")
    if isinstance(inline, list):
        found += [
            ["Policies", n, "PolicyDocument"]
            for n, item in enumerate(inline)
            if isinstance(item, dict) and "PolicyDocument" in item
        ]
    written = []
    for path in found:
        value = dig(properties, *path)
        if isinstance(value, str):
            return f"{'.'.join(map(str, path))} is written as JSON text: change it by hand"
        if isinstance(value, dict) and isinstance(value.get("Statement"), list):
            written.append(path)
    if edit["op"] == "statement":
        return written[:1] or "no policy document with a Statement list: add one by hand"
    return [
        p for p in written if _statement_index(dig(properties, *p)["Statement"], edit) is not None
    ]


def _named_statement(
    edit: Dict[str, Any], statements: Sequence[Any], has_sid: Callable[[Any, str], bool]
) -> Optional[int]:
    """Which statement the edit names, however the language writes them: the first with the
    edit's Sid, else the one at its number."""
    if edit.get("sid"):
        return next((n for n, s in enumerate(statements) if has_sid(s, edit["sid"])), None)
    return edit["statement"] if edit["statement"] < len(statements) else None


def _statement_index(statements: list, edit: Dict[str, Any]) -> Optional[int]:
    index = _named_statement(
        edit, statements, lambda s, sid: isinstance(s, dict) and s.get("Sid") == sid
    )
    return index if index is not None and isinstance(statements[index], dict) else None


def _document_edit(document, text: str, path: list, edit: Dict[str, Any]) -> Union[List[Edit], str]:
    statements = dig(document.data, *path, "Statement")
    json_style = document.is_json
    if edit["op"] == "statement":
        return _add_item(document, text, [*path, "Statement"], _one_line(edit["add"]))
    index = _statement_index(statements, edit)
    statement_path = [*path, "Statement", index]
    statement = statements[index]
    condition = statement.get("Condition")
    operator, key = edit["operator"], edit["key"]
    if condition is None:
        value = {operator: {key: _values(edit, json_style)}}
        return _add_member(document, text, statement_path, "Condition", value)
    if not isinstance(condition, dict):
        return "the statement's Condition is not a mapping: add the exception by hand"
    tested = condition.get(operator)
    if tested is None:
        return _add_member(
            document,
            text,
            [*statement_path, "Condition"],
            operator,
            {key: _values(edit, json_style)},
        )
    if not isinstance(tested, dict):
        return f"{operator} is not a mapping: add the exception by hand"
    if key not in tested:
        return _add_member(
            document, text, [*statement_path, "Condition", operator], key, _values(edit, json_style)
        )
    return _add_values(
        document, text, [*statement_path, "Condition", operator, key], edit, tested[key]
    )


def _values(edit: Dict[str, Any], json_style: bool) -> Any:
    values = [_reference(v, json_style) for v in edit["values"]]
    return values[0] if len(values) == 1 else values


class _Raw(str):
    """Text written as it is (a YAML tag such as ``!Ref S3Endpoint``)."""


def _reference(value: Dict[str, Any], json_style: bool) -> Any:
    if "ref" not in value:
        return value["text"]
    return {"Ref": value["ref"]} if json_style else _Raw(f"!Ref {value['ref']}")


def _one_line(value: Any, hcl: bool = False) -> str:
    """A value written on one line: flow YAML or JSON (JSON is flow YAML; a tag stays a tag),
    or with ``hcl`` an HCL expression (``{ Key = value }``: the syntax is all that differs)."""
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, dict) and hcl:
        return (
            "{ "
            + ", ".join(f"{_hcl_key(k)} = {_one_line(v, hcl)}" for k, v in value.items())
            + " }"
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_one_line(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_one_line(v, hcl) for v in value) + "]"
    return json.dumps(value)


def _offset(document, text: str, path: list) -> int:
    line, column = document.locate(path)
    return line_offsets(text)[line - 1] + column - 1


def _add_item(document, text: str, path: list, item: str) -> Union[List[Edit], str]:
    """``item`` added after the last item of the list at ``path`` (flow or block)."""
    items = dig(document.data, *path)
    if not isinstance(items, list) or not items:
        return f"{path[-1]} is not a list: add the statement by hand"
    return add_item(document, text, path, item, str(path[-1]), "the statement")


def _add_member(document, text: str, path: list, key: str, value: Any) -> Union[List[Edit], str]:
    """``key: value`` added to the mapping at ``path`` (see ``documents.add_member``)."""
    return add_member(document, text, path, key, f"{json.dumps(key)}: {_one_line(value)}")


def _add_values(
    document, text: str, path: list, edit: Dict[str, Any], current: Any
) -> Union[List[Edit], str]:
    """The edit's values added to a condition key's values: after the last item of a list, or a
    single value made a list of it and them."""
    added = [_one_line(_reference(v, document.is_json)) for v in edit["values"]]
    if isinstance(current, list):
        return (
            _add_item(document, text, path, ", ".join(added))
            if current
            else "the condition's values are empty: add the value by hand"
        )
    start = _offset(document, text, path)
    written = re.escape(str(path[-1]))
    key = re.compile(rf"[\"']?{written}[\"']?[ \t]*:[ \t]*").match(text, start)
    if key is None:
        return f"{path[-1]} is not written where the file says: add the value by hand"
    if text.startswith("{", key.end()):  # one reference: {"Ref": ...}, {Ref: ...}
        brace = closing(text, key.end())
        end = key.end() if brace is None else brace + 1
    else:
        end = _scalar_end(text, key.end())
    old = text[key.end() : end]
    if not old.strip() or old.lstrip().startswith(("[", "|", ">", "&", "*")):
        return f"{path[-1]}'s value is not one literal: add the value by hand"
    return [Edit(key.end(), end, "[" + ", ".join([old, *added]) + "]")]


def _scalar_end(text: str, start: int) -> int:
    """The end of a scalar written at ``start`` (quoted, or plain up to the end of its line, a
    comment, or in a flow collection a comma or closing bracket)."""
    flow = _in_flow(text, start)
    index = start
    if index < len(text) and text[index] in "\"'":
        quote = text[index]
        index += 1
        while index < len(text) and text[index] != quote:
            index += 2 if quote == '"' and text[index] == "\\" else 1
        return index + 1
    while index < len(text) and text[index] not in "\r\n":
        if flow and text[index] in ",}]":
            break
        if text[index] == "#" and text[index - 1] in " \t":
            break
        index += 1
    return len(text[:index].rstrip()) if index > start else index


def _in_flow(text: str, at: int) -> bool:
    """Is ``at`` inside a flow collection (an unclosed ``{`` or ``[`` earlier on its line or
    the lines it continues)?"""
    line_start = text.rfind("\n", 0, at) + 1
    depth = 0
    for char in text[line_start:at]:
        depth += char in "{["
        depth -= char in "}]"
    return depth > 0


# -- Terraform configuration (.tf) --------------------------------------------------------------------


def _terraform_edits(target: Dict[str, Any], text: str) -> Union[List[Edit], str]:
    from .hcl import _block

    offsets = line_offsets(text)
    if target["line"] > len(offsets):
        return f"{target['resource']} is not where the finding says: lint again"
    start = offsets[target["line"] - 1]
    block = _block(text, start)
    if block is None:
        return f"{target['resource']} is not where the finding says: lint again"
    last = max(block.depths, default=block.first_line)  # the block's last inner line
    end = text.find("}", offsets[last - 1])
    if not block.depths or end < 0:
        return f"{target['resource']} is written on one line: add the fix by hand"
    end += 1
    edits: List[Edit] = []
    for edit in target["edits"]:
        document = _DOCUMENT_SOURCE.search(text, start, end)
        if edit["op"] == "role-policy":
            outcome = _new_role_policy(text, end, target, edit)
        elif document is not None and "jsonencode(" not in text[start:end]:
            outcome = _policy_document_edit(text, document.group(1), edit)
        else:
            outcome = _jsonencode_edit(text, start, end, target, edit)
        if isinstance(outcome, str):
            return outcome
        edits.extend(outcome)
    return edits


def _hcl_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) else json.dumps(key)


def _hcl_values(edit: Dict[str, Any]) -> Optional[str]:
    values = []
    for value in edit["values"]:
        if "ref" in value:
            if not value.get("expression"):
                return None
            values.append(value["expression"])
        else:
            values.append(json.dumps(value["text"]))
    return values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"


def _hcl_statement(
    text: str, edit: Dict[str, Any], spans: List[Tuple[int, int]], argument: str
) -> Optional[int]:
    """Which of the statements written at ``spans`` the edit names: its Sid is the argument
    ``Sid`` in jsonencode, ``sid`` in a statement block."""

    def has_sid(span: Tuple[int, int], sid: str) -> bool:
        written = re.compile(rf'\b{argument}\s*=\s*"{re.escape(sid)}"')
        return written.search(text, *span) is not None

    return _named_statement(edit, spans, has_sid)


def _jsonencode_edit(
    text: str, start: int, end: int, target: Dict[str, Any], edit: Dict[str, Any]
) -> Union[List[Edit], str]:
    """An edit inside the block's ``jsonencode({... Statement = [...] ...})``."""
    found = [m for m in re.finditer(r"\bStatement\s*=\s*\[", text[start:end])]
    if len(found) != 1 or "jsonencode(" not in text[start:end]:
        return (
            f"the policy of {target['resource']} is not written as jsonencode({{... Statement = "
            "[...]}) in its block: add the remediation's statement where it is written"
        )
    opening = start + found[0].end() - 1
    list_end = closing(text, opening)
    if list_end is None:
        return f"the Statement list of {target['resource']} does not close: change it by hand"
    if edit["op"] == "statement":
        return [after_last_item(text, list_end, _one_line(edit["add"], hcl=True))]
    items = _hcl_items(text, opening, list_end)
    index = _hcl_statement(text, edit, items, "Sid")
    if index is None:
        return f"the statement of {target['resource']} is not found in its block: change it by hand"
    item_start, item_end = items[index]
    values = _hcl_values(edit)
    if values is None:
        return "the value to add is a reference the configuration names otherwise: add it by hand"
    operator, key = edit["operator"], edit["key"]
    condition = _member(text, item_start, item_end, "Condition")
    if condition is None:
        member = f"Condition = {{ {operator} = {{ {json.dumps(key)} = {values} }} }}"
        return [_object_member(text, item_start, item_end, member)]
    tested = _member(text, condition[0], condition[1], operator)
    if tested is None:
        return [
            _object_member(
                text, condition[0], condition[1], f"{operator} = {{ {json.dumps(key)} = {values} }}"
            )
        ]
    written = re.compile(r'"?' + re.escape(key) + r'"?\s*=\s*').search(text, tested[0], tested[1])
    if written is not None:  # the key's values: one more
        return _hcl_add_values(text, written.end(), values)
    return [_object_member(text, tested[0], tested[1], f"{json.dumps(key)} = {values}")]


def _hcl_add_values(text: str, start: int, values: str) -> Union[List[Edit], str]:
    """``values`` added to the HCL value at ``start``: after the last item of a list, or a single
    value (a string, a reference) made a list of it and them."""
    added = values[1:-1] if values.startswith("[") else values
    if text.startswith("[", start):
        end = closing(text, start)
        return (
            "the condition's values do not close"
            if end is None
            else [after_last_item(text, end, added)]
        )
    end = start
    if text.startswith('"', start):
        end = text.find('"', start + 1) + 1
        while end > 0 and text[end - 2] == "\\":
            end = text.find('"', end) + 1
    else:
        while end < len(text) and text[end] not in ",}\r\n":
            end += 1
    old = text[start:end].rstrip()
    if not old or end <= start:
        return "the condition's value is not one literal or reference: add the value by hand"
    return [Edit(start, start + len(old), f"[{old}, {added}]")]


def _hcl_items(text: str, opening: int, list_end: int) -> List[Tuple[int, int]]:
    """The ``{...}`` objects of the list at ``opening``: their opening and closing offsets."""
    items = []
    index = opening + 1
    while index < list_end:
        if text[index] == "{":
            end = closing(text, index)
            if end is None:
                break
            items.append((index, end))
            index = end
        elif text[index] == '"':
            index = text.find('"', index + 1)
        index += 1
    return items


def _member(text: str, opening: int, end: int, name: str) -> Optional[Tuple[int, int]]:
    """The object value of ``name = {...}`` directly in the object ``opening``..``end``."""
    depth = 0
    index = opening + 1
    pattern = re.compile(r'"?' + re.escape(name) + r'"?\s*=\s*\{')
    while index < end:
        char = text[index]
        if char == '"' and depth == 0 and not pattern.match(text, index):
            index = text.find('"', index + 1)
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif depth == 0 and (match := pattern.match(text, index)):
            if text[index - 1].isalnum() or text[index - 1] == "_":
                index += 1
                continue
            value_end = closing(text, match.end() - 1)
            return None if value_end is None else (match.end() - 1, value_end)
        index += 1
    return None


def _object_member(text: str, opening: int, end: int, member: str) -> Edit:
    """``member`` added before the closing brace of the HCL object (its own line where the
    object puts each member on one)."""
    if "\n" not in text[opening:end]:
        before = text[opening + 1 : end].rstrip()
        at = opening + 1 + len(before)
        separator = "" if before.endswith(",") else ","
        return Edit(at, at, f"{separator} {member}")
    line_start = text.rfind("\n", 0, end) + 1
    closing_indent = re.match(r"[ \t]*", text[line_start:]).group(0)
    body = text[opening + 1 : end]
    first = re.search(r"\n([ \t]+)\S", body)
    indent = first.group(1) if first else closing_indent + "  "
    last = len(text[:end].rstrip())
    return Edit(last, last, f"{newline_of(text)}{indent}{member}")


def _new_role_policy(
    text: str, end: int, target: Dict[str, Any], edit: Dict[str, Any]
) -> Union[List[Edit], str]:
    """A new ``aws_iam_role_policy`` after the role's block: one statement, for that role."""
    taken = re.compile(r'resource\s+"aws_iam_role_policy"\s+"([^"]+)"')
    used = set(taken.findall(text))
    name = next((n for n in edit["names"] if n not in used), None)
    if name is None:
        return f"aws_iam_role_policy.{edit['names'][-1]} already exists: add the statement to it by hand"
    newline = newline_of(text)
    lines = [
        "",
        "",
        f'resource "aws_iam_role_policy" "{name}" {{',
        '  name = "clarify-job"',
        f"  role = {edit['role']}.id",
        "  policy = jsonencode({",
        '    Version   = "2012-10-17"',
        f"    Statement = [{_one_line(edit['add'], hcl=True)}]",
        "  })",
        "}",
    ]
    return [Edit(end, end, newline.join(lines))]


# -- data "aws_iam_policy_document": one statement block, or one condition block ---------------------

_DOCUMENT_SOURCE = re.compile(r"=\s*data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\b")
_OPERATOR_BLOCK = re.compile(r"^([ \t]*)(statement|condition)\s*\{", re.M)


def _policy_document_edit(text: str, name: str, edit: Dict[str, Any]) -> Union[List[Edit], str]:
    """An edit of the ``aws_iam_policy_document`` the policy is made from (in the same file)."""
    from .hcl import _block

    header = re.compile(
        r'^data\s+"aws_iam_policy_document"\s+"' + re.escape(name) + r'"\s*\{', re.M
    )
    found = header.search(text)
    block = _block(text, found.start()) if found else None
    if block is None:
        return f"data.aws_iam_policy_document.{name} is not in this file: change it where it is"
    offsets = line_offsets(text)
    statements = _blocks(text, offsets, block, "statement", 1)
    if not statements:
        return f"data.aws_iam_policy_document.{name} has no statement block: add one by hand"
    newline = newline_of(text)
    if edit["op"] == "statement":
        indent, _, last_end = statements[-1]
        lines = _statement_block(edit["add"], indent)
        return [Edit(last_end, last_end, newline + newline.join(lines))]
    index = _hcl_statement(text, edit, [(a, b) for _, a, b in statements], "sid")
    if index is None:
        return (
            f"the statement of data.aws_iam_policy_document.{name} is not found: change it by hand"
        )
    indent, statement_start, statement_end = statements[index]
    values = _hcl_values(edit)
    if values is None:
        return "the value to add is a reference the configuration names otherwise: add it by hand"
    listed = values if values.startswith("[") else f"[{values}]"
    conditions = [
        (a, b)
        for _, a, b in _blocks(text, offsets, _block(text, statement_start), "condition", 1)
        if re.search(r'\btest\s*=\s*"' + re.escape(edit["operator"]) + '"', text[a:b])
        and re.search(r'\bvariable\s*=\s*"' + re.escape(edit["key"]) + '"', text[a:b])
    ]
    if conditions:
        a, b = conditions[0]
        match = re.compile(r"\bvalues\s*=\s*\[").search(text, a, b)
        end = closing(text, match.end() - 1) if match else None
        if end is None:
            return "the condition's values are not a list: add the value by hand"
        return [after_last_item(text, end, listed[1:-1])]
    inner = indent + "  "
    lines = [
        f"{inner}condition {{",
        f'{inner}  test     = "{edit["operator"]}"',
        f'{inner}  variable = "{edit["key"]}"',
        f"{inner}  values   = {listed}",
        f"{inner}}}",
    ]
    closing_line = text.rfind("\n", 0, statement_end - 1) + 1
    return [Edit(closing_line, closing_line, newline.join(lines) + newline)]


def _blocks(text: str, offsets: List[int], block: Any, kind: str, depth: int) -> List[tuple]:
    """(indent, start, end) of each ``kind { ... }`` block at ``depth`` in ``block``: from its
    line's start to just after its closing line."""
    from .hcl import _block

    found = []
    for line, at in sorted(block.depths.items()):
        if at != depth or line > len(offsets):
            continue
        match = _OPERATOR_BLOCK.match(text, offsets[line - 1])
        if match is None or match.group(2) != kind:
            continue
        inner = _block(text, offsets[line - 1])
        if inner is None or not inner.depths:
            continue
        last = max(inner.depths)
        line_end = text.find("\n", offsets[last - 1])
        end = len(text) if line_end < 0 else line_end + 1
        found.append((match.group(1), offsets[line - 1], end))
    return found


def _statement_block(statement: Dict[str, Any], indent: str) -> List[str]:
    """A policy statement as an ``aws_iam_policy_document`` statement block."""
    inner = indent + "  "
    lines = [f"{indent}statement {{"]
    if statement.get("Sid"):
        lines.append(f'{inner}sid       = "{statement["Sid"]}"')
    lines.append(f'{inner}effect    = "{statement["Effect"]}"')
    if "Principal" in statement:
        lines += [
            f"{inner}principals {{",
            f'{inner}  type        = "*"',
            f'{inner}  identifiers = ["*"]',
            f"{inner}}}",
        ]
    lines.append(f"{inner}actions   = {_one_line(statement['Action'], hcl=True)}")
    lines.append(f"{inner}resources = {_one_line(statement['Resource'], hcl=True)}")
    lines.append(f"{indent}}}")
    return lines + [""]
