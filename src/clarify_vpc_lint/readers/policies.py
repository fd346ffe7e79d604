"""IAM policy documents as the readers find them: a mapping, or the JSON text of one; and policy
files (a bare document, or the AWS CLI output holding one) as an input format of their own.

CloudFormation accepts a policy document as an object or as a JSON string; Terraform always holds
one as a string (``jsonencode``, ``data.aws_iam_policy_document.x.json``, a heredoc). Either way
``policy`` parses it once, so the evaluation in ``resolve/policies.py`` sees one shape.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, List
from urllib.parse import unquote

from .. import keys as keys_
from ..documents import Document
from ..model import Location, Network, Policy, Role
from ..values import Handle, Unknown, dig, items

SCP = "service control policy"
IDENTITY = "identity policy"
BOUNDARY = "permissions boundary"


def document_of(value: Any, what: str) -> Any:
    """A policy document (dict), or Unknown naming why it is not known."""
    if isinstance(value, Unknown):
        if isinstance(value.encodes, dict):  # JSON text around unknown parts: read what is known
            return _known_parts(value.encodes, value.reason)
        return Unknown(f"{what} is built at run time: {value.reason}", value.text)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: nested past Python's stack
            return Unknown(f"{what} is not JSON")
    if isinstance(value, dict):
        return value
    return Unknown(f"{what} is not a policy document")


def _known_parts(value: Any, reason: str) -> Any:
    """A partly known document: plain JSON kept, anything else (a reference to a value known
    only after apply, an Unknown) becomes Unknown."""
    if isinstance(value, dict):
        return {str(key): _known_parts(item, reason) for key, item in value.items()}
    if isinstance(value, list):
        return [_known_parts(item, reason) for item in value]
    if isinstance(value, Unknown):
        return value
    if value is None or isinstance(value, (str, int, float, bool, Handle)):
        return value  # a reference stays one: a policy may compare it with another
    return Unknown(reason)


def policy(value: Any, loc: Location, kind: str, what: str) -> Policy:
    return Policy(loc, kind, document_of(value, what))


def is_service_control_policy(policy_type: Any) -> bool:
    """Organizations policy types: only SERVICE_CONTROL_POLICY denies API calls. Terraform's
    default type is that one; an unknown type is read as one (other types have no statements)."""
    return (
        policy_type is None
        or isinstance(policy_type, Unknown)
        or (policy_type == "SERVICE_CONTROL_POLICY")
    )


# -- policy files: a bare document, or the AWS CLI output that holds one -----------------------------


def is_policy_file(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if "Statement" in data and "Version" in data:  # a bare policy document
        return True
    return any(_has_shape(data, shape) for shape in _FILE_SHAPES)


# (path to the document, path to its name, kind): `aws organizations describe-policy`,
# `aws iam get-policy-version`, `aws iam get-role-policy` (user and group alike)
_FILE_SHAPES = (
    (("Policy", "Content"), ("Policy", "PolicySummary", "Name"), SCP),
    (("PolicyVersion", "Document"), ("PolicyVersion", "VersionId"), IDENTITY),
    (("PolicyDocument",), ("PolicyName",), IDENTITY),
)


def _has_shape(data: Any, shape: tuple) -> bool:
    """The CLI output ``shape`` describes: it holds a document and its name."""
    return dig(data, *shape[0]) is not None and dig(data, *shape[1]) is not None


def read_policy_file(document: Document) -> Network:
    network = Network()
    data = document.data
    if "Statement" in data:
        path, name, kind, value = ("Statement",), os.path.basename(document.path), IDENTITY, data
    else:
        shape = next(s for s in _FILE_SHAPES if _has_shape(data, s))
        path, kind, value = shape[0], shape[2], dig(data, *shape[0])
        name = str(dig(data, *shape[1]) or os.path.basename(document.path))
        if kind == SCP and not is_service_control_policy(
            dig(data, "Policy", "PolicySummary", "Type")
        ):
            return network
        if isinstance(value, str) and value.startswith("%7B"):  # IAM returns URL-encoded JSON
            value = unquote(value)
    line, column = document.locate(path)
    loc = Location(document.path, line, column, name, "api")
    network.policies.append(policy(value, loc, kind, f"the policy in {document.path}"))
    return network


# -- roles (CVL503) ----------------------------------------------------------------------------------


def role(
    loc: Location, keys: List[str], name: Any, inline: List[Any], managed: Any, boundary: Any
) -> Role:
    """A role as a template or plan writes it; its name is a key jobs' RoleArn finds it by."""
    if isinstance(name, str) and name:
        keys = [*keys, keys_.role_name(name)]
    if not isinstance(managed, (list, Unknown)):
        managed = [] if managed is None else Unknown("the role's managed policies are not a list")
    return Role(loc, keys, inline, managed, boundary)


