"""Endpoint facts about the endpoint's policy (CVL501): does it allow the requests that the
Clarify jobs of its VPC send through it? Evaluated by ``iam.py`` on ``calls.py``'s requests; an
endpoint without a policy has AWS's default, full access."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from msgspec.structs import replace

from ...facts import fact
from ...iam import allows, denials
from ...logic import Fact, all_of, any_of, negate
from ...values import Unknown
from ..calls import CALLER, Call, resource_pattern
from ..policies import fix_payload, fix_target, free_sid
from .job_model import requests_of
from .subject import by_rule


def _policy(view: Any) -> Tuple[Any, bool]:
    """The endpoint's policy document, and whether a separate resource sets it (it wins)."""
    for ref, document in view.resolver.network.endpoint_policies:
        if view.resolver.index.find(ref) is view.endpoint:
            return document, True
    return view.endpoint.policy, False


def _verdicts(view: Any) -> List[Tuple[Any, Call, Fact]]:
    """(job, call, allowed by the endpoint policy) for each call the VPC's jobs send through it.
    Judged once per endpoint view."""
    if "policy_verdicts" in view.__dict__:
        return view.policy_verdicts
    found: List[Tuple[Any, Call, Fact]] = []
    policy, _ = _policy(view)
    service = view.service
    if policy is not None and not isinstance(service, Unknown):
        name = view.endpoint.loc.resource
        for job in view.vpc.usage.clarify_jobs:
            for call in _calls_through(job, service, view.resolver):
                found.append((job, call, _allowed(name, policy, call)))
    view.policy_verdicts = found
    return found


def _calls_through(job: Any, service: str, resolver: Any) -> List[Call]:
    calls = requests_of(job, resolver)
    through = [call for call in calls if call.via == service and call.by != CALLER]
    if service == "s3" and not through:  # no URI in the inputs: a read of some object
        reads = Unknown("the job's S3 URIs are not in the inputs")
        template = next(call for call in calls if call.by != "caller") if calls else None
        if template is not None:
            request = replace(template.request, action="s3:GetObject", resource=reads)
            through = [Call(request, template.by, "s3", "reads its data")]
    return through


def _allowed(name: str, policy: Any, call: Call) -> Fact:
    gate = [(name, policy)]
    denied = [fact for _, fact in denials(gate, call.request, resource_policy=True)]
    return all_of([allows(gate, call.request, resource_policy=True), *map(negate, denied)])


@fact(
    "endpoints",
    "policy_blocks_clarify",
    "the endpoint's policy does not allow a request a Clarify job of its VPC sends through it",
)
def _endpoint_policy_blocks_clarify(view: Any) -> Fact:
    return any_of(negate(allowed) for _, _, allowed in _verdicts(view))


def endpoint_policy_names(view: Any) -> Dict[str, Any]:
    verdicts = _verdicts(view)
    sure = [(job, call) for job, call, allowed in verdicts if allowed is False]
    undecided = [(job, call) for job, call, allowed in verdicts if allowed is not True]
    blocked = sure or undecided
    actions: List[str] = []
    resources: List[str] = []
    jobs: List[str] = []
    for _, call in undecided:  # the fix's statement: every call not allowed for sure
        if call.request.action not in actions:
            actions.append(call.request.action)
        text = resource_pattern(call.request.resource)
        if text not in resources:
            resources.append(text)
    for job, _ in blocked:
        if job.loc.resource not in jobs:
            jobs.append(job.loc.resource)
    policy, apart = _policy(view)
    sid = free_sid(policy, _SIDS.get(str(view.service), "ClarifyJob"))
    return {
        "policy_sid": sid,
        "fix_adds": by_rule(_fix(view, bool(sure), undecided, actions, resources, sid, apart)),
        "blocked_calls": "; ".join(
            dict.fromkeys(
                f"{call.request.action} on {_shown(call.request.resource)}" for _, call in blocked
            )
        )
        or "(none)",
        "blocked_jobs": ", ".join(jobs) or "(none)",
        "policy_actions": "[" + ", ".join(f'"{a}"' for a in actions) + "]",
        "policy_resources": "["
        + ", ".join(f'"{r}"' for r in (["*"] if "*" in resources else resources))
        + "]",
    }


_SIDS = {
    "s3": "ClarifyJobS3",
    "sagemaker.api": "ClarifyJobApi",
    "sagemaker.runtime": "ClarifyJobRuntime",
}


def _fix(
    view: Any, sure: bool, undecided: list, actions: list, resources: list, sid: str, apart: bool
) -> tuple:
    """CVL501's fix: one Allow statement for what the policy does not allow; where a Deny of
    the policy blocks a request, what the fix needs instead."""
    if not sure:
        return ()
    policy, _ = _policy(view)
    gate = [(view.endpoint.loc.resource, policy)]
    if any(
        fact is not False for _, call in undecided for _, fact in denials(gate, call.request, True)
    ):
        needs = "a Deny of the endpoint policy blocks the request: an exception in its condition"
        return (fix_payload("CVL501", [], needs),)
    if apart:
        needs = "the policy is set by an aws_vpc_endpoint_policy resource: add the statement there"
        return (fix_payload("CVL501", [], needs),)
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": "*",
        "Action": actions,
        "Resource": ["*"] if "*" in resources else resources,
    }
    target = fix_target(view.endpoint.loc, [{"op": "statement", "add": statement}])
    return (fix_payload("CVL501", [target]),)


def _shown(resource: Any) -> str:
    return (
        "an object the inputs do not name"
        if isinstance(resource, Unknown)
        else str(resource).replace(":?:", ":*:")
    )
