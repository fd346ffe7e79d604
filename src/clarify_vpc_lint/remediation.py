"""A rule's remediation filled in the finding's own language, valid when pasted.

A rule writes each fix once per language (``rules/*.yaml``); the names a fix needs come from the
subject's context. Names of entities are ``Refs``: rendered as each syntax refers to them
(``!Ref PrivateSubnetA`` in a template, ``aws_subnet.a.id`` in HCL, ``subnet-0abc`` in a shell
command, ``"subnet-0abc"`` in JSON). A name the inputs do not hold is never a placeholder nor an
empty value: its line is given as a comment that shows the gap, says what is missing and which
``describe`` command lists it, so nothing empty can be pasted by accident. A template written in JSON gets the YAML
fix rendered to JSON, so nothing is written twice.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Collection, Dict, Iterable, List, Sequence, Tuple

from . import tfaddress
from .documents import ParseError, parse_yaml
from .names import LOOKED_UP, Refs, Zone

if TYPE_CHECKING:  # the catalogue and resolve/ sit below this layer; only their types
    from .catalogue import Rule
    from .resolve import Subject

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_SHELL = re.compile(r"^\s*(\w+=\"?\$\()?aws ", re.MULTILINE)


def _shell(item: Tuple[str, str]) -> str:
    origin, name = item
    if origin == "acl-of-subnet":  # a network ACL not in the inputs, looked up the same way
        subnet, region = name.split()
        return (
            f'"$(aws ec2 describe-network-acls --region {region} --filters '
            f"Name=association.subnet-id,Values={subnet} "
            "--query 'NetworkAcls[0].NetworkAclId' --output text)\""
        )
    if origin == "default-group-of-vpc":  # a VPC's default security group, looked up by name
        vpc, region = name.split()
        return (
            f'"$(aws ec2 describe-security-groups --region {region} --filters '
            f"Name=vpc-id,Values={vpc} Name=group-name,Values=default "
            "--query 'SecurityGroups[0].GroupId' --output text)\""
        )
    if origin == "vpc-of-subnet":  # a VPC not in the inputs, looked up from its subnet's ID
        subnet, region = name.split()
        return (
            f'"$(aws ec2 describe-subnets --region {region} --subnet-ids {subnet} '
            "--query 'Subnets[0].VpcId' --output text)\""
        )
    return name


def yaml_flow(value: Any) -> str:
    """A CloudFormation value (intrinsics in long form) in YAML flow style with short-form tags."""
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        tag = function[len("Fn::") :] if function.startswith("Fn::") else function
        return f"!{tag} {yaml_flow(argument)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return _flow_item(value) if value and value.strip() == value else json.dumps(value)
    return json.dumps(value)


def _yaml(item: Tuple[str, str]) -> str:
    origin, name = item
    if origin == "value":  # a value as the template writes it (JSON text)
        return yaml_flow(json.loads(name))
    if origin == "default-group":  # the default security group of the VPC ``name``
        return f"!GetAtt {name}.DefaultSecurityGroup"
    if origin == "import":  # an export of another stack
        return f"!ImportValue {json.dumps(name)}"
    if origin == "cloudformation":  # a logical ID is alphanumeric; anything else is quoted
        return f"!Ref {name if name.isalnum() else json.dumps(name)}"
    return name


def _hcl(item: Tuple[str, str], module: str) -> str:
    origin, name = item
    if module and name.startswith(f"{module}."):  # the fix goes into that module's configuration
        name = name[len(module) + 1 :]
    if origin == "default-group":
        return f"{name}.default_security_group_id"
    if origin == "main-table":  # the main route table of the VPC ``name``
        return f"{name}.main_route_table_id"
    return f"{name}.id" if origin == "terraform" else json.dumps(name)


def _has_comment(line: str) -> bool:
    """Whether a line of YAML, HCL, shell or Python ends in a comment: a ``#`` at its start or
    after white space, outside quotes (``["#"]`` holds none)."""
    quote = ""
    for position, character in enumerate(line):
        if quote:
            quote = "" if character == quote and line[position - 1] != "\\" else quote
        elif character in "\"'":
            quote = character
        elif character == "#" and (position == 0 or line[position - 1] in " \t"):
            return True
    return False


def _flow_item(text: str) -> str:
    """A name as an item of a YAML flow list, quoted where YAML would read it otherwise
    (``aws_subnet.private[0]`` inside ``[...]``); a tagged reference (``!Ref X``) stays."""
    if text.startswith("!") or not _FLOW_INDICATORS.search(text):
        return text
    return json.dumps(text)


_FLOW_INDICATORS = re.compile(r"[\[\]{},#'\"]|:\s|^[-?:&*|>%@`]")


# names a shell command looks up from an ID it has


def _writable(origin: str, syntax: str) -> bool:
    """Whether a syntax can name an entity so: an API body or SDK code only by ID, a shell
    command also by a lookup; a template or configuration by anything but a lookup."""
    if origin == "value":  # a template's own value: in the template's syntax only
        return syntax in ("yaml", "text")
    if syntax in ("json", "python"):
        return origin == "id"
    if syntax == "shell":
        return origin == "id" or origin in LOOKED_UP
    return origin not in LOOKED_UP


def written(items: Sequence[Tuple[str, str]], syntax: str, module: str = "") -> str:
    """References as a fix writes them in ``syntax`` (yaml, hcl, json, python); empty where the
    syntax cannot name one (an API body names only IDs)."""
    return _render(Refs(tuple(items)), syntax, module)


def _render(value: Refs, syntax: str, module: str) -> str:
    items = tuple(i for i in value.items if syntax == "text" or _writable(i[0], syntax))
    if syntax == "yaml":
        return ", ".join(_flow_item(_yaml(i)) for i in items)
    if syntax == "hcl":
        return ", ".join(_hcl(i, module) for i in items)
    if syntax == "shell":
        return " ".join(_shell(i) for i in items)
    if syntax == "text":
        return str(Refs(items, value.missing))
    return ", ".join(json.dumps(name) for _, name in items)


def placeholders(template: str) -> List[str]:
    """The names a remediation template fills in."""
    return _PLACEHOLDER.findall(template)


def syntax_of(language: str, text: str) -> str:
    """yaml, json, hcl, python or shell: how a remediation template is written."""
    language = language.split("/")[0]  # a variant is written in its language
    if language == "terraform":
        return "hcl"
    if language in ("cloudformation", "config"):
        return "yaml"
    if language == "python":
        return "python"
    return "shell" if _SHELL.search(text) else "json"


def fill(template: str, names: Dict[str, Any], syntax: str = "text", module: str = "") -> str:
    """Put names into a template's ``{placeholder}``s (other braces, ``${AWS::Region}``, stay);
    a line naming something the inputs lack ends with a comment saying so. A Terraform fix for
    a resource of ``module`` (``module.net``) names that module's resources as its code does."""
    lines: List[str] = [f"# in the configuration of {module}"] if module else []
    for line in template.split("\n"):
        is_comment = line.lstrip().startswith("#")
        filled, notes = _fill_line(line, names, "text" if is_comment else syntax, module)
        if syntax == "python" and not is_comment and _unfilled_list(line, filled):
            lines.append(_commented_out(filled, notes))
            continue
        if _GAP in filled:
            _drop_trailing_comma(lines, filled, syntax)
            lines.append(_left_out(filled, notes))
            continue
        if notes and (is_comment or syntax in ("yaml", "hcl", "shell", "python")):
            filled += ("; " if _has_comment(filled) else "  # ") + "; ".join(notes)
        elif notes and syntax == "json" and not is_comment:
            lines.append("# " + "; ".join(notes))
        lines.append(filled)
    return "\n".join(lines)


