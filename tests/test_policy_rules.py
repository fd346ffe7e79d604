"""The policy rules end to end: only a policy that could deny a Clarify request is reported, and
a policy document stays readable where a value in it (an account ID, a Region) is unknown."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import List

from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, run

FIXTURES = Path(__file__).parent / "fixtures" / "rules"

ORDINARY_POLICIES = """
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_iam_policy" "reads_data" {
  name = "reads-data"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::data-${data.aws_caller_identity.current.account_id}/*"
    }]
  })
}

data "aws_iam_policy_document" "logs" {
  statement {
    actions   = ["logs:PutLogEvents"]
    resources = ["arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["logs:DeleteLogGroup"]
    resources = ["arn:aws:logs:*:${data.aws_caller_identity.current.account_id}:*"]
  }
}

resource "aws_iam_policy" "logs" {
  name   = "logs"
  policy = data.aws_iam_policy_document.logs.json
}
"""

MANDATE_WITH_ACCOUNT = """
data "aws_caller_identity" "me" {}

resource "aws_iam_policy" "mandate" {
  name = "mandate"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Isolated"
      Effect   = "Deny"
      Action   = "sagemaker:*"
      Resource = "arn:aws:sagemaker:*:${data.aws_caller_identity.me.account_id}:*"
      Condition = { StringNotEqualsIfExists = { "sagemaker:NetworkIsolation" = "true" } }
    }]
  })
}
"""


def _lint_tf(tmp_path: Path, extra: str) -> List:
    case = tmp_path / "case"
    case.mkdir()
    good = FIXTURES / "CVL105" / "tf-good"
    text = (good / "main.tf").read_text()
    text = text[: text.index('data "aws_iam_policy_document" "no_endpoints"')]
    (case / "main.tf").write_text(text + extra)
    shutil.copy(good / "clarify-vpc-lint.yaml", case)
    config = load_config(case / "clarify-vpc-lint.yaml")
    result = run(Options(paths=[str(case / "main.tf")], config=config))
    assert result.errors == []
    return [f for f in result.findings if f.rule in ("CVL104", "CVL105")]


def test_ordinary_policies_with_an_unknown_account_or_region_are_not_reported(tmp_path) -> None:
    assert _lint_tf(tmp_path, ORDINARY_POLICIES) == []


def test_a_mandate_is_found_though_its_resource_names_an_unknown_account(tmp_path) -> None:
    findings = _lint_tf(tmp_path, MANDATE_WITH_ACCOUNT)
    assert [(f.rule, f.resource) for f in findings] == [("CVL104", "aws_iam_policy.mandate")]
    # the account is not known: whether the statement covers the job's account is open
    assert findings[0].severity == "info"
    assert "Isolated" in findings[0].remediation
    assert "sagemaker:VpcSubnets" in findings[0].remediation


def test_the_cvl104_fix_narrows_the_one_statement_and_the_finding_disappears(tmp_path) -> None:
    bad = (FIXTURES / "CVL104" / "bad.yaml").read_text()
    assert "Condition:\n              StringNotEqualsIfExists" in bad
    fixed = bad.replace(
        'Condition:\n              StringNotEqualsIfExists: {sagemaker:NetworkIsolation: "true"}',
        'Condition:\n              StringNotEqualsIfExists: {sagemaker:NetworkIsolation: "true"}'
        "\n              'Null': {sagemaker:VpcSubnets: \"true\"}",
    )
    assert fixed != bad
    path = tmp_path / "fixed.yaml"
    path.write_text(fixed)
    findings = run(Options(paths=[str(path)])).findings
    assert [f.rule for f in findings if f.rule in ("CVL104", "CVL105")] == []


def test_the_cvl503_statement_makes_the_finding_disappear(tmp_path) -> None:
    bad = FIXTURES / "CVL503" / "bad.yaml"
    finding = next(f for f in run(Options(paths=[str(bad)])).findings if f.rule == "CVL503")
    statement = "\n".join(
        line for line in finding.remediation.splitlines() if not line.lstrip().startswith("#")
    )
    text = bad.read_text()
    anchor = "                Resource: arn:aws:s3:::bucket/*\n"
    assert anchor in text
    indented = "\n".join("              " + line for line in statement.splitlines())
    path = tmp_path / "fixed.yaml"
    path.write_text(text.replace(anchor, anchor + indented + "\n"))
    assert [f.rule for f in run(Options(paths=[str(path)])).findings if f.rule == "CVL503"] == []


def test_a_job_whose_role_is_not_in_the_inputs_is_not_judged() -> None:
    # the base network's job names arn:aws:iam::111122223333:role/Clarify, defined nowhere
    findings = run(Options(paths=[str(FIXTURES / "CVL105" / "good.yaml")])).findings
    assert [f for f in findings if f.rule == "CVL503"] == []


def test_a_bucket_policy_is_paired_with_its_bucket_by_the_file_name(tmp_path) -> None:
    case = FIXTURES / "CVL502" / "api-bad"
    inputs = tmp_path / "inputs"
    inventory = tmp_path / "inventory"
    inputs.mkdir()
    inventory.mkdir()
    for path in case.iterdir():
        target = inventory if path.name.startswith("bucket-policy") else inputs
        shutil.copy(path, target / path.name)
    # given with --context, as --inventory-commands saves it
    result = run(Options(paths=[str(inputs)], context=[str(inventory)]))
    assert result.errors == []
    assert [f.resource for f in result.findings if f.rule == "CVL502"] == ["bucket"]
    # the same output under another name names no bucket: one clear input error
    (inventory / "bucket-policy.bucket.json").rename(inventory / "policy.json")
    result = run(Options(paths=[str(inputs)], context=[str(inventory / "policy.json")]))
    assert [e.message for e in result.errors] == [
        "aws s3api get-bucket-policy output names no bucket: save it as bucket-policy.BUCKET.json"
        " (clarify-vpc-lint --inventory-commands)"
    ]
    assert [f for f in result.findings if f.rule == "CVL502"] == []


def _endpoint_policy_apart(case: str) -> str:
    """A CVL501 Terraform case with its endpoints' policy set by aws_vpc_endpoint_policy."""
    text = (FIXTURES / "CVL501" / case / "main.tf").read_text()
    start = text.index("\n  policy = jsonencode({")
    end = text.index("\n  })\n", start) + len("\n  })\n")
    policy = text[start:end]
    return (
        text[:start]
        + "\n"
        + text[end:]
        + '\nresource "aws_vpc_endpoint_policy" "interface" {\n'
        + "  for_each        = aws_vpc_endpoint.interface\n"
        + "  vpc_endpoint_id = each.value.id"
        + policy
        + "}\n"
    )


def test_an_endpoint_policy_set_apart_is_the_endpoints(tmp_path) -> None:
    for case, expected in (("tf-bad", ["error", "error"]), ("tf-good", [])):
        folder = tmp_path / case
        folder.mkdir()
        (folder / "main.tf").write_text(_endpoint_policy_apart(case))
        config = load_config(FIXTURES / "CVL501" / case / "clarify-vpc-lint.yaml")
        result = run(Options(paths=[str(folder / "main.tf")], config=config))
        assert result.errors == []
        assert [f.severity for f in result.findings if f.rule == "CVL501"] == expected, case
