"""EC2 semantics shared by every reader: routes to the internet, rule ports, a new VPC's defaults."""

from __future__ import annotations

import pytest

from clarify_vpc_lint import ec2, keys
from clarify_vpc_lint.model import Location
from clarify_vpc_lint.values import Handle, Unknown


@pytest.mark.parametrize(
    ("members", "types", "expected"),
    [
        ({"NatGatewayId": "nat-0abc"}, (), True),
        ({"TransitGatewayId": Handle("t")}, (), True),
        ({"GatewayId": "igw-0abc"}, (), True),
        ({"GatewayId": "local"}, (), False),
        ({"GatewayId": "vgw-0abc"}, (), False),
        ({"NatGatewayId": "nat-0abc", "State": "blackhole"}, (), False),
        ({"GatewayId": Handle("g")}, ("AWS::EC2::InternetGateway",), True),
        ({"GatewayId": Handle("g")}, ("AWS::EC2::VPNGateway",), False),
        ({}, ("aws_nat_gateway",), True),
    ],
)
def test_route_reaches_internet(members, types, expected) -> None:
    assert ec2.route_reaches_internet(members, types) is expected


def test_route_with_unknown_target_is_unknown() -> None:
    assert isinstance(ec2.route_reaches_internet({"GatewayId": Unknown("param")}), Unknown)
    assert isinstance(ec2.route_reaches_internet({"GatewayId": "pcx-0abc"}), Unknown)
    otherwise = Unknown("known only after apply")
    assert ec2.route_reaches_internet({}, (), otherwise) is otherwise


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


@pytest.mark.parametrize(
    ("cidr", "available", "expected"),
    [
        ("10.0.1.0/28", None, 11),  # 16 addresses, 5 reserved by AWS
        ("10.0.1.0/24", None, 251),
        ("10.0.1.0/24", 7, 7),  # the inventory's AvailableIpAddressCount wins
        ("10.0.1.0/28", 0, 0),
    ],
)
def test_free_addresses(cidr, available, expected) -> None:
    assert ec2.free_addresses(cidr, available) == expected


@pytest.mark.parametrize("cidr", [None, "2001:db8::/64", "not-a-cidr", Unknown("a parameter")])
def test_free_addresses_of_a_subnet_without_a_known_ipv4_block_are_unknown(cidr) -> None:
    assert isinstance(ec2.free_addresses(cidr), Unknown)
