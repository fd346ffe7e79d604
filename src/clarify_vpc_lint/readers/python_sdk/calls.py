"""The SDK classes and methods the reader knows, and the request parts their arguments make.

A class imported from ``sagemaker`` is known by the last name of its import path; each is a kind
of object with the positional parameters of its SDK signature. The helpers are plain functions
of the arguments.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Tuple

from ...awsfacts import CLARIFY_REPOSITORY
from ...model import Location
from ...values import Unknown, dig
from .defaults import SdkDefaults
from .objects import Obj

# the packages of the SDK v3 (its v2 import paths fail there): a script importing them is v3
SDK_V3_PACKAGES = ("sagemaker.core", "sagemaker.mlops", "sagemaker.serve", "sagemaker.train")
# a stand-in for the image image_uris.retrieve("clarify", ...) returns: only its repository matters
CLARIFY_IMAGE = f"<account>.dkr.ecr.<region>.amazonaws.com/{CLARIFY_REPOSITORY}:1.0"
ESTIMATORS = {
    "Estimator",
    "Framework",
    "XGBoost",
    "SKLearn",
    "PyTorch",
    "TensorFlow",
    "MXNet",
    "HuggingFace",
    "Chainer",
    "RLEstimator",
    "AlgorithmEstimator",
}
# SDK class -> (kind, positional parameter names, as in the SDK's signatures)
CLASSES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "SageMakerClarifyProcessor": ("clarify-processor", ("role", "instance_count", "instance_type")),
    "Processor": ("processor", ("role", "image_uri", "instance_count", "instance_type")),
    "ScriptProcessor": (
        "processor",
        ("role", "image_uri", "command", "instance_count", "instance_type"),
    ),
    "NetworkConfig": (
        "network-config",
        ("enable_network_isolation", "security_group_ids", "subnets"),
    ),
    "VpcConfig": ("vpc-config", ()),
    "ModelConfig": ("model-config", ("model_name", "instance_count", "instance_type")),
    "DataConfig": ("data-config", ()),
    "ProcessingInput": ("processing-input", ("source", "destination", "input_name")),
    # v3 sagemaker.serve.ModelBuilder(network=sagemaker.core.training.configs.Networking(...))
    "ModelBuilder": ("model-builder", ()),
    "Networking": ("networking", ()),
    "ProcessingS3Input": ("s3-input", ()),  # v3: ProcessingInput(s3_input=ProcessingS3Input(...))
    # v3 sagemaker.core.shapes that ProcessingJob.create takes
    "AppSpecification": ("shape", ()),
    "ProcessingResources": ("shape", ()),
    "ProcessingClusterConfig": ("shape", ()),
    # v2 ProcessingStep(name, processor, ..., inputs=...); v3 ProcessingStep(name, step_args)
    "ProcessingStep": ("processing-step", ("name",)),
    "Pipeline": ("pipeline", ("name",)),
    "CheckJobConfig": ("check-job-config", ("role", "instance_count", "instance_type")),
    "DataBiasCheckConfig": ("check-config", ("data_config", "data_bias_config")),
    "ModelBiasCheckConfig": ("check-config", ("data_config", "data_bias_config", "model_config")),
    "ModelExplainabilityCheckConfig": (
        "check-config",
        ("data_config", "model_config", "explainability_config"),
    ),
    "ClarifyCheckStep": ("check-step", ("name", "clarify_check_config", "check_job_config")),
    "ModelBiasMonitor": ("bias-monitor", ("role", "instance_count", "instance_type")),
    "ModelExplainabilityMonitor": (
        "explainability-monitor",
        ("role", "instance_count", "instance_type"),
    ),
    "Model": (
        "model",
        ("image_uri", "model_data", "role", "predictor_cls", "env", "name", "vpc_config"),
    ),
}
CHECK_TYPES = {
    "DataBiasCheckConfig": "DATA_BIAS",
    "ModelBiasCheckConfig": "MODEL_BIAS",
    "ModelExplainabilityCheckConfig": "MODEL_EXPLAINABILITY",
}
# run method -> (position of model_config, needs inference without one)
RUN_METHODS = {
    "run_pre_training_bias": (None, False),
    "run_post_training_bias": (2, False),
    "run_bias": (2, False),
    "run_explainability": (1, True),
    "run_bias_and_explainability": (1, True),
}


def predictor_of(model_config: Any, always: bool) -> Tuple[Any, Any, bool]:
    """(needs inference, the model the shadow endpoint uses, calls an existing endpoint) from a
    run's ``model_config``.

    Without a model_config the SDK writes no predictor: bias comes from predicted labels in the
    data. ``endpoint_name`` uses an existing endpoint: inference, but no shadow endpoint.
    """
    if model_config is None:
        return always, None, False
    if isinstance(model_config, Unknown):
        return Unknown(f"model_config: {model_config.reason}"), None, False
    if not isinstance(model_config, Obj) or model_config.kind != "model-config":
        return True, None, False
    if model_config.args.get("endpoint_name") is not None:
        return True, None, True
    return True, model_config.args.get("model_name"), False


def cluster(args: Dict[str, Any], default: Any = None) -> Dict[str, Any]:
    count = args.get("instance_count", default)
    if count is None:
        count = Unknown("the processor's instance_count is not given")
    return {"InstanceCount": count}


def networking_vpc(builder: Obj) -> Any:
    """The VpcConfig a v3 ModelBuilder gives its model from ``network=Networking(...)``: both
    lists when either is set (``_init_network``), else None (the SDK defaults then apply)."""
    network = builder.args.get("network")
    if isinstance(network, Unknown) or network is None:
        return network
    if not isinstance(network, Obj):
        return Unknown(f"network is {what_it_is(network)}, not a Networking")
    subnets, groups = network.args.get("subnets"), network.args.get("security_group_ids")
    if not subnets and not groups:
        return None
    return {"Subnets": subnets or [], "SecurityGroupIds": groups or []}


def estimator_vpc(estimator: Obj, defaults: SdkDefaults) -> Any:
    """The VpcConfig an estimator passes to the models it creates (None when it has none)."""
    training = defaults.training if isinstance(defaults.training, dict) else {}
    subnets = estimator.args.get("subnets")
    groups = estimator.args.get("security_group_ids")
    if subnets is None:
        subnets = dig(training, "VpcConfig", "Subnets")
    if groups is None:
        groups = dig(training, "VpcConfig", "SecurityGroupIds")
    if subnets is None or groups is None:  # vpc_utils.to_dict: both or no VpcConfig
        return None
    return {"Subnets": subnets, "SecurityGroupIds": groups}


def given(args: Dict[str, Any]) -> List[str]:
    """The arguments a call gives (sagemaker-core fills those it leaves out or gives as None)."""
    return [name for name, value in args.items() if value is not None]


def member(value: Any, name: str) -> Any:
    """A member of a sagemaker-core shape, written as the shape or as a dict of its fields."""
    if isinstance(value, Obj):
        return value.args.get(name)
    if isinstance(value, dict):
        return value.get(name)
    return value if isinstance(value, Unknown) else None


def what_it_is(value: Any) -> str:
    """A value as a message names it: what the script wrote, never the reader's own objects."""
    if isinstance(value, Obj):
        return f"{value.name or value.cls} (a {value.cls})"
    if value is None:
        return "not given"
    text = repr(value)
    return f"the {type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def run_parameters(cls: str, method: str) -> Tuple[str, ...]:
    """The positional parameters of a processor's run method, as in the SDK's signatures."""
    if method == "run":
        return (
            ("code", "inputs")
            if cls not in ("Processor", "SageMakerClarifyProcessor")
            else ("inputs",)
        )
    position = RUN_METHODS[method][0]
    names = ["data_config", "bias_config", "model_config"]
    if position is None:
        return tuple(names[:2])
    return tuple(names[:position]) + ("model_config",)