# -- aws iam get-account-authorization-details (CVL503) ----------------------------------------------


def is_authorization_details(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("RoleDetailList"), list)


def read_authorization_details(document: Document) -> Network:
    """Roles with every policy attached to them (the listing is complete for its roles), and the
    customer managed policies the listing holds."""
    network = Network()
    data = document.data

    def loc(path: tuple, name: str) -> Location:
        line, column = document.locate(path)
        return Location(document.path, line, column, name, "api")

    for number, entry in enumerate(items(data.get("Policies"))):
        if not isinstance(entry, dict) or not isinstance(entry.get("Arn"), str):
            continue
        versions = [v for v in items(entry.get("PolicyVersionList")) if isinstance(v, dict)]
        default = next((v for v in versions if v.get("IsDefaultVersion")), None)
        name = str(entry.get("PolicyName") or entry["Arn"])
        document_value = _decoded(default.get("Document")) if default else None
        found = policy(
            document_value if default else Unknown(f"{name}'s default version is not listed"),
            loc(("Policies", number), name),
            IDENTITY,
            f"the policy {name} in {document.path}",
        )
        found.keys = [keys_.policy_arn(entry["Arn"])]
        network.policies.append(found)
    for number, entry in enumerate(data["RoleDetailList"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("RoleName"), str):
            continue
        name = entry["RoleName"]
        where = loc(("RoleDetailList", number), name)
        inline = []
        for item in items(entry.get("RolePolicyList")):
            if isinstance(item, dict):
                what = f"{name}'s inline policy {item.get('PolicyName')}"
                inline.append(document_of(_decoded(item.get("PolicyDocument")), what))
                network.policies.append(policy(inline[-1], where, IDENTITY, what))
        managed = [
            item.get("PolicyArn")
            for item in items(entry.get("AttachedManagedPolicies"))
            if isinstance(item, dict) and isinstance(item.get("PolicyArn"), str)
        ]
        boundary = entry.get("PermissionsBoundary")
        boundary = boundary.get("PermissionsBoundaryArn") if isinstance(boundary, dict) else None
        found_role = role(where, [], name, inline, managed, boundary)
        found_role.complete = True
        network.roles.append(found_role)
    return network


def _decoded(value: Any) -> Any:
    """IAM returns documents URL-encoded; the AWS CLI decodes them."""
    if isinstance(value, str) and value.startswith("%7B"):
        return unquote(value)
    return value


# -- VPC endpoint policies (CVL501) -----------------------------------------------------------------


def endpoint_policy(value: Any, what: str) -> Any:
    """An endpoint's policy: None where it has none (AWS's default allows full access)."""
    if value is None or value == "":
        return None
    return document_of(value, what)


# -- bucket policies (CVL502) ------------------------------------------------------------------------

BUCKET = "bucket policy"
_BUCKET_FILE = re.compile(r"^bucket-policy\.(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.json$")


def is_bucket_policy_output(data: Any) -> bool:
    """``aws s3api get-bucket-policy`` output: the policy as JSON text, and nothing else."""
    return isinstance(data, dict) and list(data) == ["Policy"] and isinstance(data["Policy"], str)


def read_bucket_policy_output(document: Document) -> Network:
    """The output names no bucket: the file does (``bucket-policy.BUCKET.json``, as the
    inventory commands save it)."""
    network = Network()
    found = _BUCKET_FILE.match(os.path.basename(document.path))
    line, column = document.locate(("Policy",))
    if found is None:
        network.input_errors.append(
            (
                document.path,
                line,
                "aws s3api get-bucket-policy output names no bucket: save it as "
                "bucket-policy.BUCKET.json (clarify-vpc-lint --inventory-commands)",
            )
        )
        return network
    bucket = found.group("bucket")
    loc = Location(document.path, line, column, bucket, "api")
    network.policies.append(
        bucket_policy(document.data["Policy"], loc, bucket, f"the policy of {bucket}")
    )
    return network


def bucket_policy(value: Any, loc: Location, bucket: Any, what: str) -> Policy:
    found = policy(value, loc, BUCKET, what)
    found.resource = bucket
    return found
