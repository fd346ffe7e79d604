"""The fact registry: a query may name only registered facts, and the docs list what each reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from clarify_vpc_lint.catalogue import (
    CatalogueError,
    explain,
    load_rule_file,
    load_rules,
    rules_dir,
)
from clarify_vpc_lint.facts import FACTS


def _rule_file_with_query(tmp_path: Path, rule_id: str, old: str, new: str) -> Path:
    text = (rules_dir() / f"{rule_id}.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{rule_id}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_misspelt_fact_is_a_load_error_naming_file_and_fact(tmp_path: Path) -> None:
    path = _rule_file_with_query(tmp_path, "CVL101", "network_isolation]", "network_isolaton]")
    with pytest.raises(CatalogueError) as error:
        load_rule_file(path)
    message = str(error.value)
    assert str(path) in message
    assert "network_isolaton" in message
    assert "not a registered fact of jobs" in message


def test_misspelt_fact_of_related_subject_is_a_load_error(tmp_path: Path) -> None:
    path = _rule_file_with_query(tmp_path, "CVL304", "vpc.no_internet", "vpc.no_internt")
    with pytest.raises(CatalogueError, match=r"vpc\.no_internt"):
        load_rule_file(path)


def test_query_of_another_shape_is_refused(tmp_path: Path) -> None:
    path = _rule_file_with_query(tmp_path, "CVL102", '"jobs[?!in_vpc]"', '"jobs[0]"')
    with pytest.raises(CatalogueError, match=r"jobs\[\?condition\]"):
        load_rule_file(path)


@pytest.mark.parametrize("rule", load_rules(), ids=lambda rule: rule.id)
def test_every_rule_reads_registered_facts_and_explains_them(rule) -> None:
    assert rule.facts and rule.facts <= set(FACTS[rule.subject])
    text = explain(rule)
    for name in rule.facts:
        assert f"- `{name}`: {FACTS[rule.subject][name].meaning}" in text


def test_remediation_repeating_the_api_fallback_is_refused(tmp_path: Path) -> None:
    text = (rules_dir() / "CVL102.yaml").read_text(encoding="utf-8")
    api = load_rules()[[r.id for r in load_rules()].index("CVL102")].remediation["api"]
    block = "\n".join("    " + line for line in api.splitlines())
    path = tmp_path / "CVL102.yaml"
    path.write_text(text.replace("remediation:\n", f"remediation:\n  inventory: |\n{block}\n", 1))
    with pytest.raises(CatalogueError, match="repeats the `api` fallback"):
        load_rule_file(path)


def test_remediation_case_that_no_subject_sets_is_refused(tmp_path: Path) -> None:
    """``cloudformation/<case>`` only for the cases subjects choose (names.VARIANTS)."""
    text = (rules_dir() / "CVL201.yaml").read_text(encoding="utf-8")
    path = tmp_path / "CVL201.yaml"
    path.write_text(text.replace("cloudformation/exports:", "cloudformation/exported:", 1))
    with pytest.raises(CatalogueError, match="case 'exported' is not one of"):
        load_rule_file(path)
