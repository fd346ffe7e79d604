"""The facts a rule's query may name, registered once per subject kind.

Each fact has a name, a one-line meaning and the function that derives it from the subject's view
(built by ``resolve.subjects``). A fact of a related subject is named with a dot: an endpoint's
``vpc.no_internet``. The catalogue refuses a query that names a fact not registered here, and the
engine uses the registry to know which facts a query reads.

To add a fact: decorate its function in the module of its kind in ``resolve/subjects/`` with
``@fact(kind, name, meaning)``.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable, Dict, FrozenSet, List, Tuple

from jmespath.parser import Parser
from msgspec import Struct

KINDS = (
    "requests", "jobs", "models", "vpcs", "endpoints", "subnets", "policies", "suppressions",
)  # fmt: skip


class Fact(Struct, frozen=True):
    """One registered fact: its subject kind, name, meaning and derivation."""

    kind: str
    name: str  # dotted for a related subject's fact: "vpc.no_internet"
    meaning: str
    derive: Callable[[Any], Any]


FACTS: Dict[str, Dict[str, Fact]] = {kind: {} for kind in KINDS}


def fact(kind: str, name: str, meaning: str) -> Callable[[Callable[[Any], Any]], Callable]:
    """Register the decorated function as the derivation of fact ``name`` of ``kind`` subjects."""

    def register(derive: Callable[[Any], Any]) -> Callable[[Any], Any]:
        if name in FACTS[kind]:
            raise ValueError(f"fact {kind}.{name} is registered twice")
        FACTS[kind][name] = Fact(kind, name, meaning, derive)
        return derive

    return register


_NOT_DERIVED = object()  # a fact may derive to None


class Facts:
    """One subject's facts, each derived from its view the first time it is read: a rule whose
    query a known fact already rules out reads no other (the engine's guards), so most facts of
    a correct network's subjects are never derived."""

    __slots__ = ("kind", "view", "_derived")

    def __init__(self, kind: str, view: Any) -> None:
        self.kind, self.view = kind, view
        self._derived: Dict[str, Any] = {}

    def get(self, name: str) -> Any:
        """The fact of dotted ``name``, derived once."""
        # one lookup for a fact already derived: the engine's guards ask 30,000 times in a plan
        # of 10,000 resources, and derive 20,000
        value = self._derived.get(name, _NOT_DERIVED)
        if value is _NOT_DERIVED:
            value = self._derived[name] = FACTS[self.kind][name].derive(self.view)
        return value

    def nested(self) -> Dict[str, Any]:
        """Every registered fact, dotted names nested as a query reads them."""
        facts: Dict[str, Any] = {}
        for name in FACTS[self.kind]:
            *parents, leaf = name.split(".")
            target = facts
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = self.get(name)
        return facts


def derive(kind: str, view: Any) -> Facts:
    """The facts of ``kind`` for one subject, derived as they are read."""
    return Facts(kind, view)


class QueryError(ValueError):
    """A rule's query that the catalogue cannot accept."""


@cache
def facts_read(query: str, kind: str) -> FrozenSet[str]:
    """The fact names a query reads, checked against the registry of ``kind``.

    A query has the shape ``kind[?condition]``; any other shape, or a name that is not a
    registered fact, raises ``QueryError`` naming it.
    """
    try:
        tree = Parser().parse(query).parsed
    except Exception as error:  # jmespath's own exceptions carry the position
        raise QueryError(f"query does not parse: {error}") from None
    children = tree.get("children") or []
    if tree.get("type") != "filter_projection" or children[0] != {
        "type": "field",
        "children": [],
        "value": kind,
    }:
        raise QueryError(f"query must have the shape `{kind}[?condition]`")
    names: List[str] = []
    for child in children[1:]:
        _collect_names(child, names)
    unknown = sorted(set(names) - set(FACTS[kind]))
    if unknown:
        raise QueryError(
            f"query names {', '.join(unknown)}, not a registered fact of {kind} "
            f"(registered: {', '.join(sorted(FACTS[kind]))})"
        )
    return frozenset(names)


@cache
def guards(query: str) -> Tuple[Tuple[str, bool], ...]:
    """The facts a query's condition requires, each with the value it requires: the operands of
    its top-level ``&&`` that are a fact (``a``, ``vpc.a``) or a negated one (``!a``). A subject
    whose fact is the other boolean is selected in no world, whatever its other facts are."""
    children = Parser().parse(query).parsed.get("children") or []
    required: List[Tuple[str, bool]] = []
    conjuncts = children[-1:]
    while conjuncts:
        node = conjuncts.pop(0)
        if node.get("type") == "and_expression":
            conjuncts[:0] = node.get("children") or []
            continue
        negated = node.get("type") == "not_expression"
        name = _dotted((node.get("children") or [{}])[0] if negated else node)
        if isinstance(name, str):
            required.append((name, not negated))
    return tuple(required)


def _collect_names(node: Dict[str, Any], names: List[str]) -> None:
    dotted = _dotted(node)
    if dotted is not None:
        names.append(dotted)
        return
    for child in node.get("children") or []:
        if isinstance(child, dict):
            _collect_names(child, names)


def _dotted(node: Dict[str, Any]) -> Any:
    """``a`` or ``a.b`` as written, or None for any other expression."""
    if node.get("type") == "field":
        return node["value"]
    if node.get("type") == "subexpression":
        parts = [_dotted(child) for child in node.get("children") or []]
        if all(isinstance(part, str) for part in parts):
            return ".".join(parts)
    return None
