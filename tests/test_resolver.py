"""The resolver over hand-made networks: routes to the internet, security groups, name clashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest
from conftest import FIXTURES

from clarify_vpc_lint import ec2, keys
from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.model import (
    Location,
    NatGateway,
    Network,
    Permission,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    Subnet,
    Vpc,
)
from clarify_vpc_lint.resolve import Resolver
from clarify_vpc_lint.values import Handle, Unknown


def loc(name: str, file: str = "net.yaml") -> Location:
    return Location(file, 1, 1, name, "cloudformation")


def vpc_network(*routes: Route, associated: bool = True, conditional: bool = False) -> Network:
    """One VPC with one subnet; the subnet's table (explicit or the main one) holds ``routes``."""
    vpc_key = keys.cfn_resource("net.yaml", "Vpc")
    subnet_key = keys.cfn_resource("net.yaml", "Subnet")
    network = Network()
    network.vpcs.append(Vpc(loc("Vpc"), [vpc_key], True, True, True))
    network.subnets.append(
        Subnet(loc("Subnet"), [subnet_key], Handle(vpc_key), "a", None, "10.0.0.0/24")
    )
    if associated:
        table_key = keys.cfn_resource("net.yaml", "Table")
        network.route_tables.append(
            RouteTable(loc("Table"), [table_key], Handle(vpc_key), False, list(routes))
        )
        network.associations.append(
            RouteTableAssociation(Handle(subnet_key), Handle(table_key), conditional)
        )
    else:
        main = keys.main_route_table(vpc_key).full_key
        network.route_tables.append(
            RouteTable(loc("Vpc"), [main], Handle(vpc_key), True, list(routes))
        )
    return network


def internet(network: Network) -> object:
    resolver = Resolver(network, "us-east-1")
    return resolver.internet_route(resolver.subnet(Handle(keys.cfn_resource("net.yaml", "Subnet"))))


def test_default_route_to_internet_target_is_internet() -> None:
    assert internet(vpc_network(Route("0.0.0.0/0", True))) is True


def test_only_local_routes_is_no_internet() -> None:
    assert internet(vpc_network(Route("10.0.0.0/16", True))) is False


def test_subnet_without_association_uses_the_vpcs_main_table() -> None:
    assert internet(vpc_network(Route("0.0.0.0/0", True), associated=False)) is True
    assert internet(vpc_network(associated=False)) is False


def test_conditional_association_or_route_is_unknown() -> None:
    assert isinstance(internet(vpc_network(Route("0.0.0.0/0", True), conditional=True)), Unknown)
    assert isinstance(internet(vpc_network(Route("0.0.0.0/0", True, conditional=True))), Unknown)


def test_subnet_of_a_vpc_not_in_the_inputs_names_the_missing_fact() -> None:
    network = Network()
    network.subnets.append(Subnet(loc("Subnet"), ["s"], "vpc-0abc", "a", None, None))
    resolver = Resolver(network, "us-east-1")
    table = resolver.route_table_of(network.subnets[0])
    assert isinstance(table, Unknown) and "describe-route-tables" in table.reason


def group_network(ingress: List[Permission]) -> Resolver:
    network = Network()
    network.security_groups.append(SecurityGroup(loc("Group"), ["g"], "vpc-1", ingress, []))
    return Resolver(network, "us-east-1")


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        (Permission("tcp", 443, 443, [("cidr", "10.0.0.0/16")]), True),
        (Permission("-1", None, None, [("cidr", "10.0.0.0/16")]), True),
        (Permission("tcp", 80, 80, [("cidr", "10.0.0.0/16")]), False),
        (Permission("tcp", 443, 443, [("cidr", "192.168.0.0/16")]), False),
        (Permission("udp", 443, 443, [("cidr", "10.0.0.0/16")]), False),
    ],
)
def test_rules_admit_https_from_the_jobs_subnets(permission: Permission, expected: bool) -> None:
    resolver = group_network([permission])
    assert (
        resolver.security.rules_admit([Handle("g")], "ingress", 443, ([], ["10.0.1.0/24"]))
        is expected
    )


