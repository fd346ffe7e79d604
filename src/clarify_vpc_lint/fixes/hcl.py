"""Fixes in Terraform configuration (``.tf``): an argument's literal value changed inside its
block, or the argument added as the block's first line, in the block's indentation."""

from __future__ import annotations

import os
import re
from typing import Callable, Dict, List, Optional, Set, Tuple, Union

from .. import hcl_text, tfaddress
from ..findings import Finding
from ..remediation import written
from . import (
    Edit,
    ListItem,
    NewText,
    Outcome,
    Setting,
    after_last_item,
    closing,
    line_offsets,
    newline_of,
    read_source,
)

# a list written as the attribute of every instance of a resource (aws_subnet.private[*].id)
_SPLAT = re.compile(r"[a-z0-9_]+\.[\w-]+\[\*\]\.[a-z_]+")


def edits(finding: Finding, kind: str, text: str, settings: Tuple[Setting, ...]) -> Outcome:
    if not finding.file.endswith(".tf"):
        return "a .tf.json file: change it by hand"
    offsets = line_offsets(text)
    if finding.line > len(offsets):
        return "the block is not where the finding says: lint again"
    block = _block(text, offsets[finding.line - 1])
    if block is None:
        return "the block is not where the finding says: lint again"
    governed = _private_dns_set_apart(text, finding.resource)
    if governed and any(setting.terraform == "private_dns_enabled" for setting in settings):
        return f"private DNS is set apart by {governed}: set private_dns_enabled = true there"
    found: List[Edit] = []
    for setting in settings:
        if setting.terraform is None:
            return "its fix is not written automatically in Terraform"
        outcome = _setting(text, offsets, block, setting)
        if isinstance(outcome, str):
            return outcome
        found.extend(outcome)
    return found or "the arguments the fix writes are already in place: lint again"


_PRIVATE_DNS = re.compile(r'resource\s+"aws_vpc_endpoint_private_dns"\s+"([^"]+)"\s*\{')


def _private_dns_set_apart(text: str, endpoint: str) -> Optional[str]:
    """The aws_vpc_endpoint_private_dns resource that sets the endpoint's private DNS, which
    wins over the endpoint's own argument (so the fix belongs there), or None."""
    base = endpoint.split("[", 1)[0]  # aws_vpc_endpoint.interface["sagemaker.api"]
    for match in _PRIVATE_DNS.finditer(text):
        end = text.find("\n}", match.end())  # a top-level block closes at the line's start
        if re.search(re.escape(base) + r"\b", text[match.end() : end if end >= 0 else len(text)]):
            return f"aws_vpc_endpoint_private_dns.{match.group(1)}"
    return None


def _setting(text: str, offsets: List[int], block: _Block, setting: Setting) -> Outcome:
    name = setting.terraform
    wanted = str(setting.value).lower()
    pattern = re.compile(
        rf"[ \t]*{re.escape(name)}[ \t]*=[ \t]*(?P<value>[^\r\n#]*?)[ \t]*(?:#.*|//.*)?\r?$", re.M
    )
    written = [
        match
        for line, depth in block.depths.items()
        if depth > 0 and (match := pattern.match(text, offsets[line - 1])) is not None
    ]
    if len(written) > 1:
        return f"{name} is written {len(written)} times in the block: change it by hand"
    if written:
        value = written[0].group("value")
        if value == wanted:
            return []
        if value not in ("true", "false"):
            return f"{name} is {value}, not a literal: set it to {wanted} where its value is given"
        return [Edit(written[0].start("value"), written[0].end("value"), wanted)]
    if not setting.insert:
        return f"{name} is not written in the block: set it to {wanted}"
    first = min(
        (
            line
            for line, depth in block.depths.items()
            if depth == 1 and text[offsets[line - 1] : offsets[line - 1] + 200].strip()
        ),
        default=None,
    )
    if first is None or first == block.first_line:
        return f"the block is written on one line: add {name} = {wanted} by hand"
    start = offsets[first - 1]
    indent = re.match(r"[ \t]*", text[start:]).group(0)
    return [Edit(start, start, f"{indent}{name} = {wanted}{newline_of(text)}")]


