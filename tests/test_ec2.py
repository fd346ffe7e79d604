"""EC2 semantics shared by every reader: routes to the internet, rule ports, a new VPC's defaults."""

from __future__ import annotations

import pytest

from clarify_vpc_lint import ec2, keys
from clarify_vpc_lint.model import Location
from clarify_vpc_lint.values import Handle, Unknown


@pytest.mark.parametrize(
    ("members", "referenced", "expected"),
    [
        ({"TransitGatewayId": Handle("t")}, (), True),
        ({"TransitGatewayId": "tgw-0abc"}, (), True),
        ({"GatewayId": "tgw-0abc"}, (), True),
        ({"NetworkInterfaceId": "eni-0abc"}, (), True),
        ({"InstanceId": "i-0abc"}, (), True),
        # SageMaker's interfaces have private addresses only: an internet gateway is no internet
        ({"GatewayId": "igw-0abc"}, (), False),
        ({"EgressOnlyInternetGatewayId": "eigw-0abc"}, (), False),
        ({"GatewayId": "local"}, (), False),
        ({"GatewayId": "vgw-0abc"}, (), False),
        ({"NatGatewayId": "nat-0abc", "State": "blackhole"}, (), False),
        ({"GatewayId": Handle("g")}, ((Handle("g"), "AWS::EC2::InternetGateway"),), False),
        ({"GatewayId": Handle("g")}, ((Handle("g"), "AWS::EC2::VPNGateway"),), False),
        ({}, ((Handle("t"), "aws_ec2_transit_gateway"),), True),
    ],
)
def test_route_reaches_internet(members, referenced, expected) -> None:
    assert ec2.route_reaches_internet(members, referenced) is expected


def test_route_with_unknown_target_is_unknown() -> None:
    assert isinstance(ec2.route_reaches_internet({"GatewayId": Unknown("param")}), Unknown)
    assert isinstance(ec2.route_reaches_internet({"NatGatewayId": Unknown("param")}), Unknown)
    assert isinstance(ec2.route_reaches_internet({"GatewayId": "pcx-0abc"}), Unknown)
    otherwise = Unknown("known only after apply")
    assert ec2.route_reaches_internet({}, (), otherwise) is otherwise


@pytest.mark.parametrize(
    ("members", "referenced", "gateway"),
    [
        ({"NatGatewayId": "nat-0abc"}, (), "nat-0abc"),
        ({"GatewayId": "nat-0abc"}, (), "nat-0abc"),
        ({"NatGatewayId": Handle("n")}, (), Handle("n")),
        ({}, ((Handle("n"), "aws_nat_gateway"),), Handle("n")),
    ],
)
def test_a_route_to_a_nat_gateway_leaves_its_connectivity_to_the_resolver(
    members, referenced, gateway
) -> None:
    assert ec2.route_reaches_internet(members, referenced) == ec2.ViaNatGateway(gateway)


@pytest.mark.parametrize(
    ("connectivity", "expected"),
    [(None, True), ("public", True), ("private", False), ("Private", False)],
)
def test_only_a_public_nat_gateway_reaches_the_internet(connectivity, expected) -> None:
    assert ec2.nat_gateway_reaches_internet(connectivity) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (True, True),
        ("true", True),
        ("OnlyInboundResolver", True),
        ("AllResolvers", False),
        ("NotSpecified", False),
    ],
)
def test_private_dns_only_for_inbound_resolver_in_every_spelling(value, expected) -> None:
    assert ec2.private_dns_only_for_inbound_resolver(value) is expected


@pytest.mark.parametrize(
    ("protocol", "low", "high", "port", "expected"),
    [
        ("-1", None, None, 443, True),
        (6, 0, 65535, None, True),
        ("tcp", 443, 443, 443, True),
        ("tcp", "443", "443", 443, True),
        ("tcp", 443, 443, None, False),
        ("udp", 0, 65535, 443, False),
    ],
)
def test_permission_covers_port(protocol, low, high, port, expected) -> None:
    assert ec2.covers_port(ec2.permission(protocol, low, high, []), port) is expected


def test_new_vpc_has_local_only_main_table_and_self_admitting_default_group() -> None:
    loc = Location("net.yaml", 1, 1, "Vpc", "cloudformation")
    table, group = ec2.new_vpc_artefacts(loc, "cfn:net.yaml:Vpc", ["rtb-1"], ["sg-1"])
    assert table.main and table.routes == []
    assert table.keys == [keys.main_route_table("cfn:net.yaml:Vpc").full_key, keys.real_id("rtb-1")]
    assert group.keys[0] == keys.default_security_group("cfn:net.yaml:Vpc").full_key
    assert group.ingress[0].peers == [("sg", keys.default_security_group("cfn:net.yaml:Vpc"))]
    assert ec2.covers_port(group.egress[0], None) is True
