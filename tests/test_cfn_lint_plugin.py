"""The cfn-lint plugin, run by real cfn-lint: the same findings as the CLI, rule by rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List, Set, Tuple

import pytest
from conftest import FIXTURES, ROOT, rule_templates

from clarify_vpc_lint.catalogue import load_rules, rules_by_id
from clarify_vpc_lint.linter import Options, run

pytestmark = pytest.mark.slow  # runs real cfn-lint
CFN_LINT = str(Path(sys.executable).with_name("cfn-lint"))  # the extra's console script
TEMPLATES = sorted(
    p.relative_to(ROOT)
    for p in [
        *rule_templates(),
        *FIXTURES.glob("good/*.yaml"),
        *FIXTURES.glob("multi/*/*.yaml"),
    ]
)


def cfn_lint(*args: str, cwd: Path = ROOT) -> List[dict]:
    completed = subprocess.run(
        [CFN_LINT, "--format", "json", "--include-checks=I", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode in (0, 2, 4, 6, 8, 10, 12, 14), completed.stderr
    return json.loads(completed.stdout)


def ours(matches: List[dict]) -> Set[Tuple[str, str, int, int]]:
    return {
        (
            m["Filename"],
            m["Rule"]["Id"],
            m["Location"]["Start"]["LineNumber"],
            m["Location"]["Start"]["ColumnNumber"],
        )
        for m in matches
        if m["Rule"]["Id"][1] == "9" and len(m["Rule"]["Id"]) == 5
    }


def cli_ids(path: Path) -> Set[Tuple[str, str, int, int]]:
    result = run(Options(paths=[str(path)]))
    rules = rules_by_id()
    return {
        (
            f.file,
            "I9" + f.rule[3:] if f.severity == "info" else rules[f.rule].cfn_lint_id,
            f.line,
            f.column,
        )
        for f in result.findings
    }


def test_every_template_gives_the_cli_findings() -> None:
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--", *map(str, TEMPLATES))
    expected = set().union(*(cli_ids(t) for t in TEMPLATES))
    assert ours(matches) == expected
    # every rule with a CloudFormation bad fixture among the templates is seen
    assert {rule for _, rule, _, _ in expected} >= {
        rule.cfn_lint_id
        for rule in load_rules()
        if any(t.parent.name == rule.id and t.name.startswith("bad") for t in TEMPLATES)
    }


def test_cfnlintrc_metadata_ignore_checks_regions_and_configure_rule(tmp_path: Path) -> None:
    template = tmp_path / "model.yaml"
    template.write_text((FIXTURES / "multi/inventory/model.yaml").read_text())
    (tmp_path / ".cfnlintrc").write_text("append_rules:\n  - clarify_vpc_lint.cfn_lint\n")
    # without the inventory the subnets' AZs are unknown: I9201
    assert {m["Rule"]["Id"] for m in cfn_lint("model.yaml", cwd=tmp_path)} >= {"I9201"}
    # the inventory through --configure-rule decides it: E9201
    inventory = FIXTURES / "multi/inventory/subnets.json"
    configured = cfn_lint(
        "--configure-rule", f"E9201:context={inventory}", "--", "model.yaml", cwd=tmp_path
    )
    assert "E9201" in {m["Rule"]["Id"] for m in configured}
    # --ignore-checks and the template's own cfn-lint metadata
    ignored = cfn_lint(
        "--configure-rule",
        f"E9201:context={inventory}",
        "--ignore-checks",
        "E9201",
        "--",
        "model.yaml",
        cwd=tmp_path,
    )
    assert "E9201" not in {m["Rule"]["Id"] for m in ignored}
    template.write_text(template.read_text().replace(
        "    Type: AWS::SageMaker::Model\n",
        "    Type: AWS::SageMaker::Model\n    Metadata: {cfn-lint: {config: {ignore_checks: [E9201, I9201, I9301]}}}\n",
    ))  # fmt: skip
    assert not {m["Rule"]["Id"] for m in cfn_lint("model.yaml", cwd=tmp_path)} & {"E9201", "I9201"}


def test_regions_set_the_region() -> None:
    matches = cfn_lint("--append-rules=clarify_vpc_lint.cfn_lint", "--regions", "eu-west-1", "--",
                       "tests/fixtures/cli/one-error.yaml")  # fmt: skip
    message = next(m["Message"] for m in matches if m["Rule"]["Id"] == "E9201")
    assert "eu-west-1 (zone 0" in message
