"""CloudFormation intrinsics, parameters and cross-template references, as the readers resolve them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clarify_vpc_lint.documents import JsonPositions, ParseError, parse_text, parse_yaml
from clarify_vpc_lint.readers.cloudformation.intrinsics import CfnRun
from clarify_vpc_lint.readers.cloudformation.parameters import parse_parameters
from clarify_vpc_lint.readers.cloudformation.template import load_template
from clarify_vpc_lint.values import Handle, Joined, Unknown

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: prod}
  NoDefault: {Type: String}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-1, subnet-2"}
Mappings:
  Images: {us-east-1: {clarify: 205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0}}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Subnet: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, AvailabilityZone: !Select [2, !GetAZs ""]}}
"""


@pytest.fixture
def run_and_template():
    run = CfnRun("us-east-1", {})
    template = load_template(parse_text("t.yaml", TEMPLATE))
    run.add(template)
    return run, template


def resolve(value, run_and_template):
    run, template = run_and_template
    return run.resolve(parse_text("v.yaml", value).data, template)


@pytest.mark.parametrize(
    "expression, expected",
    [
        (
            "!Sub 'com.amazonaws.${AWS::Region}.sagemaker.api'",
            "com.amazonaws.us-east-1.sagemaker.api",
        ),
        ("!Sub ['${A}-${Env}', {A: x}]", "x-prod"),
        ("!Sub '${!Literal}'", "${Literal}"),
        ('!Join ["", ["com.amazonaws.", !Ref "AWS::Region", ".s3"]]', "com.amazonaws.us-east-1.s3"),
        ("!Select [1, !Ref Subnets]", "subnet-2"),
        (
            "!FindInMap [Images, !Ref 'AWS::Region', clarify]",
            "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0",
        ),
        ("!If [IsProd, same, same]", "same"),
        ("!GetAtt Subnet.VpcId", Handle("cfn:t.yaml:Subnet")),
        ("!Ref Vpc", Handle("cfn:t.yaml:Vpc")),
        ("!GetAtt Vpc.DefaultSecurityGroup", Handle("cfn:t.yaml:Vpc", "DefaultSecurityGroup")),
        ("!Ref 'AWS::Partition'", "aws"),
    ],
)
def test_intrinsics(expression, expected, run_and_template) -> None:
    assert resolve(expression, run_and_template) == expected


def test_get_azs_indexes_are_distinct_zones(run_and_template) -> None:
    first = resolve("!Select [0, !GetAZs '']", run_and_template)
    second = resolve("!Select [1, !GetAZs '']", run_and_template)
    assert isinstance(first, str) and first != second
    assert first == resolve("!Select [0, !GetAZs 'us-east-1']", run_and_template)


def test_join_of_references_splits_back(run_and_template) -> None:
    joined = resolve('!Join [",", [!Ref Vpc, !Ref Subnet]]', run_and_template)
    assert isinstance(joined, Joined)
    run, template = run_and_template
    assert run.resolve({"Fn::Split": [",", joined]}, template) == [
        Handle("cfn:t.yaml:Vpc"),
        Handle("cfn:t.yaml:Subnet"),
    ]


@pytest.mark.parametrize(
    "expression, reason",
    [
        ("!Ref NoDefault", "parameter NoDefault of t.yaml has no default"),
        ("!If [IsProd, a, b]", "condition IsProd"),
        (
            "!ImportValue other-stack-subnets",
            "no template in this run exports 'other-stack-subnets'",
        ),
        ("!Sub 'arn:aws:iam::${AWS::AccountId}:role/x'", "account ID"),
        ("!Base64 x", "not evaluated offline"),
    ],
)
def test_unknowns_say_why(expression, reason, run_and_template) -> None:
    value = resolve(expression, run_and_template)
    assert isinstance(value, Unknown) and reason in value.reason


def test_sub_keeps_the_known_text_of_a_partly_unknown_string(run_and_template) -> None:
    value = resolve("!Sub 'com.amazonaws.${NoDefault}.sagemaker.runtime'", run_and_template)
    assert (
        isinstance(value, Unknown) and value.text == "com.amazonaws.${NoDefault}.sagemaker.runtime"
    )


