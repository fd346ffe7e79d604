"""What the language server shows, without the protocol: a project judged with the editor's
unsaved buffers, the findings of one open file, and the edits of its code actions.

Everything here is plain data in, plain data out (paths, texts, findings), so it runs on a worker
thread and is tested without an editor. Positions are 0-based lines and columns counted in the
file's characters; the server turns them into the client's units.
"""

from __future__ import annotations

import gc
import os
import re
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from msgspec import Struct

from .. import DEFAULT_REGION, suppressions, tfaddress
from ..config import Config, declared_names, find_config, load_config
from ..documents import (
    Document,
    ParseError,
    keeping_documents,
    parse_text,
    reading_buffers,
    text_read_again,
)
from ..findings import Finding, InputError, Result
from ..linter import Options, run
from ..names import AWS_ID
from ..paths import anchor, within
from ..readers import EXTENSIONS, MAX_FILE_BYTES

# Files whose findings the server shows: every input format, and the config file (declared jobs).
SHOWN = (*EXTENSIONS, ".clarify-vpc-lint.yaml")
# Files an "ignore here" comment is written into: those that hold suppression comments
# (suppressions.COMMENTED) but notebooks, whose comments are in the JSON strings of their cells.
COMMENTED = tuple(e for e in suppressions.COMMENTED if e != ".ipynb")
# Real IDs a finding about an inventory subject names: where a file uses that subject.


Kept = Dict[Tuple[str, str], Document]  # parsed documents by path and text


class Project(Struct, frozen=True):
    """What one judgement covers: a folder (every input under it) and its config file."""

    root: str
    config_path: Optional[str]


def project_of(path: str, folders: Sequence[str]) -> Project:
    """The project of a file: its workspace folder, or the folder of a config file nearer to it
    (a sub-project with its own settings), or, outside every folder, its own folder."""
    real = os.path.realpath(path)
    found = find_config(Path(os.path.dirname(real)))
    config_path = str(found) if found else None
    inside = [f for f in map(os.path.realpath, folders) if within(real, f)]
    root = max(inside, key=len) if inside else os.path.dirname(real)
    if found and within(str(found.parent), root):
        root = str(found.parent)  # the config's folder: at or below the workspace folder
    elif found and not inside:
        root = str(found.parent)
    return Project(root, config_path)


def judge(project: Project, buffers: Mapping[str, str], kept: Optional[Kept] = None) -> Result:
    """The project's result as the editor shows it: ``buffers`` (real path -> text) stand for
    their files. Any failure is a result with one error (the editor shows it), never raised.

    ``kept`` holds the parsed documents of the project's last judgement: the files whose text
    did not change are not parsed again, and it is left holding this judgement's."""
    encoded = {os.path.realpath(p): text.encode("utf-8") for p, text in buffers.items()}
    with reading_buffers(encoded), keeping_documents(dict(kept or {})) as documents:
        result = _judge(project)
    if kept is not None:
        kept.clear()
        kept.update(documents)
    return result


def _judge(project: Project) -> Result:
    """The judgement itself; any failure is a result with one error."""
    try:
        config = load_config(Path(project.config_path)) if project.config_path else Config()
    except ParseError as error:
        return _failure(project.config_path or project.root, error.line, error.message)
    except OSError as error:
        return _failure(project.config_path or project.root, None, str(error))
    try:
        return run(options_for(project, config))
    except Exception as error:  # a crash in a rule is a diagnostic, never a dead server
        return _failure(project.root, None, f"not judged: {type(error).__name__}: {error}")
    finally:
        # run() freezes what it built out of the collector's sweeps (a CLI exits soon after);
        # a server judges again and again, so the last run's cycles must stay collectable
        gc.unfreeze()


def options_for(project: Project, config: Config) -> Options:
    """The run's options from the config file, as the CLI builds them without arguments (the
    config's rule IDs are the rules' own: ``load_config`` reads every spelling)."""
    folder = os.path.dirname(config.path) if config.path else project.root
    return Options(
        paths=config.paths or [project.root],
        context=config.context,
        parameters=config.parameters,
        region=config.region or DEFAULT_REGION,
        ignore=config.ignore,
        per_path_ignores={
            anchor(pattern, folder): rules for pattern, rules in config.per_path_ignores.items()
        },
        severity=config.severity,
        config=config,
        exclude=[anchor(p, folder) for p in config.exclude],
    )


