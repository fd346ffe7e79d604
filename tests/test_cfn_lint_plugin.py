"""The cfn-lint plugin, run by real cfn-lint: the same findings as the CLI, rule by rule."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Set, Tuple

import pytest
from conftest import FIXTURES, ROOT, line_of, rule_templates

from clarify_vpc_lint.catalogue import rules_by_id
from clarify_vpc_lint.linter import Options, run

CFN_LINT = str(Path(sys.executable).with_name("cfn-lint"))  # the extra's console script
TEMPLATES = sorted(
    p.relative_to(ROOT)
    for p in [
        *rule_templates(),
        *FIXTURES.glob("good/*.yaml"),
        *FIXTURES.glob("multi/*/*.yaml"),
    ]
)


def cfn_lint(*args: str, cwd: Path = ROOT, env: dict = None) -> List[dict]:
    env = dict(env or os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])  # this tree
    completed = subprocess.run(
        [CFN_LINT, "--format", "json", "--include-checks=I", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode in (0, 2, 4, 6, 8, 10, 12, 14), completed.stderr
    return json.loads(completed.stdout)


def ours(matches: List[dict]) -> Set[Tuple[str, str, int, int]]:
    return {
        (
            m["Filename"],
            m["Rule"]["Id"],
            m["Location"]["Start"]["LineNumber"],
            m["Location"]["Start"]["ColumnNumber"],
        )
        for m in matches
        if m["Rule"]["Id"][1] == "9" and len(m["Rule"]["Id"]) == 5
    }


def cli_ids(*paths: Path) -> Set[Tuple[str, str, int, int]]:
    result = run(Options(paths=[str(p) for p in paths]))
    rules = rules_by_id()
    return {
        (
            f.file,
            "I9" + f.rule[3:] if f.severity == "info" else rules[f.rule].cfn_lint_id,
            *f.region[:2],  # the plugin reports at the region: the property that is wrong
        )
        for f in result.findings
        if f.rule != "CVL002"  # cfn-lint judges its own suppressions
    }


@pytest.mark.slow
def test_every_template_gives_the_cli_findings() -> None:
    """Templates given to one cfn-lint run are judged together, as the CLI judges them."""
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--", *map(str, TEMPLATES))
    expected = cli_ids(*TEMPLATES)
    assert ours(matches) == expected
    assert len({rule for _, rule, _, _ in expected}) >= 10  # the run exercises many rules


@pytest.mark.slow
def test_cfnlintrc_metadata_ignore_checks_regions_and_configure_rule(tmp_path: Path) -> None:
    template = tmp_path / "model.yaml"
    template.write_text((FIXTURES / "multi/inventory/model.yaml").read_text())
    (tmp_path / ".cfnlintrc").write_text("append_rules:\n  - clarify_vpc_lint.cfn_lint\n")
    # without the inventory the subnets' AZs are unknown: I9201
    assert {m["Rule"]["Id"] for m in cfn_lint("model.yaml", cwd=tmp_path)} >= {"I9201"}
    # the inventory through --configure-rule decides it: E9201
    inventory = FIXTURES / "multi/inventory/subnets.json"
    configured = cfn_lint(
        "--configure-rule", f"E9201:context={inventory}", "--", "model.yaml", cwd=tmp_path
    )
    assert "E9201" in {m["Rule"]["Id"] for m in configured}
    # --ignore-checks and the template's own cfn-lint metadata
    ignored = cfn_lint(
        "--configure-rule",
        f"E9201:context={inventory}",
        "--ignore-checks",
        "E9201",
        "--",
        "model.yaml",
        cwd=tmp_path,
    )
    assert "E9201" not in {m["Rule"]["Id"] for m in ignored}
    template.write_text(template.read_text().replace(
        "    Type: AWS::SageMaker::Model\n",
        "    Type: AWS::SageMaker::Model\n    Metadata: {cfn-lint: {config: {ignore_checks: [E9201, I9201, I9301]}}}\n",
    ))  # fmt: skip
    assert not {m["Rule"]["Id"] for m in cfn_lint("model.yaml", cwd=tmp_path)} & {"E9201", "I9201"}


@pytest.mark.slow
def test_regions_set_the_region() -> None:
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--regions", "eu-west-1", "--",
                       "tests/fixtures/cli/one-error.yaml")  # fmt: skip
    message = next(m["Message"] for m in matches if m["Rule"]["Id"] == "E9201")
    assert "eu-west-1 (zone 0" in message


INVENTORY_VPC = FIXTURES / "hosts" / "inventory-vpc"


@pytest.mark.slow
def test_a_finding_on_an_inventory_vpc_is_reported_at_the_resource_using_it(tmp_path: Path) -> None:
    shutil.copytree(INVENTORY_VPC, tmp_path / "project")
    project = tmp_path / "project"
    # the config file gives the inventory to every rule; CVL303's subject is the inventory's VPC
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--", "stack.yaml", cwd=project)
    found = {(m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"]) for m in matches}
    jobs = {4, 15}  # the model and the Clarify job: the resources that use the VPC
    assert {line for rule, line in found if rule == "E9303"} & jobs, matches
    assert all(m["Filename"] == "stack.yaml" for m in matches)
    assert "vpc-0clarify" in next(m["Message"] for m in matches if m["Rule"]["Id"] == "E9303")


@pytest.mark.slow
def test_one_configure_rule_gives_the_inventory_to_every_rule(tmp_path: Path) -> None:
    shutil.copytree(INVENTORY_VPC, tmp_path / "project")
    project = tmp_path / "project"
    (project / ".clarify-vpc-lint.yaml").unlink()
    configured = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--configure-rule",
                          "E9201:context=inventory", "--", "stack.yaml", cwd=project)  # fmt: skip
    assert "E9303" in {m["Rule"]["Id"] for m in configured}


@pytest.mark.slow
def test_a_template_the_engine_cannot_judge_is_reported_once(tmp_path: Path) -> None:
    template = tmp_path / "model.yaml"
    shutil.copy(FIXTURES / "cli/one-error.yaml", template)
    env = dict(os.environ, CLARIFY_VPC_LINT_TIME_BUDGET="0.000001")  # every judgement runs out
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--", "model.yaml",
                       cwd=tmp_path, env=env)  # fmt: skip
    ours = [m for m in matches if m["Rule"]["Id"].startswith(("E9", "W9", "I9"))]
    assert [m["Rule"]["Id"] for m in ours] == ["E9000"]
    assert "not judged" in ours[0]["Message"]


def test_the_cache_sees_a_change_within_one_mtime_tick(tmp_path: Path) -> None:
    from clarify_vpc_lint.project import Settings, judge_file

    template = tmp_path / "model.yaml"
    shutil.copy(FIXTURES / "cli/one-error.yaml", template)
    stamp = os.stat(template)
    assert "CVL201" in {f.rule for f in judge_file(str(template), Settings()).findings}
    shutil.copy(FIXTURES / "good/private-clarify-vpc.yaml", template)
    os.utime(template, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same mtime, new content
    assert "CVL201" not in {f.rule for f in judge_file(str(template), Settings()).findings}


def test_a_failure_is_judged_once(tmp_path: Path, monkeypatch) -> None:
    from clarify_vpc_lint import project

    template = tmp_path / "model.yaml"
    shutil.copy(FIXTURES / "cli/one-error.yaml", template)
    calls = []

    def failing(options):
        calls.append(options)
        raise RecursionError("the engine gave up")

    monkeypatch.setattr(project, "run", failing)
    first = project.judge_file(str(template), project.Settings())
    again = project.judge_file(str(template), project.Settings())
    assert len(calls) == 1 and first is again
    assert first.findings == [] and "RecursionError" in first.errors[0].message


@pytest.mark.slow
def test_a_declared_job_is_reported_at_the_template_resources_it_names(tmp_path: Path) -> None:
    declared = FIXTURES / "config/declared"
    shutil.copy(declared / "clarify-vpc-lint.yaml", tmp_path / ".clarify-vpc-lint.yaml")
    shutil.copy(declared / "network.yaml", tmp_path / "network.yaml")
    matches = cfn_lint(
        "--append-rules=clarify_vpc_lint.cfn_lint", "--", "network.yaml", cwd=tmp_path
    )
    # the job nightly-bias (config) runs in SubnetA (line 6) and ClarifySecurityGroup (line 12)
    found = {(m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"]) for m in matches}
    assert {("E9101", 6), ("E9401", 6)} <= found, found
    message = next(m["Message"] for m in matches if m["Rule"]["Id"] == "E9101")
    assert "nightly-bias" in message and ".clarify-vpc-lint.yaml:4" in message


@pytest.mark.slow
def test_a_template_from_stdin_is_placed_on_its_own_lines() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    completed = subprocess.run(
        [CFN_LINT, "--format", "json", "--append-rules=clarify_vpc_lint.cfn_lint"],
        input=(FIXTURES / "cli/one-error.yaml").read_text(),
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    found = {
        (m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"])
        for m in json.loads(completed.stdout)
    }
    assert ("E9201", line_of("tests/fixtures/cli/one-error.yaml", "  Model:")) in found


@pytest.mark.slow
def test_the_network_stack_gets_its_findings_beside_the_ml_stack() -> None:
    """Issue 24: a network stack's CVL303/305/307/310 were never reported, and CVL401 fell to
    I9401, because each template was judged without the other."""
    stacks = sorted((ROOT / "examples" / "cloudformation").glob("*.yaml"))
    relative = [str(p.relative_to(ROOT)) for p in stacks]
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", *relative)
    assert ours(matches) == cli_ids(*(p.relative_to(ROOT) for p in stacks))
    network = {m["Rule"]["Id"] for m in matches if m["Filename"].endswith("network.yaml")}
    assert {"E9303", "E9305", "W9307", "W9310"} <= network
    assert "E9401" in {m["Rule"]["Id"] for m in matches}


def _baselined_project(tmp_path: Path) -> Path:
    """A template whose finding (CVL201) is in a baseline written by the CLI, and a template
    added since with a finding of its own (CVL101)."""
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(FIXTURES / "cli/one-error.yaml", project / "stacks" / "old.yaml")
    completed = subprocess.run(
        [sys.executable, "-m", "clarify_vpc_lint", "stacks/old.yaml", "--write-baseline",
         "baseline.json"],
        cwd=project, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    shutil.copy(FIXTURES / "rules/CVL101/bad.yaml", project / "stacks" / "new.yaml")
    return project


def _rules_in(matches: List[dict], name: str) -> Set[str]:
    return {m["Rule"]["Id"] for m in matches if m["Filename"].endswith(name)}


@pytest.mark.slow
def test_a_baseline_hides_its_findings_and_reports_new_ones(tmp_path: Path) -> None:
    project = _baselined_project(tmp_path)
    stacks = [
        "--append-rules=clarify_vpc_lint.cfn_lint",
        "--",
        "stacks/old.yaml",
        "stacks/new.yaml",
    ]
    plain = cfn_lint(*stacks, cwd=project)
    assert "E9201" in _rules_in(plain, "old.yaml")
    new = _rules_in(plain, "new.yaml") & {"E9101"}
    assert new, plain
    # the variable, for every host; from a subfolder too (the baseline names files from its own)
    env = {**os.environ, "CLARIFY_VPC_LINT_BASELINE": "baseline.json"}
    for given in (env, {**os.environ, "CLARIFY_VPC_LINT_BASELINE": str(project / "baseline.json")}):
        hidden = cfn_lint(*stacks, cwd=project, env=given)
        assert "E9201" not in _rules_in(hidden, "old.yaml")
        assert new <= _rules_in(hidden, "new.yaml")
    # cfn-lint's own way to configure a rule (also from a .cfnlintrc's configure_rules)
    configured = cfn_lint("--configure-rule", "E9000:baseline=baseline.json", *stacks, cwd=project)
    assert "E9201" not in _rules_in(configured, "old.yaml")
    assert new <= _rules_in(configured, "new.yaml")


@pytest.mark.slow
def test_a_baseline_that_cannot_be_read_is_an_error_and_hides_nothing(tmp_path: Path) -> None:
    project = _baselined_project(tmp_path)
    (project / "baseline.json").write_text("{not json")
    env = {**os.environ, "CLARIFY_VPC_LINT_BASELINE": "baseline.json"}
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--", "stacks/old.yaml",
                       cwd=project, env=env)  # fmt: skip
    said = [m["Message"] for m in matches if m["Rule"]["Id"] == "E9000"]
    assert len(said) == 1 and "baseline.json" in said[0] and "JSON" in said[0]
    assert "E9201" in _rules_in(matches, "old.yaml")


def _lint_in_process(path: Path) -> List[Any]:
    """cfn-lint run in this process (so that a test can break the engine), with the plugin."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    config = ConfigMixIn(["--append-rules=clarify_vpc_lint.cfn_lint", "--", str(path)])
    return list(Runner(config).run())


