"""How the SDK classes and methods a script calls become the jobs and models they start.

Each becomes the API request the SDK would send (CreateProcessingJob, CreateModel, a monitoring
schedule), so the jobs and models are the same subjects the template readers produce. Network
fields the script leaves unset come from the SDK defaults, field by field.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...keys import model_name, python_call
from ...model import Location, Network, Request
from ...values import Unknown
from .. import sagemaker
from .calls import (
    CHECK_TYPES,
    CLARIFY_IMAGE,
    CLASSES,
    ESTIMATORS,
    RUN_METHODS,
    SDK_V3_PACKAGES,
    cluster,
    estimator_vpc,
    plain,
    predictor,
    predictor_of,
    problems,
    what_it_is,
)
from .defaults import SdkDefaults
from .objects import SPREAD, Env, Obj


class SdkRequests:
    """The SDK part of the Reader: construct() and method() are called as the script calls them."""

    # what the Reader holds and these methods use
    path: str
    imports: Dict[str, str]
    defaults: SdkDefaults
    network: Network
    loops: List[str]
    place: Callable[[int], Tuple[int, int, str]]
    arguments: Callable[[ast.Call, Tuple[str, ...], Env], Dict[str, Any]]

    def construct(self, cls: str, node: ast.Call, env: Env) -> Optional[Obj]:
        if cls in CLASSES:
            kind, params = CLASSES[cls]
        elif cls in ESTIMATORS:
            kind, params = "estimator", ()
        elif cls.endswith("Model") and len(cls) > len("Model"):
            kind, params = "model", ("model_data", "role")  # XGBoostModel, PyTorchModel, ...
        else:
            return None
        obj = Obj(kind, cls, self.arguments(node, params, env), node)
        if kind == "model":
            self.add_model(obj, node, obj.args.get("vpc_config"), obj.args.get("model_data"))
        elif kind == "check-step":
            self.check_step(obj, node)
        return obj

    def create_model_resource(self, node: ast.Call, env: Env) -> Obj:
        args = self.arguments(node, ("model_name", "primary_container"), env)
        obj = Obj("model", "Model", {"name": args.get("model_name")}, node)
        container = args.get("primary_container", args.get("containers"))
        data = None if container is None else Unknown("the model's container is not read")
        self.add_model(obj, node, args.get("vpc_config"), data)
        return obj

    def method(self, receiver: Obj, name: str, node: ast.Call, env: Env) -> Any:
        kind = receiver.kind
        if kind in ("clarify-processor", "processor") and (name in RUN_METHODS or name == "run"):
            self.processor_run(receiver, name, node, env)
        elif kind in ("bias-monitor", "explainability-monitor") and name == "suggest_baseline":
            self.baseline(receiver, node, env)
        elif kind in ("bias-monitor", "explainability-monitor") and name in (
            "create_monitoring_schedule",
            "update_monitoring_schedule",
        ):
            self.schedule(receiver, node, env)
        elif kind == "estimator" and name in ("create_model", "deploy"):
            args = self.arguments(node, (), env)
            if "model_name" in args:  # deploy(model_name=...) names the model it creates
                args["name"] = args["model_name"]
            model = Obj("model", receiver.cls, args, node, name=f"{receiver.name}.{name}")
            vpc = args.get("vpc_config_override", estimator_vpc(receiver, self.defaults))
            self.add_model(model, node, vpc, "s3://<the training job's output>")
            return model if name == "create_model" else predictor(node)
        elif kind == "model" and name == "deploy":
            self.arguments(node, (), env)
            return predictor(node)
        elif kind == "client" and name in ("create_processing_job", "create_model"):
            self.api_call(name, node, env)
        else:
            self.arguments(node, (), env)
        return Unknown(f"the result of {name}() is computed at run time")

    def location(self, node: ast.AST, resource: str, variant: str = "") -> Location:
        """Where a call is, named as the finding names it; its fixes are written for the SDK
        version the script imports, or for boto3 (``variant``)."""
        line, indent, cell = self.place(node.lineno)
        if self.loops:
            resource += f" [{', '.join(self.loops)}]"
        if not variant and any(path.startswith(SDK_V3_PACKAGES) for path in self.imports.values()):
            variant = "sdk-v3"
        column = indent + node.col_offset + 1
        return Location(self.path, line, column, resource + cell, "python", variant=variant)

    def network_config(self, value: Any, chain: Tuple[Any, ...]) -> Any:
        """The request's NetworkConfig: explicit fields, then each defaults section in turn."""
        if isinstance(value, Unknown):
            return value
        fields: Dict[str, Any] = {}
        if isinstance(value, Obj) and value.kind == "network-config":
            fields = {name: value.args.get(name) for name in sagemaker.SDK_NETWORK_FIELDS}
            vpc = value.args.get("vpc_config")  # v3 shapes: NetworkConfig(vpc_config=VpcConfig)
            for name in ("subnets", "security_group_ids"):
                if name not in value.args and vpc is not None:
                    fields[name] = vpc.args.get(name) if isinstance(vpc, Obj) else vpc
        elif value is not None:
            return Unknown(f"network_config is {what_it_is(value)}, not a NetworkConfig")
        return sagemaker.sdk_network_config(fields, chain)

    def processor_run(self, processor: Obj, method: str, node: ast.Call, env: Env) -> None:
        image = (
            CLARIFY_IMAGE
            if processor.kind == "clarify-processor"
            else processor.args.get("image_uri")
        )
        if method == "run":
            args = self.arguments(node, ("inputs",), env)
            inference: Any = True
            model, existing_endpoint = None, False
            inputs = (
                [
                    {
                        "InputName": item.args.get("input_name"),
                        "S3Input": {"S3Uri": item.args.get("source")},
                    }
                    for item in args["inputs"]
                    if isinstance(item, Obj) and item.kind == "processing-input"
                ]
                if isinstance(args.get("inputs"), list)
                else []
            )
        else:
            position, always = RUN_METHODS[method]
            params = ["data_config", "x", "y"]
            if position is not None:
                params[position] = "model_config"
            args = self.arguments(node, tuple(params), env)
            inference, model, existing_endpoint = predictor_of(args.get("model_config"), always)
            inputs = []
        request = {
            "AppSpecification": {"ImageUri": image},
            "NetworkConfig": self.network_config(
                processor.args.get("network_config"), (self.defaults.processing,)
            ),
            "ProcessingResources": {"ClusterConfig": cluster(processor.args)},
            "ProcessingInputs": inputs,
        }
        loc = self.location(node, f"{processor.name or processor.cls}.{method}")
        job = sagemaker.processing_job(request, loc, inference)
        if job is not None:
            job.model, job.existing_endpoint = model, existing_endpoint
            self.network.jobs.append(job)

    def check_step(self, step: Obj, node: ast.Call) -> None:
        config, job_config = (
            step.args.get("clarify_check_config"),
            step.args.get("check_job_config"),
        )
        check_type: Any = Unknown(
            f"the step's clarify_check_config is {what_it_is(config)}, not a check config"
        )
        model, existing_endpoint = None, False
        if isinstance(config, Unknown):
            check_type = config
        elif isinstance(config, Obj) and config.kind == "check-config":
            check_type = CHECK_TYPES[config.cls]
            if check_type != "DATA_BIAS":
                _, model, existing_endpoint = predictor_of(config.args.get("model_config"), True)
        settings = job_config.args if isinstance(job_config, Obj) else {}
        network = (
            self.network_config(settings.get("network_config"), self._monitoring_chain())
            if isinstance(job_config, Obj)
            else job_config
            if isinstance(job_config, Unknown)
            else Unknown(f"the step's check_job_config is {what_it_is(job_config)}")
        )
        request = {
            "NetworkConfig": network,
            "ProcessingResources": {"ClusterConfig": cluster(settings, default=1)},
        }
        name = step.args.get("name")
        loc = self.location(node, name if isinstance(name, str) else "ClarifyCheckStep")
        job = sagemaker.clarify_check_job(request, loc, check_type)
        if job.inference is not False:
            job.model, job.existing_endpoint = model, existing_endpoint
        self.network.jobs.append(job)

    def _monitoring_chain(self) -> Tuple[Any, ...]:
        # the baselining processor takes monitoring defaults first, then processing defaults
        return (self.defaults.monitoring, self.defaults.processing)

    def baseline(self, monitor: Obj, node: ast.Call, env: Env) -> None:
        bias = monitor.kind == "bias-monitor"
        params = ("data_config", "bias_config" if bias else "explainability_config", "model_config")
        args = self.arguments(node, params, env)
        inference, model, existing_endpoint = predictor_of(args.get("model_config"), not bias)
        request = {
            "AppSpecification": {"ImageUri": CLARIFY_IMAGE},
            "NetworkConfig": self.network_config(
                monitor.args.get("network_config"), self._monitoring_chain()
            ),
            "ProcessingResources": {"ClusterConfig": cluster(monitor.args, default=1)},
        }
        loc = self.location(node, f"{monitor.name or monitor.cls}.suggest_baseline")
        job = sagemaker.processing_job(request, loc, inference)
        if job is not None:
            job.model, job.existing_endpoint = model, existing_endpoint
            self.network.jobs.append(job)

    def schedule(self, monitor: Obj, node: ast.Call, env: Env) -> None:
        args = self.arguments(node, ("endpoint_input",), env)
        endpoint = args.get("endpoint_input")
        if isinstance(endpoint, Obj):
            endpoint = endpoint.args.get("endpoint_name")
        request = {
            "NetworkConfig": self.network_config(
                monitor.args.get("network_config"), (self.defaults.monitoring,)
            ),
            "JobResources": {"ClusterConfig": cluster(monitor.args, default=1)},
        }
        loc = self.location(node, f"{monitor.name or monitor.cls}.create_monitoring_schedule")
        self.network.jobs.append(sagemaker.monitoring_job(request, loc, monitor.kind, endpoint))

    def add_model(self, obj: Obj, node: ast.Call, vpc: Any, data: Any) -> None:
        model_defaults = self.defaults.model if isinstance(self.defaults.model, dict) else {}
        if vpc is None:  # Model() reads SageMaker.Model.VpcConfig when given none
            vpc = model_defaults.get("VpcConfig")
        if isinstance(vpc, Obj):
            vpc = {
                "Subnets": vpc.args.get("subnets"),
                "SecurityGroupIds": vpc.args.get("security_group_ids"),
            }
        request: Dict[str, Any] = {"ModelName": obj.args.get("name")}
        if vpc is not None:
            request["VpcConfig"] = vpc
        if data is not None:
            request["PrimaryContainer"] = {"ModelDataUrl": data}
        resource = obj.name or (
            obj.args["name"] if isinstance(obj.args.get("name"), str) else f"{obj.cls}()"
        )
        loc = self.location(node, resource)
        keys = [python_call(self.path, loc.line, loc.column)]
        if isinstance(request["ModelName"], str):
            keys.append(model_name(request["ModelName"]))
        obj.model = sagemaker.model(request, loc, keys)
        self.network.models.append(obj.model)

    def api_call(self, operation: str, node: ast.Call, env: Env) -> None:
        request = self.arguments(node, (), env)
        if SPREAD in request:
            request = {"NetworkConfig": request[SPREAD], "AppSpecification": {"ImageUri": None}}
        api = "CreateProcessingJob" if operation == "create_processing_job" else "CreateModel"
        member = "ProcessingJobName" if api == "CreateProcessingJob" else "ModelName"
        name = request.get(member)
        loc = self.location(node, name if isinstance(name, str) else operation, "boto3")
        if plain(request):
            self.network.requests.append(Request(loc, api, problems(api, request, loc)))
        if api == "CreateProcessingJob":
            job = sagemaker.processing_job(request, loc)
            if job is not None:
                self.network.jobs.append(job)
        else:
            keys = [python_call(self.path, loc.line, loc.column)]
            if isinstance(name, str):
                keys.append(model_name(name))
            self.network.models.append(sagemaker.model(request, loc, keys))
