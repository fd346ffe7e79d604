"""Issue 10: no input crashes the process, blows up time or memory, or aborts the other files.

Each hostile input is linted beside a good template with a known finding: the hostile file gets one
clear line, exit 2, and the good file is still reported.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Dict

import pytest
from conftest import FIXTURES, ROOT, run_cli

from clarify_vpc_lint import config as config_module
from clarify_vpc_lint.documents import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    Document,
    ParseError,
    parse_json,
    parse_text,
    parse_yaml,
)
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.model import VpcEndpoint
from clarify_vpc_lint.readers import InputError, load
from clarify_vpc_lint.readers.cloudformation.intrinsics import (
    MAX_BUILT,
    MAX_LIST,
    MAX_STRING,
    CfnRun,
    Template,
)
from clarify_vpc_lint.readers.cloudformation.parameters import read_parameters
from clarify_vpc_lint.readers.terraform.handlers import read_plan
from clarify_vpc_lint.readers.terraform.plan import Plan
from clarify_vpc_lint.readers.workflows import MAX_DEFINITION
from clarify_vpc_lint.values import Unknown

GOOD = FIXTURES / "rules" / "CVL201" / "bad.yaml"  # a template with one CVL201 finding


def lint_beside_good(*args: str) -> Dict[str, Any]:
    """The CLI on ``args`` plus the good template; it must exit 2 with the good file reported."""
    completed = run_cli(*args, str(GOOD), "--format", "json")
    assert completed.returncode == 2, (completed.returncode, completed.stderr[-2000:])
    assert "Traceback" not in completed.stderr and "internal error" not in completed.stderr
    report = json.loads(completed.stdout)
    assert any(f["rule"] == "CVL201" for f in report["findings"]), report
    assert not any("internal error" in e["message"] for e in report["errors"]), report["errors"]
    return report


def error_for(report: Dict[str, Any], path: Path) -> Dict[str, Any]:
    (error,) = [e for e in report["errors"] if e["file"] == str(path)]
    assert "\n" not in error["message"]
    return error


# -- 1. native crashes: nothing recurses on nesting -------------------------------------------------


def deep_block_sequence(levels: int) -> str:
    return "- " * levels + "x\n"


HIDDEN_FLOW = "don't: " + "[" * 30_000 + "]" * 30_000 + " #'\n"  # the quote hid it from a pre-scan


@pytest.mark.parametrize(
    "text",
    [
        deep_block_sequence(30_000),
        HIDDEN_FLOW,
        'a: "x\\" ' + "[" * 30_000 + "\n",  # an escaped quote, then unclosed flow
        "".join(" " * level + "k:\n" for level in range(20_000)) + " " * 20_000 + "k: v\n",
        "a: " + "!If [" * 150 + "x" + "]" * 150 + "\n",  # the short forms' wrappers count too
    ],
    ids=["block-sequence", "flow-behind-quote", "escaped-quote", "block-mapping", "tags"],
)
def test_deep_yaml_is_one_error_not_a_crash(tmp_path: Path, text: str) -> None:
    hostile = tmp_path / "deep.yaml"
    hostile.write_text(text)
    report = lint_beside_good(str(hostile))
    assert error_for(report, hostile)["message"]


def test_nesting_is_counted_exactly() -> None:
    assert parse_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    for parse in (parse_yaml, parse_json):
        with pytest.raises(ParseError, match="nesting deeper"):
            parse("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_json_nested_deeper_than_python_recursion(tmp_path: Path) -> None:
    hostile = tmp_path / "deep.json"
    hostile.write_text('{"Resources": ' + "[" * 5_000 + "]" * 5_000 + "}")
    near_limit = tmp_path / "near.json"
    near_limit.write_text('{"Resources": ' + '{"a": ' * 950 + "1" + "}" * 950 + "}")
    report = lint_beside_good(str(hostile), str(near_limit))
    assert "nesting deeper" in error_for(report, hostile)["message"]
    assert "nesting deeper" in error_for(report, near_limit)["message"]


def test_brackets_inside_json_strings_are_not_nesting() -> None:
    text = json.dumps({"a": "[" * 5_000, "b": '\\"{' * 3_000, "c": [[1]]})
    assert parse_json(text)["c"] == [[1]]


def test_deep_config_file_is_one_error(tmp_path: Path) -> None:
    for name, text in [("block", deep_block_sequence(30_000)), ("flow", HIDDEN_FLOW)]:
        hostile = tmp_path / f"{name}.yaml"
        hostile.write_text(text)
        completed = run_cli("--config", str(hostile), str(GOOD))
        assert completed.returncode == 2
        assert completed.stderr.count("\n") == 1 and "error" in completed.stderr
        assert "Traceback" not in completed.stderr


def test_aliases_are_shared_and_still_bounded() -> None:
    data = parse_yaml("a: &x {k: [1, 2]}\nb: *x\nc:\n  <<: *x\n  own: 3\n")
    assert data["b"] == {"k": [1, 2]} and data["c"] == {"k": [1, 2], "own": 3}
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(ParseError, match=str(MAX_ALIAS_NODES)):
        parse_yaml("\n".join(levels))


def test_an_alias_cannot_nest_past_the_limit() -> None:
    half = MAX_DEPTH // 2 + 1
    text = f"a: &deep {'[' * half}{']' * half}\nb: {'[' * half}*deep{']' * half}\n"
    with pytest.raises(ParseError, match="nesting deeper"):
        parse_yaml(text)


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: !!bool maybe\n", "'maybe' is not a valid bool"),
        ("a: !!int twelve\n", "'twelve' is not a valid int"),
        ("a: *nowhere\n", "undefined alias"),
        ("a: 1\n---\nb: 2\n", "more than one document"),
        ("? [a]\n: b\n", "a mapping key must be a scalar"),
    ],
)
def test_bad_yaml_scalars_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_yaml(text)


def test_numbers_no_aws_field_holds_keep_their_text() -> None:
    huge = "9" * 5_000
    assert parse_json(f'[1e309, -1e400, NaN, Infinity, {huge}, 1.5, 7]') == [
        "1e309", "-1e400", "NaN", "Infinity", huge, 1.5, 7,
    ]  # fmt: skip
    data = parse_yaml(f"a: .inf\nb: .NaN\nc: {huge}\nd: 0x{'f' * 5_000}\ne: 1.5\n")
    assert data == {"a": ".inf", "b": ".NaN", "c": huge, "d": "0x" + "f" * 5_000, "e": 1.5}


# -- 2. resolution is linear and cycle-safe ----------------------------------------------------------


def cfn(resources: Dict[str, Any], parameters: Dict[str, Any] | None = None) -> tuple:
    data = {"Resources": resources, "Parameters": parameters or {}}
    document = Document("t.yaml", "", data, is_json=False)
    template = Template("t.yaml", document, resources, parameters or {}, {})
    return CfnRun("us-east-1", {}), template


def test_doubling_getatt_chain_is_evaluated_once_per_resource(monkeypatch) -> None:
    depth = 60
    resources = {
        f"R{i}": {"Type": "X", "Properties": {"Foo": {"Fn::Sub": f"${{R{i + 1}.Foo}}${{R{i + 1}.Foo}}"}}}
        for i in range(depth)
    }  # fmt: skip
    resources[f"R{depth}"] = {"Type": "X", "Properties": {"Foo": "ab"}}
    run_, template = cfn(resources)
    calls = []
    real = CfnRun._attribute
    monkeypatch.setattr(CfnRun, "_attribute", lambda self, *a: calls.append(a[1]) or real(self, *a))
    value = run_.resolve({"Fn::GetAtt": ["R0", "Foo"]}, template)
    assert len(calls) == len(set(calls)) <= depth + 1
    assert isinstance(value, Unknown)  # 2 ** 61 characters: over the string budget
    assert run_._built <= MAX_BUILT


def test_join_of_many_getatts_and_if_branches_stay_linear(monkeypatch) -> None:
    depth = 12  # 4 ** 12 evaluations without memoising
    resources = {
        f"R{i}": {
            "Type": "X",
            "Properties": {
                "Foo": {"Fn::Join": ["", [{"Fn::GetAtt": [f"R{i + 1}", "Foo"]}] * 4]},
                "Bar": {"Fn::If": ["C", {"Fn::GetAtt": [f"R{i + 1}", "Bar"]}, {"Fn::GetAtt": [f"R{i + 1}", "Bar"]}]},
            },
        }
        for i in range(depth)
    }  # fmt: skip
    resources[f"R{depth}"] = {"Type": "X", "Properties": {"Foo": "a", "Bar": "b"}}
    run_, template = cfn(resources)
    calls = []
    real = CfnRun._attribute
    monkeypatch.setattr(
        CfnRun, "_attribute", lambda self, *a: calls.append(a[1:3]) or real(self, *a)
    )
    assert run_.resolve({"Fn::GetAtt": ["R0", "Bar"]}, template) == "b"
    run_.resolve({"Fn::GetAtt": ["R0", "Foo"]}, template)
    assert len(calls) == len(set(calls))


@pytest.mark.parametrize(
    "foo, bar",
    [
        ({"Fn::GetAtt": ["B", "Bar"]}, {"Fn::GetAtt": ["A", "Foo"]}),
        ({"Fn::If": ["C", {"Fn::GetAtt": ["B", "Bar"]}, "x"]}, {"Fn::Sub": "${A.Foo}"}),
        (
            {"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Bar"]}]]},
            {"Fn::Select": [0, [{"Fn::GetAtt": ["A", "Foo"]}]]},
        ),
    ],
    ids=["getatt", "if-sub", "join-select"],
)
def test_a_cycle_is_unknown_naming_it(foo: Any, bar: Any) -> None:
    run_, template = cfn(
        {
            "A": {"Type": "X", "Properties": {"Foo": foo}},
            "B": {"Type": "X", "Properties": {"Bar": bar}},
        }
    )
    for entry in (["A", "Foo"], ["B", "Bar"]):
        value = run_.resolve({"Fn::GetAtt": entry}, template)
        assert isinstance(value, Unknown), value
    fresh, template = cfn(template.resources)
    first = fresh.resolve({"Fn::GetAtt": ["B", "Bar"]}, template)
    assert "a reference cycle: A.Foo -> B.Bar -> A.Foo" in first.reason


def test_a_template_with_a_cycle_is_linted(tmp_path: Path) -> None:
    template = tmp_path / "cycle.yaml"
    template.write_text(
        "Resources:\n"
        "  A: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !GetAtt B.CidrBlock}}\n"
        "  B: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !If [C, !GetAtt A.CidrBlock, !GetAtt A.CidrBlock]}}\n"
    )
    result = run(Options(paths=[str(template), str(GOOD)]))
    assert not [e for e in result.errors if "internal error" in e.message]
    assert any(f.rule == "CVL201" for f in result.findings)


def module_chain_plan(levels: int, cycle: bool = False) -> Dict[str, Any]:
    """A plan whose endpoint takes its subnets through ``levels`` nested modules; each module's
    outputs ``a`` and ``b`` both reference both outputs of its child (2 ** levels paths).

    With ``cycle`` the deepest outputs reference the module's own variable, which its caller sets
    from the same outputs: Terraform refuses such a configuration, a plan file may still hold it.
    """
    outputs = ["module.m.a", "module.m.b", "module.m"]
    deepest = ["var.v"] if cycle else ["aws_subnet.s.id", "aws_subnet.s"]
    config: Dict[str, Any] = {
        "outputs": {name: {"expression": {"references": deepest}} for name in "ab"}
    }
    for _ in range(levels - 1):
        config = {
            "outputs": {name: {"expression": {"references": outputs}} for name in "ab"},
            "module_calls": {
                "m": {"module": config, "expressions": {"v": {"references": outputs}}}
            },
        }
    address = "module.m." * levels + "aws_subnet.s"
    planned: Dict[str, Any] = {"resources": [{"address": address, "mode": "managed", "type": "aws_subnet", "values": {"vpc_id": "vpc-1"}}]}  # fmt: skip
    for level in range(levels, 0, -1):
        planned = {"address": ".".join(["module.m"] * level), "resources": [], "child_modules": [planned]}  # fmt: skip
    endpoint = {
        "address": "aws_vpc_endpoint.e",
        "mode": "managed",
        "type": "aws_vpc_endpoint",
        "values": {"service_name": "com.amazonaws.us-east-1.s3", "vpc_endpoint_type": "Interface", "vpc_id": "vpc-1", "subnet_ids": None},
    }  # fmt: skip
    root_config = {
        "resources": [
            {"address": "aws_vpc_endpoint.e", "expressions": {"subnet_ids": {"references": ["module.m.a", "module.m"]}}}
        ],
        "module_calls": {"m": {"module": config}},
    }  # fmt: skip
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [endpoint], "child_modules": [planned]}},
        "configuration": {"root_module": root_config},
    }


def read_endpoint(plan: Dict[str, Any], monkeypatch, most_outputs: int) -> VpcEndpoint:
    """The plan's endpoint, failing as soon as module outputs are looked up ``most_outputs`` times."""
    looked_up = []
    real = Plan._config_module

    def counted(self: Plan, module: str) -> Dict[str, Any]:
        looked_up.append(module)
        assert len(looked_up) <= most_outputs, "module outputs are resolved more than once"
        return real(self, module)

    monkeypatch.setattr(Plan, "_config_module", counted)
    text = json.dumps(plan)
    (endpoint,) = read_plan(Document("plan.json", text, parse_json(text), is_json=True)).endpoints
    return endpoint


