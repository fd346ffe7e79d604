"""Every remediation the fixture suite produces is valid when pasted (SPEC section 5).

The whole fixture suite is linted; each finding's remediation is parsed in the language of the file
it points at: a CloudFormation template's in YAML (with the short tags) or, for a JSON template,
JSON; a Terraform finding's with the project's HCL parser; an AWS CLI fix as shell words whose
``--region`` is the input's; JSON members as JSON. None may hold placeholder text.
"""

from __future__ import annotations

import ast
import ipaddress
import json
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from conftest import FIXTURES

from clarify_vpc_lint import linter
from clarify_vpc_lint.catalogue import explain, load_rules, rules_by_id
from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.documents import parse_yaml
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.names import refs
from clarify_vpc_lint.readers.terraform.config.hcl import parse_hcl
from clarify_vpc_lint.remediation import fill, in_template_syntax, syntax_of, without_comments
from clarify_vpc_lint.resolve import build_subjects
from clarify_vpc_lint.resolve.subjects import Subject

# placeholder text a pasted fix must never hold
FORBIDDEN = (
    "an unknown value",
    "(not known)",
    "VPC_ID",
    "SUBNET_ID",
    "ROUTE_TABLE",
    "JOB_SECURITY_GROUP",
    "NETWORK_ACL",
    "JOB_SUBNETS_CIDR",
    "[/*",
    "<",
    "...",
)
_PLACEHOLDER = re.compile(r"\{[a-z][a-z0-9_]*\}")


def _cases() -> List[Path]:
    """Every folder or file the suite lints as one run."""
    cases = [
        p
        for p in sorted((FIXTURES / "rules").glob("CVL*/*"))
        if p.name != "expected-lines.yaml" and not p.name.endswith(".patch.yaml")
    ]
    for folder in ("good", "multi", "python", "remediations", "terraform", "tfroot", "workflows"):
        cases.extend(p for p in sorted((FIXTURES / folder).iterdir()) if p.name != "README.md")
    return cases


@cache
def _remediations() -> List[Tuple[str, str, str, str]]:
    """(case, rule, file, remediation) for every finding of the suite."""
    found = []
    for case in _cases():
        config_file = case / "clarify-vpc-lint.yaml"
        config = load_config(config_file) if config_file.is_file() else None
        for finding in run(Options(paths=[str(case)], config=config)).findings:
            found.append((str(case), finding.rule, finding.file, finding.remediation))
    return found


def _language(rule: str, file: str, text: str) -> str:
    """yaml, json, hcl or shell: the syntax of the rule's template the fix was filled from."""
    for language, template in rules_by_id()[rule].remediation.items():
        if _filled_from(template, text):
            if language == "cloudformation" and not text.lstrip().startswith("#"):
                return "yaml"
            return syntax_of(language, template)
    return "json"  # a YAML fix rendered to JSON for a template written in JSON


def _filled_from(template: str, text: str) -> bool:
    """Whether ``text`` is ``template`` filled: each line's words before a placeholder match."""
    lines = [_given(line) for line in text.splitlines()]
    lines = [line for line in lines if not line.startswith("# ")]
    wanted = [line for line in template.splitlines() if not line.startswith("# ")]
    if len(lines) != len(wanted):
        return False
    return all(
        line.startswith(_PLACEHOLDER.split(pattern)[0])
        for line, pattern in zip(lines, wanted, strict=False)
    )


# a line with a value the inputs lack, given as a comment: the gap it shows for the value
_LEFT_OUT = re.compile(r"^(\s*)# (.*(?:\(its value\)|\[their IDs\]).*)$")


def _given(line: str) -> str:
    """A line given as a comment (a value the inputs lack), as its template wrote it."""
    left_out = _LEFT_OUT.match(line)
    return left_out.group(1) + left_out.group(2) if left_out else line


_PART = re.compile(r"^# in (.+), under (\w+):$")


