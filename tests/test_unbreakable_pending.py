"""PENDING (issue 10): inputs that still abort or blow up a run, in files owned by other branches.

Each test is a minimal reproducer that FAILS today and passes once the named file is fixed:
- resolve.py (_endpoint_subjects): a ServiceName that is not a string or an Unknown aborts the run;
- readers/cloudformation.py or readers/sagemaker.py: an Unknown EndpointName of a monitoring job is
  tested for truth;
- readers/workflows.py: JSON nested deeper than Python's recursion or an integer past 4,300 digits in
  a definition string (use ``source.parse_json(text, strict=False)``, which refuses past MAX_DEPTH
  and keeps such numbers as text), and DefinitionSubstitutions repeated inside a definition (the filled definition needs a size budget).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli

GOOD = FIXTURES / "rules" / "CVL201" / "bad.yaml"  # a template with one CVL201 finding
ENDPOINTS = FIXTURES / "rules" / "CVL306" / "good.yaml"
MONITOR = FIXTURES / "rules" / "CVL103" / "bad-monitor.yaml"


def assert_good_still_reported(*args: str) -> dict:
    completed = run_cli(*args, str(GOOD), "--format", "json")
    assert "internal error" not in completed.stderr, completed.stderr[-500:]
    report = json.loads(completed.stdout)
    assert not [e for e in report["errors"] if "internal error" in e["message"]], report["errors"]
    assert any(f["rule"] == "CVL201" for f in report["findings"])
    return report


@pytest.mark.parametrize(
    "service_name",
    ["null", "5", "1.0e+308", "true", "[a]", '!Join ["", ["com.amazonaws.", !Ref Vpc, ".s3"]]'],
)
def test_pending_resolve_non_string_service_name(tmp_path: Path, service_name: str) -> None:
    """resolve.py:_endpoint_subjects reads ``endpoint.service.text`` of any non-string."""
    lines = ENDPOINTS.read_text().splitlines()
    (index,) = [
        i for i, line in enumerate(lines) if 'ServiceName: !Join ["", ["com.amazonaws."' in line
    ]
    lines[index] = lines[index].split("ServiceName:")[0] + f"ServiceName: {service_name}"
    template = tmp_path / "endpoints.yaml"
    template.write_text("\n".join(lines) + "\n")
    assert_good_still_reported(str(template))


def test_pending_inventory_null_service_name(tmp_path: Path) -> None:
    """``"ServiceName": null`` in describe-vpc-endpoints output (inventory.py / resolve.py)."""
    cases = FIXTURES / "rules" / "CVL401" / "api-bad"
    endpoints = json.loads((cases / "vpc-endpoints.json").read_text())
    for endpoint in endpoints["VpcEndpoints"]:
        endpoint["ServiceName"] = None
    inventory = tmp_path / "vpc-endpoints.json"
    inventory.write_text(json.dumps(endpoints))
    context = [arg for path in sorted(cases.glob("*.json")) if path.name not in ("job.json", "vpc-endpoints.json") for arg in ("--context", str(path))]  # fmt: skip
    assert_good_still_reported(str(cases / "job.json"), "--context", str(inventory), *context)


def test_pending_unknown_monitoring_endpoint_name(tmp_path: Path) -> None:
    """An EndpointName the inputs do not determine is tested for truth (Unknown has none)."""
    text = MONITOR.read_text().replace(
        "      EndpointName: !GetAtt Endpoint.EndpointName",
        '      EndpointName: !Ref "AWS::AccountId"',
        1,
    )
    template = tmp_path / "monitor.yaml"
    template.write_text(text)
    assert_good_still_reported(str(template))


def state_machine(tmp_path: Path, definition: str, substitutions: dict | None = None) -> Path:
    properties = {"RoleArn": "arn:aws:iam::111122223333:role/Flow", "DefinitionString": definition}
    if substitutions:
        properties["DefinitionSubstitutions"] = substitutions
    template = {
        "Resources": {
            "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}
        }
    }
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(template))
    return path


def test_pending_workflows_deep_json_in_a_definition_string(tmp_path: Path) -> None:
    """readers/workflows.py parses the definition with json.loads: RecursionError at 950 levels."""
    deep = (
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "X": '
        + "[" * 950
        + "]" * 950
        + "}}}"
    )
    report = assert_good_still_reported(str(state_machine(tmp_path, deep)))
    assert any("nesting deeper" in e["message"] for e in report["errors"])


def test_pending_workflows_definition_substitutions_are_budgeted(tmp_path: Path) -> None:
    """20,000 x ${Big} of 50 KB each fills a 1 GB definition; memory must stay bounded.

    Run under an address-space limit: the process must still answer with the good file's finding.
    """
    definition = (
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Comment": "'
        + "${Big}" * 20_000
        + '"}}}'
    )
    path = state_machine(tmp_path, definition, {"Big": "x" * 50_000})

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    completed = subprocess.run(
        [sys.executable, "-m", "clarify_vpc_lint", str(path), str(GOOD), "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=limit_memory,
    )  # fmt: skip
    assert "internal error" not in completed.stdout + completed.stderr
    assert any(f["rule"] == "CVL201" for f in json.loads(completed.stdout)["findings"])


@pytest.mark.parametrize("service_name", [65536, ["a"], None])
def test_pending_terraform_non_string_service_name(tmp_path: Path, service_name) -> None:
    """A plan's aws_vpc_endpoint.service_name that is not a string (resolve.py:_endpoint_subjects)."""
    plan = json.loads((FIXTURES / "rules" / "CVL402" / "tf-good" / "plan.json").read_text())
    endpoints = [
        r
        for r in plan["planned_values"]["root_module"]["resources"]
        if r["type"] == "aws_vpc_endpoint"
    ]
    for endpoint in endpoints:
        endpoint["values"]["service_name"] = service_name
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    assert_good_still_reported(str(path))


def test_pending_workflows_huge_integer_in_a_definition_string(tmp_path: Path) -> None:
    """readers/workflows.py's json.loads raises ValueError (not JSONDecodeError) past 4,300 digits."""
    definition = (
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "X": ' + "9" * 5000 + "}}}"
    )
    assert_good_still_reported(str(state_machine(tmp_path, definition)))
