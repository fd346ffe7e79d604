"""The facts a rule's query may name, registered once per subject kind.

Each fact has a name, a one-line meaning and the function that derives it from the subject's view
(built by ``resolve.subjects``). A fact of a related subject is named with a dot: an endpoint's
``vpc.no_internet``. The catalogue refuses a query that names a fact not registered here, and the
engine uses the registry to know which facts a query reads.

To add a fact: decorate its function in the module of its kind in ``resolve/subjects/`` with
``@fact(kind, name, meaning)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Dict, FrozenSet, List

from jmespath.parser import Parser

KINDS = (
    "requests", "jobs", "models", "vpcs", "endpoints", "subnets", "policies", "suppressions",
)  # fmt: skip


@dataclass(frozen=True)
class Fact:
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


def derive(kind: str, view: Any) -> Dict[str, Any]:
    """Every registered fact of ``kind`` for one subject, dotted names nested as the query reads them."""
    facts: Dict[str, Any] = {}
    for name, registered in FACTS[kind].items():
        *parents, leaf = name.split(".")
        target = facts
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = registered.derive(view)
    return facts


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
