"""Baselines (SPEC section 6): the findings a team accepts today, hidden until they change.

A finding's fingerprint is its rule, file and subject (the resource; for an inventory subject its
ID), never its line or message, so a baseline survives edits that move lines or reword messages.
Files are named relative to the baseline's own folder, so it matches wherever the linter runs
from (the CLI, the pre-commit hook, the Action). One fingerprint may stand for several findings
(a count); a baseline hides at most that many. Written again, it holds exactly the findings of
that run: the ones that disappeared are dropped.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Iterable, List, Tuple

from msgspec import Struct

from .atomic import write_atomically
from .documents import ParseError, decode_text, parse_json, read_regular_file
from .findings import Finding

VERSION = 1
# the baseline the cfn-lint and checkov plugins apply (they take no option of their own)
BASELINE_VARIABLE = "CLARIFY_VPC_LINT_BASELINE"
Fingerprint = Tuple[str, str, str]  # rule, file (relative to the baseline's folder), resource


class BaselineError(ValueError):
    """A baseline file that cannot be read or written; the message names it and says why."""


class Baseline(Struct):
    folder: str  # absolute: the files it names are relative to it
    counts: Counter

    def fingerprint(self, finding: Finding, cwd: str) -> Fingerprint:
        """``cwd``: the folder the finding's relative path is relative to."""
        path = os.path.relpath(os.path.join(cwd, finding.file), self.folder)
        return (finding.rule, path.replace(os.sep, "/"), finding.resource)

    def apply(self, findings: Iterable[Finding], cwd: str) -> Tuple[List[Finding], int]:
        """(the findings it does not hide, how many it hides)."""
        left = Counter(self.counts)
        kept, hidden = [], 0
        for finding in findings:
            key = self.fingerprint(finding, cwd)
            if left[key] > 0:
                left[key] -= 1
                hidden += 1
            else:
                kept.append(finding)
        return kept, hidden


def _folder(path: str) -> str:
    return os.path.dirname(os.path.abspath(path))


# A finding's entry is about 200 bytes: some 150,000 findings.
MAX_BASELINE_BYTES = 32 * 1024 * 1024


def read_baseline(path: str) -> Baseline:
    """The baseline in ``path``: a regular file, opened without blocking (never a FIFO or a
    device waited on), of bounded size and nesting, as every input is read."""
    try:
        raw = read_regular_file(path, MAX_BASELINE_BYTES)
    except ParseError as error:
        raise BaselineError(f"{path}: cannot be read ({error.message})") from None
    try:
        document = parse_json(decode_text(raw))
    except ParseError as error:
        raise BaselineError(f"{path}: not valid JSON ({error.message})") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(entries, list) or document.get("version") != VERSION:
        raise BaselineError(f"{path}: not a clarify-vpc-lint baseline (version {VERSION})")
    counts: Counter = Counter()
    for number, entry in enumerate(entries, start=1):
        fields = [entry.get(key) if isinstance(entry, dict) else None for key in _KEYS]
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if not all(isinstance(f, str) for f in fields) or not isinstance(count, int) or count < 1:
            raise BaselineError(
                f"{path}: finding {number} needs rule, file and resource (strings) and a "
                "positive count"
            )
        counts[tuple(fields)] += count
    return Baseline(_folder(path), counts)


_KEYS = ("rule", "file", "resource")


def write_baseline(path: str, findings: Iterable[Finding], cwd: str) -> int:
    """Record ``findings`` in ``path`` (atomically); returns how many were recorded."""
    baseline = Baseline(_folder(path), Counter())
    counts = Counter(baseline.fingerprint(finding, cwd) for finding in findings)
    entries = []
    for key in sorted(counts):
        entry = dict(zip(_KEYS, key, strict=False))
        if counts[key] > 1:
            entry["count"] = counts[key]
        entries.append(entry)
    text = json.dumps({"tool": "clarify-vpc-lint", "version": VERSION, "findings": entries},
                      indent=2) + "\n"  # fmt: skip
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot be written ({error.strerror or error})") from None
    return sum(counts.values())