def _parts(text: str) -> List[Tuple[str, str, object]]:
    """(file, section, parsed body) of each part of a template fix: a part is headed by comments
    (``# in FILE, under Outputs:`` names where it goes; "" for the finding's template) and its
    body is YAML, or JSON members (a template written in JSON)."""
    parts: List[Tuple[str, str, List[str]]] = []
    where = ("", "")
    for line in text.splitlines():
        if line.startswith("#"):  # indented: a member given as a comment, in its part
            header = _PART.match(line.strip())
            where = (header.group(1), header.group(2)) if header else where
            if not parts or parts[-1][2]:
                parts.append((*where, []))
            else:
                parts[-1] = (*where, parts[-1][2])
        else:
            if not parts:
                parts.append((*where, []))
            parts[-1][2].append(line)
    return [(file, section, _body(lines)) for file, section, lines in parts if lines]


def _body(lines: List[str]) -> object:
    text = "\n".join(lines).strip()
    if text.startswith('"'):
        return json.loads("{" + text + "}")
    return _plain(parse_yaml(text))


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _parse(language: str, text: str, region: str) -> None:
    if language in ("yaml", "json"):
        _parts(text)
    elif language == "python":
        _parse_python(text)
    elif language == "hcl":
        parse_hcl(text + "\n", "remediation.tf")
    else:  # shell: AWS CLI lines
        words = shlex.split(text, comments=True)
        assert words or [line for line in text.splitlines() if _LEFT_OUT.match(line)], text
        for line in text.splitlines():
            if "aws " in line and not line.lstrip().startswith("#"):
                assert f"--region {region}" in line, line


def _parse_python(text: str) -> None:
    """Python code, or the members of a dict (a boto3 request the script builds as a dict)."""
    try:
        ast.parse(text)
    except SyntaxError:
        ast.parse("{\n" + text + "\n}")


def _region(case: str) -> str:
    """The input's region: eu-west-1 when its inventory's AZs say so, else the default."""
    texts = [p.read_text() for p in Path(case).rglob("*.json")] if Path(case).is_dir() else []
    zones = {z for t in texts for z in re.findall(r'"AvailabilityZone": "([a-z0-9-]+)"', t)}
    regions = {z[:-1] for z in zones}
    return regions.pop() if len(regions) == 1 else "us-east-1"


def test_the_suite_produces_remediations_in_every_language() -> None:
    languages = {_language(rule_id, file, text) for _, rule_id, file, text in _remediations()}
    assert languages == {"yaml", "json", "hcl", "shell", "python"}


@pytest.mark.parametrize("rule", [rule.id for rule in load_rules()])
def test_every_remediation_parses_in_its_language(rule: str) -> None:
    failures: Dict[str, str] = {}
    for case, rule_id, file, text in _remediations():
        if rule_id != rule:
            continue
        language = _language(rule_id, file, text)
        try:
            _parse(language, text, _region(case))
        except Exception as error:  # report every failure at once
            failures[f"{file} ({language})"] = f"{type(error).__name__}: {error}\n{text}"
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())


@pytest.mark.parametrize("rule", [rule.id for rule in load_rules()])
def test_no_remediation_holds_placeholder_text(rule: str) -> None:
    for _, rule_id, file, text in _remediations():
        if rule_id == rule:
            assert not _PLACEHOLDER.search(text), f"{file}: {text}"
            assert not [token for token in FORBIDDEN if token in text], f"{file}: {text}"


# an empty value: pasted, it is accepted and means nothing (no subnets, no VPC); the region's
# zones (``!GetAZs ''``) are the one empty argument that means something
_EMPTY_VALUE = re.compile(
    r"""(?<!GetAZs )(?<!"Fn::GetAZs": )(""|''|\[\s*\]|\{\s*\}|\bnull\b|\bNone\b)"""
)


@pytest.mark.parametrize("rule", [rule.id for rule in load_rules()])
def test_no_remediation_holds_an_empty_value(rule: str) -> None:
    """A value the inputs do not hold is never written empty: its line is given as a comment
    that shows the gap and says what is missing."""
    for _, rule_id, file, text in _remediations():
        if rule_id != rule:
            continue
        for line in without_comments(text).splitlines():
            assert not _EMPTY_VALUE.search(line), f"{file}: {line}\n{text}"


