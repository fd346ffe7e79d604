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

from typing import Dict, List

from ...model import Network
from ..network import Resolver
from .endpoints import endpoint_subjects
from .jobs import job_subject, link_analysis_config
from .models import model_subject
from .policies import policy_subject
from .requests import request_subject
from .subject import Subject
from .subnets import subnet_subjects
from .suppressions import SuppressionView, suppression_subject
from .usage import Usage
from .vpcs import VpcView, vpc_subject

__all__ = ["Subject", "SuppressionView", "build_subjects", "suppression_subject"]


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
