"""Terraform configuration read as written (readers/terraform/config), with real plans as the oracle.

Every Terraform fixture holds the ``main.tf`` that real terraform planned into its
``plan.json``: evaluating the ``.tf`` offline must give the same resource addresses and, for
every value we know, the plan's value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarify_vpc_lint.documents import ParseError
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.readers.terraform.config import read_configuration
from clarify_vpc_lint.values import Handle, Unknown

FIXTURES = Path(__file__).parent / "fixtures"
TFCONFIG = FIXTURES / "tfconfig"
CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"

PLANNED = sorted(
    main.parent for main in FIXTURES.rglob("main.tf") if (main.parent / "plan.json").is_file()
)

# (fixture, address, attribute path) -> why the .tf evaluation cannot know what the plan knows.
# Empty: every value the fixtures' plans know is evaluated offline as well.
UNKNOWN_OFFLINE: Dict[Tuple[str, str, Tuple[Any, ...]], str] = {}
# Values the plan knows from terraform.tfstate (real IDs) that, as written, are references.
FROM_STATE: Dict[Tuple[str, str, Tuple[Any, ...]], str] = {
    ("terraform/existing-state", "aws_subnet.a", ("vpc_id",)): (
        "the VPC exists: the plan takes its ID from terraform.tfstate; as written it is a "
        "Handle to aws_vpc.main, which the handlers join by address"
    ),
}


def _planned(module: Dict[str, Any], out: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    for resource in module.get("resources", []):
        if resource.get("mode") == "managed":
            out[resource["address"]] = resource.get("values", {})
    for child in module.get("child_modules", []):
        _planned(child, out)
    return out


def _has_handle(value: Any) -> bool:
    if isinstance(value, Handle):
        return True
    if isinstance(value, list):
        return any(_has_handle(item) for item in value)
    if isinstance(value, dict):
        return any(_has_handle(item) for item in value.values())
    return False


def _in_plan_order(blocks: list, planned: list) -> list:
    """Our blocks matched to the plan's, where they are a set the plan sorted."""
    remaining = list(blocks)
    ordered = []
    for theirs in planned:
        for mine in remaining:
            report: Dict[str, list] = {"same": [], "differs": [], "unknown": [], "handle": []}
            _compare(mine, theirs, (), report)
            if not report["differs"]:
                ordered.append(mine)
                remaining.remove(mine)
                break
    return ordered + remaining if len(ordered) == len(planned) else blocks


def _compare(ours: Any, planned: Any, path: Tuple[Any, ...], report: Dict[str, list]) -> None:
    """Record agreements, disagreements and unknowns of our value against the plan's."""
    if isinstance(ours, Handle):
        if planned is not None:
            report["handle"].append(path)
        return
    if _has_handle(ours) and planned is None:
        return  # known only after apply: the plan does not know it either
    if isinstance(ours, Unknown):
        if planned is not None:
            report["unknown"].append((path, ours.reason))
        return
    if isinstance(ours, dict) and isinstance(planned, dict):
        for key, value in ours.items():
            _compare(value, planned.get(key), (*path, key), report)
        return
    if isinstance(ours, list) and isinstance(planned, list) and len(ours) == len(planned):
        if all(isinstance(item, str) for item in ours) and sorted(ours) == sorted(planned):
            report["same"].append(path)  # a set: the plan sorts it
            return
        if all(isinstance(item, dict) for item in ours):
            ours = _in_plan_order(ours, planned)  # a set of blocks (an ACL's rules): sorted too
        for position, (mine, theirs) in enumerate(zip(ours, planned, strict=False)):
            _compare(mine, theirs, (*path, position), report)
        return
    report["same" if ours == planned else "differs"].append((path, planned, ours))


