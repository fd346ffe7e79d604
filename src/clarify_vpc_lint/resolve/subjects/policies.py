"""Policy subjects: an IAM policy that may deny a Clarify job's requests (the evaluation is
``resolve/policies.py`` on ``iam.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from ...facts import derive, fact
from ...logic import Fact, any_of
from ...model import Job, Model, Policy
from ..network import Resolver
from ..policies import Denial, any_denial, fix_advice, isolation_denials, other_denials
from .bucket_policies import bucket_policy_names
from .job_model import find_model
from .subject import Subject


@dataclass
class _PolicyView:
    policy: Policy
    # (job, its isolation mandates, its other denials) for each Clarify job of the run that
    # may need inference and does not itself ask for isolation
    verdicts: List[tuple]
    jobs: List[Job]  # every Clarify job of the run (bucket policies, CVL502)
    resolver: Resolver


@fact(
    "policies",
    "clarify_inference",
    "a Clarify job in the inputs calls its model (post-training bias or SHAP)",
)
def _policy_clarify_inference(view: _PolicyView) -> Fact:
    return any_of(
        job.inference for job, mandates, _ in view.verdicts if any_denial(mandates) is not False
    )


@fact(
    "policies",
    "isolation_mandate",
    "the policy denies creating such a job unless sagemaker:NetworkIsolation is true",
)
def _policy_isolation_mandate(view: _PolicyView) -> Fact:
    return any_of(any_denial(mandates) for _, mandates, _ in view.verdicts)


@fact(
    "policies",
    "denies_clarify_request",
    "the policy denies a request a Clarify job or its shadow endpoint must make, by a "
    "condition other than sagemaker:NetworkIsolation",
)
def _policy_denies_clarify_request(view: _PolicyView) -> Fact:
    return any_of(any_denial(others) for _, _, others in view.verdicts)


def policy_subject(policy: Policy, jobs: List[Job], resolver: Resolver) -> Subject:
    verdicts = []
    for job in jobs:
        if job.network_isolation is True or policy.kind == "bucket policy":
            continue  # a bucket policy is judged on S3 requests only (CVL502)
        mandates = [] if job.inference is False else isolation_denials(policy, job, resolver.region)
        others = other_denials(policy, job, _model(job, resolver), resolver.region)
        verdicts.append((job, mandates, others))
    view = _PolicyView(policy, verdicts, jobs, resolver)
    return Subject("policies", policy.loc, derive("policies", view), lambda: _context(view))


def _model(job: Job, resolver: Resolver) -> Optional[Model]:
    found = find_model(job.model, resolver) if job.model is not None else None
    return found if isinstance(found, Model) else None


def _context(view: _PolicyView) -> Dict[str, Any]:
    mandated = [
        (job, d) for job, mandates, _ in view.verdicts for d in mandates if d.verdict is not False
    ]
    denied = [
        (job, d) for job, _, others in view.verdicts for d in others if d.verdict is not False
    ]
    first = mandated[0][1] if mandated else None
    return {
        "kind": view.policy.kind,
        "jobs": _names(job for job, _ in mandated) or "(none)",
        "actions": _names(d.action for _, d in mandated) or "sagemaker:CreateProcessingJob",
        "statement": first.statement.label if first else "its statement",
        "denied_jobs": _names(job for job, _ in denied) or "(none)",
        "denials": "; ".join(_denial_text(d) for _, d in _unique(denied)) or "(none)",
        "advice": "\n# ".join(fix_advice(d, job) for job, d in _unique(denied)) or "(none)",
        **bucket_policy_names(view),  # CVL502
    }


def _names(values) -> str:
    names: List[str] = []
    for value in values:
        name = value.loc.resource if isinstance(value, Job) else str(value)
        if name not in names:
            names.append(name)
    return ", ".join(names)


def _unique(pairs: List[tuple]) -> List[tuple]:
    seen: List[Any] = []
    result = []
    for job, denial in pairs:
        key = (denial.statement.label, denial.action)
        if key not in seen:
            seen.append(key)
            result.append((job, denial))
    return result


def _denial_text(denial: Denial) -> str:
    keys = f" on {', '.join(denial.keys)}" if denial.keys else ""
    return f"{denial.statement.label} denies {denial.action}{keys}"
