"""The pipeline: read -> normalise -> resolve -> rules -> findings."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .awsfacts import DEFAULT_REGION
from .catalogue import Rule, load_rules
from .config import Config
from .engine import evaluate
from .findings import Finding, InputError, InputErrors, Result
from .model import Network
from .paths import matches
from .readers import NOT_REGULAR, discover, format_of, load_all, source_format_of
from .readers.cloudformation import read_template
from .readers.declared import read_declared_jobs
from .readers.formats import BY_NAME
from .readers.intrinsics import CfnRun
from .readers.parameters import read_parameters
from .readers.python_sdk import defaults_for, read_python_file, sdk_defaults, without_declared
from .readers.source import Document, ParseError
from .readers.tfroot import read_roots
from .resolve import Subject, build_subjects


@dataclass
class Options:
    paths: Sequence[str] = (".",)
    context: Sequence[str] = ()
    parameters: Sequence[str] = ()
    region: str = DEFAULT_REGION
    ignore: Sequence[str] = ()
    per_path_ignores: Dict[str, List[str]] = field(default_factory=dict)
    severity: Dict[str, str] = field(default_factory=dict)
    config: Optional[Config] = None
    workers: int = 1
    exclude: Sequence[str] = ()  # globs of files and folders a walk does not enter
    var_files: Sequence[str] = ()  # Terraform -var-file
    variables: Dict[str, str] = field(default_factory=dict)  # Terraform -var NAME=VALUE


def _guarded(errors: List[InputError], path: str, read: Callable[[], Network]) -> Network:
    """Run one reader; a malformed input becomes an error line, never a traceback."""
    try:
        return read()
    except ParseError as error:
        errors.append(InputError(path, error.line, error.message))
    except Exception as error:  # a reader bug must not hide the other files' findings
        errors.append(
            InputError(path, None, f"internal error while reading: {type(error).__name__}: {error}")
        )
    return Network()


def run(options: Options) -> Result:
    # Nothing a run builds is freed before it ends, so the collector would only walk every parsed
    # node again and again (half the time of a large template); reference counting still frees.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(options)
    finally:
        if collecting:
            gc.enable()


def _run(options: Options) -> Result:
    seen: Dict[str, str] = {}  # one input, once: a file given twice is read once
    walked = discover(options.paths, options.exclude, seen)
    # a folder given to --context means its inventories: `aws ... --output json` files only
    context = discover(options.context, options.exclude, seen, INVENTORY_EXTENSIONS)
    files, errors = walked.files, walked.errors + context.errors
    for path in options.context:  # named as inventories (command line, config, plugin settings)
        if context.skipped.get(path) == NOT_REGULAR:
            errors.append(InputError(path, None, context.skipped.pop(path)))
    skipped: Dict[str, str] = {**walked.skipped, **context.skipped}
    named_context = set(options.context)
    sources: Dict[str, List[str]] = {}  # read from source by their own readers, below
    for path in files:
        sources.setdefault(source_format_of(path) or "", []).append(path)
    files = sources.pop("", [])
    loaded = load_all(files + context.files, options.workers)
    documents: List[Tuple[Document, str]] = []
    for position, item in enumerate(loaded):
        kind = None if isinstance(item, InputError) else format_of(item)
        if isinstance(item, InputError):
            errors.append(item)
        elif position >= len(files) and kind != "inventory":
            if item.path in named_context:
                errors.append(InputError(item.path, None, _not_an_inventory(kind)))
            else:  # a folder given to --context: its inventories only
                skipped[item.path] = _why_not_read(item)
        elif kind is None:
            skipped[item.path] = _why_not_read(item)
        else:
            documents.append((item, kind))

    parameter_values: Dict[str, str] = {}
    for path in options.parameters:
        try:
            parameter_values.update(read_parameters(path))
        except ParseError as error:
            errors.append(InputError(path, error.line, error.message))

    network = _read(documents, parameter_values, options.region, errors)
    python_linted = _read_python(sources.get("python", []), documents, network, errors, skipped)
    terraform = read_roots(
        sources.get("terraform-config", []),
        [d for d, kind in documents if kind == "terraform"],
        options.var_files,
        options.variables,
    )
    network.extend(terraform.network)
    errors += terraform.errors
    skipped.update(dict.fromkeys(terraform.skipped, NOT_IN_A_ROOT))
    errors += [
        InputError("--var", None, f"{name}: no Terraform root module linted declares it")
        for name in terraform.undeclared
    ]
    config = options.config
    if config is not None and config.jobs:
        network.extend(
            _guarded(
                errors,
                config.path or "config",
                lambda: read_declared_jobs(config.jobs, config.document, config.path or "config"),
            )
        )
        network.jobs = without_declared(network.jobs)

    subjects = build_subjects(network, options.region)  # adds what it fails on to input_errors
    errors += [InputError(*problem) for problem in network.input_errors]
    findings: List[Finding] = []
    judged: Dict[str, Set[Tuple[str, int, str]]] = {}
    for rule in load_rules():
        if rule.id in options.ignore:
            continue
        candidates = [s for s in subjects if s.kind == rule.subject and rule.id not in s.loc.ignore]
        severity = options.severity.get(rule.id, rule.severity)
        found, candidates = _evaluated(rule, candidates, severity, errors)
        judged[rule.id] = {(s.loc.file, s.loc.line, s.loc.resource) for s in candidates}
        findings.extend(f for f in found if not _ignored(f, options))
    findings.sort(key=Finding.sort_key)
    errors.sort(key=lambda e: (e.file, e.line or 0, e.message))
    failed = {error.file for error in errors}  # a file, or a Terraform root's folder
    # what could not be read was not skipped: its error says why
    skipped = {p: why for p, why in skipped.items() if not {p, os.path.dirname(p)} & failed}
    linted = {d.path: kind for d, kind in documents}
    linted.update(dict.fromkeys(python_linted, "python"))
    linted.update(dict.fromkeys(terraform.linted, "terraform-config"))
    found = {"jobs": len(network.jobs), "models": len(network.models), "VPCs": len(network.vpcs)}
    return Result(
        findings,
        errors,
        dict(sorted(linted.items())),
        dict(sorted(skipped.items())),
        found,
        terraform.notes,
        judged,
        config.docs_url if config is not None else None,
    )


NOT_AN_INPUT = "not an input format"
EMPTY = "empty; nothing to read"
NOT_IN_A_ROOT = "no Terraform root module linted reads it (variables: pass them with --var-file)"
INVENTORY_EXTENSIONS = (".json",)


def _why_not_read(document: Document) -> str:
    empty = document.data is None or document.data in ({}, [], "")
    return EMPTY if empty else NOT_AN_INPUT


def _not_an_inventory(kind: Optional[str]) -> str:
    what = "not the output of an `aws ec2 describe-*` command"
    if kind is None:
        return what
    return f"{what}; it reads as {BY_NAME[kind].title}: pass it as a PATH, without --context"


def _evaluated(
    rule: Rule, subjects: List[Subject], severity: str, errors: List[InputError]
) -> Tuple[List[Finding], List[Subject]]:
    """The rule's findings and the subjects it judged. A failure of the rule (a bug) on a subject
    is an input error at that subject, and the rule still judges every other subject."""
    try:
        return evaluate(rule, subjects, severity), subjects
    except Exception:  # find the subjects it fails on, one by one
        findings: List[Finding] = []
        judged: List[Subject] = []
        for subject in subjects:
            try:
                findings.extend(evaluate(rule, [subject], severity))
                judged.append(subject)
            except Exception as error:
                where = subject.loc
                message = f"internal error in rule {rule.id} at {where.resource}"
                errors.append(
                    InputError(
                        where.file, where.line, f"{message}: {type(error).__name__}: {error}"
                    )
                )
        return findings, judged


def _read_python(
    paths: List[str],
    documents: List[Tuple[Document, str]],
    network: Network,
    errors: List[InputError],
    skipped: Dict[str, str],
) -> List[str]:
    """Scripts and notebooks, with the run's SDK defaults; those that start nothing are skipped."""
    candidates = {d.path: sdk_defaults(d.data) for d, kind in documents if kind == "sdk-defaults"}
    linted = []
    for path in paths:
        defaults = defaults_for(path, candidates)
        found = _guarded(errors, path, partial(read_python_file, path, defaults))
        network.extend(found)
        started = found.jobs or found.models or found.requests or found.input_errors
        if started:
            linted.append(path)
        else:
            skipped[path] = "starts no Clarify job or model"
    return linted


