"""Which interface endpoints serve a VPC (SPEC section 5): the one place CVL301-305, 307, 310 and
403 ask.

An endpoint serves a VPC when it is the VPC's own (its private DNS is what CVL304 checks), or when
it is a centralised ("hub") endpoint in another VPC: a Route 53 private hosted zone associated
with the VPC answers the service's hostname with an alias or CNAME to the endpoint's DNS name, and
the job's subnets route the hub VPC's CIDR to a transit gateway or peering connection (AWS's
multi-account pattern, FACTS section 8). How much the inputs decide:

- subnets that route to no other network can only be served by the VPC's own endpoints;
- subnets that do are decided by the zones for the service's name in the inputs, and are unknown
  (naming the Route 53 data to add) when the inputs hold no zone for that name;
- a VPC whose DHCP options name other DNS servers than AmazonProvidedDNS is unknown either way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from msgspec import Struct, field

from .. import ec2, keys
from ..awsfacts import endpoint_service, url_suffix
from ..logic import Fact, all_of, any_of
from ..model import DnsRecord, HostedZone, RouteTable, Subnet, Vpc, VpcEndpoint, existence
from ..values import Handle, Unknown
from . import dhcp

if TYPE_CHECKING:
    from .network import Resolver

# The hostname each endpoint service answers for the SDK and the Clarify container.
_HOSTNAMES = {
    "sagemaker.api": "api.sagemaker.{region}.{suffix}",
    "sagemaker.runtime": "runtime.sagemaker.{region}.{suffix}",
    "logs": "logs.{region}.{suffix}",
    "s3": "s3.{region}.{suffix}",
}
ROUTE53_DATA = (
    "add the template or plan that creates the Route 53 private hosted zone for {host} and its "
    "records, or `aws route53 list-hosted-zones-by-vpc`, `get-hosted-zone` and "
    "`list-resource-record-sets` output as --inventory-commands saves it, with --context"
)
# An endpoint's DNS names: "vpce-0abc-xyz.sagemaker.api...", and S3's "*.vpce-0abc-xyz.s3...",
# "bucket.vpce-...", "accesspoint.vpce-...", "control.vpce-..." (its bucket-style names)
ZONE_DATA = (
    "add the template or root module that creates the zone (in Terraform, read its zone_id from "
    "that root's outputs through terraform_remote_state, with both roots in the run), or the "
    "zone's `get-hosted-zone` and `list-resource-record-sets` output with --context"
)
_ENDPOINT_DNS_NAME = re.compile(
    r"^(?:\*\.|bucket\.|accesspoint\.|control\.)?(vpce-[0-9a-f]+)-[0-9a-z]+\."
)


def hostname(service: str, region: str) -> str:
    return _HOSTNAMES[service].format(region=region, suffix=url_suffix(region))


def hostnames(service: str, region: str) -> List[str]:
    """The names a zone may answer for ``service``: S3 also ``*.s3.<region>...`` (a bucket's
    virtual-hosted name); a record for either names the S3 endpoint."""
    host = hostname(service, region)
    return [host, f"*.{host}"] if service == "s3" else [host]


class Serving(Struct):
    """Whether a service is served to some subnets of a VPC, and by which hub endpoints."""

    fact: Fact
    hubs: List[VpcEndpoint] = field(default_factory=list)
    # for messages: why the zones in the inputs do not serve it (names the zone), else ""
    note: str = ""


class Route53:
    """The zones, associations and records of a run, joined (built once per resolver)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        network = resolver.network
        self.zones: Dict[str, HostedZone] = {}
        for zone in network.hosted_zones:
            _merge(self.zones.setdefault(zone.keys[0], zone), zone)
        self.records: List[DnsRecord] = list(network.dns_records)
        self._cache: Dict[Tuple[Any, ...], Serving] = {}

    # -- which zones answer a name --------------------------------------------------------------

    def zone_of(self, ref: Any) -> Optional[HostedZone]:
        name = keys.zone_name_of(ref)
        if name is not None:  # a record that names its zone by domain name
            named = [z for z in self.zones.values() if z.name == name]
            return named[0] if len(named) == 1 else None
        found = self.resolver.index.find(ref)
        return self.zones.get(found.keys[0]) if isinstance(found, HostedZone) else None

    def answering(self, host: str) -> List[HostedZone]:
        """The zones whose domain holds ``host`` (the apex or a name under it)."""
        found = []
        for zone in self.zones.values():
            name = zone.name
            if zone.private is False:  # a public zone does not answer the VPC's resolvers first
                continue
            if isinstance(name, str) and (host == name or host.endswith("." + name)):
                found.append(zone)
        for record in self.records:  # a zone known only by its records (no name in the inputs)
            zone = self.zone_of(record.zone)
            if zone is None or any(zone is z for z in found):
                continue
            if _full_name(record.name, zone.name) == host:
                found.append(zone)
        return found

    def answering_service(self, service: str) -> List[HostedZone]:
        """The zones that answer some name of ``service`` (``hostnames``), each once."""
        found: List[HostedZone] = []
        for host in hostnames(service, self.resolver.fix_region):
            found += [z for z in self.answering(host) if not any(z is f for f in found)]
        return found

    def _maybe_associated(self, vpc: Vpc) -> List[Unknown]:
        """The associations of ``vpc`` with a zone the inputs do not name (a zone ID read from
        another root's state): any zone may be theirs."""
        return [
            Unknown(
                f"{vpc.loc.resource} is associated with a Route 53 zone the inputs do not name "
                f"({association.zone.reason}); {ZONE_DATA}"
            )
            for association in self.resolver.network.zone_associations
            if isinstance(association.zone, Unknown)
            and not isinstance(association.vpc, Unknown)
            and self.resolver.vpc(association.vpc, vpc.loc) is vpc
        ]

    def _unknown_zones(self, vpc: Vpc) -> str:
        """For messages: why the zones associated with ``vpc`` that the inputs do not name are
        unknown, else ""."""
        unknown = self._maybe_associated(vpc)
        if not unknown:
            return ""
        return f" ({unknown[0].reason})"

    def associated(self, zone: HostedZone, vpc: Vpc) -> Fact:
        """Is the zone associated with the VPC?"""
        results: List[Fact] = []
        refs = zone.vpcs if isinstance(zone.vpcs, list) else []
        for association in self.resolver.network.zone_associations:
            if self.zone_of(association.zone) is zone:
                refs = [*refs, association.vpc]
        results += self._maybe_associated(vpc)
        for ref in refs:
            if isinstance(ref, Unknown):
                results.append(ref)
                continue
            results.append(self.resolver.vpc(ref, zone.loc) is vpc)
        if isinstance(zone.vpcs, Unknown):
            results.append(zone.vpcs)
        return any_of(results)

    def targets(self, zone: HostedZone, host: str, service: str) -> List[Any]:
        """The endpoints of ``service`` the zone's records for ``host`` point to; an Unknown
        where a record's target or the zone's records are not known."""
        found: List[Any] = []
        for record in self.records:
            if self.zone_of(record.zone) is not zone:
                continue
            if isinstance(record.name, Unknown):
                found.append(Unknown(f"a record name of zone {zone.loc.resource}"))
                continue
            if _full_name(record.name, zone.name) != host:
                continue
            for target in record.targets:
                endpoint = self.endpoint(target)
                if isinstance(endpoint, VpcEndpoint):
                    if endpoint_service(endpoint.service) == service:
                        found.append(endpoint)
                elif isinstance(endpoint, Unknown):
                    found.append(endpoint)
        if not zone.records_complete and not found:
            found.append(
                Unknown(
                    f"the records of Route 53 zone {zone.loc.resource}; add `aws route53 "
                    "list-resource-record-sets` output as --inventory-commands saves it"
                )
            )
        return found

    def service_targets(self, zone: HostedZone, service: str) -> List[Any]:
        """``targets`` for each name of ``service`` (S3: the apex and the wildcard), each once."""
        found: List[Any] = []
        for host in hostnames(service, self.resolver.fix_region):
            found += [t for t in self.targets(zone, host, service) if t not in found]
        return found

    def endpoint(self, target: Any) -> Any:
        """The VPC endpoint a record points to (by reference or by its DNS name), None for
        another target, or Unknown."""
        if isinstance(target, Handle):
            found = self.resolver.index.find(target)
            return found if isinstance(found, VpcEndpoint) else None
        if isinstance(target, Unknown):
            return target
        match = _ENDPOINT_DNS_NAME.match(str(target).lower())
        if match is None:
            return None
        found = self.resolver.index.find(match.group(1))
        if isinstance(found, VpcEndpoint):
            return found
        return Unknown(
            f"endpoint {match.group(1)} that a Route 53 record names is not in the inputs; add "
            "`aws ec2 describe-vpc-endpoints` output of the hub VPC with --context"
        )

    def names_endpoint(self, vpc: Any, endpoint: VpcEndpoint, service: Any) -> Fact:
        """Does a zone associated with ``vpc`` answer ``service``'s name with ``endpoint``?"""
        if not isinstance(vpc, Vpc) or service not in _HOSTNAMES:
            return False
        results: List[Fact] = []
        for zone in self.answering_service(service):
            targets = self.service_targets(zone, service)
            named = any_of(
                [True for t in targets if t is endpoint]
                + [t for t in targets if isinstance(t, Unknown)]
            )
            results.append(all_of([self.associated(zone, vpc), named]))
        return any_of(results)

    # -- routes to the hub ------------------------------------------------------------------------

    def leaves_vpc(self, subnets: List[Subnet]) -> Fact:
        """Does some subnet route to another network (transit gateway, peering, VGW)?"""
        results: List[Fact] = []
        for subnet in subnets:
            table = self.resolver.route_table_of(subnet)
            if isinstance(table, Unknown):
                results.append(table)
                continue
            results += [_leaves(route.other_network) for route in self._routes(table)]
        return any_of(results)

    def routed(self, subnets: List[Subnet], hub: Any) -> Fact:
        """Does every subnet route the hub VPC's CIDR to another network?"""
        if not isinstance(hub, Vpc):
            return Unknown("the VPC of a hub endpoint is not in the inputs")
        cidrs = hub.cidrs if isinstance(hub.cidrs, list) else None
        if cidrs is None:
            return (
                hub.cidrs
                if isinstance(hub.cidrs, Unknown)
                else Unknown(
                    f"the CIDR of hub VPC {hub.loc.resource}; add `aws ec2 describe-vpcs` output"
                )
            )
        results: List[Fact] = []
        for subnet in subnets:
            table = self.resolver.route_table_of(subnet)
            if isinstance(table, Unknown):
                results.append(table)
                continue
            results.append(
                any_of(
                    all_of(
                        [
                            _to_other_vpcs(route.other_network),
                            _exists(route.conditional, f"a route of {table.loc.resource}"),
                            any_of(ec2.cidr_covers(route.destination, [c]) for c in cidrs),
                        ]
                    )
                    for route in self._routes(table)
                )
            )
        return all_of(results)

    def _routes(self, table: RouteTable) -> list:
        return table.routes + self.resolver.index.routes_by_table.get(id(table), [])

    # -- the answer -------------------------------------------------------------------------------

    def hub_serving(self, vpc: Vpc, subnets: List[Subnet], service: str) -> Serving:
        """Whether a hub endpoint serves ``service`` to ``subnets`` of ``vpc``."""
        key = (id(vpc), tuple(id(s) for s in subnets), service)
        if key not in self._cache:
            self._cache[key] = self._hub_serving(vpc, subnets, service)
        return self._cache[key]

    def _hub_serving(self, vpc: Vpc, subnets: List[Subnet], service: str) -> Serving:
        leaves = self.leaves_vpc(subnets)
        if leaves is False or not subnets:
            return Serving(False)
        host = hostname(service, self.resolver.fix_region)
        zones = self.answering_service(service)
        if not zones:
            return Serving(
                Unknown(
                    f"no Route 53 private hosted zone for {host} is in the inputs, and "
                    f"{vpc.loc.resource} routes to another network, where a hub endpoint may "
                    f"serve it; {ROUTE53_DATA.format(host=host)}{self._unknown_zones(vpc)}"
                )
            )
        results: List[Fact] = []
        hubs: List[VpcEndpoint] = []
        notes: List[str] = []
        for zone in zones:
            associated = self.associated(zone, vpc)
            reached: List[Fact] = []
            for target in self.service_targets(zone, service):
                if isinstance(target, Unknown):
                    reached.append(target)
                    continue
                hub = self.resolver.vpc_of(target)
                routed = self.routed(subnets, hub)
                usable = all_of([routed, _interface_in_region(target, self.resolver, subnets)])
                reached.append(usable)
                if usable is True and associated is True:
                    hubs.append(target)
                elif routed is False and isinstance(hub, Vpc):
                    notes.append(
                        f"Route 53 zone {zone.loc.resource} answers {host} with endpoint "
                        f"{target.loc.resource}, but subnets "
                        f"[{', '.join(sorted(s.loc.resource for s in subnets))}] have no route "
                        f"to hub VPC {hub.loc.resource} ({', '.join(map(str, hub.cidrs))}) "
                        "through a transit gateway or peering connection"
                    )
                elif usable is False:
                    notes.append(
                        f"Route 53 zone {zone.loc.resource} answers {host} with endpoint "
                        f"{target.loc.resource}, which is not an interface endpoint of this "
                        "region's service"
                    )
            if associated is False:
                notes.append(
                    f"Route 53 zone {zone.loc.resource} answers {host} but is not associated "
                    f"with {vpc.loc.resource}"
                )
            elif not reached:
                notes.append(
                    f"Route 53 zone {zone.loc.resource} holds no alias or CNAME record for "
                    f"{host} to a {service} endpoint"
                )
            results.append(all_of([associated, any_of(reached)]))
        fact = any_of(results)
        note = "" if fact is not False else " (" + "; ".join(dict.fromkeys(notes)) + ")"
        return Serving(fact, hubs, note)


