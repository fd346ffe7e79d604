"""Terraform as written: a folder of ``.tf`` files linted without a plan, through the whole linter.

The oracle is real terraform: every Terraform fixture holds the ``main.tf`` its ``plan.json`` was
made from, and the ``.tf`` reading must find what the plan reading finds. Where the two differ,
the difference is listed below with the reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, FrozenSet, List, Set, Tuple

import pytest
from conftest import FIXTURES, ROOT, run_cli, run_json

from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.readers.terraform.config import hcl
from clarify_vpc_lint.readers.terraform.roots import read_root

TFROOT = FIXTURES / "tfroot"
PLAN_FOLDERS = sorted(
    p.parent for p in FIXTURES.rglob("plan.json") if (p.parent / "main.tf").is_file()
)
Key = Tuple[str, str, str]  # rule, severity, resource

# The rules a Clarify job whose definition is not known holds back, and those a job in
# subnets outside the inputs holds back.
_OPAQUE_DEFINITION = (
    *("CVL101", "CVL102", "CVL301", "CVL302", "CVL303", "CVL305", "CVL308"),
    *("CVL309", "CVL310", "CVL401", "CVL402", "CVL403", "CVL404"),
)
_SUBNET_UNKNOWN = (
    *("CVL202", "CVL301", "CVL302", "CVL303", "CVL305", "CVL308"),
    *("CVL309", "CVL310", "CVL401", "CVL402", "CVL403"),
)
# Where the .tf evaluation knows more than the plan reader: the plan reader follows only the
# references of an expression, the .tf evaluation computes it. (folder, plan only, .tf only, why)
MORE_PRECISE: Dict[str, Tuple[FrozenSet[Key], FrozenSet[Key], str]] = {
    "rules/CVL301/tf-unknown": (
        frozenset({("CVL301", "info", "aws_vpc.main")}),
        frozenset({("CVL306", "warning", "aws_vpc_endpoint.maybe_s3")}),
        "coalesce(var.other_vpc_id, aws_vpc.main.id) is aws_vpc.main when the variable is null: "
        "the S3 endpoint is in the VPC, and is associated with none of its route tables",
    ),
    "rules/CVL302/tf-unknown": (
        frozenset({("CVL302", "info", "aws_vpc.main")}),
        frozenset({("CVL307", "warning", "aws_vpc_endpoint.api")}),
        "coalesce(var.shared_vpc_id, aws_vpc.main.id) is aws_vpc.main: the api endpoint is in "
        "the VPC, and its security group does not admit the job",
    ),
    "rules/CVL303/tf-unknown": (
        frozenset({("CVL303", "info", "aws_vpc.main")}),
        frozenset({("CVL307", "warning", "aws_vpc_endpoint.runtime")}),
        "coalesce(var.shared_vpc_id, aws_vpc.main.id) is aws_vpc.main: the runtime endpoint is "
        "in the VPC, and its security group does not admit the job",
    ),
    "rules/CVL306/tf-unknown": (
        frozenset({("CVL306", "info", "aws_vpc_endpoint.s3")}),
        frozenset({("CVL306", "warning", "aws_vpc_endpoint.s3")}),
        "[aws_route_table.private.id, aws_route_table.second.id][count.index] is evaluated: "
        "subnet 1 uses the second table, which the S3 endpoint is not associated with",
    ),
    "rules/CVL310/tf-unknown": (
        frozenset({("CVL310", "info", "aws_vpc.main")}),
        frozenset(),
        "coalesce(var.shared_vpc_id, aws_vpc.main.id) is aws_vpc.main when the variable is null: "
        "the logs endpoint is in the VPC, which so has one",
    ),
    **{
        f"workflows/cases/{case}/terraform": (
            frozenset((rule, "info", "aws_sfn_state_machine.flow") for rule in _OPAQUE_DEFINITION),
            frozenset(
                [
                    ("CVL101", "error", "aws_sfn_state_machine.flow/RunClarify"),
                    *(
                        [("CVL102", "warning", "aws_sfn_state_machine.flow/RunClarify")]
                        if case == "no-vpc"
                        else [("CVL103", "warning", "aws_sfn_state_machine.flow/RunClarify")]
                        + [
                            (rule, "info", "aws_sfn_state_machine.flow/RunClarify")
                            for rule in _SUBNET_UNKNOWN
                        ]
                    ),
                ]
            ),
            "the state machine's heredoc definition names aws_sagemaker_pipeline.churn.arn: the "
            "plan knows the string only after apply, the .tf evaluation reads the JSON around "
            "that reference (the job's subnets and group are real IDs outside the inputs)",
        )
        for case in ("network-1", "network-2", "no-vpc")
    },
    "tfconfig/jsonencode-pipeline": (
        frozenset((rule, "info", "aws_sagemaker_pipeline.churn") for rule in _OPAQUE_DEFINITION),
        frozenset({("CVL303", "error", "aws_vpc.main")}),
        "the pipeline definition is jsonencode() of the subnets' and group's IDs: the plan knows "
        "the string only after apply, the .tf evaluation follows the references",
    ),
}
# Where the plan knows what the .tf evaluation cannot: the .tf findings there are all info.
LESS_KNOWN = {
    "terraform/existing-state": "the VPC and subnet exist in terraform.tfstate, which only "
    "terraform reads: the real IDs the API JSON job names are in no .tf file",
}


def _keys(findings) -> Set[Key]:
    return {(f.rule, f.severity, f.resource) for f in findings}


def _config(folder: Path):
    path = folder / "clarify-vpc-lint.yaml"
    return load_config(path) if path.is_file() else None


def test_every_exception_names_a_terraform_fixture() -> None:
    names = {str(p.relative_to(FIXTURES)) for p in PLAN_FOLDERS}
    assert set(MORE_PRECISE) | set(LESS_KNOWN) <= names
    assert len(PLAN_FOLDERS) >= 50  # every rule's tf- cases, the good network, the workflows


@pytest.mark.parametrize("folder", PLAN_FOLDERS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_tf_finds_what_its_plan_finds(folder: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    folder = folder.relative_to(ROOT)
    others = [str(p) for p in sorted(folder.glob("*.json")) if p.name != "plan.json"]
    config = _config(folder)
    planned = run(Options(paths=[str(folder / "plan.json"), *others], config=config))
    written = run(Options(paths=[str(folder / "main.tf"), *others], config=config))
    assert planned.errors == [] and written.errors == [], written.errors
    assert "terraform" not in written.linted.values()
    name = str(folder.relative_to(FIXTURES.relative_to(ROOT)))
    plan_keys, tf_keys = _keys(planned.findings), _keys(written.findings)
    if name in MORE_PRECISE:
        plan_only, tf_only, _ = MORE_PRECISE[name]
        assert (plan_keys - tf_keys, tf_keys - plan_keys) == (plan_only, tf_only)
    elif name in LESS_KNOWN:  # what the plan finds, the .tf reading cannot tell
        assert {rule for rule, _, _ in plan_keys} <= {rule for rule, _, _ in tf_keys}
        definite = {(rule, severity) for rule, severity, _ in tf_keys if severity != "info"}
        assert definite <= {(rule, severity) for rule, severity, _ in plan_keys}  # never a guess
    else:
        assert tf_keys == plan_keys
    for finding in written.findings:
        if finding.file.endswith(".tf"):
            _assert_at_block(finding)


def _assert_at_block(finding) -> None:
    """A .tf finding points at its resource's block: ``resource "TYPE" "NAME"`` on its line."""
    resource = finding.resource.split("/")[0]  # a step of an embedded workflow: its resource
    local = re.sub(r"\[[^\]]*\]$", "", resource.split(".module.")[-1])
    local = re.sub(r"^module\.[^.]+(\[[^\]]*\])?\.", "", local)
    kind, name = local.split(".")[-2:]
    line = Path(finding.file).read_text().splitlines()[finding.line - 1]
    assert line.startswith(f'resource "{kind}" "{name}"'), (finding.file, finding.line, line)
    assert finding.column == 1


