"""``--fix`` and ``--diff`` (SPEC sections 5 and 6): every fix the linter writes is proven on its
rule's bad fixtures, in each input language: applied and linted again, the finding is gone,
nothing new appears from any rule, the file parses, and only the lines of the setting changed.
A fix that needs a value the file does not hold is listed as not applied, saying what it needs."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
from conftest import FIXTURES, ROOT, fixture_module, run_cli

from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.fixes import APPENDS, NEW_RESOURCES, SETTINGS, plan_fixes
from clarify_vpc_lint.linter import Options, run

RULES_DIR = FIXTURES / "rules"
PYTHON_CASES = {
    "CVL101": [FIXTURES / "python" / "isolation_network_config.py"],
    "CVL201": [FIXTURES / "python" / "one_subnet_model.py"],
}
# the bad cases whose fix needs what the file does not hold: what the listing must say
NOT_APPLIED = {
    ("CVL101", "bad-if.yaml"): "not a literal (Fn::If): set it to false where its value is given",
    ("CVL101", "bad-parameter.yaml"): "not a literal (Ref Isolate)",
    ("CVL101", "tf-bad"): "change it there",  # a job declared in the config file
    ("CVL201", "api-bad"): "no subnet of the model's VPC in another zone",  # both in one zone
    ("CVL201", "bad-same-az.yaml"): "no subnet of the model's VPC in another zone",
    ("CVL201", "tf-bad-same-az"): "no subnet of the model's VPC in another zone",
    ("CVL201", "one_subnet_model.py"): "no subnet of the model's VPC in another zone",
    ("CVL304", "api-bad"): "an inventory records AWS as it is",
    ("CVL304", "tf-bad-private-dns-resource"): "set apart by aws_vpc_endpoint_private_dns",
    ("CVL401", "api-bad"): "written only into a CloudFormation template",  # a group in AWS
    ("CVL401", "tf-bad"): "written only into a CloudFormation template",  # a declared job
    ("CVL402", "api-bad"): "written only into a CloudFormation template",
    ("CVL402", "tf-bad"): "written only into a CloudFormation template",
    ("CVL305", "api-bad"): "an inventory records AWS as it is",
}


CASES = {ROOT / case for case in fixture_module("cases").cases()}  # patches are no case


def _cases() -> List[Tuple[str, Path]]:
    cases = []
    for rule in [*SETTINGS, *APPENDS, *NEW_RESOURCES]:
        for case in sorted((RULES_DIR / rule).glob("*bad*")):
            if case in CASES:  # a patch is no case: what it writes is
                cases.append((rule, case))
        cases.extend((rule, script) for script in PYTHON_CASES.get(rule, []))
    return cases


def _copy(case: Path, into: Path) -> Tuple[Path, Optional[Path]]:
    """The case in ``into``; a Terraform case as its configuration (.tf), without its plan."""
    if case.is_file():
        shutil.copy(case, into / case.name)
        return into / case.name, None
    target = into / case.name
    plan = shutil.ignore_patterns("plan.json") if case.name.startswith("tf-") else None
    shutil.copytree(case, target, ignore=plan)
    config = target / "clarify-vpc-lint.yaml"
    return target, config if config.is_file() else None


def _lint(path: Path, config: Optional[Path]):
    return run(Options(paths=[str(path)], config=load_config(config) if config else None))


def _names(rule: str) -> List[str]:
    if rule in APPENDS:
        item = APPENDS[rule]
        return [*item.cloudformation, item.terraform, item.python]
    names = []
    for setting in SETTINGS[rule]:
        names += [*setting.cloudformation, setting.terraform or "", setting.python or ""]
    return [n for n in names if n]


@pytest.mark.parametrize(
    "rule,case", _cases(), ids=lambda value: value if isinstance(value, str) else value.name
)
def test_each_fix_is_proven_on_its_bad_fixtures(rule: str, case: Path, tmp_path: Path) -> None:
    path, config = _copy(case, tmp_path)
    before = _lint(path, config)
    assert before.errors == []
    wrong = [f for f in before.findings if f.rule == rule and f.severity != "info"]
    assert wrong, f"{rule} does not fire on {case}"
    files = {
        p: p.read_bytes() for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file()
    }
    fixes = plan_fixes(before)
    expected = NOT_APPLIED.get((rule, case.name))
    if expected is not None:
        reasons = [n.reason for n in fixes.not_applied if n.finding.rule == rule]
        assert reasons and all(expected in reason for reason in reasons), reasons
        assert not [f for f in fixes.applied if f.rule == rule]
        return
    assert sorted(f.resource for f in fixes.applied if f.rule == rule) == sorted(
        f.resource for f in wrong
    )
    fixes.write()
    after = _lint(path, config)
    assert after.errors == []  # the fixed files parse
    assert [f for f in after.findings if f.rule == rule and f.severity != "info"] == []
    known = {(f.rule, f.resource, f.severity) for f in before.findings}
    assert {(f.rule, f.resource, f.severity) for f in after.findings} <= known
    for file, content in files.items():
        old = content.decode().splitlines()
        new = file.read_text().splitlines()
        changed = [line for line in difflib.ndiff(old, new) if line.startswith(("- ", "+ "))]
        if rule in NEW_RESOURCES:  # a new resource: lines added, none changed
            assert all(line.startswith("+ ") for line in changed), changed
        else:
            assert all(any(name in line for name in _names(rule)) for line in changed), changed


def _endpoint_case(tmp_path: Path) -> Path:
    template = tmp_path / "endpoint.yaml"
    shutil.copy(RULES_DIR / "CVL304" / "bad.yaml", template)
    return template


def test_diff_prints_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    template = _endpoint_case(tmp_path)
    before = template.read_bytes()
    completed = run_cli("endpoint.yaml", "--diff", cwd=tmp_path)
    assert completed.returncode == 1
    assert "--- a/endpoint.yaml" in completed.stdout
    assert "+      PrivateDnsEnabled: true" in completed.stdout
    assert template.read_bytes() == before
    clean = run_cli(str(FIXTURES / "good" / "private-clarify-vpc.yaml"), "--diff")
    assert clean.returncode == 0 and clean.stdout == ""


def test_fix_writes_lints_again_and_lists_what_it_left(tmp_path: Path) -> None:
    shutil.copy(RULES_DIR / "CVL101" / "bad-parameter.yaml", tmp_path / "job.yaml")
    template = _endpoint_case(tmp_path)
    completed = run_cli(".", "--fix", cwd=tmp_path)
    assert "PrivateDnsEnabled: true" in template.read_text()
    assert "fixed 1 finding(s) in 1 file(s)" in completed.stderr
    assert (
        "CVL101 ClarifyJob: not fixed: NetworkConfig.EnableNetworkIsolation is not a literal (Ref Isolate)"
        in completed.stderr
    )
    assert "CVL304" not in completed.stdout and "CVL101" in completed.stdout  # the second lint


def test_fix_keeps_line_endings_mode_and_every_other_byte(tmp_path: Path) -> None:
    template = _endpoint_case(tmp_path)
    original = template.read_text().replace("\n", "\r\n")
    template.write_bytes(original.encode())
    os.chmod(template, 0o640)
    fixes = plan_fixes(run(Options(paths=[str(template)])))
    fixes.write()
    fixed = template.read_bytes().decode()
    assert stat.S_IMODE(os.stat(template).st_mode) == 0o640
    inserted = "      PrivateDnsEnabled: true\r\n"
    assert fixed.count("\r\n") == original.count("\r\n") + 1 and "\n" not in fixed.replace(
        "\r\n", ""
    )
    assert fixed.replace(inserted, "", 1) == original


def test_json_template_keeps_its_indentation_and_key_order(tmp_path: Path) -> None:
    import json

    from clarify_vpc_lint.documents import parse_text

    data = parse_text("x.yaml", (RULES_DIR / "CVL305" / "bad.yaml").read_text()).data
    template = tmp_path / "vpc.json"
    template.write_text(json.dumps(json.loads(json.dumps(data)), indent=4) + "\n")
    original = template.read_text()
    plan_fixes(run(Options(paths=[str(template)]))).write()
    fixed = template.read_text()
    assert fixed.replace('                "EnableDnsHostnames": true,\n', "", 1) == original


def test_an_inventory_is_never_written(tmp_path: Path) -> None:
    case = RULES_DIR / "CVL304" / "api-bad"
    shutil.copytree(case, tmp_path / "case")
    before = {p.name: p.read_bytes() for p in (tmp_path / "case").iterdir()}
    run_cli("case", "--fix", cwd=tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "case").iterdir()} == before


def test_tf_fix_changes_the_argument_inside_its_block(tmp_path: Path) -> None:
    main = tmp_path / "main.tf"
    main.write_text(
        'resource "aws_vpc" "main" {\n'
        '  cidr_block           = "10.0.0.0/16" # the VPC\n'
        "  enable_dns_support   = false\n"
        '  tags = { Name = "x" }\n'
        "}\n"
    )
    from clarify_vpc_lint.findings import Finding
    from clarify_vpc_lint.fixes.hcl import edits

    finding = Finding("CVL305", "n", "error", str(main), 1, 1, "aws_vpc.main", "m", "r")
    text = main.read_text()
    (support, hostnames) = edits(finding, "terraform-config", text, SETTINGS["CVL305"])
    assert text[support.start : support.end] == "false" and support.text == "true"
    assert hostnames.text == "  enable_dns_hostnames = true\n"
    assert text[: hostnames.start].endswith('main" {\n')


def _one_subnet_model(tmp_path: Path, old: str, new: str) -> Path:
    template = tmp_path / "model.yaml"
    text = (FIXTURES / "cli" / "one-error.yaml").read_text()
    assert old in text
    template.write_text(text.replace(old, new))
    return template


def test_cvl201_adds_the_existing_subnet_to_a_block_list(tmp_path: Path) -> None:
    template = _one_subnet_model(
        tmp_path,
        "        Subnets: [!Ref SubnetA]\n",
        "        Subnets:\n          - !Ref SubnetA  # the first zone\n",
    )
    original = template.read_text()
    plan_fixes(run(Options(paths=[str(template)]))).write()
    assert template.read_text() == original.replace(
        "          - !Ref SubnetA  # the first zone\n",
        "          - !Ref SubnetA  # the first zone\n          - !Ref SubnetB\n",
    )
    assert [f.rule for f in run(Options(paths=[str(template)])).findings] == []


def test_cvl201_in_a_json_template_refs_the_subnet_as_json(tmp_path: Path) -> None:
    import json

    from clarify_vpc_lint.documents import parse_text

    data = parse_text("x.yaml", (FIXTURES / "cli" / "one-error.yaml").read_text()).data
    template = tmp_path / "model.json"
    template.write_text(json.dumps(json.loads(json.dumps(data)), indent=2) + "\n")
    plan_fixes(run(Options(paths=[str(template)]))).write()
    model = json.loads(template.read_text())["Resources"]["Model"]["Properties"]["VpcConfig"]
    assert model["Subnets"] == [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]
    assert [f.rule for f in run(Options(paths=[str(template)])).findings] == []


def test_cvl201_never_replaces_a_list_it_cannot_see(tmp_path: Path) -> None:
    template = _one_subnet_model(
        tmp_path,
        "        Subnets: [!Ref SubnetA]\n",
        "        Subnets: !Split [',', !Join [',', [!Ref SubnetA]]]\n",
    )
    fixes = plan_fixes(run(Options(paths=[str(template)])))
    (left,) = [n for n in fixes.not_applied if n.finding.rule == "CVL201"]
    assert (
        fixes.fixed == {} and "not a list: add !Ref SubnetB where its value is given" in left.reason
    )


def test_a_new_resource_never_takes_a_name_in_use(tmp_path: Path) -> None:
    template = tmp_path / "jobs.yaml"
    text = (RULES_DIR / "CVL401" / "bad.yaml").read_text()
    template.write_text(
        text.replace(
            "Resources:\n",
            "Resources:\n  ClarifySecurityGroupSelfIngress:\n    Type: AWS::SNS::Topic\n",
            1,
        )
    )
    fixes = plan_fixes(run(Options(paths=[str(template)])))
    (left,) = [n for n in fixes.not_applied if n.finding.rule == "CVL401"]
    assert "already names a resource" in left.reason and fixes.fixed == {}


def test_two_jobs_on_one_group_get_one_new_rule(tmp_path: Path) -> None:
    template = tmp_path / "jobs.yaml"
    text = (RULES_DIR / "CVL401" / "bad.yaml").read_text()
    job = text[text.index("  ClarifyJob:") :]  # the last resource
    template.write_text(text + job.replace("  ClarifyJob:  # <- CVL401", "  SecondJob:", 1))
    before = run(Options(paths=[str(template)]))
    assert len([f for f in before.findings if f.rule == "CVL401"]) == 2
    fixes = plan_fixes(before)
    fixes.write()
    assert template.read_text().count("ClarifySecurityGroupSelfIngress:") == 1
    after = run(Options(paths=[str(template)]))
    assert after.errors == [] and [f for f in after.findings if f.rule == "CVL401"] == []


def _inventory_case(tmp_path: Path) -> Path:
    """The API case with its model in one of the two subnets the inventory holds."""
    case = tmp_path / "api"
    shutil.copytree(RULES_DIR / "CVL201" / "api-good", case)
    model = case / "model.json"
    model.write_text(model.read_text().replace('      "subnet-0aaa1111",\n', "", 1))
    return case


def test_cvl201_in_api_json_adds_the_other_subnet_by_id(tmp_path: Path) -> None:
    case = _inventory_case(tmp_path)
    original = (case / "model.json").read_text()
    before = run(Options(paths=[str(case)]))
    assert [f.rule for f in before.findings if f.severity == "error"] == ["CVL201"]
    plan_fixes(before).write()
    assert (case / "model.json").read_text() == original.replace(
        '"subnet-0bbb2222"\n', '"subnet-0bbb2222",\n      "subnet-0aaa1111"\n'
    )
    after = run(Options(paths=[str(case)]))
    assert after.errors == [] and [f for f in after.findings if f.severity == "error"] == []


def test_cvl201_in_python_adds_the_other_subnet_by_id(tmp_path: Path) -> None:
    case = _inventory_case(tmp_path)
    for name in ("model.json", "job.json", "analysis_config.json"):
        (case / name).unlink()
    script = tmp_path / "model.py"
    script.write_text(
        (FIXTURES / "python" / "one_subnet_model.py")
        .read_text()
        .replace('"subnet-0py1a"', '"subnet-0bbb2222"')
        .replace('"sg-0pyok"', '"sg-0job"')
    )
    before = run(Options(paths=[str(script)], context=[str(case)]))
    assert "CVL201" in [f.rule for f in before.findings if f.severity == "error"]
    plan_fixes(before).write()
    assert '"Subnets": ["subnet-0bbb2222", "subnet-0aaa1111"]' in script.read_text()
    after = run(Options(paths=[str(script)], context=[str(case)]))
    assert after.errors == [] and "CVL201" not in [f.rule for f in after.findings]


def _cfn_lint_checks(template: Path) -> set:
    """cfn-lint's own verdict on a template (its checks, by ID and path, not line)."""
    import json
    import subprocess
    import sys

    completed = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--format", "json", str(template)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode in (0, 2, 4, 6, 8, 10, 12, 14), completed.stderr
    return {(m["Rule"]["Id"], tuple(m.get("Path") or ())) for m in json.loads(completed.stdout)}


