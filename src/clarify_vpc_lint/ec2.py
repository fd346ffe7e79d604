"""EC2 semantics, written once for every reader (CloudFormation, Terraform plan, inventory, ...).

- what counts as a route to the internet (``route_reaches_internet``, ``nat_gateway_reaches_internet``);
- how a security-group rule becomes a ``Permission`` and which ports it covers;
- the artefacts AWS creates with a new VPC: its main route table and default security group,
  its default network ACL and DHCP options;
- how a network ACL decides a packet (``acl_decides``: lowest rule number first, final deny).
- how many addresses a subnet has free (``free_addresses``).

Readers translate their own spelling (``nat_gateway_id``, ``NatGatewayId``) into EC2's member
names and call these; the resolver asks the same questions of the model.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_left
from typing import Any, Collection, List, Mapping, Optional, Sequence, Tuple

from msgspec import Struct

from . import DEFAULT_REGION, keys
from .logic import Fact, all_of
from .model import (
    DhcpOptions,
    DhcpOptionsAssociation,
    Location,
    NetworkAcl,
    NetworkAclEntry,
    Permission,
    RouteTable,
    SecurityGroup,
    existence,
)
from .values import Handle, Unknown, as_int

# What counts as the internet for SageMaker (SPEC section 5, FACTS section 7): SageMaker's network
# interfaces have private addresses only, so an internet gateway does not carry their traffic ("the
# training instance's network interface is only assigned a private IP, regardless of whether it's in
# a public subnet"); a public NAT gateway, a NAT instance / network interface, or a transit gateway
# (centralised egress through another VPC) does. A private NAT gateway and an IPv6 egress-only
# gateway do not.
# Route target members (EC2 API and CloudFormation names) that carry traffic to the internet.
INTERNET_TARGETS = ("TransitGatewayId", "InstanceId", "NetworkInterfaceId")
# Members that never do, for the job's IPv4 traffic.
NO_INTERNET_TARGETS = (
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
)
# Every member that names a route's target.
TARGET_MEMBERS = (
    "NatGatewayId",
    "GatewayId",
    *INTERNET_TARGETS,
    *NO_INTERNET_TARGETS,
    "VpcPeeringConnectionId",
    "VpcEndpointId",
)
# Resource types that, named as a route's target, carry traffic to the internet, do not, or are a
# NAT gateway whose connectivity type decides.
INTERNET_TYPES = frozenset({"AWS::EC2::TransitGateway", "aws_ec2_transit_gateway"})
NAT_GATEWAY_TYPES = frozenset({"AWS::EC2::NatGateway", "aws_nat_gateway"})
NO_INTERNET_TYPES = frozenset(
    {
        "AWS::EC2::InternetGateway",
        "aws_internet_gateway",
        "AWS::EC2::EgressOnlyInternetGateway",
        "aws_egress_only_internet_gateway",
        "AWS::EC2::VPNGateway",
        "aws_vpn_gateway",
    }
)
# What a real gateway ID's prefix says.
_GATEWAY_PREFIXES = {"igw-": False, "vgw-": False, "eigw-": False, "tgw-": True}
DESCRIBE_NAT_GATEWAYS = "aws ec2 describe-nat-gateways"


class ViaNatGateway(Struct, frozen=True):
    """A route to a NAT gateway: whether it reaches the internet is the gateway's connectivity
    type, which the resolver looks up (the gateway may be defined in another input)."""

    gateway: Any  # a Handle or a real ID (nat-...)


def nat_gateway_reaches_internet(connectivity_type: Any) -> Any:
    """A NAT gateway's ``ConnectivityType``: absent or ``public`` reaches the internet, ``private``
    does not ("if you route traffic from the private NAT gateway to the internet gateway, the
    internet gateway drops the traffic")."""
    if isinstance(connectivity_type, Unknown):
        return connectivity_type
    if connectivity_type is None or connectivity_type == "":
        return True
    return str(connectivity_type).lower() == "public"


def route_reaches_internet(
    members: Mapping[str, Any],
    referenced: Sequence[Tuple[Any, str]] = (),
    otherwise: Optional[Unknown] = None,
) -> Any:
    """Does a route lead to the internet? True, False, Unknown, or ``ViaNatGateway``.

    ``members``: the route's target members under EC2's names (``NatGatewayId``, ``GatewayId``,
    ``State``, ...), each a real ID, a reference or Unknown. ``referenced``: (reference, type) of
    the resources its target expressions name, where the inputs define them. ``otherwise``: the
    Unknown for a route whose target says nothing.
    """
    if str(members.get("State") or "active").lower() == "blackhole":
        return False
    nat = members.get("NatGatewayId")
    if isinstance(nat, Unknown):
        return Unknown(f"the route's NAT gateway is not known: {nat.reason}")
    if nat not in (None, ""):
        return ViaNatGateway(nat)
    if any(members.get(name) not in (None, "") for name in INTERNET_TARGETS):
        return True
    gateway = members.get("GatewayId")
    if isinstance(gateway, Unknown):
        return Unknown(f"the route's gateway is not known: {gateway.reason}")
    if isinstance(gateway, str) and gateway:
        if gateway == "local":
            return False
        if gateway.startswith("nat-"):
            return ViaNatGateway(gateway)
        for prefix, internet in _GATEWAY_PREFIXES.items():
            if gateway.startswith(prefix):
                return internet
        return Unknown(f"whether the route to {gateway} reaches the internet")
    if any(members.get(name) not in (None, "") for name in NO_INTERNET_TARGETS):
        return False
    for reference, kind in referenced:
        if kind in NAT_GATEWAY_TYPES:
            return ViaNatGateway(reference)
    kinds = {kind for _, kind in referenced}
    if kinds & INTERNET_TYPES:
        return True
    if kinds and kinds <= NO_INTERNET_TYPES:
        return False
    if otherwise is not None:
        return otherwise
    return Unknown("the route goes to a target that may or may not reach the internet")


# Route targets that lead to another network, where a hub VPC's interface endpoints may serve the
# subnets (SPEC section 5, "which interface endpoints serve a VPC"): a transit gateway, peering
# connection or Cloud WAN core network reaches other VPCs; a virtual private gateway only
# on-premises networks, which may forward to a hub but show no route to it.
TO_OTHER_VPCS = "other VPCs"
TO_ON_PREMISES = "on-premises"
OTHER_VPC_TARGETS = ("TransitGatewayId", "VpcPeeringConnectionId", "CoreNetworkArn")
OTHER_VPC_TYPES = frozenset(
    {
        "AWS::EC2::TransitGateway",
        "aws_ec2_transit_gateway",
        "AWS::EC2::VPCPeeringConnection",
        "aws_vpc_peering_connection",
    }
)
VPN_GATEWAY_TYPES = frozenset({"AWS::EC2::VPNGateway", "aws_vpn_gateway"})


def route_leads_to_other_network(
    members: Mapping[str, Any], referenced: Sequence[Tuple[Any, str]] = ()
) -> Any:
    """Where a route leads outside its VPC: ``TO_OTHER_VPCS`` (transit gateway, peering, core
    network), ``TO_ON_PREMISES`` (virtual private gateway), False (nowhere else), or Unknown.
    ``members`` and ``referenced`` as for ``route_reaches_internet``."""
    if str(members.get("State") or "active").lower() == "blackhole":
        return False
    kinds = {kind for _, kind in referenced}
    if any(members.get(name) not in (None, "") for name in OTHER_VPC_TARGETS):
        return TO_OTHER_VPCS
    if kinds & OTHER_VPC_TYPES:
        return TO_OTHER_VPCS
    gateway = members.get("GatewayId")
    if (isinstance(gateway, str) and gateway.startswith("vgw-")) or kinds & VPN_GATEWAY_TYPES:
        return TO_ON_PREMISES
    unknown = [v for v in members.values() if isinstance(v, Unknown)]
    return unknown[0] if unknown else False


def private_dns_only_for_inbound_resolver(value: Any) -> Any:
    """An endpoint's ``PrivateDnsOnlyForInboundResolverEndpoint``: a boolean in the EC2 API and
    Terraform, ``OnlyInboundResolver`` | ``AllResolvers`` | ``NotSpecified`` in CloudFormation."""
    if value is None or isinstance(value, Unknown):
        return False if value is None else value
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "onlyinboundresolver"):
        return True
    if text in ("false", "allresolvers", "notspecified"):
        return False
    return Unknown(f"{value!r} is not a PrivateDnsOnlyForInboundResolverEndpoint value")