def test_unknown_group_is_unknown_naming_the_inventory() -> None:
    resolver = group_network([])
    result = resolver.security.rules_admit(["sg-0abc"], "ingress", 443)
    assert isinstance(result, Unknown) and "describe-security-groups" in result.reason


def lint_two_plans(first: Path, second: Path) -> list:
    config = load_config(FIXTURES / "good" / "terraform" / "clarify-vpc-lint.yaml")
    result = run(Options(paths=[str(first), str(second)], config=config, select=("CVL401",)))
    assert result.errors == []
    return [json.dumps(f.as_dict(), sort_keys=True) for f in result.findings]


def test_two_plans_defining_one_address_are_judged_apart_whatever_the_order() -> None:
    # Regression: a declared job naming aws_subnet.private / aws_security_group.clarify took the
    # first plan that defined them, so the order of the paths decided whether CVL401 fired.
    # Two plans of one root are two environments (SPEC v3 section 6): the job is judged against
    # each, and the environment where its group admits no cluster traffic is not hidden.
    good = FIXTURES / "good" / "terraform"
    bad = FIXTURES / "rules" / "CVL401" / "tf-bad"
    forwards, backwards = lint_two_plans(good, bad), lint_two_plans(bad, good)
    assert forwards == backwards
    job = [json.loads(f) for f in forwards if json.loads(f)["resource"] == "churn-bias"]
    assert [(f["rule"], f["severity"]) for f in job] == [("CVL401", "error")]


def nat_network(*gateways: NatGateway) -> Network:
    """One VPC whose subnet's table routes 0.0.0.0/0 to NAT gateway nat-0abc."""
    network = vpc_network(Route("0.0.0.0/0", ec2.ViaNatGateway("nat-0abc")))
    network.nat_gateways.extend(gateways)
    return network


@pytest.mark.parametrize(("connectivity", "expected"), [(None, True), ("private", False)])
def test_a_route_to_a_nat_gateway_reaches_the_internet_only_when_it_is_public(
    connectivity, expected
) -> None:
    gateway = NatGateway(
        loc("nat-0abc", "nat-gateways.json"), [keys.real_id("nat-0abc")], connectivity
    )
    assert internet(nat_network(gateway)) is expected


def test_a_nat_gateway_not_in_the_inputs_names_how_to_supply_it() -> None:
    result = internet(nat_network())
    assert isinstance(result, Unknown)
    assert "nat-0abc" in result.reason and "describe-nat-gateways" in result.reason


@pytest.mark.parametrize("association_first", [True, False])
def test_an_explicit_main_table_wins_over_the_vpcs_implicit_one_in_any_order(
    association_first: bool,
) -> None:
    """aws_main_route_table_association makes a NAT table main, whatever the order of inputs."""
    vpc_key = keys.cfn_resource("net.yaml", "Vpc")
    network = vpc_network(associated=False)  # the implicit local-only main table
    nat_table = RouteTable(
        loc("NatTable"), ["nat-table"], Handle(vpc_key), False, [Route("0.0.0.0/0", True)]
    )
    network.route_tables.insert(0 if association_first else 1, nat_table)
    network.main_route_tables.append((Handle(vpc_key), Handle("nat-table")))
    assert internet(network) is True


def test_a_table_main_by_itself_wins_over_the_implicit_one() -> None:
    """aws_default_route_table adopts the main table: its routes, not the VPC's local-only ones."""
    vpc_key = keys.cfn_resource("net.yaml", "Vpc")
    network = vpc_network(associated=False)
    adopted = RouteTable(
        loc("Default"), ["default"], Handle(vpc_key), True, [Route("0.0.0.0/0", True)]
    )
    network.route_tables.insert(0, adopted)
    assert internet(network) is True


