"""``--fix`` and ``--diff`` (SPEC sections 5 and 6): every fix the linter writes is proven on its
rule's bad fixtures, in each input language: applied and linted again, the finding is gone,
nothing new appears from any rule, the file parses, and only the lines of the setting changed.
A fix that needs a value the file does not hold is listed as not applied, saying what it needs."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import stat
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
from conftest import FIXTURES, ROOT, fixture_module, run_cli
from msgspec.structs import replace

from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.fixes import (
    APPENDS,
    MEMBERS,
    NEW_RESOURCES,
    NEW_SUBNETS,
    SETTINGS,
    VPC_CONFIGS,
    plan_fixes,
)
from clarify_vpc_lint.fixes.policies import RULES as POLICY_RULES
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
    # both subnets in one zone, and no other in the inputs: a new subnet, in a block not known
    ("CVL201", "api-bad"): "a free block of the VPC: not known",
    ("CVL201", "one_subnet_model.py"): "a free block of the VPC: not known",
    ("CVL202", "api-bad"): "a free block of the VPC: not known",
    ("CVL202", "api-bad-model"): "a free block of the VPC: not known",
    ("CVL202", "tf-bad"): "change it there",  # a job declared in the config file
    ("CVL304", "api-bad"): "an inventory records AWS as it is",
    ("CVL304", "tf-bad-private-dns-resource"): "set apart by aws_vpc_endpoint_private_dns",
    ("CVL401", "api-bad"): "an AWS CLI command",  # a group in AWS
    ("CVL402", "api-bad"): "an AWS CLI command",
    ("CVL403", "api-bad"): "an AWS CLI command",
    ("CVL403", "api-bad-prefix-list-not-s3"): "an AWS CLI command",
    ("CVL403", "api-bad-vpc-cidr"): "an AWS CLI command",
    ("CVL404", "api-bad"): "an AWS CLI command",
    ("CVL303", "tf-bad-module-dotted-index"): "creates the module's interface endpoints from its",
    # an endpoint of the service with private DNS is there (for another region, or under a
    # condition): a second one is refused by EC2
    ("CVL302", "bad-service-region.yaml"): "SageMakerApiEndpoint is this service's endpoint with",
    ("CVL303", "bad-condition-default.yaml"): "SageMakerRuntimeEndpoint is this service's",
    ("CVL306", "bad-main-table.yaml"): "a route table the fix can name",  # the VPC's main table
    ("CVL305", "api-bad"): "an inventory records AWS as it is",
    ("CVL104", "api-bad"): "is the policy as AWS lists it: change it in AWS",
    ("CVL105", "api-bad"): "is the policy as AWS lists it: change it in AWS",
    ("CVL105", "bad.yaml"): "requires sagemaker:VolumeKmsKey: set ProcessingResources",
    ("CVL105", "bad-create-model"): "give the model a VpcConfig that meets it",
    ("CVL105", "tf-bad-create-model"): "give the model a VpcConfig that meets it",
    ("CVL105", "api-bad-create-model"): "is the policy as AWS lists it: change it in AWS",
    ("CVL501", "api-bad"): "is the policy as AWS lists it: change it in AWS",
    ("CVL502", "api-bad"): "is the policy as AWS lists it: change it in AWS",
    ("CVL502", "api-bad-monitor"): "is the policy as AWS lists it: change it in AWS",
    ("CVL502", "bad-no-endpoint.yaml"): "reaches S3 without an S3 endpoint",
    ("CVL502", "tf-bad-no-endpoint"): "downloads the model outside any VPC",
    ("CVL503", "api-bad"): "is the policy as AWS lists it: change it in AWS",
    ("CVL503", "api-bad-boundary"): "is the policy as AWS lists it: change it in AWS",
    **{
        (rule, case): "an inventory records AWS as it is"
        for rule, cases in {
            "CVL301": ["", "-internet-gateway", "-model-isolated-subnet", "-private-nat"]
            + ["-s3-interface-inbound-only", "-s3-interface-no-private-dns"],
            "CVL302": ["", "-internet-gateway"],
            "CVL303": ["", "-internet-gateway"],
            "CVL306": [""],
            "CVL307": [""],
            "CVL308": [""],
            "CVL309": [""],
            "CVL310": [""],
        }.items()
        for case in (f"api-bad{suffix}" for suffix in cases)
    },
    ("CVL102", "bad.yaml"): "no model in a VPC is linked to it",  # nothing to take them from
    ("CVL102", "tf-bad"): "a job declared in the config file",
    ("CVL103", "api-bad-other-vpc"): "a choice of one VPC",  # both in a VPC: a person's choice
}
# what a policy fix may change in a line it does not add: the condition it narrows
POLICY_NAMES = ("Condition", "Null", "ArnNotLike", "aws:SourceVpc", "sagemaker:")


CASES = {ROOT / case for case in fixture_module("cases").cases()}  # patches are no case


def _cases() -> List[Tuple[str, Path]]:
    cases = []
    for rule in dict.fromkeys(
        [*SETTINGS, *APPENDS, *NEW_RESOURCES, *MEMBERS, *NEW_SUBNETS, *POLICY_RULES, *VPC_CONFIGS]
    ):
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
    if rule in APPENDS or rule in NEW_SUBNETS:
        item = APPENDS.get(rule) or NEW_SUBNETS[rule]
        return [n for n in [*item.cloudformation, item.terraform, item.python] if n]
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
    fixes = plan_fixes(replace(before, findings=[f for f in before.findings if f.rule == rule]))
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
    assert _new(after, known, fixes) == set()
    for file, content in files.items():
        old = content.decode().splitlines()
        new = file.read_text().splitlines()
        changed = [line for line in difflib.ndiff(old, new) if line.startswith(("- ", "+ "))]
        if rule in NEW_RESOURCES or rule in VPC_CONFIGS:  # lines added, none changed
            assert all(line.startswith("+ ") for line in changed), changed
        elif rule in MEMBERS:  # members added (a flow mapping's line), an association pointed
            names = ("DomainName", "domain_name", "DhcpOptionsId")
            assert all(line.startswith("+ ") or any(n in line for n in names) for line in changed)
        elif rule in POLICY_RULES:  # a statement or resource added, or one condition narrowed
            narrowed = [
                line
                for line in changed
                if not line.startswith("+ ") and not re.fullmatch(r"- [\s\]}),]*", line)
            ]  # a list's closing bracket may follow the added statement
            assert all(any(n in line for n in POLICY_NAMES) for line in narrowed), changed
            assert len([line for line in narrowed if line.startswith("- ")]) <= 1, changed
        else:  # the setting's or list's lines changed; a new subnet's lines added
            new_subnet = rule in NEW_SUBNETS and any(f.rule == rule for f in fixes.applied)
            assert all(
                any(name in line for name in _names(rule)) or (new_subnet and line.startswith("+ "))
                for line in changed
            ), changed


def _new(after, known: set, fixes) -> set:
    """The findings the fixes brought. Two kinds are no fault of a fix that writes a VpcConfig
    (CVL102, CVL103): an info (undecided) on the resource given subnets the inputs do not
    describe, as its job's are not; and, once a job joins a VPC (CVL102), the findings on that
    VPC's own subjects (its endpoints, subnets, DHCP options), judged now a Clarify job uses it."""
    from clarify_vpc_lint.catalogue import load_rules

    given = {f.fix_vpc_config.resource for f in fixes.applied if f.fix_vpc_config}
    network = {r.id for r in load_rules() if r.subject in ("vpcs", "subnets", "endpoints")}
    joined = any(f.rule == "CVL102" for f in fixes.applied)
    new = {(f.rule, f.resource, f.severity) for f in after.findings} - known
    return {
        (rule, resource, severity)
        for rule, resource, severity in new
        if not (severity == "info" and resource in given) and not (joined and rule in network)
    }


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


