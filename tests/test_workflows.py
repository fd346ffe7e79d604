"""Clarify jobs inside Step Functions, SageMaker Pipelines and SDK defaults, in every container.

The same job (isolation on, two instances, a group without self-ingress or HTTPS egress, a model
without VpcConfig) is written as a standalone ASL state machine (in a Parallel branch; once with
JSONata), a standalone pipeline (ClarifyCheck with a parameterised instance count and the model
linked through Steps.CreateModel.ModelName), both embedded in CloudFormation (Fn::Sub strings) and
in Terraform, and as SDK defaults; and runs in two broken networks described by EC2 inventories.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Set

import pytest
from conftest import FIXTURES, run_cli

from clarify_vpc_lint.linter import Options, Result, run

WORKFLOWS = FIXTURES / "workflows"
CONTAINERS = ["asl", "asl-jsonata", "pipeline", "cloudformation", "terraform", "sdk-defaults"]
JOB = {"CVL101", "CVL103", "CVL401", "CVL402", "CVL403"}
EXPECTED = {
    "network-1": JOB | {"CVL302", "CVL304", "CVL305", "CVL306", "CVL307", "CVL310"},
    "network-2": JOB | {"CVL301", "CVL303", "CVL310"},
    "no-vpc": {"CVL101", "CVL102"},
}
# SDK defaults link no model (CVL103) and set no instance count (CVL401/402 stay info)
SDK_UNDECIDED = {"CVL103", "CVL401", "CVL402"}


# The rules these tests judge; every finding on these fixtures is in tests/snapshots/workflows.json.
JUDGED = tuple(sorted(set().union(JOB, SDK_UNDECIDED, *EXPECTED.values())))


def lint(scenario: str, container: str) -> Result:
    paths = [WORKFLOWS / "cases" / scenario / container]
    if scenario != "no-vpc":
        paths.append(WORKFLOWS / scenario)
    return run(Options(paths=[str(p) for p in paths], select=JUDGED))


def definite(result: Result) -> Set[str]:
    return {f.rule for f in result.findings if f.severity != "info"}


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_every_container_is_judged_by_every_job_rule(scenario: str, container: str) -> None:
    result = lint(scenario, container)
    assert result.errors == []
    expected = EXPECTED[scenario]
    if container == "sdk-defaults":
        expected = expected - SDK_UNDECIDED
        undecided = {f.rule for f in result.findings if f.severity == "info"}
        assert undecided == SDK_UNDECIDED & EXPECTED[scenario] - {"CVL103"}
    assert definite(result) == expected


@pytest.mark.parametrize(
    "container, resource, file, line",
    [
        ("asl", "flow/RunClarify", "flow.asl.json", 25),
        ("pipeline", "pipeline/BiasCheck", "pipeline.json", 25),
        ("cloudformation", "ClarifyFlow/RunClarify", "template.json", 7),
        ("cloudformation", "ClarifyPipeline/BiasCheck", "template.json", 18),
        ("terraform", "aws_sagemaker_pipeline.churn/BiasCheck", "plan.json", 1),
        ("sdk-defaults", "SageMaker.ProcessingJob", "config.yaml", 3),
    ],
)
def test_resource_names_and_lines(container: str, resource: str, file: str, line: int) -> None:
    findings = [f for f in lint("no-vpc", container).findings if f.rule == "CVL101"]
    assert (resource, file, line) in {(f.resource, Path(f.file).name, f.line) for f in findings}


def test_data_bias_check_needs_no_inference_so_isolation_is_allowed() -> None:
    result = run(
        Options(paths=[str(WORKFLOWS / "cases" / "data-bias"), str(WORKFLOWS / "network-2")])
    )
    rules = {f.rule for f in result.findings}
    assert "CVL101" not in rules and "CVL302" not in rules  # no shadow endpoint, no SageMaker calls
    assert {"CVL301", "CVL403"} <= rules  # it still reads S3


def test_definition_in_s3_or_a_parameter_is_unknown(tmp_path: Path) -> None:
    template = {
        "Parameters": {"Body": {"Type": "String"}},
        "Resources": {
            "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "DefinitionS3Location": {"Bucket": "b", "Key": "flow.asl.json"}}},
            "Pipeline": {"Type": "AWS::SageMaker::Pipeline", "Properties": {
                "PipelineDefinition": {"PipelineDefinitionBody": {"Ref": "Body"}}}},
        },
    }  # fmt: skip
    (tmp_path / "t.json").write_text(json.dumps(template))
    result = run(Options(paths=[str(tmp_path)], select=JUDGED))
    assert result.errors == []
    assert {(f.resource, f.severity) for f in result.findings} == {
        ("Flow", "info"),
        ("Pipeline", "info"),
    }
    assert any("in S3 (DefinitionS3Location)" in f.message for f in result.findings)


def test_definition_string_that_is_not_json_is_one_error_and_the_rest_is_linted(
    tmp_path: Path,
) -> None:
    bad = Path(FIXTURES / "cli/one-error.yaml").read_text() + (
        "  Flow:\n    Type: AWS::StepFunctions::StateMachine\n"
        '    Properties:\n      DefinitionString: \'{"StartAt": "A", "States": {\'\n'
    )
    (tmp_path / "t.yaml").write_text(bad)
    completed = run_cli(str(tmp_path / "t.yaml"), "--select", "CVL201", "--format", "json")
    report = json.loads(completed.stdout)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert [f["rule"] for f in report["findings"]] == ["CVL201"]
    assert (
        len(report["errors"]) == 1
        and "Flow DefinitionString is not valid JSON" in report["errors"][0]["message"]
    )


def test_step_without_arguments_is_unknown(tmp_path: Path) -> None:
    pipeline = {"Version": "2020-12-01", "Steps": [
        {"Name": "Check", "Type": "ClarifyCheck", "CheckType": "MODEL_EXPLAINABILITY"},
        {"Name": "Prep", "Type": "Processing"},
    ]}  # fmt: skip
    (tmp_path / "p.json").write_text(json.dumps(pipeline))
    result = run(Options(paths=[str(tmp_path)], select=JUDGED))
    assert result.errors == []
    assert {f.severity for f in result.findings} == {"info"}
    assert {f.resource for f in result.findings} == {"p/Check"}


def test_unfilled_placeholders_in_a_definition_string_stay_unknown() -> None:
    """Names of any letters: an unfilled ${Subnet} is unknown, a filled one is its value."""
    from clarify_vpc_lint.readers.workflows import parse_embedded
    from clarify_vpc_lint.values import Handle, Unknown

    values = {"Subnet": Handle("cfn:t.yaml:Subnet"), "Count": 2, "Region": "eu-west-1"}

    def lookup(name: str):
        return values.get(name, Unknown(f"{name} is not known"))

    text = '{"A": "${Subnet}", "B": "x-${Missing}", "C": ${Count}, "D": ${Missing}, "E": "s3.${Region}"}'
    parsed = parse_embedded(text, lookup, "test")
    assert parsed["A"] == Handle("cfn:t.yaml:Subnet") and parsed["C"] == 2
    assert parsed["E"] == "s3.eu-west-1"
    assert isinstance(parsed["B"], Unknown) and parsed["B"].text == "x-${Missing}"
    assert isinstance(parsed["D"], Unknown) and parsed["D"].text == "${Missing}"


# -- the SDK defaults file in each of its shapes (tests/fixtures/python/sdk_defaults) -------------

SDK_DEFAULTS = FIXTURES / "python" / "sdk_defaults"
PROCESSING = {"v2": "SageMaker.ProcessingJob", "v3": "SageMaker.PythonSDK.Resources.ProcessingJob"}
# a model that no section of its own sets takes GlobalDefaults' vpc_config (sagemaker-core)
MODEL = {"v2": "SageMaker.Model", "v3": "SageMaker.PythonSDK.Resources.GlobalDefaults"}


def lint_defaults(case: str) -> Result:
    """The case with the network's inventory; the findings on the defaults file only."""
    paths = [str(SDK_DEFAULTS / case)]
    result = run(Options(paths=paths, context=[str(FIXTURES / "python" / "network")]))
    result.findings = [f for f in result.findings if Path(f.file).name == "config.yaml"]
    return result


