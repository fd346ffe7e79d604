"""The checkov plugin, run by real checkov: the same findings as the CLI, rule by rule."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Dict, List, Set, Tuple

import jsonschema
import pytest
from conftest import FIXTURES, ROOT, rule_templates, run_cli

from clarify_vpc_lint.catalogue import plugin_rules, rules_by_id
from clarify_vpc_lint.linter import Options, run

CHECKOV = str(Path(sys.executable).with_name("checkov"))  # the extra's console script


@cache
def is_rule_page(url: str, rule: str) -> bool:
    """A link to the rule's page in the docs the package ships (whichever copy the host loaded:
    the installed package's or this checkout's), and the page is there."""
    prefix = "file://localhost"
    path = Path(url[len(prefix) :]) if url.startswith(prefix) else None
    return path is not None and path.name == f"{rule}.md" and path.is_file()


def checks_dir() -> str:
    """Asked of the CLI when a test needs it, not while the fast suite collects this module."""
    return run_cli("--checkov-dir").stdout.strip()


def checkov_run(
    directory: Path,
    framework: str,
    *extra: str,
    budget: str = "",
    quiet: bool = True,
    target: str = ".",
) -> tuple:
    """checkov's JSON reports and its stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BC_", "PRISMA_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])  # this tree
    if budget:
        env["CLARIFY_VPC_LINT_TIME_BUDGET"] = budget
    completed = subprocess.run(
        [CHECKOV, "--skip-download", *(["--quiet"] if quiet else []), "--compact", "-o", "json", "--framework", framework,
         "--external-checks-dir", checks_dir(), "--check", "CKV_CVL_*", "-d", target, *extra],
        cwd=directory, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr, completed.stderr[-2000:]
    if "--output-file-path" in extra:
        return [], completed.stderr
    stdout = completed.stdout
    if not quiet:  # checkov prints its banner first
        stdout = stdout[re.search(r"^[\[{]", stdout, re.MULTILINE).start() :]
    report = json.loads(stdout)  # stdout is exactly one JSON document (after any banner)
    return (report if isinstance(report, list) else [report]), completed.stderr


def checkov(
    directory: Path, framework: str, *extra: str, kind: str = "failed_checks"
) -> List[dict]:
    reports, _ = checkov_run(directory, framework, *extra)
    return [check for r in reports for check in r.get("results", {}).get(kind, [])]


def _copy(tree: Dict[str, Path], target: Path) -> None:
    for name, source in tree.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / name)


def _cli(directory: Path) -> Set[Tuple[str, str, str]]:
    """The CLI's definite findings for the whole directory (checkov's project), as checkov names them."""
    result = run(Options(paths=[str(directory)]))
    rules = rules_by_id()
    return {
        (os.path.relpath(f.file, directory), rules[f.rule].checkov_id, f.resource.split("/")[0])
        for f in result.findings
        if f.severity != "info"
    }


@pytest.mark.slow
def test_cloudformation_and_terraform_plan_resources(tmp_path: Path) -> None:
    # two projects: the fixtures are separate cases, and one project's plans would make the
    # templates' VPCs unknown (a plan's endpoint with an unknown VpcId may be in any VPC)
    # the unknown cases stay out: an endpoint whose VpcId is a parameter may be in any VPC of the
    # project, so it would make the other cases' endpoint rules unknown too
    templates = {
        f"{p.parent.name}-{p.name}": p
        for p in rule_templates()
        if p.name.startswith(("bad", "good"))
    }
    plans = {
        f"tf-{p.parent.parent.name}-{p.parent.name}.json": p
        for p in FIXTURES.glob("rules/*/tf-*/plan.json")
    }
    plans["module-plan.json"] = FIXTURES / "terraform/module/plan.json"
    found, expected = set(), set()
    for framework, tree in (("cloudformation", templates), ("terraform_plan", plans)):
        project = tmp_path / framework
        project.mkdir()
        _copy(tree, project)
        found |= {
            (
                c["file_path"].lstrip("/"),
                c["check_id"],
                c["resource"].split(".", 2)[-1]
                if c["resource"].startswith("AWS::")
                else c["resource"],
            )
            for c in checkov(project, framework)
        }
        expected |= _cli(project)
    assert found == expected
    # every rule with a CloudFormation bad fixture among the files is seen
    assert {check for _, check, _ in found} >= {
        rule.checkov_id
        for rule in plugin_rules()  # CVL002: checkov judges its own suppressions
        if any(name.startswith(f"{rule.id}-bad") for name in templates)
    }


@pytest.mark.slow
def test_json_documents(tmp_path: Path) -> None:
    tree = {p.name: p for p in FIXTURES.glob("rules/CVL001/*.json")}
    tree["flow.asl.json"] = FIXTURES / "workflows/cases/no-vpc/asl/flow.asl.json"
    tree["pipeline.json"] = FIXTURES / "workflows/cases/no-vpc/pipeline/pipeline.json"
    tree["template.json"] = FIXTURES / "workflows/cases/no-vpc/cloudformation/template.json"
    _copy(tree, tmp_path)
    found = {(c["file_path"].lstrip("/"), c["check_id"]) for c in checkov(tmp_path, "json")}
    # the template is answered by the cloudformation framework, not twice
    expected = {(name, check) for name, check, _ in _cli(tmp_path) if name != "template.json"}
    assert found == expected
    assert ("api-bad.json", "CKV_CVL_001") in found and ("pipeline.json", "CKV_CVL_101") in found


