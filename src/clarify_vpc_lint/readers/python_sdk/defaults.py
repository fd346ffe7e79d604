"""The SageMaker SDK's defaults file (``config.yaml``) as the reader applies it.

The SDK fills a request's unset network fields from these sections field by field, as
``resolve_class_attribute_from_config`` does; a run may hold several defaults files, and each
script takes the one its machine would use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from .. import sagemaker

MONITORING_DEFAULTS = ("MonitoringSchedule", "MonitoringScheduleConfig", "MonitoringJobDefinition")


@dataclass(frozen=True)
class SdkDefaults:
    """The sections of the SDK's ``config.yaml`` (``SageMaker:``) this reader applies."""

    processing: Any = None  # SageMaker.ProcessingJob.NetworkConfig
    monitoring: Any = None  # SageMaker.MonitoringSchedule...MonitoringJobDefinition.NetworkConfig
    model: Any = None  # SageMaker.Model
    training: Any = None  # SageMaker.TrainingJob


def sdk_defaults(data: Any) -> SdkDefaults:
    """The defaults of a parsed SDK ``config.yaml`` (``workflows.is_sdk_defaults`` documents)."""
    settings = sagemaker.dig(data, "SageMaker")
    return SdkDefaults(
        processing=sagemaker.dig(settings, "ProcessingJob", "NetworkConfig"),
        monitoring=sagemaker.dig(settings, *MONITORING_DEFAULTS, "NetworkConfig"),
        model=sagemaker.dig(settings, "Model"),
        training=sagemaker.dig(settings, "TrainingJob"),
    )


def defaults_for(script: str, candidates: Dict[str, SdkDefaults]) -> Optional[SdkDefaults]:
    """The SDK defaults a script runs with, of the defaults files (``config.yaml``) in the run.

    The nearest one in the script's directory or above it; else the run's only one; else none
    (several unrelated defaults files: which one the script's machine uses is not known).
    """
    folder = os.path.dirname(os.path.abspath(script)) + os.sep
    nearest: Optional[Tuple[int, SdkDefaults]] = None
    for path, defaults in candidates.items():
        directory = os.path.dirname(os.path.abspath(path)) + os.sep
        if folder.startswith(directory) and (nearest is None or len(directory) > nearest[0]):
            nearest = (len(directory), defaults)
    if nearest is not None:
        return nearest[1]
    return next(iter(candidates.values())) if len(candidates) == 1 else None