@pytest.mark.parametrize("shape", ["v2", "v3"])
def test_a_defaults_file_is_judged_where_it_is_written_in_both_shapes(shape: str) -> None:
    """What the defaults give every job and model the SDK creates is reported on the defaults
    file itself: isolation on breaks every Clarify job that takes it; one subnet, every model."""
    bad = lint_defaults(f"{shape}-bad")
    assert bad.errors == []
    assert {(f.rule, f.severity, f.resource) for f in bad.findings} == {
        ("CVL101", "error", PROCESSING[shape]),
        ("CVL201", "error", MODEL[shape]),
    }
    good = lint_defaults(f"{shape}-good")
    assert good.errors == [] and good.findings == []
    unknown = lint_defaults(f"{shape}-unknown")  # subnets the inventory does not list
    assert unknown.errors == [] and {f.severity for f in unknown.findings} == {"info"}
    assert ("CVL201", MODEL[shape]) in {(f.rule, f.resource) for f in unknown.findings}


def test_the_v3_defaults_findings_point_at_their_section_and_fix_it_in_its_shape(
    tmp_path: Path,
) -> None:
    """A v3 finding is at the section the value comes from, and its fix is written in that
    section's snake_case keys: pasted where it says, the finding is gone."""
    bad = lint_defaults("v3-bad")
    places = {f.rule: (f.line, f.resource) for f in bad.findings}
    text = (SDK_DEFAULTS / "v3-bad" / "config.yaml").read_text().splitlines()
    assert text[places["CVL101"][0] - 1].strip() == "ProcessingJob:"
    assert text[places["CVL201"][0] - 1].strip() == "GlobalDefaults:"
    (isolation,) = [f for f in bad.findings if f.rule == "CVL101"]
    assert isolation.remediation.splitlines()[-1] == "enable_network_isolation: false"
    assert "SageMaker.PythonSDK.Resources.ProcessingJob.network_config" in isolation.remediation
    fixed = tmp_path / "config.yaml"
    fixed.write_text(
        "\n".join(text).replace(
            "enable_network_isolation: true", isolation.remediation.splitlines()[-1]
        )
    )
    after = run(Options(paths=[str(fixed)], context=[str(FIXTURES / "python" / "network")]))
    assert "CVL101" not in {f.rule for f in after.findings}


def test_a_v3_defaults_section_without_a_network_is_a_job_outside_the_vpc(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Resources:\n"
        "      ProcessingJob:\n        role_arn: arn:aws:iam::111122223333:role/r\n"
    )
    result = run(Options(paths=[str(tmp_path / "config.yaml")]))
    assert {(f.rule, f.resource, f.line) for f in result.findings} == {
        ("CVL102", "SageMaker.PythonSDK.Resources.ProcessingJob", 5)
    }
    (finding,) = result.findings
    assert "vpc_config:" in finding.remediation and "subnets: [" in finding.remediation
