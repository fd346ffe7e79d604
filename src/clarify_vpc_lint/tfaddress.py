"""Terraform resource addresses, parsed by their grammar rather than cut at dots.

An address is ``[module.NAME[INDEX] ...][data.]TYPE.NAME[INDEX]`` where INDEX is a number or a
quoted string that may hold dots, brackets or escaped quotes (``for_each`` over service names:
``module.stack["k0"].aws_vpc_endpoint.interface["sagemaker.api"]``).
"""

from __future__ import annotations

import json
from typing import List, Optional, Tuple

from msgspec import Struct


class Address(Struct, frozen=True):
    """A Terraform resource instance address, parsed: its module path, mode, type, name and index."""

    modules: Tuple[Tuple[str, str], ...]  # (call name, index as written or "") from the root
    mode: str  # "managed" | "data"
    type: str
    name: str
    index: str  # as written, brackets included ('["a.b"]', "[0]"), or ""

    @property
    def module(self) -> str:
        """The module instance path (``module.a["x"].module.b``), "" for the root module."""
        return ".".join(f"module.{name}{index}" for name, index in self.modules)

    @property
    def local(self) -> str:
        """The address inside its module, without index (as the configuration names it)."""
        return f"{'data.' if self.mode == 'data' else ''}{self.type}.{self.name}"

    @property
    def without_index(self) -> str:
        return f"{self.module}.{self.local}" if self.module else self.local

    @property
    def index_value(self) -> object:
        """The index as a value: an int, a string, or None without index."""
        return json.loads(self.index[1:-1]) if self.index else None


def _steps(address: str) -> Optional[List[Tuple[str, str]]]:
    """(name, index) steps of a dotted traversal; None where the text is not one."""
    steps: List[Tuple[str, str]] = []
    position, length = 0, len(address)
    while position < length:
        start = position
        while position < length and address[position] not in ".[":
            position += 1
        name = address[start:position]
        if not name:
            return None
        index = ""
        if position < length and address[position] == "[":
            end = _index_end(address, position)
            if end is None:
                return None
            index, position = address[position:end], end
        steps.append((name, index))
        if position < length:
            if address[position] != ".":
                return None
            position += 1
            if position == length:
                return None
    return steps


def _index_end(address: str, start: int) -> Optional[int]:
    """The position after the ``]`` closing the index that opens at ``start``."""
    position = start + 1
    if position < len(address) and address[position] == '"':
        position += 1
        while position < len(address) and address[position] != '"':
            position += 2 if address[position] == "\\" else 1
        position += 1
    else:
        while position < len(address) and address[position].isdigit():
            position += 1
    if position < len(address) and address[position] == "]":
        return position + 1
    return None


def parse(address: str) -> Optional[Address]:
    """The parts of a resource address, or None where it is not one."""
    steps = _steps(address)
    if not steps:
        return None
    modules: List[Tuple[str, str]] = []
    while len(steps) >= 2 and steps[0] == ("module", "") and len(steps) > 2:
        name, index = steps[1]
        modules.append((name, index))
        steps = steps[2:]
    mode = "managed"
    if steps[0] == ("data", ""):
        mode, steps = "data", steps[1:]
    if len(steps) != 2 or steps[0][1]:
        return None
    (type_, _), (name, index) = steps
    return Address(tuple(modules), mode, type_, name, index)
