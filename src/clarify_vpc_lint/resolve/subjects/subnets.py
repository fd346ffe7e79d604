"""Subnet subjects: the network ACL of each subnet of a Clarify job."""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, List

from msgspec import Struct

from ...facts import derive, fact
from ...logic import Fact, any_of
from ...model import Network, Subnet
from ...values import Unknown
from ..acls import AclCheck, NetworkAcls, remediation_names
from ..network import Resolver
from .subject import Subject, guarded


class _SubnetView(Struct):
    """A subnet subject's view: what its network ACL does with its Clarify jobs' traffic."""

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
        subjects += guarded(network, subnet.loc, _used_subnet, subnet, jobs, acls, resolver)
    return subjects


def _used_subnet(
    subnet: Subnet, jobs: List[tuple], acls: NetworkAcls, resolver: Resolver
) -> List[Subject]:
    """The subject of a subnet Clarify jobs use: its ACL's verdict on their traffic."""
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
    return [Subject("subnets", subnet.loc, derive("subnets", _SubnetView(check)), names)]


def _subnet_names(name: str, check: AclCheck, subnet: Any, resolver: Resolver) -> Dict[str, Any]:
    return {
        "subnet": name,
        "region": resolver.fix_region,
        **remediation_names(check, subnet, resolver),
    }
