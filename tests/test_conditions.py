"""CloudFormation conditions evaluated (SPEC section 3).

A condition decided by a parameter default, ``--parameters`` or a pseudo-parameter removes its
resources when false and picks the ``Fn::If`` branch; only an undecided one leaves both open,
and then every finding it holds back is ``info`` naming the condition and the parameter to pass.
The same defect written with ``Condition:`` or with ``Fn::If`` gets the same severity.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.documents import parse_text
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.readers.cloudformation.intrinsics import CfnRun
from clarify_vpc_lint.readers.cloudformation.template import load_template
from clarify_vpc_lint.values import Unknown

RULES = FIXTURES / "rules"

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: prod}
  Tier: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  InUsEast1: !Equals [!Ref AWS::Region, us-east-1]
  Both: !And [!Condition IsProd, !Condition InUsEast1]
  Either: !Or [!Condition IsProd, !Equals [!Ref Tier, gold]]
  Gold: !Equals [!Ref Tier, gold]
  NotGold: !Not [!Condition Gold]
  GoldAndProd: !And [!Condition Gold, !Condition IsProd]
  GoldOrStaging: !Or [!Condition Gold, !Equals [!Ref Env, staging]]
  Loop: !Not [!Condition Loop2]
  Loop2: !Condition Loop
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
"""


def _resolve(expression: str, region: str = "us-east-1", **parameters: str):
    run = CfnRun(region, dict(parameters))
    template = load_template(parse_text("t.yaml", TEMPLATE))
    run.add(template)
    return run.resolve(parse_text("v.yaml", expression).data, template)


def _lint(path: Path, parameters: Sequence[str] = ()) -> List:
    result = run(Options(paths=[str(path)], parameters=tuple(parameters)))
    assert result.errors == [], result.errors
    return result.findings


@pytest.mark.parametrize(
    "expression, parameters, expected",
    [
        ("!If [IsProd, a, b]", {}, "a"),  # the parameter's default
        ("!If [IsProd, a, b]", {"Env": "dev"}, "b"),  # --parameters overrides it
        ("!If [InUsEast1, a, b]", {}, "a"),  # a pseudo-parameter
        ("!If [Both, a, b]", {}, "a"),
        ("!If [Both, a, b]", {"Env": "dev"}, "b"),
        ("!If [Either, a, b]", {}, "a"),  # one true operand decides Fn::Or
        ("!If [GoldAndProd, a, b]", {"Env": "dev"}, "b"),  # one false operand decides Fn::And
        ("!If [NotGold, a, b]", {"Tier": "gold"}, "b"),
    ],
)
def test_a_decided_condition_picks_its_branch(expression, parameters, expected) -> None:
    assert _resolve(expression, **parameters) == expected


def test_a_false_condition_with_no_value_removes_the_property() -> None:
    assert _resolve("{Key: !If [IsProd, a, !Ref AWS::NoValue]}", Env="dev") == {}


@pytest.mark.parametrize("condition", ["Gold", "NotGold", "GoldAndProd", "GoldOrStaging"])
def test_an_undecided_condition_names_itself_and_the_parameter_to_pass(condition) -> None:
    value = _resolve(f"!If [{condition}, a, b]")
    assert isinstance(value, Unknown)
    assert "condition" in value.reason and "--parameters (Tier=VALUE)" in value.reason


def test_a_condition_on_another_region_is_false() -> None:
    assert _resolve("!If [InUsEast1, a, b]", region="eu-west-1") == "b"


def test_a_condition_cycle_is_unknown_not_a_crash() -> None:
    value = _resolve("!If [Loop, a, b]")
    assert isinstance(value, Unknown) and "cycle" in value.reason


def test_a_condition_that_is_not_defined_is_unknown() -> None:
    value = _resolve("!If [Missing, a, b]")
    assert isinstance(value, Unknown) and "condition Missing" in value.reason


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("!Cidr [10.0.0.0/16, 3, 8]", ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]),
        ("!Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 12]]", "10.0.16.0/20"),
        ("!Cidr ['2001:db8::/56', 2, 64]", ["2001:db8::/64", "2001:db8:0:1::/64"]),
    ],
)
def test_fn_cidr_gives_the_blocks_cloudformation_gives(expression, expected) -> None:
    assert _resolve(expression) == expected


@pytest.mark.parametrize(
    "expression", ["!Cidr [10.0.0.0/24, 3, 8]", "!Cidr [10.0.0.0/16, 0, 8]", "!Cidr [x, 1, 8]"]
)
def test_an_impossible_fn_cidr_is_unknown(expression) -> None:
    assert isinstance(_resolve(expression), Unknown)


def test_parameters_decide_a_condition_written_on_a_resource(tmp_path: Path) -> None:
    removed = RULES / "CVL303" / "bad-condition-default.yaml"
    assert [f.severity for f in _lint(removed) if f.rule == "CVL303"] == ["error"]
    parameters = tmp_path / "params.txt"
    parameters.write_text("WithRuntimeEndpoint=yes\n")
    assert "CVL303" not in {f.rule for f in _lint(removed, [str(parameters)])}
    undecided = RULES / "CVL303" / "unknown-condition.yaml"
    parameters.write_text("WithRuntimeEndpoint=no\n")
    assert [f.severity for f in _lint(undecided, [str(parameters)]) if f.rule == "CVL303"] == [
        "error"
    ]


def test_an_undecided_condition_holds_back_what_depends_on_it() -> None:
    findings = [f for f in _lint(RULES / "CVL303" / "unknown-condition.yaml") if f.rule == "CVL303"]
    assert [f.severity for f in findings] == ["info"]
    assert findings[0].missing == (
        "condition WithRuntime is not known: parameter WithRuntimeEndpoint of "
        f"{RULES / 'CVL303' / 'unknown-condition.yaml'} has no default; pass its value with "
        "--parameters (WithRuntimeEndpoint=VALUE)",
    )


@pytest.mark.parametrize("case", ["bad", "good", "unknown"])
def test_condition_and_fn_if_give_the_same_severity(case: str) -> None:
    severities = [
        sorted(
            f.severity for f in _lint(RULES / "CVL101" / f"{case}-{way}.yaml") if f.rule == "CVL101"
        )
        for way in ("condition", "if")
    ]
    assert severities[0] == severities[1]
    assert severities[0] == {"bad": ["error"], "good": [], "unknown": ["info"]}[case]


def test_every_finding_on_a_job_under_an_undecided_condition_is_info() -> None:
    findings = _lint(RULES / "CVL101" / "unknown-condition.yaml")
    on_job = [f for f in findings if f.resource == "ClarifyJob"]
    assert on_job and all(f.severity == "info" for f in on_job)
    assert all(any("condition Strict" in reason for reason in f.missing) for f in on_job)
