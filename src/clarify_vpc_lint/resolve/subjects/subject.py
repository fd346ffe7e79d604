"""The subject of a rule: one thing a rule can report."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Callable, Dict, Iterable, List, Tuple, Union

from msgspec import Struct

from ...facts import Facts
from ...model import Location, Network


# a subject is itself only (eq=False): the engine keeps what it works out of each, weakly
class Subject(Struct, eq=False, dict=True, weakref=True):
    """One thing a rule can report: its location, facts and the names its messages use."""

    kind: str  # requests | jobs | models | vpcs | endpoints | subnets
    loc: Location
    # its facts, nested as a query reads them, or derived as they are read (``facts.derive``)
    derived: Union[Dict[str, Any], Facts]
    # builds the names its messages and fixes use: only when a rule reports it, which most
    # subjects of a correct network never are
    names: Callable[[], Dict[str, Any]] = dict

    @cached_property
    def context(self) -> Dict[str, Any]:
        return self.names()

    @cached_property
    def facts(self) -> Dict[str, Any]:
        """Every fact, nested as a query reads them."""
        derived = self.derived
        return derived if isinstance(derived, dict) else derived.nested()

    def fact(self, name: str) -> Any:
        """One fact by its dotted name; only it is derived."""
        derived = self.derived
        if isinstance(derived, Facts):
            return derived.get(name)
        value: Any = derived
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


def guarded(
    network: Network, loc: Location, build: Callable[..., List[Subject]], *arguments: Any
) -> List[Subject]:
    """The subjects ``build(*arguments)`` makes; a resolver bug on one job, model, VPC or subnet
    becomes an input error at it (``network.input_errors``) and every other subject is still
    built. The arguments are passed, not bound first: once per model and VPC of a plan."""
    try:
        return build(*arguments)
    except Exception as error:
        problem = f"internal error while resolving {loc.resource}: {type(error).__name__}: {error}"
        network.input_errors.append((loc.file, loc.line, problem))
        return []


def by_rule(pairs: Iterable[Tuple[str, str]]) -> Dict[str, Tuple[Tuple[str, str], ...]]:
    """A policy subject's fixes, ``(rule, JSON)`` pairs, as its context's ``fix_adds`` gives
    them: per rule (several rules judge one subject)."""
    grouped: Dict[str, Tuple[Tuple[str, str], ...]] = {}
    for rule, text in pairs:
        grouped[rule] = (*grouped.get(rule, ()), (rule, text))
    return grouped
