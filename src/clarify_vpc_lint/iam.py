"""AWS's policy evaluation logic, offline and three-valued.

One request (an action on a resource, by a principal, with its condition keys) meets the policies
that apply to it. Each answer is True, False or ``Unknown`` naming what the inputs do not hold: a
condition on a key whose value the request does not describe, a policy variable, a member built at
run time. Evaluation, as AWS documents it ("Policy evaluation logic"):

- an explicit ``Deny`` in any policy wins;
- service control policies are guardrails: beside AWS's default ``FullAWSAccess`` a request an
  SCP does not mention is not denied by it, unless the inputs say an allow-list replaces it;
- a permissions boundary, like a VPC endpoint policy, must also allow the request;
- an identity policy or a resource policy allows it.

Statements match by ``Action``/``NotAction`` (case-insensitive wildcards), ``Resource``/
``NotResource``, ``Principal``/``NotPrincipal`` (resource policies) and ``Condition`` (every
operator and key ANDed, a key's values ORed; ``...IfExists``, ``Null``, ``ForAnyValue:``,
``ForAllValues:``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from msgspec import Struct, field

from .logic import Fact, all_of, any_of, negate
from .values import Handle, Unknown

ABSENT = None  # a condition key the request is known not to carry


class Arn(Struct, frozen=True):
    """A resource ARN with parts the inputs may not hold: ``None`` for an unknown part (the
    account of a template's resources), and a name of which only the start is known when
    ``prefix`` (the shadow endpoint ``sagemaker-clarify-endpoint-...``)."""

    partition: Optional[str]
    service: str
    region: Optional[str]
    account: Optional[str]
    name: str  # resource-type/name
    prefix: bool = False

    def __str__(self) -> str:
        parts = [self.partition, self.service, self.region, self.account]
        shown = ":".join(part if part is not None else "?" for part in parts)
        return f"arn:{shown}:{self.name}{'*' if self.prefix else ''}"


class Request(Struct, frozen=True):
    """One API request: ``context`` maps lower-case condition keys to the value the request
    carries (a string, number, bool, or a list for multivalued keys), ``ABSENT`` for a key it is
    known not to carry, or Unknown; a key not listed is unknown (the inputs do not say)."""

    action: str  # service:Action
    resource: Any  # an ARN, "*" for actions without resource types, or Unknown
    principal: Any = None  # the caller's ARN, or Unknown / None where not known
    context: Dict[str, Any] = field(default_factory=dict)
    multivalued: Tuple[str, ...] = ()  # lower-case keys that carry a set of values


class Statement(Struct, frozen=True):
    """A statement of a named policy, and how a message names it."""

    policy: str
    label: str  # its Sid, else "statement N"
    body: Any


class Verdict(Struct):
    """What the policies do with a request."""

    allowed: Fact
    # statements that deny it (True) or may (Unknown), with that fact
    denials: List[Tuple[Statement, Fact]] = field(default_factory=list)
    # the policy layers that must allow it and do not (False) or may not (Unknown)
    not_allowed_by: List[Tuple[str, Fact]] = field(default_factory=list)


def statements(document: Any, policy: str) -> Any:
    """The statements of a policy document, or Unknown when they are built at run time."""
    if isinstance(document, Unknown):
        return document
    if not isinstance(document, dict):
        return Unknown(f"{policy} is not a policy document")
    return _listed_statements(_Same(document), policy)


class _Same:
    """A document as a cache key by identity: a policy is judged against every request of every
    job (12,639 times over 200 templates), and its statements are listed once. The key holds
    the document, so the ID it hashes by cannot be reused while the entry lives."""

    __slots__ = ("document",)

    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.document is self.document


@lru_cache(maxsize=1024)
def _listed_statements(same: _Same, policy: str) -> Any:
    found = same.document.get("Statement")
    if isinstance(found, Unknown):
        return Unknown(f"the statements of {policy} are built at run time: {found.reason}")
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list):
        return ()
    listed = []
    for number, body in enumerate(found, 1):
        sid = body.get("Sid") if isinstance(body, dict) else None
        label = f"statement {sid}" if isinstance(sid, str) and sid else f"statement {number}"
        listed.append(Statement(policy, label, body))
    return tuple(listed)


def effect(statement: Statement) -> Any:
    """ "Allow", "Deny", or Unknown."""
    body = statement.body
    if isinstance(body, Unknown):
        return Unknown(f"a statement of {statement.policy} is built at run time: {body.reason}")
    value = body.get("Effect") if isinstance(body, dict) else None
    if isinstance(value, Unknown):
        return Unknown(f"the Effect of {statement.policy} {statement.label} is built at run time")
    return value


def matches(statement: Statement, request: Request, resource_policy: bool = False) -> Fact:
    """Does the statement apply to the request (its effect aside)?"""
    body = statement.body
    if isinstance(body, Unknown):
        return Unknown(f"a statement of {statement.policy} is built at run time: {body.reason}")
    if not isinstance(body, dict):
        return False
    where = f"{statement.policy} {statement.label}"
    # a statement whose action differs needs no look at its resources or conditions
    action = _action(body, request.action, where)
    if action is False:
        return False
    resource = _resource(body, request.resource, where)
    if resource is False:
        return False
    results = [action, resource]
    if resource_policy:
        principal = _principal(body, request.principal, where)
        if principal is False:
            return False
        results.append(principal)
    results.append(condition_holds(body.get("Condition"), request, where))
    return all_of(results)


def denials(policies: Iterable[Tuple[str, Any]], request: Request, resource_policy: bool = False):
    """The Deny statements of the named documents that deny (True) or may deny (Unknown)."""
    found: List[Tuple[Statement, Fact]] = []
    for name, document in policies:
        listed = statements(document, name)
        if isinstance(listed, Unknown):
            found.append((Statement(name, "its statements", listed), listed))
            continue
        for statement in listed:
            kind = effect(statement)
            if kind == "Allow":
                continue
            applies = matches(statement, request, resource_policy)
            if applies is False:
                continue
            if isinstance(kind, Unknown):
                applies = all_of([applies, kind])
            elif kind != "Deny":
                continue
            found.append((statement, applies))
    return found


def allows(policies: Iterable[Tuple[str, Any]], request: Request, resource_policy: bool = False):
    """Does an Allow statement of the documents apply to the request?"""
    results: List[Fact] = []
    for name, document in policies:
        listed = statements(document, name)
        if isinstance(listed, Unknown):
            results.append(listed)
            continue
        for statement in listed:
            kind = effect(statement)
            if kind == "Deny" or (kind != "Allow" and not isinstance(kind, Unknown)):
                continue
            applies = matches(statement, request, resource_policy)
            results.append(applies if kind == "Allow" else all_of([applies, kind]))
            if results[-1] is True:
                return True
    return any_of(results)


def evaluate(
    request: Request,
    identity: Sequence[Tuple[str, Any]] = (),
    resource: Sequence[Tuple[str, Any]] = (),
    boundary: Optional[Sequence[Tuple[str, Any]]] = None,
    scps: Sequence[Tuple[str, Any]] = (),
    scp_allow_list: bool = False,
    gates: Sequence[Tuple[str, Any]] = (),
) -> Verdict:
    """AWS's decision for a request within one account.

    ``identity``: the caller's identity policies; ``resource``: the resource's policies (a bucket
    policy); ``boundary``: the caller's permissions boundary (None: it has none); ``scps``: the
    SCPs that apply, ``scp_allow_list`` when they replace ``FullAWSAccess``; ``gates``: policies
    that must each allow the request and grant nothing (a VPC endpoint policy).
    """
    denied = denials(identity, request) + denials(resource, request, resource_policy=True)
    for layer in (boundary or (), scps, gates):
        denied += denials(layer, request, resource_policy=layer is gates)
    not_allowed: List[Tuple[str, Fact]] = []
    if boundary is not None:
        not_allowed.append(("the permissions boundary", allows(boundary, request)))
    if scp_allow_list:
        not_allowed.append(("the service control policies", allows(scps, request)))
    for name, document in gates:
        not_allowed.append((name, allows([(name, document)], request, resource_policy=True)))
    granted = any_of([allows(identity, request), allows(resource, request, resource_policy=True)])
    not_allowed = [(name, negate(fact)) for name, fact in not_allowed if fact is not True]
    allowed = all_of(
        [
            granted,
            *(negate(fact) for _, fact in denied),
            *(negate(fact) for _, fact in not_allowed),
        ]
    )
    if granted is not True:
        not_allowed.insert(0, ("the identity and resource policies", negate(granted)))
    return Verdict(allowed, denied, not_allowed)


# -- Action, Resource, Principal -------------------------------------------------------------------


def _listed(value: Any) -> list:
    """A policy member's values: one value or a list of them."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcards: ``*`` any run of characters, ``?`` one character; nothing else is special.

    The pieces between the ``*`` are matched left to right, each at its first place after the
    one before (the earliest leaves the most room for the rest): one search each, where a
    single regular expression of many ``*`` backtracks without end (``*a`` ten times against
    40 characters took 53 s)."""
    pieces = _pieces(pattern, ignore_case)
    if len(pieces) == 1:
        return pieces[0].expression.fullmatch(value) is not None
    first, *middle, last = pieces
    if first.expression.match(value) is None:
        return False
    at = first.width
    for piece in middle:
        found = piece.expression.search(value, at)
        if found is None:
            return False
        at = found.end()
    start = len(value) - last.width  # the last piece ends the value
    return start >= at and last.expression.fullmatch(value, start) is not None


class _Piece(NamedTuple):
    """A run of a pattern between its ``*``: ``?`` and literal characters, each matching one."""

    expression: re.Pattern[str]
    width: int


@lru_cache(maxsize=4096)
def _pieces(pattern: str, ignore_case: bool) -> Tuple[_Piece, ...]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return tuple(
        _Piece(re.compile("".join("." if c == "?" else re.escape(c) for c in run), flags), len(run))
        for run in pattern.split("*")
    )


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}


def _with_variables(text: str, request: Request, where: str) -> Any:
    """A policy string with its variables replaced from the request, or Unknown."""
    if "${" not in text:
        return text
    missing: List[str] = []

    def replace(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in _LITERAL_VARIABLES:
            return _LITERAL_VARIABLES[name]
        value = request.context.get(name.split(",")[0].strip().lower())
        if isinstance(value, str):
            return value
        missing.append(name)
        return ""

    replaced = _VARIABLE.sub(replace, text)
    if missing:
        return Unknown(f"{where} uses the policy variable ${{{missing[0]}}}, not known offline")
    return replaced


def _action(body: dict, action: str, where: str) -> Fact:
    if "Action" in body:
        return _any_pattern(body["Action"], action, True, f"the Action of {where}")
    if "NotAction" in body:
        return negate(_any_pattern(body["NotAction"], action, True, f"the NotAction of {where}"))
    return False  # a statement without either is invalid: AWS rejects the policy


def _any_pattern(patterns: Any, value: Any, ignore_case: bool, what: str) -> Fact:
    results: List[Fact] = []
    for pattern in _listed(patterns):
        if isinstance(pattern, Unknown):
            results.append(Unknown(f"{what} is built at run time: {pattern.reason}"))
        elif not isinstance(pattern, str):
            continue
        elif isinstance(value, Unknown):
            results.append(True if pattern == "*" else value)
        else:
            results.append(wildcard(pattern, value, ignore_case))
    return any_of(results)


def _resource(body: dict, resource: Any, where: str) -> Fact:
    if "Resource" in body:
        return _any_arn(body["Resource"], resource, f"the Resource of {where}")
    if "NotResource" in body:
        return negate(_any_arn(body["NotResource"], resource, f"the NotResource of {where}"))
    return True  # endpoint and bucket policies may leave it out of a statement


def _any_arn(patterns: Any, resource: Any, what: str) -> Fact:
    if isinstance(patterns, Unknown):
        return Unknown(f"{what} is built at run time: {patterns.reason}")
    results: List[Fact] = []
    for pattern in _listed(patterns):
        if isinstance(pattern, Unknown):
            unknown = Unknown(f"{what} is built at run time: {pattern.reason}")
            results.append(_partly_known(pattern, resource, unknown))
        elif not isinstance(pattern, str):
            continue
        elif pattern == "*":
            return True
        elif isinstance(resource, Unknown):
            results.append(resource)
        elif "${" in pattern:
            results.append(Unknown(f"{what} uses a policy variable, not known offline"))
        else:
            results.append(arn_like(pattern, resource))
        if results and results[-1] is True:
            return True
    return any_of(results)


def _partly_known(pattern: Unknown, resource: Any, unknown: Unknown) -> Fact:
    """A pattern with unknown parts (``arn:aws:s3:::${Bucket}/*``) cannot match a resource that
    it cannot match whatever those parts are (each read as ``*``); else it is unknown."""
    if "${" not in pattern.text or isinstance(resource, Unknown):
        return unknown
    widest = _VARIABLE.sub("*", pattern.text)
    return False if arn_like(widest, resource) is False else unknown


def arn_like(pattern: str, arn: Any) -> Fact:
    """ArnLike: the six colon-separated parts matched one by one (the last may hold colons)."""
    if isinstance(arn, Arn):
        return _arn_parts_like(pattern, arn)
    wanted, given = pattern.split(":", 5), str(arn).split(":", 5)
    if len(wanted) != len(given):
        return wildcard(pattern, str(arn))
    return all(wildcard(w, g) for w, g in zip(wanted, given, strict=False))


def _arn_parts_like(pattern: str, arn: Arn) -> Fact:
    wanted = pattern.split(":", 5)
    if len(wanted) != 6 or wanted[0] != "arn":
        return wildcard(pattern, str(arn)) if pattern in ("*", "arn:*") else False
    results: List[Fact] = []
    for want, part, what in zip(
        wanted[1:5],
        (arn.partition, arn.service, arn.region, arn.account),
        ("partition", "service", "Region", "account"),
        strict=False,
    ):
        if part is not None:
            results.append(wildcard(want, part))
        elif set(want) != {"*"}:
            results.append(Unknown(f"{pattern} names a {what} the inputs do not give for {arn}"))
        if results and results[-1] is False:
            return False
    results.append(_name_like(wanted[5], arn))
    return all_of(results)


def _name_like(want: str, arn: Arn) -> Fact:
    if not arn.prefix:
        return wildcard(want, arn.name)
    if want.endswith("*") and wildcard(want, arn.name):
        return True  # whatever follows the known start, the trailing * takes it
    if any(wildcard(want[:end], arn.name) for end in range(len(want) + 1)):
        return Unknown(f"{want} admits some names that begin {arn.name}, not all")
    return False


def _principal(body: dict, principal: Any, where: str) -> Fact:
    if "Principal" in body:
        return _names_principal(body["Principal"], principal, f"the Principal of {where}")
    if "NotPrincipal" in body:
        what = f"the NotPrincipal of {where}"
        return negate(_names_principal(body["NotPrincipal"], principal, what))
    return True  # an endpoint policy statement without Principal applies to everyone


def _names_principal(value: Any, principal: Any, what: str) -> Fact:
    if value == "*":
        return True
    if isinstance(value, Unknown):
        return Unknown(f"{what} is built at run time: {value.reason}")
    if not isinstance(value, dict):
        return False
    results: List[Fact] = []
    for kind, names in value.items():
        for name in _listed(names):
            if isinstance(name, Unknown):
                results.append(Unknown(f"{what} is built at run time: {name.reason}"))
            elif kind != "AWS" or not isinstance(name, str):
                continue  # a service or federated principal is not an IAM role's session
            elif name == "*":
                return True
            elif principal is None or isinstance(principal, Unknown):
                results.append(
                    principal
                    if isinstance(principal, Unknown)
                    else Unknown(f"{what} names {name}; the caller is not known")
                )
            else:
                results.append(_same_principal(name, principal))
    return any_of(results)


def _same_principal(name: str, arn: str) -> bool:
    account = arn.split(":")[4] if arn.count(":") >= 5 else ""
    if name == account or name == f"arn:{arn.split(':')[1]}:iam::{account}:root":
        return True  # an account principal: every principal of that account
    return name == arn


# -- Condition ------------------------------------------------------------------------------------

_STRING = {
    "StringEquals": (False, False, False),  # (negated, like, ignore case)
    "StringNotEquals": (True, False, False),
    "StringEqualsIgnoreCase": (False, False, True),
    "StringNotEqualsIgnoreCase": (True, False, True),
    "StringLike": (False, True, False),
    "StringNotLike": (True, True, False),
}
_ARN = {"ArnEquals": False, "ArnLike": False, "ArnNotEquals": True, "ArnNotLike": True}
_NUMERIC = {
    "NumericEquals": (False, lambda a, b: a == b),
    "NumericNotEquals": (True, lambda a, b: a == b),
    "NumericLessThan": (False, lambda a, b: a < b),
    "NumericLessThanEquals": (False, lambda a, b: a <= b),
    "NumericGreaterThan": (False, lambda a, b: a > b),
    "NumericGreaterThanEquals": (False, lambda a, b: a >= b),
}
_IP = {"IpAddress": False, "NotIpAddress": True}


def condition_holds(condition: Any, request: Request, where: str) -> Fact:
    """Every operator's every key must hold (IAM ANDs them); a key's values are ORed."""
    if condition is None:
        return True
    if isinstance(condition, Unknown):
        return Unknown(f"the Condition of {where} is built at run time: {condition.reason}")
    if not isinstance(condition, dict):
        return False
    results: List[Fact] = []
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            results.append(Unknown(f"the condition {operator} of {where} is built at run time"))
            continue
        for key, values in keys.items():
            result = _key_holds(str(operator), str(key), values, request, where)
            if result is False:
                return False
            results.append(result)
    return all_of(results)


def _key_holds(operator: str, key: str, values: Any, request: Request, where: str) -> Fact:
    name = key.lower()
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists") and base != "Null"
    base = base[: -len("IfExists")] if if_exists else base
    what = f"{operator} on {key} in {where}"
    wanted = _listed(values)
    if isinstance(values, Unknown) or any(isinstance(v, Unknown) for v in wanted):
        return Unknown(f"the values of {what} are built at run time")
    given = request.context.get(name, Unknown(""))
    if isinstance(given, Unknown):
        reason = given.reason or "the inputs do not say what the request carries"
        return Unknown(f"{what}: {reason}")
    if base == "Null":
        return (given is ABSENT or given == []) == ("true" in [str(v).lower() for v in wanted])
    test = _test(base, what)
    if isinstance(test, Unknown):
        return test
    compare, negated = test
    wanted = [_with_variables(v, request, where) if isinstance(v, str) else v for v in wanted]
    unknown = next((v for v in wanted if isinstance(v, Unknown)), None)
    if unknown is not None:
        return unknown
    if qualifier in ("ForAllValues", "ForAnyValue"):
        members = [] if given is ABSENT else given if isinstance(given, list) else [given]
        if not members:  # an absent or empty key: AWS's documented edge cases
            return qualifier == "ForAllValues"
        each = [_one(compare, negated, member, wanted) for member in members]
        return all_of(each) if qualifier == "ForAllValues" else any_of(each)
    if qualifier:
        return Unknown(f"{what}: the qualifier {qualifier} is not one AWS defines")
    if given is ABSENT:  # a key the request lacks: only IfExists and negated operators hold
        return if_exists or negated
    if isinstance(given, list) or name in request.multivalued:
        return Unknown(f"{what}: a single-valued operator on a multivalued key")
    return _one(compare, negated, given, wanted)


def _one(compare, negated: bool, value: Any, wanted: List[Any]) -> Fact:
    """A single value against the condition's values: any match (none, for a negated operator)."""
    if isinstance(value, Unknown):
        return Unknown(f"a value the request carries is not known: {value.reason}")
    found = any_of(
        compare(value, w)
        if isinstance(value, Handle) == isinstance(w, Handle)
        else Unknown("an ID that is known only once its resource exists")
        for w in wanted
    )
    return negate(found) if negated else found


def _test(base: str, what: str) -> Any:
    """(compare(request value, policy value) -> Fact, negated), or Unknown for an operator that
    is not evaluated offline (dates, binary)."""
    if base in _STRING:
        negated, like, ignore_case = _STRING[base]

        def compare_string(value: Any, wanted: Any) -> Fact:
            value, wanted = _text(value), _text(wanted)
            if like:
                return wildcard(wanted, value)
            return value.lower() == wanted.lower() if ignore_case else value == wanted

        return compare_string, negated
    if base in _ARN:
        return (lambda value, wanted: arn_like(_text(wanted), _text(value))), _ARN[base]
    if base == "Bool":
        return (lambda value, wanted: _text(value).lower() == _text(wanted).lower()), False
    if base in _NUMERIC:
        negated, relation = _NUMERIC[base]

        def compare_number(value: Any, wanted: Any) -> Fact:
            try:
                return relation(float(value), float(wanted))
            except (TypeError, ValueError):
                return Unknown(f"{what}: {value!r} or {wanted!r} is not a number")

        return compare_number, negated
    if base in _IP:

        def compare_address(value: Any, wanted: Any) -> Fact:
            try:
                return ipaddress.ip_address(str(value)) in ipaddress.ip_network(
                    str(wanted), strict=False
                )
            except ValueError:
                return Unknown(f"{what}: {value!r} or {wanted!r} is not an address")

        return compare_address, _IP[base]
    return Unknown(f"{what}: the operator is not evaluated offline")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