def test_a_value_the_inputs_lack_is_given_as_a_comment_saying_where_to_look() -> None:
    text = fill(
        "Endpoint:\n  Properties:\n    VpcId: {vpc}\n    SubnetIds: [{subnets}]\n",
        {"vpc": refs((), "the VPC of Job: not in the inputs"), "subnets": refs((), "none")},
        "yaml",
    )
    assert text.splitlines()[2:4] == [
        "    # VpcId: (its value)  # the VPC of Job: not in the inputs; "
        "aws ec2 describe-vpcs lists your VPCs",
        "    # SubnetIds: [their IDs]  # none; aws ec2 describe-subnets lists your subnets",
    ]
    assert parse_yaml(text)["Endpoint"]["Properties"] is None  # nothing empty to paste
    shell = fill("aws ec2 x --group-id {g} --port 443", {"g": refs((), "no group")}, "shell")
    assert shell.startswith("# aws ec2 x --group-id (its value) --port 443  # no group")
    assert shlex.split(shell, comments=True) == []


def test_a_json_template_gets_a_json_fix() -> None:
    """The YAML fix rendered to JSON members, with the template's references as JSON intrinsics."""
    case = str(FIXTURES / "remediations" / "json-template")
    (finding,) = run(Options(paths=[case], select=("CVL310",))).findings
    members = json.loads("{" + _without_comments(finding.remediation) + "}")
    endpoint = members["LogsEndpoint"]["Properties"]
    assert endpoint["VpcId"] == {"Ref": "Vpc"}
    assert endpoint["SubnetIds"] == [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]
    assert endpoint["ServiceName"] == {"Fn::Sub": "com.amazonaws.${AWS::Region}.logs"}


@pytest.mark.parametrize("rule", load_rules(), ids=lambda rule: rule.id)
def test_explain_shows_real_looking_names(rule) -> None:
    """--explain and the docs show each fix filled with example names, never a placeholder."""
    text = explain(rule)
    assert not _PLACEHOLDER.search(text), _PLACEHOLDER.search(text)
    assert not [token for token in FORBIDDEN if token in _fixes_of(text)]


def _fixes_of(text: str) -> str:
    return text[text.index("## Fix") : text.index("## References")]


def test_the_region_of_the_inventory_when_no_region_is_given() -> None:
    """An inventory in eu-west-1 gets eu-west-1 commands; an explicit --region wins."""
    case = str(FIXTURES / "remediations" / "eu-west-1")
    fixes = [f.remediation for f in run(Options(paths=[case])).findings]
    commands = [line for fix in fixes for line in fix.splitlines() if "aws ec2" in line]
    assert commands and all("--region eu-west-1" in line for line in commands)
    assert "com.amazonaws.eu-west-1.logs" in "\n".join(fixes)
    assert "eu-west-1.compute.internal" in "\n".join(fixes)
    given = [f.remediation for f in run(Options(paths=[case], region="eu-central-1")).findings]
    assert all("us-east-1" not in fix and "eu-west-1 " not in fix for fix in given)
    assert "--region eu-central-1" in "\n".join(given)


def test_an_unknown_vpc_is_looked_up_from_its_subnet_in_a_shell_fix() -> None:
    case = str(FIXTURES / "workflows" / "cases" / "network-2" / "pipeline" / "pipeline.json")
    fixes = {f.rule: f.remediation for f in run(Options(paths=[case])).findings}
    assert (
        '--vpc-id "$(aws ec2 describe-subnets --region us-east-1 --subnet-ids subnet-0n2a '
        "--query 'Subnets[0].VpcId' --output text)\"" in fixes["CVL310"]
    )
    assert "--subnet-ids subnet-0n2a subnet-0n2b" in fixes["CVL310"]


# -- a fix that adds a subnet is whole where it is pasted ---------------------------------------


def _template(path: Path) -> Dict:
    return _plain(parse_yaml(path.read_text()))


def _plain(value):
    """Parsed YAML (position-keeping mappings and lists) as plain JSON data."""
    return json.loads(json.dumps(value))


def _subnet_blocks(template: Dict) -> List:
    return [
        ipaddress.ip_network(resource["Properties"]["CidrBlock"])
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::EC2::Subnet"
    ]


def _az_index(properties: Dict) -> int:
    return properties["AvailabilityZone"]["Fn::Select"][0]


