"""CVL104's reading of IAM policies: which statements deny creating a Clarify job that runs with
network isolation off, which cannot, and which the inputs leave open."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

from clarify_vpc_lint.logic import any_of
from clarify_vpc_lint.model import Job, Location, Policy
from clarify_vpc_lint.readers.policies import IDENTITY, document_of
from clarify_vpc_lint.resolve.calls import job_calls
from clarify_vpc_lint.resolve.policies import isolation_denials
from clarify_vpc_lint.values import Unknown


def blocks(document: Any, kind: str) -> tuple:
    """(does the policy deny creating a job of this kind with isolation off, the calls denied)."""
    loc = Location("policy.json", 1, 1, "Policy", "api")
    job = Job(loc, kind, True, False, True, ["subnet-1"], ["sg-1"], 1)
    found = isolation_denials(Policy(loc, IDENTITY, document), job_calls(job, None, "us-east-1"))
    denied = [d.action for d in found if d.verdict is not False]
    return any_of(d.verdict for d in found), list(dict.fromkeys(denied))


def _deny(condition: Dict[str, Any], **members: Any) -> Dict[str, Any]:
    statement = {"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*", "Condition": condition}
    statement.update(members)
    return {"Version": "2012-10-17", "Statement": [statement]}


MANDATE = {"StringNotEqualsIfExists": {"sagemaker:NetworkIsolation": "true"}}


@pytest.mark.parametrize(
    "condition",
    [
        MANDATE,
        {"StringNotEquals": {"sagemaker:NetworkIsolation": "true"}},  # a missing key matches too
        {"StringNotEqualsIgnoreCase": {"sagemaker:networkisolation": ["TRUE"]}},
    ],
)
def test_conditions_that_deny_isolation_off_block_the_job(condition) -> None:
    assert blocks(_deny(condition), "processing")[0] is True


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"sagemaker:NetworkIsolation": "true"}},  # denies isolated jobs only
        {"Null": {"sagemaker:NetworkIsolation": "true"}},  # a job that sends false escapes it
        {"Null": {"sagemaker:VpcSubnets": "true"}},  # not an isolation mandate
    ],
)
def test_conditions_a_clarify_job_passes(condition) -> None:
    assert blocks(_deny(condition), "processing")[0] is False


def test_a_deny_only_of_false_depends_on_whether_the_job_sends_the_key() -> None:
    assert isinstance(
        blocks(_deny({"Bool": {"sagemaker:NetworkIsolation": "false"}}), "declared")[0], Unknown
    )


def test_other_condition_keys_leave_it_open() -> None:
    condition = dict(MANDATE, ArnNotLike={"aws:PrincipalArn": "arn:aws:iam::*:role/clarify-*"})
    verdict = blocks(_deny(condition), "processing")[0]
    assert isinstance(verdict, Unknown) and "aws:PrincipalArn" in verdict.reason


@pytest.mark.parametrize(
    "members, kind, expected",
    [
        ({"Action": "sagemaker:Create*"}, "processing", True),
        ({"Action": ["*"]}, "processing", True),
        ({"Action": "sagemaker:CreateTrainingJob"}, "processing", False),
        ({"Action": "sagemaker:CreateMonitoringSchedule"}, "bias-monitor", True),
        ({"Action": "sagemaker:CreateModelExplainabilityJobDefinition"}, "bias-monitor", False),
        ({"Action": None, "NotAction": ["sagemaker:CreateProcessingJob"]}, "processing", False),
        ({"Action": None, "NotAction": "sagemaker:CreateTrainingJob"}, "processing", True),
        ({"Resource": "arn:aws:sagemaker:*:*:processing-job/*"}, "processing", True),
        ({"Resource": "arn:aws:sagemaker:*:*:training-job/*"}, "processing", False),
        ({"Effect": "Allow"}, "processing", False),
    ],
)
def test_actions_resources_and_effect(members, kind: str, expected: bool) -> None:
    document = _deny(MANDATE, **members)
    statement = document["Statement"][0]
    for key in [k for k, v in members.items() if v is None]:
        del statement[key]
    assert blocks(document, kind)[0] is expected


def test_a_json_string_document_and_a_single_statement_mapping() -> None:
    document = document_of(json.dumps({"Statement": _deny(MANDATE)["Statement"][0]}), "policy")
    assert blocks(document, "processing") == (True, ["sagemaker:CreateProcessingJob"])


def test_a_document_built_at_run_time_is_unknown() -> None:
    document = document_of(Unknown("known only after apply"), "aws_iam_policy.x policy")
    assert isinstance(blocks(document, "processing")[0], Unknown)
    unknown_action = _deny(MANDATE, Action=Unknown("parameter Actions has no default"))
    assert isinstance(blocks(unknown_action, "processing")[0], Unknown)