def test_module_outputs_referencing_a_child_twice_resolve_once_each(monkeypatch) -> None:
    levels = 20  # 2 ** 20 paths to the subnet without memoising
    endpoint = read_endpoint(module_chain_plan(levels), monkeypatch, most_outputs=4 * levels)
    (subnet,) = endpoint.subnets
    assert subnet.key.endswith("module.m." * levels + "aws_subnet.s")


def test_a_cycle_of_module_outputs_and_variables_is_unknown_naming_it(monkeypatch) -> None:
    endpoint = read_endpoint(module_chain_plan(5, cycle=True), monkeypatch, most_outputs=100)
    assert isinstance(endpoint.subnets, Unknown)
    assert "refers back to itself (a cycle)" in endpoint.subnets.reason


# -- 3. memory stays bounded --------------------------------------------------------------------------


def test_split_of_a_huge_default_is_unknown() -> None:
    commas = "," * 5_000_000
    run_, template = cfn(
        {},
        {
            "Many": {"Type": "String", "Default": commas},
            "List": {"Type": "CommaDelimitedList", "Default": commas},
        },
    )
    split = run_.resolve({"Fn::Split": [",", {"Ref": "Many"}]}, template)
    assert isinstance(split, Unknown) and str(MAX_LIST) in split.reason
    assert isinstance(run_.resolve({"Ref": "List"}, template), Unknown)
    small = run_.resolve({"Fn::Split": [",", "a,b,c"]}, template)
    assert small == ["a", "b", "c"]


