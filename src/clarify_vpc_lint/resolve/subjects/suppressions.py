"""Suppression subjects: an inline comment or metadata entry that switches a rule off (SPEC section
6), judged after every other rule has run: one that suppresses nothing, names no rule, or gives
no reason is reported so it is corrected or removed (ruff's unused-``noqa`` idea)."""

from __future__ import annotations

from typing import Tuple

from msgspec import Struct

from ...facts import derive, fact
from ...model import Location
from .subject import Subject


class SuppressionView(Struct, frozen=True):
    """A suppression subject's view: where it is written and what it names."""

    loc: Location
    written: str  # as the user wrote it, for the message
    unused: Tuple[str, ...]  # the rule IDs it names that suppressed no finding
    unknown: Tuple[str, ...]  # the IDs it names that are no rule
    without_reason: bool  # an inline comment with nothing after its IDs


@fact("suppressions", "unused", "a rule it names suppressed no finding here")
def _unused(view: SuppressionView) -> bool:
    return bool(view.unused)


@fact("suppressions", "unknown_rule", "it names an ID that is no rule of the catalogue")
def _unknown_rule(view: SuppressionView) -> bool:
    return bool(view.unknown)


@fact("suppressions", "without_reason", "an inline suppression that gives no reason")
def _without_reason(view: SuppressionView) -> bool:
    return view.without_reason


def suppression_subject(view: SuppressionView) -> Subject:
    problems = []
    if view.unknown:
        problems.append(f"{', '.join(view.unknown)} is no rule of clarify-vpc-lint")
    if view.unused:
        problems.append(f"{', '.join(view.unused)} reports nothing here any more")
    if view.without_reason:
        problems.append("it gives no reason")
    fix = (
        "remove the IDs that suppress nothing or are no rule"
        if view.unused or view.unknown
        else "say why after the IDs"
    )
    context = {"written": view.written, "problems": "; ".join(problems), "fix": fix}
    return Subject("suppressions", view.loc, derive("suppressions", view), lambda: context)
