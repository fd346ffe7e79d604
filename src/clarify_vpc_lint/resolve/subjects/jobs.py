"""Job subjects: a Clarify job's network, its model and its subnets' free addresses."""

from __future__ import annotations

import os
from functools import partial
from typing import Any, Dict, List, Optional, Tuple

from msgspec import Struct
from msgspec.structs import replace

from ... import ec2
from ...facts import derive, fact
from ...logic import Fact, all_of, negate
from ...model import AnalysisConfig, Job, Model, Subnet
from ...names import Name, VpcConfigWrite, refs
from ...values import Unknown
from ..egress import https_destinations
from ..index import display
from ..network import Resolver
from .job_model import called_model, find_model, model_facts
from .naming import (
    fix_file,
    fix_refs,
    logical_name,
    names_of,
    new_subnet_block,
    new_subnet_table,
    vpc_refs,
)
from .roles import role_names
from .subject import Subject
from .usage import JobNetwork, Usage, record_usage


class _JobView(Struct, dict=True):  # the policy facts keep their verdicts on it
    """A job subject's view: the job and what its facts are derived from."""

    job: Job
    resolver: Resolver
    groups: Any  # the job's security group references, or Unknown
    peers: tuple  # (group entities, subnet CIDRs) that a cluster rule must name
    model: Dict[str, Fact]  # model_linked, model_in_vpc, model_same_vpc
    https: List[Tuple[str, Fact]]  # what the job must reach over TCP 443, and whether it may
    subnets: Any = None  # the job's resolved subnets (Subnet or Unknown each), or Unknown


@fact(
    "jobs",
    "inference",
    "the job calls the model (post-training bias or SHAP) via a shadow endpoint",
)
def _job_inference(view: _JobView) -> Fact:
    return view.job.inference


@fact("jobs", "network_isolation", "the job runs with EnableNetworkIsolation true")
def _job_network_isolation(view: _JobView) -> Fact:
    return view.job.network_isolation


@fact("jobs", "in_vpc", "the job has a VpcConfig")
def _job_in_vpc(view: _JobView) -> Fact:
    return view.job.has_vpc_config


@fact("jobs", "multi_instance", "the job runs on two or more instances")
def _job_multi_instance(view: _JobView) -> Fact:
    count = view.job.instance_count
    return count if isinstance(count, Unknown) else count >= 2


@fact("jobs", "sg_self_ingress", "a group of the job admits all traffic from its groups or subnets")
def _job_sg_self_ingress(view: _JobView) -> Fact:
    return view.resolver.security.rules_admit(view.groups, "ingress", None, view.peers)


@fact(
    "jobs", "sg_cluster_egress", "a group of the job lets all traffic out to its groups or subnets"
)
def _job_sg_cluster_egress(view: _JobView) -> Fact:
    return view.resolver.security.rules_admit(view.groups, "egress", None, view.peers)


@fact(
    "jobs",
    "inter_container_encryption",
    "the job encrypts the traffic between its instances (EnableInterContainerTrafficEncryption)",
)
def _job_inter_container_encryption(view: _JobView) -> Fact:
    return view.job.inter_container_encryption


@fact(
    "jobs",
    "sg_ipsec_between_members",
    "the job's groups admit UDP 500 and ESP (protocol 50) between its members, both directions",
)
def _job_sg_ipsec_between_members(view: _JobView) -> Fact:
    return all_of(allowed for _, allowed in ipsec_between_members(view))


def ipsec_between_members(view: _JobView) -> List[Tuple[str, Fact]]:
    """(what, whether the groups allow it) for IKE and ESP in and out between the members."""
    security = view.resolver.security
    return [
        (
            f"{direction} {name}",
            security.rules_admit(view.groups, direction, port, view.peers, protocol),
        )
        for name, protocol, port in ec2.IPSEC_TRAFFIC
        for direction in ("ingress", "egress")
    ]


@fact(
    "jobs",
    "sg_https_egress",
    "the job's groups let TCP 443 out to S3 and to each interface endpoint its calls resolve to",
)
def _job_sg_https_egress(view: _JobView) -> Fact:
    return all_of(reached for _, reached in view.https)


@fact(
    "jobs",
    "shadow_endpoint",
    "the job creates a shadow endpoint from its model (no predictor endpoint_name)",
)
def _job_shadow_endpoint(view: _JobView) -> Fact:
    return negate(view.job.existing_endpoint)