def test_the_plan_of_the_same_root_wins_and_verbose_says_so() -> None:
    folder = "tests/fixtures/rules/CVL201/tf-bad"
    config = f"{folder}/clarify-vpc-lint.yaml"
    both = run_json(folder, "--config", config)
    plan = run_json(f"{folder}/plan.json", "--config", config)
    assert both["findings"] == plan["findings"] and both["summary"]["files"] == 1
    verbose = run_cli(folder, "--config", config, "--verbose")
    assert f"{folder}: Terraform configuration not read; its plan {folder}/plan.json" in (
        verbose.stderr
    )
    assert "main.tf: skipped" not in verbose.stderr


def test_a_plan_elsewhere_declaring_the_same_root_wins(tmp_path: Path) -> None:
    source = FIXTURES / "rules" / "CVL201" / "tf-bad"
    (tmp_path / "infra").mkdir()
    (tmp_path / "plans").mkdir()
    shutil.copy(source / "main.tf", tmp_path / "infra" / "main.tf")
    shutil.copy(source / "plan.json", tmp_path / "plans" / "prod.json")
    report = run_json(".", cwd=tmp_path)
    assert [f["file"] for f in report["findings"]] == ["./plans/prod.json"]
    (tmp_path / "infra" / "extra.tf").write_text('resource "aws_vpc" "other" {}\n')
    report = run_json(".", cwd=tmp_path)  # another root now: both are linted
    assert {f["file"] for f in report["findings"]} == {"./plans/prod.json", "./infra/main.tf"}


