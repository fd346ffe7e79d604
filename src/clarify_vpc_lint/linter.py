"""The pipeline: read -> normalise -> resolve -> rules -> findings."""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from msgspec import Struct, field

from . import DEFAULT_REGION, collector, suppressions
from .catalogue import SEVERITIES, Rule, load_rules, rule_ids
from .config import Config
from .documents import text_read_again
from .engine import evaluate
from .environments import Project, environment_folders, overlaps, split
from .findings import Finding, InputError, InputErrors, Result
from .model import Location
from .paths import matches
from .readers import MAX_PLAN_BYTES, TITLES, Batch, read_inputs
from .regions import with_regions
from .resolve import Subject, build_subjects


class Options(Struct):
    """What a run lints and how: the paths, context and settings the CLI and the hosts pass."""

    paths: Sequence[str] = (".",)
    context: Sequence[str] = ()
    parameters: Sequence[str] = ()
    region: str = DEFAULT_REGION
    ignore: Sequence[str] = ()
    # only these rules are checked (all when empty); ignore still applies
    select: Sequence[str] = ()
    per_path_ignores: Dict[str, List[str]] = field(default_factory=dict)
    severity: Dict[str, str] = field(default_factory=dict)
    config: Optional[Config] = None
    exclude: Sequence[str] = ()  # globs of files and folders a walk does not enter
    var_files: Sequence[str] = ()  # Terraform -var-file
    variables: Dict[str, str] = field(default_factory=dict)  # Terraform -var NAME=VALUE


def run(options: Options) -> Result:
    unknown = sorted(set(options.select) - {rule.id for rule in load_rules()})
    if unknown:  # a misspelt rule must not pass for a rule with nothing to say
        raise ValueError(f"select: no rule {', '.join(unknown)}")
    with collector.off(freeze=True):  # nothing a run builds is freed before it ends
        return _run(options)


def _run(options: Options) -> Result:
    config = options.config
    if config is not None and config.projects:
        return _merged([_judge(_read(options, p), options) for p in _asked(options, config)])
    batch = _read(options, Project("", options.paths))
    folders = environment_folders(batch.defined_twice, batch.network, batch.linted)
    if not folders:
        return _judge(batch, options)
    result = _merged([_judge(_read(options, p), options) for p in split(batch.inputs, folders)])
    result.notes.insert(
        0, f"judged as separate projects (they define the same names): {', '.join(folders)}"
    )
    return result


def _asked(options: Options, config: Config) -> List[Project]:
    """The configured projects the paths asked for overlap, and one for asked paths outside them."""
    projects = [p for p in config.projects if overlaps(options.paths, p.paths)]
    rest = [a for a in options.paths if not any(overlaps([a], p.paths) for p in config.projects)]
    return projects + ([Project("", rest)] if rest else [])


def _read(options: Options, project: Project) -> Batch:
    return read_inputs(
        project.paths,
        [*options.context, *project.context],
        region=options.region,
        exclude=options.exclude,
        parameter_files=[*options.parameters, *project.parameters],
        var_files=options.var_files,
        variables=options.variables,
        config=options.config,
    )


def _judge(batch: Batch, options: Options) -> Result:
    """One project's result: its subjects judged by the rules asked for, suppressions applied."""
    network = batch.network
    subjects = build_subjects(network, options.region)  # adds what it fails on to input_errors
    errors = batch.errors + [InputError(*problem) for problem in network.input_errors]
    rules = _rules_to_run(options)
    findings, judged = _evaluated_all(rules, subjects, options, errors)
    by_path = {d.path: d for documents in batch.documents.values() for d in documents}
    findings = with_regions(findings, by_path, batch.linted)  # a suppression may sit at the region
    findings = _suppress(findings, batch, subjects, rules, judged, options)
    findings = [f if f.region else with_regions([f], by_path, batch.linted)[0] for f in findings]
    if options.select:
        findings = [f for f in findings if f.rule in options.select]
        judged = {rule: spots for rule, spots in judged.items() if rule in options.select}
    findings.sort(key=Finding.sort_key)
    errors.sort(key=lambda e: (e.file, e.line or 0, e.message))
    found = {"jobs": len(network.jobs), "models": len(network.models), "VPCs": len(network.vpcs)}
    return Result(
        findings,
        errors,
        dict(sorted(batch.linted.items())),
        dict(sorted(batch.skipped.items())),
        found,
        batch.notes,
        judged,
        format_titles=TITLES,
        docs_url=options.config.docs_url if options.config is not None else None,
    )


def _rules_to_run(options: Options) -> List[Rule]:
    """The rules asked for. Whether a suppression suppresses anything (CVL002) takes every
    rule's findings: selecting it runs them all (and reports only what was selected)."""
    rules = [rule for rule in load_rules() if rule.id not in options.ignore]
    selected = [rule for rule in rules if not options.select or rule.id in options.select]
    return rules if any(rule.subject == "suppressions" for rule in selected) else selected