class _Block:
    def __init__(self, first_line: int, depths: Dict[int, int]) -> None:
        self.first_line = first_line
        self.depths = depths  # every line that starts inside the block: its nesting there


def _block(text: str, start: int) -> Optional[_Block]:
    """The block whose header starts at ``start``: the depth at the start of each line inside
    it (1 directly in the block, -1 in a heredoc: never an argument); None where the header's
    line ends with no block open or the block does not close."""
    first_line = text.count("\n", 0, start) + 1
    depths: Dict[int, int] = {}
    for event, line, depth in hcl_text.scan(text, start):
        if event == "}" and depth == 0:
            return _Block(first_line, {n: d for n, d in depths.items() if n < line or d > 0})
        if event == hcl_text.HEREDOC:
            depths[line] = -1
        elif event == hcl_text.COMMENT or (event == hcl_text.CODE and depth):
            depths[line] = depth
        elif event == hcl_text.CODE:
            return None
    return None


def append(finding: Finding, kind: str, text: str, item: ListItem) -> Outcome:
    """The finding's ``fix_adds`` added to the list argument ``item.terraform`` of its block."""
    if not finding.file.endswith(".tf"):
        return "a .tf.json file: change it by hand"
    offsets = line_offsets(text)
    block = _block(text, offsets[finding.line - 1]) if finding.line <= len(offsets) else None
    if block is None:
        return "the block is not where the finding says: lint again"
    address = tfaddress.parse(finding.resource)
    added = written(finding.fix_adds, "hcl", address.module if address is not None else "")
    name = item.terraform
    pattern = re.compile(rf"[ \t]*{re.escape(name)}[ \t]*=[ \t]*")
    found = [
        match
        for line, depth in block.depths.items()
        if depth > 0 and (match := pattern.match(text, offsets[line - 1])) is not None
    ]
    if len(found) != 1:
        return f"{name} is written {len(found)} times in the block: add {added} by hand"
    start = found[0].end()
    end = closing(text, start) if text.startswith("[", start) else None
    if end is None:
        line_end = text.find("\n", start)
        value = text[start : len(text) if line_end < 0 else line_end].rstrip("\r")
        if _SPLAT.fullmatch(value.strip()):  # aws_subnet.private[*].id: a list expression
            return [Edit(start, start + len(value.rstrip()), f"concat({value.strip()}, [{added}])")]
        return f"{name} is {value.strip()}, not a list: add {added} where its value is given"
    return [after_last_item(text, end, added)]


def parse_problem(path: str, text: str) -> Optional[str]:
    from ..documents import ParseError
    from ..readers.terraform.config.hcl import parse_hcl

    try:
        parse_hcl(text, path)
    except ParseError as error:
        return error.message
    return None


_RESOURCE = re.compile(r'^resource\s+"([^"]+)"\s+"([^"]+)"\s*\{', re.M)
# an endpoint whose service comes from a variable or loop: it may be any service
_COMPUTED_SERVICE = re.compile(r"^\s*service_name\s*=\s*(?!\"[^\"$]*\"\s*(?:#.*)?$)", re.M)


