"""Fixes in Python scripts: a literal keyword argument or request member changed in place
(``enable_network_isolation=True`` -> ``False``, ``"EnableNetworkIsolation": True`` -> ``False``),
at the positions of Python's own syntax tree, so the call keeps every other argument (the
subnets and groups of a ``NetworkConfig``) and the file keeps its formatting.

Changing a value needs no concrete syntax tree: the abstract tree's positions pin the literal
down exactly and the edit replaces those bytes only (libcst would add a dependency and a tenth of
a second of import for the same edit)."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from ..findings import Finding
from ..remediation import written
from . import Edit, ListItem, Outcome, Setting, after_last_item, line_offsets


def edits(finding: Finding, kind: str, text: str, settings: Tuple[Setting, ...]) -> Outcome:
    if not finding.file.endswith(".py"):
        return "a notebook: change the cell by hand"
    try:
        tree = ast.parse(text.lstrip("\ufeff"))
    except (SyntaxError, ValueError) as error:
        return f"the file no longer parses ({error})"
    lines = text.splitlines(keepends=True)
    offsets = line_offsets(text)
    found: List[Edit] = []
    for setting in settings:
        if setting.python is None:
            return "its fix is not written automatically in Python"
        names = {setting.python, *(setting.api[-1:] if setting.api else ())}
        places = [value for value in _values(tree, names)]
        literal = [v for v in places if isinstance(v, ast.Constant) and isinstance(v.value, bool)]
        wanted = repr(setting.value)
        if len(places) != 1 or len(literal) != 1:
            if not places:
                return f"{setting.python} is not written in the file: set it to {wanted}"
            if not literal:
                return f"{setting.python} is not a literal here: set it to {wanted} where its value is given"
            return (
                f"{setting.python} is written {len(places)} times in the file and the finding "
                "does not say which one the job uses: change it by hand"
            )
        (value,) = literal
        if value.value is setting.value:
            continue
        start = offsets[value.lineno - 1] + _characters(lines[value.lineno - 1], value.col_offset)
        end = offsets[value.end_lineno - 1] + _characters(
            lines[value.end_lineno - 1], value.end_col_offset
        )
        found.append(Edit(start, end, wanted))
    return found or "the arguments the fix writes are already in place: lint again"


def append(finding: Finding, kind: str, text: str, item: ListItem) -> Outcome:
    """The finding's ``fix_adds`` (IDs: what a script can name) added to the one literal list
    given as ``item.python`` in the script."""
    if not finding.file.endswith(".py"):
        return "a notebook: change the cell by hand"
    added = written(finding.fix_adds, "python")
    if not added:
        return "the subnet to add is defined in a template or configuration: write its ID"
    try:
        tree = ast.parse(text.lstrip("\ufeff"))
    except (SyntaxError, ValueError) as error:
        return f"the file no longer parses ({error})"
    places = _values(tree, {item.python, item.python.lower()})
    lists = [value for value in places if isinstance(value, ast.List) and value.elts]
    if len(places) != 1 or len(lists) != 1:
        return (
            f"{item.python} is written {len(places)} times, or not as a list: add {added} by hand"
        )
    (listed,) = lists
    lines = text.splitlines(keepends=True)
    offsets = line_offsets(text)
    last = lines[listed.end_lineno - 1]
    end = offsets[listed.end_lineno - 1] + _characters(last, listed.end_col_offset) - 1
    return [after_last_item(text, end, added)]


def _values(tree: ast.AST, names: set) -> List[ast.expr]:
    """The values given to keyword arguments or dictionary keys named ``names``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in names:
            found.append(node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if isinstance(key, ast.Constant) and key.value in names:
                    found.append(value)
    return found


def _characters(line: str, byte_offset: int) -> int:
    """Python's tree counts UTF-8 bytes in a line; the text counts characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def parse_problem(path: str, text: str) -> Optional[str]:
    try:
        ast.parse(text.lstrip("\ufeff"))
    except (SyntaxError, ValueError) as error:
        return str(error)
    return None
