"""Baselines (SPEC section 6): ``--write-baseline`` records today's findings, ``--baseline`` hides
exactly those (by rule, file and resource, not line), counted in the summary as baselined."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import FIXTURES, run_cli

ONE_ERROR = FIXTURES / "cli" / "one-error.yaml"  # CVL201 on Model
ONE_WARNING = FIXTURES / "cli" / "one-warning.yaml"  # CVL102 on ClarifyJob


def _project(tmp_path: Path) -> Path:
    shutil.copy(ONE_ERROR, tmp_path / "model.yaml")
    shutil.copy(ONE_WARNING, tmp_path / "job.yaml")
    return tmp_path


def _json(tmp_path: Path, *args: str) -> tuple:
    completed = run_cli(".", "--format", "json", *args, cwd=tmp_path)
    return completed.returncode, json.loads(completed.stdout)


def test_a_baseline_hides_todays_findings_after_edits_that_move_lines(tmp_path: Path) -> None:
    project = _project(tmp_path)
    written = run_cli(".", "--write-baseline", "baseline.json", cwd=project)
    assert written.returncode == 0 and "2 baselined" in written.stdout
    entries = json.loads((project / "baseline.json").read_text())["findings"]
    assert [(e["rule"], e["file"], e["resource"]) for e in entries] == [
        ("CVL102", "job.yaml", "ClarifyJob"),
        ("CVL201", "model.yaml", "Model"),
    ]
    # unrelated edits: lines move, a comment is added
    model = project / "model.yaml"
    model.write_text("# owner: ml-team\n\n" + model.read_text())
    code, report = _json(project, "--baseline", "baseline.json")
    assert code == 0 and report["findings"] == []
    assert report["summary"]["baselined"] == 2


def test_a_new_finding_is_not_hidden(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run_cli("model.yaml", "--write-baseline", "baseline.json", cwd=project)
    code, report = _json(project, "--baseline", "baseline.json")
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["CVL102"]
    assert report["summary"]["baselined"] == 1


def test_the_same_baseline_from_another_folder(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run_cli(".", "--write-baseline", "baseline.json", cwd=project)
    (project / "sub").mkdir()
    completed = run_cli("..", "--baseline", "../baseline.json", cwd=project / "sub")
    assert completed.returncode == 0 and "2 baselined" in completed.stdout


def test_rewritten_it_drops_the_findings_that_disappeared(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run_cli(".", "--write-baseline", "baseline.json", cwd=project)
    os.remove(project / "job.yaml")
    run_cli(".", "--baseline", "baseline.json", "--write-baseline", "baseline.json", cwd=project)
    entries = json.loads((project / "baseline.json").read_text())["findings"]
    assert [e["rule"] for e in entries] == ["CVL201"]


def test_without_a_baseline_the_summary_says_nothing_of_one(tmp_path: Path) -> None:
    code, report = _json(_project(tmp_path))
    assert code == 1 and "baselined" not in report["summary"]


def test_a_broken_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "baseline.json").write_text("{not json")
    completed = run_cli(".", "--baseline", "baseline.json", cwd=project)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert "baseline.json: not valid JSON" in completed.stderr
    missing = run_cli(".", "--baseline", "nowhere.json", cwd=project)
    assert missing.returncode == 2 and "nowhere.json: cannot be read" in missing.stderr


def test_no_baseline_is_written_while_an_input_cannot_be_read(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "broken.yaml").write_text("Resources: [\n")
    completed = run_cli(".", "--write-baseline", "baseline.json", cwd=project)
    assert completed.returncode == 2 and not (project / "baseline.json").exists()