def new_resources(finding: Finding, text: str) -> Union[NewText, str]:
    """The finding's remediation, new resource blocks, written after the finding's block in the
    same file; their addresses renamed where the plan says."""
    offsets = line_offsets(text)
    block = _block(text, offsets[finding.line - 1]) if finding.line <= len(offsets) else None
    if block is None or not block.depths:
        return "the block is not where the finding says: lint again"
    body = "\n".join(
        line for line in finding.remediation.splitlines() if not line.startswith("#")
    ).strip("\n")
    headers = [(m.group(1), m.group(2)) for m in _RESOURCE.finditer(body)]
    inside = _INSIDE_BLOCK.match(finding.remediation)
    if inside is not None and not headers:
        return _nested_blocks(text, inside.group(1), inside.group(2), body)
    if not headers or not body.startswith("resource "):
        return "the fix changes a block the configuration has: apply the remediation by hand"
    inline = _inline_rules(text, body)
    if inline is not None:
        return inline
    twin = _private_dns_twin(finding, text, body)
    if twin:
        return twin
    computed = _endpoints_of_any_service(finding, text)
    if computed and "private_dns_enabled = true" in body:
        return (
            f"{computed} creates the module's interface endpoints from its variables: give it "
            "this service there (a second endpoint with private DNS for one service is refused)"
        )
    last = max(block.depths)
    newline = newline_of(text)
    at = offsets[last] if last < len(offsets) else len(text)
    prefix = newline if at == len(text) and not text.endswith("\n") else ""

    def render(names: Dict[str, str]) -> str:
        written = body
        for old, new in names.items():
            kind, name = old.split(".", 1)
            new_name = new.split(".", 1)[1]
            written = written.replace(
                f'resource "{kind}" "{name}"', f'resource "{kind}" "{new_name}"'
            )
            written = re.sub(rf"\b{re.escape(old)}(?=[.\[])", new, written)
        return prefix + newline + written.replace("\n", newline) + newline

    return NewText(at, tuple(f"{kind}.{name}" for kind, name in headers), render)


def _endpoints_of_any_service(finding: Finding, text: str) -> str:
    """In a module, the address of an endpoint block whose service comes from a variable: each
    instance of the module may already have the service a new endpoint would add."""
    address = tfaddress.parse(finding.resource)
    if address is None or not address.module:
        return ""
    for path, source in _module_files(finding.file, text):
        for match in _RESOURCE.finditer(source):
            if match.group(1) != "aws_vpc_endpoint":
                continue
            inside = _block(source, match.start())
            end = (
                line_offsets(source)[max(inside.depths) - 1]
                if inside and inside.depths
                else len(source)
            )
            if _COMPUTED_SERVICE.search(source, match.end(), end):
                return f"aws_vpc_endpoint.{match.group(2)} ({os.path.basename(path)})"
    return ""


def _module_files(path: str, text: str) -> List[Tuple[str, str]]:
    """The ``.tf`` files of the module ``path`` is in: ``path`` with ``text``, the others read."""
    folder = os.path.dirname(path) or "."
    files = [(path, text)]
    for name in sorted(os.listdir(folder)):
        other = os.path.join(folder, name)
        if name.endswith(".tf") and not os.path.samefile(other, path):
            # read as the edits are applied (fixes.read_source): the editor's text, \r\n kept
            files.append((other, read_source(other, errors="replace")))
    return files


def names_in_use(path: str, text: str) -> Set[str]:
    """The resource addresses of the module ``path`` is in (every ``.tf`` file of its folder)."""
    return {
        f"{m.group(1)}.{m.group(2)}"
        for _, source in _module_files(path, text)
        for m in _RESOURCE.finditer(source)
    }


def numbered(address: str, number: int) -> str:
    """Another address for a new block whose own is taken."""
    return f"{address}_{number}"


_IN_BLOCK = re.compile(r"^# in ([a-z0-9_]+)\.([\w-]+) \(")  # the block a fix's arguments go into
_ARGUMENT = re.compile(r"^([a-z_][a-z0-9_]*)\s*=\s*(.+?)\s*$")