def _evaluated_all(
    rules: List[Rule], subjects: List[Subject], options: Options, errors: List[InputError]
) -> Tuple[List[Finding], Dict[str, List[Location]]]:
    """Every rule's findings, and where each rule judged a subject (where a host may say PASSED)."""
    findings: List[Finding] = []
    judged: Dict[str, List[Location]] = {}
    by_kind: Dict[str, List[Subject]] = {}
    for subject in subjects:
        by_kind.setdefault(subject.kind, []).append(subject)
    for rule in rules:
        candidates = by_kind.get(rule.subject, [])
        severity = options.severity.get(rule.id, rule.severity)
        found, candidates = _evaluated(rule, candidates, severity, errors)
        judged[rule.id] = [s.loc for s in candidates]
        findings.extend(f for f in found if not _ignored(f, options))
    return findings, judged


def _merged(results: List[Result]) -> Result:
    """One result of several projects; what a file shared by them gave is said once."""
    # a subject of a file several projects share is reported once: at its most severe verdict
    by_subject: Dict[Tuple[str, str, int, str], Finding] = {}
    for finding in sorted(set().union(*(r.findings for r in results)), key=_most_severe_first):
        by_subject.setdefault((finding.rule, finding.file, finding.line, finding.resource), finding)
    findings = sorted(by_subject.values(), key=Finding.sort_key)
    errors = sorted(
        {(e.file, e.line, e.message): e for r in results for e in r.errors}.values(),
        key=lambda e: (e.file, e.line or 0, e.message),
    )
    linted = dict(sorted({p: k for r in results for p, k in r.linted.items()}.items()))
    judged: Dict[str, List[Location]] = {}
    for result in results:
        for rule, locations in result.judged.items():
            judged.setdefault(rule, []).extend(locations)
    return Result(
        findings,
        errors,
        linted,
        dict(
            sorted({p: w for r in results for p, w in r.skipped.items() if p not in linted}.items())
        ),
        {k: sum(r.found.get(k, 0) for r in results) for k in ("jobs", "models", "VPCs")},
        list(dict.fromkeys(n for r in results for n in r.notes)),
        judged,
        format_titles=TITLES,
        docs_url=results[0].docs_url if results else None,
    )


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


def _most_severe_first(finding: Finding) -> Tuple[int, str, str]:
    """Most severe first, then a total order: the run's output never depends on set order."""
    return (-SEVERITIES.index(finding.severity), finding.message, finding.remediation)


def _suppress(
    findings: List[Finding],
    batch: Batch,
    subjects: List[Subject],
    rules: List[Rule],
    judged: Dict[str, List[Location]],
    options: Options,
) -> List[Finding]:
    """The findings no suppression in the inputs covers, with CVL002 for the suppressions that
    suppress nothing, name no rule or give no reason; a suppressed subject is not judged."""
    spellings = rule_ids()
    found: List[suppressions.Suppression] = []
    json_documents = {d.path for ds in batch.documents.values() for d in ds if d.is_json}
    for path in batch.linted:  # read again: a YAML document does not keep its text
        if path.endswith(suppressions.COMMENTED) and path not in json_documents:
            found += suppressions.comment_suppressions(path, _text(path), spellings)
    for document in batch.documents.get("cloudformation", []):
        found += suppressions.metadata_suppressions(document, spellings)
    if not found:
        return findings
    kept, suppressed = suppressions.apply(found, findings)
    for finding in suppressed:
        judged[finding.rule] = [
            loc
            for loc in judged.get(finding.rule, [])
            # file and resource first: a plan's line is found only when it is read
            if not (
                loc.file == finding.file
                and loc.resource == finding.resource
                and loc.line == finding.line
            )
        ]
    # a suppression of a rule this run does not check (--ignore, or not --select-ed) is not unused
    unchecked = set(spellings.values()) - {rule.id for rule in rules}
    problems = suppressions.problem_subjects(found, subjects, [*options.ignore, *unchecked])
    for rule in rules:
        if rule.subject == "suppressions":
            judged[rule.id] = [s.loc for s in problems]
            severity = options.severity.get(rule.id, rule.severity)
            kept += [f for f in evaluate(rule, problems, severity) if not _ignored(f, options)]
    return kept


def _text(path: str) -> str:
    """A source file's text for its comments; one that cannot be read again holds none."""
    return text_read_again(path, MAX_PLAN_BYTES) or ""  # up to the most any reader takes


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
    select: Iterable[str] = (),
) -> List[Finding]:
    """Lint ``paths`` (files or directories) and return the findings, of the ``select`` rules
    only when given (rule IDs such as ``CVL201``).

    Raises ``InputErrors`` if any input (path, inventory, parameter file) cannot be read; it
    carries the errors and the findings of the files that could be read.
    """
    options = Options(tuple(paths), tuple(context), tuple(parameters), region, select=tuple(select))
    result = run(options)
    if result.errors:
        raise InputErrors(result.errors, result.findings)
    return result.findings


__all__ = ["Finding", "InputError", "InputErrors", "Options", "Result", "Rule", "lint", "run"]
