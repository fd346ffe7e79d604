"""Suppressions written in the inputs (SPEC section 6), applied to a run's findings.

- inline comments in YAML, HCL (``.tf``) and Python, also in a notebook's code cells:
  ``# clarify-vpc-lint: ignore[CVL201] reason`` (``//`` too in HCL) on the subject's line or on
  the comment lines right above it;
- checkov's ``checkov:skip=CKV_CVL_201:reason`` in a comment there, and in a ``.tf`` file anywhere
  inside the block it skips, as checkov reads it;
- CloudFormation ``Metadata`` of a resource or of the whole template:
  ``clarify-vpc-lint: {ignore: [CVL201]}``, ``cfn-lint: {config: {ignore_checks: [E9201]}}`` and
  ``checkov: {skip: [{id: CKV_CVL_201, comment: ...}]}``, a list or one scalar.

Every spelling of an ID is accepted in every place (CVL201, cvl201, E9201/W9201/I9201,
CKV_CVL_201). Each suppression records which of its rules it used, so the ones that suppress
nothing, name no rule or give no reason become CVL002 subjects.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from msgspec import Struct, field
from msgspec.structs import replace

from . import hcl_text
from .documents import Document, ParseError
from .findings import Finding
from .model import Location
from .resolve.subjects import Subject, SuppressionView, suppression_subject
from .values import dig

_INLINE = re.compile(r"(?:#|//)\s*clarify-vpc-lint:\s*ignore\[([^\]]*)\](.*)$", re.IGNORECASE)
_CHECKOV = re.compile(r"(?:#|//)\s*checkov:skip=([A-Za-z0-9_]+)(?::(.*))?$", re.IGNORECASE)
# which IDs that are no rule are mistakes: any in our own forms, only ours in checkov's and
# cfn-lint's (CKV_AWS_20 and E3012 are their own checks)
_OURS = re.compile(r".")
_CHECKOV_OURS = re.compile(r"^CKV_CVL_", re.IGNORECASE)
_CFN_LINT_OURS = re.compile(r"^[EWI]9\d{3}$", re.IGNORECASE)
MARKERS = ("clarify-vpc-lint", "checkov:skip")  # a file naming neither holds no comment to read
# the files whose comments may suppress: a notebook's in its code cells (JSON holds none)
COMMENTED = (".yaml", ".yml", ".template", ".tf", ".py", ".ipynb")


class Suppression(Struct):
    """One suppression written in an input: the rules it names and the subjects it covers."""

    loc: Location  # where it is written; ``resource`` is what it covers
    written: str
    ids: Tuple[str, ...]  # canonical rule IDs
    unknown: Tuple[str, ...]  # IDs in our namespace that are no rule
    without_reason: bool = False
    lines: FrozenSet[int] = frozenset()  # the subjects' lines it covers (inline)
    resource: Optional[str] = None  # the resource it covers (resource metadata)
    whole_file: bool = False  # template metadata
    used: Set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> bool:
        if finding.rule not in self.ids or finding.file != self.loc.file:
            return False
        if self.whole_file:
            return True
        if self.resource is not None:
            return finding.resource == self.resource or finding.resource.startswith(
                self.resource + "/"
            )
        shown = finding.region[0] if finding.region else finding.line  # the wrong property
        return finding.line in self.lines or shown in self.lines


def _split_ids(text: str) -> List[str]:
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def _canonical(
    written: Iterable[Any], spellings: Dict[str, str], ours: re.Pattern[str]
) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(rule IDs, mistyped IDs of ours); other tools' IDs (CKV_AWS_20, E3012) are theirs."""
    ids: List[str] = []
    unknown: List[str] = []
    for item in written:
        text = str(item).strip()
        rule = spellings.get(text.upper())
        if rule is not None:
            if rule not in ids:
                ids.append(rule)
        elif ours.match(text):
            unknown.append(text)
    return tuple(ids), tuple(unknown)


def comment_suppressions(path: str, text: str, spellings: Dict[str, str]) -> List[Suppression]:
    """The inline suppressions of one YAML, HCL, Python file or notebook."""
    if not any(marker in text for marker in MARKERS):
        return []
    if path.endswith(".ipynb"):
        return _notebook_suppressions(path, text, spellings)
    return _in_lines(path, text, spellings)


def _in_lines(path: str, text: str, spellings: Dict[str, str]) -> List[Suppression]:
    """The inline suppressions of a text's lines (a ``.tf`` file's checkov skips cover the block
    they are in)."""
    lines = text.splitlines()
    blocks = _hcl_blocks(text) if path.endswith(".tf") else {}
    found = []
    for number, line in enumerate(lines, start=1):
        for pattern in (_INLINE, _CHECKOV):
            match = pattern.search(line)
            if match is None:
                continue
            is_ours = pattern is _INLINE
            ids_text = match.group(1)
            reason = (match.group(2) or "").strip()
            ids, unknown = _canonical(
                _split_ids(ids_text), spellings, _OURS if is_ours else _CHECKOV_OURS
            )
            if not ids and not unknown:  # another tool's check skipped
                continue
            covered = _covered_lines(lines, number, match.start())
            if not is_ours and number in blocks:  # checkov: anywhere inside the block
                covered.add(blocks[number])
            column = match.start() + 1
            found.append(
                Suppression(
                    Location(path, number, column, os.path.basename(path), "api"),
                    f"clarify-vpc-lint: ignore[{ids_text.strip()}]"
                    if is_ours
                    else f"checkov:skip={ids_text}",
                    ids,
                    unknown,
                    without_reason=not reason.lstrip(":-– ").strip(),
                    lines=frozenset(covered),
                )
            )
    return found