def missing_members(finding: Finding, text: str) -> Union[Tuple[str, List[Edit]], str]:
    """The remediation's arguments for a block the configuration has (``# in TYPE.NAME (...)``):
    those the block lacks, added as its first lines; with the file the block is in."""
    heading = _IN_BLOCK.match(finding.remediation)
    arguments = [
        match
        for line in finding.remediation.splitlines()
        if (match := _ARGUMENT.match(line)) is not None
    ]
    if heading is None or not arguments:
        return "the fix is not arguments of a block: apply the remediation by hand"
    kind, name = heading.groups()
    for path, source in _module_files(finding.file, text):
        for match in _RESOURCE.finditer(source):
            if (match.group(1), match.group(2)) != (kind, name):
                continue
            block = _block(source, match.start())
            if block is None:
                return f"{kind}.{name} does not close: add the arguments by hand"
            edits: List[Edit] = []
            for argument in arguments:
                setting = re.compile(rf"[ \t]*{re.escape(argument.group(1))}[ \t]*=", re.M)
                offsets = line_offsets(source)
                if any(
                    depth == 1 and setting.match(source, offsets[line - 1])
                    for line, depth in block.depths.items()
                ):
                    continue
                first = min(
                    (
                        n
                        for n, depth in block.depths.items()
                        if depth == 1
                        and n > block.first_line
                        and source[offsets[n - 1] :].split("\n", 1)[0].strip()
                    ),
                    default=None,
                )
                if first is None:
                    return f"{kind}.{name} is written on one line: add the arguments by hand"
                start = offsets[first - 1]
                indent = re.match(r"[ \t]*", source[start:]).group(0) or "  "
                line_text = f"{indent}{argument.group(1)} = {argument.group(2)}{newline_of(source)}"
                edits.append(Edit(start, start, line_text))
            if not edits:
                return f"{kind}.{name} holds every argument the fix gives: lint again"
            return path, edits
    return f"{kind}.{name} is not in the files of this module: add the arguments there"


_INSIDE_BLOCK = re.compile(r"^# in ([a-z0-9_]+)\.([\w-]+): ")  # nested blocks of a fix go there
_NESTED = re.compile(r"^[ \t]+(egress|ingress)\s*\{", re.M)


def _nested_blocks(text: str, kind: str, name: str, body: str) -> Union[NewText, str]:
    """A fix's nested blocks (a network ACL's ``egress``/``ingress`` rules) added at the end of
    the block ``kind.name`` of the same file, in its indentation."""
    offsets = line_offsets(text)
    for match in _RESOURCE.finditer(text):
        if (match.group(1), match.group(2)) != (kind, name):
            continue
        block = _block(text, match.start())
        if block is None or not block.depths:
            return f"{kind}.{name} does not close: add the rules by hand"
        last = max(block.depths)
        inner = [
            text[offsets[n - 1] :].split("\n", 1)[0]
            for n, depth in block.depths.items()
            if depth == 1 and n != last
        ]
        separate = re.search(
            rf'resource\s+"aws_network_acl_rule"[^{{]*\{{[^}}]*\b{re.escape(kind)}\.{re.escape(name)}\.id',
            text,
        )
        if separate and not any(_NESTED.match(line) for line in inner):
            return (
                f"{kind}.{name}'s rules are aws_network_acl_rule resources: add the rules as "
                "aws_network_acl_rule resources"
            )
        indent = next((re.match(r"[ \t]*", line).group(0) for line in inner if line.strip()), "")
        newline = newline_of(text)
        rows = [(indent or "  ") + row if row.strip() else row for row in body.splitlines()]
        written = newline + newline.join(rows) + newline
        return NewText(offsets[last - 1], (), _unnamed(written))
    return f"{kind}.{name} is not in this file: add the rules to it by hand"


def _unnamed(written: str) -> Callable[[Dict[str, str]], str]:
    """The render of new text that names nothing (nested blocks): the same under any names."""
    return lambda names: written


def subnet_parts(remediation: str) -> Union[Tuple[str, str, str], str]:
    """A CVL201/CVL202 fix's new blocks (the subnet and its route table association) apart from
    its change to the model, with the subnet's address and CIDR block."""
    kept: List[str] = []
    for line in remediation.splitlines():
        if line[:1] not in ("", " ", "\t", "#", "}") and not line.startswith("resource "):
            break  # the model's vpc_config: the list append writes it
        kept.append(line)
    text = "\n".join(kept)
    subnets = [m.group(2) for m in _RESOURCE.finditer(text) if m.group(1) == "aws_subnet"]
    block = re.search(r'^\s*cidr_block\s*=\s*"([^"]+)"', text, re.M)
    if len(subnets) != 1 or block is None:
        return "the fix is not one new subnet with a literal block: apply the remediation by hand"
    return text, f"aws_subnet.{subnets[0]}", block.group(1)


