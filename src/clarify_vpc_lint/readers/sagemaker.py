"""Build jobs and models from SageMaker request shapes.

CloudFormation properties, API JSON, pipeline step arguments and Step Functions parameters all use
the API's member names, so every reader hands its (resolved) dictionary to these functions.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..awsfacts import ANALYSIS_CONFIG_INPUT, is_s3_uri, names_clarify_image
from ..model import Job, Location, Model
from ..values import Unknown, as_bool, as_int, dig, items


def _list_or_unknown(value: Any, what: str) -> Any:
    if isinstance(value, (list, Unknown)):
        return value
    if value is None:
        return []
    return Unknown(f"{what} is not a list")


def _vpc_config(network_config: Any) -> tuple:
    """(has VpcConfig, subnets, security groups) of a NetworkConfig or a model."""
    vpc_config = dig(network_config, "VpcConfig")
    if isinstance(network_config, Unknown):
        vpc_config = network_config
    if vpc_config is None:
        return False, [], []
    if not isinstance(vpc_config, (dict, Unknown)):
        vpc_config = Unknown(f"VpcConfig is {vpc_config!r}, not a mapping")
    if isinstance(vpc_config, Unknown):
        return vpc_config, vpc_config, vpc_config
    # a mapping here: read with get, not dig (every model and job of a plan passes here)
    subnets = _list_or_unknown(vpc_config.get("Subnets"), "VpcConfig.Subnets")
    groups = _list_or_unknown(vpc_config.get("SecurityGroupIds"), "VpcConfig.SecurityGroupIds")
    return True, subnets, groups


# the NetworkConfig fields the SDK resolves one by one (its argument name -> the request's path)
SDK_NETWORK_FIELDS = {
    "enable_network_isolation": ("EnableNetworkIsolation",),
    "subnets": ("VpcConfig", "Subnets"),
    "security_group_ids": ("VpcConfig", "SecurityGroupIds"),
}


def sdk_network_config(explicit: Dict[str, Any], chain: Tuple[Any, ...]) -> Dict[str, Any]:
    """The NetworkConfig the SDK sends: each field as given, else from the first defaults
    NetworkConfig in ``chain`` that sets it (``resolve_class_attribute_from_config``); isolation
    is sent as false when nothing sets it."""
    resolved: Dict[str, Any] = {}
    for name, path in SDK_NETWORK_FIELDS.items():
        found = explicit.get(name)
        for defaults in chain:
            if found is None:
                found = dig(defaults, *path)
        resolved[name] = found
    isolation = resolved["enable_network_isolation"]
    request: Dict[str, Any] = {"EnableNetworkIsolation": False if isolation is None else isolation}
    subnets, groups = resolved["subnets"], resolved["security_group_ids"]
    if subnets is not None or groups is not None:
        request["VpcConfig"] = {
            "Subnets": [] if subnets is None else subnets,
            "SecurityGroupIds": [] if groups is None else groups,
        }
    return request


def is_clarify_processing_job(request: Any) -> bool:
    if names_clarify_image(dig(request, "AppSpecification", "ImageUri")):
        return True
    inputs = dig(request, "ProcessingInputs")
    return isinstance(inputs, list) and any(
        isinstance(item, dict) and item.get("InputName") == ANALYSIS_CONFIG_INPUT for item in inputs
    )


def analysis_config_uri(request: Any) -> Any:
    for item in items(dig(request, "ProcessingInputs")):
        if isinstance(item, dict) and item.get("InputName") == ANALYSIS_CONFIG_INPUT:
            return dig(item, "S3Input", "S3Uri")
    return None


def _job(network: Any, loc: Location, kind: str, inference: Any, count: Any, **links: Any) -> Job:
    """A Clarify job from its NetworkConfig (a processing or a monitoring NetworkConfig)."""
    has_vpc, subnets, groups = _vpc_config(network)
    isolation = network if isinstance(network, Unknown) else dig(network, "EnableNetworkIsolation")
    encryption = (
        network
        if isinstance(network, Unknown)
        else dig(network, "EnableInterContainerTrafficEncryption")
    )
    return Job(
        loc=loc,
        kind=kind,
        inference=inference,
        network_isolation=as_bool(isolation, False),
        has_vpc_config=has_vpc,
        subnets=subnets,
        security_groups=groups,
        instance_count=count,
        inter_container_encryption=as_bool(encryption, False),
        **links,
    )


def processing_job(request: Any, loc: Location, inference: Any = True) -> Optional[Job]:
    """The Clarify job a CreateProcessingJob request describes, or None if it is not Clarify."""
    if not is_clarify_processing_job(request):
        return None
    return _job(
        dig(request, "NetworkConfig"),
        loc,
        "processing",
        inference,
        _instance_count(dig(request, "ProcessingResources", "ClusterConfig")),
        analysis_config_uri=analysis_config_uri(request),
        request=request,
    )


def clarify_check_job(request: Any, loc: Location, check_type: Any) -> Job:
    """A pipeline ClarifyCheck step: DATA_BIAS needs no model inference."""
    if isinstance(check_type, str):
        inference: Any = check_type != "DATA_BIAS"
    elif isinstance(check_type, Unknown):
        inference = check_type
    else:
        inference = Unknown(f"the step's CheckType {check_type!r} is not known")
    return _job(
        dig(request, "NetworkConfig"),
        loc,
        "clarify-check",
        inference,
        _instance_count(dig(request, "ProcessingResources", "ClusterConfig")),
    )


def defaults_job(network: Any, loc: Location, count: Any, inference: Any = True) -> Job:
    """Network defaults that apply to every Clarify job started with them (SDK config.yaml)."""
    return _job(network, loc, "defaults", inference, count)


def monitoring_job(request: Any, loc: Location, kind: str, serving_endpoint: Any) -> Job:
    """A ModelBias/ModelExplainability job definition (a Clarify job by definition)."""
    return _job(
        dig(request, "NetworkConfig"),
        loc,
        kind,
        kind == "explainability-monitor",
        _instance_count(dig(request, "JobResources", "ClusterConfig")),
        serving_endpoint=serving_endpoint,
        request=request,
    )


def _instance_count(cluster: Any) -> Any:
    count = cluster if isinstance(cluster, Unknown) else as_int(dig(cluster, "InstanceCount"))
    return 1 if count is None else count


def model(request: Any, loc: Location, keys: List[str]) -> Model:
    has_vpc, subnets, groups = _vpc_config(request)
    return Model(
        loc=loc,
        keys=keys,
        has_vpc_config=has_vpc,
        subnets=subnets,
        security_groups=groups,
        s3_artifacts=_s3_artifacts(request),
        request=request,
    )


def _s3_artifacts(request: Any) -> Any:
    containers = dig(request, "Containers")
    containers = containers if isinstance(containers, list) else []
    primary = dig(request, "PrimaryContainer")
    if primary is not None:
        containers = [primary, *containers]
    unknown = None
    for container in containers:
        if isinstance(container, Unknown):
            unknown = container
            continue
        if dig(container, "ModelDataSource", "S3DataSource") is not None:
            return True
        uri = is_s3_uri(dig(container, "ModelDataUrl"))
        if uri is True:
            return True
        if isinstance(uri, Unknown):
            unknown = uri
    return unknown if unknown is not None else False
