"""The code cells of a Jupyter notebook, and where each of their lines is in the notebook file.

The code cells run in order as one script, as IPython runs them: a cell that starts with a cell
magic (``%%bash``, ``%%html``) is not Python and is skipped; line magics, shell lines and help
lines (``%pip``, ``!pip``, ``files = !ls``, ``obj?``) are IPython's, not Python's, and are
blanked (a statement ``pass``, a value no one knows). A finding's line is the line of the
notebook file (the JSON text) holding that source line, and its resource names the cell.

The file is scanned once: each cell's ``"source"`` strings are found after the previous cell's,
and lines are counted from where the last count stopped, so outputs of any size cost one pass.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any, Callable, Iterator, List, Optional, Tuple

from msgspec import Struct

from ...documents import ParseError, json_problem, parse_json

_SOURCE_KEY = re.compile(r'(?<!\\)"source"\s*:\s*')
_BETWEEN_ITEMS = re.compile(r"[\s,]*")
# what IPython reads as its own, not Python (IPython.core.inputtransformer2's escapes)
_ESCAPED = re.compile(r"(?P<indent>[ \t]*)(?:[!%?].*|[\w.]+\?\??\s*)")
_MAY_HOLD_IPYTHON = re.compile(r"^[ \t]*[!%?]|\?[ \t]*$|=[ \t]*[!%]", re.MULTILINE)
_ASSIGNED = re.compile(r"(?P<target>[ \t]*[A-Za-z_][\w.,\t \[\]]*=[ \t]*)[!%]")


def notebook_cells(path: str, text: str) -> Iterator[Tuple[int, str, List[Tuple[int, int]]]]:
    """(cell number, its code, (file line, column before the text) of each line) per Python
    code cell; cells with a cell magic are left out."""
    for cell in code_cells(path, text):
        yield cell.number, cell.python, cell.lines


class CodeCell(Struct):
    """A Python code cell: its source as written and as Python, and where its strings are."""

    number: int
    source: Any  # the cell's "source" as the notebook holds it: a list of strings, or one
    code: str  # the source strings joined
    python: str  # the code as Python (python_of_cell): IPython's lines blanked
    lines: List[Tuple[int, int]]  # (file line, column before the text) of each line
    # the offset of each source string's opening quote in the file (where the text does not
    # follow the JSON, the position of its "source" key for each)
    starts: List[int]


def code_cells(path: str, text: str) -> Iterator[CodeCell]:
    """The notebook's Python code cells, in order; cells with a cell magic are left out."""
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"not a Jupyter notebook: {json_problem(error)}", error.lineno) from None
    except (ValueError, RecursionError):  # a number past Python's 4,300 digits, deep nesting:
        try:  # read as every JSON input is (such numbers kept as text, nesting bounded)
            notebook = parse_json(text)
        except ParseError as error:
            raise ParseError(f"not a Jupyter notebook: {error.message}", error.line) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ParseError("not a Jupyter notebook: no cells list", 1)
    lines_of = _LineCounter(text)
    cursor = 0
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or "source" not in cell:
            continue
        source = cell.get("source")
        pieces = source if isinstance(source, list) else [source]
        pieces = [piece for piece in pieces if isinstance(piece, str)]
        starts, cursor = _string_starts(text, cursor, pieces)
        lines: List[Tuple[int, int]] = []
        for piece, start in zip(pieces, starts, strict=False):
            first, column = lines_of.at(start)
            # a list item holds one line; a single string holds them all on one file line
            count = max(1, piece.count("\n") + (not piece.endswith("\n")))
            lines.extend([(first, column)] * count)
        if cell.get("cell_type") != "code":
            continue
        code = "".join(pieces)
        if _has_cell_magic(code):
            continue
        yield CodeCell(number, source, code, python_of_cell(code), lines, starts)


def _string_starts(text: str, cursor: int, pieces: List[str]) -> Tuple[List[int], int]:
    """Where each of a cell's source strings begins (its opening quote), and where the scan goes
    on: the first ``"source":`` after ``cursor`` whose strings are the cell's (a ``"source"`` key
    inside metadata is passed over). A file whose text does not follow its JSON (not as Jupyter
    writes it) gives the key's position for each; every position is at or after ``cursor``."""
    position = cursor
    for _ in range(_SOURCE_KEY_TRIES):
        key = _SOURCE_KEY.search(text, position)
        if key is None:
            break
        starts, position = _strings_at(text, key.end(), len(pieces))
        if starts is not None and [scanstring(text, s + 1)[0] for s in starts] == pieces:
            return starts, position
        position = key.end()
    return [position] * len(pieces), position