def test_a_model_splitting_a_joined_export_gets_an_export_of_its_own_to_join() -> None:
    """An export cannot change while a stack imports it: the new subnet gets its own export in
    the stack defining the subnets, and the model joins the two before it splits them."""
    case = FIXTURES / "multi" / "export-import"
    (finding,) = run(Options(paths=[str(case)])).findings
    assert finding.rule == "CVL201" and finding.file.endswith("ml.yaml")
    network, model = str(case / "network.yaml"), str(case / "ml.yaml")
    parts = {(file, section): body for file, section, body in _parts(finding.remediation)}
    assert set(parts) == {(network, "Resources"), (network, "Outputs"), (model, "Resources")}
    subnet = parts[network, "Resources"]["ClarifySecondAzSubnet"]["Properties"]
    assert subnet["VpcId"] == {"Ref": "Vpc"}
    block = ipaddress.ip_network(subnet["CidrBlock"])
    assert block.subnet_of(ipaddress.ip_network("10.0.0.0/16"))
    assert not any(block.overlaps(t) for t in _subnet_blocks(_template(case / "network.yaml")))
    # the subnets are in "${AWS::Region}a": the new one in b, in whatever region the stack is
    assert subnet["AvailabilityZone"] == {"Fn::Sub": "${AWS::Region}b"}
    (output,) = parts[network, "Outputs"].values()
    assert output["Value"] == {"Ref": "ClarifySecondAzSubnet"}
    new_export = output["Export"]["Name"]
    assert new_export not in _template(case / "network.yaml")["Outputs"]
    subnets = parts[model, "Resources"]["Model"]["Properties"]["VpcConfig"]["Subnets"]
    assert subnets == {
        "Fn::Split": [
            ",",
            {
                "Fn::Join": [
                    ",",
                    [
                        {"Fn::ImportValue": "ml-network-private-subnets"},
                        {"Fn::ImportValue": new_export},
                    ],
                ]
            },
        ]
    }


def test_a_model_importing_each_subnet_gets_an_export_and_its_import_each_in_its_syntax() -> None:
    """Network stack (YAML): the subnet and its export; model's template (JSON): the import."""
    case = FIXTURES / "remediations" / "export-each"
    (finding,) = run(Options(paths=[str(case)])).findings
    network, model = str(case / "network.yaml"), str(case / "ml.json")
    parts = {(file, section): body for file, section, body in _parts(finding.remediation)}
    assert '"ClarifySecondAzSubnet"' not in finding.remediation  # YAML for the YAML stack
    assert '"Model": {' in finding.remediation  # JSON members for the JSON template
    subnet = parts[network, "Resources"]["ClarifySecondAzSubnet"]["Properties"]
    assert subnet["VpcId"] == {"Ref": "Vpc"}
    block = ipaddress.ip_network(subnet["CidrBlock"])
    assert not any(block.overlaps(t) for t in _subnet_blocks(_template(case / "network.yaml")))
    assert _az_index(subnet) == 1  # the subnets are in zone 0 of Fn::GetAZs
    (export,) = parts[network, "Outputs"].values()
    assert export["Value"] == {"Ref": "ClarifySecondAzSubnet"}
    new_export = export["Export"]["Name"]
    assert new_export.startswith("ml-network-subnet-")
    assert parts[model, "Resources"]["Model"]["Properties"]["VpcConfig"]["Subnets"] == [
        {"Fn::ImportValue": "ml-network-subnet-a"},
        {"Fn::ImportValue": "ml-network-subnet-b"},
        {"Fn::ImportValue": new_export},
    ]


def test_a_model_reading_its_subnets_from_another_stack_gets_the_subnet_to_add_there() -> None:
    case = FIXTURES / "remediations" / "ssm-single-az"
    (finding,) = run(Options(paths=[str(case)])).findings
    assert f"{case / 'network.yaml'} defines Model's subnets" in finding.remediation
    ((file, section, body),) = _parts(finding.remediation)
    assert (file, section) == (str(case / "network.yaml"), "Resources")
    assert list(body) == ["ClarifySecondAzSubnet"]  # nothing to paste into the model's template
    assert _az_index(body["ClarifySecondAzSubnet"]["Properties"]) == 0  # the subnets use zone 1


