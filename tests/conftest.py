"""Shared helpers: run the linter in-process or as a subprocess, with the network blocked."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def fixture_module(name: str) -> ModuleType:
    """A module of tests/fixtures (``cases``: what a fixture case is; ``generate``: the patches)."""
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS = ROOT.parent / "shared" / "corpus"


class NetworkUsed(AssertionError):
    pass


def _refuse(*args, **kwargs):
    raise NetworkUsed(f"network access attempted: {args[:2]}")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Every test runs with sockets blocked and no AWS variables: the linter is offline."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The CLI in a fresh process, with AWS variables removed and a socket guard installed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    guard = ROOT / "tests" / "offline_guard"
    env["PYTHONPATH"] = os.pathsep.join([str(guard), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "clarify_vpc_lint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_json(*args: str, cwd: Path = ROOT) -> dict:
    completed = run_cli(*args, "--format", "json", cwd=cwd)
    assert "Traceback" not in completed.stderr, completed.stderr
    return json.loads(completed.stdout)


def rules_of(report: dict) -> List[str]:
    return [finding["rule"] for finding in report["findings"]]


def line_of(path: str, line: str) -> int:
    """The number of the first line of ``path`` (relative to the repository) that reads ``line``."""
    return (ROOT / path).read_text().splitlines().index(line) + 1


def rule_templates() -> List[Path]:
    """The rule fixtures written as single CloudFormation files (not their patches or listings)."""
    return sorted(
        p
        for p in FIXTURES.glob("rules/*/*.yaml")
        if not p.name.endswith(".patch.yaml") and p.name != "expected-lines.yaml"
    )
