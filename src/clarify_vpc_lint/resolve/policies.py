"""Which statements of a policy deny the requests of a Clarify job (CVL104, CVL105), judged by
the policy evaluator (``iam.py``) on the requests the job makes (``calls.py``).

CVL104 is the isolation mandate: a ``Deny`` whose condition names ``sagemaker:NetworkIsolation``
and holds for a job that runs with isolation off. Such a job's create request carries the key as
``false`` (the SDK always sends ``EnableNetworkIsolation``) or, when the field is left out, perhaps
not at all. A statement blocks the job when it denies both; one that spares ``false`` does not
(the job can always send it); one that denies ``false`` but spares a missing key is Unknown.

CVL105 is every other ``Deny`` of a request the job must make: its create call (against every
policy in the inputs: no input says who creates the job), and the calls its execution role makes
for the shadow endpoint (against service control policies, which apply to every role; the role's
own policies are CVL503's).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, List, Optional, Tuple

from msgspec import Struct
from msgspec.structs import replace

from .. import keys
from ..iam import ABSENT, Request, Statement, denials
from ..logic import Fact, any_of
from ..model import Job, Location, Policy
from ..values import Handle, Unknown, dig
from .calls import ROLE, Call

ISOLATION_KEY = "sagemaker:networkisolation"
SCP = "service control policy"
_UNDOCUMENTED = Unknown(
    "the statement denies the request only when sagemaker:NetworkIsolation is sent as "
    "false; whether SageMaker leaves the key out when EnableNetworkIsolation is not set "
    "is not documented"
)


class Denial(Struct, frozen=True):
    """A statement that denies (True) or may deny (Unknown) one request of a job."""

    statement: Statement
    action: str
    verdict: Fact
    keys: tuple  # the condition keys the statement tests, as written


def names_isolation(statement: Statement) -> bool:
    condition = statement.body.get("Condition") if isinstance(statement.body, dict) else None
    return isinstance(condition, dict) and any(
        isinstance(keys, dict) and any(str(k).lower() == ISOLATION_KEY for k in keys)
        for keys in condition.values()
    )


def isolation_denials(policy: Policy, calls: List[Call]) -> List[Denial]:
    """The isolation mandates of the policy that deny creating a job with isolation off, given
    the job's ``calls`` (``job_calls``)."""
    found: List[Denial] = []
    for call in calls:
        if call.by == ROLE:
            continue
        sent_false = _isolation(policy, call.request, "false")
        left_out = _isolation(policy, call.request, ABSENT)
        for statement, verdict in sent_false:
            unread = isinstance(statement.body, Unknown)  # may be a mandate: CVL104 says so
            if verdict is False or not (unread or names_isolation(statement)):
                continue
            also = next((v for s, v in left_out if s == statement), False)
            if verdict is True and also is not True:
                verdict = _UNDOCUMENTED if also is False else also
            found.append(Denial(statement, call.request.action, verdict, _keys(statement)))
    return found


def _isolation(policy: Policy, request: Request, value: Any) -> list:
    context = dict(request.context, **{ISOLATION_KEY: value})
    return denials([(policy.loc.resource, policy.document)], replace(request, context=context))


def other_denials(policy: Policy, calls: List[Call]) -> List[Denial]:
    """The policy's denials of a job's ``calls`` (with its model's) other than the isolation
    mandate."""
    found: List[Denial] = []
    for call in calls:
        if call.by == ROLE and policy.kind != SCP:
            continue
        request = call.request
        if call.by != ROLE:  # the job runs with isolation off: the mandate is CVL104's
            request = replace(request, context={ISOLATION_KEY: "false", **request.context})
        for statement, verdict in denials([(policy.loc.resource, policy.document)], request):
            if (
                verdict is False
                or names_isolation(statement)
                or isinstance(statement.body, Unknown)
            ):
                continue  # the mandate, and a document not read at all, are CVL104's
            if any(d.statement == statement and d.action == request.action for d in found):
                continue
            found.append(Denial(statement, request.action, verdict, _keys(statement)))
    return found


def any_denial(found: List[Denial]) -> Fact:
    return any_of(d.verdict for d in found)


def _keys(statement: Statement) -> tuple:
    condition = statement.body.get("Condition") if isinstance(statement.body, dict) else None
    if not isinstance(condition, dict):
        return ()
    keys: List[str] = []
    for tested in condition.values():
        if isinstance(tested, dict):
            keys.extend(str(k) for k in tested if str(k) not in keys)
    return tuple(keys)


# -- what a fix for CVL105 changes: the request, or one exception in the statement ------------------

_JOB_MEMBERS = {
    "sagemaker:volumekmskey": "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
    "sagemaker:outputkmskey": "ProcessingOutputConfig.KmsKeyId",
    "sagemaker:intercontainertrafficencryption": (
        "NetworkConfig.EnableInterContainerTrafficEncryption: true"
    ),
}


