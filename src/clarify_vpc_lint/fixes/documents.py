"""Fixes in CloudFormation templates and SageMaker API JSON, YAML or JSON: a literal setting
changed where it is written, or added as the first member of its mapping, in the file's own
style (block or flow, quoting, capitals, indentation, line endings)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, List, Optional, Tuple

from ..documents import Document, ParseError, parse_text
from ..findings import Finding
from ..remediation import written, yaml_flow
from . import Edit, ListItem, Outcome, Setting, after_last_item, line_offsets, newline_of
from . import closing as closing_at

_BOOLEAN = r"""(?P<value>(?P<quote>["']?)(?:true|false)(?P=quote))"""


@lru_cache(maxsize=8)
def _parsed(path: str, text: str) -> Document:
    return parse_text(path, text.lstrip("\ufeff"))


def edits(finding: Finding, kind: str, text: str, settings: Tuple[Setting, ...]) -> Outcome:
    try:
        document = _parsed(finding.file, text)
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    if kind == "cloudformation":
        if "/" in finding.resource:
            return "the job is embedded in a workflow definition: change it there by hand"
        root: List[Any] = ["Resources", finding.resource, "Properties"]
    else:
        root = []
    found: List[Edit] = []
    for setting in settings:
        names = setting.cloudformation if kind == "cloudformation" else setting.api
        if names is None:
            return "its fix is not written automatically in this input format"
        outcome = _setting(document, text, [*root, *names], setting)
        if isinstance(outcome, str):
            return outcome
        found.extend(outcome)
    return found or "the settings the fix writes are already in place: lint again"


def _setting(document: Document, text: str, path: List[Any], setting: Setting) -> Outcome:
    *parent_path, key = path
    parent = _dig(document.data, parent_path)
    shown = ".".join(str(p) for p in path[3:] if isinstance(p, str)) or key
    if not isinstance(parent, dict):
        return f"{'.'.join(str(p) for p in parent_path[3:]) or 'Properties'} is not written as a mapping: add {shown} by hand"
    if key in parent:
        value = parent[key]
        if value is setting.value or str(value).lower() == str(setting.value).lower():
            return []
        if not isinstance(value, (bool, str)) or str(value).lower() not in ("true", "false"):
            return (
                f"{shown} is not a literal ({_brief(value)}): set it to "
                f"{str(setting.value).lower()} where its value is given"
            )
        return _replace(document, text, path, key, setting.value)
    if not setting.insert:
        return f"{shown} is not written in the file: set it to {str(setting.value).lower()}"
    return _insert(document, text, parent_path, parent, key, setting.value)


def _replace(document: Document, text: str, path: List[Any], key: str, value: bool) -> Outcome:
    line, column = document.locate(path)
    offsets = line_offsets(text)
    start = offsets[line - 1] + column - 1
    quoted = '"' + re.escape(key) + '"' if document.is_json else re.escape(key) + r"""["']?"""
    match = re.compile(quoted + r"\s*:\s*" + _BOOLEAN, re.IGNORECASE).match(text, start)
    if match is None:
        return f"{key} is not written where the file says: change it by hand"
    return [Edit(match.start("value"), match.end("value"), _literal(match.group("value"), value))]


def _literal(old: str, value: bool) -> str:
    """``value`` spelled as ``old`` was: its quotes and capitals."""
    quote = old[0] if old[0] in "\"'" else ""
    core = old.strip("\"'")
    word = "true" if value else "false"
    if core.isupper():
        word = word.upper()
    elif core[0].isupper():
        word = word.capitalize()
    return f"{quote}{word}{quote}"


def _insert(
    document: Document, text: str, parent_path: List[Any], parent: dict, key: str, value: bool
) -> Outcome:
    member = (
        f'"{key}": {str(value).lower()}' if document.is_json else f"{key}: {str(value).lower()}"
    )
    return _insert_member(document, text, parent_path, parent, key, member)


def _insert_member(
    document: Document, text: str, parent_path: List[Any], parent: dict, key: str, member: str
) -> Outcome:
    """``member`` (``key`` and its value, written) added as the first member of the mapping at
    ``parent_path``, in its style: a line of its own in a block, after the last in a flow one."""
    offsets = line_offsets(text)
    shown = parent_path[-1] if parent_path else "the request"  # [] is a JSON request's body
    line, column = document.locate(parent_path)
    opening = re.compile(r'"?[^\n:]*"?\s*:\s*(\{)').match(text, offsets[line - 1] + column - 1)
    if not parent:
        if opening is None or not re.match(r"\s*\}", text[opening.end() :]):
            return f"{shown} is empty: add {key} by hand"
        return [Edit(opening.end(), opening.end(), member)]
    if opening is not None and (
        not document.is_json or _first_line(document, parent_path, parent) == line
    ):
        closing = closing_at(text, opening.start(1))  # a flow mapping, or JSON on one line
        if closing is None:
            return f"{shown} does not close: add {key} by hand"
        before = text[opening.end() : closing].rstrip()
        at = opening.end() + len(before)
        return [Edit(at, at, f"{member}" if before.endswith(",") else f", {member}")]
    if opening is None and document.is_json and parent_path:
        return f"{shown} is not an object: add {key} by hand"
    first_line, first_column = document.locate([*parent_path, next(iter(parent))])
    start = offsets[first_line - 1]
    indent = text[start : start + first_column - 1]
    if first_line == line or indent.strip():
        return f"{shown} is not laid out one member a line: add {key} by hand"
    separator = "," if document.is_json else ""
    return [Edit(start, start, f"{indent}{member}{separator}{newline_of(text)}")]


def _first_line(document: Document, parent_path: List[Any], parent: dict) -> int:
    return document.locate([*parent_path, next(iter(parent))])[0]


def _dig(value: Any, path: List[Any]) -> Any:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _brief(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        name, argument = next(iter(value.items()))
        return f"{name} {argument}" if isinstance(argument, str) else name
    return type(value).__name__


def parse_problem(path: str, text: str) -> Optional[str]:
    try:
        parse_text(path, text.lstrip("\ufeff"))
    except ParseError as error:
        return error.message
    return None


def append(finding: Finding, kind: str, text: str, item: ListItem) -> Outcome:
    """The finding's ``fix_adds`` added to the list the item names."""
    try:
        document = _parsed(finding.file, text)
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    if kind == "cloudformation":
        if "/" in finding.resource:
            return "the model is embedded in a workflow definition: change it there by hand"
        path: List[Any] = ["Resources", finding.resource, "Properties", *item.cloudformation]
    else:
        path = list(item.api)
    shown = ".".join(str(p) for p in path[3:] if isinstance(p, str)) or path[-1]
    value = _dig(document.data, path)
    added = _item_text(finding.fix_adds, document.is_json, kind)
    if not added:
        return f"{shown} names subnets by ID only here: add the new one's ID by hand"
    if not isinstance(value, list) or not value:
        return f"{shown} is {_brief(value)}, not a list: add {added} where its value is given"
    line, column = document.locate(path)
    offsets = line_offsets(text)
    key = re.compile(r'"?[^\n:]*"?\s*:\s*(\[)?').match(text, offsets[line - 1] + column - 1)
    if key is not None and key.group(1):
        end = closing_at(text, key.start(1))
        if end is None:
            return f"{shown} does not close: add {added} by hand"
        return [after_last_item(text, end, added)]
    if document.is_json:
        return f"{shown} is not a list: add {added} by hand"
    last_line = document.locate([*path, len(value) - 1])[0]
    start = offsets[last_line - 1]
    dash = re.match(r"([ \t]*)-[ \t]", text[start:])
    if dash is None or last_line >= len(offsets):
        return f"{shown} is not laid out one item a line: add {added} by hand"
    return [
        Edit(offsets[last_line], offsets[last_line], f"{dash.group(1)}- {added}{newline_of(text)}")
    ]


def _item_text(items: Tuple[Tuple[str, str], ...], is_json: bool, kind: str) -> str:
    if kind == "api":
        return written(items, "json")
    if not is_json:
        return written(items, "yaml")
    shown = []
    for origin, name in items:
        if origin == "cloudformation":
            shown.append(json.dumps({"Ref": name}))
        elif origin == "import":
            shown.append(json.dumps({"Fn::ImportValue": name}))
        elif origin == "id":
            shown.append(json.dumps(name))
        elif origin == "value":  # a value as the template writes it: JSON text already
            shown.append(name)
        else:
            return ""
    return ", ".join(shown)


def new_resource(finding: Finding, text: str) -> Outcome:
    """The finding's remediation, one new resource, written after the finding's resource in the
    template's indentation; only when it is complete and its name is free."""
    snippet = finding.remediation.splitlines()
    if any(line.lstrip().startswith("#") or " # " in line for line in snippet):
        return "the fix names something the inputs do not hold (see its comments): add it by hand"
    try:
        document = _parsed(finding.file, text)
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    if document.is_json:
        return "a JSON template: paste the remediation's members under Resources"
    resources = document.data.get("Resources") if isinstance(document.data, dict) else None
    name = snippet[0].rstrip(":") if snippet else ""
    if not isinstance(resources, dict) or finding.resource not in resources or not name:
        return "the resource is not where the finding says: lint again"
    if name in resources:
        return f"{name} already names a resource of the template: add the fix under another name"
    line, column = document.locate(["Resources", finding.resource])
    lines = text.splitlines(keepends=True)
    step = _indent_step(lines, line, column)
    end = line
    while end < len(lines):
        body = lines[end].rstrip("\r\n")
        code = body.strip() and not body.lstrip().startswith("#")
        if code and len(body) - len(body.lstrip()) < column:
            break
        end += 1
    while end > line and not lines[end - 1].strip():
        end -= 1  # the blank lines after the resource stay between it and the next
    newline = newline_of(text)
    written_lines = []
    for row in snippet:
        depth = (len(row) - len(row.lstrip())) // 2
        written_lines.append(" " * (column - 1 + depth * step) + row.lstrip() + newline)
    offsets = line_offsets(text)
    at = offsets[end] if end < len(offsets) else len(text)
    prefix = "" if at == 0 or text[at - 1] == "\n" else newline
    return [Edit(at, at, prefix + "".join(written_lines))]


def _indent_step(lines: List[str], line: int, column: int) -> int:
    """How far the template indents a resource's members (its ``Type:`` under its key)."""
    for row in lines[line : line + 5]:
        if row.strip():
            return max(1, len(row) - len(row.lstrip()) - (column - 1))
    return 2


def vpc_config(finding: Finding, kind: str, text: str) -> Outcome:
    """The finding's ``fix_vpc_config`` written as a new member: CVL102 a job's
    ``NetworkConfig.VpcConfig`` (``NetworkConfig`` itself where absent, its members kept),
    CVL103 a model's ``VpcConfig``; never over one that is written."""
    target = finding.fix_vpc_config
    assert target is not None
    try:
        document = _parsed(target.file, text)
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    if kind == "cloudformation":
        if "/" in target.resource:
            return (
                f"{target.resource} is embedded in a workflow definition: change it there by hand"
            )
        root: List[Any] = ["Resources", target.resource, "Properties"]
    else:
        root = []
    properties = _dig(document.data, root)
    if not isinstance(properties, dict) or not properties or _intrinsic(properties):
        return f"{target.resource} has no properties written as a mapping: add VpcConfig by hand"
    value = _copied_vpc_config(document, finding.rule, kind, target.file, target.source)
    if value is None:
        subnets = [_item_text((item,), document.is_json, kind) for item in target.subnets]
        groups = [_item_text((item,), document.is_json, kind) for item in target.security_groups]
        if not subnets or not groups or not all(subnets + groups):
            return (
                "the subnets and groups are not all named as this file can name them: add "
                "VpcConfig by hand (see the remediation)"
            )
        members = (("Subnets", subnets), ("SecurityGroupIds", groups))
        if document.is_json:
            value = "{" + ", ".join(f'"{k}": [{", ".join(v)}]' for k, v in members) + "}"
        else:
            value = "{" + ", ".join(f"{k}: [{', '.join(v)}]" for k, v in members) + "}"
    path, key = list(root), "VpcConfig"
    if finding.rule == "CVL102":  # a job's VpcConfig is a member of its NetworkConfig
        network = properties.get("NetworkConfig")
        if "NetworkConfig" not in properties:
            key, value = "NetworkConfig", _member("VpcConfig", value, document.is_json, "{}")
        elif isinstance(network, dict) and not _intrinsic(network):
            path.append("NetworkConfig")
        else:
            return (
                f"NetworkConfig is not a mapping ({_brief(network)}): add VpcConfig where its "
                "value is given"
            )
    parent = _dig(document.data, path)
    if key in parent:
        return f"{key} is written ({_brief(parent[key])}): change it by hand"
    member = _member(key, value, document.is_json)
    return _insert_member(document, text, path, parent, key, member)


def _copied_vpc_config(
    document: Document, rule: str, kind: str, file: str, source: Tuple[str, str]
) -> Optional[str]:
    """The source's VpcConfig as its template writes it (``!Ref Subnets`` stays a reference to
    the parameter), when the source is a resource of the same template; else None."""
    source_file, resource = source
    if kind != "cloudformation" or source_file != file or "/" in resource:
        return None
    # CVL102 copies the model's VpcConfig, CVL103 the job's
    under = ["VpcConfig"] if rule == "CVL102" else ["NetworkConfig", "VpcConfig"]
    value = _dig(document.data, ["Resources", resource, "Properties", *under])
    if not isinstance(value, dict) or not value:
        return None
    return json.dumps(_plain(value)) if document.is_json else yaml_flow(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _intrinsic(value: dict) -> bool:
    """A CloudFormation function (``Fn::If``, ``Ref``) in its long form: not a mapping to edit."""
    if len(value) == 1 and next(iter(value)) in ("Ref", "Condition"):
        return True
    return any(str(key).startswith("Fn::") for key in value)


def _member(key: str, value: str, is_json: bool, braces: str = "") -> str:
    """``key: value`` as the file writes a member; ``braces``: inside a one-member mapping."""
    written = f'"{key}": {value}' if is_json else f"{key}: {value}"
    return f"{braces[:1]}{written}{braces[1:]}"
