"""Policy subjects: an IAM policy that may deny a Clarify job (the evaluation is
``resolve/policies.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List

from ...facts import derive, fact
from ...logic import Fact, any_of
from ...model import Job, Policy
from ..policies import blocks
from .subject import Subject


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
