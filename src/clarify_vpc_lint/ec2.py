"""EC2 semantics, written once for every reader (CloudFormation, Terraform plan, inventory, ...).

- what counts as a route to the internet (``route_reaches_internet``);
- how a security-group rule becomes a ``Permission`` and which ports it covers;
- the artefacts AWS creates with a new VPC: its main route table and default security group;
- how many addresses a subnet has free (``free_addresses``).

Readers translate their own spelling (``nat_gateway_id``, ``NatGatewayId``) into EC2's member
names and call these; the resolver asks the same questions of the model.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Collection, List, Mapping, Optional, Tuple

from . import keys
from .model import Location, Permission, RouteTable, SecurityGroup
from .values import Handle, Unknown

# Route target members (EC2 API and CloudFormation names) that carry traffic to the internet.
INTERNET_TARGETS = ("NatGatewayId", "TransitGatewayId", "InstanceId", "NetworkInterfaceId")
# Resource types that, named as a route's gateway, carry traffic to the internet.
INTERNET_GATEWAY_TYPES = frozenset(
    {
        "AWS::EC2::InternetGateway",
        "aws_internet_gateway",
        "aws_nat_gateway",
        "aws_ec2_transit_gateway",
    }
)


def route_reaches_internet(
    members: Mapping[str, Any],
    gateway_types: Collection[str] = (),
    otherwise: Optional[Unknown] = None,
) -> Any:
    """Does a route lead to the internet? True, False or Unknown.

    ``members``: the route's target members under EC2's names (``NatGatewayId``, ``GatewayId``,
    ``State``, ...), each a real ID, a reference or Unknown. ``gateway_types``: the types of the
    resources its target references name, where the inputs define them. ``otherwise``: the
    Unknown for a route whose target says nothing.
    """
    if str(members.get("State") or "active").lower() == "blackhole":
        return False
    if any(members.get(name) not in (None, "") for name in INTERNET_TARGETS):
        return True
    gateway = members.get("GatewayId")
    if isinstance(gateway, Unknown):
        return Unknown(f"the route's gateway is not known: {gateway.reason}")
    if isinstance(gateway, str) and gateway:
        if gateway.startswith("igw-"):
            return True
        if gateway == "local" or gateway.startswith("vgw-"):
            return False
        return Unknown(f"whether the route to {gateway} reaches the internet")
    if gateway_types:
        return bool(set(gateway_types) & INTERNET_GATEWAY_TYPES)
    if otherwise is not None:
        return otherwise
    return Unknown("the route goes to a target that may or may not reach the internet")


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
