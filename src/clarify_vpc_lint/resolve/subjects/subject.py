"""The subject of a rule: one thing a rule can report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Dict

from ...model import Location


@dataclass(eq=False)  # a subject is itself only: the engine keeps what it works out of each
class Subject:
    """One thing a rule can report: its location, facts and the names its messages use."""

    kind: str  # requests | jobs | models | vpcs | endpoints | subnets
    loc: Location
    facts: Dict[str, Any]
    # builds the names its messages and fixes use: only when a rule reports it, which most
    # subjects of a correct network never are
    names: Callable[[], Dict[str, Any]] = dict

    @cached_property
    def context(self) -> Dict[str, Any]:
        return self.names()
