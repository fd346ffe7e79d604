"""Hostile and broken inputs: one clear line each, exit 2, the other files still linted."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, run_json

GOOD_BAD = str(ROOT / "tests/fixtures/cli/one-error.yaml")  # lints to findings, no errors


@functools.cache
def _findings_alone() -> list:
    """What GOOD_BAD lints to on its own: beside a broken file it must lint the same."""
    report = run_json(GOOD_BAD)
    assert report["findings"] and not report["errors"]
    return report["findings"]


def _lint_with(path: Path) -> dict:
    completed = run_cli(str(path), GOOD_BAD, "--format", "json")
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    report = json.loads(completed.stdout)
    assert report["findings"] == _findings_alone(), "the other file must still be linted"
    assert len(report["errors"]) == 1
    error = report["errors"][0]
    assert error["file"] == str(path) and "\n" not in error["message"]
    return error


CASES = {
    "syntax.yaml": ("Resources:\n  Job:\n    Type: [AWS::SageMaker::Model\n", "invalid YAML"),
    "syntax.json": ('{"ProcessingJobName": "x",\n  "AppSpecification": }\n', "invalid JSON"),
    "resources-list.yaml": (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - Type: AWS::EC2::VPC\n",
        "Resources must be a mapping",
    ),
    "alias-bomb.yaml": (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(9)
        ),
        "alias",
    ),
    # Too deep YAML: whichever stops first (the project's depth limit or libyaml's own) words the
    # line; a user relies on the error itself, so only _lint_with's contract is asserted.
    "deep-flow.yaml": ("Resources: " + "[" * 100_000 + "]" * 100_000 + "\n", None),
    "deep-block.yaml": ("".join("  " * i + "k:\n" for i in range(1000)), None),
    "deep.json": ("[" * 100_000 + "]" * 100_000, "nesting deeper"),  # our own JSON reader
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    path = tmp_path / name
    path.write_text(text)
    error = _lint_with(path)
    if expected is not None:
        assert expected in error["message"]


def test_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "ModelName": "m",\n  "VpcConfig": {,}\n}\n')
    assert _lint_with(path)["line"] == 3


def test_binary_and_non_utf8_files(tmp_path: Path) -> None:
    binary = tmp_path / "image.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    assert "binary" in _lint_with(binary)["message"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("Resources:\n  # caf\xe9\n".encode("latin-1"))
    error = _lint_with(latin)
    assert "UTF-8" in error["message"] and error["line"] == 2


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _lint_with(tmp_path / "absent.yaml")["message"]


def test_unreadable_file(tmp_path: Path, monkeypatch) -> None:
    """Permission errors (simulated: the tests may run as root, who reads everything)."""
    from clarify_vpc_lint.readers import InputError, load

    path = tmp_path / "secret.yaml"
    path.write_text("Resources: {}\n")
    real_open = os.open

    def guarded_open(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    assert load(str(path)) == InputError(str(path), None, "cannot read: Permission denied")


def test_directory_symlink_loop_terminates(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "loop").symlink_to(tmp_path / "stacks", target_is_directory=True)
    (tmp_path / "stacks" / "model.yaml").write_text(Path(GOOD_BAD).read_text())
    report = run_json(str(tmp_path / "stacks"))
    assert report["errors"] == []
    assert [f["rule"] for f in report["findings"]] == [f["rule"] for f in _findings_alone()]


def test_null_where_a_getatt_was() -> None:
    """The CloudFormation docs' JSON example has null in place of every !GetAtt."""
    template = {
        "Resources": {
            "Model": {
                "Type": "AWS::SageMaker::Model",
                "Properties": {"ExecutionRoleArn": None, "PrimaryContainer": {"Image": None}},
            },
            "JobDefinition": {
                "Type": "AWS::SageMaker::ModelBiasJobDefinition",
                "Properties": {
                    "EndpointName": None,
                    "RoleArn": None,
                    "NetworkConfig": None,
                    "ModelBiasAppSpecification": {"ImageUri": None, "ConfigUri": None},
                    "JobResources": {"ClusterConfig": {"InstanceCount": None}},
                },
            },
        }
    }
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(template, handle)
    report = run_json(handle.name)
    os.unlink(handle.name)
    assert report["errors"] == []
    assert [f["rule"] for f in report["findings"]] == ["CVL102"]
