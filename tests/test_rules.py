"""Every rule against its fixtures: bad cases fire at the rule's severity on the marked line,
good cases stay silent, unknown cases stay ``info``.

Fixtures live in ``tests/fixtures/rules/<RULE>/``; a case is a file or a directory linted as one
run. Names say what is expected: ``bad*``, ``good*``, ``unknown*``; an ``api-`` prefix marks
SageMaker API JSON (with its EC2 inventory), the others are CloudFormation. In YAML fixtures a
``# <- CVLnnn`` comment marks the line the finding must point at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Set

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.catalogue import load_rules, rules_by_id
from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, run

RULES_DIR = FIXTURES / "rules"
CASES = sorted(p for p in RULES_DIR.glob("CVL*/*") if p.name != "CASE.md")
FORMATS = {
    "cloudformation": lambda name: not name.startswith(("api-", "tf-")),
    "api": lambda name: name.startswith("api-"),
    "terraform": lambda name: name.startswith("tf-"),
}
# Rules that cannot meet a format or an unknown, and why.
NOT_APPLICABLE = {
    ("CVL001", "cloudformation", "*"): "CVL001 checks standalone API JSON only",
    ("CVL001", "api", "unknown"): "a request's shape needs no fact outside the file",
    ("CVL001", "terraform", "*"): "CVL001 checks standalone API JSON only",
}


def _kind(case: Path) -> str:
    return re.sub(r"^(api|tf)-", "", case.name).split("-")[0].split(".")[0]


def _marked_lines(case: Path, rule: str) -> Set[tuple]:
    files = [case] if case.is_file() else sorted(case.iterdir())
    marks = set()
    for path in files:
        if path.suffix in (".yaml", ".yml"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if re.search(rf"#\s*<-\s*{rule}\b", line):
                    marks.add(
                        (
                            str(path.relative_to(Path.cwd())) if path.is_absolute() else str(path),
                            number,
                        )
                    )
    return marks


def _findings(case: Path, rule: str) -> List:
    """Lint a case; a Terraform case's Clarify jobs are declared in its clarify-vpc-lint.yaml."""
    config_file = case / "clarify-vpc-lint.yaml"
    config = load_config(config_file) if config_file.is_file() else None
    result = run(Options(paths=[str(case)], config=config))
    assert result.errors == [], result.errors
    return [f for f in result.findings if f.rule == rule]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(case: Path, monkeypatch) -> None:
    monkeypatch.chdir(FIXTURES.parents[1])
    case = case.relative_to(FIXTURES.parents[1])
    rule = rules_by_id()[case.parent.name]
    findings = _findings(case, rule.id)
    kind = _kind(case)
    if kind == "bad":
        assert findings, f"{rule.id} did not fire on {case}"
        assert {f.severity for f in findings} == {rule.severity}
        marks = _marked_lines(case, rule.id)
        assert {(f.file, f.line) for f in findings} >= marks
        for finding in findings:
            assert finding.remediation and "{" + "resource}" not in finding.remediation
    elif kind == "good":
        assert findings == [], [f.message for f in findings]
    elif kind == "unknown":
        assert findings, f"{rule.id} said nothing on {case}"
        assert {f.severity for f in findings} == {"info"}, [f.message for f in findings]
        assert all("not known:" in f.message for f in findings)
        assert {(f.file, f.line) for f in findings} >= _marked_lines(case, rule.id)
    else:
        pytest.fail(f"fixture {case} is not named bad*, good* or unknown*")


@pytest.mark.parametrize("rule", [r.id for r in load_rules()])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_rule_has_bad_good_and_unknown_fixtures(rule: str, fmt: str) -> None:
    present: Dict[str, int] = {"bad": 0, "good": 0, "unknown": 0}
    for case in CASES:
        if case.parent.name == rule and FORMATS[fmt](case.name):
            present[_kind(case)] += 1
    for kind, count in present.items():
        reason = NOT_APPLICABLE.get((rule, fmt, kind)) or NOT_APPLICABLE.get((rule, fmt, "*"))
        assert count or reason, f"{rule} has no {fmt} {kind} fixture"