def test_a_plan_whose_configuration_is_malformed_never_breaks_the_root_beside_it(
    tmp_path: Path,
) -> None:
    source = FIXTURES / "rules" / "CVL201" / "tf-bad"
    (tmp_path / "infra").mkdir()
    shutil.copy(source / "main.tf", tmp_path / "infra" / "main.tf")
    plan = json.loads((source / "plan.json").read_text())
    plan["configuration"] = [1]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    report = run_json(".", cwd=tmp_path)
    assert not [e for e in report["errors"] if "internal error" in e["message"]], report["errors"]
    assert "./infra/main.tf" in {f["file"] for f in report["findings"]}


def _tfroot(case: str, *args: str) -> dict:
    folder = TFROOT / case
    return run_json(".", "--config", "clarify-vpc-lint.yaml", *args, cwd=folder)


def _summary(report: dict) -> List[Tuple[str, str, str, int]]:
    return sorted((f["rule"], f["severity"], f["resource"], f["line"]) for f in report["findings"])


def _endpoint_line(case: str) -> int:
    lines = (TFROOT / case / "main.tf").read_text().splitlines()
    return lines.index('resource "aws_vpc_endpoint" "interface" {') + 1


def test_a_variable_without_default_is_info_until_given_with_var() -> None:
    line = _endpoint_line("variables")
    unknown = _tfroot("variables", "--select", "CVL304")
    assert {(f["rule"], f["severity"]) for f in unknown["findings"]} == {("CVL304", "info")}
    assert all("--var private_dns=" in f["message"] for f in unknown["findings"])
    off = _tfroot("variables", "--var", "private_dns=false", "--select", "CVL304")
    assert _summary(off) == [
        ("CVL304", "error", f'aws_vpc_endpoint.interface["sagemaker.{name}"]', line)
        for name in ("api", "runtime")
    ]
    assert all(f["file"] == "./main.tf" for f in off["findings"])
    assert _tfroot("variables", "--var", "private_dns=true", "--select", "CVL304")["findings"] == []


def test_tfvars_files_in_terraform_order() -> None:
    # terraform.tfvars turns private DNS off, dns.auto.tfvars (read after it) on again
    read = _tfroot("tfvars", "--select", "CVL304")
    assert read["findings"] == [] and read["summary"]["files"] == 3
    off = _tfroot("tfvars", "--var-file", "off.tfvars", "--select", "CVL304")
    assert {(f["rule"], f["severity"]) for f in off["findings"]} == {("CVL304", "error")}
    assert off["summary"]["files"] == 4
    assert (
        _tfroot(
            "tfvars", "--var-file", "off.tfvars", "--var", "private_dns=true", "--select", "CVL304"
        )["findings"]
        == []
    )