@pytest.mark.parametrize(
    "written,last",
    [
        (
            "        Subnets:\n          - !Ref SubnetA  # the first zone\n",
            "          - !Ref SubnetA  # the first zone\n",
        ),
        # the new item goes after the whole last item, never between its lines
        ("        Subnets:\n          - Ref:\n              SubnetA\n", "              SubnetA\n"),
    ],
    ids=["one-line-items", "last-item-over-two-lines"],
)
def test_cvl201_adds_the_existing_subnet_to_a_block_list(
    written: str, last: str, tmp_path: Path
) -> None:
    template = _one_subnet_model(tmp_path, "        Subnets: [!Ref SubnetA]\n", written)
    original = template.read_text()
    plan_fixes(run(Options(paths=[str(template)]))).write()
    assert template.read_text() == original.replace(last, last + "          - !Ref SubnetB\n")
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
    original = template.read_text()
    plan_fixes(run(Options(paths=[str(template)]))).write()
    fixed = template.read_text()
    assert "  ClarifySecurityGroupSelfIngress2:\n" in fixed
    assert fixed.count("  ClarifySecurityGroupSelfIngress:\n") == 1  # the user's, as it was
    assert set(original.splitlines()) <= set(fixed.splitlines())
    after = run(Options(paths=[str(template)]))
    assert after.errors == [] and "CVL401" not in [f.rule for f in after.findings]


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
    """cfn-lint's own verdict on a template (its checks, by ID and path, not line). In this
    process: a cfn-lint process per template costs a second and a half of start-up, twice for
    each of a hundred fixed cases."""
    from cfnlint.api import lint_file

    return {(match.rule.id, tuple(match.path or ())) for match in lint_file(template)}


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
        written = any(
            rule.id in fixes
            for fixes in (SETTINGS, APPENDS, NEW_RESOURCES, MEMBERS, POLICY_RULES, VPC_CONFIGS)
        )
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
    assert _new(after, known, fixes) == set()
    listed = {(n.finding.rule, n.finding.resource) for n in fixes.not_applied if n.reason}
    left = {
        (f.rule, f.resource)
        for f in after.findings
        if f.severity != "info" and (f.rule, f.resource, f.severity) in known  # new: see _new
    }
    assert left <= listed, left - listed