def test_strings_built_from_strings_stop_at_the_budget() -> None:
    resources = {"R0": {"Type": "X", "Properties": {"Foo": "x" * 1000}}}
    for i in range(1, 40):
        resources[f"R{i}"] = {
            "Type": "X",
            "Properties": {"Foo": {"Fn::Sub": f"${{R{i - 1}.Foo}}" * 3}},
        }
    run_, template = cfn(resources)
    value = run_.resolve({"Fn::GetAtt": ["R39", "Foo"]}, template)
    assert isinstance(value, Unknown) and str(MAX_STRING) in value.reason
    assert run_._built <= MAX_BUILT


def test_the_run_wide_budget_caps_many_big_strings() -> None:
    big = "y" * (MAX_STRING // 2)
    resources = {
        f"R{i}": {"Type": "X", "Properties": {"Foo": {"Fn::Join": ["-", [big, str(i)]]}}}
        for i in range(MAX_BUILT // len(big) + 10)
    }
    run_, template = cfn(resources)
    values = [run_.resolve({"Fn::GetAtt": [name, "Foo"]}, template) for name in resources]
    assert isinstance(values[0], str) and isinstance(values[-1], Unknown)
    assert run_._built <= MAX_BUILT


# -- 4. one file never aborts the run ----------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "!Select [.inf, [a, b]]",
        "!Select [.nan, [a, b]]",
        "!Select [-1, [a, b]]",
        "!Select [" + "9" * 5000 + ", [a, b]]",
        "!GetAtt [[a], b]",
        "{Fn::GetAtt: [{x: 1}, CidrBlock]}",
        "{Fn::GetAtt: [Vpc, [x]]}",
        "{Fn::GetAtt: {a: b}}",
        "!Sub [[x], {}]",
        "!Join [[x], [a]]",
        "!Split [5, [a]]",
        "!Ref [a]",
        "!FindInMap [[a], b, c]",
        "!If [[c], a, b]",
        "!ImportValue [x]",
        "!GetAZs [x]",
    ],
)
def test_odd_intrinsic_arguments_are_unknown_not_errors(tmp_path: Path, snippet: str) -> None:
    template = tmp_path / "odd.yaml"
    template.write_text(
        "Resources:\n"
        "  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n"
        f"  Subnet: {{Type: AWS::EC2::Subnet, Properties: {{VpcId: !Ref Vpc, CidrBlock: {snippet}, "
        f"AvailabilityZone: {snippet}}}}}\n"
    )
    result = run(Options(paths=[str(template), str(GOOD)]))
    assert result.errors == [] and str(template) in result.linted
    assert any(f.rule == "CVL201" for f in result.findings)


