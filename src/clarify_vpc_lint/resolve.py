"""Join what the readers found across all inputs and derive the facts the rules query.

The result is a list of subjects per kind (requests, jobs, models, vpcs, endpoints). A subject's
facts are booleans, or ``Unknown`` with the reason; the rule engine decides what an unknown means.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Optional, Set

from .awsfacts import endpoint_service
from .model import (
    AnalysisConfig,
    Job,
    Location,
    Model,
    Network,
    Permission,
    Request,
    RouteTable,
    SecurityGroup,
    ServingEndpoint,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from .values import Handle, Unknown

Fact = Any  # bool or Unknown


@dataclass
class Subject:
    """One thing a rule can report: its location, facts and the names its messages use."""

    kind: str  # requests | jobs | models | vpcs | endpoints
    loc: Location
    facts: Dict[str, Any]
    context: Dict[str, Any] = field(default_factory=dict)


def any_of(values: Iterable[Fact]) -> Fact:
    """Three-valued OR: True if one is True, else the first Unknown, else False."""
    unknown: Optional[Unknown] = None
    for value in values:
        if value is True:
            return True
        if isinstance(value, Unknown) and unknown is None:
            unknown = value
    return unknown if unknown is not None else False


def all_of(values: Iterable[Fact]) -> Fact:
    """Three-valued AND."""
    unknown: Optional[Unknown] = None
    for value in values:
        if value is False:
            return False
        if isinstance(value, Unknown) and unknown is None:
            unknown = value
    return unknown if unknown is not None else True


class Index:
    """Entities by every key they can be referred to with."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.entities: Dict[str, Any] = {}
        for kind in (
            "vpcs",
            "subnets",
            "route_tables",
            "security_groups",
            "endpoints",
            "models",
            "serving",
        ):
            for entity in getattr(network, kind):
                for key in entity.keys:
                    self._register(key, entity)
        self.routes_by_table: Dict[int, list] = {}
        for table_ref, route in network.routes:
            table = self.find(table_ref)
            if isinstance(table, RouteTable):
                self.routes_by_table.setdefault(id(table), []).append(route)
        self.association_by_subnet: Dict[int, list] = {}
        for association in network.associations:
            subnet = self.find(association.subnet)
            if isinstance(subnet, Subnet):
                self.association_by_subnet.setdefault(id(subnet), []).append(association)
        self.instances: Dict[str, List[Handle]] = {}  # Terraform address without index
        for key in list(self.entities):
            if key.startswith("address:") and key.endswith("]"):
                base = key[len("address:") :].rsplit("[", 1)[0]
                self.instances.setdefault(base, []).append(Handle(self.entities[key].keys[0]))
        self.rules_by_group: Dict[int, list] = {}
        for rule in network.security_group_rules:
            group = self.find(rule.group)
            if isinstance(group, SecurityGroup):
                self.rules_by_group.setdefault(id(group), []).append(rule)
        # main route tables by the key of their VPC: a VPC known only by its real ID may be
        # created later, when a subnet first names it
        self.main_tables: Dict[str, RouteTable] = {}
        for table in network.route_tables:
            if table.main:
                self.main_tables[_vpc_key(table)] = table

    def _register(self, key: str, entity: Any) -> None:
        existing = self.entities.get(key)
        if isinstance(existing, Vpc) and isinstance(entity, Vpc) and existing is not entity:
            # describe-vpcs and describe-vpc-attribute describe one VPC in several files
            for name in ("dns_support", "dns_hostnames"):
                if isinstance(getattr(existing, name), Unknown):
                    setattr(existing, name, getattr(entity, name))
            return
        self.entities.setdefault(key, entity)

    def find(self, ref: Any) -> Any:
        """The entity a reference names, or None."""
        if isinstance(ref, Handle):
            return self.entities.get(ref.full_key)
        if isinstance(ref, str):
            for prefix in ("id:", "logical:", "address:"):
                if prefix + ref in self.entities:
                    return self.entities[prefix + ref]
        return None

    def main_table(self, vpc: Vpc) -> Optional[RouteTable]:
        return next((self.main_tables[k] for k in vpc.keys if k in self.main_tables), None)

    def inventory_has(self, kind: str) -> bool:
        return kind in self.network.inventory_kinds


