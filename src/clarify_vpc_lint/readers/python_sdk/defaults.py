"""The SageMaker SDK's defaults file (``config.yaml``) as the reader applies it.

Two shapes, applied as the SDK applies each. The SDK's classes (v2, and v3's processors and
monitors) fill a request's unset network fields from ``SageMaker.ProcessingJob...`` field by
field, as ``resolve_class_attribute_from_config`` does. sagemaker-core's resources (v3
``ProcessingJob.create``, ``Model.create``) fill an argument the call leaves out whole from
``SageMaker.PythonSDK.Resources.<Resource>.<snake_case>``, else ``...Resources.GlobalDefaults``
(``Base.get_updated_kwargs_with_configured_attributes``). A run may hold several defaults files,
and each script takes the one its machine would use.
"""

from __future__ import annotations

import os
from typing import Any, Collection, Dict, Optional, Tuple

from msgspec import Struct
from msgspec.structs import replace

from ...values import dig

MONITORING_DEFAULTS = ("MonitoringSchedule", "MonitoringScheduleConfig", "MonitoringJobDefinition")


class SdkDefaults(Struct, frozen=True):
    """The sections of the SDK's ``config.yaml`` (``SageMaker:``) this reader applies."""

    processing: Any = None  # SageMaker.ProcessingJob.NetworkConfig
    monitoring: Any = None  # SageMaker.MonitoringSchedule...MonitoringJobDefinition.NetworkConfig
    model: Any = None  # SageMaker.Model
    training: Any = None  # SageMaker.TrainingJob
    resources: Any = None  # SageMaker.PythonSDK.Resources (sagemaker-core, snake_case)
    path: str = ""  # the defaults file, as the run names it


def sdk_defaults(data: Any) -> SdkDefaults:
    """The defaults of a parsed SDK ``config.yaml`` (``workflows.is_sdk_defaults`` documents)."""
    settings = dig(data, "SageMaker")
    return SdkDefaults(
        processing=dig(settings, "ProcessingJob", "NetworkConfig"),
        monitoring=dig(settings, *MONITORING_DEFAULTS, "NetworkConfig"),
        model=dig(settings, "Model"),
        training=dig(settings, "TrainingJob"),
        resources=dig(settings, "PythonSDK", "Resources"),
    )


# The arguments each sagemaker-core create() fills from the defaults, in its order (its
# ``config_schema_for_resource``); those that are not shapes hold a plain value.
RESOURCE_ARGUMENTS = {
    "ProcessingJob": (
        "processing_resources",
        "processing_output_config",
        "network_config",
        "role_arn",
    ),
    "Model": ("primary_container", "execution_role_arn", "vpc_config"),
}
_PLAIN_VALUES = ("role_arn", "execution_role_arn")


def resource_defaults(
    defaults: SdkDefaults, resource: str, given: Collection[str]
) -> Dict[str, Any]:
    """The arguments a sagemaker-core ``<resource>.create()`` call takes from the defaults."""
    return {name: value for name, (_, value) in filled_from(defaults, resource, given).items()}


def filled_from(
    defaults: SdkDefaults, resource: str, given: Collection[str]
) -> Dict[str, Tuple[str, Any]]:
    """The arguments a sagemaker-core ``<resource>.create()`` call takes from the defaults, with
    the section each comes from: each one the call leaves out, whole, from the resource's
    section, else GlobalDefaults.

    As sagemaker-core 2.x does it: after filling an argument it looks the next ones up under that
    argument's shape name instead of the resource's, and a plain value (a role ARN) it cannot build
    a shape from ends the filling."""
    resources = defaults.resources if isinstance(defaults.resources, dict) else {}
    section = resource
    filled: Dict[str, Tuple[str, Any]] = {}
    for argument in RESOURCE_ARGUMENTS[resource]:
        if argument in given:
            continue
        own = dig(resources, section)
        source = section if isinstance(own, dict) and argument in own else "GlobalDefaults"
        value = dig(resources, source, argument)
        if not value:
            continue
        if argument in _PLAIN_VALUES:
            break
        filled[argument] = (f"SageMaker.PythonSDK.Resources.{source}.{argument}", value)
        section = "".join(part.title() for part in argument.split("_"))
    return filled


def defaults_for(script: str, candidates: Dict[str, SdkDefaults]) -> Optional[SdkDefaults]:
    """The SDK defaults a script runs with, of the defaults files (``config.yaml``) in the run.

    The nearest one in the script's directory or above it; else the run's only one; else none
    (several unrelated defaults files: which one the script's machine uses is not known).
    """
    folder = os.path.dirname(os.path.abspath(script)) + os.sep
    nearest: Optional[Tuple[int, SdkDefaults, str]] = None
    for path, defaults in candidates.items():
        directory = os.path.dirname(os.path.abspath(path)) + os.sep
        if folder.startswith(directory) and (nearest is None or len(directory) > nearest[0]):
            nearest = (len(directory), defaults, path)
    if nearest is not None:
        return replace(nearest[1], path=nearest[2])
    if len(candidates) != 1:
        return None
    ((path, defaults),) = candidates.items()
    return replace(defaults, path=path)