def test_a_language_extensions_loop_leaves_the_rest_of_the_template_read(tmp_path: Path) -> None:
    """``Fn::ForEach::`` under Resources (Transform AWS::LanguageExtensions) was an input error
    ("must be a mapping"), losing every resource of a valid template. Now the loop's resources
    are not read, the others are, and a reference into the loop is unknown: info, no guess."""
    text = (FIXTURES / "cli" / "one-error.yaml").read_text()
    loop = (
        "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Extra:\n"
        "    - Letter\n    - [C, D]\n    - Subnet${Letter}:\n        Type: AWS::EC2::Subnet\n"
        "        Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.9.0/24}\n"
    )
    template = tmp_path / "loop.yaml"
    template.write_text(text.replace("Resources:\n", loop, 1))
    assert run(Options(paths=[str(template)])).errors == []
    assert [f.rule for f in run(Options(paths=[str(template)])).findings] == ["CVL201"]
    template.write_text(
        template.read_text().replace("[!Ref SubnetA]", "[!Ref SubnetA, !Ref SubnetC]")
    )
    result = run(Options(paths=[str(template)]))
    assert result.errors == [] and result.findings
    assert all(f.severity == "info" and "SubnetC" in f.message for f in result.findings)


def test_a_section_of_the_wrong_kind_is_named_in_plain_words(tmp_path: Path) -> None:
    template = tmp_path / "mappings.yaml"
    template.write_text("Mappings: [1, 2]\nResources:\n  Vpc: {Type: AWS::EC2::VPC}\n")
    (error,) = run(Options(paths=[str(template)])).errors
    assert (error.line, error.message) == (1, "Mappings must be a mapping, not a list")


