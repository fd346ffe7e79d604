"""Where a Clarify job's HTTPS must go, and whether its security groups' egress lets it.

The job reads and writes S3 and, when it calls its model, the SageMaker API and runtime. S3 is
reached through an S3 interface endpoint whose private DNS answers in the VPC, else at S3's public
addresses (through a gateway endpoint or a NAT): egress must allow ``0.0.0.0/0`` or the S3 managed
prefix list ("The rules for the security groups for your instances that access Amazon S3 through a
gateway endpoint must allow traffic to and from Amazon S3"); egress limited to the VPC's CIDR does
not. Every interface endpoint the job's calls resolve to must be reachable too: its security
groups or its subnets.
"""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

from .. import ec2, keys
from ..awsfacts import endpoint_service, is_s3_prefix_list_name
from ..logic import Fact, any_of
from ..model import PrefixList, SecurityGroup, Subnet, Vpc, VpcEndpoint
from ..values import Unknown
from .index import display
from .network import Resolver
from .served import serving

PeerTest = Callable[[tuple], Fact]
_SAGEMAKER = ("sagemaker.api", "sagemaker.runtime")


def https_destinations(
    resolver: Resolver, groups: Any, vpcs: Any, inference: Fact, subnets: Any = ()
) -> List[Tuple[str, Fact]]:
    """(what the job must reach over TCP 443, whether its groups' egress allows it), each."""
    security = resolver.security

    def reach(test: PeerTest) -> Fact:
        return security.admits(groups, "egress", 443, test)

    public_s3 = _public_s3_test(resolver)
    if isinstance(vpcs, Unknown):
        s3 = reach(public_s3)
        if s3 is not True:  # an S3 interface endpoint of the unknown VPC may be what it reaches
            s3 = False if reach(lambda peer: True) is False else vpcs
        return [("S3", s3)]
    destinations: List[Tuple[str, Fact]] = []
    for vpc in vpcs:
        relied = [
            endpoint
            for endpoint in resolver.endpoints_by_vpc().get(id(vpc), [])
            if _relied_on(endpoint, inference) is True
        ] + _hub_endpoints(resolver, vpc, subnets, inference)
        s3_interfaces = [e for e in relied if endpoint_service(e.service) == "s3"]
        if s3_interfaces:
            names = ", ".join(e.loc.resource for e in s3_interfaces)
            s3 = any_of(reach(_endpoint_test(resolver, e, vpc)) for e in s3_interfaces)
            destinations.append((f"S3 (its interface endpoint {names})", s3))
        else:
            destinations.append(("S3 (0.0.0.0/0 or the S3 prefix list)", reach(public_s3)))
        for endpoint in relied:
            if not any(endpoint is e for e in s3_interfaces):
                service = endpoint_service(endpoint.service)
                destinations.append(
                    (
                        f"interface endpoint {endpoint.loc.resource} ({service})",
                        reach(_endpoint_test(resolver, endpoint, vpc)),
                    )
                )
    return destinations


def _hub_endpoints(
    resolver: Resolver, vpc: Vpc, subnets: Any, inference: Fact
) -> List[VpcEndpoint]:
    """The hub endpoints the job's calls resolve to through Route 53 (served.py)."""
    offline = [
        s
        for s in ([] if isinstance(subnets, Unknown) else subnets)
        if isinstance(s, Subnet)
        and resolver.subnet_vpc(s) is vpc
        and resolver.internet_route(s) is not True
    ]
    services = ["s3", *(_SAGEMAKER if inference is not False else ())]
    found: List[VpcEndpoint] = []
    for service in services:
        for endpoint in serving(vpc, resolver, service, lambda: offline).hubs:
            if not any(endpoint is f for f in found):
                found.append(endpoint)
    return found


def _relied_on(endpoint: VpcEndpoint, inference: Fact) -> Fact:
    """An interface endpoint the job's calls resolve to: its private DNS answers in the VPC."""
    service = endpoint_service(endpoint.service)
    if isinstance(service, Unknown) or endpoint.conditional is not False:
        return False
    called = service == "s3" or (service in _SAGEMAKER and inference is not False)
    if not called or str(endpoint.endpoint_type).lower() != "interface":
        return False
    return ec2.private_dns_answers_in_vpc(endpoint.private_dns, endpoint.dns_only_inbound_resolver)


def _public_s3_test(resolver: Resolver) -> PeerTest:
    def test(peer: tuple) -> Fact:
        kind, value = peer
        if isinstance(value, Unknown):
            return value
        if kind == "cidr":
            return ec2.cidr_holds_public_addresses(value)
        if kind == "prefix-list":
            found = resolver.index.find(value)
            if not isinstance(found, PrefixList):
                return Unknown(
                    f"prefix list {display(value, resolver.index)} is not in the inputs; add "
                    "`aws ec2 describe-managed-prefix-lists` output with --context"
                )
            named = is_s3_prefix_list_name(found.name)
            if isinstance(named, Unknown) and isinstance(found.cidrs, list):
                # a customer-managed list: its entries decide
                return any_of(ec2.cidr_holds_public_addresses(c) for c in found.cidrs)
            return named
        if kind == "unknown":
            return Unknown("a rule's destination is not known")
        return False  # a security group or an IPv6 range: not S3's IPv4 addresses

    return test


def _endpoint_test(resolver: Resolver, endpoint: VpcEndpoint, vpc: Vpc) -> PeerTest:
    """A peer that reaches an interface endpoint: one of its groups (without any, its VPC's
    default group), or a CIDR over its subnets."""
    index = resolver.index
    group_refs = endpoint.security_groups
    if group_refs is None:
        own = resolver.vpc_of(endpoint) or vpc  # a hub endpoint's is the hub's
        group_refs = [keys.default_security_group(own.keys[0])]
    groups = [] if isinstance(group_refs, Unknown) else [index.find(g) for g in group_refs or []]
    subnets = [] if isinstance(endpoint.subnets, Unknown) else endpoint.subnets
    cidrs: Any = endpoint.subnets if isinstance(endpoint.subnets, Unknown) else []
    if not isinstance(cidrs, Unknown):
        for ref in subnets:
            subnet = index.find(ref)
            cidr = subnet.cidr if isinstance(subnet, Subnet) else None
            if cidr is None or isinstance(cidr, Unknown):
                cidrs = (
                    cidr
                    if isinstance(cidr, Unknown)
                    else Unknown(f"the CIDR of {display(ref, index)} is not known")
                )
                break
            cidrs.append(cidr)
        if not subnets:
            cidrs = Unknown(f"the subnets of endpoint {endpoint.loc.resource} are not known")

    def test(peer: tuple) -> Fact:
        kind, value = peer
        if isinstance(value, Unknown):
            return value
        if kind == "sg":
            entity = index.find(value)
            if not isinstance(entity, SecurityGroup):
                return Unknown(f"the destination group {display(value, index)} is not known")
            return any(entity is group for group in groups)
        if kind == "cidr":
            return ec2.cidr_covers(value, cidrs)
        if kind == "prefix-list":
            found = index.find(value)
            if isinstance(found, PrefixList) and isinstance(found.cidrs, list):
                return any_of(ec2.cidr_covers(c, cidrs) for c in found.cidrs)
            aws_managed = isinstance(found, PrefixList) and isinstance(
                is_s3_prefix_list_name(found.name), bool
            )
            if aws_managed:  # a service's public ranges, not the endpoint's addresses
                return False
            return Unknown(f"the entries of prefix list {display(value, index)} are not known")
        if kind == "unknown":
            return Unknown("a rule's destination is not known")
        return False

    return test
