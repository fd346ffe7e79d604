"""Saved ``aws ec2 describe-*`` output (``--context``): real IDs mapped to AZs, VPCs, routes, rules.

Each file is a complete listing of its kind, so the kinds given are recorded in the network: with
``describe-vpc-endpoints`` given, a VPC with no endpoint listed has none.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from .. import ec2
from ..awsfacts import dns_name
from ..documents import Document
from ..keys import default_security_group, real_id
from ..model import (
    DhcpOptions,
    DhcpOptionsAssociation,
    DnsRecord,
    HostedZone,
    Location,
    NatGateway,
    Network,
    NetworkAcl,
    NetworkAclAssociation,
    NetworkAclEntry,
    Permission,
    PrefixList,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcEndpoint,
    ZoneAssociation,
)
from ..values import Unknown, as_bool, dig, items
from . import policies
from .formats import is_route53

_LIVE_ENDPOINT_STATES = {"available", "pending", "pendingacceptance"}


def read_inventory(document: Document) -> Network:
    network = Network()
    data = document.data
    for kind, reader in _READERS.items():
        items = data.get(kind)
        if not isinstance(items, list):
            continue
        network.inventory_kinds.add(kind)
        for index, item in enumerate(items):
            if isinstance(item, dict):
                reader(network, item, _locator(document, kind, index))
                _note_account(network, kind, item)
    if "VpcId" in data and ("EnableDnsSupport" in data or "EnableDnsHostnames" in data):
        _vpc_attribute(network, data, _locator(document, None, None))
    if is_route53(data):
        _read_route53(document, network)
    return network


# listings whose items the account that ran the command owns: in a shared VPC's participant
# account they hold none of the VPC owner's (its endpoints, route tables, ACLs)
_OWN_RESOURCE_KINDS = ("SecurityGroups", "VpcEndpoints", "RouteTables", "NetworkAcls")


def _note_account(network: Network, kind: str, item: Dict[str, Any]) -> None:
    owner = item.get("OwnerId")
    if kind in _OWN_RESOURCE_KINDS and isinstance(owner, str) and owner:
        network.inventory_accounts.append(owner)


def _locator(document: Document, kind: Any, index: Any) -> Callable[[str], Location]:
    def loc(resource: str) -> Location:
        line, column = document.locate((kind, index) if kind else ())
        return Location(document.path, line, column, resource, "inventory")

    return loc


def _id(item: Dict[str, Any], member: str) -> str:
    return str(item.get(member) or "?")


def _subnet(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    subnet_id = _id(item, "SubnetId")
    network.subnets.append(
        Subnet(
            loc(subnet_id),
            [real_id(subnet_id)],
            vpc=item.get("VpcId", Unknown(f"{subnet_id} has no VpcId in the inventory")),
            availability_zone=item.get("AvailabilityZone", Unknown(f"the AZ of {subnet_id}")),
            availability_zone_id=item.get("AvailabilityZoneId"),
            cidr=item.get("CidrBlock"),
            available_ips=item.get("AvailableIpAddressCount"),
            owner=item.get("OwnerId"),
        )
    )


def _vpc(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    vpc_id = _id(item, "VpcId")
    unknown_dns = Unknown(
        f"the DNS attributes of {vpc_id}; add `aws ec2 describe-vpc-attribute` output"
    )
    blocks = [
        block.get("CidrBlock")
        for block in items(item.get("CidrBlockAssociationSet"))
        if isinstance(block, dict)
        and dig(block, "CidrBlockState", "State") in ("associated", "associating")
    ]
    cidrs = blocks or [item.get("CidrBlock")]
    network.vpcs.append(
        Vpc(
            loc(vpc_id),
            [real_id(vpc_id)],
            unknown_dns,
            unknown_dns,
            False,
            cidrs=cidrs,
            owner=item.get("OwnerId"),
        )
    )
    if item.get("DhcpOptionsId"):
        network.dhcp_associations.append(DhcpOptionsAssociation(vpc_id, item["DhcpOptionsId"]))


def _vpc_attribute(network: Network, data: Dict[str, Any], loc: Callable) -> None:
    vpc_id = _id(data, "VpcId")
    unknown = Unknown(f"the other DNS attribute of {vpc_id}; add its describe-vpc-attribute output")

    def attribute(name: str) -> Any:
        value = data.get(name)
        return as_bool(value.get("Value")) if isinstance(value, dict) else unknown

    network.vpcs.append(
        Vpc(
            loc(vpc_id),
            [real_id(vpc_id)],
            attribute("EnableDnsSupport"),
            attribute("EnableDnsHostnames"),
            False,
        )
    )


def _route_table(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    table_id = _id(item, "RouteTableId")
    associations = [a for a in items(item.get("Associations")) if isinstance(a, dict)]
    routes = [
        Route(
            route["DestinationCidrBlock"],
            ec2.route_reaches_internet(route),
            other_network=ec2.route_leads_to_other_network(route),
        )
        for route in items(item.get("Routes"))
        if isinstance(route, dict) and route.get("DestinationCidrBlock")
    ]
    network.route_tables.append(
        RouteTable(
            loc(table_id),
            [real_id(table_id)],
            item.get("VpcId"),
            main=any(a.get("Main") is True for a in associations),
            routes=routes,
        )
    )
    for association in associations:
        if association.get("SubnetId"):
            network.associations.append(RouteTableAssociation(association["SubnetId"], table_id))


def _endpoint(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    if str(item.get("State", "available")).lower() not in _LIVE_ENDPOINT_STATES:
        return
    endpoint_id = _id(item, "VpcEndpointId")
    groups = [g.get("GroupId") for g in items(item.get("Groups")) if isinstance(g, dict)]
    dns_options = item.get("DnsOptions") if isinstance(item.get("DnsOptions"), dict) else {}
    network.endpoints.append(
        VpcEndpoint(
            loc(endpoint_id),
            [real_id(endpoint_id)],
            vpc=item.get("VpcId"),
            service=item.get("ServiceName", Unknown(f"the service of {endpoint_id}")),
            endpoint_type=item.get("VpcEndpointType", "Gateway"),
            private_dns=as_bool(item.get("PrivateDnsEnabled"), False),
            route_tables=list(items(item.get("RouteTableIds"))),
            subnets=list(items(item.get("SubnetIds"))),
            security_groups=groups,
            dns_only_inbound_resolver=ec2.private_dns_only_for_inbound_resolver(
                dns_options.get("PrivateDnsOnlyForInboundResolverEndpoint")
            ),
            service_region=item.get("ServiceRegion"),
        )
    )
    network.endpoints[-1].policy = policies.endpoint_policy(  # CVL501
        item.get("PolicyDocument"), f"the policy of {endpoint_id}"
    )


def _nat_gateway(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    if str(item.get("State", "available")).lower() in ("deleted", "deleting", "failed"):
        return
    gateway_id = _id(item, "NatGatewayId")
    network.nat_gateways.append(
        NatGateway(loc(gateway_id), [real_id(gateway_id)], item.get("ConnectivityType"))
    )


def _prefix_list(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    """describe-managed-prefix-lists names the lists; their entries are another call's output."""
    list_id = _id(item, "PrefixListId")
    network.prefix_lists.append(
        PrefixList(
            loc(list_id),
            [real_id(list_id)],
            item.get("PrefixListName"),
            Unknown(f"the entries of prefix list {list_id}"),
        )
    )