def _leaves(other_network: Any) -> Fact:
    return other_network if isinstance(other_network, Unknown) else other_network is not False


def _to_other_vpcs(other_network: Any) -> Fact:
    """Only a transit gateway or peering connection (or core network) reaches a hub VPC."""
    if isinstance(other_network, Unknown):
        return other_network
    return other_network == ec2.TO_OTHER_VPCS


def _full_name(name: Any, zone: Any) -> Any:
    """A record's name in full: Terraform appends the zone's domain to a name that does not end
    with it (an empty name is the apex)."""
    if not isinstance(name, str) or not isinstance(zone, str):
        return name
    if name == zone or name.endswith("." + zone):
        return name
    return f"{name}.{zone}" if name else zone


def _merge(zone: HostedZone, other: HostedZone) -> None:
    """One zone described by several inventory files (get-hosted-zone, its records, the
    list-hosted-zones-by-vpc of a VPC): what one knows completes the other."""
    if zone is other:
        return
    for name in ("name", "vpcs", "private"):
        if isinstance(getattr(zone, name), Unknown):
            setattr(zone, name, getattr(other, name))
    zone.records_complete = zone.records_complete or other.records_complete


def _interface_in_region(endpoint: VpcEndpoint, resolver: Resolver, subnets: List[Subnet]) -> Fact:
    """An interface endpoint that exists, for the job's region's service."""
    exists = _exists(endpoint.conditional, f"endpoint {endpoint.loc.resource}")
    return all_of(
        [type_is(endpoint, "Interface"), exists, serves_region(endpoint, resolver, lambda: subnets)]
    )


