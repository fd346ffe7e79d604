"""Fixes in CloudFormation templates and SageMaker API JSON, YAML or JSON: a literal setting
changed where it is written, or added as the first member of its mapping, in the file's own
style (block or flow, quoting, capitals, indentation, line endings)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Set, Tuple, Union

from ..documents import Document, ParseError, parse_text
from ..findings import Finding
from ..remediation import plain_data, written, yaml_flow
from ..values import dig
from . import Edit, ListItem, NewText, Outcome, Setting, after_last_item, line_offsets, newline_of
from . import closing as closing_at

_BOOLEAN = r"""(?P<value>(?P<quote>["']?)(?:true|false)(?P=quote))"""


@lru_cache(maxsize=8)
def _parsed(path: str, text: str) -> Document:
    return parse_text(path, text.lstrip("\ufeff"))


def _properties(
    path: str, resource: str, kind: str, text: str
) -> Union[str, Tuple[Document, List[Any]]]:
    """The file parsed, and the path of what a fix edits in it: a template resource's
    Properties, an API request's body; else why it cannot be edited."""
    try:
        document = _parsed(path, text)
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    if kind != "cloudformation":
        return document, []
    if "/" in resource:
        return f"{resource} is embedded in a workflow definition: change it there by hand"
    return document, ["Resources", resource, "Properties"]


def edits(finding: Finding, kind: str, text: str, settings: Tuple[Setting, ...]) -> Outcome:
    opened = _properties(finding.file, finding.resource, kind, text)
    if isinstance(opened, str):
        return opened
    document, root = opened
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
    parent = dig(document.data, *parent_path)
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
    document: Document, text: str, parent_path: List[Any], parent: dict, key: str, value: Any
) -> Outcome:
    member = (
        f'"{key}": {_written(value, True)}'
        if document.is_json
        else f"{key}: {_written(value, False)}"
    )
    return add_member(document, text, parent_path, key, member)


def add_member(document: Document, text: str, path: List[Any], key: str, member: str) -> Outcome:
    """``member`` (``key`` and its value, written) added to the mapping at ``path`` in its style:
    before the closing brace of a flow mapping (in JSON, one whose first member is on its opening
    line), inside the braces of an empty one, else as a line of its own before the first member
    that starts a line, in its indentation. ``path`` may end at a list item (``- {...}``)."""
    mapping = dig(document.data, *path)
    shown = path[-1] if path else "the request"  # [] is a JSON request's body
    line, column = document.locate(path)
    offsets = line_offsets(text)
    written = r"-[ \t]*" if path and isinstance(path[-1], int) else r'"?[^\n:]*"?\s*:\s*'
    opening = re.compile(written + r"(\{)?").match(text, offsets[line - 1] + column - 1)
    brace = opening.start(1) if opening is not None and opening.group(1) else None
    if not isinstance(mapping, dict) or not mapping:
        if brace is None or not re.match(r"\s*\}", text[brace + 1 :]):
            return f"{shown} is empty or not a mapping: add {key} by hand"
        return [Edit(brace + 1, brace + 1, member)]
    members = [document.locate([*path, name]) for name in mapping]
    if brace is not None and (not document.is_json or members[0][0] == line):
        closing = closing_at(text, brace)
        if closing is None:
            return f"{shown} does not close: add {key} by hand"
        before = text[brace + 1 : closing].rstrip()
        at = brace + 1 + len(before)
        return [Edit(at, at, member if before.endswith(",") else f", {member}")]
    if brace is None and document.is_json and path:
        return f"{shown} is not an object: add {key} by hand"
    for member_line, member_column in members:
        start = offsets[member_line - 1]
        indent = text[start : start + member_column - 1]
        if member_line != line and not indent.strip():
            separator = "," if document.is_json else ""
            return [Edit(start, start, f"{indent}{member}{separator}{newline_of(text)}")]
    return f"{shown} is not laid out one member a line: add {key} by hand"


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
    value = dig(document.data, *path)
    added = _item_text(finding.fix_adds, document.is_json, kind)
    if not added:
        return f"{shown} names subnets by ID only here: add the new one's ID by hand"
    if not isinstance(value, list) or not value:
        return f"{shown} is {_brief(value)}, not a list: add {added} where its value is given"
    return add_item(document, text, path, added, shown, added)


def add_item(
    document: Document, text: str, path: List[Any], item: str, shown: str, what: str
) -> Outcome:
    """``item`` written after the last item of the non-empty list at ``path``: before its
    closing bracket in flow style, else as a dash line after the last item and the lines it
    runs over. ``shown`` names the list and ``what`` the addition where it cannot be added."""
    line, column = document.locate(path)
    offsets = line_offsets(text)
    key = re.compile(r'"?[^\n:]*"?\s*:\s*(\[)?').match(text, offsets[line - 1] + column - 1)
    if key is not None and key.group(1):
        end = closing_at(text, key.start(1))
        if end is None:
            return f"{shown} does not close: add {what} by hand"
        return [after_last_item(text, end, item)]
    if document.is_json:
        return f"{shown} is not a list: add {what} by hand"
    last_line = document.locate([*path, len(dig(document.data, *path)) - 1])[0]
    start = offsets[last_line - 1]
    dash = re.match(r"([ \t]*)-[ \t]", text[start:])
    if dash is None:
        return f"{shown} is not laid out one item a line: add {what} by hand"
    at = _block_end(text, start, len(dash.group(1)))
    if at == len(text) and not text.endswith("\n"):  # the item ends the file, on no line break
        return [Edit(at, at, f"{newline_of(text)}{dash.group(1)}- {item}")]
    return [Edit(at, at, f"{dash.group(1)}- {item}{newline_of(text)}")]


def _block_end(text: str, line_start: int, indent: int) -> int:
    """Where the block item starting at ``line_start`` (its dash at ``indent``) ends: the start
    of the first later line of code indented no deeper than its dash (blank lines and comments
    after the item stay after it)."""
    offsets = [m.end() for m in re.finditer(r"\n", text[line_start:])]
    end = len(text)
    last_code = None
    for relative in offsets:
        at = line_start + relative
        if at >= len(text):
            break
        row = text[at : text.find("\n", at) if text.find("\n", at) >= 0 else len(text)]
        body = row.rstrip("\r")
        if not body.strip() or body.lstrip().startswith("#"):
            continue
        if len(body) - len(body.lstrip()) <= indent:
            end = at
            break
        last_code = at
    if last_code is None:
        first_end = text.find("\n", line_start)
        return len(text) if first_end < 0 else first_end + 1
    line_end = text.find("\n", last_code)
    return min(end, len(text) if line_end < 0 else line_end + 1)


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


def _indent_step(lines: List[str], line: int, column: int) -> int:
    """How far the template indents a resource's members (its ``Type:`` under its key)."""
    for row in lines[line : line + 5]:
        if row.strip():
            return max(1, len(row) - len(row.lstrip()) - (column - 1))
    return 2


def new_resources(finding: Finding, text: str) -> Union[NewText, str]:
    """The finding's remediation, new resources, written after the finding's resource in the
    template's own syntax and indentation; their logical IDs renamed where the plan says."""
    try:
        document = _parsed(finding.file, text)
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    resources = document.data.get("Resources") if isinstance(document.data, dict) else None
    if not isinstance(resources, dict) or finding.resource not in resources:
        return "the resource is not where the finding says: lint again"
    body = [line for line in finding.remediation.splitlines() if not line.lstrip().startswith("#")]
    try:
        added = plain_data(
            _json_parts(finding.remediation)
            if document.is_json
            else parse_text("fix.yaml", "\n".join(body)).data
        )
    except (ValueError, ParseError):
        return "the fix is not one set of new resources: apply the remediation by hand"
    if (
        not isinstance(added, dict)
        or not added
        or not all(isinstance(v, dict) and isinstance(v.get("Type"), str) for v in added.values())
    ):
        return "the fix changes a resource the template has: apply the remediation by hand"
    twin = _private_dns_twin(resources, added)
    if twin:
        return twin
    key_line, column = document.locate(["Resources", finding.resource])
    lines = text.splitlines(keepends=True)
    step = _indent_step(lines, key_line, column)
    newline = newline_of(text)
    if document.is_json:
        opening = re.compile(r'"(?:[^"\\]|\\.)*"\s*:\s*(\{)').match(
            text, line_offsets(text)[key_line - 1] + column - 1
        )
        end = closing_at(text, opening.start(1)) if opening else None
        if end is None:
            return "the resource is not written as an object: paste the remediation by hand"
        indent = " " * (column - 1)

        def render_json(names: Dict[str, str]) -> str:
            members = []
            for name, resource in added.items():
                value = json.dumps(_renamed(resource, names), indent=step)
                value = value.replace("\n", newline + indent)
                members.append(f",{newline}{indent}{json.dumps(names.get(name, name))}: {value}")
            return "".join(members)

        return NewText(end + 1, tuple(added), render_json)
    end = key_line
    while end < len(lines):
        row = lines[end].rstrip("\r\n")
        code = row.strip() and not row.lstrip().startswith("#")
        if code and len(row) - len(row.lstrip()) < column:
            break
        end += 1
    while end > key_line and not lines[end - 1].strip():
        end -= 1  # the blank lines after the resource stay between it and the next
    offsets = line_offsets(text)
    at = offsets[end] if end < len(offsets) else len(text)
    prefix = "" if at == 0 or text[at - 1] == "\n" else newline

    def render_yaml(names: Dict[str, str]) -> str:
        written_lines = []
        for row in body:
            depth = (len(row) - len(row.lstrip())) // 2
            row = _renamed_yaml(row.lstrip(), names, depth == 0)
            written_lines.append(" " * (column - 1 + depth * step) + row + newline)
        return prefix + "".join(written_lines)

    return NewText(at, tuple(added), render_yaml)


def names_in_use(path: str, text: str) -> Set[str]:
    """The logical IDs a template's Ref can name: its resources and parameters."""
    try:
        data = _parsed(path, text).data
    except ParseError:
        return set()
    sections = [data.get(s) for s in ("Resources", "Parameters")] if isinstance(data, dict) else []
    return {str(name) for section in sections if isinstance(section, dict) for name in section}


def _renamed(value: Any, names: Dict[str, str]) -> Any:
    """A new resource's data with its references to the fix's other new resources renamed."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in names:
            return {"Ref": names[value["Ref"]]}
        if set(value) == {"Fn::GetAtt"} and isinstance(value["Fn::GetAtt"], list):
            target, *attribute = value["Fn::GetAtt"]
            return {"Fn::GetAtt": [names.get(target, target), *attribute]}
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def _renamed_yaml(row: str, names: Dict[str, str], top: bool) -> str:
    for old, new in names.items():
        if top and row.startswith(f"{old}:"):
            row = new + row[len(old) :]
        row = re.sub(rf"(!Ref |!GetAtt ){re.escape(old)}\b", rf"\g<1>{new}", row)
    return row


def numbered(name: str, number: int) -> str:
    """Another logical ID for a new resource whose own is taken."""
    return f"{name}{number}"


def _written(value: Any, is_json: bool) -> str:
    """A member's value as the template writes it (a literal setting, or a fix's value)."""
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value) if is_json else yaml_flow(value)


def missing_members(finding: Finding, text: str) -> Outcome:
    """The remediation's resource is one the template has, of the same type: the properties it
    gives that the template's lacks, added to its Properties (a DHCP options set's domain name)."""
    try:
        document = _parsed(finding.file, text)
    except ParseError as error:
        return f"the file no longer parses ({error.message})"
    body = [line for line in finding.remediation.splitlines() if not line.lstrip().startswith("#")]
    try:
        given = plain_data(parse_text("fix.yaml", "\n".join(body)).data)
    except ParseError:
        return "the fix is not one resource: apply the remediation by hand"
    resources = document.data.get("Resources") if isinstance(document.data, dict) else None
    if not isinstance(given, dict) or len(given) != 1 or not isinstance(resources, dict):
        return "the fix is not one resource: apply the remediation by hand"
    ((name, resource),) = given.items()
    own = resources.get(name)
    if own is None and resource.get("Type") == "AWS::EC2::DHCPOptions":
        return _options_for_default(finding, document, text, name)
    if not isinstance(own, dict) or own.get("Type") != resource.get("Type"):
        return f"{name} is a resource of another type: add the fix by hand under another name"
    properties = own.get("Properties")
    if not isinstance(properties, dict):
        return f"{name}'s Properties is not written as a mapping: add them by hand"
    found: List[Edit] = []
    for key, value in resource.get("Properties", {}).items():
        if key in properties:
            continue
        outcome = _insert(document, text, ["Resources", name, "Properties"], properties, key, value)
        if isinstance(outcome, str):
            return outcome
        found.extend(outcome)
    return found or f"{name} holds every property the fix gives: lint again"


def _options_for_default(finding: Finding, document: Document, text: str, name: str) -> Outcome:
    """A VPC associated with the ``default`` options (none at all): the new set written after
    the VPC, and the association pointed at it."""
    resources = document.data["Resources"]
    associations = [
        key
        for key, resource in resources.items()
        if isinstance(resource, dict)
        and resource.get("Type") == "AWS::EC2::VPCDHCPOptionsAssociation"
        and isinstance(resource.get("Properties"), dict)
        and resource["Properties"].get("VpcId") == {"Ref": finding.resource}
        and resource["Properties"].get("DhcpOptionsId") == "default"
    ]
    if len(associations) != 1 or name in names_in_use(finding.file, text):
        return (
            "the VPC's association with the default options is not one the fix can point "
            f"at {name}: add {name} and associate it by hand"
        )
    added = new_resources(finding, text)
    if isinstance(added, str):
        return added
    path = ["Resources", associations[0], "Properties", "DhcpOptionsId"]
    line, column = document.locate(path)
    key = '"DhcpOptionsId"' if document.is_json else r"DhcpOptionsId[\"']?"
    value = re.compile(key + r"""\s*:\s*(["']?default["']?)""").match(
        text, line_offsets(text)[line - 1] + column - 1
    )
    if value is None:
        return f"{associations[0]}'s DhcpOptionsId is not written where the file says: change it by hand"
    pointed = json.dumps({"Ref": name}) if document.is_json else f"!Ref {name}"
    return [
        Edit(added.at, added.at, added.render({})),
        Edit(value.start(1), value.end(1), pointed),
    ]


def _json_parts(remediation: str) -> dict:
    """A fix for a JSON template: its parts' members (each part headed by comments) as one."""
    members: dict = {}
    part: List[str] = []
    for line in [*remediation.splitlines(), "#"]:
        if line.lstrip().startswith("#"):
            if part:
                members.update(json.loads("{" + "\n".join(part) + "}"))
            part = []
        else:
            part.append(line)
    return members


def subnet_parts(remediation: str) -> Union[Tuple[str, str, str], str]:
    """A CVL201/CVL202 fix's new resources (the subnet and its route table association) apart
    from its change to the model or job, with the subnet's logical ID and CIDR block."""
    lines = [line for line in remediation.splitlines() if not line.lstrip().startswith("#")]
    if lines and lines[0].startswith('"'):  # a JSON template's members
        members = _json_parts(remediation)
        kept = {k: v for k, v in members.items() if isinstance(v, dict) and "Type" in v}
        text = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, indent=2)}" for k, v in kept.items())
    else:
        chunks: List[List[str]] = []
        for line in lines:
            if not line[:1].isspace():
                chunks.append([])
            if chunks:
                chunks[-1].append(line)
        kept_chunks = [c for c in chunks if len(c) > 1 and c[1].strip().startswith("Type:")]
        text = "\n".join(line for chunk in kept_chunks for line in chunk)
        kept = plain_data(parse_text("fix.yaml", text).data) if text else {}
    subnets = [k for k, v in kept.items() if v.get("Type") == "AWS::EC2::Subnet"]
    if len(subnets) != 1:
        return "the fix is not one new subnet: apply the remediation by hand"
    block = kept[subnets[0]].get("Properties", {}).get("CidrBlock")
    if not isinstance(block, str):
        return "the new subnet's block is not a literal: apply the remediation by hand"
    return text, subnets[0], block


