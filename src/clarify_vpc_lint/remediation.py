"""A rule's remediation filled in the finding's own language, valid when pasted.

A rule writes each fix once per language (``rules/*.yaml``); the names a fix needs come from the
subject's context. Names of entities are ``Refs``: rendered as each syntax refers to them
(``!Ref PrivateSubnetA`` in a template, ``aws_subnet.a.id`` in HCL, ``subnet-0abc`` in a shell
command, ``"subnet-0abc"`` in JSON). A name the inputs do not hold is never a placeholder: the
value is left empty and the line says why in a comment. A template written in JSON gets the YAML
fix rendered to JSON, so nothing is written twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Sequence, Tuple

from .awsfacts import DEFAULT_REGION
from .readers.source import parse_yaml

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_SHELL = re.compile(r"^\s*(\w+=\"?\$\()?aws ", re.MULTILINE)
_IDS = ("subnet-", "sg-", "vpc-", "rtb-", "vpce-", "acl-", "dopt-")


@dataclass(frozen=True)
class Refs:
    """Entities a fix names: (origin, name) with origin ``cloudformation``, ``terraform`` or
    ``id`` (a real AWS ID); ``missing`` says which are not in the inputs, for a comment."""

    items: Tuple[Tuple[str, str], ...] = ()
    missing: str = ""

    def __str__(self) -> str:  # in prose (messages): the names as written
        return ", ".join(name for _, name in self.items) or "(none)"


@dataclass(frozen=True)
class Name:
    """A name a fix writes as it is (a resource to change, a key to add); ``missing`` says, in a
    comment, that the inputs do not hold the real one."""

    text: str
    missing: str = ""

    def __str__(self) -> str:
        return self.text


def ref_item(name: str, language: str) -> Tuple[str, str]:
    """How an entity named ``name`` (its location's resource) is referred to."""
    if name.startswith(_IDS) or language not in ("cloudformation", "terraform"):
        return ("id", name)
    return (language, name)


def _shell(item: Tuple[str, str]) -> str:
    origin, name = item
    if origin == "acl-of-subnet":  # a network ACL not in the inputs, looked up the same way
        subnet, region = name.split()
        return (
            f'"$(aws ec2 describe-network-acls --region {region} --filters '
            f"Name=association.subnet-id,Values={subnet} "
            "--query 'NetworkAcls[0].NetworkAclId' --output text)\""
        )
    if origin == "vpc-of-subnet":  # a VPC not in the inputs, looked up from its subnet's ID
        subnet, region = name.split()
        return (
            f'"$(aws ec2 describe-subnets --region {region} --subnet-ids {subnet} '
            "--query 'Subnets[0].VpcId' --output text)\""
        )
    return name


def _yaml(item: Tuple[str, str]) -> str:
    origin, name = item
    return f"!Ref {name}" if origin == "cloudformation" else name


def _hcl(item: Tuple[str, str]) -> str:
    origin, name = item
    return f"{name}.id" if origin == "terraform" else json.dumps(name)


def _flow_item(text: str) -> str:
    """A name as an item of a YAML flow list, quoted where YAML would read it otherwise
    (``aws_subnet.private[0]`` inside ``[...]``); a tagged reference (``!Ref X``) stays."""
    if text.startswith("!") or not _FLOW_INDICATORS.search(text):
        return text
    return json.dumps(text)


_FLOW_INDICATORS = re.compile(r"[\[\]{},#'\"]|:\s|^[-?:&*|>%@`]")


def _render(value: Refs, syntax: str) -> str:
    items = value.items
    if syntax != "shell":  # only a shell command can look a name up
        items = tuple(i for i in items if not i[0].endswith("-of-subnet"))
    if syntax == "yaml":
        return ", ".join(_flow_item(_yaml(i)) for i in items)
    if syntax == "hcl":
        return ", ".join(_hcl(i) for i in items)
    if syntax == "shell":
        return " ".join(_shell(i) for i in items)
    if syntax == "text":
        return str(Refs(items, value.missing))
    return ", ".join(json.dumps(name) for _, name in items)


def syntax_of(language: str, text: str) -> str:
    """yaml, json, hcl, python or shell: how a remediation template is written."""
    if language == "terraform":
        return "hcl"
    if language in ("cloudformation", "config"):
        return "yaml"
    if language == "python":
        return "python"
    return "shell" if _SHELL.search(text) else "json"


def fill(template: str, names: Dict[str, Any], syntax: str = "text") -> str:
    """Put names into a template's ``{placeholder}``s (other braces, ``${AWS::Region}``, stay);
    a line naming something the inputs lack ends with a comment saying so."""
    lines: List[str] = []
    for line in template.split("\n"):
        is_comment = line.lstrip().startswith("#")
        filled, notes = _fill_line(line, names, "text" if is_comment else syntax)
        if notes and (is_comment or syntax in ("yaml", "hcl", "shell", "python")):
            filled += ("; " if "#" in filled else "  # ") + "; ".join(notes)
        elif notes and syntax == "json" and not is_comment:
            lines.append("# " + "; ".join(notes))
        lines.append(filled)
    return "\n".join(lines)


def _fill_line(line: str, names: Dict[str, Any], syntax: str) -> Tuple[str, List[str]]:
    notes: List[str] = []
    parts: List[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(line):
        parts.append(line[position : match.start()])
        position = match.end()
        value = names.get(match.group(1), match.group(0))
        if isinstance(value, Name) and value.missing and value.missing not in notes:
            notes.append(value.missing)
        if not isinstance(value, Refs):
            parts.append(str(value))
            continue
        if value.missing and value.missing not in notes:
            notes.append(value.missing)
        rendered = _render(value, syntax)
        if not rendered and line.startswith(", ", position):
            position += 2  # [{none}, !Ref NewSubnet]: the new one alone
        elif not rendered and syntax != "text" and not _in_list(line, match):
            rendered = {"hcl": "null", "json": "null", "python": "None"}.get(syntax, '""')
        parts.append(rendered)
    parts.append(line[position:])
    return "".join(parts), notes


def _in_list(line: str, match: re.Match) -> bool:
    return line[: match.start()].rstrip().endswith("[")


def as_json(yaml_fix: str) -> str:
    """A CloudFormation fix written in YAML, for a template written in JSON: its comments first
    (JSON has none), then the JSON members to paste (an object's braces left off)."""
    comments = [line.strip() for line in yaml_fix.splitlines() if line.strip().startswith("#")]
    data = _plain(parse_yaml(yaml_fix))
    if isinstance(data, dict):
        body = json.dumps(data, indent=2)[1:-1].strip("\n")
        body = "\n".join(line[2:] for line in body.splitlines())
    else:
        body = json.dumps(data, indent=2)
    return "\n".join([*comments, body])


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def remediation_region(network: Any, region: str) -> str:
    """The region a fix names: the run's, unless --region was left at its default and the
    inventory's Availability Zones all name another one (eu-west-1a is in eu-west-1)."""
    regions = {
        match.group(1)
        for subnet in network.subnets
        if isinstance(subnet.availability_zone, str)
        for match in [_AZ_REGION.match(subnet.availability_zone)]
        if match
    }

    return regions.pop() if region == DEFAULT_REGION and len(regions) == 1 else region


_AZ_REGION = re.compile(r"^([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)[a-z]$")


def refs(items: Sequence[Tuple[str, str]], missing: str = "") -> Refs:
    return Refs(tuple(dict.fromkeys(items)), missing)