@pytest.mark.parametrize("rule", [rule.id for rule in load_rules()])
def test_every_template_reference_in_a_fix_is_defined_where_it_is_pasted(rule: str) -> None:
    """Each part of a CloudFormation fix refers only to resources and parameters of the template
    it goes into (the finding's, or the one its heading names) or that the fix adds there."""
    failures = []
    for _, rule_id, file, text in _remediations():
        if rule_id != rule or not _defined(Path(file)) or text.lstrip().startswith("aws "):
            continue  # not a template's fix
        parts = [(part_file or file, section, body) for part_file, section, body in _parts(text)]
        added: Dict[str, set] = {}
        for part_file, section, body in parts:
            if section in ("", "Resources") and isinstance(body, dict):
                added.setdefault(part_file, set()).update(body)
        for part_file, _, body in parts:
            defined = set(_defined(Path(part_file))) | added.get(part_file, set())
            undefined = sorted(set(_referenced(body)) - defined)
            if undefined:
                failures.append(f"{file} (part for {part_file}): {undefined}\n{text}")
    assert not failures, "\n\n".join(failures)


def _referenced(value: object):
    """The logical IDs a parsed template fragment refers to with Ref and Fn::GetAtt."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str) and not item.startswith("AWS::"):
                yield item
            elif key == "Fn::GetAtt":
                yield (item.split(".")[0] if isinstance(item, str) else item[0])
            else:
                yield from _referenced(item)
    elif isinstance(value, list):
        for item in value:
            yield from _referenced(item)


def _defined(path: Path) -> List[str]:
    try:
        template = _template(path) if path.is_file() else {}
    except Exception:  # not a template: names nothing
        return []
    sections = (
        [template.get(k) for k in ("Resources", "Parameters")] if isinstance(template, dict) else []
    )
    return [str(name) for section in sections if isinstance(section, dict) for name in section]


def test_an_inventory_fix_creates_a_subnet_in_a_free_block_of_the_vpc() -> None:
    """describe-vpcs gives the VPC's associated blocks; describe-subnets the ones taken."""
    case = FIXTURES / "remediations" / "inventory-free-block"
    (fix,) = [f.remediation for f in run(Options(paths=[str(case)])).findings if f.rule == "CVL202"]
    command = next(line for line in fix.splitlines() if line.startswith("aws ec2 create-subnet"))
    words = shlex.split(command)
    block = ipaddress.ip_network(words[words.index("--cidr-block") + 1])
    assert block.subnet_of(ipaddress.ip_network("10.1.0.0/16"))  # not the disassociated block
    taken = [ipaddress.ip_network(c) for c in ("10.1.1.0/24", "10.1.2.0/24")]
    assert not any(block.overlaps(t) for t in taken)


def test_a_terraform_fix_in_a_module_names_that_modules_resources_as_its_code_does() -> None:
    """The VPC is in module.net: its fix goes into that module's code, where the VPC is
    aws_vpc.main; a resource of the root is out of reach there, and the fix says how to pass it."""
    case = FIXTURES / "terraform" / "module"
    options = Options(
        paths=[str(case / "plan.json")], config=load_config(case / "clarify-vpc-lint.yaml")
    )
    fixes = {f.rule: f.remediation for f in run(options).findings}
    runtime = fixes["CVL303"]
    assert runtime.startswith("# in the configuration of module.net\n")
    assert "vpc_id              = aws_vpc.main.id" in runtime
    assert "subnet_ids          = [aws_subnet.private[0].id, aws_subnet.private[1].id]" in runtime
    assert "aws_security_group.clarify is outside module.net: pass it in as a variable" in runtime
    # the endpoint is in the root module and its VPC inside module.net
    assert "module.net.aws_vpc.main is inside module.net: use an output" in fixes["CVL307"]


# -- CVL102: the network a job without VpcConfig is given ------------------------------------------

CVL102 = FIXTURES / "rules" / "CVL102"
# the names the catalogue shows in --explain: a fix for a real input must never hold them
EXAMPLE_NAMES = ("PrivateSubnetA", "ClarifySecurityGroup", "subnet-0aaa1111", "sg-0clarify")


def _cvl102_fix(*paths: Path, config_file: Optional[Path] = None) -> str:
    config = load_config(config_file) if config_file is not None else None
    result = run(Options(paths=[str(p) for p in paths], config=config))
    (fix,) = [f.remediation for f in result.findings if f.rule == "CVL102"]
    return fix


def test_cvl102_gives_a_template_job_the_subnets_and_groups_of_its_model() -> None:
    fix = _cvl102_fix(CVL102 / "bad-model")
    vpc_config = parse_yaml(fix)["ClarifyJob"]["Properties"]["NetworkConfig"]["VpcConfig"]
    assert vpc_config == {
        "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
        "SecurityGroupIds": [{"Ref": "ClarifySecurityGroup"}],
    }
    assert fix.startswith("# the subnets and security groups of its model Model")