@pytest.mark.parametrize("folder", PLANNED, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_configuration_evaluates_to_the_plan(folder: Path) -> None:
    plan = json.loads((folder / "plan.json").read_text())
    planned = _planned(plan["planned_values"]["root_module"], {})
    configuration = read_configuration(folder)
    ours = {i.address: i for i in configuration.instances if i.mode == "managed"}

    assert sorted(ours) == sorted(planned)
    name = str(folder.relative_to(FIXTURES))
    unknown: Dict[Tuple[str, str, Tuple[Any, ...]], str] = {}
    from_state = set()
    same = 0
    for address, instance in ours.items():
        report: Dict[str, list] = {"same": [], "differs": [], "unknown": [], "handle": []}
        _compare(instance.values, planned[address], (), report)
        assert report["differs"] == [], address
        same += len(report["same"])
        for path, reason in report["unknown"]:
            unknown[(name, address, path)] = reason
        from_state.update((name, address, path) for path in report["handle"])
    assert same > 0
    assert set(unknown) == {key for key in UNKNOWN_OFFLINE if key[0] == name}
    assert from_state == {key for key in FROM_STATE if key[0] == name}


@pytest.mark.parametrize("folder", PLANNED, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_references_name_instances_that_exist(folder: Path) -> None:
    configuration = read_configuration(folder, key_prefix="")
    addresses = {instance.address for instance in configuration.instances}
    handles: List[Handle] = []

    def collect(value: Any) -> None:
        if isinstance(value, Handle):
            handles.append(value)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    for instance in configuration.instances:
        collect(instance.values)
    assert {handle.key for handle in handles} <= addresses


def test_resources_point_at_their_block() -> None:
    folder = FIXTURES / "rules" / "CVL201" / "tf-bad"
    lines = (folder / "main.tf").read_text().splitlines()
    for instance in read_configuration(folder).instances:
        assert Path(instance.file) == (folder / "main.tf").resolve()
        assert lines[instance.line - 1].startswith(f'resource "{instance.type}" "{instance.name}"')


def _by_address(folder: Path, **options: Any) -> Dict[str, Any]:
    configuration = read_configuration(folder, key_prefix="", **options)
    return {instance.address: instance for instance in configuration.instances}


def test_a_variable_without_default_is_unknown_until_given() -> None:
    model = _by_address(TFCONFIG / "variables")["aws_sagemaker_model.churn"]
    subnets = model.values["vpc_config"][0]["subnets"]
    assert isinstance(subnets, Unknown)
    assert "--var subnet_ids=" in subnets.reason

    given = _by_address(
        TFCONFIG / "variables",
        variables={"subnet_ids": '["subnet-1", "subnet-2"]', "enable_dns": "true"},
    )
    assert given["aws_sagemaker_model.churn"].values["vpc_config"][0]["subnets"] == [
        "subnet-1",
        "subnet-2",
    ]
    assert given["aws_vpc.main"].values["enable_dns_hostnames"] is True

    typo = read_configuration(TFCONFIG / "variables", variables={"subnet_id": '["subnet-1"]'})
    assert typo.undeclared == ["subnet_id"]


def test_variable_files_apply_in_terraform_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_cidr", "192.168.0.0/16")  # ignored, for determinism
    found = _by_address(TFCONFIG / "tfvars")
    assert found["aws_vpc.main"].values["cidr_block"] == "10.1.0.0/16"
    # prod.tfvars is read only when named (--var-file), as Terraform does
    assert found["aws_vpc.main"].values["tags"] == {"Name": "from-terraform-tfvars"}
    # zones.auto.tfvars overrides terraform.tfvars: three subnets
    assert [found[f"aws_subnet.private[{i}]"].values["cidr_block"] for i in range(3)] == [
        "10.1.0.0/20",
        "10.1.16.0/20",
        "10.1.32.0/20",
    ]
    assert found["aws_subnet.private[2]"].values["availability_zone"] == "us-east-1c"

    explicit = _by_address(
        TFCONFIG / "tfvars",
        var_files=[TFCONFIG / "tfvars" / "prod.tfvars"],
        variables={"zones": '["a"]'},
    )
    assert explicit["aws_vpc.main"].values["tags"] == {"Name": "from-var-file"}
    assert explicit["aws_subnet.private[0]"].values["availability_zone"] == "eu-west-1a"
    assert "aws_subnet.private[1]" not in explicit


def test_a_remote_module_is_unknown() -> None:
    configuration = read_configuration(TFCONFIG / "remote-module", key_prefix="")
    [skipped] = configuration.skipped
    assert skipped.address == "module.vpc" and skipped.line == 2
    assert "terraform-aws-modules/vpc/aws" in skipped.reason
    found = {instance.address: instance for instance in configuration.instances}
    assert set(found) == {"aws_security_group.clarify", "aws_sagemaker_model.churn"}
    vpc_config = found["aws_sagemaker_model.churn"].values["vpc_config"][0]
    assert isinstance(vpc_config["subnets"], Unknown)
    assert "not downloaded" in vpc_config["subnets"].reason
    assert vpc_config["security_group_ids"] == [Handle("aws_security_group.clarify")]


def test_nested_local_modules_with_for_each_and_count() -> None:
    found = _by_address(TFCONFIG / "nested-modules")
    blue = 'module.network["blue"]'
    green = 'module.network["green"]'
    assert set(found) == {
        "aws_sagemaker_model.churn",
        f"{blue}.aws_vpc.this",
        f"{green}.aws_vpc.this",
        f"{blue}.module.subnets.aws_subnet.this[0]",
        f"{blue}.module.subnets.aws_subnet.this[1]",
        f"{green}.module.subnets.aws_subnet.this[0]",
    }
    subnet = found[f"{blue}.module.subnets.aws_subnet.this[1]"]
    assert subnet.module == f"{blue}.module.subnets" and subnet.index == 1
    assert subnet.values == {
        "vpc_id": Handle(f"{blue}.aws_vpc.this"),
        "cidr_block": "10.10.2.0/24",
        "availability_zone": "us-east-1b",
    }
    assert found[f"{green}.module.subnets.aws_subnet.this[0]"].values["cidr_block"] == (
        "10.20.1.0/24"
    )
    assert found[f"{blue}.aws_vpc.this"].values["enable_dns_hostnames"] is True
    assert found[f"{green}.aws_vpc.this"].values["enable_dns_hostnames"] is False
    # an output of a nested module, through the outer module's output
    assert found["aws_sagemaker_model.churn"].values["vpc_config"][0]["subnets"] == [
        Handle(f"{blue}.module.subnets.aws_subnet.this[0]"),
        Handle(f"{blue}.module.subnets.aws_subnet.this[1]"),
    ]


def test_dynamic_blocks_expand_like_written_blocks() -> None:
    group = _by_address(TFCONFIG / "dynamic-blocks")["aws_security_group.clarify"]
    assert group.values["ingress"] == [
        {"from_port": 0, "to_port": 0, "protocol": "-1", "self": True},
        {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]},
        {"from_port": 2049, "to_port": 2049, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]},
    ]
    assert group.values["egress"] == [
        {
            "description": "https",
            "from_port": 443,
            "to_port": 443,
            "protocol": "tcp",
            "cidr_blocks": ["0.0.0.0/0"],
        }
    ]


