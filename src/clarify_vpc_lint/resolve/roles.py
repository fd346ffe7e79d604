"""What a Clarify job's execution role may do (CVL503): the role of its ``RoleArn`` with every
policy the inputs attach to it, and AWS managed policies from the shipped table, evaluated by
``iam.py`` on the requests the role makes (``calls.py``).

A job whose role is not in the inputs at all is not judged: no IAM data, nothing to say (an
``info`` on every job would only be noise). A role in the inputs with a policy that is not (a
customer managed policy by ARN, a document built at run time) is judged as far as it goes: what
that policy would allow is unknown.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from msgspec import Struct, field

from .. import keys, managed_policies
from ..iam import allows, evaluate
from ..logic import Fact, any_of, negate
from ..model import Job, Network, Policy, Role
from ..values import Handle, Unknown, dig
from .calls import ROLE, Call


class RolePolicies(Struct):
    """The documents that decide what a role may do, each with a name for messages."""

    identity: List[Tuple[str, Any]] = field(default_factory=list)
    boundary: Optional[List[Tuple[str, Any]]] = None


class Roles:
    """The roles of a run and the policies attached to them, found by reference."""

    def __init__(self, network: Network) -> None:
        self.roles: Dict[str, Role] = {}
        for role in network.roles:
            for key in role.keys:
                self.roles.setdefault(key, role)
        self.managed: Dict[str, Policy] = {}
        for policy in network.policies:
            for key in policy.keys:
                self.managed.setdefault(key, policy)
        self.attachments = network.role_attachments

    def find(self, ref: Any) -> Optional[Role]:
        if isinstance(ref, Handle):
            return self.roles.get(ref.key)
        if isinstance(ref, str):
            arn_key = keys.role_name_of_arn(ref)
            candidates = [arn_key] if arn_key else [keys.role_name(ref), *keys.lookups(ref)]
            return next((self.roles[k] for k in candidates if k in self.roles), None)
        return None

    def policies_of(self, role: Role) -> RolePolicies:
        found = RolePolicies()
        name = role.loc.resource
        for number, document in enumerate(role.inline):
            found.identity.append((f"{name} inline policy {number + 1}", document))
        managed = role.managed if isinstance(role.managed, list) else [role.managed]
        for ref in managed:
            found.identity.append(self._managed(ref, name))
        for attachment in self.attachments:
            if self.find(attachment.role) is not role:
                continue
            if attachment.policy is None:
                found.identity.append((f"a policy attached to {name}", attachment.document))
            else:
                found.identity.append(self._managed(attachment.policy, name))
        if role.boundary is not None:
            found.boundary = [self._managed(role.boundary, name)]
        return found

    def boundary_policy(self, role: Role) -> Optional[Policy]:
        """The role's permissions boundary where the inputs define it (a fix edits it there)."""
        ref = role.boundary
        if isinstance(ref, Handle):
            return self.managed.get(ref.key)
        if isinstance(ref, str):
            return self.managed.get(keys.policy_arn(ref))
        return None

    def _managed(self, ref: Any, role: str) -> Tuple[str, Any]:
        if isinstance(ref, Unknown):
            return (f"a managed policy of {role}", ref)
        if isinstance(ref, Handle):
            policy = self.managed.get(ref.key)
            if policy is not None:
                return (policy.loc.resource, policy.document)
            return (ref.key, Unknown(f"a managed policy of {role} is not in the inputs"))
        if isinstance(ref, str):
            listed = self.managed.get(keys.policy_arn(ref))
            if listed is not None:
                return (listed.loc.resource, listed.document)
            table = managed_policies.known(ref)
            if table is not None:
                return (f"{ref} ({table['version']})", table["document"])
            return (
                ref,
                Unknown(f"{ref} is not in the inputs nor in the AWS managed policies table"),
            )
        return (f"a managed policy of {role}", Unknown("a managed policy ARN is not text"))


class RoleVerdict(Struct):
    """What a job's role may do of the requests it makes."""

    role: Optional[Role]  # None: the job's role is not in the inputs, nothing is judged
    # (call, allowed, granted: an Allow of its policies applies) for each request the role makes
    calls: List[Tuple[Call, Fact, Fact]] = field(default_factory=list)

    @property
    def missing(self) -> Fact:
        """Does the role lack a permission the job needs?"""
        return any_of(negate(allowed) for _, allowed, _ in self.calls)

    def ungranted(self) -> List[Call]:
        """The calls the role may not make for sure, else those it may not make: what a fix's
        one statement must allow."""
        sure = [call for call, allowed, _ in self.calls if allowed is False]
        return sure or [call for call, allowed, _ in self.calls if allowed is not True]

    def bounded(self) -> bool:
        """Do the role's own policies grant every call it may not make (so that only its
        permissions boundary, or a Deny, stands in the way)?"""
        missing = self.ungranted()
        return bool(missing) and all(
            granted is True for call, _, granted in self.calls if call in missing
        )


def judge(job: Job, calls: List[Call], roles: Roles) -> RoleVerdict:
    """The job's role against its ``calls`` (``job_calls``, with its model's)."""
    role = roles.find(dig(job.request, "RoleArn"))
    if role is None:
        return RoleVerdict(None)
    found = roles.policies_of(role)
    verdict = RoleVerdict(role)
    for call in calls:
        if call.by != ROLE:
            continue
        decided = evaluate(call.request, identity=found.identity, boundary=found.boundary)
        granted = allows(found.identity, call.request)
        verdict.calls.append((call, decided.allowed, granted))
    return verdict