def test_a_route_whose_destination_is_known_only_after_apply_may_be_the_default_route() -> None:
    later = Unknown("the destination of a route of aws_route_table.private")
    assert internet(vpc_network(Route(later, True))) is later
    assert internet(vpc_network(Route(later, False))) is False


@pytest.mark.parametrize(
    ("name", "cidrs", "expected"),
    [
        ("com.amazonaws.us-east-1.s3", ["52.216.0.0/15"], True),  # a data source lists S3's ranges
        ("com.amazonaws.us-east-1.dynamodb", Unknown("entries"), False),
        ("corporate", ["10.0.0.0/8"], False),
        ("egress-all", ["0.0.0.0/0"], True),
        ("partners", ["8.8.8.0/24"], None),  # a public range: S3's or not, not known
    ],
)
def test_egress_to_a_prefix_list_reaches_s3_by_its_name_or_entries(name, cidrs, expected) -> None:
    from clarify_vpc_lint.model import PrefixList
    from clarify_vpc_lint.resolve.egress import https_destinations

    network = Network()
    vpc = Vpc(loc("Vpc"), ["vpc"], True, True, True)  # no S3 interface endpoint: S3 is public
    network.vpcs.append(vpc)
    network.prefix_lists.append(PrefixList(loc("List"), ["pl"], name, cidrs))
    network.security_groups.append(
        SecurityGroup(
            loc("Group"),
            ["g"],
            "vpc-1",
            [],
            [Permission("tcp", 443, 443, [("prefix-list", Handle("pl"))])],
        )
    )
    resolver = Resolver(network, "us-east-1")
    [(_, reached)] = https_destinations(resolver, [Handle("g")], [vpc], True)
    if expected is None:
        assert isinstance(reached, Unknown)
    else:
        assert reached is expected


def named_subnets(*defined: tuple) -> Resolver:
    """Subnets, each (file, name) with the shared name its input refers to it by."""
    network = Network()
    vpc_key = keys.cfn_resource("net.yaml", "Vpc")
    network.vpcs.append(Vpc(loc("Vpc"), [vpc_key], True, True, True))
    for file, name in defined:
        shared = keys.address_name(name) if name.startswith("aws_") else keys.logical_name(name)
        network.subnets.append(
            Subnet(
                loc(name, file),
                [keys.tf_resource(file, name), shared],
                Handle(vpc_key),
                "a",
                None,
                "10.0.0.0/24",
            )
        )
    return Resolver(network, "us-east-1")


def test_a_bare_name_finds_the_one_entity_defined_by_it() -> None:
    resolver = named_subnets(("a.yaml", "Private"), ("a.yaml", "Public"))
    assert resolver.subnet("Private") is resolver.network.subnets[0]


def test_a_bare_name_two_inputs_define_finds_nothing_and_says_where() -> None:
    resolver = named_subnets(("a.yaml", "Private"), ("b.yaml", "Private"))
    found = resolver.subnet("Private")
    assert isinstance(found, Unknown)
    assert "Private is defined in more than one input (a.yaml, b.yaml)" in found.reason


def test_an_address_without_index_names_every_instance_of_one_plan() -> None:
    resolver = named_subnets(
        ("plan.json", "aws_subnet.private[0]"), ("plan.json", "aws_subnet.private[1]")
    )
    expanded = resolver.expand(["aws_subnet.private"])
    assert [resolver.subnet(ref) for ref in expanded] == resolver.network.subnets


def test_an_address_whose_instances_two_plans_hold_is_ambiguous() -> None:
    resolver = named_subnets(
        ("a.json", "aws_subnet.private[0]"), ("b.json", "aws_subnet.private[0]")
    )
    assert resolver.expand(["aws_subnet.private"]) == ["aws_subnet.private"]
    found = resolver.subnet("aws_subnet.private")
    assert isinstance(found, Unknown)
    assert "aws_subnet.private is defined in more than one input (a.json, b.json)" in found.reason
