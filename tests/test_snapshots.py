"""Every fixture case's complete findings against its snapshot (cfn-lint's approach).

A rule's own tests (``test_rules.py``) check that rule alone; this test sees everything a case
lints to, so any change in any finding shows up as a diff of ``tests/snapshots/``. When the
change is intended (a new rule, a reworded message, a new fixture), rewrite the snapshots with
``python tests/regenerate.py --snapshots`` and review their diff in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

import pytest
from conftest import ROOT, fixture_module

cases = fixture_module("cases")

REGENERATE = "python tests/regenerate.py --snapshots"


def _by_snapshot() -> Dict[Path, List[Path]]:
    grouped: Dict[Path, List[Path]] = {}
    for case in cases.cases():
        grouped.setdefault(cases.snapshot_file(case), []).append(case)
    return grouped


GROUPED = _by_snapshot()


@pytest.mark.parametrize("snapshot", sorted(GROUPED), ids=lambda p: str(p.relative_to(ROOT)))
def test_findings_match_the_snapshot(snapshot: Path) -> None:
    assert snapshot.is_file(), f"no snapshot {snapshot.relative_to(ROOT)}: run `{REGENERATE}`"
    kept = json.loads(snapshot.read_text(encoding="utf-8"))
    for case in GROUPED[snapshot]:
        current = cases.findings_of(case)
        assert case.name in kept, f"{case} has no snapshot yet: run `{REGENERATE}`"
        assert current == kept[case.name], (
            f"{case} lints differently from {snapshot.relative_to(ROOT)}; if intended, run "
            f"`{REGENERATE}` and review the diff"
        )
    gone = set(kept) - {case.name for case in GROUPED[snapshot]}
    assert not gone, f"snapshots of cases that no longer exist: {sorted(gone)}: run `{REGENERATE}`"


def test_no_snapshot_without_its_fixture_folder() -> None:
    orphans = set((ROOT / "tests" / "snapshots").rglob("*.json")) - set(GROUPED)
    assert not orphans, f"{sorted(map(str, orphans))}: run `{REGENERATE}`"
