"""``--fix`` for the policy rules (CVL104, CVL105, CVL501-503) beyond the bad fixtures: the same
fixes in JSON templates, an exception added to a deny without a condition, a value added to a
condition's block list, and policies the fix must not write (a plan, an inventory) listed with
what they need. Each fix adds or narrows one statement and leaves every other byte as it was."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path
from typing import List

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.documents import parse_text
from clarify_vpc_lint.fixes import plan_fixes
from clarify_vpc_lint.linter import Options, run

RULES_DIR = FIXTURES / "rules"
TEMPLATES = [
    ("CVL104", "bad.yaml"),
    ("CVL104", "bad-boundary.yaml"),
    ("CVL501", "bad.yaml"),
    ("CVL502", "bad.yaml"),
    ("CVL502", "bad-monitor.yaml"),
    ("CVL503", "bad.yaml"),
    ("CVL503", "bad-boundary.yaml"),
]


def _fix(path: Path, rule: str) -> List[str]:
    """Lint, fix and lint again: the rule's finding is gone and nothing new appears; returns
    the lines the fix changed (ndiff, ``- ``/``+ ``)."""
    before = run(Options(paths=[str(path)]))
    assert [f.rule for f in before.findings if f.severity == "error"] == [rule]
    original = path.read_text()
    fixes = plan_fixes(before)
    assert [f.rule for f in fixes.applied] == [rule], [n.reason for n in fixes.not_applied]
    fixes.write()
    after = run(Options(paths=[str(path)]))
    assert after.errors == []
    known = {(f.rule, f.resource, f.severity) for f in before.findings}
    assert {(f.rule, f.resource, f.severity) for f in after.findings} <= known
    assert rule not in [f.rule for f in after.findings if f.severity != "info"]
    diff = difflib.ndiff(original.splitlines(), path.read_text().splitlines())
    return [line for line in diff if line.startswith(("- ", "+ "))]


@pytest.mark.parametrize("rule,name", TEMPLATES, ids=lambda v: v)
def test_policy_fixes_work_in_json_templates(rule: str, name: str, tmp_path: Path) -> None:
    data = parse_text("x.yaml", (RULES_DIR / rule / name).read_text()).data
    template = tmp_path / "template.json"
    template.write_text(json.dumps(json.loads(json.dumps(data)), indent=2) + "\n")
    changed = _fix(template, rule)
    json.loads(template.read_text())  # still JSON
    added = [line for line in changed if line.startswith("+ ")]
    for line in changed:  # a line changed only where one value became a list of two
        if line.startswith("- "):
            assert any(line[2:].strip() in new.replace("[", "") for new in added), changed


_SCP = """\
  NoEndpoints:
    Type: AWS::Organizations::Policy
    Properties:
      Type: SERVICE_CONTROL_POLICY
      Content:
        Version: "2012-10-17"
        Statement:
          - Sid: NoRealTimeEndpoints  # keep the team off real-time endpoints
            Effect: Deny
            Action: [sagemaker:CreateEndpointConfig, sagemaker:CreateEndpoint]
            Resource: "*"