def _vpc_key(table: RouteTable) -> str:
    if table.keys and table.keys[0].endswith("#main"):  # the implicit main table of a VPC resource
        return table.keys[0][: -len("#main")]
    if isinstance(table.vpc, Handle):
        return table.vpc.full_key
    return f"id:{table.vpc}"


def display(ref: Any, index: Index) -> str:
    entity = index.find(ref)
    if entity is not None and getattr(entity, "loc", None) is not None:
        return entity.loc.resource
    if isinstance(ref, Handle):
        return ref.key.rsplit(":", 1)[-1] + (f".{ref.attribute}" if ref.attribute else "")
    if isinstance(ref, Unknown):
        return ref.text or "an unknown value"
    return str(ref)


def _missing(ref: Any, what: str, describe: str) -> Unknown:
    if isinstance(ref, Unknown):
        return ref
    if isinstance(ref, str) and not ref.startswith(("subnet-", "sg-", "vpc-", "rtb-")):
        return Unknown(f"{what} {ref} is not defined in the inputs")
    return Unknown(
        f"{what} {ref} is not in the inputs; add `aws ec2 {describe}` output with --context"
    )


class Resolver:
    def __init__(self, network: Network, region: str) -> None:
        self.network = network
        self.region = region
        self.index = Index(network)
        self._endpoints_by_vpc: Optional[Dict[int, List[VpcEndpoint]]] = None
        self._attach_to_endpoints()
        for vpc in network.vpcs:
            if vpc.keys[0].startswith("id:"):  # a deployed VPC: complete where the inventory is
                self._complete_from_inventory(vpc)

    # -- subnets, VPCs, routes -----------------------------------------------------------------------

    def subnet(self, ref: Any) -> Any:
        entity = self.index.find(ref)
        if isinstance(entity, Subnet):
            return entity
        return _missing(ref, "subnet", "describe-subnets")

    def vpc(self, ref: Any, seen_at: Location) -> Optional[Vpc]:
        """The VPC a reference names; a real ID not in the inputs still names a VPC."""
        entity = self.index.find(ref)
        if isinstance(entity, Vpc):
            return entity
        if isinstance(ref, str) and ref.startswith("vpc-"):
            return self._vpc_by_id(ref, seen_at)
        return None

    def subnet_vpc(self, subnet: Subnet) -> Any:
        vpc = self.vpc(subnet.vpc, subnet.loc)
        if vpc is not None:
            return vpc
        return _missing(subnet.vpc, f"the VPC of subnet {subnet.loc.resource}:", "describe-subnets")

    def _vpc_by_id(self, vpc_id: str, seen_at: Location) -> Vpc:
        """A VPC known only by its real ID; what is known of it comes from the inventory."""
        key = f"id:{vpc_id}"
        if key not in self.index.entities:
            unknown = Unknown(
                f"the DNS attributes of {vpc_id}; add `aws ec2 describe-vpc-attribute` output"
            )
            vpc = Vpc(
                Location(seen_at.file, seen_at.line, seen_at.column, vpc_id, seen_at.language),
                [key],
                unknown,
                unknown,
                False,
            )
            self.index.entities[key] = vpc
            self.network.vpcs.append(vpc)
        vpc = self.index.entities[key]
        self._complete_from_inventory(vpc)
        return vpc

    def _attach_to_endpoints(self) -> None:
        """Apply route-table, subnet and security-group associations written apart."""
        for endpoint_ref, field_name, target in self.network.endpoint_attachments:
            endpoint = self.index.find(endpoint_ref)
            if not isinstance(endpoint, VpcEndpoint):
                continue
            current = getattr(endpoint, field_name)
            if current is None or isinstance(current, list):
                setattr(endpoint, field_name, [*(current or []), target])

    def expand(self, refs: Any) -> Any:
        """Names in a declared job: a Terraform address without index names every instance."""
        if isinstance(refs, Unknown):
            return refs
        expanded: List[Any] = []
        for ref in refs:
            instances = self.index.instances.get(ref) if self.index.find(ref) is None else None
            expanded.extend(instances or [ref])
        return expanded

    def endpoints_by_vpc(self) -> Dict[int, List[VpcEndpoint]]:
        """Endpoints by id() of their VPC; key 0 holds those whose VPC is not known."""
        if self._endpoints_by_vpc is None:
            grouped: Dict[int, List[VpcEndpoint]] = {0: []}
            for endpoint in self.network.endpoints:
                owner = self.vpc(endpoint.vpc, endpoint.loc)
                grouped.setdefault(id(owner) if owner is not None else 0, []).append(endpoint)
            self._endpoints_by_vpc = grouped
        return self._endpoints_by_vpc

    def _complete_from_inventory(self, vpc: Vpc) -> None:
        vpc.endpoints_complete = self.index.inventory_has("VpcEndpoints")

    def route_table_of(self, subnet: Subnet) -> Any:
        associations = self.index.association_by_subnet.get(id(subnet), [])
        for association in associations:
            table = self.index.find(association.route_table)
            if association.conditional:
                return Unknown(
                    f"subnet {subnet.loc.resource}'s route table association is conditional"
                )
            if isinstance(table, RouteTable):
                return table
            return _missing(association.route_table, "route table", "describe-route-tables")
        vpc = self.subnet_vpc(subnet)
        if isinstance(vpc, Unknown):
            return vpc
        main = self.index.main_table(vpc)
        if main is not None:
            return main
        return Unknown(
            f"the route tables of {vpc.loc.resource}; add `aws ec2 describe-route-tables` output "
            "with --context"
        )

    def internet_route(self, subnet: Subnet) -> Fact:
        table = self.route_table_of(subnet)
        if isinstance(table, Unknown):
            return table
        routes = table.routes + self.index.routes_by_table.get(id(table), [])
        default_routes = [r for r in routes if r.destination == "0.0.0.0/0"]
        return any_of(
            Unknown(f"the default route of {table.loc.resource} is conditional")
            if route.conditional and route.target is True
            else route.target
            for route in default_routes
        )

    # -- security groups -----------------------------------------------------------------------------

    def group(self, ref: Any) -> Any:
        entity = self.index.find(ref)
        if isinstance(entity, SecurityGroup):
            return entity
        return _missing(ref, "security group", "describe-security-groups")

    def permissions(self, group: SecurityGroup, direction: str) -> List[Permission]:
        own = group.ingress if direction == "ingress" else group.egress
        extra = [
            rule.permission
            for rule in self.index.rules_by_group.get(id(group), [])
            if rule.direction == direction
        ]
        return own + extra

    def _peer_matches(self, peer: tuple, groups: List[Any], cidrs: Any) -> Fact:
        kind, value = peer
        if isinstance(value, Unknown) or kind == "unknown":
            return value if isinstance(value, Unknown) else Unknown("a rule's peer is not known")
        if kind == "sg":
            entity = self.index.find(value)
            if entity is None:
                return Unknown(f"the rule's source group {display(value, self.index)} is not known")
            # the peer must be one of the job's groups; a job group that is unknown may be it
            return any_of(g if isinstance(g, Unknown) else g is entity for g in groups)
        if kind == "cidr":
            return _cidr_covers(value, cidrs)
        if kind == "prefix-list":
            return Unknown(f"the CIDR blocks of prefix list {value} are not in the inputs")
        return False  # IPv6 ranges do not carry the job's IPv4 traffic

    def rules_admit(
        self, group_refs: Any, direction: str, port: Optional[int], peers_of: Any = None
    ) -> Fact:
        """Does some group's rule admit ``port`` (None: all traffic) from/to ``peers_of``?

        ``peers_of`` is (groups, subnet CIDRs) that the peer must be or cover; None accepts any peer.
        """
        if isinstance(group_refs, Unknown):
            return group_refs
        results: List[Fact] = []
        for ref in group_refs:
            group = self.group(ref)
            if isinstance(group, Unknown):
                results.append(group)
                continue
            for permission in self.permissions(group, direction):
                covered = _protocol_covers(permission, port)
                if peers_of is None:
                    peer = bool(permission.peers)
                else:
                    peer = any_of(self._peer_matches(p, *peers_of) for p in permission.peers)
                result = all_of([covered, peer])
                if result is True and permission.conditional:
                    result = Unknown(f"a rule of {group.loc.resource} is conditional")
                results.append(result)
        return any_of(results)

    # -- jobs and models -----------------------------------------------------------------------------

    def network_of(self, refs: Any) -> tuple:
        """(subnets, VPCs) of a VpcConfig's subnets; each an Unknown where not determinable."""
        if isinstance(refs, Unknown):
            return refs, refs
        subnets = [self.subnet(ref) for ref in refs]
        if not subnets:
            return [], Unknown("the VpcConfig lists no subnets")
        vpcs: List[Any] = []
        for subnet in subnets:
            vpc = subnet if isinstance(subnet, Unknown) else self.subnet_vpc(subnet)
            if isinstance(vpc, Unknown):
                return subnets, vpc
            if not any(vpc is v for v in vpcs):
                vpcs.append(vpc)
        return subnets, vpcs