def test_a_remote_module_is_unknown_naming_the_module() -> None:
    report = _tfroot("remote-module")
    # what the module decides is info naming it; a rule that reads nothing of it may still fire
    unknown = [f for f in report["findings"] if f["severity"] == "info"]
    remote = "module vpc comes from 'terraform-aws-modules/vpc/aws'"
    assert unknown and all(remote in f["message"] for f in unknown)
    assert not [f for f in report["findings"] if f["severity"] == "error"]  # never from a guess
    job = [f for f in report["findings"] if f["rule"] == "CVL301" and f["resource"] == "churn-bias"]
    assert "subnet module.vpc.aws_subnet.private: module vpc comes from" in job[0]["message"]


def test_nested_local_modules_with_for_each_cidrsubnet_and_dynamic_blocks() -> None:
    green_line = (TFROOT / "nested-modules" / "main.tf").read_text().splitlines().index(
        'resource "aws_sagemaker_model" "green" {'
    ) + 1
    report = _tfroot("nested-modules", "--select", "CVL201")
    assert _summary(report) == [("CVL201", "error", "aws_sagemaker_model.green", green_line)]
    assert report["summary"]["files"] == 3  # the child modules are read through the root
    # the clarify group's self ingress is a dynamic block over var.self_ingress
    no_self = _tfroot("nested-modules", "--var", "self_ingress=false")
    assert ("CVL401", "error", "blue-bias", 2) in _summary(no_self)
    # the endpoints admit cidrsubnet(var.cidr, 4, var.admitted_block): the subnets' /20, or not
    elsewhere = _tfroot("nested-modules", "--var", "admitted_block=4")
    assert {(f["rule"], f["file"]) for f in elsewhere["findings"] if f["rule"] == "CVL307"} == {
        ("CVL307", "./modules/network/main.tf")
    }
    assert {f["resource"] for f in elsewhere["findings"] if f["rule"] == "CVL307"} == {
        f'module.network["blue"].aws_vpc_endpoint.interface["sagemaker.{name}"]'
        for name in ("api", "runtime")
    }


def test_tf_findings_carry_the_terraform_remediation() -> None:
    report = _tfroot("nested-modules", "--select", "CVL201")
    (finding,) = report["findings"]
    assert "vpc_config {" in finding["remediation"]


def test_invalid_hcl_is_one_input_error_and_other_files_are_linted(tmp_path: Path) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "main.tf").write_text('resource "aws_vpc" "x" {\n  cidr_block = \n}\n')
    shutil.copytree(TFROOT / "nested-modules", tmp_path / "good")
    completed = run_cli(".", "--format", "json", cwd=tmp_path)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    report = json.loads(completed.stdout)
    (error,) = report["errors"]
    # the missing value is on line 2 or where the parser meets the "}" after it: either names it
    assert error["file"] == "./broken/main.tf" and error["line"] in (2, 3)
    assert error["message"].startswith("not valid HCL")
    alone = run_json(".", cwd=tmp_path / "good")
    assert [f["rule"] for f in report["findings"]] == [f["rule"] for f in alone["findings"]]


def test_var_options_are_checked() -> None:
    completed = run_cli(str(TFROOT / "variables"), "--var", "private_dns")
    assert completed.returncode == 2 and "is not NAME=VALUE" in completed.stderr
    report = run_json(str(TFROOT / "variables"), "--var", "privte_dns=true")
    assert report["errors"] == [
        {
            "file": "--var",
            "line": None,
            "message": "privte_dns: no Terraform root module linted declares it",
        }
    ]


