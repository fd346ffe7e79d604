"""Three-valued logic over facts: True, False, or ``Unknown`` with the reason."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from .values import Unknown

Fact = Any  # bool or Unknown


def any_of(values: Iterable[Fact]) -> Fact:
    """Three-valued OR: True if one is True, else the first Unknown, else False."""
    unknown: Optional[Unknown] = None
    for value in values:
        if value is True:
            return True
        if isinstance(value, Unknown) and unknown is None:
            unknown = value
    return unknown if unknown is not None else False


def all_of(values: Iterable[Fact]) -> Fact:
    """Three-valued AND."""
    unknown: Optional[Unknown] = None
    for value in values:
        if value is False:
            return False
        if isinstance(value, Unknown) and unknown is None:
            unknown = value
    return unknown if unknown is not None else True


def negate(value: Fact) -> Fact:
    return value if isinstance(value, Unknown) else not value
