"""Fixes in Python scripts and notebooks: the finding's printed remediation, written where it says.

The reader records, for each job and model, the call that takes its network (the processor,
monitor or CheckJobConfig a job runs on, ``ProcessingJob.create``, boto3's request, the model's
``Model(...)``; ``readers.python_sdk.places``). The remediation is code (``network_config =
NetworkConfig(...)``, boto3 ``NetworkConfig={...}`` or ``"NetworkConfig": {...}``): its value is
added to that call as an argument, or merged into the one written there (also through a name
assigned once in the module): a literal changed, a member it lacks added, every other member kept,
a list replaced only where it holds other literal items. An import the new text needs is added
before the first statement that uses it. A remediation whose values the inputs do not hold (its
code commented out, saying which and where to find them) is not written.

Notebooks: the code cells are one script (as IPython runs them); the edits go into the cells that
hold the call, the value and the imports, and only the JSON strings of the lines they change are
written again.

The edits are text edits at the positions of Python's own syntax tree: an argument added after the
last one or a literal replaced needs no concrete syntax tree, and the file keeps its formatting
byte for byte elsewhere (libcst would add a dependency for the same edits; planning the fixes of a
300 KB notebook takes some 60 ms with ``ast``)."""

from __future__ import annotations

import ast
import json
import re
from bisect import bisect_right
from difflib import SequenceMatcher
from functools import lru_cache
from json.decoder import scanstring
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from msgspec import Struct
from msgspec.structs import replace

from ..documents import ParseError
from ..findings import Finding
from ..readers.python_sdk import TOO_COMPLEX, FixPlace, Places, fix_places
from ..readers.python_sdk.notebooks import CodeCell, code_cells
from ..regions import characters_before
from ..remediation import written
from . import Edit, ListItem, Outcome, Setting, after_last_item, line_offsets, newline_of

# the rules whose Python remediation --fix writes into the script where it says
REMEDIATIONS = ("CVL101", "CVL102", "CVL103")


def edits(finding: Finding, kind: str, text: str, settings: Tuple[Setting, ...]) -> Outcome:
    """The finding's remediation written into the call that takes the job's network: an
    argument added, or the members of the one written there changed or added, every other
    member kept. Only a complete remediation is written; else what it lacks."""
    lacking = _lacking(finding.remediation)
    if lacking:
        return f"its remediation needs values the inputs do not hold: {lacking}"
    fix = _parsed_remediation(finding.remediation)
    if fix is None:
        return "its remediation is not one argument of a call: apply it by hand"

    def write(script: _Script, place: Optional[FixPlace]) -> Outcome:
        if place is not None and place.argument != fix.name and place.model is not None:
            place = place.model  # the fix is the job's model's (CVL103: the job's network)
        if place is None or place.argument != fix.name:
            return (
                f"the call that takes {finding.resource}'s {fix.name} is not written in this "
                "file: apply the remediation where it is"
            )
        call = script.call_at(place.call)
        if call is None:
            return "the call the finding names is not found in the file: lint again"
        holder: Optional[ast.expr] = call
        if place.request:  # boto3's create_processing_job(**request): the request's dict
            holder = next((script.value_of(k.value) for k in call.keywords if k.arg is None), None)
            if not isinstance(holder, ast.Dict):
                return (
                    "the request is not a dict literal assigned once: apply the remediation by hand"
                )
        found: List[Edit] = []
        problem = script.set_member(holder, fix.name, fix.value, fix.source, found)
        if problem:
            return problem
        if not found:
            return "the arguments the fix writes are already in place: lint again"
        return found + script.imports(fix.imports, found)

    return _in_file(finding, text, write)


# what parsing a fixed text raises where it will not read it: ast.parse's SyntaxError, ValueError
# (null bytes), and MemoryError or RecursionError where its parser's stack overflows
_NOT_READ = (SyntaxError, ValueError, ParseError, MemoryError, RecursionError)


def _not_read(error: BaseException) -> str:
    return TOO_COMPLEX if isinstance(error, (MemoryError, RecursionError)) else str(error)