def private_dns_answers_in_vpc(private_dns: Any, only_inbound_resolver: Any) -> Any:
    """Does an interface endpoint's private DNS answer resolvers inside its VPC? Without private
    DNS it answers only its endpoint-specific names, which the SDK and Clarify never call; "only
    for inbound resolver endpoint" "routes traffic that originates from the VPC to the gateway
    endpoint" instead."""
    if isinstance(private_dns, Unknown):
        return private_dns
    if private_dns is not True:
        return False
    if isinstance(only_inbound_resolver, Unknown):
        return only_inbound_resolver
    return not only_inbound_resolver


# Protocols as a security-group rule spells them (name or IANA number).
TCP = ("tcp", "6")
UDP = ("udp", "17")
ESP = ("esp", "50")
# IPsec between the instances of a job with inter-container traffic encryption: IKE on UDP 500
# and ESP (IP protocol 50), both directions between the members (FACTS section 8, train-encrypt)
IPSEC_TRAFFIC = (("UDP 500", UDP, 500), ("ESP (protocol 50)", ESP, None))


# -- security-group rules --------------------------------------------------------------------------


def permission(
    protocol: Any, from_port: Any, to_port: Any, peers: List[Any], conditional: Any = False
) -> Permission:
    """One rule in the model's terms; peers are ("sg", ref), ("cidr", block), ("cidr6", block),
    ("prefix-list", id) or ("unknown", Unknown)."""
    if isinstance(protocol, (str, int)) and not isinstance(protocol, bool):
        protocol = str(protocol)
    return Permission(protocol, from_port, to_port, peers, conditional)


