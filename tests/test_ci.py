"""CI hosts: SARIF fingerprints and paths, the GitLab Code Quality report, the GitHub Action."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from conftest import FIXTURES, ROOT, line_of, run_cli

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
BAD = ROOT / "tests/fixtures/cli/one-error.yaml"
# annotations show the finding's region: the model's one subnet
MODEL_LINE = line_of(str(BAD.relative_to(ROOT)), "        Subnets: [!Ref SubnetA]")


def _sarif(*args: str, cwd: Path) -> dict:
    sarif = json.loads(run_cli(*args, "--format", "sarif", cwd=cwd).stdout)
    jsonschema.validate(sarif, SCHEMA)
    return sarif["runs"][0]


def test_sarif_paths_are_relative_uri_encoded_under_srcroot(tmp_path: Path) -> None:
    (tmp_path / "my stacks").mkdir()
    shutil.copy(BAD, tmp_path / "my stacks" / "ml #1.yaml")
    for typed in ("my stacks", "./my stacks", str(tmp_path / "my stacks")):
        run = _sarif(typed, cwd=tmp_path)
        assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": tmp_path.as_uri() + "/"}}
        location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": "my%20stacks/ml%20%231.yaml", "uriBaseId": "SRCROOT"}


def test_sarif_fingerprints_survive_unrelated_edits(tmp_path: Path) -> None:
    template = tmp_path / "ml.yaml"
    shutil.copy(BAD, template)
    before = _sarif("ml.yaml", cwd=tmp_path)["results"]
    template.write_text("# a comment\n# and another\n" + BAD.read_text())
    after = _sarif("ml.yaml", cwd=tmp_path)["results"]
    line = lambda r: r["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
    assert [line(r) + 2 for r in before] == [line(r) for r in after]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    fingerprints = [
        r["partialFingerprints"]["clarifyVpcLint/v1"]
        for r in _sarif(str(ROOT / "tests/fixtures/rules"), cwd=ROOT)["results"]
    ]
    assert len(set(fingerprints)) == len(fingerprints)


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "ml.yaml")
    (tmp_path / "broken.yaml").write_text("Resources: [\n")
    completed = run_cli(
        "./ml.yaml", "broken.yaml", "--select", "CVL201", "--format", "gitlab", cwd=tmp_path
    )
    assert completed.returncode == 2
    issues = json.loads(completed.stdout)
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in issues] == [
        ("input-error", "blocker", "broken.yaml"),
        ("CVL201", "major", "ml.yaml"),
    ]
    finding = issues[1]
    assert set(finding) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert finding["location"]["lines"]["begin"] == MODEL_LINE
    assert finding["description"].startswith("CVL201 Model: ")
    assert len({i["fingerprint"] for i in issues}) == 2


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def test_action_yaml_is_a_composite_action_with_the_inputs_users_set() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"paths", "config", "fail-on", "baseline"} <= set(action["inputs"])
    uses = [step.get("uses", "") for step in action["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"


def _expand(value: str, inputs: dict) -> str:
    """A step's ``${{ }}`` expression as GitHub evaluates it, for the ones the action uses."""
    for name, given in inputs.items():
        value = value.replace("${{ inputs." + name + " }}", given)
    value = value.replace("${{ github.action_path }}", str(ROOT))
    assert "${{" not in value, value
    return value