def test_an_internal_error_of_a_rule_is_an_error_never_a_pass(tmp_path: Path, monkeypatch) -> None:
    from clarify_vpc_lint import linter

    template = tmp_path / "model.yaml"
    shutil.copy(FIXTURES / "good/private-clarify-vpc.yaml", template)
    real = linter.evaluate

    def broken(rule, subjects, severity):
        if rule.id == "CVL201" and subjects:
            raise KeyError("a bug")
        return real(rule, subjects, severity)

    monkeypatch.setattr(linter, "evaluate", broken)
    matches = _lint_in_process(template)
    errors = [m for m in matches if m.rule.id == "E9000"]
    assert errors and all(m.rule.severity == "error" for m in errors)
    assert "internal error in rule CVL201" in errors[0].message and "KeyError" in errors[0].message


def test_a_failure_of_the_plugin_itself_is_an_error(tmp_path: Path, monkeypatch) -> None:
    import clarify_vpc_lint.cfn_lint as plugin

    template = tmp_path / "model.yaml"
    shutil.copy(FIXTURES / "cli/one-error.yaml", template)

    def broken(paths, settings):
        raise RuntimeError("the plugin broke")

    monkeypatch.setattr(plugin, "judge", broken)
    matches = _lint_in_process(template)
    failed = [m for m in matches if "the plugin broke" in m.message]
    assert failed and all(m.rule.severity == "error" for m in failed)
