"""Fixes in Terraform configuration (``.tf``): an argument's literal value changed inside its
block, or the argument added as the block's first line, in the block's indentation."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from .. import tfaddress
from ..findings import Finding
from ..remediation import written
from . import Edit, ListItem, Outcome, Setting, after_last_item, closing, line_offsets, newline_of

_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")


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
    it (1 directly in the block). Strings, comments and heredocs hide their braces."""
    first_line = text.count("\n", 0, start) + 1
    line, depth, index, size = first_line, 0, start, len(text)
    depths: Dict[int, int] = {}
    while index < size:
        char = text[index]
        if char == "\n":
            line += 1
            if depth:
                depths[line] = depth
            elif index > start:
                return None
        elif char == '"':
            index += 1
            while index < size and text[index] not in '"\n':
                index += 2 if text[index] == "\\" else 1
        elif char == "#" or text.startswith("//", index):
            index = text.find("\n", index)
            index = size if index < 0 else index
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = size if end < 0 else end + 2
            for _ in range(text.count("\n", index, end)):
                line += 1
                depths[line] = depth
            index = end
            continue
        elif char == "<" and (heredoc := _HEREDOC.match(text, index)):
            closing = re.compile(rf"^[ \t]*{heredoc.group(1)}[ \t]*\r?$", re.M).search(
                text, heredoc.end()
            )
            end = size if closing is None else closing.end()
            for _ in range(text.count("\n", index, end)):
                line += 1
                depths[line] = -1  # inside a heredoc: never an argument
            index = end
            continue
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return _Block(first_line, {n: d for n, d in depths.items() if n < line or d > 0})
        index += 1
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
        value = text[start : text.find("\n", start)].strip()
        return f"{name} is {value}, not a list: add {added} where its value is given"
    return [after_last_item(text, end, added)]


def parse_problem(path: str, text: str) -> Optional[str]:
    from ..documents import ParseError
    from ..readers.terraform.config.hcl import parse_hcl

    try:
        parse_hcl(text, path)
    except ParseError as error:
        return error.message
    return None


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
