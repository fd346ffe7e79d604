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
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.readers.source import parse_yaml
from clarify_vpc_lint.readers.tfconfig.hcl import parse_hcl
from clarify_vpc_lint.remediation import as_json, fill, refs, syntax_of
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
    lines = [line for line in text.splitlines() if not line.startswith("# ")]
    wanted = [line for line in template.splitlines() if not line.startswith("# ")]
    if len(lines) != len(wanted):
        return False
    return all(
        line.startswith(_PLACEHOLDER.split(pattern)[0]) for line, pattern in zip(lines, wanted)
    )


def _json_parts(text: str) -> List[str]:
    """The JSON members of each part of a fix (parts are apart where a comment follows them)."""
    parts: List[List[str]] = [[]]
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            if parts[-1]:
                parts.append([])
        else:
            parts[-1].append(line)
    return ["\n".join(part).strip() for part in parts if part]


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _parse(language: str, text: str, region: str) -> None:
    if language == "yaml":
        parse_yaml(text)
    elif language == "json":
        for body in _json_parts(text):
            json.loads(body if body.startswith("[") else "{" + body + "}")
    elif language == "python":
        ast.parse(text)
    elif language == "hcl":
        parse_hcl(text + "\n", "remediation.tf")
    else:  # shell: AWS CLI lines
        words = shlex.split(text, comments=True)
        assert words, text
        for line in text.splitlines():
            if "aws " in line and not line.lstrip().startswith("#"):
                assert f"--region {region}" in line, line


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


def test_a_json_template_gets_a_json_fix() -> None:
    """The YAML fix rendered to JSON members, with the template's references as JSON intrinsics."""
    case = str(FIXTURES / "remediations" / "json-template")
    (finding,) = run(Options(paths=[case])).findings
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
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return [_plain(v) for v in value] if isinstance(value, list) else value


def _subnet_blocks(template: Dict) -> List:
    return [
        ipaddress.ip_network(resource["Properties"]["CidrBlock"])
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::EC2::Subnet"
    ]


def _az_index(properties: Dict) -> int:
    return properties["AvailabilityZone"]["Fn::Select"][0]


def test_a_model_splitting_a_joined_export_gets_the_export_extended_in_the_owning_stack() -> None:
    """The subnet goes where the subnets are defined, joined into the export the model splits:
    the model's own template needs no change (SPEC section 5)."""
    case = FIXTURES / "multi" / "export-import"
    (finding,) = run(Options(paths=[str(case)])).findings
    assert finding.rule == "CVL201" and finding.file.endswith("ml.yaml")
    assert str(case / "network.yaml") in finding.remediation
    fix = _plain(parse_yaml(finding.remediation))
    network = _template(case / "network.yaml")
    subnet = fix["ClarifySecondAzSubnet"]["Properties"]
    assert subnet["VpcId"] == {"Ref": "Vpc"}
    block = ipaddress.ip_network(subnet["CidrBlock"])
    assert block.subnet_of(ipaddress.ip_network("10.0.0.0/16"))
    assert not any(block.overlaps(taken) for taken in _subnet_blocks(network))
    assert _az_index(subnet) != 0  # the subnets are in zone a, the first of Fn::GetAZs
    output = fix["Outputs"]["PrivateSubnets"]
    assert output["Export"] == network["Outputs"]["PrivateSubnets"]["Export"]
    assert output["Value"] == {
        "Fn::Join": [
            ",",
            [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}, {"Ref": "ClarifySecondAzSubnet"}],
        ]
    }
    assert "Model" not in fix


def test_a_model_importing_each_subnet_gets_an_export_and_its_import_in_json() -> None:
    """Network stack: the subnet and its export; model's template (JSON): the import."""
    case = FIXTURES / "remediations" / "export-each"
    (finding,) = run(Options(paths=[str(case)])).findings
    network_part, model_part = (
        json.loads("{" + part + "}") for part in _json_parts(finding.remediation)
    )
    subnet = network_part["ClarifySecondAzSubnet"]["Properties"]
    assert subnet["VpcId"] == {"Ref": "Vpc"}
    block = ipaddress.ip_network(subnet["CidrBlock"])
    assert not any(
        block.overlaps(taken) for taken in _subnet_blocks(_template(case / "network.yaml"))
    )
    assert _az_index(subnet) == 1
    export = network_part["Outputs"]["ClarifySecondAzSubnet"]
    assert export["Value"] == {"Ref": "ClarifySecondAzSubnet"}
    new_export = export["Export"]["Name"]
    assert new_export.startswith("ml-network-subnet-")
    assert model_part["Model"]["Properties"]["VpcConfig"]["Subnets"] == [
        {"Fn::ImportValue": "ml-network-subnet-a"},
        {"Fn::ImportValue": "ml-network-subnet-b"},
        {"Fn::ImportValue": new_export},
    ]