"""


def test_a_deny_without_condition_gets_an_exception_for_the_execution_role(
    tmp_path: Path,
) -> None:
    template = tmp_path / "scp.yaml"
    base = (RULES_DIR / "CVL105" / "good.yaml").read_text()
    template.write_text(base + _SCP)
    changed = _fix(template, "CVL105")
    assert changed == [
        '+             "Condition": {"ArnNotLike": {"aws:PrincipalArn": '
        '"arn:aws:iam::111122223333:role/Clarify"}}'
    ]
    assert "# keep the team off real-time endpoints" in template.read_text()


def test_a_value_is_added_to_a_block_list_of_the_condition(tmp_path: Path) -> None:
    template = tmp_path / "bucket.yaml"
    text = (RULES_DIR / "CVL502" / "bad.yaml").read_text()
    old = "              StringNotEquals: {aws:SourceVpce: !Ref AnalystsS3Endpoint}\n"
    new = (
        "              StringNotEquals:\n"
        "                aws:SourceVpce:\n"
        "                  - !Ref AnalystsS3Endpoint  # the analysts\n"
    )
    assert old in text
    template.write_text(text.replace(old, new))
    assert _fix(template, "CVL502") == ["+                   - !Ref S3Endpoint"]


def test_a_statement_list_that_ends_the_file_gets_the_statement_on_a_line_of_its_own(
    tmp_path: Path,
) -> None:
    template = tmp_path / "role.yaml"  # its last line is the policy's last statement
    template.write_text((RULES_DIR / "CVL503" / "bad.yaml").read_text().rstrip("\n"))
    (added,) = _fix(template, "CVL503")
    assert added.startswith("+               - {") and not template.read_text().endswith("\n")


@pytest.mark.parametrize(
    "condition",
    [
        # a flow mapping over two lines: the operator goes before its closing brace
        "            Condition: {StringNotEqualsIfExists:\n"
        '                {sagemaker:NetworkIsolation: "true"}}\n',
        # JSON-style braces, the first member on the opening line, the last on the next
        '            Condition: {"StringNotEqualsIfExists":\n'
        '                {"sagemaker:NetworkIsolation": "true"}}\n',
    ],
    ids=["yaml-flow", "json-style"],
)
def test_an_operator_is_added_to_a_condition_written_over_two_lines(
    condition: str, tmp_path: Path
) -> None:
    template = tmp_path / "scp.yaml"
    text = (RULES_DIR / "CVL104" / "bad.yaml").read_text()
    old = (
        "            Condition:\n"
        '              StringNotEqualsIfExists: {sagemaker:NetworkIsolation: "true"}\n'
    )
    assert old in text
    template.write_text(text.replace(old, condition))
    changed = _fix(template, "CVL104")
    assert changed[-1].endswith('"Null": {"sagemaker:VpcSubnets": "true"}}'), changed
    resources = parse_text("scp.yaml", template.read_text()).data["Resources"]
    (policy,) = [r for r in resources.values() if r["Type"] == "AWS::Organizations::Policy"]
    (written,) = policy["Properties"]["Content"]["Statement"]
    assert set(written["Condition"]) == {"StringNotEqualsIfExists", "Null"}


def test_a_policy_in_a_plan_or_an_inventory_is_listed_with_what_it_needs(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(RULES_DIR / "CVL104" / "tf-bad" / "plan.json", plan)
    shutil.copy(RULES_DIR / "CVL104" / "tf-bad" / "clarify-vpc-lint.yaml", tmp_path)
    from clarify_vpc_lint.config import load_config

    config = load_config(tmp_path / "clarify-vpc-lint.yaml")
    fixes = plan_fixes(run(Options(paths=[str(plan)], config=config)))
    (left,) = [n for n in fixes.not_applied if n.finding.rule == "CVL104"]
    assert "Terraform plan, which is generated: fix the configuration (.tf)" in left.reason
    assert fixes.fixed == {}


def test_a_deny_that_is_not_a_list_item_is_never_rewritten(tmp_path: Path) -> None:
    """A Statement written as one mapping (not a list): the fix says so, and writes nothing."""
    template = tmp_path / "endpoint.yaml"
    text = (RULES_DIR / "CVL501" / "bad.yaml").read_text()
    item = text.index("          - Sid: TeamEndpointsOnly")
    lines = text[item:].splitlines(keepends=True)
    end = next(n for n, line in enumerate(lines[1:], 1) if not line.startswith("            "))
    mapping = ["          Sid: TeamEndpointsOnly\n"] + [line[2:] for line in lines[1:end]]
    template.write_text(text[:item] + "".join(mapping + lines[end:]))
    fixes = plan_fixes(run(Options(paths=[str(template)])))
    (left,) = [n for n in fixes.not_applied if n.finding.rule == "CVL501"]
    assert "Statement list" in left.reason and fixes.fixed == {}


_DOCUMENT = """
data "aws_iam_policy_document" "guardrail" {
  statement {
    sid       = "DenyWithoutNetworkIsolation"
    effect    = "Deny"
    actions   = ["sagemaker:*"]
    resources = ["*"]
    condition {
      test     = "StringNotEqualsIfExists"
      variable = "sagemaker:NetworkIsolation"
      values   = ["true"]
    }
  }
}