def fix_advice(denial: Denial, job: Job) -> str:
    """One sentence: what to set on the job so the request meets the statement, or the one
    value to add to the statement's condition; never a rewrite of the policy."""
    where = f"{denial.statement.label} ({denial.action})"
    for written in denial.keys:
        key = written.lower()
        if key in ("sagemaker:vpcsubnets", "sagemaker:vpcsecuritygroupids"):
            if denial.action == "sagemaker:CreateModel":
                return (
                    f"{where} admits the model of job {job.loc.resource} only in a VPC its "
                    f"condition on {written} allows: give the model a VpcConfig that meets it "
                    "(the job's subnets and groups, as CVL103 asks)"
                )
            if job.has_vpc_config is not True:
                return (
                    f"{where} requires a VPC: give job {job.loc.resource} a NetworkConfig.VpcConfig"
                )
            return (
                f"{where} admits only listed {written.split(':')[1]}: add the job's to the "
                f"values of {written} in that condition, and change nothing else"
            )
        if key == "sagemaker:instancetypes":
            return (
                f"{where} admits only listed instance types: add the type the request uses (the "
                "job's InstanceType, or the analysis config's predictor instance_type for the "
                "shadow endpoint) to the values of sagemaker:InstanceTypes in that condition"
            )
        if key in _JOB_MEMBERS:
            return f"{where} requires {written}: set {_JOB_MEMBERS[key]} on job {job.loc.resource}"
    role = dig(job.request, "RoleArn")
    exempt = role if isinstance(role, str) else "the job's execution role"
    keys = ", ".join(denial.keys) or "no condition"
    return (
        f"{where} tests {keys}: make the request meet it, or add one exception to its "
        f"Condition for the Clarify job, e.g. ArnNotLike aws:PrincipalArn {exempt}"
    )


# -- what --fix writes for a policy (fixes/policies.py places it in the text) ---------------------------

# the operators under which a listed value is spared (StringNotEquals, ArnNotLike, ...)
NEGATED = re.compile("not", re.IGNORECASE)


def fix_payload(rule: str, targets: List[Dict[str, Any]], needs: Optional[str] = None) -> tuple:
    """The ``fix_adds`` item a finding of ``rule`` carries: the documents to edit, or what its
    fix needs (a fix that would need a value the inputs do not hold is not written)."""
    written = {"needs": needs} if needs else {"targets": targets}
    return (rule, json.dumps(written))


def fix_target(loc: Location, edits: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"file": loc.file, "line": loc.line, "resource": loc.resource, "edits": edits}


def statement_edit(statement: Statement, document: Any) -> Optional[Dict[str, Any]]:
    """How a fix finds a statement again in its file: its Sid, else its number in the list."""
    listed = document.get("Statement") if isinstance(document, dict) else None
    listed = [listed] if isinstance(listed, dict) else listed
    if not isinstance(listed, list) or not isinstance(statement.body, dict):
        return None
    index = next((n for n, body in enumerate(listed) if body is statement.body), None)
    if index is None:
        return None
    sid = statement.body.get("Sid")
    return {"op": "condition", "statement": index, "sid": sid if isinstance(sid, str) else None}


def tested_key(statement: Statement, key: str) -> Optional[Tuple[str, str]]:
    """(operator, key as written) of the statement's condition on ``key`` (any case), if one."""
    condition = statement.body.get("Condition") if isinstance(statement.body, dict) else None
    for operator, tested in (condition or {}).items() if isinstance(condition, dict) else ():
        for written in tested if isinstance(tested, dict) else ():
            if str(written).lower() == key:
                return str(operator), str(written)
    return None


def free_sid(document: Any, base: str) -> str:
    """A Sid the document does not use yet (a policy's Sids are unique)."""
    listed = document.get("Statement") if isinstance(document, dict) else None
    used = {
        b.get("Sid") for b in (listed if isinstance(listed, list) else []) if isinstance(b, dict)
    }
    number = 1
    sid = base
    while sid in used:
        number += 1
        sid = f"{base}{number}"
    return sid


def value_item(value: Any, at: Location) -> Optional[Dict[str, Any]]:
    """A value a fix writes into a document of ``at``'s file: literal text, or a reference to
    an entity of the same template or Terraform root (None where it cannot name it)."""
    if isinstance(value, str):
        return {"text": value}
    if not isinstance(value, Handle) or value.attribute:
        return None
    logical_id = keys.cfn_logical_id(at.file, value.key)
    if logical_id is not None:
        return {"ref": logical_id}
    in_root = keys.tf_root_resource(os.path.dirname(at.file), "")
    address = (
        keys.tf_root_address(os.path.dirname(at.file), value.key)
        if value.key.startswith(in_root)
        else None
    )
    if address is not None and "[" not in address and not address.startswith("module."):
        return {"ref": address, "expression": f"{address}.id"}
    return None


def merge_edit(edits: List[Dict[str, Any]], edit: Dict[str, Any]) -> None:
    """``edit`` added to ``edits``, its values joined to an edit of the same key of the same
    statement (one change to one condition)."""
    same = ("statement", "sid", "operator", "key")
    for earlier in edits:
        if all(earlier.get(name) == edit.get(name) for name in same):
            earlier["values"] += [v for v in edit["values"] if v not in earlier["values"]]
            return
    edits.append(edit)
