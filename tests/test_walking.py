"""Which files a run reads: tool folders skipped, --exclude, regular files only, each input once."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import FIXTURES, ROOT, rules_of, run_cli, run_json

BAD = ROOT / "tests/fixtures/cli/one-error.yaml"
MODEL = ROOT / "tests/fixtures/multi/inventory/model.yaml"
SUBNETS = ROOT / "tests/fixtures/multi/inventory/subnets.json"


def _files(report: dict) -> set:
    return {f["file"] for f in report["findings"]}


def test_tool_folders_and_virtualenvs_are_not_entered_but_cdk_out_is(tmp_path: Path) -> None:
    folders = (".git", ".venv", "venv", "node_modules", ".terraform", "__pycache__", ".tox", "env")
    for folder in (*folders, "cdk.out"):
        (tmp_path / folder).mkdir()
        shutil.copy(BAD, tmp_path / folder / "model.yaml")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    report = run_json(".", cwd=tmp_path)
    assert _files(report) == {"./cdk.out/model.yaml"}
    assert report["summary"]["files"] == 1


def test_exclude_option_and_config_exclude(tmp_path: Path) -> None:
    for folder in ("legacy", "stacks", "stacks/old"):
        (tmp_path / folder).mkdir()
        shutil.copy(BAD, tmp_path / folder / "model.yaml")
    everything = {"./legacy/model.yaml", "./stacks/model.yaml", "./stacks/old/model.yaml"}
    assert _files(run_json(".", cwd=tmp_path)) == everything
    assert _files(run_json(".", "--exclude", "legacy", cwd=tmp_path)) == everything - {
        "./legacy/model.yaml"
    }
    only_stacks = run_json(".", "--exclude", "legacy", "--exclude", "stacks/old", cwd=tmp_path)
    assert _files(only_stacks) == {"./stacks/model.yaml"}
    # the config's patterns are relative to the config file, also when run from a subfolder
    (tmp_path / ".clarify-vpc-lint.yaml").write_text("exclude: [stacks/old, 'legacy/*']\n")
    assert _files(run_json(".", cwd=tmp_path)) == {"./stacks/model.yaml"}
    assert _files(run_json(".", cwd=tmp_path / "stacks")) == {"./model.yaml"}


def test_a_fifo_in_a_folder_is_skipped_not_read(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "model.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    completed = run_cli(str(tmp_path), "--verbose", "--format", "json")  # would hang if opened
    assert completed.returncode == 1
    assert "CVL201" in rules_of(json.loads(completed.stdout))
    assert f"{tmp_path / 'pipe.yaml'}: skipped: not a regular file" in completed.stderr


def test_an_unreadable_subfolder_is_reported(tmp_path: Path, monkeypatch) -> None:
    from clarify_vpc_lint.readers import discover

    shutil.copy(BAD, tmp_path / "model.yaml")
    locked = tmp_path / "locked"
    locked.mkdir()
    shutil.copy(BAD, locked / "model.yaml")
    scandir = os.scandir

    def refuse_locked(path):  # what a folder without read permission does, also under root
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_locked)
    found = discover([str(tmp_path)])
    assert found.files == [str(tmp_path / "model.yaml")]
    assert [(e.file, e.message) for e in found.errors] == [
        (str(locked), "folder not read: Permission denied")
    ]


def test_a_named_file_that_is_no_input_format_is_one_input_error(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web"}')
    (tmp_path / "empty.yaml").write_text("\n")
    completed = run_cli("package.json", "empty.yaml", cwd=tmp_path)
    assert completed.returncode == 2  # a typo or a wrong file is never a green run
    said = [line for line in completed.stdout.splitlines() if ": error: " in line]
    assert said[0] == "empty.yaml: error: empty; nothing to read"
    assert said[1].startswith("package.json: error: not an input clarify-vpc-lint reads")
    assert len(said) == 2 and "CloudFormation" in said[1] and "describe-*" in said[1]
    assert completed.stderr == ""
    # found by a walk, they are skipped, and --verbose says why
    completed = run_cli(".", "--verbose", cwd=tmp_path)
    assert completed.returncode == 0
    assert completed.stderr.splitlines() == [
        "./empty.yaml: skipped: empty; nothing to read",
        "./package.json: skipped: not an input format",
    ]


def test_one_input_once_however_it_is_named(tmp_path: Path) -> None:
    shutil.copy(MODEL, tmp_path / "model.yaml")
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    shutil.copy(SUBNETS, inventory / "subnets.json")
    os.symlink(inventory / "subnets.json", tmp_path / "link.json")
    once = run_json("model.yaml", "--context", "inventory/subnets.json", cwd=tmp_path)
    assert [(f["rule"], f["severity"]) for f in once["findings"]] == [("CVL201", "error")]
    (tmp_path / ".clarify-vpc-lint.yaml").write_text("context: [inventory/subnets.json]\n")
    twice = run_json(
        "model.yaml",
        "./model.yaml",
        str(tmp_path / "model.yaml"),
        ".",
        "--context",
        "./inventory/subnets.json",
        "--context",
        "inventory",
        "--context",
        "link.json",
        cwd=tmp_path,
    )
    assert twice["findings"] == once["findings"]
    assert twice["summary"]["files"] == 2  # the template and the inventory, each once


def test_a_context_folder_means_every_inventory_in_it(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    shutil.copy(SUBNETS, inventory / "subnets.json")
    shutil.copy(BAD, inventory / "not-an-inventory.yaml")  # a folder's other files are not read
    report = run_json(str(MODEL), "--context", str(inventory), "--select", "CVL201")
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("CVL201", "error")]
    assert report["errors"] == [] and report["summary"]["files"] == 2


def test_the_whole_fixture_suite_reports_no_finding_twice() -> None:
    report = run_json(str(FIXTURES.relative_to(ROOT)), "--context", "tests/fixtures/multi")
    keys = [(f["rule"], f["file"], f["line"], f["resource"]) for f in report["findings"]]
    assert len(report["findings"]) > 50
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


def test_the_pre_commit_hook_passes_the_files_a_directory_walk_reads() -> None:
    import re

    import yaml

    from clarify_vpc_lint.readers import EXTENSIONS

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    for extension in (*EXTENSIONS, ".asl.json"):
        assert pattern.search(f"stacks/ml{extension}"), extension
    for other in ("README.md", "notes.txt", "setup.cfg"):
        assert not pattern.search(other), other


def test_a_fifo_named_as_path_context_parameters_or_config_never_hangs(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "model.yaml")
    os.mkfifo(tmp_path / "fifo")
    # named, it is an input that cannot be read: one error in the report, exit 2
    for option in ([], ["--context"], ["--parameters"]):
        completed = run_cli("model.yaml", *option, "fifo", "--format", "json", cwd=tmp_path)
        report = json.loads(completed.stdout)
        assert report["errors"] == [
            {"file": "fifo", "line": None, "message": "not a regular file; not read"}
        ], option
        assert (completed.returncode, completed.stderr, rules_of(report)) == (2, "", ["CVL201"])
    completed = run_cli("model.yaml", "--config", "fifo", cwd=tmp_path)
    assert (completed.returncode, completed.stderr) == (
        2,
        "fifo: error: not a regular file; not read\n",
    )


def test_a_broken_symlink_named_on_the_command_line_is_one_error(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.yaml", tmp_path / "link.yaml")
    report = run_json("link.yaml", cwd=tmp_path)
    assert report["errors"] == [
        {"file": "link.yaml", "line": None, "message": "broken symbolic link"}
    ]