def _protocol_covers(permission: Permission, port: Optional[int]) -> Fact:
    protocol = permission.protocol
    if isinstance(protocol, Unknown):
        return protocol
    protocol = str(protocol).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
    low, high = permission.from_port, permission.to_port
    if not isinstance(low, int) or not isinstance(high, int):
        try:
            low, high = int(low), int(high)
        except (TypeError, ValueError):
            return Unknown("a rule's ports are not known")
    if port is None:
        return low <= 0 and high >= 65535
    return low <= port <= high


def _cidr_covers(cidr: Any, subnet_cidrs: Any) -> Fact:
    try:
        network = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return Unknown(f"{cidr!r} is not a CIDR block")
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


# ---------------------------------------------------------------------------------------------------


@dataclass
class _JobNetwork:
    """A Clarify job's security groups and subnet CIDRs, as its VPC's endpoints must admit them."""

    groups: List[Any]  # the references, for messages
    group_entities: List[Any]  # SecurityGroup or Unknown
    subnet_cidrs: Any  # list of CIDRs, or Unknown


@dataclass
class _Usage:
    """How the Clarify jobs and models of a run use one VPC."""

    vpc: Any  # Vpc, or None for a VPC that cannot be determined
    loc: Location
    clarify: Fact = False
    inference: Fact = False
    model_s3: Fact = False
    subnets: List[Subnet] = field(default_factory=list)
    jobs: List[_JobNetwork] = field(default_factory=list)
    unknown: Optional[Unknown] = None