def test_bool_maybe_is_one_error_beside_good(tmp_path: Path) -> None:
    hostile = tmp_path / "maybe.yaml"
    hostile.write_text("Resources:\n  Vpc: {Type: AWS::EC2::VPC, Properties: {X: !!bool maybe}}\n")
    report = lint_beside_good(str(hostile))
    assert error_for(report, hostile) == {
        "file": str(hostile), "line": 2, "message": "'maybe' is not a valid bool",
    }  # fmt: skip


def test_a_5000_deep_parameters_file_is_one_error(tmp_path: Path) -> None:
    deep = tmp_path / "params.json"
    deep.write_text('{"Parameters": {"A": ' + "[" * 5_000 + "]" * 5_000 + "}}")
    report = lint_beside_good("--parameters", str(deep))
    assert "nesting deeper" in error_for(report, deep)["message"]


@pytest.mark.parametrize(
    "text", ['{"Parameters": {"A": {"x": 1}}}', '[{"ParameterKey": {"x": 1}}]']
)
def test_a_parameter_that_is_not_a_string_is_one_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "params.json"
    path.write_text(text)
    with pytest.raises(ParseError, match="must be a string"):
        read_parameters(str(path))


def test_parameter_values_as_cloudformation_takes_them(tmp_path: Path) -> None:
    path = tmp_path / "params.json"
    path.write_text('{"Parameters": {"A": true, "B": 3, "C": ["a", "b"], "D": "x"}}')
    assert read_parameters(str(path)) == {"A": "true", "B": "3", "C": "a,b", "D": "x"}


# A template whose S3 endpoint names its service with !Join; the tests put other values there.
ENDPOINTS = FIXTURES / "rules" / "CVL306" / "good.yaml"
SERVICE_NAME_LINE = 'ServiceName: !Join ["", ["com.amazonaws."'


def lint_with_good(*args: str) -> Dict[str, Any]:
    """The CLI on the good template plus ``args``: no internal error, the good file reported."""
    completed = run_cli(str(GOOD), *args, "--format", "json")
    assert "internal error" not in completed.stderr, completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    assert not [e for e in report["errors"] if "internal error" in e["message"]], report["errors"]
    assert any(f["rule"] == "CVL201" for f in report["findings"]), report
    return report


def said(report: Dict[str, Any], text: str) -> bool:
    return any(text in f["message"] for f in report["findings"])


@pytest.mark.parametrize(
    "service_name, kind",
    [
        ("null", "null"),
        ("5", "a number"),
        ("1.0e+308", "a number"),
        ("true", "a boolean"),
        ("[a]", "a list"),
        ('!Join ["", ["com.amazonaws.", !Ref Vpc, ".s3"]]', "a value built from other resources"),
    ],
)
def test_a_service_name_that_is_not_a_string_is_unknown(
    tmp_path: Path, service_name: str, kind: str
) -> None:
    lines = ENDPOINTS.read_text().splitlines()
    (index,) = [i for i, line in enumerate(lines) if SERVICE_NAME_LINE in line]
    lines[index] = lines[index].split("ServiceName:")[0] + f"ServiceName: {service_name}"
    template = tmp_path / "endpoints.yaml"
    template.write_text("\n".join(lines) + "\n")
    report = lint_with_good(str(template))
    assert said(report, f"the service name of endpoint S3Endpoint is not a string: {kind}")


def test_a_null_service_name_in_an_inventory_is_unknown(tmp_path: Path) -> None:
    cases = FIXTURES / "rules" / "CVL401" / "api-bad"
    endpoints = json.loads((cases / "vpc-endpoints.json").read_text())
    for endpoint in endpoints["VpcEndpoints"]:
        endpoint["ServiceName"] = None
    inventory = tmp_path / "vpc-endpoints.json"
    inventory.write_text(json.dumps(endpoints))
    others = [p for p in sorted(cases.glob("*.json")) if p.name.startswith(("route", "security", "subnets", "vpc-dns"))]  # fmt: skip
    context = [arg for path in [inventory, *others] for arg in ("--context", str(path))]
    report = lint_with_good(str(cases / "job.json"), *context)
    assert report["errors"] == []
    assert said(report, "the service name of endpoint vpce-0s3 is not a string: null")


