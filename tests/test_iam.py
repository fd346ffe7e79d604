"""The offline policy evaluator against the rules and examples of AWS's IAM User Guide ("Policy
evaluation logic", "Condition operators", "Multivalued context keys")."""

from __future__ import annotations

import random
import re
from typing import Any, Dict

import pytest

from clarify_vpc_lint.iam import ABSENT, Request, allows, denials, evaluate, wildcard
from clarify_vpc_lint.values import Unknown

ROLE = "arn:aws:iam::111122223333:role/clarify"


def _doc(*statements: Dict[str, Any]) -> Dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _put(bucket: str = "team-logs", **context: Any) -> Request:
    return Request("s3:PutObject", f"arn:aws:s3:::{bucket}/report.csv", ROLE, context)


ALLOW_PUT = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::team-logs/*"}


def test_identity_or_resource_policy_in_one_account_allows() -> None:
    # the guide's example: either the identity policy or the bucket policy may grant the write
    reads_only = _doc({"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"})
    bucket = _doc(dict(ALLOW_PUT, Principal={"AWS": ROLE}))
    assert evaluate(_put(), identity=[("role", reads_only)], resource=[("bucket", bucket)]).allowed
    assert evaluate(_put(), identity=[("role", reads_only)]).allowed is False


def test_explicit_deny_wins_over_any_allow() -> None:
    deny = _doc({"Sid": "NoWrites", "Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    verdict = evaluate(_put(), identity=[("role", _doc(ALLOW_PUT)), ("guard", deny)])
    assert verdict.allowed is False
    assert [(s.policy, s.label) for s, _ in verdict.denials] == [("guard", "statement NoWrites")]


def test_a_permissions_boundary_limits_what_identity_policies_allow() -> None:
    boundary = [("boundary", _doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))]
    verdict = evaluate(_put(), identity=[("role", _doc(ALLOW_PUT))], boundary=boundary)
    assert verdict.allowed is False
    assert verdict.not_allowed_by == [("the permissions boundary", True)]


def test_scps_are_guardrails_beside_full_aws_access_unless_an_allow_list_replaces_it() -> None:
    scp = [("scp", _doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}))]
    identity = [("role", _doc(ALLOW_PUT))]
    assert evaluate(_put(), identity=identity, scps=scp).allowed is True
    assert evaluate(_put(), identity=identity, scps=scp, scp_allow_list=True).allowed is False


def test_an_endpoint_policy_must_allow_and_grants_nothing() -> None:
    endpoint = [("vpce", _doc(dict(ALLOW_PUT, Principal="*")))]
    assert evaluate(_put(), identity=[("role", _doc(ALLOW_PUT))], gates=endpoint).allowed is True
    assert evaluate(_put(), gates=endpoint).allowed is False
    other = [("vpce", _doc(dict(ALLOW_PUT, Principal="*", Resource="arn:aws:s3:::other/*")))]
    assert evaluate(_put(), identity=[("role", _doc(ALLOW_PUT))], gates=other).allowed is False


@pytest.mark.parametrize(
    "action, expected",
    [("SageMaker:createprocessingjob", True), ("sagemaker:CreateModel", False)],
)
def test_actions_match_wildcards_case_insensitively(action: str, expected: bool) -> None:
    policy = [("p", _doc({"Effect": "Allow", "Action": "sagemaker:Create*Job", "Resource": "*"}))]
    assert allows(policy, Request(action, "*", ROLE)) is expected


def test_not_action_and_not_resource() -> None:
    everything_but_iam = _doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert allows([("p", everything_but_iam)], _put()) is True
    not_logs = _doc(
        {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::team-logs/*"}
    )
    assert allows([("p", not_logs)], _put()) is False
    assert allows([("p", not_logs)], _put("data")) is True


def test_wildcards_are_only_star_and_question_mark() -> None:
    assert wildcard("arn:aws:s3:::team-?ogs/*", "arn:aws:s3:::team-logs/a/b")
    assert not wildcard("arn:aws:s3:::[tz]eam/*", "arn:aws:s3:::team/x")


def test_wildcards_mean_what_their_regular_expression_means() -> None:
    """Piece by piece matching agrees with the plain reading (``*`` as ``.*``, ``?`` as ``.``,
    the whole value) on small random patterns and values, with and without case."""
    rnd = random.Random(27)

    def as_expression(pattern: str, ignore_case: bool) -> bool:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))

    for _ in range(20000):
        pattern = "".join(rnd.choice("aAb*?:/\nßİ") for _ in range(rnd.randint(0, 7)))
        value = "".join(rnd.choice("aAb:/\nßİi") for _ in range(rnd.randint(0, 9)))
        ignore_case = rnd.random() < 0.5
        expected = as_expression(pattern, ignore_case).fullmatch(value) is not None
        assert wildcard(pattern, value, ignore_case) is expected, (pattern, value, ignore_case)


def test_principal_and_not_principal_in_resource_policies() -> None:
    for principal, expected in [
        ({"AWS": ROLE}, True),
        ({"AWS": "111122223333"}, True),  # the account: every principal in it
        ({"AWS": "arn:aws:iam::111122223333:root"}, True),
        ({"AWS": "arn:aws:iam::444455556666:role/x"}, False),
        ({"Service": "sagemaker.amazonaws.com"}, False),
        ("*", True),
    ]:
        bucket = [("bucket", _doc(dict(ALLOW_PUT, Principal=principal)))]
        assert allows(bucket, _put(), resource_policy=True) is expected, principal
    everyone_else = _doc(dict(ALLOW_PUT, Effect="Deny", NotPrincipal={"AWS": ROLE}))
    assert denials([("bucket", everyone_else)], _put(), resource_policy=True) == []


SOURCE_VPCE = {"StringNotEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}}


def _deny_unless_vpce(request: Request) -> Any:
    bucket = _doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    bucket["Statement"][0]["Condition"] = SOURCE_VPCE
    found = denials([("bucket", bucket)], request, resource_policy=True)
    return found[0][1] if found else False


def test_a_missing_key_fails_a_condition_but_satisfies_a_negated_one() -> None:
    assert _deny_unless_vpce(_put(**{"aws:sourcevpce": "vpce-1a2b3c4d"})) is False
    assert _deny_unless_vpce(_put(**{"aws:sourcevpce": "vpce-99"})) is True
    assert _deny_unless_vpce(_put(**{"aws:sourcevpce": ABSENT})) is True  # through a NAT gateway
    unknown = _deny_unless_vpce(_put())  # the inputs do not say which path it takes
    assert isinstance(unknown, Unknown) and "aws:SourceVpce" in unknown.reason


@pytest.mark.parametrize(
    "operator, value, expected",
    [
        ("StringEquals", ABSENT, False),
        ("StringEqualsIfExists", ABSENT, True),
        ("StringNotEquals", ABSENT, True),
        ("StringEquals", "ml.m5.xlarge", True),
        ("StringEqualsIgnoreCase", "ML.M5.XLARGE", True),
        ("StringLike", "ml.m5.2xlarge", False),
        ("StringNotLike", "ml.c5.xlarge", True),
    ],
)
def test_string_operators_and_if_exists(operator: str, value: Any, expected: bool) -> None:
    condition = {operator: {"sagemaker:InstanceTypes": "ml.m5.xlarge"}}
    request = Request(
        "sagemaker:CreateEndpointConfig", "*", ROLE, {"sagemaker:instancetypes": value}
    )
    policy = _doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})
    assert allows([("p", policy)], request) is expected


def test_null_tests_whether_the_key_is_present() -> None:
    null = _doc(
        {
            "Effect": "Deny",
            "Action": "sagemaker:CreateProcessingJob",
            "Resource": "*",
            "Condition": {"Null": {"sagemaker:VpcSubnets": "true"}},
        }
    )
    create = "sagemaker:CreateProcessingJob"
    without = Request(create, "*", ROLE, {"sagemaker:vpcsubnets": ABSENT})
    inside = Request(create, "*", ROLE, {"sagemaker:vpcsubnets": ["subnet-1"]})
    assert denials([("scp", null)], without)[0][1] is True
    assert denials([("scp", null)], inside) == []


@pytest.mark.parametrize(
    "operator, given, expected",
    [
        ("ForAnyValue:StringLike", ["ml.m5.xlarge", "ml.p3.2xlarge"], True),
        ("ForAllValues:StringLike", ["ml.m5.xlarge", "ml.p3.2xlarge"], False),
        ("ForAllValues:StringLike", ["ml.m5.xlarge"], True),
        ("ForAllValues:StringLike", ABSENT, True),  # AWS: true when the key is absent
        ("ForAnyValue:StringLike", ABSENT, False),
        ("ForAnyValue:StringNotLike", ["ml.m5.xlarge", "ml.p3.2xlarge"], True),
    ],
)
def test_set_operators_on_multivalued_keys(operator: str, given: Any, expected: bool) -> None:
    condition = {operator: {"sagemaker:InstanceTypes": ["ml.m5.*"]}}
    request = Request(
        "sagemaker:CreateProcessingJob", "*", ROLE, {"sagemaker:instancetypes": given}
    )
    policy = _doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})
    assert allows([("p", policy)], request) is expected


def test_numeric_bool_arn_and_ip_operators() -> None:
    request = Request(
        "sagemaker:CreateProcessingJob",
        "*",
        ROLE,
        {
            "sagemaker:maxruntimeinseconds": 7200,
            "aws:securetransport": True,
            "aws:principalarn": ROLE,
            "aws:sourceip": "10.0.3.7",
        },
    )
    for condition, expected in [
        ({"NumericLessThanEquals": {"sagemaker:MaxRuntimeInSeconds": "3600"}}, False),
        ({"NumericGreaterThan": {"sagemaker:MaxRuntimeInSeconds": 3600}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/clar*"}}, True),
        ({"ArnNotEquals": {"aws:PrincipalArn": ROLE}}, False),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}, True),
        ({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/16"]}}, False),
    ]:
        policy = _doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})
        assert allows([("p", policy)], request) is expected, condition


def test_unknowns_stay_unknown() -> None:
    # a key the request does not describe, a policy variable, an operator not evaluated offline
    for condition in [
        {"StringEquals": {"aws:PrincipalTag/team": "ml"}},
        {"StringEquals": {"aws:SourceVpce": "${aws:username}"}},
        {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    ]:
        policy = _doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})
        request = _put(**{"aws:sourcevpce": "vpce-1"})
        assert isinstance(allows([("p", policy)], request), Unknown), condition
    variable = _doc(dict(ALLOW_PUT, Resource="arn:aws:s3:::home/${aws:username}/*"))
    assert isinstance(allows([("p", variable)], _put("home")), Unknown)
    assert isinstance(allows([("p", Unknown("known after apply"))], _put()), Unknown)


def test_an_unknown_resource_still_meets_star_and_a_decided_action() -> None:
    request = Request("s3:GetObject", Unknown("the bucket is a parameter"), ROLE)
    star = _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    named = _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"})
    other_action = _doc(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::x/*"}
    )
    assert allows([("p", star)], request) is True
    assert isinstance(allows([("p", named)], request), Unknown)
    assert allows([("p", other_action)], request) is False


def test_an_unknown_allow_next_to_a_sure_deny_is_denied() -> None:
    deny = _doc({"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"})
    verdict = evaluate(_put(), identity=[("a", Unknown("built at run time")), ("b", deny)])
    assert verdict.allowed is False
