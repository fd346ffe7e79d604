"""Policy subjects: an IAM policy that may deny a Clarify job's requests (the evaluation is
``resolve/policies.py`` on ``iam.py``)."""

from __future__ import annotations

from typing import Any, Dict, List

from msgspec import Struct

from ...facts import derive, fact
from ...logic import Fact, any_of
from ...model import Job, Policy
from ..calls import ROLE
from ..network import Resolver
from ..policies import (
    NEGATED,
    Denial,
    any_denial,
    fix_advice,
    fix_payload,
    fix_target,
    isolation_denials,
    merge_edit,
    other_denials,
    statement_edit,
    tested_key,
)
from .bucket_policies import bucket_policy_names
from .job_model import requests_of
from .subject import Subject, by_rule


class _PolicyView(Struct, dict=True):  # the bucket-policy facts keep their verdicts on it
    """A policy subject's view: the policy and the Clarify jobs it may deny."""

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
        mandates = (
            []
            if job.inference is False
            else isolation_denials(policy, requests_of(job, resolver, with_model=False))
        )
        others = other_denials(policy, requests_of(job, resolver))
        verdicts.append((job, mandates, others))
    view = _PolicyView(policy, verdicts, jobs, resolver)
    return Subject("policies", policy.loc, derive("policies", view), lambda: _context(view))


def _context(view: _PolicyView) -> Dict[str, Any]:
    mandated = [
        (job, d) for job, mandates, _ in view.verdicts for d in mandates if d.verdict is not False
    ]
    denied = [
        (job, d) for job, _, others in view.verdicts for d in others if d.verdict is not False
    ]
    first = mandated[0][1] if mandated else None
    bucket = bucket_policy_names(view)
    return {
        "kind": view.policy.kind,
        "jobs": _names(job for job, _ in mandated) or "(none)",
        "actions": _names(d.action for _, d in mandated) or "sagemaker:CreateProcessingJob",
        "statement": first.statement.label if first else "its statement",
        "denied_jobs": _names(job for job, _ in denied) or "(none)",
        "denials": "; ".join(_denial_text(d) for _, d in _unique(denied)) or "(none)",
        "advice": "\n# ".join(fix_advice(d, job) for job, d in _unique(denied)) or "(none)",
        **bucket,  # CVL502
        "fix_adds": by_rule(
            (*_isolation_fix(view, mandated), *_request_fix(view, denied), *bucket["bucket_fix"])
        ),
    }


def _isolation_fix(view: _PolicyView, mandated: List[tuple]) -> tuple:
    """CVL104's fix: each mandate denies a create call with isolation off only outside a VPC
    (``Null sagemaker:VpcSubnets``), which spares the Clarify jobs (all in a VPC)."""
    sure = [(job, d) for job, d in mandated if d.verdict is True]
    if not sure:
        return ()
    outside = [job.loc.resource for job, _ in sure if job.has_vpc_config is not True]
    if outside:
        needs = (
            f"Clarify job {', '.join(dict.fromkeys(outside))} has no VpcConfig (known): an "
            "exception for jobs in a VPC would not spare it; give it one, or narrow the "
            "statement by hand"
        )
        return (fix_payload("CVL104", [], needs),)
    edits = []
    for _, denial in sure:
        edit = statement_edit(denial.statement, view.policy.document)
        if edit is None:
            return (fix_payload("CVL104", [], "the statement is not in a list the fix can find"),)
        edit.update(operator="Null", key="sagemaker:VpcSubnets", values=[{"text": "true"}])
        if edit not in edits:
            edits.append(edit)
    return (fix_payload("CVL104", [fix_target(view.policy.loc, edits)]),)


def _request_fix(view: _PolicyView, denied: List[tuple]) -> tuple:
    """CVL105's fix: for each denial, one value added to the allow-list the request misses, or
    an exception for the execution role (``ArnNotLike aws:PrincipalArn``) of a call it makes;
    else (a KMS key, a VPC, a call whoever creates the job makes) what the request needs."""
    sure = [(job, d) for job, d in denied if d.verdict is True]
    if not sure:
        return ()
    edits: List[Dict[str, Any]] = []
    for job, denial in sure:
        edit = _request_exception(view, job, denial)
        if isinstance(edit, str):
            return (fix_payload("CVL105", [], edit),)
        merge_edit(edits, edit)
    return (fix_payload("CVL105", [fix_target(view.policy.loc, edits)]),)


def _request_exception(view: _PolicyView, job: Job, denial: Denial) -> Any:
    edit = statement_edit(denial.statement, view.policy.document)
    if edit is None:
        return "the statement is not in a list the fix can find: " + fix_advice(denial, job)
    calls = [c for c in requests_of(job, view.resolver) if c.request.action == denial.action]
    for key in ("sagemaker:instancetypes", "sagemaker:vpcsubnets", "sagemaker:vpcsecuritygroupids"):
        tested = tested_key(denial.statement, key)
        if tested is None or not NEGATED.search(tested[0]):
            continue
        values = [v for c in calls for v in _listed(c.request.context.get(key))]
        if not values or not all(isinstance(v, str) for v in values):
            return fix_advice(denial, job) + " (its value is not known from the inputs)"
        edit.update(
            operator=tested[0], key=tested[1], values=[{"text": v} for v in dict.fromkeys(values)]
        )
        return edit
    role = calls[0].request.principal if calls and calls[0].by == ROLE else None
    if isinstance(role, str):
        edit.update(operator="ArnNotLike", key="aws:PrincipalArn", values=[{"text": role}])
        return edit
    if calls and calls[0].by == ROLE:
        return fix_advice(denial, job) + " (the job's RoleArn is not in the inputs)"
    return fix_advice(denial, job)


def _listed(value: Any) -> List[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


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