@pytest.mark.parametrize(
    "service_name, reason",
    [
        (65536, "is not a string: a number"),
        (["a"], "is not a string: a list"),
        (None, "a value known only after apply"),  # null in a plan: taken from the configuration
    ],
)
def test_a_plan_service_name_that_is_not_a_string_is_unknown(
    tmp_path: Path, service_name: Any, reason: str
) -> None:
    plan = json.loads((FIXTURES / "rules" / "CVL402" / "tf-good" / "plan.json").read_text())
    resources = plan["planned_values"]["root_module"]["resources"]
    endpoints = [r for r in resources if r["type"] == "aws_vpc_endpoint"]
    for endpoint in endpoints:
        endpoint["values"]["service_name"] = service_name
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    report = lint_with_good(str(path))
    assert report["errors"] == []
    (s3,) = [f for f in report["findings"] if f["rule"] == "CVL301"]
    assert s3["severity"] == "info" and "the service of endpoint aws_vpc_endpoint." in s3["message"]
    assert reason in s3["message"]


def test_an_unknown_monitoring_endpoint_name_is_unknown(tmp_path: Path) -> None:
    monitor = FIXTURES / "rules" / "CVL103" / "bad-monitor.yaml"
    written = "      EndpointName: !GetAtt Endpoint.EndpointName"
    assert written in monitor.read_text()
    template = tmp_path / "monitor.yaml"
    template.write_text(monitor.read_text().replace(written, '      EndpointName: !Ref "AWS::AccountId"'))  # fmt: skip
    report = lint_with_good(str(template))
    assert report["errors"] == []
    (mismatch,) = [f for f in report["findings"] if f["rule"] == "CVL103"]
    assert mismatch["severity"] == "info"
    assert "the job's endpoint is not known: the account ID" in mismatch["message"]


def test_dhcp_options_with_both_keys_unknown_are_unknown(tmp_path: Path) -> None:
    known = "{DomainName: ec2.internal, DomainNameServers: [AmazonProvidedDNS]}"
    good = FIXTURES / "rules" / "CVL308" / "good.yaml"
    assert known in good.read_text()
    template = tmp_path / "dhcp.yaml"
    template.write_text(good.read_text().replace(known, "{DomainName: !ImportValue dn, DomainNameServers: !ImportValue dns}"))  # fmt: skip
    report = lint_with_good(str(template))
    (dhcp,) = [f for f in report["findings"] if f["rule"] == "CVL308"]
    assert (
        dhcp["severity"] == "info" and "the domain-name of the DHCP options set" in dhcp["message"]
    )


