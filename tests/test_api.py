"""The Python API: findings come back, and input errors reach the caller instead of vanishing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from clarify_vpc_lint import InputErrors, lint


def test_findings_of_a_template() -> None:
    findings = lint([str(FIXTURES / "rules/CVL201/bad.yaml")])
    assert "CVL201" in {f.rule for f in findings}


def test_a_missing_path_raises_with_the_error() -> None:
    with pytest.raises(InputErrors) as raised:
        lint(["nosuch/"])
    assert [(e.file, e.message) for e in raised.value.errors] == [
        ("nosuch/", "no such file or directory")
    ]
    assert "nosuch/" in str(raised.value)


def test_the_other_files_findings_travel_with_the_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources: [\n")
    with pytest.raises(InputErrors) as raised:
        lint([str(FIXTURES / "rules/CVL201/bad.yaml"), str(broken)])
    assert [e.file for e in raised.value.errors] == [str(broken)]
    assert "CVL201" in {f.rule for f in raised.value.findings}
