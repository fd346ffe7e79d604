"""Job facts about the job's execution role (CVL503); the evaluation is ``resolve/roles.py``."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from ...facts import fact
from ...iam import allows, denials
from ...logic import Fact
from ..calls import resource_pattern
from ..network import Resolver
from ..policies import fix_payload, fix_target, free_sid
from ..roles import Roles, RoleVerdict, judge
from .job_model import requests_of
from .subject import by_rule


def _verdict(view: Any) -> RoleVerdict:
    """Judged once per job view (both facts and the message read it)."""
    if "role_verdict" not in view.__dict__:
        calls = requests_of(view.job, view.resolver)
        view.role_verdict = judge(view.job, calls, _roles(view.resolver))
    return view.role_verdict


def _roles(resolver: Resolver) -> Roles:
    """One index of roles per run, kept on its resolver."""
    if "roles" not in resolver.__dict__:
        resolver.roles = Roles(resolver.network)
    return resolver.roles


@fact("jobs", "role_in_inputs", "the job's execution role (RoleArn) is defined in the inputs")
def _job_role_in_inputs(view: Any) -> Fact:
    return _verdict(view).role is not None


@fact(
    "jobs",
    "role_lacks_clarify_permissions",
    "the execution role, with the policies attached to it, does not allow a request the job "
    "makes with it (network interfaces, the shadow endpoint, its model, its S3 data)",
)
def _job_role_lacks_clarify_permissions(view: Any) -> Fact:
    return _verdict(view).missing


def role_names(view: Any) -> Dict[str, Any]:
    verdict = _verdict(view)
    missing = verdict.ungranted()
    actions: List[str] = []
    by_purpose: Dict[str, List[str]] = {}
    for call in missing:
        if call.request.action not in actions:
            actions.append(call.request.action)
        listed = by_purpose.setdefault(call.purpose, [])
        if call.request.action not in listed:
            listed.append(call.request.action)
    role = verdict.role.loc.resource if verdict.role else "(not in the inputs)"
    place = f"a policy of {role} (inline, or one attached to it)"
    outside = ""
    if verdict.role is not None and verdict.role.boundary is not None and verdict.bounded():
        boundary = _roles(view.resolver).policies_of(verdict.role).boundary[0][0]
        place = f"{boundary}, the permissions boundary of {role}"
        outside = f" (outside its permissions boundary {boundary})"
    return {
        "role": role,
        "statement_place": place,
        "missing_detail": "; ".join(
            f"{', '.join(listed)} (the job {purpose})" for purpose, listed in by_purpose.items()
        )
        + outside
        or "(none)",
        "statement_actions": _yaml_list(actions),
        "statement_resources": _yaml_list(_resources(missing)),
        "fix_adds": by_rule(_fix(view, verdict)),
    }


def _fix(view: Any, verdict: RoleVerdict) -> tuple:
    """CVL503's fix: one Allow statement in a policy of the role for what no policy of it
    grants, and one in its permissions boundary (when the inputs hold it) for what the boundary
    does not allow. An explicit Deny, or a boundary outside the inputs, is what it needs."""
    role = verdict.role
    if role is None or verdict.missing is not True:
        return ()
    roles = _roles(view.resolver)
    found = roles.policies_of(role)
    identity, boundary = [], []
    for call, allowed, granted in verdict.calls:
        if allowed is True:
            continue
        layers = [*found.identity, *(found.boundary or [])]
        if any(fact is not False for _, fact in denials(layers, call.request)):
            return (
                fix_payload(
                    "CVL503",
                    [],
                    f"a Deny stops {call.request.action}: an exception in its condition",
                ),
            )
        if granted is not True:
            identity.append(call)
        if found.boundary is not None and allows(found.boundary, call.request) is not True:
            boundary.append(call)
    targets = []
    if identity:
        first = role.inline[0] if role.inline else None
        statement = _statement(identity, free_sid(first, "ClarifyJob"))
        if role.loc.language.startswith("terraform"):
            address = role.loc.resource
            if not re.fullmatch(r"aws_iam_role\.[A-Za-z0-9_-]+", address):
                needs = f"{address} is made by a module, count or for_each: add the statement to a policy of it by hand"
                return (fix_payload("CVL503", [], needs),)
            names = ["clarify_job", f"{address.split('.')[1]}_clarify_job"]
            edit = {"op": "role-policy", "names": names, "role": address, "add": statement}
        else:
            edit = {"op": "statement", "add": statement}
        targets.append(fix_target(role.loc, [edit]))
    if boundary:
        policy = roles.boundary_policy(role)
        if policy is None:
            needs = "the role's permissions boundary is not in the inputs: allow the actions there"
            return (fix_payload("CVL503", [], needs),)
        statement = _statement(boundary, free_sid(policy.document, "ClarifyJob"))
        targets.append(fix_target(policy.loc, [{"op": "statement", "add": statement}]))
    return (fix_payload("CVL503", targets),)


def _statement(calls: List[Any], sid: str) -> Dict[str, Any]:
    actions = list(dict.fromkeys(call.request.action for call in calls))
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": _resources(calls)}


def _resources(calls: List[Any]) -> List[str]:
    found = list(dict.fromkeys(resource_pattern(call.request.resource) for call in calls))
    return ["*"] if "*" in found else found


def _yaml_list(values: List[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"
