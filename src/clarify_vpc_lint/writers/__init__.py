"""Report writers: each turns a lint result into one output format."""

from __future__ import annotations

from typing import Callable, Dict

from ..linter import Result
from . import github, json_report, junit, sarif, text

WRITERS: Dict[str, Callable[[Result], str]] = {
    "text": text.write,
    "json": json_report.write,
    "sarif": sarif.write,
    "junit": junit.write,
    "github": github.write,
}