def job_name(args: Dict[str, Any], call: str) -> str:
    """What a finding calls a job: the literal job_name= the SDK sends as ProcessingJobName,
    else the call."""
    name = args.get("job_name")
    return name if isinstance(name, str) and name else call


def s3_uri(item: Obj) -> Any:
    """The S3 URI of a processing input: v2 ``source=``, v3 ``s3_input=ProcessingS3Input(s3_uri=)``."""
    s3_input = item.args.get("s3_input")
    if isinstance(s3_input, Obj):
        return s3_input.args.get("s3_uri")
    return item.args.get("source", s3_input)


def predictor(node: ast.Call) -> Obj:
    return Obj("predictor", "Predictor", {}, node)


def plain(value: Any) -> bool:
    """A request with only literal values (CVL001 checks those)."""
    if isinstance(value, dict):
        return all(plain(item) for item in value.values())
    if isinstance(value, list):
        return all(plain(item) for item in value)
    return isinstance(value, (str, int, float, bool)) or value is None


def problems(api: str, request: Dict[str, Any], loc: Location) -> List[Dict[str, Any]]:
    from ...apishape import validate  # botocore only when a boto3 call is linted

    return [
        {"message": message, "line": loc.line, "column": loc.column}
        for _, message in validate(api, request)
    ]