@fact("jobs", "model_linked", "the inputs name the job's model (directly or by its endpoint)")
def _job_model_linked(view: _JobView) -> Fact:
    return view.model["model_linked"]


@fact("jobs", "model_in_vpc", "the job's model has a VpcConfig")
def _job_model_in_vpc(view: _JobView) -> Fact:
    return view.model["model_in_vpc"]


@fact("jobs", "model_same_vpc", "the job's model uses only the job's VPCs")
def _job_model_same_vpc(view: _JobView) -> Fact:
    return view.model["model_same_vpc"]


def job_subject(job: Job, resolver: Resolver, usages: Dict[int, Usage]) -> Subject:
    subnets, vpcs = record_usage(
        usages,
        job.loc,
        job.has_vpc_config,
        job.subnets,
        resolver,
        role="job",
        clarify=True,
        inference=job.inference,
    )
    groups = job.security_groups if job.has_vpc_config is True else []
    group_entities = (
        [] if isinstance(groups, Unknown) else [resolver.security.group(g) for g in groups]
    )
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
        usages[id(vpc)].jobs.append(JobNetwork(groups, group_entities, subnet_cidrs))
        usages[id(vpc)].clarify_jobs.append(job)
    if job.has_vpc_config is True:
        https = https_destinations(resolver, groups, vpcs, job.inference, subnets)
    else:  # not in a VPC: nothing to reach through groups; or whether it is, unknown
        vpc_config = job.has_vpc_config
        https = [("S3", vpc_config)] if isinstance(vpc_config, Unknown) else []
    view = _JobView(
        job,
        resolver,
        groups,
        (group_entities, subnet_cidrs),
        model_facts(job, vpcs, resolver),
        https,
        subnets,
    )
    return Subject(
        "jobs", job.loc, derive("jobs", view), partial(_job_names, job, resolver, view, vpcs)
    )


def _job_names(job: Job, resolver: Resolver, view: _JobView, vpcs: Any) -> Dict[str, Any]:
    groups, https = view.groups, view.https
    at = fix_file(job.loc)
    count = job.instance_count
    context = {
        "subnets": names_of(job.subnets, resolver) if job.has_vpc_config is True else "(none)",
        "security_groups": names_of(groups, resolver),
        "instance_count": count if not isinstance(count, Unknown) else "unknown",
        "model": display(job.model, resolver.index) if job.model is not None else "(none)",
        "https_unreached": "; ".join(name for name, reached in https if reached is not True)
        or "(none)",
        "address_capacity": _address_capacity(view),
        "ipsec_blocked": ", ".join(
            n for n, allowed in ipsec_between_members(view) if allowed is not True
        )
        or "(none)",
        # the same names as each language's fix refers to them
        "job_vpc_ref": vpc_refs(
            vpcs[0] if isinstance(vpcs, list) and vpcs else None,
            vpcs,
            job.subnets if job.has_vpc_config is True else [],
            resolver,
            f"the VPC of {job.loc.resource}",
            at,
        ),
        "job_subnet_refs": fix_refs(
            job.subnets if job.has_vpc_config is True else [],
            resolver,
            f"the subnets of {job.loc.resource}",
            at,
        ),
        "new_subnet_cidr": new_subnet_block(
            vpcs[0] if isinstance(vpcs, list) and vpcs else None, resolver
        ),
        "new_subnet_table": new_subnet_table(view.subnets, resolver, at),
        "job_group_refs": fix_refs(
            groups, resolver, f"the security groups of {job.loc.resource}", at
        ),
        "first_group_ref": fix_refs(
            groups[:1] if isinstance(groups, list) else groups,
            resolver,
            f"the security group of {job.loc.resource}",
            at,
        ),
        "first_group_name": logical_name(
            display(groups[0], resolver.index)
            if isinstance(groups, list) and groups
            else "ClarifySecurityGroup"
        ),
        "region": resolver.region_of(view.subnets),
        "model_key": _model_key(job, resolver),
    }
    context.update(_suggested_network(job, resolver, at))
    context["fix_vpc_config"] = _vpc_config_writes(job, resolver)
    context.update(role_names(view))  # policies (CVL503)
    return context