def _in_file(
    finding: Finding, text: str, write: Callable[[_Script, Optional[FixPlace]], Outcome]
) -> Outcome:
    """``write``'s edits of the script at the place of the finding's subject; a notebook's
    code cells are read as the one script they run as, and its edits go into their sources."""
    if finding.file.endswith(".ipynb"):
        return _in_notebook(finding, text, write)
    try:
        tree, places = _read_script(finding.file, text)
    except _NOT_READ as error:
        return f"the file no longer parses ({_not_read(error)})"
    return write(_Script(text, tree), places.get((finding.line, finding.resource)))


@lru_cache(maxsize=8)
def _read_script(path: str, text: str) -> Tuple[ast.Module, Places]:
    """The script's tree and where it writes each network, read once for all its findings."""
    return ast.parse(text.lstrip("\ufeff")), fix_places(path, text)


@lru_cache(maxsize=8)
def _read_notebook(path: str, text: str) -> Tuple[Tuple[CodeCell, ...], str, ast.Module, Places]:
    """A notebook's code cells, the one script they run as, its tree and where it writes each
    network, read once for all its findings."""
    cells = tuple(code_cells(path, text))
    script_text = "\n".join(cell.python for cell in cells)
    return cells, script_text, ast.parse(script_text), fix_places(path, text)


def _in_notebook(
    finding: Finding, text: str, write: Callable[[_Script, Optional[FixPlace]], Outcome]
) -> Outcome:
    try:
        cells, script_text, tree, places = _read_notebook(finding.file, text)
    except _NOT_READ as error:
        return f"the notebook no longer parses ({_not_read(error)})"
    first_lines, line = {}, 1  # each cell's first line in the script
    for cell in cells:
        first_lines[cell.number] = line
        line += cell.python.count("\n") + 1
    place = places.get((finding.line, finding.resource))
    if place is not None:
        shift = first_lines[place.cell] - 1
        start, column, end, end_column = place.call
        place = replace(place, call=(start + shift, column, end + shift, end_column))
    outcome = write(_Script(script_text, tree), place)
    if isinstance(outcome, str):
        return outcome
    return _cell_edits(text, cells, script_text, outcome)


def _cell_edits(
    text: str, cells: Sequence[CodeCell], script_text: str, found: List[Edit]
) -> Outcome:
    """Edits of the notebook's script as edits of the JSON text: each cell they change gets its
    source strings written again, the strings of unchanged lines kept as they were."""
    result: List[Edit] = []
    offset = placed = 0
    for cell in cells:
        end = offset + len(cell.python)
        inside = [
            Edit(e.start - offset, e.end - offset, e.text)
            for e in found
            if offset <= e.start and e.end <= end
        ]
        if inside:
            edited = _edited_cell(text, cell, inside)
            if isinstance(edited, str):
                return edited
            result.append(edited)
            placed += len(inside)
        offset = end + 1
    if placed != len(found):
        return "the fix would span two cells: change the notebook by hand"
    return result


