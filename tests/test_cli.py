"""The command line as users and CI call it: exit codes, the JSON contract, config, options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES, ROOT, line_of, rules_of, run_cli, run_json

from clarify_vpc_lint.catalogue import load_rules

GOOD = "tests/fixtures/good/private-clarify-vpc.yaml"
BAD = "tests/fixtures/cli/one-error.yaml"  # one CVL201 error, on Model
WARNING_ONLY = "tests/fixtures/cli/one-warning.yaml"  # one CVL102 warning
INFO_ONLY = "tests/fixtures/cli/one-info.yaml"  # one CVL201 info
API_REQUEST = "tests/fixtures/cli/isolated-job.json"  # CVL101, isolation on
FINDING_KEYS = [
    "rule",
    "name",
    "severity",
    "file",
    "line",
    "column",
    "resource",
    "message",
    "remediation",
    "region",
]


def test_clean_input_exits_0() -> None:
    # clean for CVL201: its correct case (a rule may fire on every correct network: snapshots)
    completed = run_cli(GOOD, "--select", "CVL201")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "0 error(s), 0 warning(s)" in completed.stdout


def test_findings_exit_1_and_fail_on_sets_the_threshold() -> None:
    # each input with the one rule that gives it its one finding
    bad, warning_only = (BAD, "--select", "CVL201"), (WARNING_ONLY, "--select", "CVL102")
    info_only = (INFO_ONLY, "--select", "CVL201")
    assert run_cli(*bad).returncode == 1
    assert run_cli(*warning_only).returncode == 1  # default --fail-on warning
    assert run_cli(*warning_only, "--fail-on", "error").returncode == 0
    assert run_cli(*bad, "--fail-on", "never").returncode == 0
    assert run_cli(*info_only).returncode == 0  # info never fails by default
    assert run_cli(*info_only, "--fail-on", "info").returncode == 1


def test_json_report_matches_the_contract() -> None:
    report = run_json(BAD, API_REQUEST)
    assert list(report) == ["version", "tool", "findings", "errors", "summary"]
    assert report["version"] == 1
    assert report["tool"]["name"] == "clarify-vpc-lint"
    assert report["summary"] == {"files": 2, "findings": len(report["findings"]), "errors": 0}
    for finding in report["findings"]:
        assert list(finding) == FINDING_KEYS
        assert finding["line"] >= 1 and finding["column"] >= 1
    model = next(f for f in report["findings"] if f["rule"] == "CVL201")
    assert model == {
        **model,
        "severity": "error",
        "file": BAD,
        "line": line_of(BAD, "  Model:"),
        "column": 3,
        "resource": "Model",
    }
    assert "SubnetA" in model["message"]
    api = next(f for f in report["findings"] if f["rule"] == "CVL101")
    # JSON inputs point at the key too: "ProcessingJobName" on line 2, column 3
    assert (api["file"], api["line"], api["column"], api["resource"]) == (
        API_REQUEST,
        2,
        3,
        "clarify-explainability",
    )
    assert '"EnableNetworkIsolation": false' in api["remediation"]
    # its region is the member that is wrong, never empty
    isolation = line_of(API_REQUEST, '  "NetworkConfig": {"EnableNetworkIsolation": true}')
    assert api["region"]["line"] == api["region"]["end_line"] == isolation
    assert api["region"]["end_column"] > api["region"]["column"]
    assert model["region"]["line"] == line_of(BAD, "        Subnets: [!Ref SubnetA]")
    keys = [(f["file"], f["line"], f["rule"]) for f in report["findings"]]
    assert keys == sorted(keys)


def test_bad_input_exits_2_and_the_other_files_are_still_linted(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  A: [unclosed\n")
    report = run_json(str(broken), BAD)
    assert "CVL201" in rules_of(report)
    assert report["errors"] == [
        {"file": str(broken), "line": 3, "message": report["errors"][0]["message"]}
    ]
    completed = run_cli(str(broken), BAD)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr + completed.stdout


def test_bad_command_line_exits_2() -> None:
    completed = run_cli("--format", "xml")
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert run_cli("--explain", "CVL999").returncode == 2
    assert run_cli(GOOD, "--ignore", "CVL999").returncode == 2


def test_directory_walk_skips_other_files(tmp_path: Path) -> None:
    shutil.copy(ROOT / BAD, tmp_path / "model.yaml")
    (tmp_path / "package.json").write_text('{"name": "web", "version": "1.0.0"}')
    (tmp_path / "notes.txt").write_text("not linted")
    completed = run_cli(str(tmp_path), "--verbose", "--format", "json")
    report = json.loads(completed.stdout)
    assert report["summary"]["files"] == 1
    assert "package.json: skipped" in completed.stderr
    assert "notes.txt" not in completed.stderr


def test_no_path_means_the_current_directory(tmp_path: Path) -> None:
    shutil.copy(ROOT / BAD, tmp_path / "template.yaml")
    report = run_json("--select", "CVL201", cwd=tmp_path)
    assert [(f["file"], f["rule"]) for f in report["findings"]] == [("./template.yaml", "CVL201")]


def test_ignore_and_per_path_ignores_and_severity_from_config(tmp_path: Path) -> None:
    shutil.copy(ROOT / BAD, tmp_path / "model.yaml")
    assert "CVL201" not in rules_of(run_json("model.yaml", "--ignore", "CVL201", cwd=tmp_path))
    (tmp_path / ".clarify-vpc-lint.yaml").write_text(
        "severity: {CVL201: warning}\nper-path-ignores: {'legacy/*': [CVL201]}\n"
    )
    report = run_json("model.yaml", "--select", "CVL201", cwd=tmp_path)
    assert [f["severity"] for f in report["findings"]] == ["warning"]
    (tmp_path / "legacy").mkdir()
    shutil.copy(ROOT / BAD, tmp_path / "legacy" / "model.yaml")
    assert "CVL201" not in rules_of(run_json("legacy/model.yaml", cwd=tmp_path))


def test_pyproject_table_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.clarify-vpc-lint]\nignore = ["CVL201"]\n')
    sub = tmp_path / "stacks"
    sub.mkdir()
    shutil.copy(ROOT / BAD, sub / "model.yaml")
    assert "CVL201" not in rules_of(run_json("model.yaml", cwd=sub))


def test_metadata_suppression_in_both_spellings(tmp_path: Path) -> None:
    text = (ROOT / BAD).read_text()
    for metadata in (
        "{clarify-vpc-lint: {ignore: [CVL201]}}",
        "{cfn-lint: {config: {ignore_checks: [E9201]}}}",
    ):
        path = tmp_path / "model.yaml"
        path.write_text(
            text.replace(
                "    Type: AWS::SageMaker::Model\n",
                f"    Type: AWS::SageMaker::Model\n    Metadata: {metadata}\n",
            )
        )
        assert "CVL201" not in rules_of(run_json(str(path))), metadata


def test_declared_jobs_from_the_config_file() -> None:
    config = "tests/fixtures/config/declared/clarify-vpc-lint.yaml"
    report = run_json("--config", config, "tests/fixtures/config/declared/network.yaml")
    by_rule = {f["rule"]: f for f in report["findings"]}  # all of them: tests/snapshots/config.json
    assert (
        by_rule["CVL101"]["file"],
        by_rule["CVL101"]["line"],
        by_rule["CVL101"]["resource"],
    ) == (config, 4, "nightly-bias")
    assert (
        run_cli("--config", config, "tests/fixtures/config/declared/network.yaml").returncode == 1
    )


def test_parameters_files_in_three_formats(tmp_path: Path) -> None:
    template = "tests/fixtures/cli/isolation-parameter.yaml"
    forms = {
        "params.json": '[{"ParameterKey": "Isolate", "ParameterValue": "true"}]',
        "config.json": '{"Parameters": {"Isolate": "true"}}',
        "params.env": "# prod\nIsolate=true\n",
    }
    for name, text in forms.items():
        (tmp_path / name).write_text(text)
        report = run_json(template, "--parameters", str(tmp_path / name))
        assert [
            (f["rule"], f["severity"]) for f in report["findings"] if f["rule"] == "CVL101"
        ] == [("CVL101", "error")], name


def test_context_must_be_an_inventory(tmp_path: Path) -> None:
    completed = run_cli(BAD, "--context", str(ROOT / GOOD))
    assert completed.returncode == 2
    assert "describe" in completed.stdout


def test_jobs_option_is_gone() -> None:
    """SPEC version 3 drops --jobs: it is refused like any unknown option, in one line."""
    completed = run_cli("tests/fixtures/good", "--jobs", "2")
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "--jobs" in completed.stderr


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    completed = run_cli(BAD, "--select", "CVL201", "--format", "json", "--output", str(out))
    assert completed.stdout == ""
    assert json.loads(out.read_text())["summary"]["findings"] == 1


def test_list_rules_explain_and_version() -> None:
    listing = run_cli("--list-rules").stdout
    listed = [line.split()[0] for line in listing.splitlines() if line.startswith("CVL")]
    assert listed == [rule.id for rule in load_rules()]
    explained = run_cli("--explain", "cvl201").stdout
    for heading in (
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "Use instead:",
        "## Fix",
        "## References",
    ):
        assert heading in explained
    assert run_cli("--version").stdout.startswith("clarify-vpc-lint ")


def test_no_network_and_no_credentials_in_the_cli_process() -> None:
    completed = run_cli("tests/fixtures", "--format", "json")
    assert "NETWORK ACCESS ATTEMPTED" not in completed.stderr
    assert completed.returncode == 1


def test_fixture_tree_as_a_whole_reports_no_input_error() -> None:
    report = run_json(str(FIXTURES.relative_to(ROOT)))
    assert report["errors"] == []


def test_bundled_examples_show_what_the_readme_promises() -> None:
    report = run_json("examples/")
    assert report["errors"] == []
    errors = {(f["resource"], f["rule"]) for f in report["findings"] if f["severity"] == "error"}
    assert errors == {
        ("ChurnModel", "CVL201"),
        ("ChurnExplainability", "CVL101"),
        ("ChurnExplainability", "CVL401"),
        ("Vpc", "CVL303"),
        ("Vpc", "CVL305"),
        ("vpc-0a1b2c3d4e5f60000", "CVL302"),
        ("vpc-0a1b2c3d4e5f60000", "CVL303"),
        ("aws_sagemaker_model.churn", "CVL201"),  # examples/terraform: Terraform as written
        ("processor.run_bias", "CVL101"),  # examples/python: isolation set in NetworkConfig
    }


def test_python_api() -> None:
    from clarify_vpc_lint import Finding, lint

    findings = lint(
        ["tests/fixtures/multi/inventory/model.yaml"],
        context=["tests/fixtures/multi/inventory/subnets.json"],
        select=["CVL201"],
    )
    assert [type(f) for f in findings] == [Finding]
    assert (findings[0].rule, findings[0].severity, findings[0].line) == ("CVL201", "error", 3)
    unknown = lint(["tests/fixtures/multi/inventory/model.yaml"], select=["CVL201"])
    assert [(f.rule, f.severity) for f in unknown] == [("CVL201", "info")]