def test_an_argument_from_a_variable_without_value_is_never_a_default(
    tmp_path: Path, monkeypatch
) -> None:
    """An endpoint type or an egress CIDR that only --var would tell is unknown, never Gateway or
    no peer: the findings it decides are info."""
    text = (FIXTURES / "good" / "terraform" / "main.tf").read_text()
    text = text.replace('vpc_endpoint_type   = "Interface"', "vpc_endpoint_type   = var.type")
    text = text.replace('cidr_blocks = ["0.0.0.0/0"]', "cidr_blocks = var.egress")
    text += (
        'variable "type" {\n  type = string\n}\n\nvariable "egress" {\n  type = list(string)\n}\n'
    )
    (tmp_path / "main.tf").write_text(text)
    shutil.copy(FIXTURES / "good" / "terraform" / "clarify-vpc-lint.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    network, _ = read_root(".")
    types = {e.loc.resource: e.endpoint_type for e in network.endpoints}
    assert types["aws_vpc_endpoint.s3"] == "Gateway"  # not written: Terraform's default
    assert "pass --var type=" in types['aws_vpc_endpoint.interface["sagemaker.api"]'].reason
    report = run_json(".", "--config", "clarify-vpc-lint.yaml", cwd=tmp_path)
    given = ("--var", "type=Interface", "--var", 'egress=["0.0.0.0/0"]')
    known = run_json(".", "--config", "clarify-vpc-lint.yaml", *given, cwd=tmp_path)
    # what the two variables decide: the findings that go once they are given
    settled = {(f["rule"], f["resource"]) for f in known["findings"]}
    decided = [f for f in report["findings"] if (f["rule"], f["resource"]) not in settled]
    assert decided and {f["severity"] for f in decided} == {"info"}
    assert "CVL402" in {f["rule"] for f in decided}


def test_tf_remediations_are_hcl_that_parses(monkeypatch) -> None:
    """Findings on .tf resources carry the rules' terraform remediation, pasteable as HCL
    (a step inside an embedded workflow definition keeps the definition's JSON fix)."""
    monkeypatch.chdir(ROOT)
    rules = set()
    for folder in [p for p in PLAN_FOLDERS if p.name.startswith("tf-bad")]:
        folder = folder.relative_to(ROOT)
        result = run(Options(paths=[str(folder / "main.tf")], config=_config(folder)))
        for finding in result.findings:
            if finding.file.endswith(".tf") and "/" not in finding.resource:
                hcl.parse_hcl(finding.remediation, finding.rule)
                rules.add(finding.rule)
    assert {"CVL201", "CVL301", "CVL307"} <= rules, sorted(rules)


def test_a_resource_with_unknown_count_may_exist(tmp_path: Path) -> None:
    """A self-ingress rule or an endpoint behind ``count = var.x ? 1 : 0`` without a value:
    what it decides is info; given --var, definite."""
    text = (FIXTURES / "good" / "terraform" / "main.tf").read_text()
    self_ingress = '  ingress {\n    from_port = 0\n    to_port   = 0\n    protocol  = "-1"\n    self      = true\n  }\n\n'
    assert self_ingress in text
    text = text.replace(self_ingress, "")
    text += (
        'variable "cluster" {\n  type = bool\n}\n\n'
        'resource "aws_security_group_rule" "cluster" {\n'
        "  count             = var.cluster ? 1 : 0\n"
        '  type              = "ingress"\n'
        "  security_group_id = aws_security_group.clarify.id\n"
        '  protocol          = "-1"\n  from_port         = 0\n  to_port           = 0\n'
        "  self              = true\n}\n"
    )
    (tmp_path / "main.tf").write_text(text)
    shutil.copy(FIXTURES / "good" / "terraform" / "clarify-vpc-lint.yaml", tmp_path)
    config = ("--config", "clarify-vpc-lint.yaml", "--select", "CVL401")
    report = run_json(".", *config, cwd=tmp_path)
    assert {(f["rule"], f["severity"]) for f in report["findings"]} == {("CVL401", "info")}
    on = run_json(".", *config, "--var", "cluster=true", cwd=tmp_path)
    assert on["findings"] == []
    off = run_json(".", *config, "--var", "cluster=false", cwd=tmp_path)
    assert {(f["rule"], f["severity"]) for f in off["findings"]} == {("CVL401", "error")}


def test_the_hcl_evaluator_is_imported_only_when_tf_files_are_linted() -> None:
    script = (
        "import sys\n"
        "from clarify_vpc_lint.linter import Options, run\n"
        "run(Options(paths=[sys.argv[1]]))\n"
        "print('clarify_vpc_lint.readers.terraform.config' in sys.modules, 'tree_sitter' in sys.modules)\n"
    )
    template = "tests/fixtures/good/private-clarify-vpc.yaml"
    for path, imported in ((template, "False False"), (str(TFROOT), "True True")):
        completed = subprocess.run(
            [sys.executable, "-c", script, path], cwd=ROOT, capture_output=True, text=True
        )
        assert completed.stdout.strip() == imported, completed.stderr


def test_a_local_module_whose_folder_is_missing_is_named_with_its_path(tmp_path: Path) -> None:
    """Not silence (issue 21): --verbose names the module call, its file and line, and the path."""
    (tmp_path / "main.tf").write_text('module "network" {\n  source = "./modules/network"\n}\n')
    completed = run_cli(str(tmp_path), "--verbose")
    assert f"{tmp_path / 'main.tf'}:1: module network: ./modules/network is not a directory" in (
        completed.stderr + completed.stdout
    )
    assert completed.returncode == 0  # nothing is wrong with the inputs given
    report = run_json(str(tmp_path))
    assert {(f["severity"], f["resource"], f["line"]) for f in report["findings"]} == {
        ("info", "module.network", 1)
    }
    assert (
        "module network: ./modules/network is not a directory" in report["findings"][0]["message"]
    )


def test_a_missing_module_folder_deeper_down_is_named_too(tmp_path: Path) -> None:
    (tmp_path / "net").mkdir()
    (tmp_path / "main.tf").write_text('module "net" {\n  source = "./net"\n}\n')
    (tmp_path / "net" / "main.tf").write_text(
        'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n\n'
        'module "subnets" {\n  source = "../subnets"\n}\n'
    )
    report = run_json(str(tmp_path))
    assert {(f["severity"], f["resource"]) for f in report["findings"]} == {
        ("info", "module.net.module.subnets")
    }
    assert "module subnets: ../subnets is not a directory" in report["findings"][0]["message"]


_HIDDEN = (
    'variable "spokes" {\n  type = set(string)\n}\n\n'
    'variable "models" {\n  type = map(string)\n}\n\n'
    'module "spoke" {\n  source   = "./spoke"\n  for_each = var.spokes\n}\n\n'
    'resource "aws_sagemaker_model" "m" {\n  for_each           = var.models\n'
    "  name               = each.key\n"
    '  execution_role_arn = "arn:aws:iam::111122223333:role/Model"\n'
    "  primary_container {\n    image = each.value\n  }\n}\n\n"
    'resource "aws_s3_bucket" "data" {\n  for_each = var.models\n  bucket   = each.key\n}\n'
)


def test_a_root_for_each_over_an_unset_variable_says_what_it_hides(tmp_path: Path) -> None:
    """One info per variable, naming it and the module call or the model it hides; a bucket
    (no job, model or network part) hides nothing the rules read. Given --var, it expands."""
    (tmp_path / "spoke").mkdir()
    (tmp_path / "spoke" / "main.tf").write_text(
        'resource "aws_vpc" "v" {\n  cidr_block = "10.1.0.0/16"\n}\n'
    )
    (tmp_path / "main.tf").write_text(_HIDDEN)
    report = run_json(str(tmp_path))
    hidden = {(f["severity"], f["resource"]) for f in report["findings"]}
    assert hidden == {("info", "module.spoke"), ("info", "aws_sagemaker_model.m")}
    messages = {f["resource"]: f["message"] for f in report["findings"]}
    assert "variable spokes has no default" in messages["module.spoke"]
    assert "for_each of module.spoke (main.tf:9)" in messages["module.spoke"]
    assert "variable models has no default" in messages["aws_sagemaker_model.m"]
    assert "aws_s3_bucket" not in messages["aws_sagemaker_model.m"]
    given = run_json(str(tmp_path), "--var", 'spokes=["a"]', "--var", "models={}")
    assert given["findings"] == []


def test_a_resource_declared_twice_is_an_input_error_as_terraform_says(tmp_path: Path) -> None:
    (tmp_path / "twice").mkdir()
    (tmp_path / "twice" / "main.tf").write_text(
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
    )
    (tmp_path / "twice" / "more.tf").write_text(
        '\nresource "aws_vpc" "main" {\n  cidr_block = "10.1.0.0/16"\n}\n'
    )
    shutil.copytree(TFROOT / "nested-modules", tmp_path / "good")
    completed = run_cli(".", "--format", "json", cwd=tmp_path)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    report = json.loads(completed.stdout)
    (error,) = report["errors"]
    assert error["file"] == "./twice/more.tf" and error["line"] == 2
    assert 'duplicate resource "aws_vpc" "main"' in error["message"]
    assert "main.tf:1" in error["message"]
    assert [f["rule"] for f in report["findings"]] == ["CVL201"]  # the other root still linted