def _edited_cell(text: str, cell: CodeCell, found: List[Edit]) -> Union[Edit, str]:
    pieces = cell.source if isinstance(cell.source, list) else [cell.source]
    if [scanstring(text, start + 1)[0] for start in cell.starts] != pieces:
        return f"cell {cell.number}'s text does not follow the notebook's JSON: change it by hand"
    code_lines = cell.code.split("\n")
    python_lines = cell.python.split("\n")
    python_offsets = line_offsets(cell.python)
    code_offsets = line_offsets(cell.code)
    code = cell.code
    for edit in sorted(found, key=lambda e: e.start, reverse=True):
        positions = []
        for at in (edit.start, edit.end):
            line = bisect_right(python_offsets, at) - 1
            if python_lines[line] != code_lines[line]:  # an IPython line, or a dedented cell
                return f"cell {cell.number} is indented or holds IPython lines there: change it by hand"
            positions.append(code_offsets[line] + at - python_offsets[line])
        code = code[: positions[0]] + edit.text + code[positions[1] :]
    new_pieces = code.splitlines(keepends=True) if isinstance(cell.source, list) else [code]
    raw = [text[start : scanstring(text, start + 1)[1]] for start in cell.starts]
    ascii_only = all(r.isascii() for r in raw)
    written_pieces = []
    matcher = SequenceMatcher(a=pieces, b=new_pieces, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            written_pieces.extend(raw[a_start:a_end])
        else:
            written_pieces.extend(
                json.dumps(piece, ensure_ascii=ascii_only) for piece in new_pieces[b_start:b_end]
            )
    first = cell.starts[0]
    if len(cell.starts) > 1:  # as the notebook separates its strings
        separator = text[scanstring(text, first + 1)[1] : cell.starts[1]]
    else:  # one string: each new one on a line of its own, as indented
        separator = ",\n" + text[text.rfind("\n", 0, first) + 1 : first]
    last_end = scanstring(text, cell.starts[-1] + 1)[1]
    return Edit(first, last_end, separator.join(written_pieces))


class _Remediation(Struct, frozen=True):
    """A Python remediation as code: ``name = value`` (an SDK argument), ``Name=value,`` (a
    boto3 keyword) or ``"Name": value,`` (a member of boto3's request dict)."""

    name: str
    value: ast.expr
    source: str  # the remediation's code, in which ``value``'s positions are
    imports: Tuple[Tuple[str, str], ...]  # (module, name) of its ``from module import name``


def _parsed_remediation(remediation: str) -> Optional[_Remediation]:
    code_lines = [line for line in remediation.splitlines() if not line.lstrip().startswith("#")]
    imports = tuple(
        (match.group(1), name.strip())
        for match in map(_IMPORT.match, code_lines)
        if match
        for name in match.group(2).split(",")
    )
    code = "\n".join(line for line in code_lines if not _IMPORT.match(line)).strip()
    for wrapped, prefix in ((code, ""), (f"f(\n{code}\n)", "f(\n"), (f"{{\n{code}\n}}", "{\n")):
        try:
            body = ast.parse(wrapped).body
        except SyntaxError:
            continue
        if len(body) != 1:
            return None
        node = body[0]
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                return _Remediation(target.id, node.value, wrapped, imports)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and prefix:
            keywords = node.value.keywords
            if len(keywords) == 1 and keywords[0].arg:
                return _Remediation(keywords[0].arg, keywords[0].value, wrapped, imports)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Dict) and prefix:
            keys, values = node.value.keys, node.value.values
            key = keys[0] if len(keys) == 1 else None
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return _Remediation(key.value, values[0], wrapped, imports)
        return None
    return None


_IMPORT = re.compile(r"^from ([\w.]+) import ([\w, ]+)$")


def _lacking(remediation: str) -> str:
    """What a Python remediation says the inputs lack (its code commented out, or a code line
    ending in a note); empty for a complete one."""
    notes = []
    for line in remediation.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and "[their IDs]" in stripped:
            notes.append(stripped.split("  # ", 1)[-1])
        elif stripped and not stripped.startswith("#") and "  # " in stripped:
            notes.append(stripped.split("  # ", 1)[1])
        elif stripped and not stripped.startswith("#") and re.search(r"\bNone\b", stripped):
            notes.append("a value of the remediation is None")
    return "; ".join(notes)