def run_action_steps(workspace: Path, tmp_path: Path, given: dict) -> tuple:
    """The action's shell steps, as GitHub runs them, with the package already installed here:
    each step's outcome (id, exit status, output) and the SARIF report it wrote."""
    action = _action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update(given)
    output = tmp_path / "github_output"
    output.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    guard = ROOT / "tests" / "offline_guard"
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        PYTHONPATH=os.pathsep.join([str(guard), str(ROOT / "src")]),
        GITHUB_OUTPUT=str(output),
        RUNNER_TEMP=str(tmp_path),
        CLARIFY_VPC_LINT_SKIP_INSTALL="1",  # the install step honours it: no network in tests
    )
    outcomes = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        step_env = {
            name: _expand(str(value), inputs) for name, value in step.get("env", {}).items()
        }
        assert "${{" not in step["run"], step["run"]  # expressions go through env, not the script
        completed = subprocess.run(  # as GitHub runs `shell: bash`
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        outcomes.append((step.get("id"), completed.returncode, completed.stdout))
    sarif_path = Path(dict(line.split("=", 1) for line in output.read_text().splitlines())["sarif"])
    return outcomes, json.loads(sarif_path.read_text())


def test_action_steps_run_with_a_local_shell(tmp_path: Path) -> None:
    """The action's shell steps, as GitHub runs them, with the package already installed here."""
    workspace = tmp_path / "repo"
    (workspace / "stacks").mkdir(parents=True)
    shutil.copy(BAD, workspace / "stacks" / "ml.yaml")
    outcomes, sarif = run_action_steps(workspace, tmp_path, {"paths": "stacks"})
    jsonschema.validate(sarif, SCHEMA)
    assert "CVL201" in [r["ruleId"] for r in sarif["runs"][0]["results"]]
    annotations = next(out for _, _, out in outcomes if "::error file=" in out)
    assert f"::error file=stacks/ml.yaml,line={MODEL_LINE}," in annotations
    assert outcomes[-1][1] == 1  # the last step fails the job on an error finding (fail-on)
    assert all(code == 0 for _, code, _ in outcomes[:-1]), outcomes


def test_action_passes_inventories_and_terraform_variables(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    shutil.copytree(FIXTURES / "hosts" / "inventory-vpc", workspace)
    (workspace / ".clarify-vpc-lint.yaml").unlink()  # the inventory comes from the input
    given = {"paths": "stack.yaml", "context": "inventory", "vars": "env=prod\nteam=ml"}
    outcomes, sarif = run_action_steps(workspace, tmp_path, given)
    assert "CVL303" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert outcomes[-1][1] == 1


def test_action_hides_the_findings_of_its_baseline_input(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    (workspace / "stacks").mkdir(parents=True)
    shutil.copy(BAD, workspace / "stacks" / "ml.yaml")
    written = run_cli("stacks", "--write-baseline", "baseline.json", cwd=workspace)
    assert written.returncode == 0, written.stderr
    outcomes, sarif = run_action_steps(
        workspace, tmp_path, {"paths": "stacks", "baseline": "baseline.json"}
    )
    assert sarif["runs"][0]["results"] == [] and outcomes[-1][1] == 0
    assert not [out for _, _, out in outcomes if "::error file=" in out]
    # a finding added since is reported, and fails the job
    shutil.copy(FIXTURES / "rules/CVL101/bad.yaml", workspace / "stacks" / "new.yaml")
    outcomes, sarif = run_action_steps(
        workspace, tmp_path, {"paths": "stacks", "baseline": "baseline.json"}
    )
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
             for r in sarif["runs"][0]["results"]}  # fmt: skip
    assert ("CVL101", "stacks/new.yaml") in found and "CVL201" not in {r for r, _ in found}
    assert outcomes[-1][1] == 1


def test_action_never_fails_for_code_scanning_and_always_reports_the_findings() -> None:
    """Issue 24: an upload that fails (a fork, code scanning off) failed the job whatever the
    findings, and the step that gives the linter's status did not run after it."""
    steps = {step.get("name"): step for step in _action()["runs"]["steps"]}
    upload = steps["Upload SARIF to code scanning"]
    assert upload["continue-on-error"] is True
    assert "fork != true" in upload["if"]
    assert steps["Fail on findings"]["if"].startswith("always()")


def test_github_annotations_name_files_from_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    shutil.copy(BAD, tmp_path / "stacks" / "ml.yaml")
    for typed in ("./stacks", str(tmp_path / "stacks")):
        lines = run_cli(typed, "--select", "CVL201", "--format", "github", cwd=tmp_path)
        lines = lines.stdout.splitlines()
        assert lines[0].startswith(f"::error file=stacks/ml.yaml,line={MODEL_LINE},"), typed