def build_subjects(network: Network, region: str) -> List[Subject]:
    resolver = Resolver(network, region)
    subjects = [_request_subject(request) for request in network.requests]
    usages: Dict[int, _Usage] = {}
    for job in network.jobs:
        _link_analysis_config(job, network.analysis_configs)
        if job.kind == "declared":
            job.subnets = resolver.expand(job.subnets)
            job.security_groups = resolver.expand(job.security_groups)
        subjects.append(_job_subject(job, resolver, usages))
    for model in network.models:
        subjects.append(_model_subject(model, resolver, usages))
    for usage in usages.values():
        no_internet = _no_internet(usage, resolver)
        subjects.append(_vpc_subject(usage, no_internet, resolver))
        if usage.vpc is not None:
            subjects.extend(_endpoint_subjects(usage, no_internet, resolver))
    return subjects


def _request_subject(request: Request) -> Subject:
    """A request's finding points at its first problem and lists them all."""
    loc = request.loc
    if request.problems:
        first = request.problems[0]
        loc = replace(loc, line=first["line"], column=first["column"])
    text = "; ".join(problem["message"] for problem in request.problems)
    return Subject(
        "requests",
        loc,
        {"problems": bool(request.problems)},
        {"operation": request.operation, "problems": text},
    )


def _link_analysis_config(job: Job, configs: List[AnalysisConfig]) -> None:
    """Link a processing job to the analysis config it reads, by the config's file name."""
    if job.kind != "processing" or job.analysis_config_uri is None or not configs:
        return
    uri = job.analysis_config_uri
    name = os.path.basename(uri) if isinstance(uri, str) else None
    matches = [c for c in configs if c.file_name == name]
    if len(matches) != 1:
        return
    config = matches[0]
    job.inference = config.has_predictor
    if config.model_name is not None and job.model is None:
        job.model = config.model_name