def test_tf_json() -> None:
    found = _by_address(TFCONFIG / "json")
    assert found["aws_vpc_endpoint.s3"].values == {
        "vpc_id": Handle("aws_vpc.main"),
        "service_name": "com.amazonaws.us-west-2.s3",
    }
    assert found["aws_security_group.clarify"].values["egress"][0]["cidr_blocks"] == ["0.0.0.0/0"]
    assert found["aws_vpc_endpoint.s3"].line == 6


def test_region_and_zone_names_are_known_other_data_sources_not() -> None:
    found = _by_address(TFCONFIG / "data-sources")
    zones = [found[f"aws_subnet.private[{i}]"].values["availability_zone"] for i in range(2)]
    assert zones[0] != zones[1] and all(zone.startswith("eu-central-1") for zone in zones)
    endpoint = found["aws_vpc_endpoint.runtime"].values
    assert endpoint["service_name"] == "com.amazonaws.eu-central-1.sagemaker.runtime"
    assert isinstance(endpoint["vpc_id"], Unknown)
    assert "data.aws_vpc.shared.id" in endpoint["vpc_id"].reason
    assert found["aws_iam_role.model"].values["path"] == "/aws/"


def test_expressions_and_functions(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
locals {
  base  = { a = 1, b = 2 }
  names = ["x", "y", "x"]
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = {
    merged     = jsonencode(merge(local.base, { b = 3 }))
    looked     = lookup(local.base, "c", 9)
    sliced     = join(",", slice(concat(local.names, ["z"]), 1, 4))
    flat       = length(flatten([[1, 2], [3]]))
    unique     = join("-", distinct(local.names))
    fallback   = try(local.base.missing, "default")
    first      = coalesce("", "second")
    decoded    = jsondecode("{\\"k\\": [1, 2]}").k[1]
    split      = element(split("/", "a/b/c"), 1)
    replaced   = upper(replace("a-b-c", "-", "_"))
    lower      = lower("ABC")
    number     = tonumber("42") + 1
    string     = tostring(7)
    precedence = 1 + 2 * 3 - 4
    compare    = 2 * 3 > 5 && !false ? "yes" : "no"
    keys       = join(",", keys(local.base))
    values     = values(local.base)[1]
    set        = length(toset(local.names))
    listed     = tolist(["p"])[0]
    formatted  = format("%s-%03d-%%", "n", 5)
    loop       = join(",", [for k, v in local.base : "${k}=${v}" if v > 1])
    subnet     = cidrsubnet("10.0.0.0/16", 8, 255)
    escaped    = "$${literal} \\"q\\""
    expanded   = max([3, 9, 4]...)
  }
}
"""
    )
    tags = read_configuration(tmp_path).instances[0].values["tags"]
    assert tags == {
        "merged": '{"a":1,"b":3}',
        "looked": 9,
        "sliced": "y,x,z",
        "flat": 3,
        "unique": "x-y",
        "fallback": "default",
        "first": "second",
        "decoded": 2,
        "split": "b",
        "replaced": "A_B_C",
        "lower": "abc",
        "number": 43,
        "string": "7",
        "precedence": 3,
        "compare": "yes",
        "keys": "a,b",
        "values": 2,
        "set": 2,
        "listed": "p",
        "formatted": "n-5-%",
        "loop": "b=2",
        "subnet": "10.0.255.0/24",
        "escaped": '${literal} "q"',
        "expanded": 9,
    }


def test_unknowns_say_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
variable "region" {}

locals {
  partition = "amazonaws"
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id       = "vpc-1"
  service_name = "com.${local.partition}.${var.region}.s3"
  tags         = { f = sha256("x") }
}

resource "aws_subnet" "maybe" {
  count      = var.region == "us-east-1" ? 1 : 0
  vpc_id     = "vpc-1"
  cidr_block = "10.0.0.0/24"
}
"""
    )
    configuration = read_configuration(tmp_path)
    [endpoint] = configuration.instances
    service = endpoint.values["service_name"]
    assert isinstance(service, Unknown)
    assert service.text == "com.amazonaws.${var.region}.s3"  # enough to know it is S3
    assert "--var region=" in service.reason
    given = read_configuration(tmp_path, variables={"region": "eu-west-1"})
    assert given.instances[0].values["service_name"] == "com.amazonaws.eu-west-1.s3"
    # known now: count = 0 outside us-east-1
    assert [i.address for i in given.instances] == ["aws_vpc_endpoint.s3"]
    assert given.skipped == []
    assert "sha256() is not evaluated" in endpoint.values["tags"]["f"].reason
    [skipped] = configuration.skipped
    assert skipped.address == "aws_subnet.maybe" and "--var region=" in skipped.reason


