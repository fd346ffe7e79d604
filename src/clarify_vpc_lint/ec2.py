"""EC2 semantics, written once for every reader (CloudFormation, Terraform plan, inventory, ...).

- what counts as a route to the internet (``route_reaches_internet``, ``nat_gateway_reaches_internet``);
- how a security-group rule becomes a ``Permission`` and which ports it covers;
- the artefacts AWS creates with a new VPC: its main route table and default security group.

Readers translate their own spelling (``nat_gateway_id``, ``NatGatewayId``) into EC2's member
names and call these; the resolver asks the same questions of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, List, Mapping, Optional, Sequence, Tuple

from . import keys
from .model import Location, Permission, RouteTable, SecurityGroup
from .values import Handle, Unknown

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


@dataclass(frozen=True)
class ViaNatGateway:
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


# -- security-group rules --------------------------------------------------------------------------


def permission(
    protocol: Any, from_port: Any, to_port: Any, peers: List[Any], conditional: bool = False
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


def covers_port(rule: Permission, port: Optional[int]) -> Any:
    """Does a rule's protocol and port range cover TCP ``port`` (None: all traffic)?"""
    protocol = rule.protocol
    if isinstance(protocol, Unknown):
        return protocol
    protocol = str(protocol).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
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
    vpc_key: str,
    main_table_ids: Collection[str] = (),
    group_ids: Collection[str] = (),
) -> Tuple[RouteTable, SecurityGroup]:
    """The main route table (only the local route) and the default security group (all traffic
    from itself, all egress) of a VPC created in the inputs; real IDs where the input knows them."""
    vpc = Handle(vpc_key)
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
        egress=[allow_all_egress()],
    )
    return table, group