def _names(refs: Any, resolver: Resolver) -> str:
    if isinstance(refs, Unknown):
        return refs.text or "(not known)"
    return ", ".join(display(ref, resolver.index) for ref in refs) or "(none)"


def _usage_for(usages: Dict[int, _Usage], vpc: Any, owner: Location) -> _Usage:
    key = id(vpc) if vpc is not None else id(owner)
    if key not in usages:
        usages[key] = _Usage(vpc, vpc.loc if vpc is not None else owner)
    return usages[key]


def _record_usage(
    usages: Dict[int, _Usage],
    owner: Location,
    has_vpc: Fact,
    refs: Any,
    resolver: Resolver,
    **flags: Fact,
) -> tuple:
    """Note which VPCs a job or model uses; returns (subnets, vpcs)."""
    if has_vpc is False:
        return [], []
    subnets, vpcs = resolver.network_of(refs if has_vpc is True else has_vpc)
    if isinstance(vpcs, Unknown):
        usage = _usage_for(usages, None, owner)
        usage.unknown = vpcs
        targets = [usage]
    else:
        targets = [_usage_for(usages, vpc, owner) for vpc in vpcs]
    for usage in targets:
        for name, value in flags.items():
            setattr(usage, name, any_of([getattr(usage, name), value]))
        if not isinstance(subnets, Unknown):
            usage.subnets.extend(
                s for s in subnets if isinstance(s, Subnet) and resolver.subnet_vpc(s) is usage.vpc
            )
    return subnets, vpcs


