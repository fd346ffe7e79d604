"""Report formats: SARIF valid against the official schema, JUnit, GitHub workflow commands."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from conftest import ROOT, line_of, run_cli

from clarify_vpc_lint.catalogue import load_rules

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
BAD = "tests/fixtures/cli/one-error.yaml"  # one CVL201 error, on Model
INFO_ONLY = "tests/fixtures/cli/one-info.yaml"  # one CVL201 info, on Model
MIXED = ["tests/fixtures/rules", "tests/fixtures/workflows"]


def test_sarif_is_valid_and_complete(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources: [\n")
    completed = run_cli(*MIXED, str(broken), "--format", "sarif")
    sarif = json.loads(completed.stdout)
    jsonschema.validate(sarif, SCHEMA)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.id for rule in load_rules()]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert (
            rule["helpUri"].endswith(f"{rule['id']}.md")
            and "## Why is this bad?" in rule["help"]["markdown"]
        )
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    levels = {r["level"] for r in run["results"]}
    assert levels == {"error", "warning", "note"}
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    for result in run["results"]:  # never an empty range
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["endLine"], region["endColumn"]) > (
            region["startLine"],
            region["startColumn"],
        )
    assert first["properties"]["remediation"] and "Fix:" in first["message"]["markdown"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "broken.yaml" in json.dumps(run["invocations"][0]["toolExecutionNotifications"])


@pytest.mark.slow  # five whole-tree runs
def test_sarif_and_json_are_byte_identical_across_runs() -> None:
    for fmt in ("sarif", "json"):
        outputs = {run_cli(*MIXED, "--format", fmt).stdout for _ in range(2)}
        assert len(outputs) == 1, fmt
    reordered = run_cli(*reversed(MIXED), "--format", "json").stdout
    assert {reordered} == outputs


def test_junit_has_a_case_per_file_and_rule_that_applies_to_it() -> None:
    network = "examples/cloudformation/network.yaml"
    completed = run_cli(BAD, network, "--format", "junit")
    suite = ElementTree.fromstring(completed.stdout).find("testsuite")
    cases = {(c.get("classname"), c.get("name").split()[0]) for c in suite.iter("testcase")}
    by_id = {rule.id: rule for rule in load_rules()}
    # the network stack starts no job: no rule judges a subject there, it shows as read
    assert {rule for file, rule in cases if file == network} == {"read"}
    # the model's file: the rules about models, their jobs and their VPCs, not the others
    applied = {rule for file, rule in cases if file == BAD}
    assert {"CVL201", "CVL301", "CVL401"} <= applied < set(by_id)
    assert suite.get("tests") == str(len(cases)) == str(len(applied) + 1)
    assert suite.get("failures") == "1" and suite.get("errors") == "0"
    failure = suite.find(
        "testcase[@name='CVL201 model-subnets-single-az'][@classname='" + BAD + "']/failure"
    )
    assert (
        failure is not None
        and failure.get("type") == "error"
        and "Subnets: [!Ref SubnetA, !Ref SubnetB]" in failure.text  # the subnet it has
    )


def test_github_workflow_commands() -> None:
    lines = run_cli(BAD, INFO_ONLY, "--select", "CVL201", "--format", "github").stdout.splitlines()
    # annotated on the property that is wrong: the model's one subnet
    subnets = "        Subnets: [!Ref SubnetA]"
    assert lines[0].startswith(
        f"::error file={BAD},line={line_of(BAD, subnets)},col=9,endLine={line_of(BAD, subnets)},"
        f"endColumn={len(subnets) + 1},title=CVL201 model-subnets-single-az (Model)::Model Model"
    )
    assert lines[1].startswith(f"::notice file={INFO_ONLY},line=")
    assert all("\n" not in line and "%0A" in line for line in lines)
