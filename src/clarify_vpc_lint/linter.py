"""The pipeline: read -> normalise -> resolve -> rules -> findings."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .catalogue import Rule, load_rules
from .config import Config, load_config
from .engine import Finding, evaluate
from .model import Network
from .readers import InputError, discover, format_of, load_all
from .readers.cloudformation import load_template, read_template
from .readers.declared import read_declared_jobs
from .readers.intrinsics import CfnRun
from .readers.inventory import read_inventory
from .readers.parameters import read_parameters
from .readers.sagemaker_api import read_analysis_config, read_request
from .readers.source import Document, ParseError
from .readers.terraform import read_plan
from .readers.workflows import (
    read_pipeline,
    read_sdk_defaults,
    read_state_machine,
    standalone_container,
)
from .resolve import build_subjects

DEFAULT_REGION = "us-east-1"


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


@dataclass
class Result:
    findings: List[Finding]
    errors: List[InputError]
    linted: Dict[str, str]  # the files read as one of the input formats, with that format
    skipped: List[str]

    @property
    def files(self) -> int:
        return len(self.linted)


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
    files, errors = discover(options.paths)
    context_files, context_errors = discover(options.context)
    errors += context_errors
    loaded = load_all(files + context_files, options.workers)
    documents: List[Tuple[Document, str]] = []
    skipped: List[str] = []
    for position, item in enumerate(loaded):
        kind = None if isinstance(item, InputError) else format_of(item)
        if isinstance(item, InputError):
            errors.append(item)
        elif position >= len(files) and kind != "inventory":
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
    config = options.config
    if config is not None and config.jobs:
        network.extend(
            _guarded(
                errors,
                config.path or "config",
                lambda: read_declared_jobs(config.jobs, config.document, config.path or "config"),
            )
        )

    errors += [InputError(*problem) for problem in network.input_errors]
    subjects = build_subjects(network, options.region)
    findings: List[Finding] = []
    for rule in load_rules():
        if rule.id in options.ignore:
            continue
        severity = options.severity.get(rule.id, rule.severity)
        findings.extend(f for f in evaluate(rule, subjects, severity) if not _ignored(f, options))
    findings.sort(key=Finding.sort_key)
    errors.sort(key=lambda e: (e.file, e.line or 0, e.message))
    linted = {d.path: kind for d, kind in sorted(documents, key=lambda pair: pair[0].path)}
    return Result(findings, errors, linted, sorted(skipped))


def _read(
    documents: List[Tuple[Document, str]],
    parameters: Dict[str, str],
    region: str,
    errors: List[InputError],
) -> Network:
    network = Network()
    run = CfnRun(region, parameters)
    for document, kind in documents:
        if kind == "cloudformation":
            network.extend(_guarded(errors, document.path, partial(_add, run, document)))
        elif kind in _READERS:
            network.extend(_guarded(errors, document.path, partial(_READERS[kind], document)))
    for template in run.templates:
        network.extend(_guarded(errors, template.path, partial(read_template, run, template)))
    return network


_READERS: Dict[str, Callable[[Document], Network]] = {
    "inventory": read_inventory,
    "api": read_request,
    "analysis-config": read_analysis_config,
    "terraform": read_plan,
    "state-machine": lambda d: read_state_machine(d.data, standalone_container(d)),
    "pipeline": lambda d: read_pipeline(d.data, standalone_container(d)),
    "sdk-defaults": read_sdk_defaults,
}


def _add(run: CfnRun, document: Document) -> Network:
    """Register a template (exports, SSM parameters); it is read once all are known."""
    run.add(load_template(document))
    return Network()


def _ignored(finding: Finding, options: Options) -> bool:
    return any(
        finding.rule in rules and fnmatch.fnmatch(finding.file, pattern)
        for pattern, rules in options.per_path_ignores.items()
    )


@lru_cache(maxsize=64)
def judge_file(
    path: str,
    stamp: float,
    region: Optional[str] = None,
    context: Tuple[str, ...] = (),
    parameters: Tuple[str, ...] = (),
    config_path: Optional[str] = None,
) -> Result:
    """One file judged alone, cached by path and ``stamp`` (its mtime).

    The cfn-lint and checkov plugins ask once per rule and resource; the file is judged once.
    A config file adds its declared jobs, and its region, inventories and parameter files where
    none are given.
    """
    config = load_config(Path(config_path)) if config_path else None
    options = Options(
        paths=[path],
        region=region or (config.region if config else None) or DEFAULT_REGION,
        context=context or (tuple(config.context) if config else ()),
        parameters=parameters or (tuple(config.parameters) if config else ()),
        config=config,
    )
    return run(options)


def lint(
    paths: Iterable[str],
    context: Iterable[str] = (),
    parameters: Iterable[str] = (),
    region: str = DEFAULT_REGION,
) -> List[Finding]:
    """Lint ``paths`` (files or directories) and return the findings.

    Inputs that cannot be read are skipped here; use the CLI to see them as errors.
    """
    return run(Options(tuple(paths), tuple(context), tuple(parameters), region)).findings


__all__ = ["Finding", "Options", "Result", "Rule", "lint", "run"]