_SOURCE_KEY_TRIES = 3  # a cell's metadata or outputs may hold a "source" key or two


def _strings_at(text: str, position: int, count: int) -> Tuple[Optional[List[int]], int]:
    """The start of each of ``count`` JSON strings from ``position`` (a list or one string)."""
    if text.startswith("[", position):
        position += 1
    starts: List[int] = []
    try:
        for _ in range(count):
            position = _BETWEEN_ITEMS.match(text, position).end()  # type: ignore[union-attr]
            if not text.startswith('"', position):
                return None, position
            starts.append(position)
            position = scanstring(text, position + 1)[1]
    except ValueError:
        return None, position
    return starts, position


class _LineCounter:
    """(line, column before the text) of offsets met in increasing order, counting each part
    of the text once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset, self.line, self.line_start = 0, 1, 0

    def at(self, offset: int) -> Tuple[int, int]:
        if offset < self.offset:  # out of order (a hand-written file): count from the start
            self.offset, self.line, self.line_start = 0, 1, 0
        newlines = self.text.count("\n", self.offset, offset)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.offset, offset) + 1
        self.offset = offset
        return self.line, offset - self.line_start + 1  # up to and with the opening quote


def _has_cell_magic(code: str) -> bool:
    """IPython runs a cell whose first non-blank line starts with ``%%`` through that magic."""
    first = next((line for line in code.split("\n") if line.strip()), "")
    return first.lstrip().startswith("%%")


def python_of_cell(code: str) -> str:
    """The cell as Python: IPython's own lines blanked so that line numbers stay, a whole cell
    indented as IPython dedents it. Only a line that begins a statement can be IPython's (not one
    inside brackets or a triple-quoted string, nor one a backslash continues)."""
    lines = code.split("\n")
    first = next((line for line in lines if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip())]
    if not indent and not _MAY_HOLD_IPYTHON.search(code):
        return code  # most cells: plain Python
    if indent:
        lines = [line[len(indent) :] if line.startswith(indent) else line for line in lines]
    result: List[str] = []
    scanner = _Statements()
    magic_goes_on = False  # a magic or shell line ending in a backslash goes on in the next one
    for line in lines:
        if magic_goes_on:
            magic_goes_on = line.endswith("\\")
            result.append("")
            continue
        if scanner.begins_statement():
            assigned = _ASSIGNED.match(line)
            escaped = _ESCAPED.fullmatch(line)
            if assigned or escaped:
                magic_goes_on = line.endswith("\\")
                result.append(
                    assigned.group("target") + "get_ipython()"
                    if assigned
                    else escaped.group("indent") + "pass"  # type: ignore[union-attr]
                )
                continue
        scanner.scan(line)
        result.append(line)
    return "\n".join(result)


class _Statements:
    """Whether the next line begins a statement: outside brackets and strings, not continued."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote = ""  # the open string's quote: ', ", \'\'\' or \"\"\"
        self.continued = False

    def begins_statement(self) -> bool:
        return not self.depth and not self.quote and not self.continued

    def scan(self, line: str) -> None:
        position, end = 0, len(line)
        while position < end:
            char = line[position]
            if self.quote:
                if char == "\\":
                    position += 2
                    continue
                if line.startswith(self.quote, position):
                    position += len(self.quote)
                    self.quote = ""
                    continue
            elif char == "#":
                break
            elif char in "'\"":
                self.quote = char * 3 if line.startswith(char * 3, position) else char
                position += len(self.quote)
                continue
            elif char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            position += 1
        self.continued = line.endswith("\\")
        if len(self.quote) == 1 and not self.continued:
            self.quote = ""  # an unclosed one-line string: Python will say so


def cell_line(lines: List[Tuple[int, int]], line: Optional[int]) -> Tuple[int, int]:
    if not lines:
        return 1, 0
    index = min(max((line or 1) - 1, 0), len(lines) - 1)
    return lines[index]


def cell_place(cell: int, lines: List[Tuple[int, int]]) -> Callable[[int], Tuple[int, int, str]]:
    def place(line: int) -> Tuple[int, int, str]:
        file_line, indent = cell_line(lines, line)
        return file_line, indent, f" (cell {cell}, line {line})"

    return place
