"""Standalone SageMaker API JSON (Create* requests, Describe* responses) and Clarify analysis configs."""

from __future__ import annotations

import os
from typing import Any, Optional

from ..documents import Document
from ..keys import model_name
from ..model import AnalysisConfig, Location, Network, Request
from ..values import dig
from . import sagemaker

# The operation a body belongs to, told by members only that operation has.
_OPERATIONS = (
    ("CreateProcessingJob", ("ProcessingJobName", "AppSpecification", "ProcessingResources")),
    ("CreateModelExplainabilityJobDefinition", ("ModelExplainabilityAppSpecification",)),
    ("CreateModelBiasJobDefinition", ("ModelBiasAppSpecification",)),
    ("CreateModel", ("PrimaryContainer", "Containers", "ExecutionRoleArn", "ModelArn")),
)


def operation_of(data: Any) -> Optional[str]:
    if not isinstance(data, dict):
        return None
    for operation, members in _OPERATIONS:
        if any(member in data for member in members):
            if operation == "CreateModel" and "ModelName" not in data:
                continue
            return operation
    return None


def is_analysis_config(data: Any) -> bool:
    return isinstance(data, dict) and "methods" in data and isinstance(data["methods"], dict)


def _name(data: dict, member: str, document: Document) -> str:
    name = data.get(member)
    return name if isinstance(name, str) and name else os.path.basename(document.path)


def read_request(document: Document) -> Network:
    from ..apishape import validate  # botocore only when API JSON is linted

    data = document.data
    operation = operation_of(data)
    network = Network()
    member = {
        "CreateProcessingJob": "ProcessingJobName",
        "CreateModel": "ModelName",
    }.get(operation, "JobDefinitionName")
    line, column = document.locate((member,)) if member in data else (1, 1)
    loc = Location(document.path, line, column, _name(data, member, document), "api")
    problems = []
    for path, message in validate(operation, data):
        p_line, p_column = document.locate(path)
        problems.append({"message": message, "line": p_line, "column": p_column})
    problems.sort(key=lambda problem: (problem["line"], problem["column"]))
    network.requests.append(Request(loc, operation, problems))

    if operation == "CreateProcessingJob":
        job = sagemaker.processing_job(data, loc)
        if job is not None:
            network.jobs.append(job)
    elif operation == "CreateModel":
        keys = [model_name(data["ModelName"])] if isinstance(data.get("ModelName"), str) else []
        network.models.append(sagemaker.model(data, loc, keys))
    else:
        kind = "explainability-monitor" if "Explainability" in operation else "bias-monitor"
        job_input = (
            "ModelExplainabilityJobInput"
            if kind == "explainability-monitor"
            else "ModelBiasJobInput"
        )
        endpoint = dig(data, job_input, "EndpointInput", "EndpointName")
        network.jobs.append(sagemaker.monitoring_job(data, loc, kind, endpoint))
    return network


# analysis methods that always call the model (the SDK refuses them without a ModelConfig)
_MODEL_METHODS = ("shap", "pdp", "asymmetric_shapley_value")


def analysis_needs_inference(data: Any) -> Any:
    """Whether a Clarify analysis config makes the job call a model, as the SDK's _add_predictor
    decides: SHAP, PDP or asymmetric Shapley values always do; post-training bias does unless the
    config gives the predictions (``predicted_label`` or ``predicted_label_dataset_uri``)."""
    if data.get("predictor") is None:
        return False
    methods = data.get("methods")
    if not isinstance(methods, dict):
        return True  # methods not readable: the predictor says a model is called
    if any(name in methods for name in _MODEL_METHODS):
        return True
    predictions_given = "predicted_label" in data or "predicted_label_dataset_uri" in data
    return "post_training_bias" in methods and not predictions_given


def read_analysis_config(document: Document) -> Network:
    data = document.data
    predictor = data.get("predictor")
    line, column = document.locate(("predictor",) if predictor is not None else ("methods",))
    loc = Location(document.path, line, column, os.path.basename(document.path), "api")
    model_name = predictor.get("model_name") if isinstance(predictor, dict) else None
    endpoint_name = predictor.get("endpoint_name") if isinstance(predictor, dict) else None
    network = Network()
    network.analysis_configs.append(
        AnalysisConfig(
            loc,
            os.path.basename(document.path),
            analysis_needs_inference(data),
            model_name,
            endpoint_name,
            predictor if isinstance(predictor, dict) else None,
        )
    )
    return network