def _exists(conditional: Any, what: str) -> Fact:
    unknown = existence(conditional, what)
    return True if unknown is None else unknown


def type_is(endpoint: VpcEndpoint, kind: str) -> Fact:
    """Is the endpoint of ``kind`` (Interface or Gateway)?"""
    if isinstance(endpoint.endpoint_type, Unknown):
        return endpoint.endpoint_type
    return str(endpoint.endpoint_type).lower() == kind.lower()


# The subnets a service is served to, given as a function: they are worked out (each one's
# internet route) only where an endpoint's region or a hub endpoint asks, and most VPCs have an
# endpoint of their own, of no other region.
SubnetsOf = Callable[[], List[Subnet]]


def serving(
    vpc: Vpc,
    resolver: Resolver,
    service: str,
    subnets: SubnetsOf,
    kind: Optional[str] = None,
    usable: Any = None,
) -> Serving:
    """Is ``service`` served to ``subnets()`` of ``vpc``: by an endpoint of the VPC (of ``kind``,
    ``usable`` by the jobs), or by a hub endpoint through a Route 53 zone?"""
    own = own_endpoint(vpc, resolver, service, kind, usable, subnets)
    if own is True:
        return Serving(own)
    hub = Serving(False)
    if kind != "Gateway":
        hub = resolver.route53.hub_serving(vpc, subnets(), service)
    fact = through_other_dns(any_of([own, hub.fact]), vpc, resolver)
    return Serving(fact, hub.hubs, hub.note if fact is False else "")


