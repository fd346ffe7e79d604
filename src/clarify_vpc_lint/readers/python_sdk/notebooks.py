"""The code cells of a Jupyter notebook, and where each of their lines is in the notebook file.

The code cells run in order as one script. A finding's line is the line of the notebook file (the
JSON text) holding that source line, and its resource names the cell.
"""

from __future__ import annotations

import json
import re
from typing import Callable, Iterator, List, Optional, Tuple

from ..source import ParseError, json_problem

_SOURCE_KEY = re.compile(r'"source"\s*:')


def notebook_cells(path: str, text: str) -> Iterator[Tuple[int, str, List[Tuple[int, int]]]]:
    """(cell number, its code, (file line, column before the text) of each line) per code cell."""
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"not a Jupyter notebook: {json_problem(error)}", error.lineno) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ParseError("not a Jupyter notebook: no cells list", 1)
    cursor = 0
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source")
        pieces = source if isinstance(source, list) else [source]
        pieces = [piece for piece in pieces if isinstance(piece, str)]
        lines: List[Tuple[int, int]] = []
        key = _SOURCE_KEY.search(text, cursor)  # outputs come before source: skip them
        cursor = key.end() if key else cursor
        for piece in pieces:
            cursor = _find_string(text, piece, cursor)
            first = text.count("\n", 0, cursor) + 1
            indent = cursor - text.rfind("\n", 0, cursor)  # up to and with the opening quote
            # a list item holds one line; a single string holds them all on one file line
            count = max(1, piece.count("\n") + (not piece.endswith("\n")))
            lines.extend([(first, indent)] * count)
        if cell.get("cell_type") == "code":
            yield number, _without_magics("".join(pieces)), lines


def _find_string(text: str, piece: str, start: int) -> int:
    for encoded in (json.dumps(piece), json.dumps(piece, ensure_ascii=False)):
        found = text.find(encoded, start)
        if found >= 0:
            return found
    return start


def _without_magics(source: str) -> str:
    """IPython magics and shell lines are not Python; blank them so line numbers stay."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
    )


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