NETWORK_FIXES = [
    *[
        (rule, "bad.yaml")
        for rule in ("CVL202", "CVL301", "CVL302", "CVL303", "CVL306", "CVL307", "CVL308")
        + ("CVL309", "CVL310", "CVL403", "CVL404")
    ],
    ("CVL201", "bad-same-az.yaml"),  # a new subnet, its route table association, the list
    ("CVL308", "bad-no-options.yaml"),  # a new options set, the association pointed at it
]


@pytest.mark.parametrize("rule,case", NETWORK_FIXES)
def test_each_network_fix_works_in_a_json_template(rule: str, case: str, tmp_path: Path) -> None:
    """The rule's bad template written in JSON: its fix is written as JSON members in the
    template's indentation, only added, and the finding is gone with nothing new."""
    import json

    from clarify_vpc_lint.documents import parse_text

    data = parse_text("x.yaml", (RULES_DIR / rule / case).read_text()).data
    template = tmp_path / "template.json"
    template.write_text(json.dumps(json.loads(json.dumps(data)), indent=2) + "\n")
    original = template.read_text()
    before = run(Options(paths=[str(template)]))
    plan_fixes(replace(before, findings=[f for f in before.findings if f.rule == rule])).write()
    fixed = template.read_text()
    assert fixed != original
    after = run(Options(paths=[str(template)]))
    assert after.errors == [] and rule not in [f.rule for f in after.findings]
    known = {(f.rule, f.resource, f.severity) for f in before.findings}
    assert {(f.rule, f.resource, f.severity) for f in after.findings} <= known
    changed = [
        line
        for line in difflib.ndiff(original.splitlines(), fixed.splitlines())
        if line.startswith(("- ", "+ "))
    ]
    if rule in NEW_RESOURCES:  # members added; only a closing brace gains its comma
        assert all(line.startswith("+ ") or line.strip() == "- }" for line in changed), changed
    json.loads(fixed)


def _tf_case(rule: str, name: str, tmp_path: Path) -> Tuple[Path, Optional[Path]]:
    return _copy(RULES_DIR / rule / name, tmp_path)


def test_a_new_tf_block_never_takes_an_address_in_use(tmp_path: Path) -> None:
    """The configuration already has an aws_vpc_endpoint.sagemaker_runtime (for another
    service): the new endpoint is aws_vpc_endpoint.sagemaker_runtime_2, the user's untouched."""
    path, config = _tf_case("CVL303", "tf-bad", tmp_path)
    main = path / "main.tf"
    main.write_text(
        main.read_text()
        + '\nresource "aws_vpc_endpoint" "sagemaker_runtime" {\n'
        + "  vpc_id       = aws_vpc.main.id\n"
        + '  service_name = "com.amazonaws.us-east-1.ecr.api"\n}\n'
    )
    original = main.read_text()
    before = _lint(path, config)
    plan_fixes(replace(before, findings=[f for f in before.findings if f.rule == "CVL303"])).write()
    fixed = main.read_text()
    assert 'resource "aws_vpc_endpoint" "sagemaker_runtime_2" {' in fixed
    assert fixed.count('resource "aws_vpc_endpoint" "sagemaker_runtime" {') == 1
    assert set(original.splitlines()) <= set(fixed.splitlines())
    after = _lint(path, config)
    assert after.errors == [] and "CVL303" not in [f.rule for f in after.findings]