def test_parameter_overrides_and_pseudo_parameters() -> None:
    run = CfnRun("eu-west-1", {"NoDefault": "given", "AWS::StackName": "ml"})
    template = load_template(parse_text("t.yaml", TEMPLATE))
    run.add(template)
    assert run.resolve({"Ref": "NoDefault"}, template) == "given"
    assert run.resolve({"Fn::Sub": "${AWS::StackName}-${AWS::Region}"}, template) == "ml-eu-west-1"


def test_export_and_import_across_templates() -> None:
    run = CfnRun("us-east-1", {})
    network = load_template(
        parse_text(
            "net.yaml",
            """
Resources:
  Subnet: {Type: AWS::EC2::Subnet, Properties: {CidrBlock: 10.0.0.0/24}}
Outputs:
  SubnetId: {Value: !Ref Subnet, Export: {Name: !Sub "${AWS::Region}-subnet"}}
""",
        )
    )
    consumer = load_template(parse_text("ml.yaml", "Resources: {}\n"))
    run.add(network)
    run.add(consumer)
    assert run.resolve({"Fn::ImportValue": "us-east-1-subnet"}, consumer) == Handle(
        "cfn:net.yaml:Subnet"
    )


def test_yaml_positions_and_short_forms() -> None:
    document = parse_text("t.yaml", TEMPLATE)
    assert document.locate(("Resources", "Subnet")) == (10, 3)
    assert document.locate(("Resources", "Subnet", "Properties", "VpcId")) == (10, 49)
    assert document.data["Resources"]["Subnet"]["Properties"]["VpcId"] == {"Ref": "Vpc"}


def test_json_positions_are_computed_on_demand() -> None:
    document = parse_text("r.json", '{\n  "A": {"B": [1, {"C": 2}]},\n  "D": "x"\n}')
    assert document.locate(("A", "B", 1, "C")) == (2, 19)
    assert document.locate(("D",)) == (3, 3)
    assert document.locate(("Missing", "deeper")) == (1, 1)


def test_json_positions_of_a_repeated_key_are_its_last_occurrence() -> None:
    document = parse_text("r.json", '{"A": {"B": 1},\n "A": {"C": 2}}')
    assert document.locate(("A", "C")) == (2, 8)
    assert document.locate(("A", "B")) == (2, 2)  # the kept value has no B: its key is the best


_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=5)  # as YAML reads it
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=25,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _paths(item, (*prefix, position))
    yield (*prefix, "missing")


@settings(max_examples=150, deadline=None)
@given(_JSON_VALUES, st.sampled_from([None, 1, 2]))
def test_json_positions_agree_with_the_yaml_parse_of_the_same_text(value, indent) -> None:
    """JSON is YAML: libyaml's marks are an independent reckoning of every key's position."""
    text = json.dumps({"root": value}, indent=indent)
    as_yaml = parse_yaml(text)
    positions = JsonPositions(text)
    for path in _paths(value, ("root",)):
        node, expected = as_yaml, as_yaml.position
        for key in path:
            if isinstance(node, dict) and key in node.key_positions:
                node, expected = node[key], node.key_positions[key]
            elif isinstance(node, list) and key != "missing" and key < len(node):
                node, expected = node[key], node.item_positions[key]
            else:
                break
        assert positions.locate(path) == expected, (text, path)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '[{"ParameterKey": "A", "ParameterValue": "1"}, {"ParameterKey": "B", "UsePreviousValue": true}]',
            {"A": "1"},
        ),
        ('{"Parameters": {"A": "1", "L": ["x", "y"]}}', {"A": "1", "L": "x,y"}),
        ("# comment\nA=1\nB = two words\n", {"A": "1", "B": "two words"}),
    ],
)
def test_parameter_file_formats(text, expected) -> None:
    assert parse_parameters(text) == expected


def test_parameter_file_errors_have_lines() -> None:
    with pytest.raises(ParseError) as error:
        parse_parameters("A=1\nnot a pair\n")
    assert error.value.line == 2