def _failure(file: str, line: Optional[int], message: str) -> Result:
    return Result([], [InputError(file, line, message)], {}, [])


class Shown(Struct, frozen=True):
    """A finding as one open file shows it: where, and what it says there."""

    finding: Finding
    line: int  # 0-based
    column: int
    end_line: int
    end_column: int  # -1: the end of the line's text
    message: str
    here: bool  # the finding's subject is in this file (so "ignore here" and its fix apply)


def declared_uses(project: Project, buffers: Mapping[str, str]) -> Dict[str, List[str]]:
    """The subnets and security groups each job declared in the config file names (Terraform
    addresses, logical IDs or real IDs), by job name; none when the config cannot be read (its
    judgement says why)."""
    if not project.config_path:
        return {}
    encoded = {os.path.realpath(p): text.encode("utf-8") for p, text in buffers.items()}
    try:
        with reading_buffers(encoded):
            return declared_names(load_config(Path(project.config_path)))
    except (ParseError, OSError):
        return {}


def shown_in(
    path: str,
    text: str,
    result: Result,
    project: Project,
    uses: Optional[Mapping[str, List[str]]] = None,
) -> List[Shown]:
    """The findings ``path`` shows: its own, and those of subjects in an inventory or in the
    config file (a declared job, whose ``uses`` are the names it runs in) at the line of this
    file that names or defines them, as the cfn-lint plugin shows them at the resource that
    uses them; a finding in another template at the line of this one that imports its exports
    (the ML stack shows the network stack's missing endpoint where it takes its subnets)."""
    real = os.path.realpath(path)
    lines = text.splitlines()
    config = os.path.realpath(project.config_path) if project.config_path else None
    shown: List[Shown] = []
    for finding in result.findings:
        where = os.path.realpath(finding.file)
        if where == real:
            start, end = _region(finding)
            shown.append(Shown(finding, *start, *end, finding.message, True))
        else:
            line = _line_using(finding, where == config, lines, result, uses)
            if line is not None:
                place = f" (in {os.path.relpath(finding.file, project.root)}:{finding.line})"
                column = len(lines[line]) - len(lines[line].lstrip())
                shown.append(Shown(finding, line, column, line, -1, finding.message + place, False))
    return shown


def _line_using(
    finding: Finding,
    in_config: bool,
    lines: List[str],
    result: Result,
    uses: Optional[Mapping[str, List[str]]],
) -> Optional[int]:
    """The line of the open file that uses the subject of a finding made elsewhere, or None."""
    kind = result.linted.get(finding.file)
    if kind == "inventory" or in_config:
        declared = (uses or {}).get(finding.resource.split("/")[0], []) if in_config else []
        return _user_line(finding, lines, declared)
    if kind == "cloudformation":
        return _importing_line(_exports_of(finding.file), lines)
    return None


def _exports_of(path: str) -> List[str]:
    """The export names a template writes literally (the editor's buffer where one is open)."""
    text = text_read_again(path, MAX_FILE_BYTES)
    if text is None:  # no longer a regular file of an input's size
        return []
    try:
        outputs = parse_text(path, text).data.get("Outputs")
    except (ParseError, AttributeError):
        return []
    exports = [o.get("Export") for o in outputs.values()] if isinstance(outputs, dict) else []
    names = [e.get("Name") for e in exports if isinstance(e, dict)]
    return [n for n in names if isinstance(n, str) and n]


def _importing_line(exports: Sequence[str], lines: List[str]) -> Optional[int]:
    """The first line that imports one of ``exports`` (``!ImportValue X``, ``Fn::ImportValue``)."""
    if not exports:
        return None
    name = re.compile("|".join(rf"(?<![\w-]){re.escape(e)}(?![\w-])" for e in exports))
    return next(
        (n for n, line in enumerate(lines) if "ImportValue" in line and name.search(line)), None
    )