def state_machine(
    tmp_path: Path, definition: Any, substitutions: Dict[str, str] | None = None
) -> Path:
    """A template with one state machine; ``definition`` a string (DefinitionString) or an object."""
    form = "DefinitionString" if isinstance(definition, str) else "Definition"
    properties = {"RoleArn": "arn:aws:iam::111122223333:role/Flow", form: definition}
    if substitutions:
        properties["DefinitionSubstitutions"] = substitutions
    template = {"Resources": {"Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}}}  # fmt: skip
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(template))
    return path


def pass_state(extra: str) -> str:
    return '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, ' + extra + "}}}"


def test_json_nested_past_the_limit_in_a_definition_string_is_one_error(tmp_path: Path) -> None:
    hostile = state_machine(tmp_path, pass_state('"X": ' + "[" * 950 + "]" * 950))
    report = lint_beside_good(str(hostile))
    assert error_for(report, hostile)["message"] == f"Flow DefinitionString: nesting deeper than {MAX_DEPTH} levels"  # fmt: skip


def test_a_huge_integer_in_a_definition_string_is_kept_as_text(tmp_path: Path) -> None:
    flow = state_machine(tmp_path, pass_state('"X": ' + "9" * 5000))
    report = lint_with_good(str(flow))
    assert report["errors"] == []


@pytest.mark.parametrize("form", ["DefinitionString", "Definition"])
def test_definition_substitutions_fill_at_most_the_api_limit(tmp_path: Path, form: str) -> None:
    """20,000 x ${Big} of 50 KB fills a 1 GB definition: under a 1 GiB address-space limit the
    run still answers, the definition unknown with the reason."""
    import resource
    import subprocess

    comment = '"Comment": "' + "${Big}" * 20_000 + '"'
    definition = (
        pass_state(comment) if form == "DefinitionString" else json.loads(pass_state(comment))
    )
    path = state_machine(tmp_path, definition, {"Big": "x" * 50_000})

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    completed = subprocess.run(
        [sys.executable, "-m", "clarify_vpc_lint", str(path), str(GOOD), "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=limit_memory,
    )  # fmt: skip
    assert "internal error" not in completed.stdout + completed.stderr
    report = json.loads(completed.stdout)
    assert report["errors"] == [] and any(f["rule"] == "CVL201" for f in report["findings"])
    assert said(report, f"the state-machine definition of Flow: {'Flow DefinitionString: ' if form == 'DefinitionString' else ''}longer than {MAX_DEFINITION} characters")  # fmt: skip


def test_fn_sub_variables_that_are_not_a_map_make_placeholders_unknown(tmp_path: Path) -> None:
    template = tmp_path / "sub.yaml"
    flow = pass_state('"Comment": "${A}"')
    template.write_text(
        "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        f"      DefinitionString: !Sub\n        - '{flow}'\n        - {{Fn::ImportValue: x}}\n"
    )
    report = lint_with_good(str(template))
    assert report["errors"] == []


def test_substitutions_within_the_limit_are_filled() -> None:
    from clarify_vpc_lint.readers.workflows import fill_placeholders, no_lookup, parse_embedded

    lookup = {"Big": "x" * 1000, "N": 3}.get
    filled = parse_embedded(
        pass_state('"Comment": "' + "${Big}" * 1000 + '", "N": ${N}'), lookup, "flow"
    )
    assert filled["States"]["A"]["Comment"] == "x" * 1_000_000 and filled["States"]["A"]["N"] == 3
    assert fill_placeholders({"a": ["${Big}-${N}"]}, lookup) == {"a": ["x" * 1000 + "-3"]}
    unresolved = fill_placeholders("${Gone}-${N}", lookup)
    assert isinstance(unresolved, Unknown) and "${Gone}" in unresolved.reason
    assert parse_embedded(pass_state('"X": 1'), no_lookup, "flow")["States"]["A"]["X"] == 1


def special_files(tmp_path: Path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    return [Path("/dev/zero"), Path("/dev/null"), fifo, tmp_path]


def test_special_files_are_refused_as_parameters_and_config(tmp_path: Path) -> None:
    for special in special_files(tmp_path):
        report = lint_beside_good("--parameters", str(special))
        assert "not read" in error_for(report, special)["message"]
        completed = run_cli("--config", str(special), str(GOOD))
        assert completed.returncode == 2 and completed.stderr.count("\n") == 1, completed.stderr
        assert "not read" in completed.stderr


def test_load_refuses_special_files_without_blocking(tmp_path: Path) -> None:
    for special in special_files(tmp_path):
        result = load(str(special))
        assert isinstance(result, InputError) and result.message.endswith("not read"), result


def test_non_utf8_files_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    assert load(str(path)) == InputError(str(path), 2, "not UTF-8 text")
    with pytest.raises(ParseError, match="not UTF-8") as caught:
        config_module.load_config(path)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("per-path-ignores: [a, b]\n", "per-path-ignores must be a mapping, not a list"),
        (
            "per-path-ignores: {'*.yaml': CVL001}\n",
            "per-path-ignores: \\*.yaml must be a list of strings",
        ),
        ("severity: [CVL001]\n", "severity must be a mapping, not a list"),
        ("severity: {CVL001: [error]}\n", "severity: CVL001 must be a string, not a list"),
        ("region: 5\n", "region must be a string, not a number"),
        ("fail-on: [error]\n", "fail-on must be a string, not a list"),
        ("ignore: CVL001\n", "ignore must be a list of strings"),
        ("ignore: [[CVL001]]\n", "ignore must be a list of strings"),
        ("context: {a: b}\n", "context must be a list of strings"),
        ("jobs: {a: b}\n", "jobs must be a list"),
        ("{[a]: b}\n", "a mapping key must be a scalar"),
        ("5: x\n", "unknown configuration key"),
        ("- a\n", "the configuration must be a mapping"),
    ],
)
def test_malformed_config_values_are_one_clear_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / ".clarify-vpc-lint.yaml"
    path.write_text(text)
    with pytest.raises(ParseError, match=message):
        config_module.load_config(path)
    completed = run_cli("--config", str(path), str(GOOD))
    assert completed.returncode == 2 and completed.stderr.count("\n") == 1, completed.stderr
    assert "Traceback" not in completed.stderr and "internal error" not in completed.stderr


def test_a_non_utf8_config_in_a_parent_folder_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / ".clarify-vpc-lint.yaml").write_bytes(b"region: caf\xe9\n")
    work = tmp_path / "stacks"
    work.mkdir()
    completed = run_cli(str(GOOD), cwd=work)
    assert completed.returncode == 2 and completed.stderr.count("\n") == 1, completed.stderr
    assert "not UTF-8" in completed.stderr and "Traceback" not in completed.stderr


def test_parse_text_reads_json_and_falls_back_to_yaml() -> None:
    assert parse_text("t.template", "{a: [1, 2]}").data == {"a": [1, 2]}
    assert parse_text("t.json", '{"a": 1}').is_json


# -- 5. no credential lookup --------------------------------------------------------------------------

API = FIXTURES / "rules" / "CVL001" / "api-bad.json"
AUDIT = """
import os, sys
watched = os.path.join(os.environ["HOME"], ".aws")
opened = []
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        if os.fsdecode(args[0]).startswith(watched):
            opened.append(os.fsdecode(args[0]))
    if event in ("os.listdir", "os.scandir") and args and str(args[0]).startswith(watched):
        opened.append(str(args[0]))
sys.addaudithook(hook)
from clarify_vpc_lint import cli
status = cli.main(sys.argv[1:])
sys.stderr.write("OPENED=%r\\n" % opened)
sys.exit(status)
"""


