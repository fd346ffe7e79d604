"""The rule catalogue is the one source of truth: well-formed, and the docs generated from it."""

from __future__ import annotations

from pathlib import Path

import jmespath
import pytest
from conftest import ROOT

from clarify_vpc_lint.catalogue import explain, load_rules, rules_dir
from clarify_vpc_lint.docs import render_index
from clarify_vpc_lint.facts import FACTS

RULES = load_rules()


def test_one_rule_per_file_in_id_order() -> None:
    files = sorted(p.stem for p in rules_dir().glob("*.yaml"))
    assert files == [rule.id for rule in RULES] and RULES


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule) -> None:
    assert rule.severity in ("error", "warning", "info")
    assert rule.cfn_lint_id == f"{rule.severity[0].upper()}9{rule.id[3:]}"
    assert rule.checkov_id == f"CKV_CVL_{rule.id[3:]}"
    assert rule.references and all(
        r.startswith("https://docs.aws.amazon.com/") for r in rule.references
    )
    assert rule.bad_example and rule.good_example and rule.rationale
    assert "api" in rule.remediation and "cloudformation" in rule.remediation


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_query_selects_its_subject_by_registered_facts(rule) -> None:
    parsed = jmespath.compile(rule.query).parsed
    assert parsed["type"] == "filter_projection"
    assert parsed["children"][0] == {"type": "field", "children": [], "value": rule.subject}
    assert rule.facts and set(rule.facts) <= set(FACTS[rule.subject])

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "subexpression":  # `!a.b` parses as `(!a).b`: write `!(a.b)`
                assert node["children"][0]["type"] != "not_expression", rule.query
            for child in node.get("children", []):
                walk(child)

    walk(parsed["children"][2])


def test_generated_docs_are_in_sync() -> None:
    docs = ROOT / "docs" / "rules"
    for rule in RULES:
        assert (docs / f"{rule.id}.md").read_text() == explain(rule), (
            f"docs/rules/{rule.id}.md is stale: run `python -m clarify_vpc_lint.docs`"
        )
    assert (docs / "README.md").read_text() == render_index()


def test_catalogue_ships_in_the_package_source_layout() -> None:
    assert rules_dir().resolve() in (
        ROOT / "rules",
        Path(__import__("clarify_vpc_lint").__file__).parent / "rules",
    )


def test_an_install_without_rule_files_fails_loudly(tmp_path, monkeypatch, capsys) -> None:
    """A broken package must exit 2 with one line, not lint with no rules and report nothing."""
    from clarify_vpc_lint import catalogue, cli, rulefiles

    monkeypatch.setattr(rulefiles, "rules_dir", lambda: tmp_path)
    catalogue.load_rules.cache_clear()
    try:
        (tmp_path / "template.yaml").write_text("Resources: {}\n")
        assert cli.main([str(tmp_path / "template.yaml")]) == 2
    finally:
        catalogue.load_rules.cache_clear()
    error = capsys.readouterr().err
    assert f"no rule files in {tmp_path}" in error and len(error.splitlines()) == 1
