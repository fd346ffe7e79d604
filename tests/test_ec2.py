"""EC2 semantics shared by every reader: routes to the internet, rule ports, a new VPC's defaults."""

from __future__ import annotations

import pytest

from clarify_vpc_lint import ec2, keys
from clarify_vpc_lint.model import Location, NetworkAclEntry
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
    table, group = ec2.new_vpc_artefacts(loc, Handle("cfn:net.yaml:Vpc"), ["rtb-1"], ["sg-1"])
    assert table.main and table.routes == []
    assert table.keys == [keys.main_route_table("cfn:net.yaml:Vpc").full_key, keys.real_id("rtb-1")]
    assert group.keys[0] == keys.default_security_group("cfn:net.yaml:Vpc").full_key
    assert group.ingress[0].peers == [("sg", keys.default_security_group("cfn:net.yaml:Vpc"))]
    assert ec2.covers_port(group.egress[0], None) is True


# -- DHCP options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "missing"),
    [
        ({"domain-name-servers": ["AmazonProvidedDNS"]}, ["domain-name"]),
        ({"domain-name": "corp.example", "domain-name-servers": []}, ["domain-name-servers"]),
        ({"domain-name": "ec2.internal", "domain-name-servers": ["AmazonProvidedDNS"]}, []),
        ({}, ["domain-name", "domain-name-servers"]),
    ],
)
def test_missing_dhcp_keys(options, missing) -> None:
    assert ec2.missing_dhcp_keys(options) == missing


def test_dhcp_key_with_unknown_value_is_undecided_unless_another_is_missing() -> None:
    unknown = Unknown("parameter DomainName has no default")
    both = {"domain-name": unknown, "domain-name-servers": ["AmazonProvidedDNS"]}
    assert isinstance(ec2.missing_dhcp_keys(both), Unknown)
    assert ec2.missing_dhcp_keys({"domain-name": unknown}) == ["domain-name-servers"]


def test_new_vpc_uses_the_region_default_dhcp_options_with_both_keys() -> None:
    association = ec2.new_vpc_dhcp_association(
        Location("t.yaml", 1, 1, "Vpc", "cloudformation"), Handle("v")
    )
    assert association.implicit and association.vpc == Handle("v")
    assert ec2.missing_dhcp_keys(association.options.options) == []


# -- network ACLs ------------------------------------------------------------------------------------


def entry(number, egress, allow, protocol="6", ports=(443, 443), cidr="0.0.0.0/0"):
    return NetworkAclEntry(number, egress, allow, protocol, ports[0], ports[1], cidr)


def test_acl_lowest_rule_number_decides_whatever_the_order_written() -> None:
    entries = [entry(100, True, True), entry(90, True, False)]
    assert ec2.acl_decides(entries, True, 443, ec2.PUBLIC) == (False, 90)
    assert ec2.acl_decides(entries[:1], True, 443, ec2.PUBLIC) == (True, 100)


@pytest.mark.parametrize("number", [None, [90], "ninety"])
def test_acl_rule_without_a_usable_number_leaves_the_order_unknown(number) -> None:
    decided, rule = ec2.acl_decides(
        [entry(100, True, True), entry(number, True, False)], True, 443, ec2.PUBLIC
    )
    assert isinstance(decided, Unknown) and rule is None


def test_acl_traffic_no_rule_matches_meets_the_final_deny() -> None:
    entries = [entry(100, True, True)]
    assert ec2.acl_decides(entries, True, 80, ec2.PUBLIC) == (False, "*")
    # stateless: the egress rule says nothing of the replies coming in
    assert ec2.acl_decides(entries, False, 40000, ec2.PUBLIC) == (False, "*")


@pytest.mark.parametrize(
    "peer, block", [("10.0.1.0/24", "2001:db8::/64"), ("2001:db8::/64", "10.0.0.0/8")]
)
def test_an_acl_rule_of_the_other_address_family_never_matches(peer: str, block: str) -> None:
    """A rule's block of one family beside traffic of the other (a CidrBlock written with an
    IPv6 block, a subnet's) was a TypeError, an internal error losing the rule's verdict."""
    entries = [entry(50, True, False, "-1", (None, None), block), entry(100, True, True)]
    assert ec2.acl_decides(entries, True, 443, peer) == (True, 100)


def test_acl_all_protocols_ignore_ports_and_other_protocols_never_match_tcp() -> None:
    all_traffic = [entry(100, True, True, "-1", (None, None))]
    assert ec2.acl_decides(all_traffic, True, 443, "10.0.1.0/24") == (True, 100)
    udp = [entry(100, True, True, "17", (0, 65535))]
    assert ec2.acl_decides(udp, True, 443, ec2.PUBLIC) == (False, "*")


def test_acl_peer_matching() -> None:
    private = [entry(100, True, True, cidr="10.0.0.0/16")]
    assert ec2.acl_decides(private, True, 443, "10.0.2.0/24") == (True, 100)
    assert ec2.acl_decides(private, True, 443, ec2.PUBLIC) == (False, "*")  # S3 is not in 10/8
    public_block = [entry(100, True, True, cidr="52.216.0.0/15")]
    assert isinstance(ec2.acl_decides(public_block, True, 443, ec2.PUBLIC)[0], Unknown)