def test_cvl102_gives_a_job_beside_a_terraform_plan_the_addresses_of_its_model() -> None:
    case = CVL102 / "tf-bad"
    fix = _cvl102_fix(case / "plan.json", config_file=case / "clarify-vpc-lint.yaml")
    (job,) = parse_yaml(fix)["jobs"]
    assert job == {
        "name": "churn-bias",
        "subnets": ["aws_subnet.private[0]", "aws_subnet.private[1]"],
        "security-groups": ["aws_security_group.clarify"],
    }
    assert "its model aws_sagemaker_model.churn" in fix


def test_cvl102_terraform_fix_is_hcl_naming_the_models_network(monkeypatch) -> None:
    """No Terraform resource is a Clarify job, so the Terraform fix shows only in the docs; filled
    for a real job it is still HCL referring to the plan's resources."""
    subjects: List[Subject] = []

    def keep(network, region):
        subjects.extend(build_subjects(network, region))
        return subjects

    monkeypatch.setattr(linter, "build_subjects", keep)
    case = CVL102 / "tf-bad"
    run(
        Options(paths=[str(case / "plan.json")], config=load_config(case / "clarify-vpc-lint.yaml"))
    )
    (job,) = [s for s in subjects if s.kind == "jobs"]
    fix = fill(rules_by_id()["CVL102"].remediation["terraform"], job.context, "hcl")
    parse_hcl(fix + "\n", "remediation.tf")
    assert "subnets            = [aws_subnet.private[0].id, aws_subnet.private[1].id]" in fix
    assert "security_group_ids = [aws_security_group.clarify.id]" in fix


def test_cvl102_gives_an_api_job_the_ids_of_its_model() -> None:
    case = CVL102 / "api-bad"
    fix = _cvl102_fix(case)
    model = json.loads((case / "model.json").read_text())["VpcConfig"]
    members = json.loads("{" + _without_comments(fix) + "}")
    assert members["NetworkConfig"]["VpcConfig"] == model
    assert "its model churn-model" in fix


PYTHON_JOB = """
from sagemaker import clarify
from sagemaker.model import Model

model = Model(
    image_uri="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    model_data="s3://churn-ml-artifacts/churn/model.tar.gz",
    role="arn:aws:iam::111122223333:role/model",
    name="churn-xgboost",
    {vpc}
)
processor = clarify.SageMakerClarifyProcessor(
    role="arn:aws:iam::111122223333:role/clarify", instance_count=1, instance_type="ml.m5.xlarge"
)
processor.run_explainability(
    data_config=clarify.DataConfig(
        s3_data_input_path="s3://churn-ml-artifacts/churn/train.csv",
        s3_output_path="s3://churn-ml-artifacts/churn/clarify-shap",
    ),
    model_config=clarify.ModelConfig(
        model_name="churn-xgboost", instance_count=1, instance_type="ml.m5.xlarge"
    ),
    explainability_config=clarify.SHAPConfig(),
)
"""


def _network_config_of(fix: str) -> Dict[str, object]:
    call = next(
        node.value
        for node in ast.parse(fix).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
    )
    return {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}


def test_cvl102_gives_a_python_job_the_ids_of_its_model(tmp_path: Path) -> None:
    vpc = (
        'vpc_config={"Subnets": ["subnet-0py1a", "subnet-0py1b"], "SecurityGroupIds": ["sg-0pym"]},'
    )
    source = tmp_path / "explain.py"
    source.write_text(PYTHON_JOB.replace("{vpc}", vpc))
    fix = _cvl102_fix(source)
    assert _network_config_of(fix) == {
        "subnets": ["subnet-0py1a", "subnet-0py1b"],
        "security_group_ids": ["sg-0pym"],
    }
    assert "its model churn-xgboost" in fix