def _read(
    documents: List[Tuple[Document, str]],
    parameters: Dict[str, str],
    region: str,
    errors: List[InputError],
) -> Network:
    network = Network()
    run = CfnRun(region, parameters)
    for document, kind in documents:
        read = BY_NAME[kind].read
        network.extend(_guarded(errors, document.path, partial(read, document, run)))
    for template in run.templates:  # once every template's exports are known
        network.extend(_guarded(errors, template.path, partial(read_template, run, template)))
    network.exports = run.exported_resources()
    network.imports = sorted(run.imports)  # recorded while the templates were read
    return network


def _ignored(finding: Finding, options: Options) -> bool:
    return any(
        finding.rule in rules and matches(finding.file, [pattern])
        for pattern, rules in options.per_path_ignores.items()
    )


def lint(
    paths: Iterable[str],
    context: Iterable[str] = (),
    parameters: Iterable[str] = (),
    region: str = DEFAULT_REGION,
) -> List[Finding]:
    """Lint ``paths`` (files or directories) and return the findings.

    Raises ``InputErrors`` if any input (path, inventory, parameter file) cannot be read; it
    carries the errors and the findings of the files that could be read.
    """
    result = run(Options(tuple(paths), tuple(context), tuple(parameters), region))
    if result.errors:
        raise InputErrors(result.errors, result.findings)
    return result.findings


__all__ = ["Finding", "InputError", "InputErrors", "Options", "Result", "Rule", "lint", "run"]