def test_invalid_hcl_is_one_error_with_its_line_and_the_other_files_are_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_vpc" "a" {\n  cidr_block = \n}\n')
    (tmp_path / "other.tf").write_text(
        'resource "aws_vpc" "b" {\n  cidr_block = "10.0.0.0/16"\n}\n'
    )
    configuration = read_configuration(tmp_path)
    [(file, line, what)] = configuration.errors
    assert file.endswith("main.tf") and "not valid HCL" in what
    assert line in (2, 3)  # the value missing after "cidr_block =" (or the brace it meets)
    assert [i.address for i in configuration.instances] == ["aws_vpc.b"]


SAMPLE_FOLDERS = {"tf-provider-awscc"}  # each file declares data "aws_caller_identity" "current"
CORPUS_FOLDERS = sorted({path.parent for path in CORPUS.rglob("*.tf")}) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FOLDERS, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("folder", CORPUS_FOLDERS, ids=lambda p: p.name)
def test_every_corpus_configuration_evaluates(folder: Path) -> None:
    if folder.name in SAMPLE_FOLDERS:  # separate samples in one folder: not one module
        with pytest.raises(ParseError, match="duplicate data"):
            read_configuration(folder)
        return
    configuration = read_configuration(folder)
    assert configuration.instances or configuration.skipped
    for instance in configuration.instances:
        assert instance.line > 0 and Path(instance.file).parent == folder.resolve()


def test_override_files_merge_into_their_block(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n'
        "  enable_dns_hostnames = false\n}\n"
    )
    (tmp_path / "dns_override.tf").write_text(
        'resource "aws_vpc" "main" {\n  enable_dns_hostnames = true\n}\n'
    )
    [vpc] = read_configuration(tmp_path).instances
    assert vpc.values == {"cidr_block": "10.0.0.0/16", "enable_dns_hostnames": True}