def test_acl_unknown_cidr_is_undecided_unless_a_definite_rule_comes_first() -> None:
    unknown = entry(100, False, True, ports=(1024, 65535), cidr=Unknown("parameter Cidr"))
    assert isinstance(ec2.acl_decides([unknown], False, 40000, ec2.PUBLIC)[0], Unknown)
    first = entry(50, False, True, ports=(1024, 65535))
    assert ec2.acl_decides([first, unknown], False, 40000, ec2.PUBLIC) == (True, 50)
    # an uncertain rule that does what would happen anyway changes nothing
    deny = entry(100, False, False, ports=(1024, 65535), cidr=Unknown("parameter Cidr"))
    assert ec2.acl_decides([deny], False, 40000, ec2.PUBLIC) == (False, "*")


def test_acl_peer_with_unknown_address_is_decided_only_by_rules_for_every_address() -> None:
    where = Unknown("the CIDR block of subnet-0endpoints")
    assert ec2.acl_decides([entry(100, True, True)], True, 443, where) == (True, 100)
    narrow = [entry(100, True, True, cidr="10.0.0.0/16")]
    assert ec2.acl_decides(narrow, True, 443, where) == (where, None)


def test_acl_blocked_ports_splits_the_range_where_rules_start_and_end() -> None:
    entries = [entry(100, False, True, ports=(1024, 40000))]
    blocked, unknown = ec2.acl_blocked_ports(entries, False, ec2.LINUX_EPHEMERAL_PORTS, ec2.PUBLIC)
    assert blocked == [(40001, 60999, "*")] and unknown is None
    linux_only = [entry(100, False, True, ports=(32768, 65535))]
    assert ec2.acl_blocked_ports(linux_only, False, ec2.LINUX_EPHEMERAL_PORTS, ec2.PUBLIC) == (
        [],
        None,
    )


def test_new_vpc_default_acl_allows_everything_both_ways() -> None:
    acl = ec2.new_vpc_default_acl(Location("t.yaml", 1, 1, "Vpc", "cloudformation"), Handle("v"))
    assert acl.default and acl.keys[0] == keys.default_network_acl("v").full_key
    for egress in (True, False):
        assert ec2.acl_blocked_ports(acl.entries, egress, ec2.ALL_PORTS, ec2.PUBLIC) == ([], None)


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


# -- a block and a zone for a subnet a fix adds ------------------------------------------------------


@pytest.mark.parametrize(
    ("vpc", "used", "expected"),
    [
        (["10.0.0.0/16"], [], "10.0.0.0/24"),
        (["10.0.0.0/16"], ["10.0.0.0/24", "10.0.1.0/25"], "10.0.2.0/24"),
        (["10.0.0.0/16"], ["10.0.0.0/17", "10.0.128.0/17"], None),  # full
        (["10.0.0.0/24"], ["10.0.0.0/25"], "10.0.0.128/25"),  # no /24 free: the largest block
        (["10.0.0.0/28"], ["10.0.0.0/28"], None),
        (["10.0.0.0/16", "10.1.0.0/16"], ["10.0.0.0/16"], "10.1.0.0/24"),  # a secondary block
        (["0.0.0.0/0"], [], None),  # not a VPC's block: never 16 million candidates
    ],
)
def test_a_new_subnet_block_is_one_no_subnet_uses(vpc, used, expected) -> None:
    block = ec2.free_subnet_block(vpc, used)
    assert (block if isinstance(block, str) else None) == expected


def test_a_subnet_without_an_ipv4_block_takes_none() -> None:
    """An IPv6-only subnet (no CidrBlock) leaves the VPC's IPv4 blocks free."""
    assert ec2.free_subnet_block(["10.0.0.0/16"], [None, "10.0.0.0/24"]) == "10.0.1.0/24"


@pytest.mark.parametrize(
    ("vpc", "used"),
    [
        (Unknown("IPAM"), []),
        ([Unknown("IPAM")], []),
        ([None], []),
        (["10.0.0.0/16"], [Unknown("p")]),
        (["10.0.0.0/16"], ["not a block"]),
    ],
)
def test_no_block_is_guessed_when_a_block_is_not_known(vpc, used) -> None:
    """An unknown subnet block could overlap any guess: the fix leaves the block empty instead."""
    assert isinstance(ec2.free_subnet_block(vpc, used), Unknown)


@pytest.mark.parametrize(
    ("zones", "expected"),
    [
        # chosen by index in a template: distinct indexes are distinct zones
        (["us-east-1 (zone 0 of Fn::GetAZs)"] * 2, (1, None)),
        (["us-east-1 (zone 1 of Fn::GetAZs)"], (0, None)),
        # named: the first of a to c they leave, in their region
        (["us-east-1a", "us-east-1a"], (None, "us-east-1b")),
        (["eu-west-1b"], (None, "eu-west-1a")),
    ],
)
def test_a_new_subnet_takes_a_zone_its_neighbours_do_not(zones, expected) -> None:
    assert ec2.zone_for_new_subnet(zones) == expected


@pytest.mark.parametrize(
    "zones",
    [
        [],  # none known
        ["use1-az1"],  # an AZ ID: its letter differs per account
        ["us-east-1a", Unknown("no AvailabilityZone")],
        ["us-east-1a", "eu-west-1a"],
        ["us-east-1 (zone 0 of Fn::GetAZs)", "us-east-1b"],
    ],
)
def test_no_zone_is_guessed_for_zones_not_all_known_alike(zones) -> None:
    assert isinstance(ec2.zone_for_new_subnet(zones), Unknown)


def test_the_region_of_a_zone_name() -> None:
    assert ec2.region_of_zone("eu-west-1a") == "eu-west-1"
    assert ec2.region_of_zone("us-gov-west-1c") == "us-gov-west-1"
    assert ec2.region_of_zone("us-east-1 (zone 0 of Fn::GetAZs)") is None
