"""Report writers: each module turns a lint result into one output format.

They are imported on use, so the CLI does not pay for XML or SARIF support it is not asked for.
"""

from __future__ import annotations

import importlib
from typing import Callable

FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
}


def writer(name: str) -> Callable:
    return importlib.import_module(f"{__name__}.{FORMATS[name]}").write
