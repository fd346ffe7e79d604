"""Every rule against its fixtures: bad cases fire at the rule's severity, good cases stay silent,
unknown cases stay ``info`` — and every finding points at the line the fixture expects.

Fixtures live in ``tests/fixtures/rules/<RULE>/``; a case is a file or a directory linted as one
run. Names say what is expected: ``bad*``, ``good*``, ``unknown*``; an ``api-`` prefix marks
SageMaker API JSON (with its EC2 inventory), ``tf-`` a Terraform plan (its Clarify jobs declared
in its clarify-vpc-lint.yaml), the others are CloudFormation. Where each finding must point:

- YAML (templates, clarify-vpc-lint.yaml) and Python (``py-`` cases, a script started by the
  SDK beside its inventory): the line carries a ``# <- CVLnnn`` comment;
- API JSON: the folder's ``expected-lines.yaml`` lists case -> file -> lines;
- plan.json: the ``"address"`` key of the finding's resource in the plan.

Most cases are generated: ``<case>.patch.yaml`` (CloudFormation) or ``<case>.patch`` (a unified
diff: Terraform, API JSON, Python) says how the case differs from its language's one correct
network in ``tests/fixtures/good/``, and ``python tests/regenerate.py`` writes the case beside it
(see ``tests/fixtures/generate.py`` for the patch formats).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
import yaml
from conftest import FIXTURES, fixture_module

from clarify_vpc_lint.catalogue import load_rules, rules_by_id

RULES_DIR = FIXTURES / "rules"
EXPECTED_LINES = "expected-lines.yaml"
generate = fixture_module("generate")
cases = fixture_module("cases")

CASES = sorted(
    p
    for p in RULES_DIR.glob("CVL*/*")
    if p.name != EXPECTED_LINES
    and not p.name.endswith((generate.PATCH_SUFFIX, generate.FOLDER_PATCH_SUFFIX))
)
FORMATS = {
    "cloudformation": lambda name: not name.startswith(("api-", "tf-")),
    "api": lambda name: name.startswith("api-"),
    "terraform": lambda name: name.startswith("tf-"),
}
# Rules that cannot meet a format or an unknown, and why.
Location = Tuple[str, int]


def _kind(case: Path) -> str:
    return re.sub(r"^(api|tf|py)-", "", case.name).split("-")[0].split(".")[0]


def _files(case: Path) -> List[Path]:
    return [case] if case.is_file() else sorted(case.iterdir())


def _marked_lines(case: Path, rule: str) -> Set[Location]:
    """Lines of the case's YAML and Python files that carry ``# <- RULE``."""
    marks = set()
    for path in _files(case):
        if path.suffix in (".yaml", ".yml", ".py"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if re.search(rf"#\s*<-\s*{rule}\b", line):
                    marks.add((str(path), number))
    return marks


def _listed_lines(case: Path) -> Set[Location]:
    """The lines ``expected-lines.yaml`` lists for a JSON case."""
    listing = case.parent / EXPECTED_LINES
    expected = yaml.safe_load(listing.read_text()) if listing.is_file() else {}
    spec = expected.get(case.name, {})
    files = {"": spec} if isinstance(spec, list) else spec
    return {
        (str(case / name) if name else str(case), line)
        for name, lines in files.items()
        for line in lines
    }


def _address_positions(plan: Path, address: str) -> Set[Tuple[int, int]]:
    """(line, column) of every ``"address": "<address>"`` key in the plan's JSON text."""
    text = plan.read_text()
    pattern = r'"address"\s*:\s*' + re.escape(json.dumps(address))
    positions = set()
    for match in re.finditer(pattern, text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        positions.add((text.count("\n", 0, match.start()) + 1, match.start() - line_start + 1))
    return positions


def _assert_locations(case: Path, rule: str, findings: List) -> None:
    """Plan findings point at their resource; every other finding is on an expected line, and
    every expected line has a finding."""
    located = set()
    for finding in findings:
        if Path(finding.file).name == "plan.json":
            positions = _address_positions(Path(finding.file), finding.resource)
            assert (finding.line, finding.column) in positions, (
                f"{finding.file}:{finding.line}:{finding.column} is not the address key of "
                f"{finding.resource} (at {sorted(positions)})"
            )
        else:
            located.add((finding.file, finding.line))
    expected = _marked_lines(case, rule) | _listed_lines(case)
    assert located == expected, f"findings at {sorted(located)}, expected at {sorted(expected)}"


def _findings(case: Path, rule: str) -> List:
    """Lint a case with only its rule selected: another rule firing on it disturbs nothing (the
    case's complete findings are its snapshot's business, ``test_snapshots.py``)."""
    result = cases.lint_case(case, select=[rule])
    assert result.errors == [], result.errors
    assert {f.rule for f in result.findings} <= {rule}
    return result.findings


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
        _assert_locations(case, rule.id, findings)
        for finding in findings:
            assert finding.remediation and "{" + "resource}" not in finding.remediation
    elif kind == "good":
        assert findings == [], [f.message for f in findings]
    elif kind == "unknown":
        assert findings, f"{rule.id} said nothing on {case}"
        assert {f.severity for f in findings} == {"info"}, [f.message for f in findings]
        assert all("not known:" in f.message for f in findings)
        _assert_locations(case, rule.id, findings)
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
        exempt = rules_by_id()[rule].no_fixture
        reason = exempt.get((fmt, kind)) or exempt.get((fmt, "*"))
        assert count or reason, f"{rule} has no {fmt} {kind} fixture"


def test_expected_lines_name_existing_cases() -> None:
    """A renamed case must not leave its listed lines behind, unchecked."""
    for listing in RULES_DIR.glob(f"CVL*/{EXPECTED_LINES}"):
        for case in yaml.safe_load(listing.read_text()):
            assert (listing.parent / case).exists(), f"{listing}: no case {case}"


@pytest.mark.parametrize("patch", generate.patches(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_generated_fixtures_are_up_to_date(patch: Path) -> None:
    target = generate.target_of(patch)
    assert target.is_file() and target.read_text() == generate.render(patch), (
        f"{target.relative_to(FIXTURES.parents[1])} is stale: "
        "run `python tests/fixtures/generate.py`"
    )


@pytest.mark.parametrize(
    "patch", generate.folder_patches(), ids=lambda p: str(p.relative_to(FIXTURES))
)
def test_generated_folders_are_up_to_date(patch: Path) -> None:
    case = generate.folder_of(patch)
    written = {
        p.relative_to(case).as_posix(): p.read_text(encoding="utf-8")
        for p in case.rglob("*")
        if p.is_file() and p.name not in generate.NOT_PATCHED
    }
    assert written == generate.render_folder(patch), (
        f"{case.relative_to(FIXTURES.parents[1])} is stale: run `python tests/regenerate.py`"
    )
    if (case / "main.tf").is_file():
        assert (case / "plan.json").is_file(), f"{case}: run `python tests/regenerate.py`"


def test_a_folder_patch_is_found_by_its_text_not_its_line_numbers(tmp_path: Path) -> None:
    """A base that grows above a hunk keeps the patch working; a hunk whose text is gone fails."""
    case = tmp_path / "CVL999" / "tf-bad"
    patch = case.with_name("tf-bad.patch")
    case.parent.mkdir()
    removal = "-  enable_dns_support   = true\n"
    patch.write_text(
        "DNS support off.\n--- main.tf\n+++ main.tf\n@@ -1,3 +1,2 @@\n"
        '   cidr_block           = "10.0.0.0/16"\n' + removal + "   enable_dns_hostnames = true\n"
    )
    main_tf = generate.render_folder(patch)["main.tf"]
    assert main_tf.startswith("# DNS support off.\n") and "enable_dns_support" not in main_tf
    patch.write_text(patch.read_text().replace(removal, "-  enable_dns_support   = maybe\n"))
    with pytest.raises(generate.PatchError, match="no longer has the text"):
        generate.render_folder(patch)


@pytest.mark.parametrize(
    "patch, problem",
    [
        ("comment: x\nremove: [NoSuchResource]\n", "no resource NoSuchResource"),
        ("comment: x\nset: {Vpc: {Properties: {NoSuchKey: ~}}}\n", "Vpc.Properties.NoSuchKey"),
        ("comment: x\nadd: {Vpc: {Type: AWS::EC2::VPC}}\n", "already has Vpc"),
        ("comment: x\nmark: NoSuchResource\n", "mark: no resource NoSuchResource"),
        ("comment: x\nreplace: {}\n", "unknown key 'replace'"),
    ],
)
def test_a_patch_that_does_not_fit_the_base_fails_loudly(
    tmp_path: Path, patch: str, problem: str
) -> None:
    path = tmp_path / "CVL999" / "bad.patch.yaml"
    path.parent.mkdir()
    path.write_text(patch)
    with pytest.raises(generate.PatchError, match=re.escape(problem)):
        generate.render(path)
