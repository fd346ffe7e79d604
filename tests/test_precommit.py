"""The pre-commit hook: staged files judged in the context of the whole project.

The in-process tests call the hook's entry point in a scratch git repository, as pre-commit does
(from the repository root, with the staged file names); one test runs real pre-commit through
`pre-commit try-repo`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from conftest import FIXTURES, ROOT, line_of

from clarify_vpc_lint import precommit
from clarify_vpc_lint.readers import MAX_PLAN_BYTES

TWO_STACKS = FIXTURES / "hosts" / "two-stacks"
GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "cache")
    return env


def _run(args, cwd: Path, env: dict = None) -> subprocess.CompletedProcess:
    completed = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    return completed


def _git(repo: Path, *args: str) -> None:
    completed = _run([*GIT, *args], repo)
    assert completed.returncode == 0, completed.stderr


def _project(tmp_path: Path) -> Path:
    """A repository with the two stacks committed: the ML stack relies on the network stack."""
    repo = tmp_path / "infra"
    (repo / "stacks").mkdir(parents=True)
    for name in ("network.yaml", "ml.yaml"):
        shutil.copy(TWO_STACKS / name, repo / "stacks" / name)
    (repo / "README.md").write_text("not linted\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "two stacks")
    return repo


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text()
    changed = re.sub(pattern, replacement, text, flags=re.MULTILINE)
    assert changed != text
    path.write_text(changed)


def _without_runtime_endpoint(network: Path) -> None:
    _edit(network, r"^  SageMakerRuntimeEndpoint:\n(    .*\n)+", "")


def _hook(repo: Path, staged: List[str], capsys, monkeypatch) -> tuple:
    monkeypatch.chdir(repo)
    code = precommit.main(staged)
    out = capsys.readouterr().out
    assert Path.cwd() == repo  # the hook leaves the working directory as it found it
    return code, out


def test_deleting_an_endpoint_the_unstaged_ml_stack_relies_on_fails(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    repo = _project(tmp_path)
    _without_runtime_endpoint(repo / "stacks/network.yaml")
    _git(repo, "add", "stacks/network.yaml")
    code, out = _hook(repo, ["stacks/network.yaml"], capsys, monkeypatch)
    assert code == 1, out
    assert "CVL303" in out and "stacks/network.yaml" in out


def test_a_finding_on_an_unstaged_file_caused_by_the_staged_one_fails(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    repo = _project(tmp_path)
    # both subnets now in the first AZ: the model in the (unstaged) ML stack is single-AZ
    _edit(repo / "stacks/network.yaml", r"!Select \[1, !GetAZs ''\]", "!Select [0, !GetAZs '']")
    _git(repo, "add", "stacks/network.yaml")
    code, out = _hook(repo, ["stacks/network.yaml"], capsys, monkeypatch)
    assert code == 1, out
    assert re.search(r"^stacks/ml\.yaml:\d+:\d+: error CVL201", out, re.MULTILINE), out


def test_pre_existing_findings_in_untouched_files_do_not_block(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    repo = _project(tmp_path)
    # the findings this test is about are errors: a warning a rule gives the stacks is not
    (repo / ".clarify-vpc-lint.yaml").write_text("fail-on: error\n")
    shutil.copy(FIXTURES / "cli/one-error.yaml", repo / "legacy.yaml")
    _git(repo, "add", "legacy.yaml", ".clarify-vpc-lint.yaml")
    _git(repo, "commit", "-qm", "an old broken stack")
    _edit(repo / "stacks/network.yaml", r"^# Network stack", "# The network stack")
    _git(repo, "add", "stacks/network.yaml")
    code, out = _hook(repo, ["stacks/network.yaml"], capsys, monkeypatch)
    assert code == 0, out
    assert "CVL201" not in out and re.search(r"\b\d+ finding", out)  # said, not shown
    # staging the broken file itself shows its findings and blocks
    _edit(repo / "legacy.yaml", r"\A", "# touched\n")
    _git(repo, "add", "legacy.yaml")
    code, out = _hook(repo, ["legacy.yaml"], capsys, monkeypatch)
    assert code == 1 and "legacy.yaml" in out and "CVL201" in out


def test_the_staged_version_is_judged_not_the_working_tree(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    repo = _project(tmp_path)
    network = repo / "stacks/network.yaml"
    _without_runtime_endpoint(network)
    _git(repo, "add", "stacks/network.yaml")
    shutil.copy(TWO_STACKS / "network.yaml", network)  # fixed in the work tree, not staged
    code, out = _hook(repo, ["stacks/network.yaml"], capsys, monkeypatch)
    assert code == 1 and "CVL303" in out


def test_a_broken_staged_file_is_an_input_error(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = _project(tmp_path)
    (repo / "stacks/network.yaml").write_text("Resources: [\n")
    _git(repo, "add", "stacks/network.yaml")
    code, out = _hook(repo, ["stacks/network.yaml"], capsys, monkeypatch)
    assert code == 2
    assert "stacks/network.yaml:" in out and "Traceback" not in out


def test_a_staged_file_larger_than_any_input_is_refused_unread(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """A staged file past the largest input a reader takes (a plan's 128 MiB) is one input
    error, found by its size: the hook never holds its bytes."""
    repo = _project(tmp_path)
    with open(repo / "stacks" / "huge.yaml", "wb") as handle:
        handle.truncate(MAX_PLAN_BYTES + 1)
    _git(repo, "add", "stacks/huge.yaml")
    read: List[int] = []
    real_git = precommit._git

    def recording(*args: str, stdin=None):
        code, out = real_git(*args, stdin=stdin)
        if args[:2] == ("cat-file", "--batch"):
            read.append(len(out))
        return code, out

    monkeypatch.setattr(precommit, "_git", recording)
    code, out = _hook(repo, ["stacks/huge.yaml"], capsys, monkeypatch)
    assert code == 2
    assert "stacks/huge.yaml" in out and "larger than" in out and "Traceback" not in out
    assert read and max(read) < 2**20  # the two stacks, never the huge file


def test_the_first_commit_judges_everything(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = tmp_path / "new"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copy(FIXTURES / "cli/one-error.yaml", repo / "model.yaml")
    _git(repo, "add", "model.yaml")
    code, out = _hook(repo, ["model.yaml"], capsys, monkeypatch)
    assert code == 1 and "CVL201" in out


def test_an_untracked_inventory_named_in_the_config_is_read(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    repo = tmp_path / "infra"
    shutil.copytree(FIXTURES / "hosts/inventory-vpc", repo)  # config: context: [inventory]
    _git(repo, "init", "-q")
    _git(repo, "add", ".clarify-vpc-lint.yaml", "stack.yaml")  # the inventory stays untracked
    # without the inventory the VPC's endpoints are unknown (info); with it, CVL303 is an error
    code, out = _hook(repo, ["stack.yaml"], capsys, monkeypatch)
    assert code == 1 and "error CVL303" in out, out


@pytest.mark.slow
def test_real_pre_commit_blocks_a_change_that_breaks_another_stack(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    env = _env(tmp_path)
    _without_runtime_endpoint(repo / "stacks/network.yaml")
    _git(repo, "add", "stacks/network.yaml")
    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "clarify-vpc-lint"]
    failed = _run(try_repo, repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "CVL303" in failed.stdout and "stacks/network.yaml" in failed.stdout


@pytest.mark.slow
def test_hook_fails_on_a_broken_template_and_passes_once_fixed(tmp_path: Path) -> None:
    repo = tmp_path / "infra"
    repo.mkdir()
    env = _env(tmp_path)
    _run(["git", "init", "-q"], repo, env)
    template = repo / "stacks" / "ml.yaml"
    template.parent.mkdir()
    shutil.copy(FIXTURES / "cli" / "one-error.yaml", template)
    (repo / "README.md").write_text("not linted\n")
    # what breaks and is fixed here is an error: a warning a rule gives the network is not
    (repo / ".clarify-vpc-lint.yaml").write_text("fail-on: error\n")
    _run(GIT + ["add", "."], repo, env)
    _run(GIT + ["commit", "-qm", "broken"], repo, env)
    try_repo = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(ROOT),
        "clarify-vpc-lint",
        "--all-files",
    ]

    failed = _run(try_repo, repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    model_line = line_of("tests/fixtures/cli/one-error.yaml", "  Model:")
    assert "CVL201" in failed.stdout and f"stacks/ml.yaml:{model_line}:3" in failed.stdout

    shutil.copy(FIXTURES / "good" / "private-clarify-vpc.yaml", template)
    _run(GIT + ["commit", "-qam", "fixed"], repo, env)
    passed = _run(try_repo, repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def _endpoint_in_its_own_stack(repo: Path) -> None:
    """The sagemaker.runtime endpoint moved from the network stack into a stack of its own."""
    network = repo / "stacks/network.yaml"
    text = network.read_text()
    block = re.search(r"^  SageMakerRuntimeEndpoint:\n(    .*\n)+", text, re.MULTILINE).group(0)
    network.write_text(
        text.replace(block, "")
        + "  Vpc:\n    Value: !Ref Vpc\n    Export: {Name: ml-network-vpc}\n"
        + "  EndpointSecurityGroup:\n    Value: !Ref EndpointSecurityGroup\n"
        + "    Export: {Name: ml-network-endpoint-sg}\n"
    )
    block = (
        block.replace("VpcId: !Ref Vpc", "VpcId: !ImportValue ml-network-vpc")
        .replace(
            "SubnetIds: [!Ref SubnetA, !Ref SubnetB]",
            'SubnetIds: !Split [",", !ImportValue ml-network-subnets]',
        )
        .replace(
            "SecurityGroupIds: [!Ref EndpointSecurityGroup]",
            "SecurityGroupIds: [!ImportValue ml-network-endpoint-sg]",
        )
    )
    (repo / "stacks/runtime-endpoint.yaml").write_text("Resources:\n" + block)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "the runtime endpoint in a stack of its own")


@pytest.mark.slow
def test_real_pre_commit_blocks_deleting_a_stack_another_relies_on(tmp_path: Path) -> None:
    """Issue 24: `git rm` of a whole stack was skipped as "(no files to check)"."""
    repo = _project(tmp_path)
    _endpoint_in_its_own_stack(repo)
    env = _env(tmp_path)
    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "clarify-vpc-lint"]
    _git(repo, "rm", "-q", "stacks/runtime-endpoint.yaml")
    failed = _run(try_repo, repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "CVL303" in failed.stdout and "stacks/network.yaml" in failed.stdout
    # a commit that touches nothing of the project passes at once
    _git(repo, "reset", "-q", "--hard")
    (repo / "README.md").write_text("still not linted\n")
    _git(repo, "add", "README.md")
    passed = _run(try_repo, repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_hook_honours_the_config_exclude(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = _project(tmp_path)
    (repo / "legacy").mkdir()
    shutil.copy(FIXTURES / "cli/one-error.yaml", repo / "legacy" / "old.yaml")
    (repo / ".clarify-vpc-lint.yaml").write_text("exclude: [legacy/]\n")
    _git(repo, "add", ".")
    _without_runtime_endpoint(repo / "stacks/network.yaml")
    _git(repo, "add", "stacks/network.yaml")
    code, out = _hook(repo, ["stacks/network.yaml"], capsys, monkeypatch)
    assert code == 1 and "CVL303" in out
    assert "legacy" not in out and "CVL201" not in out


def test_the_hook_takes_inventories_and_says_what_it_checked(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    repo = tmp_path / "infra"
    shutil.copytree(FIXTURES / "hosts/inventory-vpc", repo)
    (repo / ".clarify-vpc-lint.yaml").unlink()  # the inventory comes from the hook's arguments
    inventory = next(p.name for p in repo.iterdir() if p.is_dir())
    _git(repo, "init", "-q")
    _git(repo, "add", "stack.yaml")
    monkeypatch.chdir(repo)
    code = precommit.main(["--context", inventory, "stack.yaml"])
    out = capsys.readouterr().out
    assert code == 1 and "error CVL303" in out, out
    assert "nothing was checked" not in out


def test_a_bad_config_names_its_file(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = _project(tmp_path)
    (repo / ".clarify-vpc-lint.yaml").write_text("fail-on: [warning]\n")
    code, out = _hook(repo, ["stacks/network.yaml"], capsys, monkeypatch)
    assert code == 2 and ".clarify-vpc-lint.yaml" in out and "Traceback" not in out


def test_a_baseline_written_by_the_cli_hides_its_findings_in_the_hook(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    repo = tmp_path / "new"
    (repo / "stacks").mkdir(parents=True)
    _git(repo, "init", "-q")
    shutil.copy(FIXTURES / "cli/one-error.yaml", repo / "stacks" / "model.yaml")
    _git(repo, "add", "stacks/model.yaml")
    monkeypatch.chdir(repo / "stacks")  # written from a subfolder: paths are the baseline's own
    completed = subprocess.run(
        [sys.executable, "-m", "clarify_vpc_lint", "model.yaml", "--write-baseline",
         "../baseline.json"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    code, out = _hook(
        repo, ["stacks/model.yaml", "--baseline", "baseline.json"], capsys, monkeypatch
    )
    assert code == 0 and "1 baselined" in out and "CVL201" not in out
    code, out = _hook(repo, ["stacks/model.yaml"], capsys, monkeypatch)
    assert code == 1 and "CVL201" in out
    # a finding the baseline does not hold still blocks the commit
    shutil.copy(FIXTURES / "rules/CVL101/bad.yaml", repo / "stacks" / "new.yaml")
    _git(repo, "add", "stacks/new.yaml")
    code, out = _hook(repo, ["stacks/new.yaml", "--baseline", "baseline.json"], capsys, monkeypatch)
    assert code == 1 and "CVL101" in out and "CVL201" not in out, out
