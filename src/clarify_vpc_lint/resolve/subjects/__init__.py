"""Subjects of the rules and the facts registered for them.

A subject is one thing a rule can report (a request, job, model, VPC, endpoint, subnet or IAM
policy): its location, its facts (booleans, or ``Unknown`` with the reason) and the names its
messages use. Each fact is a function of the subject's view, registered with ``@fact`` (see
``facts.py``); the builders make the views. One module per subject kind holds its view, facts
and builders: ``requests``, ``jobs`` (with ``job_model``, the model a job calls), ``models``,
``vpcs``, ``endpoints``, ``subnets``, ``policies`` and ``suppressions`` (judged last). ``usage`` notes how the jobs and models use
each VPC, ``naming`` how a fix names things, and ``build_subjects`` here builds every subject of
a run.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Union

from ...model import Job, Model, Network
from ...values import Unknown
from ..network import Resolver
from .endpoints import endpoint_subjects, hub_endpoint_subjects
from .jobs import job_subject, link_analysis_config
from .models import model_subject
from .policies import policy_subject
from .requests import request_subject
from .subject import Subject, guarded
from .subnets import subnet_subjects
from .suppressions import SuppressionView, suppression_subject
from .usage import Usage
from .vpcs import VpcView, vpc_subject

__all__ = ["Subject", "SuppressionView", "build_subjects", "suppression_subject"]


def build_subjects(network: Network, region: str) -> List[Subject]:
    """Every subject of the run; one that fails to build is an input error at it (``guarded``)."""
    resolver = Resolver(network, region)
    subjects: List[Subject] = []
    for request in network.requests:
        subjects += guarded(network, request.loc, _one, request_subject, request)
    for model in network.models:  # before a job reads the subnets of the model it calls
        _within_listing_budget(model)
    usages: Dict[int, Usage] = {}
    for job in network.jobs:
        subjects += guarded(network, job.loc, _job, job, network, resolver, usages)
    for model in network.models:
        subjects += guarded(network, model.loc, _one, model_subject, model, resolver, usages)
    for policy in network.policies:
        subjects += guarded(
            network, policy.loc, _one, policy_subject, policy, network.jobs, resolver
        )
    views: List[VpcView] = []  # the VPCs' views, for the hub endpoints that serve several
    for usage in usages.values():
        subjects += guarded(network, usage.loc, _vpc, usage, resolver, views)
    subjects.extend(hub_endpoint_subjects(views))
    subjects.extend(subnet_subjects(network, resolver))
    return subjects


def _one(build: Callable[..., Subject], *arguments: Any) -> List[Subject]:
    return [build(*arguments)]


def _job(job: Job, network: Network, resolver: Resolver, usages: Dict[int, Usage]) -> List[Subject]:
    link_analysis_config(job, network.analysis_configs)
    if job.kind == "declared":
        job.subnets = resolver.expand(job.subnets)
        job.security_groups = resolver.expand(job.security_groups)
    _within_listing_budget(job)
    return [job_subject(job, resolver, usages)]


# A VpcConfig holds at most 16 subnets and 5 security groups (FACTS.md; CVL001 reports a request
# over them). A list far longer is not resolved member by member: 300,000 subnets in one request
# took 19 s and wrote each into the fixes (a 30 MB report); such a list is unknown.
_MAX_LISTED = 1_000


def _within_listing_budget(subject: Union[Job, Model]) -> None:
    for name in ("subnets", "security_groups"):
        listed = getattr(subject, name)
        if isinstance(listed, list) and len(listed) > _MAX_LISTED:
            what = name.replace("_", " ")
            reason = f"its VpcConfig lists {len(listed):,} {what}, more than AWS accepts"
            setattr(subject, name, Unknown(reason))


def _vpc(usage: Usage, resolver: Resolver, views: List[VpcView]) -> List[Subject]:
    view = VpcView(usage, resolver)
    if usage.vpc is None:
        return [vpc_subject(view)]
    views.append(view)
    return [vpc_subject(view), *endpoint_subjects(view)]
