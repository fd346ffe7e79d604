"""Evaluate the catalogue's queries over the resolved subjects.

A rule's query is written as if every fact were known. For a subject with unknown facts the engine
tries every combination: if the query selects the subject in all of them the finding stands at the
rule's severity; if only in some, it is reported as ``info`` naming the facts that would decide it.
Only the facts the query reads (the catalogue knows them from the fact registry) are tried; a
subject with more unknown facts than ``MAX_UNKNOWN_FACTS`` among them is reported as ``info``
without trying: a guess must never become a definite finding. A subject that exists only under
an undecided CloudFormation condition (``Location.condition``) gets at most ``info`` naming it.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from functools import cache
from typing import Any, Dict, FrozenSet, Iterable, List, Tuple

import jmespath

from . import tfaddress
from .catalogue import Rule
from .findings import Finding
from .remediation import Refs, fill, in_template_syntax, placeholders, syntax_of
from .resolve import Subject
from .values import Unknown

MAX_UNKNOWN_FACTS = 10  # 2**10 combinations; beyond that the subject is reported as info


__all__ = ["evaluate", "fill"]


@cache
def _compiled(query: str) -> Any:
    return jmespath.compile(query)


def _unknown_paths(
    facts: Dict[str, Any], read: FrozenSet[str], prefix: Tuple[str, ...] = ()
) -> List[Tuple[Tuple[str, ...], Unknown]]:
    """The unknown facts among those a query reads (dotted names), with their paths."""
    found = []
    for key, value in facts.items():
        path = prefix + (key,)
        if isinstance(value, Unknown) and ".".join(path) in read:
            found.append((path, value))
        elif isinstance(value, dict):
            found.extend(_unknown_paths(value, read, path))
    return found


def _world(
    facts: Dict[str, Any], assignment: Dict[Tuple[str, ...], bool], prefix=()
) -> Dict[str, Any]:
    world = {}
    for key, value in facts.items():
        path = prefix + (key,)
        if isinstance(value, dict):
            world[key] = _world(value, assignment, path)
        elif isinstance(value, Unknown):
            world[key] = assignment.get(path, False)
        else:
            world[key] = value
    return world


def _selects(rule: Rule, world: Dict[str, Any]) -> bool:
    return bool(_compiled(rule.query).search({rule.subject: [world]}))


def evaluate(rule: Rule, subjects: Iterable[Subject], severity: str) -> List[Finding]:
    candidates = [s for s in subjects if s.kind == rule.subject]
    unknowns_of = {id(s): _unknown_paths(s.facts, rule.facts) for s in candidates}
    definite = [s for s in candidates if not unknowns_of[id(s)]]
    findings = []
    # Subjects whose facts are all known are judged in one query.
    worlds = [dict(_world(s.facts, {}), _index=i) for i, s in enumerate(definite)]
    for selected in _compiled(rule.query).search({rule.subject: worlds}) or []:
        findings.append(_report(rule, definite[selected["_index"]], severity, []))
    for subject in candidates:
        unknowns = unknowns_of[id(subject)]
        if not unknowns:
            continue
        if len(unknowns) > MAX_UNKNOWN_FACTS:  # too many to try: undecided, never definite
            decisive: Any = [unknown for _, unknown in unknowns]
        else:
            decisive = _decisive_unknowns(rule, subject, unknowns)
        if decisive is True:
            findings.append(_report(rule, subject, severity, []))
        elif decisive:
            findings.append(_report(rule, subject, severity, decisive))
    return findings


def _report(rule: Rule, subject: Subject, severity: str, decisive: List[Unknown]) -> Finding:
    """The finding at the rule's severity, or info naming the unknowns that would decide it,
    among them the undecided condition the subject exists under (SPEC section 3)."""
    if subject.loc.condition is not None:
        decisive = [*decisive, subject.loc.condition]
    if not decisive:
        return _finding(rule, subject, severity, rule.message)
    reasons = tuple(sorted({u.reason for u in decisive}))
    info = _finding(
        rule, subject, "info", rule.unknown_message, f": not known: {'; '.join(reasons)}"
    )
    return replace(info, missing=reasons)


def _decisive_unknowns(
    rule: Rule, subject: Subject, unknowns: List[Tuple[Tuple[str, ...], Unknown]]
) -> Any:
    """True if the query holds in every combination; else the unknowns that would decide it."""
    paths = [path for path, _ in unknowns]
    outcomes = {}
    for values in itertools.product((False, True), repeat=len(paths)):
        assignment = dict(zip(paths, values))
        outcomes[values] = _selects(rule, _world(subject.facts, assignment))
    if all(outcomes.values()):
        return True
    if not any(outcomes.values()):
        return []
    decisive = []
    for position, (_, unknown) in enumerate(unknowns):
        for values, outcome in outcomes.items():
            flipped = values[:position] + (not values[position],) + values[position + 1 :]
            if outcomes[flipped] != outcome:
                decisive.append(unknown)
                break
    return decisive


def _finding(
    rule: Rule, subject: Subject, severity: str, template: str, suffix: str = ""
) -> Finding:
    names = dict(subject.context, resource=subject.loc.resource, rule=rule.id)
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=severity,
        file=subject.loc.file,
        line=subject.loc.line,
        column=subject.loc.column,
        resource=subject.loc.resource,
        message=fill(template, names) + suffix,
        remediation=_remediation(rule, subject, names),
        fix_adds=tuple(subject.context.get("fix_adds", ())),
    )


def _remediation(rule: Rule, subject: Subject, names: Dict[str, Any]) -> str:
    """The rule's fix in the subject's language; a template written in JSON gets it in JSON."""
    language = subject.loc.language
    written_in = rule.remediation_key(language, subject.context.get("variant", ""))
    if written_in == "api" and language == "config":
        # a job declared beside a plan or template: what its fix changes is written there
        named = [names.get(name) for name in placeholders(rule.remediation["api"])]
        origins = {o for v in named if isinstance(v, Refs) for o, _ in v.items}
        written = origins & {"terraform", "cloudformation"}
        if len(written) == 1 and written <= set(rule.remediation):
            written_in = language = written.pop()
    template = rule.remediation[written_in]
    module = ""
    if language == "terraform":
        address = tfaddress.parse(subject.loc.resource)
        module = address.module if address is not None else ""
    filled = fill(template, names, syntax_of(written_in, template), module)
    if language == "cloudformation":
        return in_template_syntax(filled, subject.loc.is_json, names.get("json_files", ()))
    return filled
