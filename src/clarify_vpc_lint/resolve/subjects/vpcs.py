"""VPC subjects: what the Clarify jobs and models in a VPC need of it (routes, endpoints, DNS)."""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, List, Optional, Set

from msgspec import Struct, field

from ... import ec2, keys
from ...awsfacts import ENDPOINT_SERVICES
from ...facts import derive, fact
from ...logic import Fact, all_of, any_of, negate
from ...model import RouteTable, Subnet, VpcEndpoint
from ...names import Name, Refs
from ...values import Unknown
from .. import dhcp
from ..network import Resolver
from ..served import Serving, serving
from .naming import fix_file, fix_refs, vpc_refs
from .subject import Subject
from .usage import Usage


class VpcView(Struct):
    """A VPC subject's view: how the run's jobs and models use the VPC, and its services."""

    usage: Usage
    resolver: Resolver
    services: Dict[tuple, Serving] = field(default_factory=dict)
    _internet: Dict[int, Fact] = field(default_factory=dict)

    def service(self, name: str, kind: Optional[str] = None, usable: Any = None) -> Fact:
        """Is ``name`` served to the VPC's jobs: by an endpoint of the VPC (of ``kind``,
        ``usable`` by the jobs), or by a hub endpoint through Route 53 (served.py)?"""
        return self.serving(name, kind, usable).fact

    def serving(self, name: str, kind: Optional[str] = None, usable: Any = None) -> Serving:
        key = (name, kind, usable)
        if key not in self.services:
            if self.usage.vpc is None:
                self.services[key] = Serving(self.usage.unknown)
            else:
                users = partial(self.offline_users, name)
                self.services[key] = serving(
                    self.usage.vpc, self.resolver, name, users, kind, usable
                )
        return self.services[key]

    def offline_users(self, name: str) -> List[Subnet]:
        """The subnets that call ``name`` (S3: of the jobs and models, else of the jobs) and
        lack an internet route (or may)."""
        users = self.usage.s3_subnets() if name == "s3" else self.usage.job_subnets
        return self.without_internet(users)

    def hub_endpoints(self) -> List[VpcEndpoint]:
        """The hub endpoints that serve the VPC's jobs, each once."""
        route53 = self.resolver.route53
        if not route53.zones and not route53.records:  # no zone: no name leads to a hub
            return []
        found: List[VpcEndpoint] = []
        for name in ENDPOINT_SERVICES:
            for endpoint in self.serving(name).hubs:
                if not any(endpoint is f for f in found):
                    found.append(endpoint)
        return found

    def s3_endpoint(self) -> Fact:
        """A gateway endpoint, or an interface endpoint whose private DNS answers in the VPC."""
        gateway = self.service("s3", "Gateway")
        return True if gateway is True else any_of([gateway, self.s3_interface()])

    def s3_interface(self) -> Fact:
        return self.service("s3", "Interface", _answers_in_vpc)

    def attribute(self, name: str) -> Fact:
        vpc = self.usage.vpc
        return getattr(vpc, name) if vpc is not None else self.usage.unknown

    def internet(self, subnet: Subnet) -> Fact:
        if id(subnet) not in self._internet:
            self._internet[id(subnet)] = self.resolver.internet_route(subnet)
        return self._internet[id(subnet)]

    def without_internet(self, subnets: List[Subnet]) -> List[Subnet]:
        """The subnets that lack an internet route (or may: their route is not known)."""
        return [s for s in subnets if self.internet(s) is not True]

    def no_internet(self, subnets: List[Subnet], used: Fact) -> Fact:
        if self.usage.vpc is None:
            return self.usage.unknown
        if not subnets:
            if used is False:
                return False
            return Unknown(f"the subnets used in {self.usage.vpc.loc.resource} are not known")
        return any_of(negate(self.internet(subnet)) for subnet in subnets)

    def jobs_no_internet(self) -> Fact:
        return self.no_internet(self.usage.job_subnets, self.usage.clarify)

    def s3_no_internet(self) -> Fact:
        """Some subnet of a job, or of a model whose artifacts are in S3, lacks the route."""
        results = [self.jobs_no_internet()] if self.usage.job_subnets else []
        for s3, subnets in self.usage.model_subnets:
            results.append(all_of([s3, self.no_internet(subnets, s3)]))
        if not results:
            return self.no_internet([], any_of([self.usage.clarify, self.usage.model_s3]))
        return any_of(results)


@fact("vpcs", "clarify", "a Clarify job runs in the VPC")
def _vpc_clarify(view: VpcView) -> Fact:
    return view.usage.clarify


