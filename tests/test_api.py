"""The Python API: findings come back, and input errors reach the caller instead of vanishing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from clarify_vpc_lint import InputErrors, lint
from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, run


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


def test_select_checks_only_the_rules_named() -> None:
    """A rule's tests run it alone, so another rule firing on the same input disturbs nothing."""
    declared = str(FIXTURES / "config/declared")
    config = load_config(FIXTURES / "config/declared/clarify-vpc-lint.yaml")
    every = run(Options(paths=[declared], config=config)).findings
    assert len({f.rule for f in every}) > 2  # the input makes several rules fire
    for rule in sorted({f.rule for f in every}):
        selected = run(Options(paths=[declared], config=config, select=(rule,))).findings
        assert selected == [f for f in every if f.rule == rule]
    both = run(Options(paths=[declared], config=config, select=("CVL101", "CVL401")))
    assert {f.rule for f in both.findings} == {"CVL101", "CVL401"}
    ignored = Options(paths=[declared], config=config, select=("CVL101",), ignore=("CVL101",))
    assert run(ignored).findings == []


def test_select_in_lint() -> None:
    findings = lint([str(FIXTURES / "python/boto3_request.py")], select=["CVL201"])
    assert findings and {f.rule for f in findings} == {"CVL201"}


def test_a_misspelt_selection_is_refused() -> None:
    with pytest.raises(ValueError, match="no rule CVL9999"):
        run(Options(paths=[str(FIXTURES / "cli")], select=("CVL201", "CVL9999")))
