"""AWS facts the readers share: how a Clarify image, a VPC endpoint service and an S3 URI look."""

from __future__ import annotations

import re
from typing import Any

from .values import Unknown

CLARIFY_REPOSITORY = "sagemaker-clarify-processing"
ANALYSIS_CONFIG_INPUT = "analysis_config"

# com.amazonaws.<region>.<service>, cn.com.amazonaws.<region>.<service> (China interface
# endpoints) and the ISO prefixes; only the service suffix matters once the region is evaluated.
# The endpoint services the rules tell apart; add one here when a rule needs another.
ENDPOINT_SERVICES = ("s3", "sagemaker.api", "sagemaker.runtime", "logs")
_SERVICE_SUFFIX = re.compile(
    r"\.(" + "|".join(re.escape(name) for name in ENDPOINT_SERVICES) + r")(-fips)?$"
)


def text_of(value: Any) -> str | None:
    """A string value, or the known text of a partly resolved one."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown) and value.text:
        return value.text
    return None


def names_clarify_image(image: Any) -> bool:
    text = text_of(image)
    return bool(text) and re.search(rf"/{CLARIFY_REPOSITORY}(?:[:@]|$)", text) is not None


def endpoint_service(service_name: Any) -> Any:
    """One of ``ENDPOINT_SERVICES``, ``other``, or Unknown."""
    text = text_of(service_name)
    match = _SERVICE_SUFFIX.search(text) if text is not None else None
    if match:
        return match.group(1)
    if isinstance(service_name, Unknown):
        return service_name  # the unknown part may be the service itself
    return (
        "other"
        if isinstance(service_name, str)
        else Unknown("the endpoint's service name is not a string")
    )


def is_s3_uri(value: Any) -> Any:
    text = text_of(value)
    if text is not None:
        return text.startswith("s3://")
    return value if isinstance(value, Unknown) else False


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def url_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