@fact("vpcs", "inference", "a Clarify job in the VPC calls its model")
def _vpc_inference(view: VpcView) -> Fact:
    return view.usage.inference


@fact("vpcs", "model_s3", "a model in the VPC loads its artifacts from S3")
def _vpc_model_s3(view: VpcView) -> Fact:
    return view.usage.model_s3


@fact(
    "vpcs",
    "no_internet",
    "some subnet of a Clarify job in the VPC has no internet route (a public NAT gateway, NAT "
    "instance or transit gateway; an internet gateway does not count)",
)
def _vpc_no_internet(view: VpcView) -> Fact:
    return view.jobs_no_internet()


@fact(
    "vpcs",
    "s3_no_internet",
    "some subnet of a Clarify job, or of a model whose artifacts are in S3, has no internet route",
)
def _vpc_s3_no_internet(view: VpcView) -> Fact:
    return view.s3_no_internet()


@fact(
    "vpcs",
    "s3_endpoint",
    "the VPC has a usable S3 endpoint: a gateway endpoint, or an interface endpoint whose private "
    "DNS answers resolvers in the VPC",
)
def _vpc_s3_endpoint(view: VpcView) -> Fact:
    return view.s3_endpoint()


@fact("vpcs", "api_endpoint", "the VPC has a sagemaker.api interface endpoint")
def _vpc_api_endpoint(view: VpcView) -> Fact:
    return view.service("sagemaker.api")


@fact("vpcs", "runtime_endpoint", "the VPC has a sagemaker.runtime interface endpoint")
def _vpc_runtime_endpoint(view: VpcView) -> Fact:
    return view.service("sagemaker.runtime")


@fact("vpcs", "sagemaker_interface_endpoint", "the VPC has a sagemaker.api or .runtime endpoint")
def _vpc_sagemaker_interface_endpoint(view: VpcView) -> Fact:
    return any_of([view.service("sagemaker.api"), view.service("sagemaker.runtime")])


@fact("vpcs", "logs_endpoint", "the VPC has a CloudWatch Logs (logs) interface endpoint")
def _vpc_logs_endpoint(view: VpcView) -> Fact:
    return view.service("logs")


@fact("vpcs", "dns_support", "the VPC has EnableDnsSupport on")
def _vpc_dns_support(view: VpcView) -> Fact:
    return view.attribute("dns_support")


@fact("vpcs", "dns_hostnames", "the VPC has EnableDnsHostnames on")
def _vpc_dns_hostnames(view: VpcView) -> Fact:
    return view.attribute("dns_hostnames")


@fact(
    "vpcs",
    "dhcp_domain_options",
    "the VPC's DHCP options set has both domain-name and domain-name-servers",
)
def _vpc_dhcp_domain_options(view: VpcView) -> Fact:
    if view.usage.vpc is None:
        return view.usage.unknown
    missing = dhcp.missing_keys(view.usage.vpc, view.resolver.index)
    return missing if isinstance(missing, Unknown) else not missing


def _dhcp_names(vpc: Any, resolver: Resolver) -> Dict[str, str]:
    missing = dhcp.missing_keys(vpc, resolver.index) if vpc is not None else []
    region = resolver.fix_region
    name = dhcp.options_name(vpc, resolver.index) if vpc is not None else "unknown"
    return {
        "dhcp_options": name,
        "dhcp_ref": name
        if " " not in name and not name.startswith("dopt-")
        else "ClarifyDhcpOptions",
        "dhcp_missing": " and ".join(missing) if isinstance(missing, list) and missing else "",
        "domain_name": "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal",
    }


def vpc_subject(view: VpcView) -> Subject:
    vpc = view.usage.vpc
    loc = view.usage.loc if vpc is None else vpc.loc
    return Subject("vpcs", loc, derive("vpcs", view), partial(_vpc_names, view))


def _vpc_names(view: VpcView) -> Dict[str, Any]:
    usage, resolver = view.usage, view.resolver
    vpc = usage.vpc
    name = vpc.loc.resource if vpc is not None else f"the VPC of {usage.loc.resource}"
    at = fix_file(usage.loc if vpc is None else vpc.loc)
    return {
        "vpc": name,
        "vpc_key": Name(vpc.loc.resource)
        if vpc is not None
        else Name("ClarifyVpc", f"{name} is not in the inputs: this is its resource"),
        "vpc_refs": vpc_refs(usage.vpc, usage.unknown, usage.written_subnets, resolver, name, at),
        "dns_attributes_off": _dns_attributes_off(view),
        # why the Route 53 zones in the inputs do not serve a service to the VPC, else ""
        "api_zone_note": view.serving("sagemaker.api").note,
        "runtime_zone_note": view.serving("sagemaker.runtime").note,
        "logs_zone_note": view.serving("logs").note,
        "region": resolver.fix_region,
        "endpoint_group_refs": _endpoint_group_refs(usage, resolver, at),
        **usage_names(view, at),
        **_dhcp_names(vpc, resolver),
    }


