"""HCL as written: the braces that open and close blocks, and what each line starts inside.

Inline suppressions (a checkov skip covers the block it is in) and the ``.tf`` fixes (an argument
inside its block) work on the text, lines and offsets, not on the parsed tree: both scan it here.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

# what a line starts inside: code, a /* */ comment, or a heredoc's text (never code)
CODE, COMMENT, HEREDOC = "code", "comment", "heredoc"

_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")


def scan(text: str, start: int = 0) -> Iterator[Tuple[str, int, int]]:
    """``(event, line, depth)`` through the text from ``start``: ``"{"`` or ``"}"`` for a brace
    that counts, with the depth after it; at the start of each later line, what it starts inside
    (CODE, COMMENT or HEREDOC) and the depth there. Braces in strings, comments and heredocs do
    not count, nor a ``}`` that closes nothing."""
    line, depth, index, size = text.count("\n", 0, start) + 1, 0, start, len(text)
    while index < size:
        char = text[index]
        if char == "\n":
            line += 1
            yield CODE, line, depth
        elif char == '"':
            index += 1
            while index < size and text[index] not in '"\n':
                index += 2 if text[index] == "\\" else 1
            if index < size and text[index] == "\n":
                continue  # a string left open ends with its line
        elif char == "#" or text.startswith("//", index):
            index = text.find("\n", index)
            index = size if index < 0 else index
            continue
        elif char in "/<" and (passed := _comment_or_heredoc(text, index)):
            kind, end = passed
            for _ in range(text.count("\n", index, end)):
                line += 1
                yield kind, line, depth
            index = end
            continue
        elif char == "{":
            depth += 1
            yield "{", line, depth
        elif char == "}" and depth:
            depth -= 1
            yield "}", line, depth
        index += 1


def _comment_or_heredoc(text: str, index: int) -> Optional[Tuple[str, int]]:
    """(COMMENT or HEREDOC, where it ends) of a ``/* */`` comment or a heredoc at ``index``."""
    if text.startswith("/*", index):
        end = text.find("*/", index + 2)
        return COMMENT, len(text) if end < 0 else end + 2
    heredoc = _HEREDOC.match(text, index)
    if heredoc is None:
        return None
    closing = re.compile(rf"^[ \t]*{heredoc.group(1)}[ \t]*\r?$", re.M).search(text, heredoc.end())
    return HEREDOC, len(text) if closing is None else closing.end()