def _job_subject(job: Job, resolver: Resolver, usages: Dict[int, _Usage]) -> Subject:
    subnets, vpcs = _record_usage(
        usages,
        job.loc,
        job.has_vpc_config,
        job.subnets,
        resolver,
        clarify=True,
        inference=job.inference,
    )
    groups = job.security_groups if job.has_vpc_config is True else []
    group_entities = [] if isinstance(groups, Unknown) else [resolver.group(g) for g in groups]
    subnet_cidrs: Any = (
        subnets
        if isinstance(subnets, Unknown)
        else [s.cidr if isinstance(s, Subnet) else s for s in subnets]
    )
    if not isinstance(subnet_cidrs, Unknown):
        unknown = next((c for c in subnet_cidrs if c is None or isinstance(c, Unknown)), "ok")
        if unknown != "ok":
            subnet_cidrs = (
                unknown
                if isinstance(unknown, Unknown)
                else Unknown("the CIDR blocks of the job's subnets are not known")
            )
    for vpc in [] if isinstance(vpcs, Unknown) else vpcs:
        usages[id(vpc)].jobs.append(_JobNetwork(groups, group_entities, subnet_cidrs))
    peers = (group_entities, subnet_cidrs)

    count = job.instance_count
    multi = count if isinstance(count, Unknown) else count >= 2
    model = _model_facts(job, vpcs, resolver)
    facts = {
        "inference": job.inference,
        "network_isolation": job.network_isolation,
        "in_vpc": job.has_vpc_config,
        "multi_instance": multi,
        "sg_self_ingress": resolver.rules_admit(groups, "ingress", None, peers),
        "sg_cluster_egress": resolver.rules_admit(groups, "egress", None, peers),
        "sg_https_egress": resolver.rules_admit(groups, "egress", 443),
        **model,
    }
    context = {
        "subnets": _names(job.subnets, resolver) if job.has_vpc_config is True else "(none)",
        "security_groups": _names(groups, resolver),
        "instance_count": count if not isinstance(count, Unknown) else "unknown",
        "model": display(job.model, resolver.index) if job.model is not None else "(none)",
        "first_group": display(groups[0], resolver.index)
        if isinstance(groups, list) and groups
        else "ClarifySecurityGroup",
    }
    return Subject("jobs", job.loc, facts, context)


def _job_model(job: Job, resolver: Resolver) -> Any:
    """The model a job's shadow endpoint uses, following a monitoring job's endpoint."""
    if job.model is not None:
        return job.model
    if job.serving_endpoint is None:
        return None
    endpoint = resolver.index.find(job.serving_endpoint) or resolver.index.entities.get(
        f"endpoint-name:{job.serving_endpoint}"
    )
    if not isinstance(endpoint, ServingEndpoint):
        return Unknown(
            f"endpoint {display(job.serving_endpoint, resolver.index)} is not in the inputs"
        )
    config = resolver.index.find(endpoint.config) or resolver.index.entities.get(
        f"endpoint-config-name:{endpoint.config}"
    )
    if not isinstance(config, ServingEndpoint) or not config.models:
        return Unknown("the endpoint's endpoint config is not in the inputs")
    return config.models[0]


def _find_model(ref: Any, resolver: Resolver) -> Any:
    entity = resolver.index.find(ref)
    if entity is None and isinstance(ref, str):
        entity = resolver.index.entities.get(f"model-name:{ref}")
    return entity


def _model_facts(job: Job, job_vpcs: Any, resolver: Resolver) -> Dict[str, Fact]:
    ref = _job_model(job, resolver)
    job.model = ref
    if ref is None:
        return {"model_linked": False, "model_in_vpc": False, "model_same_vpc": True}
    model = _find_model(ref, resolver)
    if not isinstance(model, Model):
        missing = (
            ref
            if isinstance(ref, Unknown)
            else Unknown(
                f"model {display(ref, resolver.index)} is not in the inputs; add the template or "
                "CreateModel JSON that defines it"
            )
        )
        return {"model_linked": True, "model_in_vpc": missing, "model_same_vpc": missing}
    if model.has_vpc_config is not True:
        return {"model_linked": True, "model_in_vpc": model.has_vpc_config, "model_same_vpc": True}
    _, model_vpcs = resolver.network_of(model.subnets)
    if isinstance(model_vpcs, Unknown) or isinstance(job_vpcs, Unknown):
        unknown = model_vpcs if isinstance(model_vpcs, Unknown) else job_vpcs
        return {"model_linked": True, "model_in_vpc": True, "model_same_vpc": unknown}
    same = all(any(m is j for j in job_vpcs) for m in model_vpcs)
    return {"model_linked": True, "model_in_vpc": True, "model_same_vpc": same}