def _terraform_parses(folder: Path) -> None:
    import subprocess

    completed = subprocess.run(
        ["terraform", "fmt", "-write=false", "-list=false", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "rule,case",
    [
        (rule, case)
        for rule, case in _cases()
        if (rule, case.name) not in NOT_APPLIED
        and (case.suffix == ".yaml" or case.name.startswith("tf-"))
    ],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_cfn_lint_and_terraform_accept_each_fix(rule: str, case: Path, tmp_path: Path) -> None:
    """Nothing new from cfn-lint (its own checks); terraform still parses the configuration."""
    path, config = _copy(case, tmp_path)
    before = _cfn_lint_checks(path) if path.is_file() else None
    plan_fixes(_lint(path, config)).write()
    if before is not None:
        assert _cfn_lint_checks(path) <= before
    else:
        _terraform_parses(path)


def test_every_rule_has_a_fix_or_says_what_its_fix_needs() -> None:
    from clarify_vpc_lint.catalogue import load_rules
    from clarify_vpc_lint.fixes import NEEDS

    for rule in load_rules():
        written = rule.id in SETTINGS or rule.id in APPENDS or rule.id in NEW_RESOURCES
        assert written or NEEDS.get(rule.id), rule.id


def test_cvl201_picks_another_item_of_the_list_the_model_selects_from(tmp_path: Path) -> None:
    """The README's example: the model takes `!Select [0, ...]` of the network stack's joined
    export; the smallest fix picks item 1 of the same list (PrivateSubnetB, in another zone)."""
    examples = FIXTURES.parents[1] / "examples" / "cloudformation"
    for name in ("ml.yaml", "network.yaml"):
        shutil.copy(examples / name, tmp_path / name)
    before = run(Options(paths=[str(tmp_path)]))
    (finding,) = [f for f in before.findings if f.rule == "CVL201"]
    picked = '!Select [1, !Split [",", !ImportValue clarify-example-subnets]]'
    assert picked in finding.remediation
    plan_fixes(before).write()
    selected = '!Select [0, !Split [",", !ImportValue clarify-example-subnets]]'
    lines = (tmp_path / "ml.yaml").read_text().splitlines()
    assert f"        Subnets: [{selected}, {picked}]" in lines  # added, the list kept
    after = run(Options(paths=[str(tmp_path)]))
    assert after.errors == [] and "CVL201" not in [f.rule for f in after.findings]


ALL_BAD = sorted(case for case in RULES_DIR.glob("CVL*/*bad*") if case in CASES)


@pytest.mark.parametrize("case", ALL_BAD, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fix_on_every_bad_fixture_leaves_only_what_it_lists(case: Path, tmp_path: Path) -> None:
    """--fix on any bad case: the files still parse, nothing new appears, and every error or
    warning left was listed as not applied, with what its fix needs."""
    path, config = _copy(case, tmp_path)
    before = _lint(path, config)
    fixes = plan_fixes(before)
    fixes.write()
    after = _lint(path, config)
    assert after.errors == []
    known = {(f.rule, f.resource, f.severity) for f in before.findings}
    # a job moved into a VPC makes that VPC judged: what the inputs do not say of it is info
    decided = {(f.rule, f.resource, f.severity) for f in after.findings if f.severity != "info"}
    assert decided <= known
    listed = {(n.finding.rule, n.finding.resource) for n in fixes.not_applied if n.reason}
    left = {(f.rule, f.resource) for f in after.findings if f.severity != "info"}
    assert left <= listed, left - listed