def _suggested_network(job: Job, resolver: Resolver, at: Optional[str]) -> Dict[str, Any]:
    """The subnets and security groups a fix gives a job without VpcConfig: those of its model
    when the model is in a VPC (its shadow endpoint runs there, and CVL103 wants job and model in
    one VPC); else none, said in the fix's comment, never an example name."""
    name = job.loc.resource
    model = called_model(job, resolver)
    absent = "none in the inputs"
    if model is not None and model.has_vpc_config is True:
        model_name = model.loc.resource
        return {
            "suggested_network": f"the subnets and security groups of its model {model_name},"
            " so job and model share one VPC",
            "suggested_subnet_refs": fix_refs(
                model.subnets, resolver, f"the subnets of {model_name}", at
            ),
            "suggested_group_refs": fix_refs(
                model.security_groups, resolver, f"the security groups of {model_name}", at
            ),
        }
    subnets = refs((), f"private subnets for {name}: {absent}")
    own_groups = job.security_groups  # a declared job may list groups without subnets
    if isinstance(own_groups, list) and own_groups:
        return {
            "suggested_network": "your private subnets in two Availability Zones and the"
            " security groups the job lists",
            "suggested_subnet_refs": subnets,
            "suggested_group_refs": fix_refs(
                own_groups, resolver, f"the security groups of {name}", at
            ),
        }
    return {
        "suggested_network": "your private subnets in two Availability Zones and a security"
        " group for the job",
        "suggested_subnet_refs": subnets,
        "suggested_group_refs": refs((), f"a security group for {name}: {absent}"),
    }


def _vpc_config_writes(job: Job, resolver: Resolver) -> Dict[str, VpcConfigWrite]:
    """The VpcConfig each job-network fix writes: CVL102 gives the job its model's (the shadow
    endpoint runs there), CVL103 gives a model without one the job's. ``needs`` says what a
    person must decide or supply instead."""
    model = called_model(job, resolver)
    job_at = (job.loc.file, job.loc.line, job.loc.resource, job.loc.language)
    if model is not None and model.has_vpc_config is True:
        subnets = fix_refs(model.subnets, resolver, "the model's subnets", job.loc.file)
        groups = fix_refs(model.security_groups, resolver, "the model's groups", job.loc.file)
        missing = subnets.missing or groups.missing
        source = (model.loc.file, model.loc.resource)
        job_fix = VpcConfigWrite(*job_at, subnets.items, groups.items, missing, source)
    else:
        job_fix = VpcConfigWrite(
            *job_at,
            needs="the subnets and security groups the job should run in: no model in a VPC "
            "is linked to it in the inputs to take them from",
        )
    if job.loc.language == "config":
        job_fix = replace(
            job_fix,
            needs="a job declared in the config file, which --fix never writes: add the "
            "remediation's subnets and security-groups to its entry",
        )
    if model is None:
        return {"CVL102": job_fix}
    model_at = (model.loc.file, model.loc.line, model.loc.resource, model.loc.language)
    if model.has_vpc_config is True:
        model_fix = VpcConfigWrite(
            *model_at,
            needs=f"a choice of one VPC for {job.loc.resource} and {model.loc.resource}, which "
            "are in two: move the job to the model's subnets and groups, or the model to the "
            "job's (the remediation)",
        )
    else:
        at = fix_file(model.loc)
        subnets = fix_refs(job.subnets, resolver, "the job's subnets", at)
        groups = fix_refs(job.security_groups, resolver, "the job's groups", at)
        missing = subnets.missing or groups.missing
        source = (job.loc.file, job.loc.resource)
        model_fix = VpcConfigWrite(*model_at, subnets.items, groups.items, missing, source)
    return {"CVL102": job_fix, "CVL103": model_fix}


def _model_key(job: Job, resolver: Resolver) -> Name:
    """The model a fix changes: its name, or a stand-in the fix's comment explains."""
    model = job.model
    if model is None or isinstance(model, Unknown):
        reason = model.reason if isinstance(model, Unknown) else "the inputs name no model"
        return Name("ClarifyModel", f"the model of {job.loc.resource} is not known ({reason})")
    found = find_model(model, resolver)
    if isinstance(found, Model):  # its resource (logical ID, address), not its ModelName
        return Name(found.loc.resource)
    return Name(display(model, resolver.index))