def allow_all(peer: Tuple[str, Any]) -> Permission:
    return Permission("-1", None, None, [peer])


def allow_all_egress() -> Permission:
    """The egress rule AWS adds to a group created without egress rules (not Terraform)."""
    return allow_all(("cidr", "0.0.0.0/0"))


def covers_port(
    rule: Permission, port: Optional[int], protocol_names: Tuple[str, ...] = TCP
) -> Any:
    """Does a rule's protocol and port range cover ``port`` (None: all traffic) of the protocol
    ``protocol_names`` spell (TCP unless given; ESP has no ports)?"""
    protocol = rule.protocol
    if isinstance(protocol, Unknown):
        return protocol
    protocol = str(protocol).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in protocol_names:
        return False
    if protocol_names == ESP:
        return True
    low, high = rule.from_port, rule.to_port
    if not isinstance(low, int) or not isinstance(high, int):
        try:
            low, high = int(low), int(high)
        except (TypeError, ValueError):
            return Unknown("a rule's ports are not known")
    if port is None:
        return low <= 0 and high >= 65535
    return low <= port <= high


# -- a new VPC's artefacts ---------------------------------------------------------------------------


def new_vpc_artefacts(
    loc: Location,
    vpc: Handle,
    main_table_ids: Collection[str] = (),
    group_ids: Collection[str] = (),
) -> Tuple[RouteTable, SecurityGroup]:
    """The main route table (only the local route) and the default security group (all traffic
    from itself, all egress) of a VPC created in the inputs (``vpc``, its own Handle: one the
    VPC's implicit objects share); real IDs where the input knows them."""
    vpc_key = vpc.key
    default_group = keys.default_security_group(vpc_key)
    table = RouteTable(
        loc,
        [keys.main_route_table(vpc_key).full_key, *map(keys.real_id, main_table_ids)],
        vpc,
        main=True,
        routes=[],
    )
    group = SecurityGroup(
        loc,
        [default_group.full_key, *map(keys.real_id, group_ids)],
        vpc,
        ingress=[allow_all(("sg", default_group))],
        egress=[_DEFAULT_EGRESS],
    )
    return table, group


# Rules AWS gives every new VPC's default group and ACL, the same in each: shared, as nothing
# changes a rule once read (a plan of 2,000 VPCs built 6,000 of them, 5% of its model's time).
_DEFAULT_EGRESS = allow_all_egress()


# -- DHCP options ------------------------------------------------------------------------------------

