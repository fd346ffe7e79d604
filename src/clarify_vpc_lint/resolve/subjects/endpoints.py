"""Endpoint subjects: each VPC endpoint of a VPC that Clarify jobs use."""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, List, Optional, Tuple

from msgspec import Struct, field

from ...facts import derive, fact
from ...logic import Fact, all_of, any_of
from ...model import RouteTable, VpcEndpoint
from ...values import Unknown
from ..index import display
from ..network import Resolver
from ..served import through_other_dns, type_is
from .endpoint_policies import endpoint_policy_names
from .naming import default_group_refs, fix_file, fix_refs, logical_name
from .subject import Subject
from .usage import Usage
from .vpcs import VpcView, admits_https, usage_names


class _EndpointView(Struct, dict=True):  # CVL501 keeps its verdicts on it
    """An endpoint subject's view: the endpoint, its service and the VPC it serves."""

    endpoint: VpcEndpoint
    service: Any  # the service's short name ("s3", "sagemaker.api"), or Unknown
    vpc: VpcView
    resolver: Resolver
    hub: bool = False  # a centralised endpoint of another VPC that serves this one (served.py)
    spokes: List[str] = field(default_factory=list)  # for a hub endpoint: the VPCs it serves

    def service_in(self, *names: str) -> Fact:
        return self.service in names if not isinstance(self.service, Unknown) else self.service


@fact("endpoints", "sagemaker", "the endpoint is for sagemaker.api or sagemaker.runtime")
def _endpoint_sagemaker(view: _EndpointView) -> Fact:
    return view.service_in("sagemaker.api", "sagemaker.runtime")


@fact("endpoints", "clarify_service", "the endpoint is for a service Clarify calls (S3, SageMaker)")
def _endpoint_clarify_service(view: _EndpointView) -> Fact:
    return view.service_in("s3", "sagemaker.api", "sagemaker.runtime")


@fact("endpoints", "s3", "the endpoint is for S3")
def _endpoint_s3(view: _EndpointView) -> Fact:
    return view.service_in("s3")


@fact("endpoints", "s3_gateway", "the endpoint is an S3 gateway endpoint")
def _endpoint_s3_gateway(view: _EndpointView) -> Fact:
    return all_of([view.service_in("s3"), type_is(view.endpoint, "Gateway")])


@fact("endpoints", "interface", "the endpoint is an interface endpoint")
def _endpoint_interface(view: _EndpointView) -> Fact:
    return type_is(view.endpoint, "Interface")


@fact(
    "endpoints",
    "private_dns",
    "the endpoint's service name resolves to it in the Clarify VPC: its private DNS is on, or a "
    "Route 53 zone associated with the VPC answers the name with it",
)
def _endpoint_private_dns(view: _EndpointView) -> Fact:
    usage, resolver = view.vpc.usage, view.resolver
    zoned = resolver.route53.names_endpoint(usage.vpc, view.endpoint, view.service)
    own = False if view.hub else view.endpoint.private_dns
    return through_other_dns(any_of([own, zoned]), usage.vpc, resolver)


@fact("endpoints", "routes_job_subnets", "the endpoint is on the route table of every job subnet")
def _endpoint_routes_job_subnets(view: _EndpointView) -> Fact:
    return _routes_subnets(view.endpoint, view.vpc.usage, view.resolver)


@fact("endpoints", "admits_https", "the endpoint's groups admit TCP 443 from every Clarify job")
def _endpoint_admits_https(view: _EndpointView) -> Fact:
    return admits_https(view.endpoint, view.vpc.usage, view.resolver)


@fact("endpoints", "vpc.clarify", "a Clarify job runs in the endpoint's VPC")
def _endpoint_vpc_clarify(view: _EndpointView) -> Fact:
    return view.vpc.usage.clarify


@fact(
    "endpoints",
    "vpc.no_internet",
    "some subnet of a Clarify job in the endpoint's VPC has no internet route",
)
def _endpoint_vpc_no_internet(view: _EndpointView) -> Fact:
    return view.vpc.jobs_no_internet()


@fact(
    "endpoints",
    "vpc.s3_no_internet",
    "some subnet of a Clarify job, or of a model with S3 artifacts, in the endpoint's VPC has no "
    "internet route",
)
def _endpoint_vpc_s3_no_internet(view: _EndpointView) -> Fact:
    return view.vpc.s3_no_internet()


@fact(
    "endpoints",
    "vpc.s3_interface_endpoint",
    "the endpoint's VPC has an S3 interface endpoint whose private DNS answers in the VPC",
)
def _endpoint_vpc_s3_interface_endpoint(view: _EndpointView) -> Fact:
    return view.vpc.s3_interface()


@fact("endpoints", "vpc.s3_gateway_endpoint", "the endpoint's VPC has an S3 gateway endpoint")
def _endpoint_vpc_s3_gateway_endpoint(view: _EndpointView) -> Fact:
    return view.vpc.service("s3", "Gateway")


def endpoint_subjects(vpc_view: VpcView) -> List[Subject]:
    """The VPC's own endpoints (a hub endpoint that serves it: ``hub_endpoint_subjects``)."""
    resolver = vpc_view.resolver
    subjects = []
    for endpoint in resolver.endpoints_by_vpc().get(id(vpc_view.usage.vpc), []):
        view = _EndpointView(endpoint, resolver.service_of(endpoint), vpc_view, resolver)
        names = partial(_endpoint_names, view)
        subjects.append(Subject("endpoints", endpoint.loc, derive("endpoints", view), names))
    return subjects