def _model_subject(model: Model, resolver: Resolver, usages: Dict[int, _Usage]) -> Subject:
    subnets, _ = _record_usage(
        usages,
        model.loc,
        model.has_vpc_config,
        model.subnets,
        resolver,
        model_s3=model.s3_artifacts,
    )
    return Subject(
        "models",
        model.loc,
        {"in_vpc": model.has_vpc_config, "single_az": _single_az(model, subnets)},
        {
            "subnets": _names(model.subnets, resolver)
            if model.has_vpc_config is True
            else "(none)",
            "azs": _zone_names(subnets),
        },
    )


def _zone_of(subnet: Subnet) -> Any:
    zone_id = subnet.availability_zone_id
    return zone_id if isinstance(zone_id, str) and zone_id else subnet.availability_zone


def _single_az(model: Model, subnets: Any) -> Fact:
    if model.has_vpc_config is not True:
        return False
    if isinstance(subnets, Unknown):
        return subnets
    if len(model.subnets) < 2:
        return True
    zones: Set[str] = set()
    unknown: Optional[Unknown] = None
    for subnet in subnets:
        zone = subnet if isinstance(subnet, Unknown) else _zone_of(subnet)
        if isinstance(zone, str):
            zones.add(zone)
        elif unknown is None:
            unknown = zone if isinstance(zone, Unknown) else Unknown("a subnet's AZ is not known")
    if len(zones) >= 2:
        return False
    return unknown if unknown is not None else True


def _zone_names(subnets: Any) -> str:
    if isinstance(subnets, Unknown):
        return "unknown"
    zones = sorted(
        {
            str(_zone_of(s))
            for s in subnets
            if isinstance(s, Subnet) and isinstance(_zone_of(s), str)
        }
    )
    return ", ".join(zones) or "unknown"


# -- VPC facts -------------------------------------------------------------------------------------


def _vpc_endpoints(usage: _Usage, resolver: Resolver) -> List[VpcEndpoint]:
    return resolver.endpoints_by_vpc().get(id(usage.vpc), [])


