"""Policy facts of bucket policies (CVL502): does the policy of a bucket a Clarify job or its model
uses deny the job's reads and writes, or the shadow endpoint's download of the model, by a
condition the request does not meet (``aws:SourceVpce``, ``aws:SourceVpc``)?

Which network path a request takes decides what it carries: from subnets whose VPC has one S3
endpoint, that endpoint's ID and the VPC's; from a VPC without one (a NAT gateway) or from outside
any customer VPC (a job without ``VpcConfig``; the artifacts of a model without one, which
SageMaker downloads itself), neither key.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from msgspec.structs import replace

from ... import keys
from ...awsfacts import endpoint_service
from ...facts import fact
from ...iam import ABSENT, Arn, Statement, denials
from ...logic import Fact, any_of
from ...model import Job, Model
from ...values import Handle, Unknown
from ..calls import Call
from ..network import Resolver
from ..policies import (
    NEGATED,
    fix_payload,
    fix_target,
    merge_edit,
    statement_edit,
    tested_key,
    value_item,
)
from .job_model import called_model, requests_of

_MODEL_DOWNLOAD = "loads the model from"
_PATH_KEYS = ("aws:sourcevpce", "aws:sourcevpc")
Denied = Tuple[Job, Call, Statement, Fact, Dict[str, Any]]


def _denials(view: Any) -> List[Denied]:
    """(job, call, statement, verdict, path) for each denial; judged once per policy view."""
    if "bucket_denials" in view.__dict__:
        return view.bucket_denials
    found: List[Denied] = []
    policy = view.policy
    if policy.kind == "bucket policy" and isinstance(policy.resource, str):
        name = policy.loc.resource
        for job in view.jobs:
            model = called_model(job, view.resolver)
            for call in requests_of(job, view.resolver):
                if not _in_bucket(call, policy.resource):
                    continue
                path = _path(call, job, model, view.resolver)
                request = replace(call.request, context=dict(call.request.context, **path))
                for statement, verdict in denials([(name, policy.document)], request, True):
                    if verdict is not False:
                        found.append((job, call, statement, verdict, path))
    view.bucket_denials = found
    return found


@fact(
    "policies",
    "bucket_denies_clarify",
    "a bucket policy denies a Clarify job's (or its shadow endpoint's) S3 requests by a "
    "condition the request's network path does not meet",
)
def _policy_bucket_denies_clarify(view: Any) -> Fact:
    return any_of(verdict for _, _, _, verdict, _ in _denials(view))


def bucket_policy_names(view: Any) -> Dict[str, Any]:
    found = _denials(view)
    sure = [d for d in found if d[3] is True] or found
    texts = list(
        dict.fromkeys(
            f"{statement.label} denies {call.request.action} ({call.purpose}) {_from(path)}"
            for _, call, statement, _, path in sure
        )
    )
    return {
        "bucket": view.policy.resource if isinstance(view.policy.resource, str) else "(unknown)",
        "bucket_jobs": ", ".join(dict.fromkeys(job.loc.resource for job, *_ in sure)) or "(none)",
        "bucket_denials": "; ".join(texts) or "(none)",
        "bucket_advice": "\n# ".join(dict.fromkeys(_advice(d, view.resolver) for d in sure))
        or "(none)",
        "bucket_fix": _bucket_fix(view, sure),
    }


def _bucket_fix(view: Any, sure: List[Denied]) -> tuple:
    """CVL502's fix: the path's endpoint (or VPC) added to the values of the deny's condition on
    ``aws:SourceVpce`` (``aws:SourceVpc``); a request outside any S3 endpoint needs one first."""
    if not sure or any(verdict is not True for *_, verdict, _ in sure):
        return ()
    edits: List[Dict[str, Any]] = []
    for denial in sure:
        job, call, statement, _, path = denial
        for key in _PATH_KEYS:
            tested = tested_key(statement, key)
            if tested is not None and NEGATED.search(tested[0]):
                break
        else:
            return (fix_payload("CVL502", [], _advice(denial, view.resolver)),)
        value = path.get(key)
        item = value_item(value, view.policy.loc) if value is not ABSENT else None
        edit = statement_edit(statement, view.policy.document)
        if item is None or edit is None:
            return (fix_payload("CVL502", [], _advice(denial, view.resolver)),)
        edit.update(operator=tested[0], key=tested[1], values=[item])
        merge_edit(edits, edit)
    return (fix_payload("CVL502", [fix_target(view.policy.loc, edits)]),)


def _in_bucket(call: Call, bucket: str) -> bool:
    resource = call.request.resource
    return (
        call.via == "s3" and isinstance(resource, Arn) and resource.name.split("/", 1)[0] == bucket
    )


def _path(call: Call, job: Job, model: Optional[Model], resolver: Resolver) -> Dict[str, Any]:
    """The path keys of an S3 request: from the model's network for its artifacts (the shadow
    endpoint downloads them), else from the job's."""
    if call.purpose.startswith(_MODEL_DOWNLOAD) and model is not None:
        has_vpc, subnets = model.has_vpc_config, model.subnets
    else:
        has_vpc, subnets = job.has_vpc_config, job.subnets
    if has_vpc is False:
        return {key: ABSENT for key in _PATH_KEYS}
    if isinstance(has_vpc, Unknown):
        return {key: has_vpc for key in _PATH_KEYS}
    _, vpcs = resolver.network_of(subnets)
    if isinstance(vpcs, Unknown) or len(vpcs) != 1:
        unknown = (
            vpcs if isinstance(vpcs, Unknown) else Unknown("the job's subnets are in no one VPC")
        )
        return {key: unknown for key in _PATH_KEYS}
    vpc = vpcs[0]
    endpoints = [
        e
        for e in resolver.endpoints_by_vpc().get(id(vpc), [])
        if endpoint_service(e.service) == "s3"
    ]
    if not endpoints:  # through a NAT gateway, if at all (CVL301): no VPC keys
        return {key: ABSENT for key in _PATH_KEYS}
    if len(endpoints) > 1:
        unknown = Unknown(f"{vpc.loc.resource} has {len(endpoints)} S3 endpoints")
        return {key: unknown for key in _PATH_KEYS}
    return {"aws:sourcevpce": _identity(endpoints[0]), "aws:sourcevpc": _identity(vpc)}