# a value the inputs do not hold, while a line is filled: the line is then given as a comment
_GAP = "\x00"
_GAP_KEY = re.compile(r"([\w-]+)\W{0,4}\x00")  # the key, argument or option before a gap
_WHERE_TO_LOOK = {  # what lists the values a fix lacks, by a word of its line, for its comment
    "subnet": "aws ec2 describe-subnets lists your subnets",
    "group": "aws ec2 describe-security-groups lists your security groups",
    "vpc": "aws ec2 describe-vpcs lists your VPCs",
    "route": "aws ec2 describe-route-tables lists your route tables",
    "cidr": "aws ec2 describe-vpcs and describe-subnets show the blocks in use",
    "zone": "aws ec2 describe-availability-zones lists the zones",
}


def _left_out(filled: str, notes: List[str]) -> str:
    """A line with a value the inputs do not hold, as a comment: pasted, it does nothing (a
    resource or command without it is refused), and it says what is missing and where to look."""
    indent = filled[: len(filled) - len(filled.lstrip())]
    missing = " ".join(_GAP_KEY.findall(filled)).lower()  # the keys or options left without
    hints = [hint for word, hint in _WHERE_TO_LOOK.items() if word in missing]
    text = filled.strip().replace(f"[{_GAP}]", "[their IDs]").replace(f'"{_GAP}"', _GAP)
    text = text.replace(_GAP, "(its value)")
    said = "; ".join([*notes, *hints]) or "not in the inputs"
    return f"{indent}# {text}{'; ' if _has_comment(text) else '  # '}{said}"