def test_a_new_interface_endpoint_takes_one_subnet_per_zone(tmp_path: Path) -> None:
    """EC2 refuses an interface endpoint with two subnets in one zone: the job runs in three
    subnets, two of them in zone 0; the new endpoint gets the first of each zone."""
    text = (RULES_DIR / "CVL303" / "bad.yaml").read_text()
    text = text.replace(
        "  PrivateRoutes:\n",
        "  SubnetC:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref Vpc, "
        "CidrBlock: 10.0.3.0/24, AvailabilityZone: !Select [0, !GetAZs '']}\n"
        "  SubnetCRoutes:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n"
        "    Properties: {SubnetId: !Ref SubnetC, RouteTableId: !Ref PrivateRoutes}\n"
        "  PrivateRoutes:\n",
        1,
    ).replace(
        "          Subnets: [!Ref SubnetA, !Ref SubnetB]\n",
        "          Subnets: [!Ref SubnetA, !Ref SubnetC, !Ref SubnetB]\n",
    )
    template = tmp_path / "template.yaml"
    template.write_text(text)
    before = run(Options(paths=[str(template)]))
    (finding,) = [f for f in before.findings if f.rule == "CVL303"]
    assert "SubnetIds: [!Ref SubnetA, !Ref SubnetB]" in finding.remediation
    plan_fixes(replace(before, findings=[finding])).write()
    after = run(Options(paths=[str(template)]))
    assert after.errors == [] and "CVL303" not in [f.rule for f in after.findings]


def test_two_vpcs_missing_one_endpoint_get_two_endpoints_under_two_names(tmp_path: Path) -> None:
    """Two findings needing different resources of one name: the second is numbered."""
    text = (RULES_DIR / "CVL310" / "bad.yaml").read_text()
    body = text[text.index("Resources:\n") + len("Resources:\n") :]
    names = re.findall(r"^  (\w+):", body, re.M)
    copy = body
    for name in names:
        copy = re.sub(rf"\b{name}\b", f"{name}Two", copy)
    copy = copy.replace("10.0.", "10.1.")
    template = tmp_path / "template.yaml"
    template.write_text(text + copy)
    before = run(Options(paths=[str(template)]))
    assert len([f for f in before.findings if f.rule == "CVL310"]) == 2
    plan_fixes(replace(before, findings=[f for f in before.findings if f.rule == "CVL310"])).write()
    fixed = template.read_text()
    assert "  LogsEndpoint:\n" in fixed and "  LogsEndpoint2:\n" in fixed
    after = run(Options(paths=[str(template)]))
    assert after.errors == [] and "CVL310" not in [f.rule for f in after.findings]


@pytest.mark.parametrize(
    "case,written",
    [
        ("tf-bad", "  ingress {\n    from_port   = 443\n"),  # the group's rules are inline
        ("tf-bad-default-group", 'resource "aws_vpc_security_group_ingress_rule"'),
    ],
)
def test_tf_rules_are_written_the_way_the_group_writes_its_own(
    case: str, written: str, tmp_path: Path
) -> None:
    """Terraform overwrites inline rules with rule resources and back: a group with ingress
    blocks gets one more, a group without (here the VPC's default group) a rule resource."""
    path, config = _tf_case("CVL307", case, tmp_path)
    before = _lint(path, config)
    plan_fixes(replace(before, findings=[f for f in before.findings if f.rule == "CVL307"])).write()
    fixed = (path / "main.tf").read_text()
    assert written in fixed
    inline = case == "tf-bad"
    assert ("aws_vpc_security_group_ingress_rule" in fixed) is not inline
    after = _lint(path, config)
    assert after.errors == [] and "CVL307" not in [f.rule for f in after.findings]


