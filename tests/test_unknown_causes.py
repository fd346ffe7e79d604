"""Unknowns once per cause (SPEC section 5).

Several infos held back by the same missing fact are one text entry naming the fact, how to supply
it, the rules it holds back and the subjects; JSON and SARIF keep one finding per rule, each
carrying the missing fact so tools can group them.
"""

from __future__ import annotations

import json
from typing import Dict, List

from conftest import run_cli

from clarify_vpc_lint.linter import Options, run

CHECK_STEP = "tests/fixtures/python/check_step_defaults"
SUBNET_MISSING = (
    "subnet subnet-0py1a is not in the inputs; add `aws ec2 describe-subnets` output with --context"
)


def _infos_by_cause() -> Dict[str, List]:
    causes: Dict[str, List] = {}
    for finding in run(Options(paths=[CHECK_STEP])).findings:
        if finding.severity == "info":
            causes.setdefault("; ".join(finding.missing), []).append(finding)
    return causes


def test_the_text_report_shows_one_entry_per_missing_fact() -> None:
    held = _infos_by_cause()[SUBNET_MISSING]
    assert len(held) > 1
    text = run_cli(CHECK_STEP).stdout
    entries = [line for line in text.splitlines() if SUBNET_MISSING in line]
    assert len(entries) == 1  # the cause once, not once per rule and subject
    rules = ", ".join(sorted({f.rule for f in held}))
    assert entries[0].endswith(f"info not known: {SUBNET_MISSING}; holds back {rules}")
    # below it, every subject the cause holds back with its rules
    lines = text.splitlines()
    start = lines.index(entries[0]) + 1
    subjects = {f.resource for f in held}
    listed = lines[start : start + len(subjects)]
    assert {line.split(": ")[1] for line in listed} == subjects
    for finding in held:
        assert any(
            f"{finding.file}:{finding.line}:{finding.column}: {finding.resource}:" in line
            and finding.rule in line
            for line in listed
        )


def test_an_info_alone_in_its_cause_keeps_its_own_line_and_remediation() -> None:
    alone = [group[0] for group in _infos_by_cause().values() if len(group) == 1]
    assert alone
    text = run_cli(CHECK_STEP).stdout
    for finding in alone:
        assert f"{finding.rule} [{finding.name}] {finding.resource}: {finding.message}" in text
        assert finding.remediation.splitlines()[0] in text


def test_json_findings_carry_the_missing_fact() -> None:
    report = json.loads(run_cli(CHECK_STEP, "--format", "json").stdout)
    assert report["version"] == 1
    infos = [f for f in report["findings"] if f["severity"] == "info"]
    definite = [f for f in report["findings"] if f["severity"] != "info"]
    assert infos and definite
    assert all("missing" not in f for f in definite)
    for finding in infos:
        missing = finding["missing"]
        reasons = [missing] if isinstance(missing, str) else missing
        assert all(reason in finding["message"] for reason in reasons)
    # one finding per rule and subject: the grouping is left to the tools
    assert sum(f["missing"] == SUBNET_MISSING for f in infos) == len(
        _infos_by_cause()[SUBNET_MISSING]
    )
    several = [f for f in infos if isinstance(f["missing"], list)]
    assert several and all(len(f["missing"]) > 1 for f in several)


def test_sarif_results_carry_the_missing_fact() -> None:
    sarif = json.loads(run_cli(CHECK_STEP, "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    notes = [r for r in results if r["level"] == "note"]
    assert notes and all("missing" in r["properties"] for r in notes)
    assert all("missing" not in r["properties"] for r in results if r["level"] != "note")
    assert len(notes) == sum(len(group) for group in _infos_by_cause().values())


def test_the_grouped_text_report_is_byte_identical_across_runs_and_orders() -> None:
    paths = [f"{CHECK_STEP}/pipeline.py", f"{CHECK_STEP}/config.yaml"]
    outputs = {
        run_cli(*paths).stdout,
        run_cli(*reversed(paths)).stdout,
        run_cli(*paths).stdout,
    }
    assert len(outputs) == 1