def _drop_trailing_comma(lines: List[str], filled: str, syntax: str) -> None:
    """JSON members: the member before the last one, given as a comment, ends without a comma."""
    if syntax == "json" and not filled.rstrip().endswith(","):
        for index in range(len(lines) - 1, -1, -1):
            if not lines[index].lstrip().startswith("#"):
                lines[index] = lines[index].rstrip().removesuffix(",")
                break


_LIST_PLACEHOLDER = re.compile(r"\[\{[a-z][a-z0-9_]*\}\]")
_WHERE_TO_FIND = {  # what lists the values a Python fix lacks, for its comment
    "subnet": "aws ec2 describe-subnets lists your subnets and their Availability Zones",
    "group": "aws ec2 describe-security-groups lists your security groups",
}


def _unfilled_list(template: str, filled: str) -> bool:
    """A Python line whose list the inputs cannot fill: pasted, ``[]`` would run without error
    and mean nothing (no subnets), so the line is given as a comment instead."""
    return bool(_LIST_PLACEHOLDER.search(template)) and "[]" in filled


def _commented_out(filled: str, notes: List[str]) -> str:
    indent = filled[: len(filled) - len(filled.lstrip())]
    text = filled.strip().replace("[]", "[their IDs]")
    hints = [hint for word, hint in _WHERE_TO_FIND.items() if word in text.lower()]
    return f"{indent}# {text}  # {'; '.join([*notes, *hints]) or 'not in the inputs'}"


