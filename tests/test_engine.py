"""The rule engine over hand-made subjects: definite findings, unknowns, and the limit on unknowns."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from clarify_vpc_lint import engine
from clarify_vpc_lint.catalogue import rules_by_id
from clarify_vpc_lint.engine import evaluate, fill
from clarify_vpc_lint.facts import Facts, guards
from clarify_vpc_lint.model import Location
from clarify_vpc_lint.resolve import Subject
from clarify_vpc_lint.values import Unknown

SELF_INGRESS = rules_by_id()["CVL401"]  # jobs[?in_vpc && multi_instance && !sg_self_ingress]
LOC = Location("job.yaml", 3, 5, "ClarifyJob", "cloudformation")


def job(**facts: Any) -> Subject:
    known: Dict[str, Any] = {"in_vpc": True, "multi_instance": True, "sg_self_ingress": True}
    return Subject("jobs", LOC, {**known, **facts}, lambda: {"instance_count": 2})


def severities(subject: Subject) -> list:
    return [f.severity for f in evaluate(SELF_INGRESS, [subject], "error")]


def test_known_facts_decide_at_the_rules_severity() -> None:
    assert severities(job(sg_self_ingress=False)) == ["error"]
    assert severities(job(sg_self_ingress=True)) == []
    assert severities(job(multi_instance=False, sg_self_ingress=False)) == []


def test_deciding_unknown_gives_info_naming_it() -> None:
    findings = evaluate(
        SELF_INGRESS, [job(sg_self_ingress=Unknown("sg-1 is not in the inputs"))], "error"
    )
    assert [f.severity for f in findings] == ["info"]
    assert findings[0].message.endswith(": not known: sg-1 is not in the inputs")


def test_unknown_that_cannot_change_the_answer_is_not_reported() -> None:
    subject = job(multi_instance=False, sg_self_ingress=Unknown("sg-1 is not in the inputs"))
    assert severities(subject) == []


def test_unknown_the_query_does_not_read_does_not_hold_back_a_finding() -> None:
    subject = job(sg_self_ingress=False, model_same_vpc=Unknown("model M is not in the inputs"))
    assert severities(subject) == ["error"]


def test_more_unknowns_than_the_limit_among_unread_facts_still_decide_exactly() -> None:
    # Regression: only the first MAX_UNKNOWN_FACTS unknowns were tried and the rest taken as
    # False, so an unknown read fact listed after eleven others became a definite error.
    unread = {f"other_{n}": Unknown(f"other fact {n}") for n in range(11)}
    subject = Subject(
        "jobs",
        LOC,
        {**unread, "in_vpc": True, "multi_instance": True, "sg_self_ingress": Unknown("sg-1")},
    )
    assert severities(subject) == ["info"]


def test_more_read_unknowns_than_the_limit_give_info_never_a_definite_finding(monkeypatch) -> None:
    monkeypatch.setattr(engine, "MAX_UNKNOWN_FACTS", 2)
    subject = job(in_vpc=Unknown("a"), multi_instance=Unknown("b"), sg_self_ingress=Unknown("c"))
    findings = evaluate(SELF_INGRESS, [subject], "error")
    assert [f.severity for f in findings] == ["info"]
    assert findings[0].message.endswith(": not known: a; b; c")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{resource} on {instance_count}", "ClarifyJob on 2"),
        ("!Sub ${AWS::Region} {missing}", "!Sub ${AWS::Region} {missing}"),
    ],
)
def test_fill_puts_names_and_keeps_other_braces(template: str, expected: str) -> None:
    assert fill(template, {"resource": "ClarifyJob", "instance_count": 2}) == expected


def test_a_required_fact_known_false_rules_a_subject_out_before_its_other_facts() -> None:
    # a VPC without a Clarify job is never asked for its endpoints (the plans' large networks)
    asked = []

    class Job:  # only what the in_vpc fact reads; any other fact's derivation would fail
        has_vpc_config = False

    class View:
        job = Job()

        def __getattr__(self, name: str) -> Any:
            asked.append(name)
            raise AssertionError(f"{name} read for another fact")

    subject = Subject("jobs", LOC, Facts("jobs", View()), lambda: {"instance_count": 2})
    assert evaluate(SELF_INGRESS, [subject], "error") == [] and asked == []


def test_only_the_top_level_and_operands_that_name_a_fact_are_required() -> None:
    query = "jobs[?a && !b && !(c.d) && (e || f) && !(g && h) && !i.j && k == `true`]"
    assert guards(query) == (("a", True), ("b", False), ("c.d", False))