def _endpoint_group_refs(usage: Usage, resolver: Resolver, at: Optional[str]) -> Refs:
    """The security groups a new interface endpoint takes: those of an endpoint of the VPC that
    admits the jobs on TCP 443, else the jobs' own (the fix says they must admit it)."""
    endpoints = resolver.endpoints_by_vpc().get(id(usage.vpc), []) if usage.vpc is not None else []
    for endpoint in endpoints:
        groups = endpoint.security_groups
        if isinstance(groups, list) and groups and admits_https(endpoint, usage, resolver) is True:
            return fix_refs(groups, resolver, f"the security groups of {endpoint.loc.resource}", at)
    groups: List[Any] = []
    for job in usage.jobs:  # groups as written may be any value: compared, never hashed
        for group in job.groups if isinstance(job.groups, list) else []:
            if not any(group == seen for seen in groups):
                groups.append(group)
    return fix_refs(groups, resolver, "the Clarify jobs' security groups", at)


def admits_https(endpoint: VpcEndpoint, usage: Usage, resolver: Resolver) -> Fact:
    """Do the endpoint's groups (the VPC's default group when it names none) admit TCP 443 from
    every Clarify job of the VPC?"""
    groups = endpoint.security_groups
    if groups is None:  # its VPC's default group: a hub endpoint's is the hub's
        own = resolver.vpc_of(endpoint) or usage.vpc
        groups = [keys.default_security_group(own.keys[0])]
    results = [
        resolver.security.rules_admit(
            groups, "ingress", 443, (job.group_entities, job.subnet_cidrs)
        )
        for job in usage.jobs
    ]
    return all_of(results)


def _dns_attributes_off(view: VpcView) -> str:
    """The VPC attributes CVL305 finds off (or not known to be on), by their CloudFormation names."""
    names = [
        name
        for name, key in (
            ("EnableDnsSupport", "dns_support"),
            ("EnableDnsHostnames", "dns_hostnames"),
        )
        if view.attribute(key) is not True
    ]
    return " and ".join(names) or "neither"


def _answers_in_vpc(endpoint: VpcEndpoint) -> Fact:
    return ec2.private_dns_answers_in_vpc(endpoint.private_dns, endpoint.dns_only_inbound_resolver)


def usage_names(view: VpcView, at: Optional[str]) -> Dict[str, Any]:
    """The subnets and route tables a VPC's Clarify users rely on, for messages and fixes."""
    usage, resolver = view.usage, view.resolver

    def names(subnets: List[Subnet]) -> str:
        return ", ".join(sorted({s.loc.resource for s in subnets})) or "(not known)"

    def table_refs(subnets: List[Subnet]) -> Refs:
        found = [resolver.route_table_of(subnet) for subnet in subnets]
        known = [t for t in found if isinstance(t, RouteTable)]
        unknown = [t for t in found if not isinstance(t, RouteTable)]
        if not unknown and known:
            return fix_refs(known, resolver, "route tables", at)
        return fix_refs(
            known + [t if isinstance(t, Unknown) else Unknown("not in the inputs") for t in unknown]
            if subnets
            else [],
            resolver,
            "the route table of some subnets",
            at,
        )

    s3_offline = view.without_internet(usage.s3_subnets())
    return {
        "subnets": names(usage.job_subnets),
        "job_subnet_list": fix_refs(
            one_per_zone(usage.job_subnets) or usage.written_subnets,
            resolver,
            "the Clarify jobs' subnets",
            at,
        ),
        "route_table_refs": table_refs(usage.job_subnets),
        "s3_route_table_refs": table_refs(s3_offline),
        "subnets_without_internet": names(view.without_internet(usage.job_subnets)),
        "s3_subnets_without_internet": names(s3_offline),
    }


def one_per_zone(subnets: List[Subnet]) -> List[Subnet]:
    """The subnets a new interface endpoint takes: the first of each Availability Zone (EC2
    refuses two subnets of one zone for one endpoint); a subnet whose zone is not known stays."""
    kept: List[Subnet] = []
    zones: Set[str] = set()
    for subnet in subnets:
        zone = subnet.zone
        if isinstance(zone, str) and zone:
            if zone in zones:
                continue
            zones.add(zone)
        kept.append(subnet)
    return kept
