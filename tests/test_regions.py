"""A finding's region (SARIF, cfn-lint, annotations, JSON ``region``): the property or argument
that is wrong where it is written, else the subject's key; never an empty range."""

from __future__ import annotations

from pathlib import Path
from typing import Tuple

from conftest import FIXTURES

from clarify_vpc_lint.linter import Options, run


def _region(path: Path, rule: str) -> Tuple[Tuple[int, int, int, int], str]:
    result = run(Options(paths=[str(path)]))
    (finding,) = [f for f in result.findings if f.rule == rule and f.severity != "info"]
    line, column, end_line, end_column = finding.region
    lines = path.read_text().splitlines() if path.is_file() else []
    shown = lines[line - 1][column - 1 : end_column - 1] if lines and line == end_line else ""
    return finding.region, shown


def test_cloudformation_property_that_is_wrong() -> None:
    region, shown = _region(FIXTURES / "rules" / "CVL101" / "bad.yaml", "CVL101")
    assert shown == "EnableNetworkIsolation: true"


def test_the_resource_key_when_something_is_missing() -> None:
    region, shown = _region(FIXTURES / "rules" / "CVL304" / "bad.yaml", "CVL304")
    assert shown == "SageMakerApiEndpoint"


def test_python_keyword_argument() -> None:
    path = FIXTURES / "python" / "isolation_network_config.py"
    region, shown = _region(path, "CVL101")
    assert shown == "enable_network_isolation=True"


def test_terraform_argument_inside_its_block() -> None:
    folder = FIXTURES / "tfroot" / "nested-modules"
    result = run(Options(paths=[str(folder)]))
    (finding,) = [f for f in result.findings if f.rule == "CVL201"]
    line, column, end_line, end_column = finding.region
    text = (folder / "main.tf").read_text().splitlines()[line - 1]
    assert line > finding.line and text[column - 1 : end_column - 1].startswith("subnets")