def link_analysis_config(job: Job, configs: List[AnalysisConfig]) -> None:
    """Link a processing job to the analysis config it reads, by the config's file name."""
    if job.kind != "processing" or job.analysis_config_uri is None or not configs:
        return
    uri = job.analysis_config_uri
    name = os.path.basename(uri) if isinstance(uri, str) else None
    matches = [c for c in configs if c.file_name == name]
    if len(matches) != 1:
        return
    config = matches[0]
    job.inference = config.inference
    job.predictor = config.predictor
    if config.endpoint_name is not None:
        # "endpoint_name takes precedence over model_name": the job calls that endpoint
        job.existing_endpoint = True
    elif config.model_name is not None and job.model is None:
        job.model = config.model_name


# -- jobs: free addresses (CVL202) ------------------------------------------------------------------

ADDRESSES_PER_INSTANCE = 2  # process-vpc: "at least two private IP addresses for each instance"
MAX_INSTANCES = 100  # ProcessingClusterConfig.InstanceCount is 1-100: bounds an unknown count
SHADOW_INSTANCES = 1  # the shadow endpoint's initial_instance_count is not read: 1 assumed


@fact(
    "jobs",
    "subnets_short_of_addresses",
    "the job's subnets together have fewer free addresses than two per instance",
)
def _job_subnets_short_of_addresses(view: _JobView) -> Fact:
    if view.job.has_vpc_config is not True:
        return False
    return _short_of_addresses(view.subnets, view.job.instance_count)


@fact(
    "jobs",
    "model_subnets_short_of_addresses",
    "the model's subnets have fewer than two free addresses (the shadow endpoint's instance)",
)
def _job_model_subnets_short_of_addresses(view: _JobView) -> Fact:
    subnets = _model_subnets(view)
    return False if subnets is None else _short_of_addresses(subnets, SHADOW_INSTANCES)


def _model_subnets(view: _JobView) -> Any:
    """The resolved subnets of the job's model, or None when no model in a VPC is known."""
    model = called_model(view.job, view.resolver)
    if model is None or model.has_vpc_config is not True:
        return None
    return view.resolver.network_of(model.subnets)[0]


def _free_total(subnets: Any) -> tuple:
    """(free addresses of the known subnets, the first Unknown among the rest or None)."""
    if isinstance(subnets, Unknown):
        return 0, subnets
    total, unknown = 0, None
    for subnet in subnets:
        free = (
            subnet
            if isinstance(subnet, Unknown)
            else ec2.free_addresses(subnet.cidr, subnet.available_ips)
        )
        # a CIDR block that is a reference, resolved only after apply
        if (
            isinstance(free, Unknown)
            and isinstance(subnet, Subnet)
            and not isinstance(subnet.cidr, (str, Unknown))
        ):
            free = Unknown(
                f"the IPv4 CIDR block of subnet {subnet.loc.resource} is not known: it is "
                "set only after apply, or not in the inputs"
            )
        if isinstance(free, Unknown):
            unknown = free if unknown is None else unknown
        else:
            total += free
    return total, unknown


def _short_of_addresses(subnets: Any, instance_count: Any) -> Fact:
    total, unknown = _free_total(subnets)
    known_count = isinstance(instance_count, int) and not isinstance(instance_count, bool)
    fewest, most = (instance_count, instance_count) if known_count else (1, MAX_INSTANCES)
    if total >= ADDRESSES_PER_INSTANCE * most:
        return False
    if unknown is not None:
        return unknown
    if total < ADDRESSES_PER_INSTANCE * fewest:
        return True
    if isinstance(instance_count, Unknown):
        return instance_count
    return Unknown("the job's instance count is not known")


def _address_capacity(view: _JobView) -> str:
    """What is short of addresses (or may be): the job's subnets, its model's, for messages."""
    parts = []
    if _job_subnets_short_of_addresses(view) is not False:
        total, unknown = _free_total(view.subnets)
        count = view.job.instance_count
        need = f"{ADDRESSES_PER_INSTANCE * count}" if isinstance(count, int) else "two per instance"
        free = f"{total}" if unknown is None else f"{total} known"
        parts.append(f"its subnets have {free} free addresses, {need} needed")
    if _job_model_subnets_short_of_addresses(view) is not False:
        total, unknown = _free_total(_model_subnets(view))
        free = f"{total}" if unknown is None else f"{total} known"
        parts.append(
            f"its model's subnets have {free} free addresses, "
            f"{ADDRESSES_PER_INSTANCE * SHADOW_INSTANCES} needed for the shadow endpoint "
            f"({SHADOW_INSTANCES} instance assumed: its initial_instance_count is not read)"
        )
    return "; ".join(parts) or "its subnets have enough free addresses"