# The keys SageMaker processing requires of a VPC's DHCP options set (sagemaker-python-sdk #3955).
REQUIRED_DHCP_KEYS = ("domain-name", "domain-name-servers")
NO_DHCP_OPTIONS = "default"  # AssociateDhcpOptions: "default to associate no DHCP options"


def new_vpc_dhcp_association(loc: Location, vpc: Handle) -> DhcpOptionsAssociation:
    """A new VPC (``vpc`` as ``new_vpc_artefacts``'s) uses its region's default options set:
    AmazonProvidedDNS and the region's internal domain name. An explicit association replaces
    it."""
    return DhcpOptionsAssociation(vpc, DhcpOptions(loc, [], _REGION_DEFAULT_OPTIONS), implicit=True)


_REGION_DEFAULT_OPTIONS = {  # read only: shared as _DEFAULT_EGRESS is
    "domain-name": ["<region>.compute.internal"],
    "domain-name-servers": ["AmazonProvidedDNS"],
}


def missing_dhcp_keys(options: Any) -> Any:
    """The required keys an options set lacks (a list, empty when it has both), or Unknown
    where that depends on values the inputs do not give."""
    if isinstance(options, Unknown):
        return options
    missing, unknown = [], None
    for key in REQUIRED_DHCP_KEYS:
        value = options.get(key)
        if isinstance(value, Unknown):
            if unknown is None:  # the first unknown key is the one named
                unknown = Unknown(f"the {key} of the DHCP options set: {value.reason}")
        elif value is None or value == [] or value == "":
            missing.append(key)
    return missing if missing or unknown is None else unknown


# -- network ACLs ------------------------------------------------------------------------------------

ACL_ALL_TRAFFIC = ("-1", "all")
ACL_TCP = ("6", "tcp")
# Return traffic reaches the job's containers on Linux's ephemeral ports (ip_local_port_range).
LINUX_EPHEMERAL_PORTS = (32768, 60999)
ALL_PORTS = (0, 65535)
PUBLIC = "public"  # a peer somewhere in the public address space (S3, a NAT gateway's targets)
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(block)
    for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8")
)


def cidr_holds_public_addresses(block: Any, name: str = "") -> Fact:
    """Does a CIDR block hold the public addresses a job reaches (S3's, a NAT's targets)?

    ``0.0.0.0/0`` does; a block inside a private, shared or loopback range (a VPC's CIDR) does
    not; any other public block may or may not: S3's ranges are not in the inputs.
    """
    network = _cidr_block(block)
    if isinstance(network, Unknown):
        return network
    if network.prefixlen == 0:
        return True
    if network.version == 4 and any(network.subnet_of(private) for private in _NOT_PUBLIC):
        return False
    return Unknown(f"whether {name or block} holds Amazon S3's public addresses")


def cidr_covers(block: Any, subnet_cidrs: Any) -> Fact:
    """Does a rule's CIDR block hold every one of the job's subnets?"""
    network = _cidr_block(block)
    if isinstance(network, Unknown):
        return network
    if network.prefixlen == 0:
        return True
    if isinstance(subnet_cidrs, Unknown):
        return subnet_cidrs
    results = []
    for subnet_cidr in subnet_cidrs:
        try:
            results.append(ipaddress.ip_network(str(subnet_cidr), strict=False).subnet_of(network))
        except (ValueError, TypeError):
            results.append(Unknown(f"the subnet CIDR {subnet_cidr!r} is not known"))
    return all_of(results)


def _cidr_block(block: Any) -> Any:
    """A rule's or route's CIDR block, or Unknown saying it is none."""
    try:
        return ipaddress.ip_network(str(block), strict=False)
    except ValueError:
        return Unknown(f"{block!r} is not a CIDR block")


def new_vpc_default_acl(loc: Location, vpc: Handle, acl_ids: Collection[str] = ()) -> NetworkAcl:
    """The default network ACL of a VPC created in the inputs (``vpc`` as
    ``new_vpc_artefacts``'s): rule 100 allows all traffic in and out (AWS's default entries)."""
    return NetworkAcl(
        loc,
        [keys.default_network_acl(vpc.key).full_key, *map(keys.real_id, acl_ids)],
        vpc,
        default=True,
        entries=list(_DEFAULT_ACL_ENTRIES),
    )


