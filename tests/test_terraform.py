"""Terraform plans: real plans made by terraform (the .tf beside each plan.json), read offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, List, Optional, Set, Tuple

import pytest
from conftest import FIXTURES, ROOT, run_cli

from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, Result, run

TF = FIXTURES / "terraform"


def lint(*paths: Path, config: Optional[Path] = None, select: Iterable[str] = ()) -> Result:
    config = config or next(
        (p / "clarify-vpc-lint.yaml" for p in paths if (p / "clarify-vpc-lint.yaml").is_file()),
        None,
    )
    loaded = load_config(config) if config else None
    return run(Options(paths=[str(p) for p in paths], config=loaded, select=tuple(select)))


def reported(result: Result) -> Set[Tuple[str, str, str]]:
    return {(f.rule, f.severity, f.resource) for f in result.findings}


def judged_by(expected: Set[Tuple[str, str, str]], *absent: str) -> Set[str]:
    """The rules a test judges: those it expects findings of, and those it expects silent."""
    return {rule for rule, _, _ in expected} | set(absent)


def test_child_module_outputs_count_for_each_and_count_zero() -> None:
    expected = {
        # the runtime endpoint has count = 0: in configuration, not planned
        ("CVL303", "error", "module.net.aws_vpc.main"),
        ("CVL305", "error", "module.net.aws_vpc.main"),  # enable_dns_hostnames defaults to false
        ("CVL310", "warning", "module.net.aws_vpc.main"),  # no logs endpoint
        ("CVL307", "warning", 'aws_vpc_endpoint.interface["sagemaker.api"]'),  # default group
        ("CVL402", "error", "nightly-explainability"),  # no egress block, no egress
        ("CVL403", "error", "nightly-explainability"),
    }
    result = lint(TF / "module", select=judged_by(expected, "CVL201", "CVL306"))
    assert result.errors == []
    assert reported(result) == expected
    # the model's subnets came through module.net.private_subnet_ids: two AZs, so no CVL201;
    # the S3 endpoint's route table through module.net.route_table_id: so no CVL306
    vpc = next(f for f in result.findings if f.rule == "CVL303")
    assert "module.net.aws_subnet.private[0], module.net.aws_subnet.private[1]" in vpc.message
    assert vpc.file.endswith("plan.json") and vpc.line == 1 and vpc.column > 1
    assert 'service_name        = "com.amazonaws.us-east-1.sagemaker.runtime"' in vpc.remediation


def test_existing_state_joins_api_json_by_real_ids_and_drops_deleted_resources() -> None:
    # the job JSON names subnet-0e1f... and the VPC's default group by their real IDs; the S3
    # endpoint in the state is being deleted, so the VPC has none
    expected = {
        ("CVL301", "error", "aws_vpc.main"),
        ("CVL302", "error", "aws_vpc.main"),
        ("CVL303", "error", "aws_vpc.main"),
        ("CVL310", "warning", "aws_vpc.main"),
    }
    result = lint(TF / "existing-state", select=judged_by(expected, "CVL102", "CVL401"))
    assert result.errors == []
    assert reported(result) == expected


# The same network written in CloudFormation (a processing job in the template) and in Terraform
# (the job declared in clarify-vpc-lint.yaml): the same rules fire. Every generated CloudFormation
# rule case (the base network plus a patch) is paired with the Terraform case of the same name.
PAIRS = [
    ("good/private-clarify-vpc.yaml", "good/terraform"),
    *[
        (f"rules/{p.parent.name}/{case}.yaml", f"rules/{p.parent.name}/tf-{case}")
        for p in sorted(FIXTURES.glob("rules/*/*.patch.yaml"))
        for case in [p.name[: -len(".patch.yaml")]]
        if (p.parent / f"tf-{case}").is_dir()
    ],
]


@pytest.mark.parametrize("cloudformation, terraform", PAIRS)
def test_same_network_same_rules(cloudformation: str, terraform: str) -> None:
    def rules(result: Result) -> List[Tuple[str, str]]:
        """Definite findings; what stays unknown depends on how each language leaves a gap."""
        return sorted({(f.rule, f.severity) for f in result.findings if f.severity != "info"})

    cfn = lint(FIXTURES / cloudformation)
    tf = lint(FIXTURES / terraform)
    assert cfn.errors == tf.errors == []
    assert rules(cfn) == rules(tf)
    if "unknown" in terraform:
        rule = terraform.split("/")[1]
        for result in (cfn, tf):
            assert (rule, "info") in {(f.rule, f.severity) for f in result.findings}


@pytest.mark.parametrize(
    "plan, message",
    [
        ({"format_version": "2.0", "planned_values": {}}, "format_version 2.0 is not supported"),
        (
            '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [',
            "invalid JSON",
        ),
    ],
)
def test_unsupported_or_truncated_plan(tmp_path: Path, plan, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan))
    completed = run_cli(str(path), "--format", "json")
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert message in json.loads(completed.stdout)["errors"][0]["message"]


def test_other_providers_and_unexpected_types_read_quietly(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "google_compute_network.vpc",
                        "mode": "managed",
                        "type": "google_compute_network",
                        "values": {},
                    },
                    {
                        "address": "aws_sagemaker_model.m",
                        "mode": "managed",
                        "type": "aws_sagemaker_model",
                        "values": {
                            "name": "m",
                            "vpc_config": "oops",
                            "primary_container": [{"model_data_url": 7}],
                        },
                    },
                    {
                        "address": "aws_subnet.s",
                        "mode": "managed",
                        "type": "aws_subnet",
                        "values": None,
                    },
                    "not a resource",
                ],
                "child_modules": {"not": "a list"},
            }
        },
        "configuration": [],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run(Options(paths=[str(path)]))
    assert result.errors == []
    assert {f.rule for f in result.findings} <= {"CVL201", "CVL301"}


def test_readme_workflow_command() -> None:
    completed = run_cli(
        str((TF / "module" / "plan.json").relative_to(ROOT)),
        "--config",
        str((TF / "module" / "clarify-vpc-lint.yaml").relative_to(ROOT)),
    )
    assert completed.returncode == 1
    assert "module.net.aws_vpc.main" in completed.stdout


def test_data_sources_from_prior_state_carry_real_ids(tmp_path: Path) -> None:
    """Data sources are read into prior_state; their real IDs join what other inputs name."""
    data_subnet = {
        "address": "data.aws_subnet.shared",
        "mode": "data",
        "type": "aws_subnet",
        "name": "shared",
        "values": {
            "id": "subnet-0shared",
            "vpc_id": "vpc-0shared",
            "availability_zone": "us-east-1a",
            "availability_zone_id": "use1-az1",
            "cidr_block": "10.5.0.0/24",
        },
    }
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": []}},
        "prior_state": {"values": {"root_module": {"resources": [data_subnet]}}},
        "configuration": {"root_module": {}},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    (tmp_path / "model.json").write_text(
        json.dumps(
            {
                "ModelName": "m",
                "PrimaryContainer": {"Image": "i"},
                "VpcConfig": {"Subnets": ["subnet-0shared"], "SecurityGroupIds": ["sg-1"]},
            }
        )
    )
    result = run(Options(paths=[str(tmp_path)]))
    single_az = [f for f in result.findings if f.rule == "CVL201"]
    assert [(f.severity, f.resource) for f in single_az] == [("error", "m")]
    assert "use1-az1" in single_az[0].message
