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
from typing import Dict, List, Optional, Sequence, Set, Tuple

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
    env: Optional[Dict[str, str]] = None,
    path: Sequence[str] = (),
) -> tuple:
    """checkov's JSON reports and its stderr (``framework``: one or more, space-separated;
    ``env``: more variables; ``path``: folders before this tree on ``PYTHONPATH``)."""
    given = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BC_", "PRISMA_"))}
    env["PYTHONPATH"] = os.pathsep.join([*path, str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.update(given)
    if budget:
        env["CLARIFY_VPC_LINT_TIME_BUDGET"] = budget
    completed = subprocess.run(
        [CHECKOV, "--skip-download", *(["--quiet"] if quiet else []), "--compact", "-o", "json", "--framework", *framework.split(),
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


def _baselined_project(tmp_path: Path) -> Path:
    """A template whose finding (CVL201) is in a baseline written by the CLI, and a template
    added since with a finding of its own (CVL101)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(FIXTURES / "cli/one-error.yaml", project / "old.yaml")
    completed = subprocess.run(
        [sys.executable, "-m", "clarify_vpc_lint", "old.yaml", "--write-baseline", "baseline.json"],
        cwd=project, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    shutil.copy(FIXTURES / "rules/CVL101/bad.yaml", project / "new.yaml")
    return project


def _results(reports: List[dict], kind: str) -> Set[Tuple[str, str]]:
    return {
        (c["file_path"].lstrip("/"), c["check_id"])
        for r in reports
        for c in r.get("results", {}).get(kind, [])
    }


@pytest.mark.slow
def test_a_baseline_hides_its_findings_and_reports_new_ones(tmp_path: Path) -> None:
    project = _baselined_project(tmp_path)
    # two frameworks: two runner processes share one judgement
    reports, _ = checkov_run(project, "cloudformation json", quiet=False)
    assert {("old.yaml", "CKV_CVL_201"), ("new.yaml", "CKV_CVL_101")} <= _results(
        reports, "failed_checks"
    )
    reports, _ = checkov_run(project, "cloudformation json", quiet=False,
                             env={"CLARIFY_VPC_LINT_BASELINE": "baseline.json"})  # fmt: skip
    failed, passed = _results(reports, "failed_checks"), _results(reports, "passed_checks")
    assert ("new.yaml", "CKV_CVL_101") in failed
    # hidden, and not passed either: the baseline accepts it, it does not make it right
    assert ("old.yaml", "CKV_CVL_201") not in failed | passed


@pytest.mark.slow
def test_a_baseline_that_cannot_be_read_fails_the_checks(tmp_path: Path) -> None:
    project = _baselined_project(tmp_path)
    (project / "baseline.json").write_text("{not json")
    reports, _ = checkov_run(project, "cloudformation", quiet=False,
                             env={"CLARIFY_VPC_LINT_BASELINE": "baseline.json"})  # fmt: skip
    results = reports[0]["results"]
    assert not [c for c in results["passed_checks"] if c["check_id"].startswith("CKV_CVL_")]
    said = {c["check_name"] for c in results["failed_checks"] if c["file_path"] == "/old.yaml"}
    assert said and all("baseline.json" in name for name in said), said


BREAK_CVL201 = """
import clarify_vpc_lint.linter as linter

_real = linter.evaluate


def _broken(rule, subjects, severity):
    if rule.id == "CVL201" and subjects:
        raise KeyError("a bug")
    return _real(rule, subjects, severity)


linter.evaluate = _broken
"""


@pytest.mark.slow
def test_an_internal_error_of_a_rule_fails_never_passes(tmp_path: Path) -> None:
    """Issue 27: an internal error in our checks inside checkov is a failure, never PASSED."""
    project, broken = tmp_path / "project", tmp_path / "broken"
    project.mkdir()
    broken.mkdir()
    (broken / "sitecustomize.py").write_text(BREAK_CVL201)  # CVL201 raises, in every process
    shutil.copy(FIXTURES / "good/private-clarify-vpc.yaml", project / "stack.yaml")
    reports, _ = checkov_run(project, "cloudformation json", quiet=False, path=[str(broken)])
    results = [c for r in reports for kind in ("failed_checks", "passed_checks")
               for c in r["results"].get(kind, []) if c["check_id"].startswith("CKV_CVL_")]  # fmt: skip
    assert results and all(c["check_result"]["result"] == "FAILED" for c in results)
    model = [c for c in results if c["check_id"] == "CKV_CVL_201"]
    assert model and "internal error in rule CVL201" in model[0]["check_name"]


def test_a_failure_of_the_plugin_itself_fails_the_check(monkeypatch) -> None:
    from checkov.common.models.enums import CheckResult
    from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

    from clarify_vpc_lint import checkov as plugin
    from clarify_vpc_lint.rulefiles import plugin_rule_headers

    checks: Dict[str, object] = {"__name__": __name__}  # a module's namespace, as checkov loads it
    every_kind = {rule.subject: ["aws_sagemaker_model"] for rule in plugin_rule_headers()}
    plugin.make_checks(BaseResourceCheck, every_kind, checks)
    check = checks["CKV_CVL_201"]

    def broken(*args, **kwargs):
        raise RuntimeError("the plugin broke")

    monkeypatch.setattr(plugin, "verdict", broken)
    outcome = check.run("main.tf", {"name": ["m"]}, "aws_sagemaker_model.m", "aws_sagemaker_model", None)  # fmt: skip
    assert outcome["result"] == CheckResult.FAILED
    assert "internal error: RuntimeError: the plugin broke" in check.name


def _summarise_in_child(stem: str, log: str, queue) -> None:
    from clarify_vpc_lint.runcache import shared_by_runners

    def summarise():
        with open(log, "a") as handle:
            handle.write("judged\n")
        return {"findings": [["a.yaml", 3, "Model", "CVL201", "error", "one subnet"]]}

    queue.put(shared_by_runners(summarise, stem))


def test_checkovs_runner_processes_share_one_judgement(tmp_path: Path) -> None:
    import multiprocessing

    from clarify_vpc_lint.runcache import shared_by_runners

    log = tmp_path / "judged.log"
    context = multiprocessing.get_context("fork")  # as checkov starts its runners
    queue = context.Queue()
    key = str(tmp_path)  # what the judgement depends on: this test's own run
    children = [
        context.Process(target=_summarise_in_child, args=(key, str(log), queue)) for _ in range(3)
    ]
    for child in children:
        child.start()
    answers = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert log.read_text() == "judged\n"  # one process judged; the others read its summary
    assert all(a == answers[0] for a in answers) and answers[0]["findings"][0][2] == "Model"
    # the main process (no runner processes: one framework, or threads) judges for itself
    assert shared_by_runners(lambda: {"own": True}, key) == {"own": True}


def test_a_planted_summary_is_data_never_code(tmp_path: Path, monkeypatch) -> None:
    """The shared file is JSON; anything else in its place is judged again, never loaded."""
    from clarify_vpc_lint import runcache

    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(runcache, "_private_folder", lambda: folder)
    monkeypatch.setattr(runcache.multiprocessing, "parent_process", lambda: os)  # os.pid: absent
    monkeypatch.setattr(runcache, "_run_file_stem", lambda depends_on: str(folder / "run"))
    (folder / "run.json").write_bytes(b"\x80\x04\x95cos\nsystem\n.")  # a pickle
    assert runcache.shared_by_runners(lambda: {"judged": 1}, "key") == {"judged": 1}
    assert runcache.shared_by_runners(lambda: {"judged": 2}, "key") == {"judged": 1}  # shared


def test_the_shared_folder_must_be_the_users_own(tmp_path: Path, monkeypatch) -> None:
    from clarify_vpc_lint import runcache

    monkeypatch.setattr(runcache.tempfile, "gettempdir", lambda: str(tmp_path))
    folder = tmp_path / f"clarify-vpc-lint-{os.getuid()}"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)  # others may write in it: not used
    assert runcache._private_folder() is None
    folder.chmod(0o700)
    assert runcache._private_folder() == folder


def test_the_rules_headers_are_the_catalogues(tmp_path: Path) -> None:
    """checkov's runner processes read only the rules' headers: they name what the catalogue does."""
    from clarify_vpc_lint.rulefiles import rule_headers

    catalogue = {(r.id, r.name, r.severity, r.subject) for r in rules_by_id().values()}
    assert {(h.id, h.name, h.severity, h.subject) for h in rule_headers()} == catalogue


def test_a_rule_is_asked_only_of_the_types_it_judged(tmp_path, monkeypatch) -> None:
    """checkov records a result for every question: a rule is asked of a template's resource
    types and a Terraform address's types where it judged a subject, and a job declared in the
    config file counts at the resources it names."""
    from clarify_vpc_lint import checkov as plugin
    from clarify_vpc_lint.findings import Result
    from clarify_vpc_lint.model import Location

    config = tmp_path / ".clarify-vpc-lint.yaml"
    config.write_text("jobs: [{name: audit, subnets: [aws_subnet.private]}]\n")
    judged = {
        "CVL301": [Location("net.yaml", 3, 3, "Vpc", "cloudformation", entity="AWS::EC2::VPC")],
        "CVL309": [Location("main.tf", 9, 1, "module.net.aws_subnet.a[0]", "terraform")],
        "CVL101": [Location(str(config), 1, 1, "audit", "config")],
    }
    result = Result([], [], {}, {}, judged=judged)
    declared = plugin._declared_jobs(config)
    assert plugin._judged_types(result, os.path.realpath(config), declared) == {
        "CVL301": ["AWS::EC2::VPC"],
        "CVL309": ["aws_subnet"],
        "CVL101": ["aws_subnet"],
    }
    # where the engine failed, every type is asked: the failure fails the check everywhere
    monkeypatch.setattr(sys, "argv", ["checkov", "-d", "."])
    plugin._targets.cache_clear()
    failed = {"formats": {}, "docs_url": None, "findings": [], "errors": [], "judged": [],
              "config": None, "declared": {}, "failures": ["not judged: time"], "types": {}}  # fmt: skip
    monkeypatch.setattr(plugin, "_judgement", lambda: plugin._Judgement(failed))
    assert plugin._judged_types_to_ask() is None
    monkeypatch.setattr(plugin, "_judgement", lambda: plugin._Judgement({**failed, "failures": []}))
    assert plugin._judged_types_to_ask() == {}

    def broken() -> None:
        raise RuntimeError("the plugin broke")

    monkeypatch.setattr(plugin, "_judgement", broken)  # a bug of ours: every check stays, to fail
    assert plugin._judged_types_to_ask() is None
    plugin._targets.cache_clear()