def test_a_module_that_calls_itself_stops(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "again" {\n  source = "./"\n}\n\nresource "aws_vpc" "main" {\n'
        '  cidr_block = "10.0.0.0/16"\n}\n'
    )
    configuration = read_configuration(tmp_path)
    assert [i.address for i in configuration.instances] == ["aws_vpc.main"]  # the rest is read
    [(file, line, what)] = configuration.errors
    assert (Path(file).name, line) == ("main.tf", 1)
    assert f"module again: a module cycle ({tmp_path.name} -> {tmp_path.name})" in what


def test_heredocs_and_for_each_over_ids_known_after_apply(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
resource "aws_subnet" "a" {
  count      = 2
  vpc_id     = "vpc-1"
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}

resource "aws_route_table_association" "a" {
  for_each  = toset(aws_subnet.a[*].id)
  subnet_id = each.value
}

resource "aws_organizations_policy" "p" {
  content = <<-EOT
    {"Version": "${"2012-10-17"}"}
  EOT
}
"""
    )
    configuration = read_configuration(tmp_path)
    [skipped] = configuration.skipped
    assert skipped.address == "aws_route_table_association.a"
    assert "known only after apply" in skipped.reason
    # a service control policy's content is planned as written (IAM policies are normalised)
    policy = [i for i in configuration.instances if i.type == "aws_organizations_policy"][0]
    assert policy.values["content"] == '{"Version": "2012-10-17"}\n'


_ATOMS = st.sampled_from(
    [
        "var.x", "local.l", "aws_subnet.a", "aws_subnet.a[*].id", "module.m.out", "module.m",
        "data.aws_region.r.name", "data.aws_region.r", "count.index", "each.key", "1", "-2", "0.5",
        '"s"', '"${var.x[0]}-y"', '"10.0.0.0/16"', "true", "null", "[]", "{}", "var.x[2].k",
    ]
)  # fmt: skip
_FUNCTIONS = st.sampled_from(
    ["cidrsubnet", "merge", "lookup", "length", "element", "try", "toset", "format", "jsondecode",
     "slice", "split", "concat", "flatten", "keys", "coalesce", "tonumber", "join", "unknownfn"]
)  # fmt: skip


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Operators, calls, conditionals, collections, indexing and for-expressions over inner."""
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "*", "==", "&&", "%", "<"]), inner).map(" ".join),
        st.tuples(_FUNCTIONS, st.lists(inner, max_size=3)).map(
            lambda f: f"{f[0]}({', '.join(f[1])})"
        ),
        st.tuples(inner, inner, inner).map(lambda e: f"{e[0]} ? {e[1]} : {e[2]}"),
        st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
        st.tuples(inner, inner).map(lambda e: f"({e[0]})[{e[1]}]"),
        inner.map(lambda e: f"{{ k = {e} }}"),
        inner.map(lambda e: f"[for i, v in {e} : v]"),
        inner.map(lambda e: f"({e}).id"),
    )


_EXPRESSIONS = st.recursive(_ATOMS, _compound, max_leaves=8)

_TEMPLATE = """
variable "x" {
  default = [1, "two", { k = 3 }]
}
locals {
  l = {EXPR}
}
module "m" {
  source = "./modules/m"
}
data "aws_region" "r" {}
resource "aws_subnet" "a" {
  count      = 2
  vpc_id     = {EXPR}
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}
"""


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(expression=_EXPRESSIONS)
def test_arbitrary_expressions_never_raise(tmp_path: Path, expression: str) -> None:
    (tmp_path / "main.tf").write_text(_TEMPLATE.replace("{EXPR}", expression))
    (tmp_path / "modules" / "m").mkdir(parents=True, exist_ok=True)
    (tmp_path / "modules" / "m" / "main.tf").write_text(
        'variable "v" {\n  default = 1\n}\n\noutput "out" {\n  value = [var.v, "a"]\n}\n'
    )
    configuration = read_configuration(tmp_path)
    assert configuration.instances or configuration.skipped or configuration.errors


def test_a_missing_var_file_is_one_error_and_the_root_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "x" {}\nresource "aws_vpc" "a" {}\n')
    configuration = read_configuration(tmp_path, var_files=[tmp_path / "absent.tfvars"])
    [(file, _, what)] = configuration.errors
    assert file.endswith("absent.tfvars") and "cannot read" in what
    assert [i.address for i in configuration.instances] == ["aws_vpc.a"]


def test_a_resource_that_refers_to_its_own_blocks_is_unknown_there(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_security_group" "g" {\n  description = aws_security_group.g.ingress\n'
        "  ingress {\n    from_port = 443\n  }\n}\n"
    )
    [group] = read_configuration(tmp_path).instances
    assert "refers to itself" in group.values["description"].reason
    assert group.values["ingress"] == [{"from_port": 443}]


