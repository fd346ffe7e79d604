"""IAM policy documents as the readers find them: a mapping, or the JSON text of one.

CloudFormation accepts a policy document as an object or as a JSON string; Terraform always holds
one as a string (``jsonencode``, ``data.aws_iam_policy_document.x.json``, a heredoc). Either way
``policy`` parses it once, so the evaluation in ``resolve/policies.py`` sees one shape.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Location, Policy
from ..values import Unknown

SCP = "service control policy"
IDENTITY = "identity policy"
BOUNDARY = "permissions boundary"


def document_of(value: Any, what: str) -> Any:
    """A policy document (dict), or Unknown naming why it is not known."""
    if isinstance(value, Unknown):
        return Unknown(f"{what} is built at run time: {value.reason}", value.text)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return Unknown(f"{what} is not JSON")
    if isinstance(value, dict):
        return value
    return Unknown(f"{what} is not a policy document")


def policy(value: Any, loc: Location, kind: str, what: str) -> Policy:
    return Policy(loc, kind, document_of(value, what))


def is_service_control_policy(policy_type: Any) -> bool:
    """Organizations policy types: only SERVICE_CONTROL_POLICY denies API calls. Terraform's
    default type is that one; an unknown type is read as one (other types have no statements)."""
    return policy_type is None or isinstance(policy_type, Unknown) or (
        policy_type == "SERVICE_CONTROL_POLICY"
    )
