"""Evaluate the catalogue's queries over the resolved subjects.

A rule's query is written as if every fact were known. For a subject with unknown facts the engine
tries every combination: if the query selects the subject in all of them the finding stands at the
rule's severity; if only in some, it is reported as ``info`` naming the facts that would decide it.
Only the facts the query reads (the catalogue knows them from the fact registry) are tried; a
subject with more unknown facts than ``MAX_UNKNOWN_FACTS`` among them is reported as ``info``
without trying: a guess must never become a definite finding. A subject that exists only under
an undecided CloudFormation condition (``Location.condition``) gets at most ``info`` naming it.
A subject whose fact the query requires (``a && !b && ...``) is known to be the other boolean is
selected in no world: it is set aside before its other facts are derived (``facts.guards``).
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any, Dict, FrozenSet, Iterable, List, Tuple
from weakref import WeakKeyDictionary

import jmespath
from msgspec.structs import replace

from .catalogue import Rule
from .facts import guards
from .findings import Finding
from .remediation import fill, remediation_for
from .resolve import Subject
from .values import Unknown

_Unknown = Tuple[str, Tuple[str, ...], Unknown]  # a fact's dotted name, its path, its value
MAX_UNKNOWN_FACTS = 10  # 2**10 combinations; beyond that the subject is reported as info


__all__ = ["evaluate", "fill"]


@cache
def _compiled(query: str) -> Any:
    return jmespath.compile(query)


def _all_unknowns(facts: Dict[str, Any], prefix: Tuple[str, ...] = ()) -> List[_Unknown]:
    """Every unknown fact of a subject: its dotted name, path and value."""
    found = []
    for key, value in facts.items():
        path = prefix + (key,)
        if isinstance(value, Unknown):
            found.append((".".join(path), path, value))
        elif isinstance(value, dict):
            found.extend(_all_unknowns(value, path))
    return found


class _Prepared:
    """What every rule reads of one subject, worked out once per run rather than once per rule:
    its unknown facts, and its facts with each unknown false (the world where all are known)."""

    __slots__ = ("unknowns", "world")

    def __init__(self, subject: Subject) -> None:
        self.unknowns = _all_unknowns(subject.facts)
        self.world = _world(subject.facts, {}) if self.unknowns else subject.facts


_prepared: WeakKeyDictionary[Subject, _Prepared] = WeakKeyDictionary()


def _prepare(subject: Subject) -> _Prepared:
    prepared = _prepared.get(subject)
    if prepared is None:
        prepared = _prepared[subject] = _Prepared(subject)
    return prepared


def _unknown_paths(subject: Subject, read: FrozenSet[str]) -> List[Tuple[Tuple[str, ...], Unknown]]:
    """The unknown facts among those a query reads (dotted names), with their paths."""
    return [(path, value) for name, path, value in _prepare(subject).unknowns if name in read]


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


def _ruled_out(subject: Subject, required: Tuple[Tuple[str, bool], ...]) -> bool:
    """Does a fact the query requires hold the other boolean? Then no world selects the subject,
    and its other facts need not be derived (most subjects of a correct network)."""
    # a loop, not any() over a generator: a plan's 10,000 resources make 22,000 calls
    for name, value in required:  # noqa: SIM110
        if subject.fact(name) is (not value):
            return True
    return False


def evaluate(rule: Rule, subjects: Iterable[Subject], severity: str) -> List[Finding]:
    required = guards(rule.query)
    candidates = [s for s in subjects if s.kind == rule.subject and not _ruled_out(s, required)]
    unknowns_of = {id(s): _unknown_paths(s, rule.facts) for s in candidates}
    definite = [s for s in candidates if not unknowns_of[id(s)]]
    findings = []
    # Subjects whose facts are all known (or whose unknowns this query does not read: false in
    # the world it sees) are judged in one query.
    worlds = [dict(_prepare(s).world, _index=i) for i, s in enumerate(definite)]
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
        assignment = dict(zip(paths, values, strict=False))
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
        remediation=remediation_for(rule, subject, names),
        fix_adds=tuple(subject.context.get("fix_adds", {}).get(rule.id, ())),
        fix_vpc_config=subject.context.get("fix_vpc_config", {}).get(rule.id),
    )