_RULE_TYPES = (
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
)
_ATTRIBUTE = re.compile(r"^[ \t]*([a-z_]+)[ \t]*=[ \t]*(.+?)[ \t]*(?:#.*)?$", re.M)


def _inline_rules(text: str, body: str) -> Optional[Union[NewText, str]]:
    """Security group rules for a group whose rules the file writes inline (``ingress`` and
    ``egress`` blocks): Terraform cannot mix those with rule resources (each overwrites the
    other), so the rules become blocks at the end of the group's block. None: not that case."""
    rules = []
    for match in _RESOURCE.finditer(body):
        inside = _block(body, match.start())
        end = line_offsets(body)[max(inside.depths) - 1] if inside and inside.depths else len(body)
        rules.append((match.group(1), dict(_ATTRIBUTE.findall(body, match.end(), end))))
    if not rules or any(kind not in _RULE_TYPES for kind, _ in rules):
        return None
    groups = {attributes.get("security_group_id") for _, attributes in rules}
    group = re.fullmatch(r"aws_security_group\.([\w-]+)\.id", groups.pop() or "")
    if len(groups) or group is None:
        return None
    offsets = line_offsets(text)
    for match in _RESOURCE.finditer(text):
        if match.group(1) != "aws_security_group" or match.group(2) != group.group(1):
            continue
        block = _block(text, match.start())
        if block is None or not block.depths:
            return None
        last = max(block.depths)
        inner = [
            text[offsets[n - 1] :].split("\n", 1)[0] for n, d in block.depths.items() if d == 1
        ]
        if not any(_NESTED.match(line) for line in inner if line.strip()):
            return None  # no inline rules: rule resources are the way
        indent = next((re.match(r"[ \t]*", line).group(0) for line in inner if line.strip()), "  ")
        nested = [
            line
            for kind, attributes in rules
            for line in _nested_rules(kind, attributes, f"aws_security_group.{group.group(1)}")
        ]
        newline = newline_of(text)
        written = "".join(
            newline + newline.join(indent + line if line else line for line in rule_lines)
            for rule_lines in nested
        )
        return NewText(offsets[last - 1], (), _unnamed(written + newline))
    return None


def _nested_rules(kind: str, attributes: Dict[str, str], group: str) -> List[List[str]]:
    """A rule resource's rules as the ``ingress``/``egress`` blocks of its group."""
    if kind == "aws_security_group_rule":
        direction = attributes.get("type", "").strip('"')
        directions = ["ingress", "egress"] if direction == "each.key" else [direction]
    else:
        directions = ["ingress" if kind.endswith("ingress_rule") else "egress"]
    protocol = attributes.get("protocol") or attributes.get("ip_protocol") or '"-1"'
    other = (
        attributes.get("referenced_security_group_id")
        or attributes.get("source_security_group_id")
        or ""
    )
    cidrs = attributes.get("cidr_blocks") or (
        f"[{attributes['cidr_ipv4']}]" if "cidr_ipv4" in attributes else ""
    )
    lines = [
        f"  from_port   = {attributes.get('from_port', '0')}",
        f"  to_port     = {attributes.get('to_port', '0')}",
        f"  protocol    = {protocol}",
    ]
    if attributes.get("self") == "true" or other == f"{group}.id":
        lines.append("  self        = true")
    elif other:
        lines.append(f"  security_groups = [{other}]")
    if cidrs:
        lines.append(f"  cidr_blocks = {cidrs}")
    return [[f"{direction} {{", *lines, "}"] for direction in directions if direction]