def test_a_tf_endpoint_of_the_service_under_a_count_is_never_declared_twice(
    tmp_path: Path,
) -> None:
    """The runtime endpoint exists in the code with private DNS but count = 0: a second one
    with private DNS would be refused by EC2 once the count turns 1, so the fix says so."""
    path, config = _tf_case("CVL303", "tf-bad", tmp_path)
    main = path / "main.tf"
    main.write_text(
        main.read_text()
        + '\nresource "aws_vpc_endpoint" "runtime" {\n'
        + "  count               = 0\n"
        + "  vpc_id              = aws_vpc.main.id\n"
        + '  service_name        = "com.amazonaws.us-east-1.sagemaker.runtime"\n'
        + '  vpc_endpoint_type   = "Interface"\n'
        + "  private_dns_enabled = true\n}\n"
    )
    before = _lint(path, config)
    assert "CVL303" in [f.rule for f in before.findings if f.severity == "error"]
    fixes = plan_fixes(replace(before, findings=[f for f in before.findings if f.rule == "CVL303"]))
    (left,) = fixes.not_applied
    assert "aws_vpc_endpoint.runtime (main.tf) is this service's endpoint" in left.reason
    assert fixes.fixed == {}


# -- CVL102, CVL103: a VpcConfig the inputs hold, written into the job or its model -------------

CVL102_MODEL = RULES_DIR / "CVL102" / "bad-model"  # the job takes the model's network
CVL103_MODEL = RULES_DIR / "CVL103" / "bad"  # the model takes the job's


def _as_json(case: Path, into: Path) -> Path:
    """The case's template written as a JSON template, beside its analysis config."""
    import json

    from clarify_vpc_lint.documents import parse_text

    shutil.copytree(case, into / case.name, ignore=shutil.ignore_patterns("*.yaml"))
    data = parse_text("x.yaml", (case / "template.yaml").read_text()).data
    (into / case.name / "template.json").write_text(
        json.dumps(json.loads(json.dumps(data)), indent=2) + "\n"
    )
    return into / case.name


def _fixed(folder: Path) -> Tuple[List[str], List[str]]:
    """(rules found before, rules found after) a --fix of ``folder``."""
    before = run(Options(paths=[str(folder)]))
    plan_fixes(before).write()
    after = run(Options(paths=[str(folder)]))
    assert after.errors == []
    return sorted(f.rule for f in before.findings), sorted(f.rule for f in after.findings)


def test_cvl102_in_a_json_template_copies_the_models_vpc_config(tmp_path: Path) -> None:
    import json

    folder = _as_json(CVL102_MODEL, tmp_path)
    assert _fixed(folder) == (["CVL102"], [])
    resources = json.loads((folder / "template.json").read_text())["Resources"]
    network = resources["ClarifyJob"]["Properties"]["NetworkConfig"]
    assert network == {
        "VpcConfig": resources["Model"]["Properties"]["VpcConfig"],
        "EnableNetworkIsolation": False,  # kept
    }


def test_cvl103_in_a_json_template_gives_the_model_resource_the_jobs(tmp_path: Path) -> None:
    import json

    folder = _as_json(CVL103_MODEL, tmp_path)
    assert _fixed(folder) == (["CVL103"], [])
    resources = json.loads((folder / "template.json").read_text())["Resources"]
    job = resources["ClarifyJob"]["Properties"]["NetworkConfig"]["VpcConfig"]
    assert resources["Model"]["Properties"]["VpcConfig"] == job
    assert resources["Model"]["Properties"]["ModelName"] == "churn-model"  # not a new resource


def _job_network(tmp_path: Path, written: str) -> Path:
    """CVL102's bad-model case with the job's NetworkConfig written as ``written``."""
    folder = tmp_path / "case"
    shutil.copytree(CVL102_MODEL, folder)
    template = folder / "template.yaml"
    old = "      NetworkConfig:\n        EnableNetworkIsolation: false\n"
    assert template.read_text().endswith(old)
    template.write_text(template.read_text().replace(old, written))
    return template


def test_cvl102_adds_the_network_config_a_job_lacks(tmp_path: Path) -> None:
    template = _job_network(tmp_path, "")
    original = template.read_text()
    assert _fixed(template.parent) == (["CVL102"], [])
    vpc = "{Subnets: [!Ref SubnetA, !Ref SubnetB], SecurityGroupIds: [!Ref ClarifySecurityGroup]}"
    assert template.read_text() == original.replace(
        "    Properties:\n      RoleArn: arn:aws:iam::111122223333:role/Clarify\n",
        f"    Properties:\n      NetworkConfig: {{VpcConfig: {vpc}}}\n"
        "      RoleArn: arn:aws:iam::111122223333:role/Clarify\n",
    )