def own_endpoint(
    vpc: Vpc,
    resolver: Resolver,
    service: str,
    kind: Optional[str] = None,
    usable: Any = None,
    subnets: SubnetsOf = list,
) -> Fact:
    """Is there an endpoint for ``service`` (of ``kind``: Interface/Gateway) in the VPC?"""
    results: List[Fact] = []
    by_vpc = resolver.endpoints_by_vpc()
    for endpoint in by_vpc.get(id(vpc), []) + by_vpc[0]:
        owner = resolver.vpc_of(endpoint)
        found = resolver.service_of(endpoint)
        matches = (
            found == service
            if not isinstance(found, Unknown)
            else Unknown(
                f"the service of endpoint {endpoint.loc.resource} is not known: {found.reason}"
            )
        )
        if kind is not None and matches is True:
            matches = type_is(endpoint, kind)
        if usable is not None and matches is True:
            matches = usable(endpoint)
        if matches is True:
            matches = serves_region(endpoint, resolver, subnets)
        if matches is False:
            continue
        if owner is None:  # an endpoint whose VpcId is not known may be in this VPC
            matches = Unknown(
                f"endpoint {endpoint.loc.resource} may be in {vpc.loc.resource}: "
                "its VpcId is not known"
            )
        elif matches is True and endpoint.conditional is not False:
            matches = existence(endpoint.conditional, f"endpoint {endpoint.loc.resource}")
        results.append(matches)
    if not vpc.endpoints_complete:
        participant = resolver.participant_view(vpc)
        results.append(
            participant
            if participant is not None
            else Unknown(
                f"the VPC endpoints of {vpc.loc.resource}; add `aws ec2 describe-vpc-endpoints` "
                "output with --context"
            )
        )
    return any_of(results)