def hub_endpoint_subjects(vpc_views: List[VpcView]) -> List[Subject]:
    """Each hub endpoint that serves some of the VPCs once, judged for all the VPCs it serves
    (their jobs together: its group must admit every one)."""
    served: Dict[int, Tuple[VpcEndpoint, List[VpcView]]] = {}
    for vpc_view in vpc_views:
        hubs = vpc_view.hub_endpoints()
        if not hubs:  # most VPCs (every VPC of a run without Route 53 zones)
            continue
        own = vpc_view.resolver.endpoints_by_vpc().get(id(vpc_view.usage.vpc), [])
        for endpoint in hubs:
            if not any(endpoint is e for e in own):
                served.setdefault(id(endpoint), (endpoint, []))[1].append(vpc_view)
    subjects = []
    for endpoint, views in served.values():
        vpc_view = views[0] if len(views) == 1 else _together(views)
        resolver = vpc_view.resolver
        view = _EndpointView(endpoint, resolver.service_of(endpoint), vpc_view, resolver, True)
        view.spokes = [v.usage.vpc.loc.resource for v in views]
        names = partial(_endpoint_names, view)
        subjects.append(Subject("endpoints", endpoint.loc, derive("endpoints", view), names))
    return subjects


def _together(views: List[VpcView]) -> VpcView:
    """The Clarify use of several spokes as one (named by the first spoke's VPC)."""
    first = views[0].usage
    usage = Usage(first.vpc, first.loc)
    for view in views:
        other = view.usage
        for name in ("clarify", "inference", "model_s3"):
            setattr(usage, name, any_of([getattr(usage, name), getattr(other, name)]))
        usage.job_subnets += other.job_subnets
        usage.model_subnets += other.model_subnets
        usage.jobs += other.jobs
    return VpcView(usage, views[0].resolver)


def _endpoint_names(view: _EndpointView) -> Dict[str, Any]:
    endpoint, service, vpc_view, resolver = view.endpoint, view.service, view.vpc, view.resolver
    usage = vpc_view.usage
    at = fix_file(endpoint.loc)
    job_groups = [
        g for job in usage.jobs for g in (job.groups if isinstance(job.groups, list) else [])
    ]
    endpoint_groups = [] if endpoint.security_groups is None else endpoint.security_groups
    policy_names = endpoint_policy_names(view)
    return {
        "service": service
        if not isinstance(service, Unknown)
        else (getattr(endpoint.service, "text", "") or "unknown"),  # None: no ServiceName
        "vpc": usage.vpc.loc.resource
        if not view.hub
        else f"{_own_vpc(view).loc.resource} (the hub serving {', '.join(sorted(view.spokes))})",
        **usage_names(vpc_view, at),
        "job_groups": ", ".join(
            sorted(
                {
                    display(g, resolver.index)
                    for job in usage.jobs
                    for g in (job.groups if isinstance(job.groups, list) else [])
                }
            )
        )
        or "(none)",
        "job_group_ref": fix_refs(job_groups[:1], resolver, "the Clarify jobs' security group", at),
        "endpoint_group_ref": fix_refs(
            endpoint_groups if isinstance(endpoint_groups, Unknown) else endpoint_groups[:1],
            resolver,
            f"the security group of {endpoint.loc.resource}",
            at,
        )
        if endpoint.security_groups is not None
        else default_group_refs(_own_vpc(view), endpoint, resolver),
        "endpoint_group_name": logical_name(
            display(endpoint_groups[0], resolver.index)
            if isinstance(endpoint_groups, list) and endpoint_groups
            else f"{_own_vpc(view).loc.resource}DefaultSecurityGroup"
        ),
        "vpc_refs": fix_refs([usage.vpc], resolver, "the VPC", at),
        "region": resolver.fix_region,
        **policy_names,  # CVL501
        "fix_adds": {
            "CVL306": _tables_to_add(endpoint, usage, resolver, at),  # a list append
            **policy_names["fix_adds"],
        },
    }


def _tables_to_add(
    endpoint: VpcEndpoint, usage: Usage, resolver: Resolver, at: Optional[str]
) -> Tuple[Tuple[str, str], ...]:
    """The route tables of the job subnets that the endpoint is not on, as a fix names them;
    none when one of them is not known or cannot be named (a template's main route table)."""
    if isinstance(endpoint.route_tables, Unknown):
        return ()
    tables = [resolver.index.find(ref) for ref in endpoint.route_tables]
    missing: List[RouteTable] = []
    for subnet in usage.job_subnets:
        table = resolver.route_table_of(subnet)
        if not isinstance(table, RouteTable):
            return ()
        if not any(table is t for t in [*tables, *missing]):
            missing.append(table)
    named = fix_refs(missing, resolver, "route tables", at)
    return named.items if missing and not named.missing else ()


def _own_vpc(view: _EndpointView) -> Any:
    """The VPC the endpoint is in: a hub endpoint's is the hub VPC."""
    return view.resolver.vpc_of(view.endpoint) or view.vpc.usage.vpc


def _routes_subnets(endpoint: VpcEndpoint, usage: Usage, resolver: Resolver) -> Fact:
    if isinstance(endpoint.route_tables, Unknown):
        return endpoint.route_tables
    tables = [resolver.index.find(ref) for ref in endpoint.route_tables]
    results: List[Fact] = []
    for subnet in usage.job_subnets:
        table = resolver.route_table_of(subnet)
        if isinstance(table, Unknown):
            results.append(table)
        else:
            results.append(any(table is t for t in tables))
    if not usage.job_subnets:
        results.append(Unknown("the subnets of the Clarify jobs are not known"))
    return all_of(results)
