"""The terminal as ruff and cfn-lint users expect it: options, rule IDs, colour, summaries, paths."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, line_of, rules_of, run_cli, run_json

from clarify_vpc_lint.catalogue import load_rules

BAD = "tests/fixtures/cli/one-error.yaml"
MODEL_LINE = line_of(str(BAD), "  Model:")  # the finding points at the model's key
UNKNOWN = "tests/fixtures/cli/one-info.yaml"
MODEL = "tests/fixtures/multi/inventory/model.yaml"
SUBNETS = "tests/fixtures/multi/inventory/subnets.json"
ESC = "\033["


def test_an_option_takes_one_value_and_never_swallows_the_paths() -> None:
    assert "CVL201" not in rules_of(run_json("--ignore", "CVL201", BAD))
    with_context = run_json("--context", SUBNETS, MODEL, "--select", "CVL201")
    assert [(f["rule"], f["severity"]) for f in with_context["findings"]] == [("CVL201", "error")]
    assert with_context["summary"]["files"] == 2
    # paths may stand on both sides of the options, as in ruff and cfn-lint
    mixed = run_json(MODEL, "--context", SUBNETS, "--ignore", "CVL102", BAD)
    assert mixed["summary"]["files"] == 3


def test_rule_ids_in_every_spelling_and_case() -> None:
    rule = next(r for r in load_rules() if r.id == "CVL201")
    spellings = [rule.id, rule.id.lower(), rule.cfn_lint_id, "w9201", "I9201", rule.checkov_id]
    for spelling in [*spellings, "ckv_cvl_201"]:
        assert "CVL201" not in rules_of(run_json(BAD, "--ignore", spelling)), spelling
        assert set(rules_of(run_json(BAD, "--select", spelling))) == {"CVL201"}, spelling
        explained = run_cli("--explain", spelling)
        assert explained.returncode == 0 and "model-subnets-single-az" in explained.stdout
    assert run_cli(BAD, "--ignore", "E9999").returncode == 2
    assert run_cli(BAD, "--select", "CVL999").returncode == 2


def test_a_config_file_takes_every_spelling_for_every_host(tmp_path: Path) -> None:
    """The config's rule IDs are read as the rules' own, whichever host reads the file (the CLI,
    the pre-commit hook, the plugins and the language server all build on load_config)."""
    from clarify_vpc_lint.config import load_config

    config = tmp_path / "clarify-vpc-lint.yaml"
    config.write_text(
        "ignore: [e9201, ckv_cvl_301]\n"
        "per-path-ignores: {'*.yaml': [w9402]}\n"
        "severity: {I9403: error, cvl999: info}\n"
    )
    loaded = load_config(config)
    assert loaded.ignore == ["CVL201", "CVL301"]
    assert loaded.per_path_ignores == {"*.yaml": ["CVL402"]}
    assert loaded.severity == {"CVL403": "error", "cvl999": "info"}  # unknown: as written


def _on_a_terminal(*args: str, env_extra: dict) -> str:
    """The CLI's stdout when it is a terminal (a pseudo-terminal here)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(env_extra)
    process = subprocess.Popen(
        [sys.executable, "-m", "clarify_vpc_lint", *args],
        cwd=ROOT,
        env=env,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_only_and_never_with_no_color() -> None:
    coloured = _on_a_terminal(BAD, env_extra={})
    assert f"{ESC}31merror{ESC}0m" in coloured
    assert ESC not in _on_a_terminal(BAD, env_extra={"NO_COLOR": "1"})
    assert ESC not in run_cli(BAD).stdout  # a pipe is no terminal


def test_first_line_points_at_the_explanation_and_remediation_follows() -> None:
    lines = run_cli(BAD, "--select", "CVL201").stdout.splitlines()
    assert lines[0].startswith(
        f"{BAD}:{MODEL_LINE}:3: error CVL201 [model-subnets-single-az] Model: "
    )
    assert lines[0].endswith("(see --explain CVL201)")
    assert lines[1].startswith("    ")


def test_quiet_keeps_errors_and_warnings_without_remediations() -> None:
    normal = run_cli(BAD, UNKNOWN, "--select", "CVL201").stdout.splitlines()
    quiet = run_cli(BAD, UNKNOWN, "--select", "CVL201", "--quiet")
    lines = quiet.stdout.splitlines()
    assert any(" info CVL201 " in line for line in normal)
    assert [line for line in lines if "(see --explain" in line] == [normal[0]]
    assert not any(line.startswith("    ") for line in lines)
    assert lines[-1] == normal[-1] and quiet.returncode == 1


def test_statistics_count_findings_per_rule() -> None:
    report = run_json("tests/fixtures/rules")
    expected = {}
    for finding in report["findings"]:
        expected[finding["rule"]] = expected.get(finding["rule"], 0) + 1
    lines = run_cli("tests/fixtures/rules", "--statistics").stdout.splitlines()
    counted = {line.split()[1]: int(line.split()[0]) for line in lines[:-1]}
    assert counted == expected
    assert lines[-1].startswith(f"{report['summary']['files']} file(s) linted")


def test_last_line_counts_formats_and_says_when_nothing_was_checked(tmp_path: Path) -> None:
    last = run_cli(MODEL, "--context", SUBNETS).stdout.splitlines()[-1]
    assert last.startswith(
        "2 file(s) linted (1 CloudFormation, 1 aws ec2 describe-* inventory): 1 error(s),"
    )
    assert last.endswith("; no Clarify job found in the inputs")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}}}))
    empty = run_cli(str(plan))
    assert empty.returncode == 0
    assert empty.stdout.splitlines()[-1] == (
        "1 file(s) linted (1 Terraform plan): 0 error(s), 0 warning(s), 0 info, 0 input error(s);"
        " no Clarify job, model or VPC found: nothing was checked"
    )


