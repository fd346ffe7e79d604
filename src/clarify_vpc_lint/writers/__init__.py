"""Report writers: each module turns a lint result into one output format.

They are imported on use, so the CLI does not pay for XML or SARIF support it is not asked for.
"""

from __future__ import annotations

import hashlib
import importlib
import os
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
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]