def test_a_model_reading_its_subnets_from_another_stack_gets_the_subnet_to_add_there() -> None:
    case = FIXTURES / "remediations" / "ssm-single-az"
    (finding,) = run(Options(paths=[str(case)])).findings
    assert f"{case / 'network.yaml'} defines Model's subnets" in finding.remediation
    fix = _plain(parse_yaml(finding.remediation))
    assert list(fix) == ["ClarifySecondAzSubnet"]  # nothing to paste into the model's template
    assert _az_index(fix["ClarifySecondAzSubnet"]["Properties"]) == 0  # the subnets use zone 1


_REFERENCE = re.compile(
    r"!(?:Ref|GetAtt) ([A-Za-z0-9]+)|\"(?:Ref|Fn::GetAtt)\": \[?\s*\"([A-Za-z0-9]+)"
)


@pytest.mark.parametrize("rule", [rule.id for rule in load_rules()])
def test_every_template_reference_in_a_fix_is_defined_where_it_is_pasted(rule: str) -> None:
    """A CloudFormation fix refers only to what its own snippet adds, to resources and parameters
    of the template it points at, or of a template it names (the stack that owns the subnets)."""
    failures = []
    for case, rule_id, file, text in _remediations():
        if rule_id != rule or not file.endswith((".yaml", ".yml", ".json")):
            continue
        templates = [Path(file), *(p for p in Path(case).rglob("*") if str(p) in text)]
        defined = {name for path in templates for name in _defined(path)}
        code = _without_comments(text)
        added = set(re.findall(r"^\s*\"?([A-Za-z0-9]+)\"?:", code, re.MULTILINE))
        named = {a or b for a, b in _REFERENCE.findall(code)}
        if named - defined - added - {"AWS"}:
            failures.append(f"{file}: {sorted(named - defined - added)}\n{text}")
    assert not failures, "\n\n".join(failures)


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
    assert words[words.index("--availability-zone") + 1] == "us-east-1c"  # a and b are used


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
    """The job's model is not linked (bad.yaml) or has no VpcConfig: empty lists, and a comment
    saying the inputs hold none, never the catalogue's example names."""
    if case == "python":
        source = tmp_path / "explain.py"
        source.write_text(PYTHON_JOB.replace("{vpc}", ""))
        fix = _cvl102_fix(source)
        assert _network_config_of(fix) == {"subnets": [], "security_group_ids": []}
    else:
        fix = _cvl102_fix(CVL102 / case)
        vpc_config = parse_yaml(fix)["ClarifyJob"]["Properties"]["NetworkConfig"]["VpcConfig"]
        assert vpc_config == {"Subnets": [], "SecurityGroupIds": []}
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
    assert job == {
        "name": "churn-bias",
        "subnets": [],
        "security-groups": ["aws_security_group.clarify"],
    }
    assert "subnets: []  # private subnets for churn-bias: none in the inputs" in fix


def test_cvl102_names_no_logical_id_of_another_template(tmp_path: Path) -> None:
    """The model and its network in one template, the job in another: the model's logical IDs do
    not exist in the job's template, so the fix says where they are instead of naming them."""
    text = (CVL102 / "bad-model" / "template.yaml").read_text()
    network, job = text.split("  ClarifyJob:")
    (tmp_path / "network.yaml").write_text(network)
    (tmp_path / "job.yaml").write_text("Resources:\n  ClarifyJob:" + job)
    (tmp_path / "analysis_config.json").write_text(
        (CVL102 / "bad-model" / "analysis_config.json").read_text()
    )
    fix = _cvl102_fix(tmp_path)
    vpc_config = parse_yaml(fix)["ClarifyJob"]["Properties"]["NetworkConfig"]["VpcConfig"]
    assert vpc_config == {"Subnets": [], "SecurityGroupIds": []}
    assert "those of its model Model are named in another file; write their IDs" in fix


def test_a_json_fix_keeps_what_the_yaml_fix_said_beside_a_value() -> None:
    """JSON has no comments: a note on why a value is empty moves above the members."""
    fix = as_json(
        "# a heading\nJob:\n  Properties:\n    Subnets: []  # subnets: none in the inputs\n"
        "    Name: 'a # b'\n"
    )
    comments = [line for line in fix.splitlines() if line.startswith("#")]
    assert comments == ["# a heading", "# subnets: none in the inputs"]
    members = json.loads("{" + _without_comments(fix) + "}")
    assert members == {"Job": {"Properties": {"Subnets": [], "Name": "a # b"}}}


def test_an_api_fix_never_names_a_template_resource_as_an_id() -> None:
    """A job declared beside a plan gets the Terraform fix; an AWS CLI line would need IDs."""
    case = FIXTURES / "rules" / "CVL401" / "tf-bad"
    options = Options(
        paths=[str(case / "plan.json")], config=load_config(case / "clarify-vpc-lint.yaml")
    )
    (finding,) = run(options).findings
    parse_hcl(finding.remediation + "\n", "fix.tf")
    assert "security_group_id = aws_security_group.clarify.id" in finding.remediation
    assert fill(
        "--group-id {g}", {"g": refs([("terraform", "aws_security_group.a")])}, "shell"
    ) == (
        '--group-id ""  # aws_security_group.a is defined in a template or configuration: write its ID'
    )