def test_per_path_ignores_match_however_the_path_is_typed(tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    (tmp_path / "stacks").mkdir()
    shutil.copy(ROOT / BAD, tmp_path / "legacy" / "model.yaml")
    (tmp_path / ".clarify-vpc-lint.yaml").write_text("per-path-ignores: {'legacy/*': [E9201]}\n")
    for typed in ("legacy/model.yaml", "./legacy/model.yaml", str(tmp_path / "legacy"), "."):
        assert "CVL201" not in rules_of(run_json(typed, cwd=tmp_path)), typed
    assert "CVL201" not in rules_of(run_json("../legacy", cwd=tmp_path / "stacks"))
    assert "CVL201" not in rules_of(run_json("model.yaml", cwd=tmp_path / "legacy"))
    shutil.copy(ROOT / BAD, tmp_path / "stacks" / "model.yaml")
    assert "CVL201" in rules_of(run_json("model.yaml", cwd=tmp_path / "stacks"))


def test_declared_job_findings_name_the_config_relative_to_the_working_directory(
    tmp_path: Path,
) -> None:
    declared = ROOT / "tests/fixtures/config/declared"
    shutil.copy(declared / "clarify-vpc-lint.yaml", tmp_path / ".clarify-vpc-lint.yaml")
    shutil.copy(declared / "network.yaml", tmp_path / "network.yaml")
    (tmp_path / "stacks").mkdir()
    for cwd, expected in (
        (tmp_path, ".clarify-vpc-lint.yaml"),
        (tmp_path / "stacks", "../.clarify-vpc-lint.yaml"),
    ):
        network = os.path.relpath(tmp_path / "network.yaml", cwd)
        report = run_json(network, cwd=cwd)
        assert {f["file"] for f in report["findings"] if f["resource"] == "nightly-bias"} == {
            expected
        }
        sarif = json.loads(run_cli(network, "--format", "sarif", cwd=cwd).stdout)
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]
            if r["locations"][0]["logicalLocations"][0]["name"] == "nightly-bias"
        }
        assert (
            uris == {expected}
            if cwd == tmp_path
            else {Path(tmp_path, ".clarify-vpc-lint.yaml").as_uri()}
        )