def _identity(entity: Any) -> Any:
    """What a policy names an entity by: its real ID, else the reference a template writes."""
    real = next((k for k in entity.keys if keys.is_real_id(k)), None)
    return real.split(":", 1)[1] if real else Handle(entity.keys[0])


def _from(path: Dict[str, Any]) -> str:
    endpoint = path.get("aws:sourcevpce")
    if endpoint is ABSENT:
        return "from outside any S3 endpoint"
    if isinstance(endpoint, Unknown):
        return "(its network path is not known)"
    return "through the VPC's S3 endpoint"


def _advice(denial: Denied, resolver: Resolver) -> str:
    job, call, statement, _, path = denial
    endpoint = path.get("aws:sourcevpce")
    if call.purpose.startswith(_MODEL_DOWNLOAD) and endpoint is ABSENT:
        return (
            f"the shadow endpoint of {job.loc.resource} downloads the model outside any VPC: give "
            "the model a VpcConfig in a VPC with an S3 endpoint that the policy admits"
        )
    if endpoint is ABSENT:
        return (
            f"{job.loc.resource} reaches S3 without an S3 endpoint (a NAT gateway, or no VPC): add "
            "an S3 gateway endpoint to its VPC and its ID to the values of aws:SourceVpce in "
            f"{statement.label}, changing nothing else"
        )
    shown = endpoint if isinstance(endpoint, str) else _display(endpoint, resolver)
    return (
        f"add {shown}, the S3 endpoint {job.loc.resource} uses, to the values of the condition in "
        f"{statement.label} (aws:SourceVpce), changing nothing else"
    )


def _display(value: Any, resolver: Resolver) -> str:
    if isinstance(value, Handle):
        entity = resolver.index.find(value)
        return entity.loc.resource if entity is not None else value.key
    return "the job's S3 endpoint"
