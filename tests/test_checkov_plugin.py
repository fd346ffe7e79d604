"""The checkov plugin, run by real checkov: the same findings as the CLI, rule by rule."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
from conftest import FIXTURES, ROOT, rule_templates, run_cli

from clarify_vpc_lint.catalogue import load_rules, rules_by_id
from clarify_vpc_lint.linter import Options, run

pytestmark = pytest.mark.slow  # runs real checkov
CHECKOV = str(Path(sys.executable).with_name("checkov"))  # the extra's console script


@cache
def checks_dir() -> str:
    """Asked of the CLI when a test needs it, not while the fast suite collects this module."""
    return run_cli("--checkov-dir").stdout.strip()


def checkov(directory: Path, framework: str, *extra: str) -> List[dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BC_", "PRISMA_"))}
    completed = subprocess.run(
        [CHECKOV, "--skip-download", "--quiet", "--compact", "-o", "json", "--framework", framework,
         "--external-checks-dir", checks_dir(), "--check", "CKV_CVL_*", "-d", ".", *extra],
        cwd=directory, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    report = json.loads(completed.stdout)  # stdout is exactly one JSON document
    reports = report if isinstance(report, list) else [report]
    return [check for r in reports for check in r.get("results", {}).get("failed_checks", [])]


def _copy(tree: Dict[str, Path], target: Path) -> None:
    for name, source in tree.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / name)


def _cli(directory: Path, name: str) -> Set[Tuple[str, str, str]]:
    """The CLI's definite findings for one file alone, as checkov names them."""
    result = run(Options(paths=[str(directory / name)]))
    rules = rules_by_id()
    return {
        (name, rules[f.rule].checkov_id, f.resource.split("/")[0])
        for f in result.findings
        if f.severity != "info"
    }


def test_cloudformation_and_terraform_plan_resources(tmp_path: Path) -> None:
    tree = {f"{p.parent.name}-{p.name}": p for p in rule_templates()}
    tree.update(
        {
            f"tf-{p.parent.parent.name}-{p.parent.name}.json": p
            for p in FIXTURES.glob("rules/*/tf-*/plan.json")
        }
    )
    tree["module-plan.json"] = FIXTURES / "terraform/module/plan.json"
    _copy(tree, tmp_path)
    found = {
        (
            c["file_path"].lstrip("/"),
            c["check_id"],
            c["resource"].split(".", 2)[-1] if c["resource"].startswith("AWS::") else c["resource"],
        )
        for framework in ("cloudformation", "terraform_plan")
        for c in checkov(tmp_path, framework)
    }
    expected = set().union(*(_cli(tmp_path, name) for name in tree))
    assert found == expected
    # every rule with a CloudFormation bad fixture among the files is seen
    assert {check for _, check, _ in found} >= {
        rule.checkov_id
        for rule in load_rules()
        if any(name.startswith(f"{rule.id}-bad") for name in tree)
    }


def test_json_documents(tmp_path: Path) -> None:
    tree = {p.name: p for p in FIXTURES.glob("rules/CVL001/*.json")}
    tree["flow.asl.json"] = FIXTURES / "workflows/cases/no-vpc/asl/flow.asl.json"
    tree["pipeline.json"] = FIXTURES / "workflows/cases/no-vpc/pipeline/pipeline.json"
    tree["template.json"] = FIXTURES / "workflows/cases/no-vpc/cloudformation/template.json"
    _copy(tree, tmp_path)
    found = {(c["file_path"].lstrip("/"), c["check_id"]) for c in checkov(tmp_path, "json")}
    expected = {
        (name, check)
        for name in tree
        if name != "template.json"
        for name, check, _ in _cli(tmp_path, name)
    }
    assert found == expected
    assert ("api-bad.json", "CKV_CVL_001") in found and ("pipeline.json", "CKV_CVL_101") in found


def test_skip_metadata_and_comments(tmp_path: Path) -> None:
    text = (FIXTURES / "cli/one-error.yaml").read_text()
    (tmp_path / "model.yaml").write_text(text.replace(
        "    Type: AWS::SageMaker::Model\n",
        "    Type: AWS::SageMaker::Model\n    Metadata:\n      checkov:\n        skip:\n"
        "          - id: CKV_CVL_201\n            comment: two AZs are added by the platform team\n",
    ))  # fmt: skip
    assert [c for c in checkov(tmp_path, "cloudformation") if c["check_id"] == "CKV_CVL_201"] == []
    assert ROOT.is_dir()