def _private_dns_twin(resources: dict, added: dict) -> str:
    """Why a new endpoint with private DNS would be refused: the template declares one for the
    same service name in the same VPC with private DNS (under a condition, or for another
    ServiceRegion, so it does not serve the job): EC2 creates one such endpoint per service."""
    for new in added.values():
        properties = new.get("Properties", {})
        if (
            new.get("Type") != "AWS::EC2::VPCEndpoint"
            or properties.get("PrivateDnsEnabled") is not True
        ):
            continue
        for name, resource in resources.items():
            own = resource.get("Properties") if isinstance(resource, dict) else None
            if (
                isinstance(own, dict)
                and resource.get("Type") == "AWS::EC2::VPCEndpoint"
                and plain_data(own.get("ServiceName")) == properties.get("ServiceName")
                and plain_data(own.get("VpcId")) == properties.get("VpcId")
                and str(plain_data(own.get("PrivateDnsEnabled"))).lower() != "false"
            ):
                return (
                    f"{name} is this service's endpoint with private DNS (EC2 allows one per "
                    f"VPC): change {name} so it serves the job rather than adding another"
                )
    return ""


def vpc_config(finding: Finding, kind: str, text: str) -> Outcome:
    """The finding's ``fix_vpc_config`` written as a new member: CVL102 a job's
    ``NetworkConfig.VpcConfig`` (``NetworkConfig`` itself where absent, its members kept),
    CVL103 a model's ``VpcConfig``; never over one that is written."""
    target = finding.fix_vpc_config
    assert target is not None
    opened = _properties(target.file, target.resource, kind, text)
    if isinstance(opened, str):
        return opened
    document, root = opened
    properties = dig(document.data, *root)
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
    parent = dig(document.data, *path)
    if key in parent:
        return f"{key} is written ({_brief(parent[key])}): change it by hand"
    member = _member(key, value, document.is_json)
    return add_member(document, text, path, key, member)


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
    value = dig(document.data, "Resources", resource, "Properties", *under)
    if not isinstance(value, dict) or not value:
        return None
    return json.dumps(plain_data(value)) if document.is_json else yaml_flow(value)


def _intrinsic(value: dict) -> bool:
    """A CloudFormation function (``Fn::If``, ``Ref``) in its long form: not a mapping to edit."""
    if len(value) == 1 and next(iter(value)) in ("Ref", "Condition"):
        return True
    return any(str(key).startswith("Fn::") for key in value)


def _member(key: str, value: str, is_json: bool, braces: str = "") -> str:
    """``key: value`` as the file writes a member; ``braces``: inside a one-member mapping."""
    written = f'"{key}": {value}' if is_json else f"{key}: {value}"
    return f"{braces[:1]}{written}{braces[1:]}"