@pytest.mark.slow
def test_skip_metadata_and_comments(tmp_path: Path) -> None:
    text = (FIXTURES / "cli/one-error.yaml").read_text()
    (tmp_path / "model.yaml").write_text(text.replace(
        "    Type: AWS::SageMaker::Model\n",
        "    Type: AWS::SageMaker::Model\n    Metadata:\n      checkov:\n        skip:\n"
        "          - id: CKV_CVL_201\n            comment: two AZs are added by the platform team\n",
    ))  # fmt: skip
    assert [c for c in checkov(tmp_path, "cloudformation") if c["check_id"] == "CKV_CVL_201"] == []
    assert ROOT.is_dir()


def _two_stacks_without_runtime_endpoint(target: Path) -> None:
    for name in ("network.yaml", "ml.yaml"):
        shutil.copy(FIXTURES / "hosts/two-stacks" / name, target / name)
    network = target / "network.yaml"
    lines = network.read_text().splitlines(keepends=True)
    start = lines.index("  SageMakerRuntimeEndpoint:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    network.write_text("".join(lines[:start] + lines[end:]))


@pytest.mark.slow
def test_a_network_stack_is_judged_with_the_stacks_that_use_it(tmp_path: Path) -> None:
    _two_stacks_without_runtime_endpoint(tmp_path)
    reports, _ = checkov_run(tmp_path, "cloudformation", quiet=False)  # passed checks too
    results = reports[0]["results"]

    def named(kind: str) -> Set[Tuple[str, str, str]]:
        return {(c["file_path"].lstrip("/"), c["check_id"], c["resource"]) for c in results[kind]}

    vpc = ("network.yaml", "CKV_CVL_303", "AWS::EC2::VPC.Vpc")
    assert vpc in named("failed_checks") and vpc not in named("passed_checks")
    # the result carries the message and the rule's guideline
    check = next(c for c in results["failed_checks"] if c["check_id"] == "CKV_CVL_303")
    assert "no sagemaker.runtime interface endpoint" in check["check_name"]
    assert is_rule_page(check["guideline"], "CVL303")


@pytest.mark.slow
def test_sarif_stays_valid_with_our_terraform_plan_results(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "rules/CVL201/tf-bad/plan.json", tmp_path / "plan.json")
    checkov_run(
        tmp_path, "terraform_plan", "-o", "sarif", "--output-file-path", str(tmp_path / "out")
    )
    sarif = json.loads((tmp_path / "out/results_sarif.sarif").read_text())
    schema = json.loads((ROOT / "tests/schemas/sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(sarif, schema)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "CKV_CVL_201")
    assert "has one subnet in its VpcConfig" in result["message"]["text"]  # the finding itself
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert is_rule_page(rule["helpUri"], "CVL201")


@pytest.mark.slow
def test_a_json_result_names_the_failing_step(tmp_path: Path) -> None:
    shutil.copy(
        FIXTURES / "workflows/cases/no-vpc/pipeline/pipeline.json", tmp_path / "pipeline.json"
    )
    names = [c["check_name"] for c in checkov(tmp_path, "json") if c["check_id"] == "CKV_CVL_101"]
    assert len(names) == 1 and "pipeline/BiasCheck" in names[0] and "line 25" in names[0]


@pytest.mark.slow
def test_a_file_the_engine_cannot_judge_never_passes(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "good/private-clarify-vpc.yaml", tmp_path / "stack.yaml")
    reports, stderr = checkov_run(tmp_path, "cloudformation", budget="0.000001", quiet=False)
    results = reports[0].get("results", {}) if reports else {}
    assert not [c for c in results.get("passed_checks", []) if c["check_id"].startswith("CKV_CVL_")]
    assert "not judged" in stderr and stderr.count("\n") <= 3


def test_the_config_file_is_looked_up_once(tmp_path: Path, monkeypatch) -> None:
    from clarify_vpc_lint import checkov as plugin
    from clarify_vpc_lint import config
    from clarify_vpc_lint.catalogue import load_rules

    shutil.copy(FIXTURES / "cli/one-error.yaml", tmp_path / "model.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["checkov", "-d", "."])
    lookups = []
    real = config.find_config
    monkeypatch.setattr(config, "find_config", lambda start: lookups.append(start) or real(start))
    for cached in (
        plugin._config_file,
        plugin.project_result,
        plugin._judgement,
        plugin._instance_known,
    ):
        cached.cache_clear()
    outcomes = {rule.id: plugin.verdict(rule, "/model.yaml", "Model")[0] for rule in load_rules()}
    assert outcomes.pop("CVL201") == "FAILED" and len(lookups) == 1
    # no other rule evaluates a model: they say nothing, never PASSED
    assert set(outcomes.values()) == {"UNKNOWN"}


def _terraform_tree(target: Path) -> None:
    """Every Terraform rule fixture as written (its .tf files and local modules, not its plan),
    one folder per case: one project of many root modules, scanned by one checkov run."""
    for case in sorted(FIXTURES.glob("rules/*/tf-*")):
        for source in case.rglob("*.tf"):
            copy = target / f"{case.parent.name}-{case.name}" / source.relative_to(case)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy)


Block = Tuple[str, str, int]  # (file, check, the resource block's first line)


def _blocks(checks: List[dict]) -> Set[Block]:
    return {(c["file_path"].lstrip("/"), c["check_id"], c["file_line_range"][0]) for c in checks}


@pytest.mark.slow
def test_terraform_configuration_fails_what_the_cli_reports(tmp_path: Path) -> None:
    _terraform_tree(tmp_path)
    reports, _ = checkov_run(tmp_path, "terraform", quiet=False)  # passed checks too
    results = reports[0]["results"]
    failed, passed = _blocks(results["failed_checks"]), _blocks(results["passed_checks"])
    result = run(Options(paths=[str(tmp_path)]))
    assert result.errors == []
    rules = rules_by_id()

    def block(file: str, rule: str, line: int) -> Block:
        return (os.path.relpath(file, tmp_path), rules[rule].checkov_id, line)

    definite = {block(f.file, f.rule, f.line) for f in result.findings if f.severity != "info"}
    assert failed == definite
    # a model with one subnet fails on its block
    assert ("CVL201-tf-bad/main.tf", "CKV_CVL_201", 85) in failed
    # PASSED only where the rule evaluated that resource and found nothing
    found = {block(f.file, f.rule, f.line) for f in result.findings}
    judged = {
        block(loc.file, rule, loc.line) for rule, spots in result.judged.items() for loc in spots
    }
    assert passed and passed <= judged - found
    # an undecided finding (an unknown fact) is neither failed nor passed
    undecided = found - definite
    assert undecided and not undecided & (failed | passed)


def _outcomes(results: dict) -> Dict[Tuple[str, str, str], str]:
    """(file, check, resource) -> FAILED/PASSED; what is in neither list was UNKNOWN."""
    return {
        (c["file_path"].lstrip("/"), c["check_id"], c["resource"]): kind.split("_")[0].upper()
        for kind in ("failed_checks", "passed_checks")
        for c in results.get(kind, [])
    }


@pytest.mark.slow
def test_a_terraform_root_is_judged_with_its_modules_config_and_var_files(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "hosts/tf-project", tmp_path, dirs_exist_ok=True)
    checkov_run(tmp_path, "terraform", "-o", "sarif", "--output-file-path", "out", quiet=False)
    report = json.loads((tmp_path / "out/results_json.json").read_text())
    outcomes = _outcomes(report["results"])
    subnet = "module.net.aws_subnet.private[0]"
    # the job declared in the config file fails at the subnets it names, in the module's file
    failed = [c for c in report["results"]["failed_checks"] if c["resource"] == subnet]
    assert [(c["check_id"], c["file_path"]) for c in failed] == [
        ("CKV_CVL_101", "/modules/net/main.tf")
    ]
    assert "churn-bias" in failed[0]["check_name"]
    assert is_rule_page(failed[0]["guideline"], "CVL101")
    # a correct model passes the rule that evaluated it, and only that rule
    churn = {check: kind for (_, check, r), kind in outcomes.items() if r.endswith(".churn")}
    assert churn == {"CKV_CVL_201": "PASSED"}
    # checkov's skip comment in the block works for our checks
    skipped = {(c["check_id"], c["resource"]) for c in report["results"]["skipped_checks"]}
    assert skipped == {("CKV_CVL_201", "aws_sagemaker_model.skipped")}
    # the module's VPC is judged with the root that uses it
    assert outcomes["modules/net/main.tf", "CKV_CVL_303", "module.net.aws_vpc.main"] == "PASSED"
    # a model whose subnets come from a variable without a value: neither failed nor passed for
    # the rules the variable would decide (the CLI says info for them)
    for check in ("CKV_CVL_201", "CKV_CVL_301"):
        assert ("live/main.tf", check, "aws_sagemaker_model.extra") not in outcomes
    sarif = json.loads((tmp_path / "out/results_sarif.sarif").read_text())
    schema = json.loads((ROOT / "tests/schemas/sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(sarif, schema)

    # only the root's folder scanned, with checkov's --var-file: the variable has its value and
    # the model fails; the module beside the folder is still judged with its root
    reports, _ = checkov_run(
        tmp_path, "terraform", "--var-file", "live/one-subnet.tfvars", target="live"
    )
    failed = {
        (c["file_path"], c["check_id"], c["resource"])
        for r in reports
        for c in r["results"]["failed_checks"]
    }
    assert ("/main.tf", "CKV_CVL_201", "aws_sagemaker_model.extra") in failed
    assert ("/../modules/net/main.tf", "CKV_CVL_101", subnet) in failed