def _fill_line(
    line: str, names: Dict[str, Any], syntax: str, module: str = ""
) -> Tuple[str, List[str]]:
    notes: List[str] = []
    parts: List[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(line):
        parts.append(line[position : match.start()])
        position = match.end()
        value = names.get(match.group(1), match.group(0))
        missing = getattr(value, "missing", "")  # what a Name, Zone or Refs says the inputs lack
        if missing and missing not in notes:
            notes.append(missing)
        if isinstance(value, Zone):
            zone = _zone(value, syntax)
            empty = zone in ("", '""') and syntax not in ("text", "python")
            parts.append(_GAP if empty else zone)
            continue
        if not isinstance(value, Refs):
            parts.append(str(value))
            continue
        rendered = _render(value, syntax, module)
        if syntax == "hcl":
            notes += [note for note in _out_of_reach(value, module) if note not in notes]
        if syntax in ("json", "python", "shell"):
            notes += [
                f"{name} is defined in a template or configuration: write its ID"
                for origin, name in value.items
                if not _writable(origin, syntax) and origin not in LOOKED_UP
            ]
        if not rendered and line.startswith(", ", position):
            position += 2  # [{none}, !Ref NewSubnet]: the new one alone
        elif not rendered and syntax == "python" and not _in_list(line, match):
            rendered = "None"
        elif not rendered and syntax != "text" and syntax != "python":
            rendered = _GAP  # never an empty value: the line is given as a comment (_left_out)
        parts.append(rendered)
    parts.append(line[position:])
    return "".join(parts), notes


def _out_of_reach(value: Refs, module: str) -> List[str]:
    """Terraform code names only its own module's resources: another module's are reached through
    that module's outputs, the caller's through a variable."""
    notes = []
    for origin, name in value.items:
        if origin not in ("terraform", "default-group", "main-table"):
            continue
        address = tfaddress.parse(name)
        owner = address.module if address is not None else ""
        if owner == module:
            continue
        if owner.startswith(f"{module}.") or not module:
            notes.append(f"{name} is inside {owner}: use an output of that module")
        else:
            notes.append(f"{name} is outside {module}: pass it in as a variable")
    return notes


def _in_list(line: str, match: re.Match) -> bool:
    return line[: match.start()].rstrip().endswith("[")


# a part of a fix that goes into another template than the finding's is headed with it
_PART_FILE = re.compile(r"^# in (?P<file>.+), under [A-Za-z]+:$")


def in_template_syntax(yaml_fix: str, is_json: bool, json_files: Collection[str] = ()) -> str:
    """A CloudFormation fix written in YAML, each part in the syntax of the template it goes
    into: a part headed ``# in FILE, under Resources:`` in FILE's, the others in the finding's
    template's (``is_json``). A JSON part gets its comments first (JSON has none), then its
    members to paste, an object's braces left off."""
    parts: List[Tuple[List[str], List[str]]] = []
    for line in yaml_fix.splitlines():
        comment = line.startswith("#")  # indented: a member given as a comment, in its part
        if not parts or comment and parts[-1][1]:
            parts.append(([], []))
        parts[-1][0 if comment else 1].append(line.strip() if comment else line)
    rendered, part_json = [], is_json
    for comments, body in parts:
        headed = next((m for m in map(_PART_FILE.match, comments) if m), None)
        if headed is not None:
            part_json = headed.group("file") in json_files
        if not part_json:
            rendered.extend([*comments, *body])
            continue
        notes = [f"# {note}" for note in map(_inline_comment, body) if note]
        try:
            members = [_json_members(parse_yaml("\n".join(body)))] if body else []
        except ParseError:  # a name YAML cannot hold unquoted (a control character): as written
            members = body
        rendered.extend([*comments, *notes, *members])
    return "\n".join(rendered)


def _inline_comment(line: str) -> str:
    """The comment ending a YAML line (`` # ...`` outside quotes), or ""."""
    quote = ""
    for position, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and position and line[position - 1] in " \t":
            return line[position + 1 :].strip()
    return ""


def _json_members(parsed: Any) -> str:
    data = plain_data(parsed)
    if not isinstance(data, dict):
        return json.dumps(data, indent=2)
    body = json.dumps(data, indent=2)[1:-1].strip("\n")
    return "\n".join(line[2:] for line in body.splitlines())


def plain_data(value: Any) -> Any:
    """Parsed YAML as plain JSON data: keys as strings, each mapping and list a plain one."""
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    return value


def _zone(zone: Zone, syntax: str) -> str:
    """A new subnet's zone as ``syntax`` writes it: by Fn::GetAZs index or the stack's region."""
    if syntax == "yaml" and zone.index is not None:
        return f"!Select [{zone.index}, !GetAZs '']"
    if syntax == "yaml" and zone.name:
        return f'!Sub "${{AWS::Region}}{zone.name[-1]}"'
    if syntax in ("hcl", "json", "python"):
        return json.dumps(zone.name)
    return zone.name or ('""' if syntax in ("yaml", "shell") else "")


def remediation_for(rule: Rule, subject: Subject, names: Dict[str, Any]) -> str:
    """The rule's fix in the subject's language; a template written in JSON gets it in JSON."""
    language = subject.loc.language
    variant = subject.context.get("variant") or subject.loc.variant
    written_in = rule.remediation_key(language, variant)
    if written_in == "api" and language == "config":
        # a job declared beside a plan or template: what its fix changes is written there
        named = [names.get(name) for name in placeholders(rule.remediation["api"])]
        origins = {o for v in named if isinstance(v, Refs) for o, _ in v.items}
        written = origins & {"terraform", "cloudformation"}
        if len(written) == 1 and written <= set(rule.remediation):
            written_in = language = written.pop()
    template = rule.remediation[written_in]
    module = ""
    if language == "terraform":
        address = tfaddress.parse(subject.loc.resource)
        module = address.module if address is not None else ""
    filled = fill(template, names, syntax_of(written_in, template), module)
    if language == "python" and subject.loc.origin:  # decided by the SDK defaults file
        filled = f"# {subject.loc.origin}\n{filled}"
    if language == "cloudformation":
        return in_template_syntax(filled, subject.loc.is_json, names.get("json_files", ()))
    return filled


def _comments(text: str) -> List[str]:
    """The comments of a fix's lines (a whole line's, or the one ending a line)."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        comment = stripped[1:].strip() if stripped.startswith("#") else _inline_comment(line)
        if comment:
            found.append(comment)
    return found


def notes_added(templates: Iterable[str], filled: str) -> List[str]:
    """The comments of a filled fix that none of its rule's templates writes: what ``fill`` says
    the inputs lack (or where a fix goes apart), so the fix is not complete as printed."""
    patterns = [
        re.compile(
            "".join(
                ".+?" if _PLACEHOLDER.fullmatch(part) else re.escape(part)
                for part in _PLACEHOLDER_SPLIT.split(comment)
            )
        )
        for template in templates
        for comment in _comments(template)
    ]
    patterns.append(re.compile(r"in the configuration of \S.*"))  # a module's fix: its code
    # a new subnet's zone by its letter in the stack's region: a caution, not a lack
    patterns.append(
        re.compile(r"check that your account has [a-z0-9-]+ \(describe-availability-zones\)")
    )
    return [c for c in _comments(filled) if not any(p.fullmatch(c) for p in patterns)]


_PLACEHOLDER_SPLIT = re.compile(r"(\{[a-z][a-z0-9_]*\})")


def without_comments(text: str) -> str:
    """A fix's lines without their comments: what it writes, whatever it says about it."""
    lines = []
    for line in text.splitlines():
        comment = _inline_comment(line)
        if comment:
            line = line[: line.rindex(comment)].rstrip().rstrip("#").rstrip()
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append(line)
    return "\n".join(lines)