def test_cvl102_keeps_every_member_of_a_flow_network_config(tmp_path: Path) -> None:
    template = _job_network(
        tmp_path,
        "      NetworkConfig: {EnableNetworkIsolation: false, EnableInterContainerTrafficEncryption: false}\n",
    )
    assert _fixed(template.parent) == (["CVL102"], [])
    assert template.read_text().endswith(
        "      NetworkConfig: {EnableNetworkIsolation: false, EnableInterContainerTrafficEncryption: "
        "false, VpcConfig: {Subnets: [!Ref SubnetA, !Ref SubnetB], SecurityGroupIds: "
        "[!Ref ClarifySecurityGroup]}}\n"
    )


def test_cvl102_never_writes_over_a_vpc_config_it_cannot_read(tmp_path: Path) -> None:
    template = _job_network(
        tmp_path,
        "      NetworkConfig: !If [InVpc, {EnableNetworkIsolation: false}, !Ref AWS::NoValue]\n",
    )
    template.write_text(template.read_text() + "Conditions:\n  InVpc: !Equals [a, a]\n")
    fixes = plan_fixes(run(Options(paths=[str(template.parent)])))
    (left,) = [n for n in fixes.not_applied if n.finding.rule == "CVL102"]
    assert "NetworkConfig is not a mapping (Fn::If)" in left.reason and fixes.fixed == {}


def test_cvl102_api_request_without_network_config_gets_one(tmp_path: Path) -> None:
    import json

    case = tmp_path / "api"
    shutil.copytree(RULES_DIR / "CVL102" / "api-bad", case)
    job = json.loads((case / "job.json").read_text())
    del job["NetworkConfig"]
    (case / "job.json").write_text(json.dumps(job, indent=2) + "\n")
    before = run(Options(paths=[str(case)]))
    plan_fixes(before).write()
    assert json.loads((case / "job.json").read_text())["NetworkConfig"] == {
        "VpcConfig": {
            "Subnets": ["subnet-0aaa1111", "subnet-0bbb2222"],
            "SecurityGroupIds": ["sg-0job"],
        }
    }
    assert "CVL102" not in [f.rule for f in run(Options(paths=[str(case)])).findings]


def test_cvl103_two_jobs_giving_one_model_two_networks_is_a_choice(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    shutil.copytree(CVL103_MODEL, folder)
    template = folder / "template.yaml"
    text = template.read_text()
    job = text[text.index("  ClarifyJob:") :]
    other = job.replace("  ClarifyJob:", "  OtherJob:", 1).replace(
        "Subnets: [!Ref SubnetA, !Ref SubnetB]", "Subnets: [!Ref SubnetB, !Ref SubnetA]"
    )
    assert other != job.replace("  ClarifyJob:", "  OtherJob:", 1)
    template.write_text(text + other)
    fixes = plan_fixes(run(Options(paths=[str(folder)])))
    reasons = [n.reason for n in fixes.not_applied if n.finding.rule == "CVL103"]
    assert reasons == ["another job's fix gives Model another VpcConfig: choose one"]


def test_a_tf_fix_in_another_file_of_the_module_keeps_its_crlf_lines(tmp_path: Path) -> None:
    """CVL308's DHCP options set is in another .tf file of the module, written with \\r\\n: the
    members are added where they belong (the offsets are found in the text the edit is applied
    to) and the file keeps its line endings."""
    path, config = _copy(RULES_DIR / "CVL308" / "tf-bad", tmp_path)
    main = path / "main.tf"
    text = main.read_text()
    start = text.index('resource "aws_vpc_dhcp_options" "corp"')
    main.write_text(text[:start])
    dhcp = path / "dhcp.tf"
    dhcp.write_bytes(("# the VPC's DHCP options\n\n" + text[start:]).replace("\n", "\r\n").encode())
    before = _lint(path, config)
    assert "CVL308" in {f.rule for f in before.findings if f.severity != "info"}
    fixes = plan_fixes(replace(before, findings=[f for f in before.findings if f.rule == "CVL308"]))
    assert [f.rule for f in fixes.applied] == ["CVL308"]
    fixes.write()
    fixed = dhcp.read_bytes().decode()
    assert "\n" not in fixed.replace("\r\n", "")  # every line still ends in \r\n
    assert 'domain_name_servers = ["AmazonProvidedDNS"]' in fixed
    after = _lint(path, config)
    assert after.errors == [] and "CVL308" not in {f.rule for f in after.findings}
