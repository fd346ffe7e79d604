"""How the Clarify jobs and models of a run use each VPC: the VPC subjects' view of them."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from msgspec import Struct, field

from ...logic import Fact, all_of, any_of
from ...model import Location, Subnet
from ...values import Unknown
from ..network import Resolver


class JobNetwork(Struct):
    """A Clarify job's security groups and subnet CIDRs, as its VPC's endpoints must admit them."""

    groups: List[Any]  # the references, for messages
    group_entities: List[Any]  # SecurityGroup or Unknown
    subnet_cidrs: Any  # list of CIDRs, or Unknown


class Usage(Struct):
    """How the Clarify jobs and models of a run use one VPC."""

    vpc: Any  # Vpc, or None for a VPC that cannot be determined
    loc: Location
    clarify: Fact = False
    inference: Fact = False
    model_s3: Fact = False
    # the subnets of its Clarify jobs (they make the S3 and SageMaker calls) and, for S3 only, of
    # its models: (whether the model's artifacts are in S3, its subnets here)
    job_subnets: List[Subnet] = field(default_factory=list)
    model_subnets: List[Tuple[Fact, List[Subnet]]] = field(default_factory=list)
    jobs: List[JobNetwork] = field(default_factory=list)
    clarify_jobs: List[Any] = field(default_factory=list)  # the Job objects (policies: CVL501)
    unknown: Optional[Unknown] = None
    # for a VPC that cannot be determined: its jobs' subnets as written (IDs a fix can name)
    written_subnets: List[Any] = field(default_factory=list)

    def s3_subnets(self) -> List[Subnet]:
        """The subnets from which S3 is read: the jobs', and those of models with S3 artifacts."""
        found = list(self.job_subnets)
        for s3, subnets in self.model_subnets:
            found += [s for s in subnets if s3 is not False and not any(s is f for f in found)]
        return found


def _usage_for(usages: Dict[int, Usage], vpc: Any, owner: Location) -> Usage:
    key = id(vpc) if vpc is not None else id(owner)
    if key not in usages:
        usages[key] = Usage(vpc, vpc.loc if vpc is not None else owner)
    return usages[key]


def record_usage(
    usages: Dict[int, Usage],
    owner: Location,
    has_vpc: Fact,
    refs: Any,
    resolver: Resolver,
    role: str,
    **flags: Fact,
) -> tuple:
    """Note which VPCs a job or model (``role``) uses; returns (subnets, vpcs)."""
    if has_vpc is False:
        return [], []
    subnets, vpcs = resolver.network_of(refs if has_vpc is True else has_vpc)
    if isinstance(vpcs, Unknown):
        usage = _usage_for(usages, None, owner)
        usage.unknown = vpcs
        if role == "job" and isinstance(refs, list):
            usage.written_subnets.extend(r for r in refs if isinstance(r, str))
        targets = [usage]
    else:
        targets = [_usage_for(usages, vpc, owner) for vpc in vpcs]
    for usage in targets:
        for name, value in flags.items():
            if owner.condition is not None:  # a job or model that may not be created
                value = all_of([value, owner.condition])
            setattr(usage, name, any_of([getattr(usage, name), value]))
        if isinstance(subnets, Unknown):
            continue
        if len(targets) == 1 and usage.vpc is not None:  # network_of found them all in it
            here = list(subnets)
        else:
            here = [
                s for s in subnets if isinstance(s, Subnet) and resolver.subnet_vpc(s) is usage.vpc
            ]
        if role == "job":
            usage.job_subnets.extend(s for s in here if not any(s is j for j in usage.job_subnets))
        else:
            usage.model_subnets.append((flags.get("model_s3", False), here))
    return subnets, vpcs