@pytest.mark.parametrize("case", ["bad.yaml", "python"])
def test_cvl102_names_nothing_when_the_inputs_hold_no_network_for_the_job(
    case: str, tmp_path: Path
) -> None:
    """The job's model is not linked (bad.yaml) or has no VpcConfig: a comment saying the inputs
    hold none, never the catalogue's example names. Python code with empty lists would run and
    mean no VPC, so the Python fix gives that line as a comment (and says where to list IDs)."""
    if case == "python":
        source = tmp_path / "explain.py"
        source.write_text(PYTHON_JOB.replace("{vpc}", ""))
        fix = _cvl102_fix(source)
        assert "[]" not in fix
        assert not [node for node in ast.parse(fix).body if isinstance(node, ast.Assign)]
        assert "aws ec2 describe-subnets" in fix
    else:
        fix = _cvl102_fix(CVL102 / case)
        vpc_config = parse_yaml(fix)["ClarifyJob"]["Properties"]["NetworkConfig"]["VpcConfig"]
        assert vpc_config is None  # each member given as a comment: never an empty list
        assert "        # Subnets: [their IDs]  # private subnets for ClarifyJob" in fix
        assert "aws ec2 describe-subnets" in fix
    assert "none in the inputs" in fix
    assert not [name for name in EXAMPLE_NAMES if name in fix], fix


def test_cvl102_keeps_the_groups_a_declared_job_lists_when_its_model_has_no_network(
    tmp_path: Path,
) -> None:
    config = tmp_path / "clarify-vpc-lint.yaml"
    config.write_text(
        "jobs:\n  - name: churn-bias\n    security-groups: [aws_security_group.clarify]\n"
    )
    fix = _cvl102_fix(CVL102 / "tf-bad" / "plan.json", config_file=config)
    (job,) = parse_yaml(fix)["jobs"]
    assert job == {"name": "churn-bias", "security-groups": ["aws_security_group.clarify"]}
    assert "# subnets: [their IDs]  # private subnets for churn-bias: none in the inputs" in fix


def test_cvl102_names_resources_of_another_template_by_their_exports(tmp_path: Path) -> None:
    """The model and its network in one template, the job in another: the job's template names
    them by the exports it can import, and says which ones are not exported, never their
    logical IDs (which do not exist there)."""
    text = (CVL102 / "bad-model" / "template.yaml").read_text()
    network, job = text.split("  ClarifyJob:")
    (tmp_path / "job.yaml").write_text("Resources:\n  ClarifyJob:" + job)
    (tmp_path / "analysis_config.json").write_text(
        (CVL102 / "bad-model" / "analysis_config.json").read_text()
    )
    (tmp_path / "network.yaml").write_text(network)
    fix = _cvl102_fix(tmp_path)
    vpc_config = parse_yaml(fix)["ClarifyJob"]["Properties"]["NetworkConfig"]["VpcConfig"]
    assert vpc_config is None and "# Subnets: [their IDs]" in fix
    assert f"SubnetA is in {tmp_path / 'network.yaml'}: export it there to import it" in fix
    exports = "".join(
        f"  {name}:\n    Value: !Ref {name}\n    Export: {{Name: net-{name}}}\n"
        for name in ("SubnetA", "SubnetB", "ClarifySecurityGroup")
    )
    (tmp_path / "network.yaml").write_text(network + "Outputs:\n" + exports)
    fix = _cvl102_fix(tmp_path)
    vpc_config = _plain(parse_yaml(fix))["ClarifyJob"]["Properties"]["NetworkConfig"]["VpcConfig"]
    assert vpc_config == {
        "Subnets": [{"Fn::ImportValue": "net-SubnetA"}, {"Fn::ImportValue": "net-SubnetB"}],
        "SecurityGroupIds": [{"Fn::ImportValue": "net-ClarifySecurityGroup"}],
    }


def test_a_json_fix_keeps_what_the_yaml_fix_said_beside_a_value() -> None:
    """JSON has no comments: a note on why a value is empty moves above the members."""
    fix = in_template_syntax(
        "# a heading\nJob:\n  Properties:\n    Subnets: []  # subnets: none in the inputs\n"
        "    Name: 'a # b'\n",
        is_json=True,
    )
    comments = [line for line in fix.splitlines() if line.startswith("#")]
    assert comments == ["# a heading", "# subnets: none in the inputs"]
    members = json.loads("{" + _without_comments(fix) + "}")
    assert members == {"Job": {"Properties": {"Subnets": [], "Name": "a # b"}}}