def _private_dns_twin(finding: Finding, text: str, body: str) -> str:
    """Why a new endpoint with private DNS would be refused: the module declares one for the
    same service in the same VPC with private DNS (under a count or for another region, so it
    does not serve the job): EC2 creates one such endpoint per service."""
    if "private_dns_enabled = true" not in body:
        return ""
    wanted = dict(_ATTRIBUTE.findall(body))
    for path, source in _module_files(finding.file, text):
        for match in _RESOURCE.finditer(source):
            inside = _block(source, match.start()) if match.group(1) == "aws_vpc_endpoint" else None
            if inside is None or not inside.depths:
                continue
            end = line_offsets(source)[max(inside.depths) - 1]
            own = dict(_ATTRIBUTE.findall(source, match.end(), end))
            if (
                own.get("service_name") == wanted.get("service_name")
                and own.get("vpc_id") == wanted.get("vpc_id")
                and own.get("private_dns_enabled", "false") != "false"
            ):
                return (
                    f"aws_vpc_endpoint.{match.group(2)} ({os.path.basename(path)}) is this "
                    "service's endpoint with private DNS (EC2 allows one per VPC): change it so "
                    "it serves the job rather than adding another"
                )
    return ""


def vpc_config(finding: Finding, kind: str, text: str) -> Outcome:
    """The finding's ``fix_vpc_config`` as a ``vpc_config`` block added at the end of the model's
    block (CVL103: the model takes the job's subnets and groups), in the block's indentation."""
    target = finding.fix_vpc_config
    assert target is not None
    if finding.rule != "CVL103" or not target.file.endswith(".tf"):
        return "its fix is not written automatically in Terraform"
    address = tfaddress.parse(target.resource)
    if address is None or "[" in target.resource:
        return f"{target.resource} is one of several from one block: add vpc_config by hand"
    offsets = line_offsets(text)
    block = _block(text, offsets[target.line - 1]) if target.line <= len(offsets) else None
    if block is None:
        return "the block is not where the finding says: lint again"
    inside = [line for line, depth in block.depths.items() if depth == 1]
    if not inside:
        return f"{target.resource} is written on one line: add vpc_config by hand"
    written_block = re.compile(r'[ \t]*(?:vpc_config\b|dynamic\s+"vpc_config")')
    if any(written_block.match(text, offsets[n - 1]) for n in inside):
        return f"vpc_config is written in {target.resource}: change it by hand"
    outside = [
        name
        for origin, name in (*target.subnets, *target.security_groups)
        if origin == "terraform" and getattr(tfaddress.parse(name), "module", "") != address.module
    ]
    if outside:
        return f"{outside[0]} is in another module than {target.resource}: pass it in as a variable"
    subnets = [written((item,), "hcl", address.module) for item in target.subnets]
    groups = [written((item,), "hcl", address.module) for item in target.security_groups]
    if not subnets or not groups or not all(subnets + groups):
        return (
            "the subnets and groups are not all named as Terraform can name them: add "
            "vpc_config by hand (see the remediation)"
        )
    last = max(inside)  # the line of the block's closing brace
    closing_line = text[offsets[last - 1] : offsets[last] if last < len(offsets) else len(text)]
    if closing_line.strip() != "}":
        return (
            f"{target.resource} does not end in a closing brace of its own: add vpc_config by hand"
        )
    header = re.match(r"[ \t]*", text[offsets[block.first_line - 1] :]).group(0)
    members = [n for n in inside if n != last and text[offsets[n - 1] : offsets[n]].strip()]
    indent = (
        re.match(r"[ \t]*", text[offsets[members[0] - 1] :]).group(0) if members else header + "  "
    )
    inner = indent + (indent[len(header) :] or "  ")
    newline = newline_of(text)
    before = text[offsets[last - 2] : offsets[last - 1]] if last >= 2 else ""
    rows = [
        "" if not before.strip() else newline,
        f"{indent}vpc_config {{{newline}",
        f"{inner}subnets            = [{', '.join(subnets)}]{newline}",
        f"{inner}security_group_ids = [{', '.join(groups)}]{newline}",
        f"{indent}}}{newline}",
    ]
    at = offsets[last - 1]
    return [Edit(at, at, "".join(rows))]