def test_long_and_deep_expressions_do_not_exhaust_the_stack(tmp_path: Path) -> None:
    chain = " + ".join(["1"] * 3000)
    nested = "[" * 2000 + "1" + "]" * 2000
    (tmp_path / "main.tf").write_text(
        f'resource "aws_vpc" "a" {{\n  chain  = {chain}\n  nested = {nested}\n'
        "  left   = 10 - 2 - 3\n  lazy   = false && var.undeclared\n}\n"
    )
    values = read_configuration(tmp_path).instances[0].values
    assert values["chain"] == 3000
    assert values["left"] == 5  # left-associative
    assert values["lazy"] is False

    def innermost(value: Any) -> Any:
        while isinstance(value, list):
            value = value[0]
        return value

    assert "nest too deeply" in innermost(values["nested"]).reason


def test_a_policy_document_is_unknown_only_where_its_inputs_are(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
resource "aws_s3_bucket" "b" {}

data "aws_iam_policy_document" "later" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = ["{}"]
}

data "aws_iam_policy_document" "known" {
  statement {
    effect    = "Deny"
    actions   = ["sagemaker:CreateProcessingJob"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "later" {
  policy = data.aws_iam_policy_document.later.json
}

resource "aws_iam_policy" "merged" {
  policy = data.aws_iam_policy_document.merged.json
}

resource "aws_iam_policy" "known" {
  policy = data.aws_iam_policy_document.known.minified_json
}
"""
    )
    found = _by_address(tmp_path)
    later = found["aws_iam_policy.later"].values["policy"]
    assert isinstance(later, Unknown) and "known only after apply" in later.reason
    merged = found["aws_iam_policy.merged"].values["policy"]
    assert isinstance(merged, Unknown) and "source_policy_documents" in merged.reason
    assert json.loads(found["aws_iam_policy.known"].values["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "sagemaker:CreateProcessingJob", "Resource": "*"}
        ],
    }


def test_modules_placed_by_terraform_init_are_read_like_local_ones(tmp_path: Path) -> None:
    """A registry module `terraform init` downloaded (listed in .terraform/modules/modules.json)
    is read from there, and so is a local module it calls; one not listed stays unknown."""
    (tmp_path / "main.tf").write_text(
        'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.8.1"\n'
        '  cidr = "10.0.0.0/16"\n}\n\nmodule "other" {\n  source = "git::https://x/y.git"\n}\n\n'
        'resource "aws_security_group" "g" {\n  vpc_id = module.vpc.vpc_id\n}\n'
    )
    installed = tmp_path / ".terraform" / "modules" / "vpc"
    (installed / "modules" / "sub").mkdir(parents=True)
    (installed / "main.tf").write_text(
        'variable "cidr" {}\nresource "aws_vpc" "this" {\n  cidr_block = var.cidr\n}\n'
        'module "sub" {\n  source = "./modules/sub"\n  vpc_id = aws_vpc.this.id\n}\n'
        'output "vpc_id" {\n  value = aws_vpc.this.id\n}\n'
    )
    (installed / "modules" / "sub" / "main.tf").write_text(
        'variable "vpc_id" {}\nresource "aws_subnet" "a" {\n  vpc_id = var.vpc_id\n'
        '  cidr_block = "10.0.1.0/24"\n}\n'
    )
    listing = {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "vpc", "Source": "registry.terraform.io/x/vpc/aws", "Dir": str(installed)},
            {
                "Key": "vpc.sub",
                "Source": "./modules/sub",
                "Dir": ".terraform/modules/vpc/modules/sub",
            },
            {"Key": "other", "Source": "git::https://x/y.git", "Dir": "/etc"},  # outside: not read
        ]
    }
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps(listing))
    configuration = read_configuration(tmp_path)
    found = {i.address: i for i in configuration.instances}
    assert found["module.vpc.aws_vpc.this"].values["cidr_block"] == "10.0.0.0/16"
    subnet = found["module.vpc.module.sub.aws_subnet.a"].values["vpc_id"]
    assert isinstance(subnet, Handle) and subnet.key.endswith("module.vpc.aws_vpc.this")
    assert found["aws_security_group.g"].values["vpc_id"].key.endswith("module.vpc.aws_vpc.this")
    [skipped] = configuration.skipped
    assert skipped.address == "module.other" and "terraform init" in skipped.reason


def test_the_region_comes_from_the_resource_its_provider_alias_or_the_default(
    tmp_path: Path,
) -> None:
    """AWS provider v6 `region` on a resource, `provider = aws.west` and a module call's
    `providers` map each set the region of what they read (issue 21)."""
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n}\n'
        'provider "aws" {\n  alias  = "west"\n  region = "us-west-2"\n}\n'
        'data "aws_region" "default" {}\n'
        'data "aws_region" "west" {\n  provider = aws.west\n}\n'
        'data "aws_region" "own" {\n  region = "eu-west-1"\n}\n'
        'data "aws_vpc_endpoint_service" "s3" {\n  provider = aws.west\n  service = "s3"\n}\n'
        'module "m" {\n  source = "./m"\n  providers = {\n    aws = aws.west\n  }\n}\n'
        'resource "aws_vpc" "v" {\n  tags = {\n    d = data.aws_region.default.name\n'
        "    w = data.aws_region.west.name\n    o = data.aws_region.own.name\n"
        "    s = data.aws_vpc_endpoint_service.s3.service_name\n    m = module.m.region\n  }\n}\n"
    )
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'data "aws_region" "here" {}\noutput "region" {\n  value = data.aws_region.here.name\n}\n'
    )
    [vpc] = [i for i in read_configuration(tmp_path).instances if i.mode == "managed"]
    assert vpc.values["tags"] == {
        "d": "us-east-1",
        "w": "us-west-2",
        "o": "eu-west-1",
        "s": "com.amazonaws.us-west-2.s3",
        "m": "us-west-2",
    }


def test_distinct_and_toset_keep_references_and_drop_repeats(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_subnet" "a" {\n  vpc_id = "vpc-1"\n}\n'
        'resource "aws_vpc_endpoint" "e" {\n  vpc_id = "vpc-1"\n'
        "  subnet_ids = distinct([aws_subnet.a.id, aws_subnet.a.id])\n"
        "  route_table_ids = distinct([[aws_subnet.a.id], [aws_subnet.a.id]])\n"
        '  tags = { n = length(toset([for i in range(50000) : "x${i % 3}"])) }\n}\n'
    )
    found = {i.address: i.values for i in read_configuration(tmp_path).instances}
    [subnet] = found["aws_vpc_endpoint.e"]["subnet_ids"]
    assert isinstance(subnet, Handle) and subnet.key.endswith("aws_subnet.a")
    assert len(found["aws_vpc_endpoint.e"]["route_table_ids"]) == 1
    assert found["aws_vpc_endpoint.e"]["tags"] == {"n": 3}


# -- references inside jsonencode(): a pipeline definition (issue 21) ------------------------------

JSONENCODE = TFCONFIG / "jsonencode-pipeline"


def _lint(*paths: Path) -> List[Tuple[str, str, str]]:
    result = run(Options(paths=[str(p) for p in paths]))
    assert result.errors == [], result.errors
    return sorted((f.rule, f.severity, f.resource) for f in result.findings)


def _pipeline_case(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """The fixture's main.tf alone (its plan would win), with ``old`` replaced by ``new``."""
    text = (JSONENCODE / "main.tf").read_text()
    assert old in text
    (tmp_path / "main.tf").write_text(text.replace(old, new, 1))
    return tmp_path / "main.tf"


def test_references_inside_jsonencode_name_the_resources(tmp_path: Path) -> None:
    """The ClarifyCheck step's subnets and group are followed to the VPC it runs in: the rules
    decide (the VPC has no sagemaker.runtime endpoint), none drops to info."""
    assert _lint(_pipeline_case(tmp_path)) == [("CVL303", "error", "aws_vpc.main")]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        pytest.param(
            '["sagemaker.api", "logs"]',
            '["sagemaker.api", "sagemaker.runtime", "logs"]',
            [],
            id="with-the-runtime-endpoint-clean",
        ),
        pytest.param(
            "EnableNetworkIsolation = false",
            "EnableNetworkIsolation = true",
            [
                ("CVL101", "error", "aws_sagemaker_pipeline.churn/BiasCheck"),
                ("CVL303", "error", "aws_vpc.main"),
            ],
            id="isolation-through-a-local",
        ),
        pytest.param(
            "SecurityGroupIds = [aws_security_group.clarify.id]\n    }\n  }",
            'SecurityGroupIds = [var.job_group]\n    }\n  }\n}\n\nvariable "job_group" {\n'
            "  type = string",
            [("CVL303", "error", "aws_vpc.main")]
            + [
                (rule, "info", "aws_sagemaker_pipeline.churn/BiasCheck")
                for rule in ("CVL401", "CVL402", "CVL403")
            ],
            id="an-unset-variable-inside-is-unknown-only-there",
        ),
    ],
)
def test_each_jsonencoded_pipeline_gives_exactly_its_findings(
    old: str, new: str, expected: list, tmp_path: Path
) -> None:
    assert _lint(_pipeline_case(tmp_path, old, new)) == expected


def test_in_a_plan_the_jsonencoded_definition_is_known_only_after_apply() -> None:
    """The plan creates the subnets, so it holds no definition: info saying so, naming the
    references (the .tf above follows them)."""
    result = run(Options(paths=[str(JSONENCODE / "plan.json")]))
    assert result.findings and {f.severity for f in result.findings} == {"info"}
    reason = result.findings[0].message
    assert "pipeline_definition is known only after apply" in reason
    assert "aws_subnet.private[0].id, aws_subnet.private[1].id" in reason
    assert "aws_subnet.private," not in reason  # the longest traversal only


def test_an_endpoints_dns_entry_names_the_endpoint(tmp_path: Path) -> None:
    """Known only after apply, but every part of it is the endpoint's DNS name: a Route 53
    alias to it names the endpoint, as a plan's configuration references do (issue 21)."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_vpc_endpoint" "api" {\n  vpc_id = "vpc-1"\n}\n'
        'resource "aws_route53_record" "r" {\n  name = "x"\n'
        "  records = [aws_vpc_endpoint.api.dns_entry[0].dns_name]\n"
        "  alias {\n    name = aws_vpc_endpoint.api.dns_entry[*].dns_name\n"
        '    zone_id = aws_vpc_endpoint.api.dns_entry[0]["hosted_zone_id"]\n  }\n}\n'
        'resource "aws_vpc" "v" {\n  tags = { n = "${aws_vpc.v.cidr_block}" }\n}\n'
    )
    found = {i.address: i.values for i in read_configuration(tmp_path).instances}
    record = found["aws_route53_record.r"]
    [named] = record["records"]
    assert isinstance(named, Handle) and named.key.endswith("aws_vpc_endpoint.api")
    assert record["alias"][0]["name"] == [named]
    assert record["alias"][0]["zone_id"] == named
    assert isinstance(found["aws_vpc.v"]["tags"]["n"], Unknown)  # other attributes stay unknown


def test_a_remote_state_reads_the_outputs_it_is_given(tmp_path: Path) -> None:
    """read_configuration asks ``remote_state`` for (backend, config); without it, or for a
    state of no root of the run, the outputs are unknown."""
    (tmp_path / "main.tf").write_text(
        'data "terraform_remote_state" "hub" {\n  backend = "s3"\n'
        '  config = { bucket = "b", key = "hub" }\n}\n'
        'resource "aws_route" "r" {\n'
        "  transit_gateway_id = data.terraform_remote_state.hub.outputs.tgw\n}\n"
    )
    asked = []

    def outputs(backend: str, config: dict) -> Any:
        asked.append((backend, config))
        return {"tgw": Handle("hub:aws_ec2_transit_gateway.hub")}

    found = {
        i.address: i.values for i in read_configuration(tmp_path, remote_state=outputs).instances
    }
    assert found["aws_route.r"]["transit_gateway_id"] == Handle("hub:aws_ec2_transit_gateway.hub")
    assert asked == [("s3", {"bucket": "b", "key": "hub"})]
    alone = {i.address: i.values for i in read_configuration(tmp_path).instances}
    unknown = alone["aws_route.r"]["transit_gateway_id"]
    assert isinstance(unknown, Unknown) and "add that root's folder" in unknown.reason


def test_a_roots_backend_and_outputs(tmp_path: Path) -> None:
    from clarify_vpc_lint.readers.terraform.config import backend_of, root_outputs

    (tmp_path / "main.tf").write_text(
        'terraform {\n  backend "s3" {\n    bucket = "b"\n    key = "hub"\n  }\n}\n'
        'resource "aws_ec2_transit_gateway" "hub" {}\n'
        'output "tgw" {\n  value = aws_ec2_transit_gateway.hub.id\n}\n'
        'output "cidr" {\n  value = "10.0.0.0/8"\n}\n'
    )
    assert backend_of(tmp_path, {}) == ("s3", {"bucket": "b", "key": "hub"})
    assert root_outputs(tmp_path, [], None, "hub:", {}) == {
        "tgw": Handle("hub:aws_ec2_transit_gateway.hub"),
        "cidr": "10.0.0.0/8",
    }
    (tmp_path / "main.tf").write_text('resource "aws_vpc" "v" {}\n')
    assert backend_of(tmp_path, {}) == ("local", {})