def test_output_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path) -> None:
    template = tmp_path / "model.yaml"
    shutil.copy(ROOT / BAD, template)
    original = template.read_text()
    locked = tmp_path / "locked.json"
    locked.write_text("")
    locked.chmod(0o444)
    cases = {
        str(tmp_path / "missing" / "report.json"): "does not exist",
        str(tmp_path): "is a directory",
        str(template): "is one of the inputs",
    }
    if not os.access(locked, os.W_OK):  # root may write anything
        cases[str(locked)] = "not writable"
    for output, reason in cases.items():
        completed = run_cli(str(template), "--output", output)
        assert completed.returncode == 2, output
        assert completed.stderr.count("\n") == 1 and reason in completed.stderr, completed.stderr
        assert "internal error" not in completed.stderr
    assert template.read_text() == original
    assert run_cli(str(tmp_path), "--format", "json", "--output", str(template)).returncode == 2
    assert template.read_text() == original


def test_a_baseline_is_never_written_over_an_input(tmp_path: Path) -> None:
    """--write-baseline over the template or an inventory of a --context folder replaced the
    input with the baseline (--output refused it already); now it is refused the same way."""
    template = tmp_path / "model.yaml"
    shutil.copy(ROOT / BAD, template)
    (tmp_path / "context").mkdir()
    inventory = tmp_path / "context" / "subnets.json"
    shutil.copy(ROOT / "tests/fixtures/multi/inventory/subnets.json", inventory)
    originals = {path: path.read_text() for path in (template, inventory)}
    for written in (template, inventory, tmp_path / "context" / ".." / "model.yaml"):
        completed = run_cli(
            str(template), "--context", str(tmp_path / "context"), "--write-baseline", str(written)
        )
        assert completed.returncode == 2, completed.stderr
        assert completed.stderr == (
            f"clarify-vpc-lint: error: --write-baseline {written}: is one of the inputs; "
            "not overwritten\n"
        )
    assert {path: path.read_text() for path in originals} == originals


def test_inventory_commands() -> None:
    lines = run_cli("--inventory-commands", "--region", "eu-west-1", "--vpc", "vpc-0abc").stdout
    commands = [line for line in lines.splitlines() if line.startswith("aws ec2 ")]
    kinds = [
        "vpcs",
        "subnets",
        "route-tables",
        "vpc-endpoints",
        "security-groups",
        "nat-gateways",
        "network-acls",
    ]
    for kind in kinds:
        assert (
            f"aws ec2 describe-{kind} --region eu-west-1 --filters Name=vpc-id,Values=vpc-0abc"
            f" --output json > inventory/{kind}.json"
        ) in commands
    for kind in ("dhcp-options", "managed-prefix-lists"):
        assert (
            f"aws ec2 describe-{kind} --region eu-west-1 --output json > inventory/{kind}.json"
            in commands
        )
    attributes = [c for c in commands if c.startswith("aws ec2 describe-vpc-attribute")]
    assert attributes == [
        "aws ec2 describe-vpc-attribute --region eu-west-1 --vpc-id vpc-0abc --attribute"
        f" {name} --output json > inventory/vpc-0abc-{suffix}.json"
        for name, suffix in (
            ("enableDnsSupport", "dns-support"),
            ("enableDnsHostnames", "dns-hostnames"),
        )
    ]
    every_vpc = run_cli("--inventory-commands").stdout
    assert "aws ec2 describe-subnets --output json > inventory/subnets.json" in every_vpc
    assert (
        "for vpc in $(aws ec2 describe-vpcs --query 'Vpcs[].VpcId' --output text); do" in every_vpc
    )


def test_the_readme_gives_the_inventory_commands_the_cli_prints() -> None:
    from clarify_vpc_lint.inventory_commands import inventory_commands

    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Inventory:")[1].split("```sh\n")[1].split("```")[0]
    printed = [line for line in inventory_commands().splitlines() if not line.startswith("#")]
    assert block.splitlines() == [*printed, "clarify-vpc-lint . --context inventory/"]