def serves_region(endpoint: VpcEndpoint, resolver: Resolver, subnets: SubnetsOf) -> Fact:
    """An endpoint answers the names of its ``ServiceRegion``, else of the region it is created
    in (a Terraform provider's or the resource's own ``region``), not another region's: compared
    with the region of the job's subnets where the inputs say it (their provider's region or
    Availability Zones), else with the run's region, where a difference is only unknown."""
    region = endpoint.service_region if endpoint.service_region is not None else endpoint.region
    if region is None:
        return True
    if isinstance(region, Unknown):
        return region
    known = {subnet_region(s) for s in subnets()} - {None}
    if len(known) == 1:
        return region == known.pop()
    if region == resolver.fix_region:
        return True
    return Unknown(
        f"whether endpoint {endpoint.loc.resource}, which serves {region}, is in the job's "
        f"region; pass --region"
    )


def subnet_region(subnet: Subnet) -> Optional[str]:
    """The region a subnet is in, where an input says it."""
    if isinstance(subnet.region, str):
        return subnet.region
    return ec2.region_of_zone(subnet.availability_zone)


def dns_elsewhere(vpc: Any, resolver: Resolver) -> Optional[Unknown]:
    """The Unknown of a VPC whose DHCP options name DNS servers other than Amazon's."""
    if not isinstance(vpc, Vpc):
        return None
    return dhcp.dns_elsewhere(vpc, resolver.index)


def through_other_dns(fact: Fact, vpc: Any, resolver: Resolver) -> Fact:
    """A fact about endpoint names, where the VPC's DNS servers may answer them differently."""
    if fact is True:
        return fact
    elsewhere = dns_elsewhere(vpc, resolver)
    return elsewhere if elsewhere is not None else fact
