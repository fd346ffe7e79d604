"""Subjects of the rules and the facts registered for them.

A subject is one thing a rule can report (a request, job, model, VPC, endpoint or subnet): its
location, its facts (booleans, or ``Unknown`` with the reason) and the names its messages use. Each
fact is a function of the subject's view, registered with ``@fact`` (see ``facts.py``); the builders
here make the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Dict, List, Optional

from ... import ec2, keys
from ...awsfacts import endpoint_service
from ...facts import derive, fact
from ...logic import Fact, all_of, any_of, negate
from ...model import Job, Network, Policy, RouteTable, Subnet, VpcEndpoint, existence
from ...remediation import Name, Refs
from ...values import Unknown
from .. import dhcp
from ..acls import AclCheck, NetworkAcls, remediation_names
from ..index import display
from ..network import Resolver
from ..policies import blocks
from .jobs import job_subject, link_analysis_config
from .models import model_subject
from .naming import default_group_refs, fix_file, fix_refs, logical_name, vpc_refs
from .requests import request_subject
from .subject import Subject
from .usage import Usage

__all__ = ["Subject", "build_subjects"]


def build_subjects(network: Network, region: str) -> List[Subject]:
    resolver = Resolver(network, region)
    subjects = [request_subject(request) for request in network.requests]
    usages: Dict[int, Usage] = {}
    for job in network.jobs:
        link_analysis_config(job, network.analysis_configs)
        if job.kind == "declared":
            job.subnets = resolver.expand(job.subnets)
            job.security_groups = resolver.expand(job.security_groups)
        subjects.append(job_subject(job, resolver, usages))
    for model in network.models:
        subjects.append(model_subject(model, resolver, usages))
    subjects.extend(policy_subject(policy, network.jobs) for policy in network.policies)
    for usage in usages.values():
        view = VpcView(usage, resolver)
        subjects.append(vpc_subject(view))
        if usage.vpc is not None:
            subjects.extend(endpoint_subjects(view))
    subjects.extend(subnet_subjects(network, resolver))
    return subjects


# -- VPCs ------------------------------------------------------------------------------------------


@dataclass
class VpcView:
    usage: Usage
    resolver: Resolver
    services: Dict[tuple, Fact] = field(default_factory=dict)
    _internet: Dict[int, Fact] = field(default_factory=dict)

    def service(self, name: str, kind: Optional[str] = None, usable: Any = None) -> Fact:
        """Is there an endpoint for ``name`` (of ``kind``) in the VPC, ``usable`` by the jobs?"""
        key = (name, kind, usable)
        if key not in self.services:
            self.services[key] = _service_present(self.usage, self.resolver, name, kind, usable)
        return self.services[key]

    def s3_endpoint(self) -> Fact:
        """A gateway endpoint, or an interface endpoint whose private DNS answers in the VPC."""
        return any_of([self.service("s3", "Gateway"), self.s3_interface()])

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
    groups = endpoint.security_groups
    if groups is None:
        groups = [keys.default_security_group(usage.vpc.keys[0])]
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


def _service_present(
    usage: Usage, resolver: Resolver, service: str, kind: Optional[str] = None, usable: Any = None
) -> Fact:
    """Is there an endpoint for ``service`` (of ``kind``: Interface/Gateway) in the VPC?"""
    if usage.vpc is None:
        return usage.unknown
    vpc = usage.vpc
    results: List[Fact] = []
    for endpoint in resolver.endpoints_by_vpc().get(id(vpc), []) + resolver.endpoints_by_vpc()[0]:
        owner = resolver.vpc(endpoint.vpc, endpoint.loc)
        found = endpoint_service(endpoint.service)
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
        results.append(
            Unknown(
                f"the VPC endpoints of {vpc.loc.resource}; add `aws ec2 describe-vpc-endpoints` "
                "output with --context"
            )
        )
    return any_of(results)


def type_is(endpoint: VpcEndpoint, kind: str) -> Fact:
    if isinstance(endpoint.endpoint_type, Unknown):
        return endpoint.endpoint_type
    return str(endpoint.endpoint_type).lower() == kind.lower()


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
            usage.job_subnets or usage.written_subnets, resolver, "the Clarify jobs' subnets", at
        ),
        "route_table_refs": table_refs(usage.job_subnets),
        "s3_route_table_refs": table_refs(s3_offline),
        "subnets_without_internet": names(view.without_internet(usage.job_subnets)),
        "s3_subnets_without_internet": names(s3_offline),
    }


# -- endpoints -------------------------------------------------------------------------------------


@dataclass
class _EndpointView:
    endpoint: VpcEndpoint
    service: Any  # the service's short name ("s3", "sagemaker.api"), or Unknown
    vpc: VpcView
    resolver: Resolver

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


@fact("endpoints", "private_dns", "the endpoint has private DNS on")
def _endpoint_private_dns(view: _EndpointView) -> Fact:
    return view.endpoint.private_dns


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
    usage, resolver = vpc_view.usage, vpc_view.resolver
    subjects = []
    for endpoint in resolver.endpoints_by_vpc().get(id(usage.vpc), []):
        service = endpoint_service(endpoint.service)
        view = _EndpointView(endpoint, service, vpc_view, resolver)
        names = partial(_endpoint_names, view)
        subjects.append(Subject("endpoints", endpoint.loc, derive("endpoints", view), names))
    return subjects


def _endpoint_names(view: _EndpointView) -> Dict[str, Any]:
    endpoint, service, vpc_view, resolver = view.endpoint, view.service, view.vpc, view.resolver
    usage = vpc_view.usage
    at = fix_file(endpoint.loc)
    job_groups = [
        g for job in usage.jobs for g in (job.groups if isinstance(job.groups, list) else [])
    ]
    endpoint_groups = [] if endpoint.security_groups is None else endpoint.security_groups
    return {
        "service": service
        if not isinstance(service, Unknown)
        else (getattr(endpoint.service, "text", "") or "unknown"),  # None: no ServiceName
        "vpc": usage.vpc.loc.resource,
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
        else default_group_refs(usage.vpc, endpoint, resolver),
        "endpoint_group_name": logical_name(
            display(endpoint_groups[0], resolver.index)
            if isinstance(endpoint_groups, list) and endpoint_groups
            else f"{usage.vpc.loc.resource}DefaultSecurityGroup"
        ),
        "vpc_refs": fix_refs([usage.vpc], resolver, "the VPC", at),
        "region": resolver.fix_region,
    }


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


# -- subnets ---------------------------------------------------------------------------------------


@dataclass
class _SubnetView:
    check: AclCheck


@fact(
    "subnets",
    "acl_https_egress",
    "the subnet's network ACL lets TCP 443 out to S3 and the interface endpoints the job uses",
)
def _subnet_acl_https_egress(view: _SubnetView) -> Fact:
    return view.check.https_egress


@fact(
    "subnets",
    "acl_https_return",
    "the subnet's network ACL lets the replies in (TCP on the ephemeral ports, from the same peers)",
)
def _subnet_acl_https_return(view: _SubnetView) -> Fact:
    return view.check.https_return


@fact("subnets", "cluster", "a job with two or more instances uses this subnet and another one")
def _subnet_cluster(view: _SubnetView) -> Fact:
    return view.check.cluster


@fact(
    "subnets",
    "acl_cluster_traffic",
    "the subnet's network ACL lets all TCP out to and in from the job's other subnets",
)
def _subnet_acl_cluster_traffic(view: _SubnetView) -> Fact:
    return view.check.cluster_traffic


def subnet_subjects(network: Network, resolver: Resolver) -> List[Subject]:
    """One subject per subnet of a Clarify job (each reported once, whatever the number of jobs);
    a job whose subnets are not in the inputs is one subject at the job."""
    acls = NetworkAcls(resolver)
    subjects: List[Subject] = []
    uses: Dict[int, tuple] = {}  # id(subnet) -> (subnet, [(job, its resolved subnets)])
    for job in network.jobs:
        if job.has_vpc_config is False:
            continue
        if isinstance(job.has_vpc_config, Unknown) or isinstance(job.subnets, Unknown):
            unknown = job.has_vpc_config if job.has_vpc_config is not True else job.subnets
            resolved: List[Any] = [unknown]
        else:
            resolved = [resolver.subnet(ref) for ref in job.subnets]
        missing = next((s for s in resolved if isinstance(s, Unknown)), None)
        if missing is not None:
            check = AclCheck(missing, missing, missing, False, True)
            names = partial(
                _subnet_names, f"the subnets of {job.loc.resource}", check, None, resolver
            )
            subjects.append(
                Subject("subnets", job.loc, derive("subnets", _SubnetView(check)), names)
            )
        for subnet in resolved:
            if isinstance(subnet, Subnet):
                uses.setdefault(id(subnet), (subnet, []))[1].append((job, resolved))
    for subnet, jobs in uses.values():
        cluster: List[Fact] = []
        others: List[Any] = []
        for job, resolved in jobs:
            distinct = [s for s in resolved if s is not subnet]
            if not distinct:
                continue  # one subnet: the ACL does not filter traffic inside it
            count = job.instance_count
            multi = count if isinstance(count, Unknown) else count >= 2
            cluster.append(multi)
            if multi is not False:
                others.extend(s for s in distinct if all(s is not o for o in others))
        check = acls.check(subnet, any_of(cluster), others)
        names = partial(_subnet_names, subnet.loc.resource, check, subnet, resolver)
        subjects.append(
            Subject("subnets", subnet.loc, derive("subnets", _SubnetView(check)), names)
        )
    return subjects


def _subnet_names(name: str, check: AclCheck, subnet: Any, resolver: Resolver) -> Dict[str, Any]:
    return {
        "subnet": name,
        "region": resolver.fix_region,
        **remediation_names(check, subnet, resolver),
    }


# -- policies --------------------------------------------------------------------------------------


@dataclass
class _PolicyView:
    policy: Policy
    # (job, does the policy deny creating it with isolation off) for each Clarify job of the run
    # that may need inference and does not itself ask for isolation
    verdicts: List[tuple]


@fact(
    "policies",
    "clarify_inference",
    "a Clarify job in the inputs calls its model (post-training bias or SHAP)",
)
def _policy_clarify_inference(view: _PolicyView) -> Fact:
    return any_of(job.inference for job, blocked in view.verdicts if blocked is not False)


@fact(
    "policies",
    "isolation_mandate",
    "the policy denies creating such a job unless sagemaker:NetworkIsolation is true",
)
def _policy_isolation_mandate(view: _PolicyView) -> Fact:
    return any_of(blocked for _, blocked in view.verdicts)


def policy_subject(policy: Policy, jobs: List[Job]) -> Subject:
    verdicts = []
    calls: List[str] = []
    for job in jobs:
        if job.inference is False or job.network_isolation is True:
            continue
        blocked, denied = blocks(policy.document, job.kind)
        verdicts.append((job, blocked))
        calls.extend(call for call in denied if call not in calls)
    blocked_jobs = [job.loc.resource for job, blocked in verdicts if blocked is not False]
    context = {
        "kind": policy.kind,
        "jobs": ", ".join(blocked_jobs) or "(none)",
        "actions": ", ".join(calls) or "sagemaker:CreateProcessingJob",
    }
    return Subject(
        "policies", policy.loc, derive("policies", _PolicyView(policy, verdicts)), lambda: context
    )
