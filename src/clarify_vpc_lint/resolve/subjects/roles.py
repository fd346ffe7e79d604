"""Job facts about the job's execution role (CVL503); the evaluation is ``resolve/roles.py``."""

from __future__ import annotations

from typing import Any, Dict, List

from ...facts import fact
from ...logic import Fact
from ...model import Model
from ..calls import resource_pattern
from ..network import Resolver
from ..roles import Roles, RoleVerdict, judge
from .job_model import find_model


def _verdict(view: Any) -> RoleVerdict:
    """Judged once per job view (both facts and the message read it)."""
    if "role_verdict" not in view.__dict__:
        model = find_model(view.job.model, view.resolver) if view.job.model is not None else None
        model = model if isinstance(model, Model) else None
        view.role_verdict = judge(view.job, model, _roles(view.resolver), view.resolver.region)
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
    return {
        "role": verdict.role.loc.resource if verdict.role else "(not in the inputs)",
        "missing_detail": "; ".join(
            f"{', '.join(listed)} (the job {purpose})" for purpose, listed in by_purpose.items()
        )
        or "(none)",
        "statement_actions": _yaml_list(actions),
        "statement_resources": _yaml_list(_resources(missing)),
    }


def _resources(calls: List[Any]) -> List[str]:
    found = list(dict.fromkeys(resource_pattern(call.request.resource) for call in calls))
    return ["*"] if "*" in found else found


def _yaml_list(values: List[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"
