"""Report writers: each module turns a lint result into one output format.

They are imported on use, so the CLI does not pay for XML or SARIF support it is not asked for.
"""

from __future__ import annotations

import importlib
import os
import re
from functools import cache
from typing import Callable, Optional

FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "gitlab": "gitlab",
}


def writer(name: str) -> Callable:
    return importlib.import_module(f"{__name__}.{FORMATS[name]}").write


def relative_path(file: str) -> Optional[str]:
    """``file`` relative to the working directory, with ``/``; None when it lies outside it."""
    relative = os.path.relpath(os.path.abspath(file))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")


def fingerprint(*parts: str) -> str:
    """A finding's identity without its line, so it survives edits elsewhere in the file."""
    # a file name that is not UTF-8 reaches Python as surrogates: hash its very bytes
    import hashlib  # here: only the reports that fingerprint findings pay its start-up

    text = "\0".join(parts)
    try:
        joined = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file name makes (a "\ud800" in JSON)
        joined = text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(joined).hexdigest()[:32]


# What XML 1.0 cannot hold at all, escaped or not: control characters and lone surrogates (a
# file name that is not UTF-8 reaches Python with its bytes as surrogates).
# Compiled on first use: its ranges cost a run that writes no XML several milliseconds.
@cache
def _not_xml() -> re.Pattern[str]:
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML cannot hold written as ``\\xNN`` (a byte of a file
    name that is not UTF-8 as that byte)."""
    return _not_xml().sub(_escaped, text)


# Control characters (and lone surrogates) in text for a terminal, other than line breaks and
# the colour codes the text writer adds: a file name or value holding ESC must not drive the
# terminal. Colour codes (SGR) are kept: they can only colour.
_NOT_TERMINAL = re.compile("\x1b\\[[0-9;]*m|[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but line breaks and colours written as ``\\xNN``."""
    return _NOT_TERMINAL.sub(lambda m: m.group() if len(m.group()) > 1 else _escaped(m), text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else code:02x}"
