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


# FIPS endpoint services (``com.amazonaws.<region>.sagemaker.api-fips``, ``...s3-fips``): their
# private DNS names are the FIPS hostnames. botocore's endpoint data (data/endpoints.json,
# botocore 1.35.99) gives those as separate "fips" variants, e.g. api-fips.sagemaker.us-east-1.
# amazonaws.com and s3-fips.us-east-1.amazonaws.com, which the SDK calls only when configured to
# (use_fips_endpoint / AWS_USE_FIPS_ENDPOINT, off by default); the Clarify container and the SDK
# call the standard names, so a FIPS endpoint does not serve them. The one exception in that
# data: in aws-us-gov the FIPS variant of runtime.sagemaker is the standard hostname
# (runtime.sagemaker.{region}.amazonaws.com), so there the FIPS endpoint answers the standard name.
_FIPS_NAME_IS_STANDARD = frozenset({("sagemaker.runtime", "aws-us-gov")})
_REGION_IN_SERVICE = re.compile(r"\.([a-z]{2}(?:-[a-z]+)+-\d+)\.")


def endpoint_service(service_name: str | Unknown) -> Any:
    """One of ``ENDPOINT_SERVICES`` (the service whose standard hostname the endpoint's private
    DNS answers), the same with ``-fips`` (an endpoint answering only FIPS hostnames), ``other``,
    or Unknown."""
    text = text_of(service_name)
    match = _SERVICE_SUFFIX.search(text) if text is not None else None
    if match:
        name, fips = match.group(1), match.group(2)
        region = _REGION_IN_SERVICE.search(text or "")
        partition = partition_of(region.group(1)) if region else None
        if fips and (name, partition) not in _FIPS_NAME_IS_STANDARD:
            return name + fips
        return name
    if isinstance(service_name, Unknown):
        return service_name  # the unknown part may be the service itself
    return "other"


_AWS_PREFIX_LIST_NAME = re.compile(r"^(?:cn\.)?com\.amazonaws\.[a-z0-9-]+\.([a-z0-9.-]+)$")


def is_s3_prefix_list_name(name: Any) -> Any:
    """The AWS-managed prefix list of S3 is named ``com.amazonaws.<region>.s3``; another
    AWS-managed list (``...dynamodb``, ``...cloudfront.origin-facing``) holds another service's
    ranges. Unknown for a customer-managed list: its entries decide."""
    if isinstance(name, Unknown):
        return name
    match = _AWS_PREFIX_LIST_NAME.match(name) if isinstance(name, str) else None
    if match is None:
        return Unknown(f"whether prefix list {name} holds Amazon S3's addresses")
    return match.group(1) == "s3"


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


def dns_name(value: Any) -> Any:
    """A DNS name as Route 53 compares it: lower case, without the final dot; else Unknown."""
    if isinstance(value, str):
        return value.lower().rstrip(".")
    if isinstance(value, Unknown):
        return value
    return Unknown(f"the DNS name {value!r} is not a string")