def _security_group(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    group_id = _id(item, "GroupId")
    keys = [real_id(group_id)]
    if item.get("GroupName") == "default" and item.get("VpcId"):
        keys.append(default_security_group(real_id(str(item["VpcId"]))).full_key)
    network.security_groups.append(
        SecurityGroup(
            loc(group_id),
            keys,
            item.get("VpcId"),
            ingress=_permissions(item.get("IpPermissions")),
            egress=_permissions(item.get("IpPermissionsEgress")),
        )
    )


def _dhcp_options(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    options_id = _id(item, "DhcpOptionsId")
    options = {
        str(c.get("Key")): [v.get("Value") for v in items(c.get("Values")) if isinstance(v, dict)]
        for c in items(item.get("DhcpConfigurations"))
        if isinstance(c, dict)
    }
    network.dhcp_options.append(DhcpOptions(loc(options_id), [real_id(options_id)], options))


def _network_acl(network: Network, item: Dict[str, Any], loc: Callable) -> None:
    acl_id = _id(item, "NetworkAclId")
    entries = []
    for entry in items(item.get("Entries")):
        if not isinstance(entry, dict) or not entry.get("CidrBlock"):
            continue  # IPv6 entries do not carry the job's IPv4 traffic
        ports = entry.get("PortRange") if isinstance(entry.get("PortRange"), dict) else {}
        entries.append(
            NetworkAclEntry(
                entry.get("RuleNumber", Unknown(f"a rule of {acl_id} has no RuleNumber")),
                entry.get("Egress") is True,
                str(entry.get("RuleAction")).lower() == "allow",
                entry.get("Protocol"),
                ports.get("From"),
                ports.get("To"),
                entry["CidrBlock"],
            )
        )
    network.network_acls.append(
        NetworkAcl(
            loc(acl_id),
            [real_id(acl_id)],
            item.get("VpcId"),
            item.get("IsDefault") is True,
            entries,
        )
    )
    for association in items(item.get("Associations")):
        if isinstance(association, dict) and association.get("SubnetId"):
            network.network_acl_associations.append(
                NetworkAclAssociation(association["SubnetId"], acl_id)
            )


def _permissions(permissions: Any) -> List[Permission]:
    result = []
    for permission in permissions if isinstance(permissions, list) else []:
        if not isinstance(permission, dict):
            continue
        peers: List[Any] = [
            (kind, pair.get(member))
            for kind, listing, member in _PEER_LISTINGS
            for pair in items(permission.get(listing))
            if isinstance(pair, dict)
        ]
        result.append(
            ec2.permission(
                permission.get("IpProtocol"),
                permission.get("FromPort"),
                permission.get("ToPort"),
                peers,
            )
        )
    return result


_PEER_LISTINGS = (
    ("sg", "UserIdGroupPairs", "GroupId"),
    ("cidr", "IpRanges", "CidrIp"),
    ("cidr6", "Ipv6Ranges", "CidrIpv6"),
    ("prefix-list", "PrefixListIds", "PrefixListId"),
)

_READERS: Dict[str, Callable[[Network, Dict[str, Any], Callable], None]] = {
    "Subnets": _subnet,
    "Vpcs": _vpc,
    "RouteTables": _route_table,
    "VpcEndpoints": _endpoint,
    "SecurityGroups": _security_group,
    "DhcpOptions": _dhcp_options,
    "NetworkAcls": _network_acl,
    "NatGateways": _nat_gateway,
    "PrefixLists": _prefix_list,
}


# -- Route 53: saved `aws route53` output (list-hosted-zones-by-vpc, get-hosted-zone,
# list-resource-record-sets). Two of them do not name their subject: the commands that
# --inventory-commands prints wrap them with a --query that adds it (VPCId, HostedZoneId).


def zone_id(value: Any) -> str:
    """A zone's ID as the Route 53 API writes it (``/hostedzone/Z...``) or bare."""
    return str(value or "?").rsplit("/", 1)[-1]


def _read_route53(document: Document, network: Network) -> None:
    data = document.data
    if isinstance(data.get("HostedZone"), dict):  # get-hosted-zone
        zone = data["HostedZone"]
        found = zone_id(zone.get("Id"))
        network.hosted_zones.append(
            HostedZone(
                _locator(document, "HostedZone", None)(found),
                [real_id(found)],
                name=dns_name(zone.get("Name", Unknown(f"the name of zone {found}"))),
                private=as_bool(dig(zone, "Config", "PrivateZone"), False),
                vpcs=[v.get("VPCId") for v in items(data.get("VPCs")) if isinstance(v, dict)],
                records_complete=False,
            )
        )
    for key, subject in (("HostedZoneSummaries", "VPCId"), ("ResourceRecordSets", "HostedZoneId")):
        if isinstance(data.get(key), list) and not isinstance(data.get(subject), str):
            network.input_errors.append(
                (
                    document.path,
                    document.locate((key,))[0],
                    f"{key} without {subject}: this output does not say which "
                    f"{'VPC' if subject == 'VPCId' else 'hosted zone'} it belongs to; save it "
                    "with the command `clarify-vpc-lint --inventory-commands` prints",
                )
            )
            return
    if isinstance(data.get("HostedZoneSummaries"), list):  # list-hosted-zones-by-vpc
        for index, summary in enumerate(data["HostedZoneSummaries"]):
            if not isinstance(summary, dict):
                continue
            found = zone_id(summary.get("HostedZoneId"))
            loc = _locator(document, "HostedZoneSummaries", index)(found)
            unknown = Unknown(f"the VPCs of zone {found}; add `aws route53 get-hosted-zone` output")
            network.hosted_zones.append(
                HostedZone(
                    loc,
                    [real_id(found)],
                    name=dns_name(summary.get("Name", Unknown(f"the name of zone {found}"))),
                    private=True,  # only private zones are associated with VPCs
                    vpcs=unknown,
                    records_complete=False,
                )
            )
            network.zone_associations.append(ZoneAssociation(found, data["VPCId"]))
    if isinstance(data.get("ResourceRecordSets"), list):  # list-resource-record-sets
        found = zone_id(data["HostedZoneId"])
        unknown = Unknown(f"the name and VPCs of zone {found}; add `aws route53 get-hosted-zone`")
        network.hosted_zones.append(
            HostedZone(
                _locator(document, None, None)(found), [real_id(found)], unknown, unknown, unknown
            )
        )
        for index, record in enumerate(data["ResourceRecordSets"]):
            if not isinstance(record, dict):
                continue
            alias = dig(record, "AliasTarget", "DNSName")
            values = [
                r.get("Value") for r in items(record.get("ResourceRecords")) if isinstance(r, dict)
            ]
            network.dns_records.append(
                DnsRecord(
                    _locator(document, "ResourceRecordSets", index)(found),
                    found,
                    dns_name(record.get("Name", Unknown(f"a record name of zone {found}"))),
                    [alias] if alias is not None else [v for v in values if isinstance(v, str)],
                )
            )
