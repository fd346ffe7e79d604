"""The pre-commit hook, run by real pre-commit through `pre-commit try-repo` on a scratch repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, line_of

pytestmark = pytest.mark.slow  # runs real pre-commit


def _run(args, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_hook_fails_on_a_broken_template_and_passes_once_fixed(tmp_path: Path) -> None:
    repo = tmp_path / "infra"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "cache")
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    _run(["git", "init", "-q"], repo, env)
    template = repo / "stacks" / "ml.yaml"
    template.parent.mkdir()
    shutil.copy(FIXTURES / "cli" / "one-error.yaml", template)
    (repo / "README.md").write_text("not linted\n")
    _run(git + ["add", "."], repo, env)
    _run(git + ["commit", "-qm", "broken"], repo, env)
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
    _run(git + ["commit", "-qam", "fixed"], repo, env)
    passed = _run(try_repo, repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