def _region(finding: Finding) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """0-based start and end of the finding: its region where it has one (the wrong property),
    else its subject's key to the end of that line."""
    if finding.region:
        line, column, end_line, end_column = finding.region
        return (line - 1, column - 1), (end_line - 1, end_column - 1)
    return (finding.line - 1, max(finding.column - 1, 0)), (finding.line - 1, -1)


def _user_line(finding: Finding, lines: List[str], declared: Sequence[str]) -> Optional[int]:
    """The first line of the file naming one of the IDs the finding is about, or defining one of
    the resources a declared job runs in: where this file uses its subject."""
    ids = set(AWS_ID.findall(finding.message)) | set(AWS_ID.findall(finding.resource))
    patterns = [rf"\b{re.escape(i)}\b" for i in sorted(ids)]
    for name in declared:
        address = tfaddress.parse(name)
        if address:  # module.net["a"].aws_subnet.private[0]: its block, in the file that has it
            patterns.append(rf'^\s*resource\s+"{address.type}"\s+"{address.name}"')
        elif AWS_ID.fullmatch(name):
            patterns.append(rf"\b{re.escape(name)}\b")
        else:  # a CloudFormation logical ID, as a key (YAML or JSON)
            patterns.append(rf'^\s*"?{re.escape(name)}"?\s*:')
    if not patterns:
        return None
    pattern = re.compile("|".join(f"(?:{p})" for p in patterns))
    return next((n for n, line in enumerate(lines) if pattern.search(line)), None)


def errors_in(path: str, result: Result, project: Project) -> List[InputError]:
    """The input errors ``path`` shows: its own, and a project that could not be judged."""
    real = os.path.realpath(path)
    return [
        e
        for e in result.errors
        if os.path.realpath(e.file) == real
        or (e.message.startswith("not judged") and os.path.realpath(e.file) == project.root)
        or (project.config_path and os.path.realpath(e.file) == project.config_path)
    ]


# ---------------------------------------------------------------------------------------------
# Code actions: each is a list of text edits (start offset, end offset, new text) of one file.

Edit = Tuple[int, int, str]


def ignore_edit(path: str, text: str, shown: Shown) -> Optional[Edit]:
    """The inline suppression of the finding on the line above its subject, at its indentation;
    None where the file's format holds no comments."""
    if not path.endswith(COMMENTED) or not shown.here:
        return None
    line = shown.finding.line - 1
    starts = _line_starts(text)
    if line >= len(starts):
        return None
    start = starts[line]
    subject = text[start:].split("\n", 1)[0]
    indent = subject[: len(subject) - len(subject.lstrip())]
    newline = "\r\n" if "\r\n" in text else "\n"
    comment = f"{indent}# clarify-vpc-lint: ignore[{shown.finding.rule}] TODO: say why{newline}"
    return (start, start, comment)


def fix_edit(path: str, text: str, finding: Finding, kind: Optional[str]) -> Optional[Edit]:
    """The finding's fix exactly as ``--fix`` writes it, as one edit of ``text``; None when
    ``--fix`` would not write it (or the fixes are not installed)."""
    try:
        from ..fixes import plan_fixes
    except ImportError:  # a build without --fix: no fix to offer
        return None
    if finding.severity == "info" or kind is None:
        return None
    with reading_buffers({os.path.realpath(path): text.encode("utf-8")}):
        plan = plan_fixes(Result([finding], [], {finding.file: kind}, []))
    fixed = plan.fixed.get(finding.file)
    if fixed is None or plan.original.get(finding.file) != text:
        return None
    return smallest_edit(text, fixed)


def smallest_edit(original: str, fixed: str) -> Edit:
    """One edit that turns ``original`` into ``fixed``: what lies between their common start
    and their common end."""
    start = 0
    limit = min(len(original), len(fixed))
    while start < limit and original[start] == fixed[start]:
        start += 1
    end = 0
    while end < limit - start and original[-1 - end] == fixed[-1 - end]:
        end += 1
    return (start, len(original) - end, fixed[start : len(fixed) - end])


def _line_starts(text: str) -> List[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def position_of(text: str, offset: int) -> Tuple[int, int]:
    """0-based line and column (in characters) of an offset of ``text``."""
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)
