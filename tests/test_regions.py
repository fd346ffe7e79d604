"""A finding's region (SARIF, cfn-lint, annotations, JSON ``region``): the property or argument
that is wrong where it is written, else the subject's key; never an empty range."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, run


def _region(path: Path, rule: str) -> Tuple[Tuple[int, int, int, int], str]:
    result = run(Options(paths=[str(path)]))
    (finding,) = [f for f in result.findings if f.rule == rule and f.severity != "info"]
    line, column, end_line, end_column = finding.region
    lines = path.read_text().splitlines() if path.is_file() else []
    shown = lines[line - 1][column - 1 : end_column - 1] if lines and line == end_line else ""
    return finding.region, shown


def test_cloudformation_property_that_is_wrong() -> None:
    region, shown = _region(FIXTURES / "rules" / "CVL101" / "bad.yaml", "CVL101")
    assert shown == "EnableNetworkIsolation: true"


def test_the_resource_key_when_something_is_missing() -> None:
    region, shown = _region(FIXTURES / "rules" / "CVL304" / "bad.yaml", "CVL304")
    assert shown == "SageMakerApiEndpoint"


def test_python_keyword_argument() -> None:
    path = FIXTURES / "python" / "isolation_network_config.py"
    region, shown = _region(path, "CVL101")
    assert shown == "enable_network_isolation=True"


def test_terraform_argument_inside_its_block() -> None:
    folder = FIXTURES / "tfroot" / "nested-modules"
    result = run(Options(paths=[str(folder)]))
    (finding,) = [f for f in result.findings if f.rule == "CVL201"]
    line, column, end_line, end_column = finding.region
    text = (folder / "main.tf").read_text().splitlines()[line - 1]
    assert line > finding.line and text[column - 1 : end_column - 1].startswith("subnets")


def _shown_in(case: Path, rule: str) -> List[str]:
    """The text of each region of ``rule``'s errors and warnings in a case (a file, or a folder
    whose Terraform configuration is linted with its config file)."""
    config = case / "clarify-vpc-lint.yaml"
    paths = [str(p) for p in case.glob("*.tf")] if case.name.startswith("tf-") else []
    options = Options(
        paths=paths or [str(case)], config=load_config(config) if config.is_file() else None
    )
    shown = []
    for finding in run(options).findings:
        if finding.rule != rule or finding.severity == "info":
            continue
        line, column, end_line, end_column = finding.region
        assert (line, column) < (end_line, end_column)  # never an empty range
        text = Path(finding.file).read_text().splitlines()[line - 1]
        shown.append(text[column - 1 : end_column - 1] if line == end_line else text[column - 1 :])
    assert shown, f"{rule} does not fire on {case}"
    return shown


RULES = FIXTURES / "rules"
JOB_GROUPS_YAML = "SecurityGroupIds: [!Ref ClarifySecurityGroup]"
AT_THE_PROPERTY = [
    ("CVL103", "CVL103/bad", "VpcConfig:"),
    (
        "CVL103",
        "CVL103/bad-monitor.yaml",
        "VpcConfig: {Subnets: !Ref Subnets, SecurityGroupIds: [sg-0a1b2c3d]}",
    ),
    ("CVL103", "CVL103/api-bad", '"VpcConfig": {'),
    ("CVL104", "CVL104/bad.yaml", "Statement:"),
    ("CVL104", "CVL104/bad-boundary.yaml", "Statement:"),
    ("CVL104", "CVL104/tf-bad", "content = jsonencode({"),
    ("CVL105", "CVL105/bad.yaml", "Statement:"),
    ("CVL105", "CVL105/tf-bad", "content = jsonencode({"),
    ("CVL202", "CVL202/bad.yaml", "Subnets: [!Ref SubnetA]"),
    ("CVL202", "CVL202/api-bad", '"Subnets": ['),
    ("CVL306", "CVL306/bad.yaml", "RouteTableIds: [!Ref PrivateRoutes]"),
    ("CVL306", "CVL306/tf-bad", "route_table_ids = [aws_route_table.private.id]"),
    # the rules of the one group the subject names, where that group writes them
    ("CVL307", "CVL307/bad.yaml", "SecurityGroupIngress:"),
    ("CVL307", "CVL307/tf-bad", "ingress {"),
    ("CVL401", "CVL401/bad.yaml", JOB_GROUPS_YAML),  # the group writes no ingress of its own
    ("CVL401", "CVL401/api-bad", '"SecurityGroupIds": ['),
    ("CVL402", "CVL402/bad.yaml", "SecurityGroupEgress:"),
    ("CVL403", "CVL403/bad.yaml", "SecurityGroupEgress:"),
    ("CVL403", "CVL403/api-bad", '"SecurityGroupIds": ['),
    ("CVL404", "CVL404/bad.yaml", JOB_GROUPS_YAML),
    ("CVL501", "CVL501/bad.yaml", "Statement:"),
    ("CVL501", "CVL501/tf-bad", "policy = jsonencode({"),
    ("CVL502", "CVL502/bad.yaml", "Statement:"),
    ("CVL502", "CVL502/tf-bad-no-endpoint", "policy = jsonencode({"),
    ("CVL503", "CVL503/bad.yaml", "RoleArn: arn:aws:iam::111122223333:role/Clarify"),
    ("CVL503", "CVL503/api-bad", '"RoleArn": "arn:aws:iam::111122223333:role/Clarify"'),
    # something missing: the resource itself
    ("CVL102", "CVL102/bad.yaml", "ClarifyJob"),
    ("CVL307", "CVL307/tf-bad-default-group", 'resource "aws_vpc_endpoint" "interface" {'),
    ("CVL309", "CVL309/bad-cluster.yaml", "SubnetB"),  # in the VPC's default ACL
    # what an association gives the subject: its DHCP options set, its network ACL
    ("CVL308", "CVL308/bad.yaml", "DhcpOptions"),
    ("CVL308", "CVL308/bad-no-options.yaml", "DhcpOptionsId: default}"),
    ("CVL308", "CVL308/tf-bad", 'resource "aws_vpc_dhcp_options" "corp" {'),
    ("CVL309", "CVL309/bad.yaml", "ClarifyAcl"),
]


@pytest.mark.parametrize("rule,case,shown", AT_THE_PROPERTY, ids=lambda v: str(v)[:40])
def test_each_rule_shows_the_property_it_judges(rule: str, case: str, shown: str) -> None:
    assert set(_shown_in(RULES / case, rule)) == {shown}


def test_python_job_groups_at_their_keyword_argument() -> None:
    result = run(Options(paths=[str(FIXTURES / "python")]))
    script = FIXTURES / "python" / "two_instances.py"
    lines = script.read_text().splitlines()
    for rule in ("CVL401", "CVL402"):
        (finding,) = [f for f in result.findings if f.rule == rule and f.file == str(script)]
        line, column, end_line, end_column = finding.region
        assert line < finding.line  # the keyword, above the call that starts the job
        assert lines[line - 1][column - 1 : end_column - 1] == 'security_group_ids=["sg-0pyjob"]'


def test_json_line_and_column_stay_at_the_subjects_key() -> None:
    result = run(Options(paths=[str(RULES / "CVL401" / "bad.yaml")]))
    (finding,) = [f for f in result.findings if f.rule == "CVL401"]
    document = finding.as_dict()
    assert (document["line"], document["column"]) == (finding.line, finding.column)
    assert document["region"]["line"] > finding.line  # the groups, below the job's key


def test_a_group_named_by_getatt_is_followed_and_two_groups_are_not(tmp_path: Path) -> None:
    template = tmp_path / "job.yaml"
    text = (RULES / "CVL403" / "bad.yaml").read_text()
    groups = "SecurityGroupIds: [!Ref ClarifySecurityGroup]"
    assert text.count(groups) == 2  # the model's and the job's
    template.write_text(
        text.replace(groups, "SecurityGroupIds: [!GetAtt ClarifySecurityGroup.GroupId]")
    )
    assert _shown_in(template, "CVL403") == ["SecurityGroupEgress:"]
    template.write_text(
        text.replace(
            groups, "SecurityGroupIds: [!Ref ClarifySecurityGroup, !Ref ClarifySecurityGroup]"
        )
    )
    assert _shown_in(template, "CVL403") == [
        "SecurityGroupIds: [!Ref ClarifySecurityGroup, !Ref ClarifySecurityGroup]"
    ]