def _service_present(
    usage: _Usage, resolver: Resolver, service: str, kind: Optional[str] = None
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
            matches = _type_is(endpoint, kind)
        if matches is False:
            continue
        if owner is None:  # an endpoint whose VpcId is not known may be in this VPC
            matches = Unknown(
                f"endpoint {endpoint.loc.resource} may be in {vpc.loc.resource}: "
                "its VpcId is not known"
            )
        elif matches is True and endpoint.conditional:
            matches = Unknown(f"endpoint {endpoint.loc.resource} exists only under a Condition")
        results.append(matches)
    if not vpc.endpoints_complete:
        results.append(
            Unknown(
                f"the VPC endpoints of {vpc.loc.resource}; add `aws ec2 describe-vpc-endpoints` "
                "output with --context"
            )
        )
    return any_of(results)


def _type_is(endpoint: VpcEndpoint, kind: str) -> Fact:
    if isinstance(endpoint.endpoint_type, Unknown):
        return endpoint.endpoint_type
    return str(endpoint.endpoint_type).lower() == kind.lower()


def _no_internet(usage: _Usage, resolver: Resolver) -> Fact:
    if usage.vpc is None:
        return usage.unknown
    if not usage.subnets:
        return Unknown(f"the subnets used in {usage.vpc.loc.resource} are not known")
    return any_of(_negate(resolver.internet_route(subnet)) for subnet in usage.subnets)


def _negate(value: Fact) -> Fact:
    return value if isinstance(value, Unknown) else not value


def _vpc_subject(usage: _Usage, no_internet: Fact, resolver: Resolver) -> Subject:
    vpc = usage.vpc
    unknown = usage.unknown
    s3 = _service_present(usage, resolver, "s3")
    api = _service_present(usage, resolver, "sagemaker.api")
    runtime = _service_present(usage, resolver, "sagemaker.runtime")
    facts = {
        "clarify": usage.clarify,
        "inference": usage.inference,
        "model_s3": usage.model_s3,
        "no_internet": no_internet,
        "s3_endpoint": s3,
        "api_endpoint": api,
        "runtime_endpoint": runtime,
        "sagemaker_interface_endpoint": any_of([api, runtime]),
        "dns_support": vpc.dns_support if vpc is not None else unknown,
        "dns_hostnames": vpc.dns_hostnames if vpc is not None else unknown,
    }
    name = vpc.loc.resource if vpc is not None else f"the VPC of {usage.loc.resource}"
    context = {
        "vpc": name,
        "vpc_ref": vpc.loc.resource if vpc is not None else "VPC_ID",
        "region": resolver.region,
        **_usage_names(usage, resolver),
    }
    return Subject("vpcs", usage.loc if vpc is None else vpc.loc, facts, context)


def _usage_names(usage: _Usage, resolver: Resolver) -> Dict[str, str]:
    """The subnets and route tables a VPC's Clarify users rely on, for messages and fixes."""
    tables = (resolver.route_table_of(subnet) for subnet in usage.subnets)
    return {
        "subnets": ", ".join(sorted({s.loc.resource for s in usage.subnets})) or "(not known)",
        "route_tables": ", ".join(
            sorted({t.loc.resource for t in tables if isinstance(t, RouteTable)})
        )
        or "ROUTE_TABLE",
    }


def _endpoint_subjects(usage: _Usage, no_internet: Fact, resolver: Resolver) -> List[Subject]:
    vpc_facts = {
        "clarify": usage.clarify,
        "no_internet": no_internet,
        "s3_interface_endpoint": _service_present(usage, resolver, "s3", "Interface"),
    }
    subjects = []
    for endpoint in _vpc_endpoints(usage, resolver):
        service = endpoint_service(endpoint.service)
        known = not isinstance(service, Unknown)
        facts = {
            "sagemaker": service in ("sagemaker.api", "sagemaker.runtime") if known else service,
            "clarify_service": service in ("s3", "sagemaker.api", "sagemaker.runtime")
            if known
            else service,
            "s3_gateway": all_of(
                [service == "s3" if known else service, _type_is(endpoint, "Gateway")]
            ),
            "interface": _type_is(endpoint, "Interface"),
            "private_dns": endpoint.private_dns,
            "routes_job_subnets": _routes_subnets(endpoint, usage, resolver),
            "admits_https": _admits_https(endpoint, usage, resolver),
            "vpc": vpc_facts,
        }
        context = {
            "service": service if known else (endpoint.service.text or "unknown"),
            "vpc": usage.vpc.loc.resource,
            **_usage_names(usage, resolver),
            "job_groups": ", ".join(
                sorted(
                    {
                        display(g, resolver.index)
                        for job in usage.jobs
                        for g in (job.groups if isinstance(job.groups, list) else [])
                    }
                )
            )
            or "JOB_SECURITY_GROUP",
        }
        subjects.append(Subject("endpoints", endpoint.loc, facts, context))
    return subjects


def _routes_subnets(endpoint: VpcEndpoint, usage: _Usage, resolver: Resolver) -> Fact:
    if isinstance(endpoint.route_tables, Unknown):
        return endpoint.route_tables
    tables = [resolver.index.find(ref) for ref in endpoint.route_tables]
    results: List[Fact] = []
    for subnet in usage.subnets:
        table = resolver.route_table_of(subnet)
        if isinstance(table, Unknown):
            results.append(table)
        else:
            results.append(any(table is t for t in tables))
    if not usage.subnets:
        results.append(Unknown("the subnets of the Clarify jobs are not known"))
    return all_of(results)


def _admits_https(endpoint: VpcEndpoint, usage: _Usage, resolver: Resolver) -> Fact:
    groups = endpoint.security_groups
    if groups is None:
        groups = [Handle(usage.vpc.keys[0], "DefaultSecurityGroup")]
    results = [
        resolver.rules_admit(groups, "ingress", 443, (job.group_entities, job.subnet_cidrs))
        for job in usage.jobs
    ]
    return all_of(results)
