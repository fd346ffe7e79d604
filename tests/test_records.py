"""The records the engine compares and hashes mean what the engine relies on (msgspec structs
with the few comparisons written by hand)."""

from __future__ import annotations

from msgspec.structs import replace

from clarify_vpc_lint.findings import Finding
from clarify_vpc_lint.model import Location, lazy_location
from clarify_vpc_lint.values import Unknown


def test_unknowns_that_say_the_same_are_one_reason_whatever_they_encode() -> None:
    first = Unknown("the account ID", "arn:aws:iam::${A}:role/r", encodes=["a", Unknown("x")])
    second = Unknown("the account ID", "arn:aws:iam::${A}:role/r", encodes={"other": 1})
    assert first == second and hash(first) == hash(second)
    assert len({first, second, Unknown("the region")}) == 2
    assert Unknown("the account ID") != Unknown("the account ID", "text")


def _finding(**changes: object) -> Finding:
    finding = Finding(
        "CVL201", "model-single-az", "error", "stack.yaml", 3, 5, "Model", "one zone", "add one"
    )
    return replace(finding, **changes)


def test_a_finding_is_its_verdict_not_what_its_fix_writes() -> None:
    plain = _finding()
    with_fix = _finding(fix_adds=(("subnet", "B"),))
    assert plain == with_fix and hash(plain) == hash(with_fix)
    assert len(dict.fromkeys([plain, with_fix])) == 1
    assert plain != _finding(message="two zones") and plain != _finding(line=4)


def test_a_lazy_location_is_found_once_and_is_the_location_it_finds() -> None:
    asked = []

    def position() -> tuple:
        asked.append(1)
        return (12, 3)

    lazy = lazy_location("plan.json", "aws_vpc.v", "terraform", position)
    assert asked == []  # nothing scanned until a line is read
    assert (lazy.line, lazy.column, lazy.file, lazy.resource) == (12, 3, "plan.json", "aws_vpc.v")
    assert asked == [1]
    unread = lazy_location("plan.json", "aws_vpc.v", "terraform", lambda: (12, 3))
    assert unread == lazy and "line=12" in repr(
        lazy_location("p", "r", "terraform", lambda: (12, 3))
    )
    assert unread != Location("plan.json", 12, 3, "aws_vpc.v", "terraform")  # not the same kind
    moved = replace(lazy_location("p", "r", "terraform", position), line=1, column=2)
    assert (moved.line, moved.column) == (1, 2) and asked == [1]


def test_a_lazy_location_copies_and_pickles_with_its_position() -> None:
    import copy
    import pickle

    for clone in (copy.copy, copy.deepcopy, lambda loc: pickle.loads(pickle.dumps(loc))):
        unread = lazy_location("plan.json", "aws_vpc.v", "terraform", _twelve_three)
        cloned = clone(unread)
        assert (cloned.line, cloned.column, cloned.resource) == (12, 3, "aws_vpc.v")
        assert cloned == unread


def _twelve_three() -> tuple:  # picklable: a module function
    return (12, 3)