class _Script:
    """The script's text and tree, and the edits that add or change its calls' arguments."""

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.text = text
        self.tree = tree
        self.lines = text.splitlines(keepends=True)
        self.offsets = line_offsets(text)
        assigned: Dict[str, List[ast.expr]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        self.assigned = assigned
        # the name each imported class is bound to -> the class's own name
        self.aliases = {
            alias.asname: alias.name.split(".")[-1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
            if alias.asname
        }

    def callee(self, call: ast.Call) -> str:
        """A class by its own name: ``shapes.NetworkConfig``, ``NetworkConfig`` and an alias of
        it (``import NetworkConfig as NC``) are one."""
        name = ast.unparse(call.func).split(".")[-1]
        return self.aliases.get(name, name)

    def offset(self, line: int, column: int) -> int:
        return self.offsets[line - 1] + characters_before(self.lines[line - 1], column)

    def call_at(self, span: Tuple[int, int, int, int]) -> Optional[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and _span(node) == span:
                return node
        return None

    def value_of(self, node: ast.expr) -> Optional[ast.expr]:
        """A name assigned once in the module is its value; any other expression is itself."""
        if isinstance(node, ast.Name):
            values = self.assigned.get(node.id, [])
            return values[0] if len(values) == 1 else None
        return node

    def set_member(
        self, holder: ast.expr, name: str, value: ast.expr, source: str, found: List[Edit]
    ) -> str:
        """Edits that give ``holder`` (a call or dict) the member ``name`` = ``value``; the
        problem that prevents it, else ""."""
        existing = _member(holder, name)
        if existing is None and isinstance(value, ast.List) and _member(holder, "vpc_config"):
            return ""  # v3's NetworkConfig(vpc_config=VpcConfig(...)) holds the subnets there
        if existing is None and _spread(holder):
            return (
                f"the arguments of {ast.unparse(holder)[:60]} are spread from a mapping: "
                f"set {name} in it by hand"
            )
        if existing is None:
            found.extend(self.insert(holder, name, value, source))
            return ""
        if isinstance(value, ast.Constant):
            if not (isinstance(existing, ast.Constant) and existing.value == value.value):
                start = self.offset(existing.lineno, existing.col_offset)
                end = self.offset(existing.end_lineno, existing.end_col_offset)
                found.append(Edit(start, end, ast.get_source_segment(source, value)))
            return ""
        written_value = self.value_of(existing)
        if isinstance(value, ast.List):
            # the list stays where it holds the same items (CVL101's fix repeats the job's);
            # one the script builds at run time is not replaced by a guess
            old, new = _literal(written_value), _literal(value)
            if old is None or old == new:
                return ""
            start = self.offset(written_value.lineno, written_value.col_offset)
            end = self.offset(written_value.end_lineno, written_value.end_col_offset)
            found.append(Edit(start, end, ast.get_source_segment(source, value) or ""))
            return ""
        if not isinstance(value, (ast.Call, ast.Dict)):
            return ""
        if isinstance(value, ast.Call) and isinstance(written_value, ast.Call):
            if self.callee(value) != self.callee(written_value):
                return f"{name} is built by {ast.unparse(written_value.func)}(): apply the remediation by hand"
            for keyword in value.keywords:
                problem = self.set_member(written_value, keyword.arg, keyword.value, source, found)
                if problem:
                    return problem
            return ""
        if isinstance(value, ast.Dict) and isinstance(written_value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=False):
                if isinstance(key, ast.Constant):
                    problem = self.set_member(written_value, key.value, item, source, found)
                    if problem:
                        return problem
            return ""
        return f"{name} is written as {ast.unparse(existing)}: apply the remediation where its value is built"

    def insert(self, holder: ast.expr, name: str, value: ast.expr, source: str) -> List[Edit]:
        """``name=value`` added after the last argument of a call (a member of a dict): on the
        same line where the call is written on one, else on a line of its own, as indented;
        a comment after the last argument stays after it."""
        closing = self.offset(holder.end_lineno, holder.end_col_offset) - 1
        line_text = self.lines[holder.lineno - 1]
        indent = " " * (len(line_text) - len(line_text.lstrip()) + 4)
        written = ast.get_source_segment(source, value, padded=False) or ast.unparse(value)
        written = written.replace("\n", "\n" + indent)
        item = f"{name}={written}" if isinstance(holder, ast.Call) else f'"{name}": {written}'
        members = _members(holder)
        if not members:
            return [Edit(closing, closing, item)]
        last = max(members, key=lambda m: (m.end_lineno, m.end_col_offset))
        end = self.offset(last.end_lineno, last.end_col_offset)
        comma = re.match(r"[ \t]*,", self.text[end:closing])
        if "\n" not in self.text[end:closing]:  # the call closes on its last argument's line
            return [Edit(end, end, f", {item}")]
        first = self.lines[last.lineno - 1]
        own_indent = first[: len(first) - len(first.lstrip())]
        after = end + (comma.end() if comma else 0)
        line_end = self.text.find("\n", after)
        line_end = len(self.text) if line_end < 0 else line_end
        line_end -= self.text[:line_end].endswith("\r")
        added = f"{newline_of(self.text)}{own_indent}{item}{',' if comma else ''}"
        if not self.text[after:line_end].strip().startswith("#"):
            return [Edit(after, after, ("" if comma else ",") + added)]
        # a comment after the last argument stays with it: the new one goes below
        return [Edit(end, end, ",")] * (not comma) + [Edit(line_end, line_end, added)]

    def imports(self, wanted: Tuple[Tuple[str, str], ...], found: List[Edit]) -> List[Edit]:
        """An import of each name the edits write that the module does not bind, after the last
        top-level import before them (else before the statement they edit), so it runs first."""
        inserted = "".join(edit.text for edit in found)
        bound = set(self.assigned)
        for node in self.tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        missing = [
            f"from {module} import {name}"
            for module, name in wanted
            if name not in bound and re.search(rf"\b{re.escape(name)}\b", inserted)
        ]
        if not missing:
            return []
        first = min(edit.start for edit in found)
        statements = [n for n in self.tree.body if self.offset(n.lineno, n.col_offset) <= first]
        before = [n for n in statements if isinstance(n, (ast.Import, ast.ImportFrom))]
        if before and before[-1].end_lineno < len(self.offsets):
            at = self.offsets[before[-1].end_lineno]
        else:
            at = self.offsets[statements[-1].lineno - 1] if statements else 0
        newline = newline_of(self.text)
        return [Edit(at, at, "".join(line + newline for line in missing))]


def _literal(node: Optional[ast.expr]) -> Any:
    """A literal's value (a list of IDs), or None where the script computes it."""
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _member(holder: ast.expr, name: str) -> Optional[ast.expr]:
    if isinstance(holder, ast.Call):
        return next((k.value for k in holder.keywords if k.arg == name), None)
    if isinstance(holder, ast.Dict):
        for key, value in zip(holder.keys, holder.values, strict=False):
            if isinstance(key, ast.Constant) and key.value == name:
                return value
    return None


def _spread(holder: ast.expr) -> bool:
    """``f(**mapping)`` or ``{**mapping}``: a member added beside it may be given twice."""
    if isinstance(holder, ast.Call):
        return any(k.arg is None for k in holder.keywords)
    return isinstance(holder, ast.Dict) and None in holder.keys


def _members(holder: ast.expr) -> List[ast.AST]:
    """A call's arguments, a dict's values (where each member ends)."""
    if isinstance(holder, ast.Call):
        return [*holder.args, *holder.keywords]
    return list(holder.values) if isinstance(holder, ast.Dict) else []


def _span(node: ast.expr) -> Tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno or 0, node.end_col_offset or 0)


def append(finding: Finding, kind: str, text: str, item: ListItem) -> Outcome:
    """The finding's ``fix_adds`` (IDs: what a script can name) added to the one literal list
    given as ``item.python`` in the call that builds the model (else in the file)."""
    added = written(finding.fix_adds, "python")
    if not added:
        return "the subnet to add is defined in a template or configuration: write its ID"

    def write(script: _Script, place: Optional[FixPlace]) -> Outcome:
        scope: List[ast.AST] = [script.tree]
        call = script.call_at(place.call) if place is not None else None
        if call is not None:  # the call that builds the model, and the names it is given
            scope = [call]
            for node in list(ast.walk(call)):
                value = script.value_of(node) if isinstance(node, ast.Name) else None
                if value is not None:
                    scope.append(value)
        names = {item.python, item.python.lower()}
        places = [value for node in scope for value in _values(node, names)]
        lists = [value for value in places if isinstance(value, ast.List) and value.elts]
        if len(places) != 1 or len(lists) != 1:
            where = "in the model's call" if call is not None else "in the file"
            return (
                f"{item.python} is written {len(places)} times {where}, or not as a list: add "
                f"{added} where the model's subnets are given (the remediation says where)"
            )
        (listed,) = lists
        end = script.offset(listed.end_lineno, listed.end_col_offset) - 1
        return [after_last_item(script.text, end, added)]

    return _in_file(finding, text, write)


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


def parse_problem(path: str, text: str) -> Optional[str]:
    """Why the fixed file does not parse (a notebook: as JSON, and each code cell as Python)."""
    try:
        if path.endswith(".ipynb"):
            for cell in code_cells(path, text):
                ast.parse(cell.python)
        else:
            ast.parse(text.lstrip("\ufeff"))
    except _NOT_READ as error:
        return _not_read(error)
    return None
