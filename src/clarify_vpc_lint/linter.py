"""The pipeline: read -> normalise -> resolve -> rules -> findings."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from . import suppressions
from .awsfacts import DEFAULT_REGION
from .catalogue import Rule, load_rules, rule_ids
from .config import Config
from .engine import evaluate
from .findings import Finding, InputError, InputErrors, Result
from .model import Network
from .paths import matches
from .readers import discover, format_of, load_all, source_format_of
from .readers.cloudformation import read_template
from .readers.declared import read_declared_jobs
from .readers.formats import BY_NAME
from .readers.intrinsics import CfnRun
from .readers.parameters import read_parameters
from .readers.python_sdk import defaults_for, read_python_file, sdk_defaults, without_declared
from .readers.source import Document, ParseError
from .readers.tfroot import read_roots
from .regions import with_regions
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
    seen: Set[str] = set()  # one input, once: a file given twice is read once
    walked = discover(options.paths, options.exclude, seen)
    context = discover(options.context, options.exclude, seen)
    files, errors = walked.files, walked.errors + context.errors
    skipped = walked.skipped + context.skipped
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
            if item.path in named_context:  # a folder given to --context: its inventories only
                errors.append(
                    InputError(item.path, None, "not the output of an `aws ec2 describe-*` command")
                )
        elif kind is None:
            skipped.append(item.path)
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
    skipped += terraform.skipped
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

    errors += [InputError(*problem) for problem in network.input_errors]
    subjects = build_subjects(network, options.region)
    findings: List[Finding] = []
    judged: Dict[str, Set[Tuple[str, int, str]]] = {}
    rules = [rule for rule in load_rules() if rule.id not in options.ignore]
    for rule in rules:
        judged[rule.id] = {
            (s.loc.file, s.loc.line, s.loc.resource) for s in subjects if s.kind == rule.subject
        }
        severity = options.severity.get(rule.id, rule.severity)
        findings.extend(f for f in evaluate(rule, subjects, severity) if not _ignored(f, options))
    linted = {d.path: kind for d, kind in documents}
    linted.update(dict.fromkeys(python_linted, "python"))
    linted.update(dict.fromkeys(terraform.linted, "terraform-config"))
    by_path = {d.path: d for d, _ in documents}
    findings = with_regions(findings, by_path, linted)  # a suppression may sit at the region
    findings = _suppress(findings, documents, linted, subjects, rules, judged, options)
    findings = [f if f.region else with_regions([f], by_path, linted)[0] for f in findings]
    findings.sort(key=Finding.sort_key)
    errors.sort(key=lambda e: (e.file, e.line or 0, e.message))
    found = {"jobs": len(network.jobs), "models": len(network.models), "VPCs": len(network.vpcs)}
    return Result(
        findings,
        errors,
        dict(sorted(linted.items())),
        sorted(skipped),
        found,
        terraform.notes,
        judged,
    )


def _read_python(
    paths: List[str],
    documents: List[Tuple[Document, str]],
    network: Network,
    errors: List[InputError],
    skipped: List[str],
) -> List[str]:
    """Scripts and notebooks, with the run's SDK defaults; those that start nothing are skipped."""
    candidates = {d.path: sdk_defaults(d.data) for d, kind in documents if kind == "sdk-defaults"}
    linted = []
    for path in paths:
        defaults = defaults_for(path, candidates)
        found = _guarded(errors, path, partial(read_python_file, path, defaults))
        network.extend(found)
        started = found.jobs or found.models or found.requests or found.input_errors
        (linted if started else skipped).append(path)
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


def _suppress(
    findings: List[Finding],
    documents: List[Tuple[Document, str]],
    linted: Dict[str, str],
    subjects: List[Subject],
    rules: List[Rule],
    judged: Dict[str, Set[Tuple[str, int, str]]],
    options: Options,
) -> List[Finding]:
    """The findings no suppression in the inputs covers, with CVL002 for the suppressions that
    suppress nothing, name no rule or give no reason; a suppressed subject is not judged."""
    spellings = rule_ids()
    found: List[suppressions.Suppression] = []
    json_documents = {d.path for d, _ in documents if d.is_json}
    for path in linted:  # read again: a YAML document does not keep its text
        if path.endswith(suppressions.COMMENTED) and path not in json_documents:
            found += suppressions.comment_suppressions(path, _text(path), spellings)
    for document, kind in documents:
        if kind == "cloudformation":
            found += suppressions.metadata_suppressions(document, spellings)
    if not found:
        return findings
    kept, suppressed = suppressions.apply(found, findings)
    for finding in suppressed:
        judged.get(finding.rule, set()).discard((finding.file, finding.line, finding.resource))
    problems = suppressions.problem_subjects(found, subjects, options.ignore)
    for rule in rules:
        if rule.subject == "suppressions":
            judged[rule.id] = {(s.loc.file, s.loc.line, s.loc.resource) for s in problems}
            severity = options.severity.get(rule.id, rule.severity)
            kept += [f for f in evaluate(rule, problems, severity) if not _ignored(f, options)]
    return kept


def _text(path: str) -> str:
    """A source file's text for its comments; one that cannot be read again holds none."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


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