def _notebook_suppressions(path: str, text: str, spellings: Dict[str, str]) -> List[Suppression]:
    """The inline comments of a notebook's code cells, each cell read as a script, at the lines
    of the notebook file that hold them (where its findings are)."""
    from .readers.python_sdk.notebooks import cell_line, notebook_cells

    found = []
    try:
        cells = list(notebook_cells(path, text))
    except ParseError:
        return []  # the reader reports the notebook that does not parse
    for _, code, lines in cells:
        for suppression in _in_lines(path, code, spellings):
            line, quote = cell_line(lines, suppression.loc.line)
            column = quote + suppression.loc.column  # the cell's text starts after the quote
            suppression.loc = replace(suppression.loc, line=line, column=column)
            suppression.lines = frozenset(cell_line(lines, n)[0] for n in suppression.lines)
            found.append(suppression)
    return found


def _covered_lines(lines: List[str], number: int, start: int) -> Set[int]:
    """A comment after code covers its line; a comment line covers the first line below it that
    is not a comment (suppressions may be stacked above their subject)."""
    if lines[number - 1][:start].strip():
        return {number}
    below = number
    while below < len(lines) and lines[below].lstrip().startswith(("#", "//")):
        below += 1
    return {below + 1} if below < len(lines) else set()


def _hcl_blocks(text: str) -> Dict[int, int]:
    """For each line inside a top-level HCL block, the line the block starts on."""
    inside: Dict[int, int] = {}
    start = 0
    for event, line, depth in hcl_text.scan(text):
        if event == "{":
            if depth == 1:
                start = inside[line] = line
        elif event != "}" and depth:
            inside[line] = start
    return inside


def metadata_suppressions(document: Document, spellings: Dict[str, str]) -> List[Suppression]:
    """The suppressions in a CloudFormation template's resource and template ``Metadata``."""
    data = document.data
    if not isinstance(data, dict):
        return []
    found = _in_metadata(document, ["Metadata"], None, spellings)
    resources = data.get("Resources")
    if isinstance(resources, dict):
        for name, resource in resources.items():
            if isinstance(resource, dict) and isinstance(resource.get("Metadata"), dict):
                found += _in_metadata(document, ["Resources", name, "Metadata"], name, spellings)
    return found


def _in_metadata(
    document: Document, path: List[Any], resource: Optional[str], spellings: Dict[str, str]
) -> List[Suppression]:
    metadata = dig(document.data, *path)
    if not isinstance(metadata, dict):
        return []
    forms = (
        (["clarify-vpc-lint", "ignore"], _OURS, None),
        (["cfn-lint", "config", "ignore_checks"], _CFN_LINT_OURS, None),
        (["checkov", "skip"], _CHECKOV_OURS, "id"),
    )
    found = []
    for keys, ours, member in forms:
        value = dig(metadata, *keys)
        if value is None:
            continue
        entries = value if isinstance(value, list) else [value]
        written = [e.get(member) if member and isinstance(e, dict) else e for e in entries]
        ids, unknown = _canonical([w for w in written if w is not None], spellings, ours)
        if not ids and not unknown:
            continue
        line, column = document.locate([*path, *keys])
        where = "template Metadata" if resource is None else f"Metadata of {resource}"
        found.append(
            Suppression(
                Location(document.path, line, column, resource or "Metadata", "cloudformation"),
                f"{'.'.join(keys)} in {where}",
                ids,
                unknown,
                resource=resource,
                whole_file=resource is None,
            )
        )
    return found


def apply(
    suppressions: List[Suppression], findings: List[Finding]
) -> Tuple[List[Finding], List[Finding]]:
    """(the findings no suppression covers, the suppressed ones); marks what each one used."""
    by_file: Dict[str, List[Suppression]] = {}
    for suppression in suppressions:
        by_file.setdefault(suppression.loc.file, []).append(suppression)
    kept, suppressed = [], []
    for finding in findings:
        covering = [s for s in by_file.get(finding.file, ()) if s.covers(finding)]
        for suppression in covering:
            suppression.used.add(finding.rule)
        (suppressed if covering else kept).append(finding)
    return kept, suppressed


def problem_subjects(
    suppressions: List[Suppression], subjects: List[Subject], not_run: Iterable[str]
) -> List[Subject]:
    """A CVL002 subject for each suppression, named after the subject it covers; rules the run
    did not check (``--ignore``) are never called unused."""
    skipped = set(not_run)
    at = {(s.loc.file, s.loc.line): s.loc.resource for s in subjects}
    built = []
    for suppression in suppressions:
        loc = suppression.loc
        covered = [
            at[(loc.file, line)] for line in sorted(suppression.lines) if (loc.file, line) in at
        ]
        if covered:
            loc = Location(loc.file, loc.line, loc.column, covered[0], loc.language)
        unused = tuple(i for i in suppression.ids if i not in suppression.used and i not in skipped)
        view = SuppressionView(
            loc, suppression.written, unused, suppression.unknown, suppression.without_reason
        )
        built.append(suppression_subject(view))
    return built