def test_an_api_fix_never_names_a_template_resource_as_an_id() -> None:
    """A job declared beside a plan gets the Terraform fix; an AWS CLI line would need IDs."""
    case = FIXTURES / "rules" / "CVL401" / "tf-bad"
    options = Options(
        paths=[str(case / "plan.json")],
        config=load_config(case / "clarify-vpc-lint.yaml"),
        select=("CVL401",),
    )
    (finding,) = run(options).findings
    parse_hcl(finding.remediation + "\n", "fix.tf")
    assert "security_group_id = aws_security_group.clarify.id" in finding.remediation
    assert fill(
        "--group-id {g}", {"g": refs([("terraform", "aws_security_group.a")])}, "shell"
    ) == (
        "# --group-id (its value)  # aws_security_group.a is defined in a template or "
        "configuration: write its ID; aws ec2 describe-security-groups lists your security groups"
    )


_NETWORK = """Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, Ipv4IpamPoolId: ipam-pool-0abc, AvailabilityZone: !Select [0, !GetAZs ""]}
Outputs:
  Subnets:
    Value: !Join [",", [!Ref SubnetA, !Ref SubnetB]]
    Export: {Name: net-subnets}
"""
_MODEL = """Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::111122223333:role/Model
      PrimaryContainer: {Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}
      VpcConfig:
        Subnets: !Split [",", !ImportValue net-subnets]
        SecurityGroupIds: [sg-0123]
"""


def test_a_subnet_from_ipam_gives_the_new_block_as_a_comment_saying_why(tmp_path: Path) -> None:
    (tmp_path / "network.yaml").write_text(_NETWORK)
    (tmp_path / "ml.yaml").write_text(_MODEL)
    (finding,) = run(Options(paths=[str(tmp_path)])).findings
    assert "    # CidrBlock: (its value)  # a free block of the VPC" in finding.remediation
    assert "subnet SubnetB takes its block from IPAM" in finding.remediation


def test_two_stacks_exporting_one_name_are_two_environments(tmp_path: Path) -> None:
    """dev and prod copies of a network stack export the same name: each is an environment of
    its own (SPEC v3 section 6), and the model's stack, shared by both, is judged against each
    rather than made ambiguous: its one-zone subnets are an error, with a fix in the network
    stack it was judged with."""
    for stack in ("dev", "prod"):
        (tmp_path / stack).mkdir()
        (tmp_path / stack / "network.yaml").write_text(
            _NETWORK.replace("Ipv4IpamPoolId: ipam-pool-0abc", "CidrBlock: 10.0.1.0/24")
        )
    (tmp_path / "ml.yaml").write_text(_MODEL)
    findings = run(Options(paths=[str(tmp_path)])).findings
    model = [f for f in findings if f.file.endswith("ml.yaml")]
    assert [(f.rule, f.severity) for f in model] == [("CVL201", "error")]
    assert f"in {tmp_path / 'dev' / 'network.yaml'}, under Resources:" in model[0].remediation


def test_a_fix_on_the_main_route_table_of_a_template_vpc_says_it_cannot_be_named() -> None:
    """CloudFormation has no attribute for a VPC's main route table: the fix says so (never
    !Ref of the VPC); Terraform names it by the VPC's main_route_table_id."""
    for case in sorted((FIXTURES / "rules" / "CVL301").glob("*.yaml")):
        for finding in run(Options(paths=[str(case)])).findings:
            assert "RouteTableIds: [!Ref Vpc" not in finding.remediation, case
    fixes = [text for _, rule, _, text in _remediations() if rule in ("CVL301", "CVL306")]
    assert any("main route table of" in text and "cannot name" in text for text in fixes)


def test_a_fix_never_imports_from_a_stack_that_imports_from_it() -> None:
    """The job's stack imports the network stack's subnets: an endpoint fix in the network stack
    importing the job's group back would make the two stacks a cycle CloudFormation refuses."""
    case = FIXTURES / "remediations" / "job-imports-network"
    fixes = {f.rule: f.remediation for f in run(Options(paths=[str(case)])).findings}
    endpoint = _parts(fixes["CVL302"])[0][2]["SageMakerApiEndpoint"]["Properties"]
    assert "SecurityGroupIds" not in endpoint  # given as a comment, never an empty list
    assert "    # SecurityGroupIds: [their IDs]" in fixes["CVL302"]
    assert (
        f"JobSecurityGroup is in {case / 'ml.yaml'}, which imports from this stack"
        in (fixes["CVL302"])
    )
    assert "ImportValue" not in fixes["CVL302"]
