"""Environments in one repository: dev/ and prod/ copies of one project are judged on their own.

Issue 24: a repository with two copies of the same stacks (same export names) made every fact
ambiguous, so deleting a subnet's second zone in prod gave only `info` and exit 0. Each environment
is now a project of its own, found from the names they both define or listed in the config file.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import List, Tuple

import pytest
from conftest import FIXTURES, run_json

STACKS = FIXTURES / "multi" / "export-import"  # a network stack exporting subnets, an ML stack


def make_environments(root: Path) -> None:
    """dev/ with the model's subnets in one zone (CVL201), prod/ with them in two zones."""
    for environment in ("dev", "prod"):
        shutil.copytree(STACKS, root / "envs" / environment)
    network = root / "envs" / "prod" / "network.yaml"
    text, zone_a = network.read_text(), 'AvailabilityZone: !Sub "${AWS::Region}a"'
    second = text.rindex(zone_a)
    network.write_text(text[:second] + zone_a[:-2] + 'b"' + text[second + len(zone_a) :])


def findings(report: dict) -> List[Tuple[str, str, str]]:
    return sorted((f["rule"], f["severity"], f["file"]) for f in report["findings"])


def test_copies_of_one_project_are_judged_apart(tmp_path: Path) -> None:
    make_environments(tmp_path)
    report = run_json("envs", "--format", "json", cwd=tmp_path)
    assert findings(report) == [("CVL201", "error", "envs/dev/ml.yaml")]
    assert report["errors"] == []


def test_a_break_in_one_copy_fails_the_run(tmp_path: Path) -> None:
    make_environments(tmp_path)
    from conftest import run_cli

    assert run_cli("envs", cwd=tmp_path).returncode == 1


def test_shared_files_belong_to_each_environment(tmp_path: Path) -> None:
    """An ML stack outside the environment folders imports from each environment's network."""
    make_environments(tmp_path)
    shutil.move(str(tmp_path / "envs" / "dev" / "ml.yaml"), tmp_path / "ml.yaml")
    (tmp_path / "envs" / "prod" / "ml.yaml").unlink()
    report = run_json("envs", "ml.yaml", "--format", "json", cwd=tmp_path)
    # judged against dev's network (one zone) and against prod's (two): dev's finding stands
    assert [(r, s, f) for r, s, f in findings(report) if s != "info"] == [
        ("CVL201", "error", "ml.yaml")
    ]


def test_configured_projects_take_their_own_context(tmp_path: Path) -> None:
    make_environments(tmp_path)
    (tmp_path / ".clarify-vpc-lint.yaml").write_text(
        "projects:\n  - {name: prod, paths: [envs/prod]}\n  - {name: dev, paths: [envs/dev]}\n"
    )
    report = run_json("--format", "json", cwd=tmp_path)
    assert findings(report) == [("CVL201", "error", "envs/dev/ml.yaml")]
    only_prod = run_json("envs/prod", "--format", "json", cwd=tmp_path)
    assert findings(only_prod) == []


def test_a_malformed_project_is_one_line_naming_it(tmp_path: Path) -> None:
    from conftest import run_cli

    (tmp_path / ".clarify-vpc-lint.yaml").write_text("projects:\n  - {name: prod}\n")
    completed = run_cli(".", cwd=tmp_path)
    assert completed.returncode == 2
    assert "projects[0]" in completed.stderr and "Traceback" not in completed.stderr


# Issue 24's case as a team meets it: dev/ and prod/ copies of the two stacks (the ML stack relies
# on the network stack's exports), and prod's sagemaker.runtime endpoint deleted. Before, the
# copies made every fact ambiguous: 26 infos, exit 0, the hook "Passed", the Action green.
TWO_STACKS = FIXTURES / "hosts" / "two-stacks"


def two_environments_without_prod_runtime_endpoint(root: Path) -> None:
    for environment in ("dev", "prod"):
        shutil.copytree(TWO_STACKS, root / environment)
    network = root / "prod" / "network.yaml"
    text = network.read_text()
    start = text.index("  SageMakerRuntimeEndpoint:\n")
    end = text.index("  LogsEndpoint:\n")
    network.write_text(text[:start] + text[end:])


def test_the_cli_fails_on_the_broken_environment(tmp_path: Path) -> None:
    two_environments_without_prod_runtime_endpoint(tmp_path)
    report = run_json(".", "--format", "json", cwd=tmp_path)
    errors = [(r, f) for r, s, f in findings(report) if s == "error"]
    assert errors == [("CVL303", "./prod/network.yaml")]


def test_the_action_fails_on_the_broken_environment(tmp_path: Path) -> None:
    from test_ci import run_action_steps

    workspace = tmp_path / "repo"
    two_environments_without_prod_runtime_endpoint(workspace)
    outcomes, sarif = run_action_steps(workspace, tmp_path, {"paths": "."})
    assert {r["ruleId"] for r in sarif["runs"][0]["results"] if r["level"] == "error"} == {"CVL303"}
    assert outcomes[-1][1] == 1  # the job fails


@pytest.mark.slow
def test_real_pre_commit_fails_on_the_broken_environment(tmp_path: Path) -> None:
    from test_precommit import GIT, ROOT, _env, _run

    repo = tmp_path / "infra"
    repo.mkdir()
    for environment in ("dev", "prod"):
        shutil.copytree(TWO_STACKS, repo / environment)
    env = _env(tmp_path)
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "two environments"]):
        assert _run([*GIT, *command], repo, env).returncode == 0
    two_environments_without_prod_runtime_endpoint(tmp_path / "scratch")
    shutil.copy(tmp_path / "scratch" / "prod" / "network.yaml", repo / "prod" / "network.yaml")
    assert _run([*GIT, "add", "prod/network.yaml"], repo, env).returncode == 0
    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "clarify-vpc-lint"]
    failed = _run(try_repo, repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "CVL303" in failed.stdout and "prod/network.yaml" in failed.stdout