def test_api_json_never_reads_the_users_aws_files(tmp_path: Path) -> None:
    import subprocess

    home = tmp_path / "home"
    (home / ".aws" / "models" / "sagemaker" / "2017-07-24").mkdir(parents=True)
    (home / ".aws" / "config").write_text("[profile nope\ngarbage = = =\n")
    (home / ".aws" / "credentials").write_text("\x00\x01 not ini at all [[[\n")
    (home / ".aws" / "models" / "sagemaker" / "2017-07-24" / "service-2.json").write_text(
        '{"metadata": {}, "operations": {}, "shapes": {}}'
    )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    outputs = []
    for env in (base_env, {**base_env, "HOME": str(home), "AWS_PROFILE": "nope",
                           "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
                           "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
                           "AWS_DATA_PATH": str(home / ".aws" / "models")}):  # fmt: skip
        env.setdefault("HOME", str(home))
        completed = subprocess.run(
            [sys.executable, "-c", AUDIT, str(API), "--format", "json"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert completed.returncode == 1, completed.stderr
        assert completed.stderr.strip().endswith("OPENED=[]"), completed.stderr
        outputs.append(completed.stdout)
    assert outputs[0] == outputs[1]
    assert any(f["rule"] == "CVL001" for f in json.loads(outputs[0])["findings"])


def test_a_yaml_file_holds_a_bounded_number_of_values(monkeypatch) -> None:
    from clarify_vpc_lint import documents as source

    monkeypatch.setattr(source, "MAX_YAML_VALUES", 101)  # the list and its 100 items
    assert len(parse_yaml("[" + "a, " * 99 + "a]")) == 100
    with pytest.raises(ParseError, match="more than 101 values"):
        parse_yaml("[" + "a, " * 100 + "a]")


def test_memoised_values_do_not_outlive_a_new_template() -> None:
    """A value resolved while templates are still being added is resolved again afterwards."""
    reader = {
        "Parameters": {"P": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/net/vpc"}},
        "Resources": {"R": {"Type": "X", "Properties": {"V": {"Ref": "P"}}}},
        "Outputs": {"O": {"Value": "x", "Export": {"Name": {"Fn::Sub": "${P}-x"}}}},
    }
    writer = {
        "Resources": {
            "W": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/net/vpc", "Value": "vpc-1"},
            }
        }
    }
    for order in ([reader, writer], [writer, reader]):
        run_ = CfnRun("us-east-1", {})
        templates = []
        for index, data in enumerate(order):
            document = Document(f"t{index}.yaml", "", data, is_json=False)
            template = Template(
                document.path, document, data["Resources"], data.get("Parameters", {}), {}
            )
            run_.add(template)
            templates.append(template)
        (reading,) = [t for t in templates if t.parameters]
        assert run_.resolve({"Ref": "P"}, reading) == "vpc-1"


def test_json_depth_measure_used_from_python_3_12_is_exact() -> None:
    from clarify_vpc_lint.documents import _json_depth

    assert _json_depth(json.dumps({"a": "[[[{{{", "b": ['\\"]]', [{"c": []}]]})) == 5
    assert _json_depth("[" * 300 + "]" * 300) == 300
    assert _json_depth(json.dumps(["]" * 50, [[1]]])) == 3


@pytest.mark.parametrize("number", ["[90]", "null", "'ninety'"])
def test_an_acl_rule_number_of_another_type_is_unknown_never_an_internal_error(
    tmp_path: Path, number: str
) -> None:
    # found by the reader fuzzer: a list was hashed, None was compared with numbers
    template = (FIXTURES / "unbreakable/acl-rule-numbers.yaml").read_text()
    broken = tmp_path / "acl.yaml"
    broken.write_text(template.replace("RuleNumber: 90,", f"RuleNumber: {number},", 1))
    result = run(Options(paths=[str(broken)]))
    assert not [e for e in result.errors if "internal error" in e.message], result.errors
    assert {(f.rule, f.severity) for f in result.findings if f.rule == "CVL309"} == {
        ("CVL309", "info")
    }


def test_an_empty_inline_route_in_a_plan_is_unknown_never_an_internal_error(tmp_path: Path) -> None:
    # found by the reader fuzzer at 6,000 examples: a route block whose destination is not known
    plan = json.loads((FIXTURES / "terraform/module/plan.json").read_text())
    tables = [
        resource
        for module in [
            plan["planned_values"]["root_module"],
            *plan["planned_values"]["root_module"].get("child_modules", []),
        ]
        for resource in module.get("resources", [])
        if resource["type"] == "aws_route_table"
    ]
    assert tables
    tables[0]["values"]["route"] = [{}]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result = run(Options(paths=[str(tmp_path / "plan.json")]))
    assert not [e for e in result.errors if "internal error" in e.message], result.errors