resource "aws_organizations_policy" "guardrail" {
  name    = "sagemaker-network-isolation"
  content = data.aws_iam_policy_document.guardrail.json
}
"""


def _terraform_case(tmp_path: Path, rule: str, policy: str, role: bool = False) -> Path:
    case = tmp_path / "tf"
    shutil.copytree(
        FIXTURES / "good" / "terraform", case, ignore=shutil.ignore_patterns("plan.json")
    )
    with open(case / "main.tf", "a") as main:
        main.write(policy)
    if role:
        with open(case / "clarify-vpc-lint.yaml", "a") as config:
            config.write("    role: arn:aws:iam::111122223333:role/Clarify\n")
    return case


def _fix_terraform(case: Path, rule: str) -> List[str]:
    from clarify_vpc_lint.config import load_config

    config = load_config(case / "clarify-vpc-lint.yaml")
    before = run(Options(paths=[str(case)], config=config))
    assert [f.rule for f in before.findings if f.severity == "error"] == [rule]
    original = (case / "main.tf").read_text()
    fixes = plan_fixes(before)
    assert [f.rule for f in fixes.applied] == [rule], [n.reason for n in fixes.not_applied]
    fixes.write()
    after = run(Options(paths=[str(case)], config=config))
    assert after.errors == [] and [f for f in after.findings if f.severity != "info"] == []
    diff = difflib.ndiff(original.splitlines(), (case / "main.tf").read_text().splitlines())
    return [line for line in diff if line.startswith(("- ", "+ "))]


def test_an_iam_policy_document_gets_one_condition_block(tmp_path: Path) -> None:
    case = _terraform_case(tmp_path, "CVL104", _DOCUMENT)
    assert _fix_terraform(case, "CVL104") == [
        "+     condition {",
        '+       test     = "Null"',
        '+       variable = "sagemaker:VpcSubnets"',
        '+       values   = ["true"]',
        "+     }",
    ]


def test_an_iam_policy_document_gets_an_exception_for_the_execution_role(
    tmp_path: Path,
) -> None:
    policy = _DOCUMENT.replace('"sagemaker:*"', '"sagemaker:CreateEndpointConfig"').replace(
        "    condition {\n"
        '      test     = "StringNotEqualsIfExists"\n'
        '      variable = "sagemaker:NetworkIsolation"\n'
        '      values   = ["true"]\n'
        "    }\n",
        "",
    )
    case = _terraform_case(tmp_path, "CVL105", policy, role=True)
    changed = _fix_terraform(case, "CVL105")
    assert '+       test     = "ArnNotLike"' in changed and len(changed) == 5


def test_an_endpoint_policy_document_gets_one_statement_block(tmp_path: Path) -> None:
    case = tmp_path / "tf"
    shutil.copytree(
        RULES_DIR / "CVL501" / "tf-bad", case, ignore=shutil.ignore_patterns("plan.json")
    )
    main = case / "main.tf"
    text = main.read_text()
    start = text.index("  policy = jsonencode({")
    end = text.index("  })\n", start) + len("  })\n")
    main.write_text(
        text[:start]
        + "  policy = data.aws_iam_policy_document.endpoints.json\n"
        + text[end:]
        + '\ndata "aws_iam_policy_document" "endpoints" {\n'
        "  statement {\n"
        '    sid     = "TeamEndpoints"\n'
        '    effect  = "Allow"\n'
        "    principals {\n"
        '      type        = "*"\n'
        '      identifiers = ["*"]\n'
        "    }\n"
        '    actions   = ["sagemaker:*", "logs:*"]\n'
        '    resources = ["arn:aws:sagemaker:*:*:endpoint/churn-*", "arn:aws:logs:*:*:*"]\n'
        "  }\n"
        "}\n"
    )
    from clarify_vpc_lint.config import load_config

    config = load_config(case / "clarify-vpc-lint.yaml")
    before = run(Options(paths=[str(case)], config=config))
    assert {f.rule for f in before.findings if f.severity == "error"} == {"CVL501"}
    plan_fixes(before).write()
    after = run(Options(paths=[str(case)], config=config))
    assert after.errors == [] and [f for f in after.findings if f.severity != "info"] == []
    fixed = main.read_text()
    assert fixed.count("  statement {\n") == 3  # one each for sagemaker.api and .runtime
    assert 'sid       = "ClarifyJobApi"' in fixed and 'sid       = "ClarifyJobRuntime"' in fixed


_BUCKET_POLICY = """
resource "aws_vpc" "analysts" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_vpc_endpoint" "analysts_s3" {
  vpc_id       = aws_vpc.analysts.id
  service_name = "com.amazonaws.us-east-1.s3"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = "bucket"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyFromAnalystsVpce"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]
      Condition = { StringNotEquals = { "aws:SourceVpce" = aws_vpc_endpoint.analysts_s3.id } }
    }]
  })
}
"""


def test_a_jsonencode_condition_value_becomes_a_list_with_the_jobs_endpoint(
    tmp_path: Path,
) -> None:
    """In .tf (a plan knows neither endpoint's ID before apply: there the finding is info)."""
    case = _terraform_case(tmp_path, "CVL502", _BUCKET_POLICY)
    assert _fix_terraform(case, "CVL502") == [
        '-       Condition = { StringNotEquals = { "aws:SourceVpce" = '
        "aws_vpc_endpoint.analysts_s3.id } }",
        '+       Condition = { StringNotEquals = { "aws:SourceVpce" = '
        "[aws_vpc_endpoint.analysts_s3.id, aws_vpc_endpoint.s3.id] } }",
    ]