_DEFAULT_ACL_ENTRIES = tuple(  # shared as _DEFAULT_EGRESS is
    NetworkAclEntry(100, egress, True, "-1", None, None, "0.0.0.0/0") for egress in (False, True)
)


def acl_protocol(value: Any) -> Any:
    """EC2's protocol spelling for an ACL entry ("6", "-1", "17", ...)."""
    if isinstance(value, Unknown) or value is None:
        return value if value is not None else Unknown("an ACL entry has no protocol")
    text = str(value).strip().lower()
    return {"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}.get(text, text)


def _port_match(entry: NetworkAclEntry, port: int) -> Any:
    protocol = acl_protocol(entry.protocol)
    if isinstance(protocol, Unknown):
        return protocol
    if protocol in ACL_ALL_TRAFFIC:
        return True
    if protocol not in ACL_TCP:
        return False
    low, high = as_int(entry.from_port), as_int(entry.to_port)
    if isinstance(low, Unknown) or isinstance(high, Unknown) or low is None or high is None:
        return Unknown(f"the ports of ACL rule {entry.rule_number} are not known")
    return low <= port <= high


def _peer_match(entry: NetworkAclEntry, peer: Any) -> Any:
    """Does the rule's block cover the peer: a CIDR, ``PUBLIC``, or an Unknown address (which
    only 0.0.0.0/0 surely covers)?"""
    if isinstance(entry.cidr, Unknown):
        return Unknown(f"the CIDR block of ACL rule {entry.rule_number}: {entry.cidr.reason}")
    try:
        block = ipaddress.ip_network(str(entry.cidr), strict=False)
    except ValueError:
        return Unknown(f"the CIDR block {entry.cidr!r} of ACL rule {entry.rule_number}")
    if block.prefixlen == 0:
        return True
    if isinstance(peer, Unknown):
        return peer
    if peer == PUBLIC:
        return cidr_holds_public_addresses(block, f"ACL rule {entry.rule_number}'s {entry.cidr}")
    target = ipaddress.ip_network(peer, strict=False)
    if target.version != block.version:  # a rule for IPv6 traffic never matches IPv4, nor back
        return False
    if target.subnet_of(block):
        return True
    if not target.overlaps(block):
        return False
    return Unknown(f"ACL rule {entry.rule_number}'s {entry.cidr} covers part of {peer}")


def _order(entries: List[NetworkAclEntry]) -> Any:
    numbered = [(as_int(e.rule_number), e) for e in entries]
    for number, _ in numbered:
        if isinstance(number, Unknown):
            return number
        if not isinstance(number, int):  # absent (None) or written as something else
            return Unknown("an ACL rule has no number")
    return [entry for _, entry in sorted(numbered, key=lambda pair: pair[0])]


def acl_decides(entries: List[NetworkAclEntry], egress: bool, port: int, peer: Any) -> tuple:
    """What an ACL does with one TCP packet to (egress) or from (ingress) ``peer`` on ``port``:
    (True/False/Unknown, the deciding rule number or "*"). Rules are read lowest number first;
    the first that matches decides; none matching meets the final "*" deny."""
    ordered = _order([e for e in entries if e.egress is egress])
    if isinstance(ordered, Unknown):
        return ordered, None
    possible: List[tuple] = []  # (action, rule number, why uncertain) of each rule that may match
    for entry in ordered:
        matched = all_of([_port_match(entry, port), _peer_match(entry, peer)])
        if matched is False:
            continue
        if matched is True and entry.conditional is False:
            possible.append((entry.allow, entry.rule_number, None))
            break
        why = (
            matched
            if isinstance(matched, Unknown)
            else existence(entry.conditional, f"ACL rule {entry.rule_number}")
        )
        possible.append((entry.allow, entry.rule_number, why))
    else:
        possible.append((False, "*", None))
    actions = {a for a, _, _ in possible if not isinstance(a, Unknown)}
    if len(actions) == 1 and not any(isinstance(a, Unknown) for a, _, _ in possible):
        # every rule that may match does the same: the outcome does not depend on which
        return actions.pop(), possible[-1][1]
    # an unknown action first, else why a rule may or may not match (a default argument of
    # next() would be evaluated even when an action is unknown and no rule's match is in doubt)
    unknowns = [a for a, _, _ in possible if isinstance(a, Unknown)]
    unknowns += [why for _, _, why in possible if why is not None]
    return unknowns[0], None


def acl_blocked_ports(
    entries: List[NetworkAclEntry], egress: bool, ports: Tuple[int, int], peer: Any
) -> tuple:
    """TCP ports of ``ports`` the ACL drops to/from ``peer``: ([(low, high, rule)], Unknown or
    None). Ports are split where a rule's range starts or ends, one verdict per piece."""
    low, high = ports
    cuts = {low, high + 1}
    for entry in entries:
        start, end = as_int(entry.from_port), as_int(entry.to_port)
        for cut in (start, end + 1 if isinstance(end, int) else None):
            if isinstance(cut, int) and low < cut <= high:
                cuts.add(cut)
    bounds = sorted(cuts)
    blocked: List[tuple] = []
    unknown = None
    for start, stop in zip(bounds, bounds[1:], strict=False):
        verdict, rule = acl_decides(entries, egress, start, peer)
        if verdict is False:
            blocked.append((start, stop - 1, rule))
        elif isinstance(verdict, Unknown) and unknown is None:
            unknown = verdict
    return blocked, unknown


# AWS keeps the first four addresses and the last one of every subnet's IPv4 CIDR block.
RESERVED_ADDRESSES_PER_SUBNET = 5


def free_addresses(cidr: Any, available: Any = None) -> Any:
    """A subnet's free IPv4 addresses: ``AvailableIpAddressCount`` where the inventory reports
    it, else its CIDR block's size minus the five AWS reserves (an upper bound: other network
    interfaces in the subnet are not counted), else Unknown."""
    if isinstance(available, int) and not isinstance(available, bool):
        return available
    if isinstance(cidr, Unknown):
        return cidr
    if not isinstance(cidr, str):
        return Unknown("the subnet's IPv4 CIDR block is not in the inputs")
    try:
        block = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        block = None
    if block is None or block.version != 4:
        return Unknown(f"the subnet's CIDR block {cidr!r} is not an IPv4 block")
    return max(block.num_addresses - RESERVED_ADDRESSES_PER_SUBNET, 0)


# A subnet's IPv4 block is /16 to /28 (AWS's limits); a new subnet for a fix gets a /24 where it fits.
SUBNET_PREFIXES = range(16, 29)
NEW_SUBNET_PREFIX = 24


def free_subnet_block(vpc_cidrs: Any, used: Sequence[Any], prefix: int = NEW_SUBNET_PREFIX) -> Any:
    """The first block of a VPC's IPv4 CIDRs that no subnet of ``used`` overlaps: ``prefix`` long
    where one is free, else the largest free block down to a /28; Unknown when the VPC's blocks
    or a subnet's block are not known (a guess could overlap), or nothing is free. A subnet
    without an IPv4 block (None: IPv6 only) takes none."""
    if isinstance(vpc_cidrs, Unknown):
        return vpc_cidrs
    unknown = next((c for c in [*(vpc_cidrs or ()), *used] if isinstance(c, Unknown)), None)
    if unknown is not None:
        return unknown
    blocks = [_ipv4_block(cidr) for cidr in vpc_cidrs or ()]
    taken = [_ipv4_block(cidr) for cidr in used if cidr is not None]
    if not blocks or None in blocks:
        return Unknown("the VPC's IPv4 CIDR block is not in the inputs")
    if None in taken:
        return Unknown("the CIDR block of one of the VPC's subnets is not an IPv4 block")
    spans = _disjoint_spans(taken)
    blocks = list(dict.fromkeys(blocks))  # in the VPC's order: its primary block first
    for length in (prefix, *(p for p in SUBNET_PREFIXES if p > prefix)):
        for vpc_block in blocks:
            if vpc_block.prefixlen > length or vpc_block.prefixlen < SUBNET_PREFIXES[0]:
                continue  # too small, or not a VPC's block (a VPC's is /16 to /28)
            free = _first_free(vpc_block, spans, length)
            if free is not None:
                return str(free)
    return Unknown("no free /28 or larger block is left in the VPC's CIDR blocks")


def _disjoint_spans(taken: Sequence[ipaddress.IPv4Network]) -> List[Tuple[int, int]]:
    """The addresses the blocks take, as disjoint (first, last) spans in address order."""
    spans: List[Tuple[int, int]] = []
    for block in sorted(taken, key=lambda block: block.network_address):
        first, last = int(block.network_address), int(block.broadcast_address)
        if spans and first <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            spans.append((first, last))
    return spans


def _first_free(
    block: ipaddress.IPv4Network, spans: List[Tuple[int, int]], length: int
) -> Optional[ipaddress.IPv4Network]:
    """The first ``length`` long block inside ``block`` that no span touches: one pass over the
    spans inside it, each moving the candidate past itself (never candidate x subnet: a VPC
    carved into thousands of subnets took seconds per fix)."""
    size = 1 << (32 - length)
    candidate, last = int(block.network_address), int(block.broadcast_address)
    # from the one span that may begin before the block and reach into it (they are disjoint)
    start = max(bisect_left(spans, (candidate, -1)) - 1, 0)
    for first_taken, last_taken in spans[start:]:
        if candidate + size - 1 < first_taken or candidate > last:
            break
        if last_taken >= candidate:
            candidate = (last_taken // size + 1) * size  # the next aligned block past it
    if candidate + size - 1 > last:
        return None
    return ipaddress.IPv4Network((candidate, length))


def _ipv4_block(cidr: Any) -> Optional[ipaddress.IPv4Network]:
    try:
        block = ipaddress.ip_network(str(cidr), strict=False) if isinstance(cidr, str) else None
    except ValueError:
        return None
    return block if isinstance(block, ipaddress.IPv4Network) else None


# -- Availability Zones ------------------------------------------------------------------------------

# Fn::GetAZs lists a region's zones in alphabetical order; the real names depend on the account, so
# a zone chosen by index is named by it ("us-east-1 (zone 1 of Fn::GetAZs)"), and distinct indexes
# are distinct zones.
_GET_AZS_ZONE = re.compile(r"^(?P<region>\S+) \(zone (?P<index>\d+) of Fn::GetAZs\)$")
_ZONE_NAME = re.compile(r"^(?P<region>[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)(?P<letter>[a-z])$")


def get_azs_zone(region: str, index: int) -> str:
    return f"{region} (zone {index} of Fn::GetAZs)"


def region_of_zone(zone: Any) -> Optional[str]:
    """The region a real zone name is in (eu-west-1a is in eu-west-1), or None."""
    match = _ZONE_NAME.match(zone) if isinstance(zone, str) else None
    return match.group("region") if match else None


def zone_for_new_subnet(zones: Sequence[Any]) -> Any:
    """A zone none of ``zones`` is: ``(index, None)``, the index-th of Fn::GetAZs, when they are
    all chosen by index (distinct indexes are distinct zones, and every region has two); else
    ``(None, name)`` when they are all named in one region: the first of its letters a to c
    they leave (whether an account has that zone differs: the fix says to check); else Unknown."""
    if not zones or not all(isinstance(zone, str) for zone in zones):
        return Unknown("the subnets' Availability Zones are not all in the inputs")
    names = sorted(set(zones))
    by_index = [m for m in map(_GET_AZS_ZONE.match, names) if m]
    if len(by_index) == len(names):
        indexes = {int(m.group("index")) for m in by_index}
        return next(i for i in range(len(indexes) + 1) if i not in indexes), None
    named = [m for m in map(_ZONE_NAME.match, names) if m]
    regions = {m.group("region") for m in named}
    letters = {m.group("letter") for m in named}
    if len(named) == len(names) and len(regions) == 1 and len(letters) < 3:
        return None, regions.pop() + next(letter for letter in "abc" if letter not in letters)
    return Unknown(f"the subnets' zones ({', '.join(names)}) are not all named in one region")


def region_of_subnets(subnets: Sequence[Any], region: str) -> str:
    """The region of what the subnets hold: the run's, unless --region was left at its default
    and the subnets' Availability Zones all name another one (eu-west-1a is in eu-west-1)."""
    regions = {region_of_zone(getattr(s, "availability_zone", None)) for s in subnets} - {None}
    return regions.pop() if region == DEFAULT_REGION and len(regions) == 1 else region
