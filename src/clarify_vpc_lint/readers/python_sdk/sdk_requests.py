"""How the SDK classes and methods a script calls become the jobs and models they start.

Each becomes the API request the SDK would send (CreateProcessingJob, CreateModel, a monitoring
schedule), so the jobs and models are the same subjects the template readers produce. Network
fields the script leaves unset come from the SDK defaults, field by field.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...keys import model_name, python_call
from ...model import Job, Location, Network, Request
from ...values import Unknown, dig
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
    given,
    job_name,
    member,
    networking_vpc,
    plain,
    predictor,
    predictor_of,
    problems,
    run_parameters,
    s3_uri,
    what_it_is,
)
from .defaults import MONITORING_DEFAULTS, SdkDefaults, filled_from
from .objects import SPREAD, Arguments, Env, Obj
from .places import FixPlace, place_of

# the kinds of monitor whose baselining job is a Clarify job ("clarify-monitor": one the file
# does not build, known as Clarify's by its suggest_baseline arguments)
MONITORS = ("bias-monitor", "explainability-monitor", "clarify-monitor")


class SdkRequests:
    """The SDK part of the Reader: construct() and method() are called as the script calls them."""

    # what the Reader holds and these methods use
    path: str
    imports: Dict[str, str]
    defaults: SdkDefaults
    network: Network
    places: List[Tuple[Any, FixPlace]]  # where each job's and model's network is written
    cell: int
    node_cells: Dict[ast.AST, int]
    loops: List[str]
    place: Callable[[int], Tuple[int, int, str]]
    arguments: Callable[[ast.Call, Tuple[str, ...], Env], Dict[str, Any]]

    def construct(self, path: str, node: ast.Call, env: Env) -> Optional[Obj]:
        """The SDK object a call of the class imported as ``path`` builds (None: not one)."""
        cls = path.split(".")[-1]
        if cls in CLASSES:
            kind, params = CLASSES[cls]
        elif cls in ESTIMATORS:
            kind, params = "estimator", ()
        elif cls.endswith("Model") and len(cls) > len("Model"):
            kind, params = "model", ("model_data", "role")  # XGBoostModel, PyTorchModel, ...
        else:
            return None
        obj = Obj(kind, cls, self.arguments(node, params, env), node, module=path)
        self.node_cells[node] = self.cell
        if kind == "model":
            self.add_model(obj, node, obj.args.get("vpc_config"), obj.args.get("model_data"))
            self.record_place(obj.model, node, "vpc_config")
        elif kind == "model-builder":
            data = Unknown("the model a ModelBuilder builds is known when it runs")
            self.add_model(obj, node, networking_vpc(obj), data)
        elif kind == "check-step":
            self.check_step(obj, node)
        elif kind == "processing-step":
            self.processing_step(obj, node)
        elif kind == "pipeline":
            self.pipeline(obj)
        return obj

    def create_model_resource(self, node: ast.Call, env: Env) -> Obj:
        """v3 ``sagemaker.core.resources.Model.create``: an argument left out comes whole from
        the PythonSDK.Resources defaults, never from the SageMaker.Model ones."""
        args = self.arguments(node, ("model_name", "primary_container"), env)
        filled = {} if SPREAD in args else filled_from(self.defaults, "Model", given(args))
        args.update({name: value for name, (_, value) in filled.items()})
        obj = Obj(
            "model",
            "Model",
            {"name": args.get("model_name")},
            node,
            module="sagemaker.core.resources",
        )
        container = args.get("primary_container", args.get("containers"))
        data = None if container is None else Unknown("the model's container is not read")
        vpc = args.get("vpc_config")
        if isinstance(vpc, dict):  # from the defaults, or written as a dict
            vpc = Obj("vpc-config", "VpcConfig", Arguments(vpc), node)
        self.add_model(obj, node, vpc, data, model_defaults=False)
        self.record_place(obj.model, node, "vpc_config")
        if obj.model is not None and "vpc_config" in filled:
            obj.model.loc.origin = self.defaults_origin(filled["vpc_config"][0])
        return obj

    def create_processing_job_resource(self, node: ast.Call, env: Env) -> Obj:
        """v3 ``sagemaker.core.resources.ProcessingJob.create(network_config=shapes.NetworkConfig(
        ...))``: the request as written, an argument left out filled whole from the
        PythonSDK.Resources defaults (the SageMaker.ProcessingJob ones do not apply)."""
        params = ("processing_job_name", "processing_resources", "app_specification", "role_arn")
        args = self.arguments(node, params, env)
        filled = {} if SPREAD in args else filled_from(self.defaults, "ProcessingJob", given(args))
        args.update({name: value for name, (_, value) in filled.items()})
        network = args.get("network_config")
        if isinstance(network, dict):  # from the defaults, or written as a dict
            network = Obj("network-config", "NetworkConfig", Arguments(network), node)
            vpc = network.args.get("vpc_config")
            if isinstance(vpc, dict):
                network.args["vpc_config"] = Obj("vpc-config", "VpcConfig", Arguments(vpc), node)
        inputs = args.get("processing_inputs")
        cluster_config = member(args.get("processing_resources"), "cluster_config")
        request = {
            "AppSpecification": {"ImageUri": member(args.get("app_specification"), "image_uri")},
            "NetworkConfig": self.network_config(network, ()),
            "ProcessingResources": {
                "ClusterConfig": {"InstanceCount": member(cluster_config, "instance_count")}
            },
            "ProcessingInputs": [
                {"InputName": member(item, "input_name"), "S3Input": {"S3Uri": s3_uri(item)}}
                for item in (inputs if isinstance(inputs, list) else [])
                if isinstance(item, Obj)
            ],
        }
        name = job_name({"job_name": args.get("processing_job_name")}, "ProcessingJob.create")
        loc = self.location(node, name, "sdk-v3-resources")
        if "network_config" in filled:
            loc.origin = self.defaults_origin(filled["network_config"][0])
        job = sagemaker.processing_job(request, loc)
        if job is not None:
            self.network.jobs.append(job)
            self.record_place(job, node, "network_config")
        return Obj("processing-job", "ProcessingJob", args, node, job=job)

    def class_origin(self, value: Any, chain: Tuple[Any, ...]) -> str:
        """The network fields an SDK class's call takes from the defaults file (its v2 shape,
        field by field), for its fixes; "" when it takes none or what it gives is unknown."""
        if isinstance(value, Unknown) or (value is not None and not isinstance(value, Obj)):
            return ""
        written = set(value.args) if isinstance(value, Obj) else set()
        if SPREAD in written:
            return ""
        if "vpc_config" in written:  # v3 shapes: NetworkConfig(vpc_config=VpcConfig(...))
            written |= {"subnets", "security_group_ids"}
        sections = {
            id(self.defaults.processing): "SageMaker.ProcessingJob.NetworkConfig",
            id(self.defaults.monitoring): ".".join(("SageMaker", *MONITORING_DEFAULTS))
            + ".NetworkConfig",
        }
        taken = []
        for name, path in sagemaker.SDK_NETWORK_FIELDS.items():
            source = next((d for d in chain if dig(d, *path) is not None), None)
            if name not in written and source is not None:
                taken.append(f"{name} from {sections[id(source)]}.{'.'.join(path)}")
        if not taken:
            return ""
        return (
            f"not written in this call, taken from the SDK defaults file "
            f"{self.defaults.path or 'config.yaml'}: {'; '.join(taken)}"
        )

    def defaults_origin(self, section: str) -> str:
        """Where a sagemaker-core call's argument left out comes from, for its fixes."""
        argument = section.rsplit(".", 1)[-1]
        return (
            f"{argument} is not written in this call: it comes whole from {section} of the SDK "
            f"defaults file {self.defaults.path or 'config.yaml'}"
        )

    def method(self, receiver: Obj, name: str, node: ast.Call, env: Env) -> Any:
        kind = receiver.kind
        if kind in ("clarify-processor", "processor") and (name in RUN_METHODS or name == "run"):
            # under a PipelineSession the result is a step's arguments: the same job, in a step
            args = self.arguments(node, run_parameters(receiver.cls, name), env)
            job = self.processor_run(receiver, name, node, args)
            return Obj("step-arguments", name, {}, node, job=job)
        elif kind in MONITORS and name == "suggest_baseline":
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
            model = Obj(
                "model",
                receiver.cls,
                args,
                node,
                name=f"{receiver.name}.{name}",
                module=receiver.module,
            )
            vpc = args.get("vpc_config_override", estimator_vpc(receiver, self.defaults))
            self.add_model(model, node, vpc, "s3://<the training job's output>")
            if receiver.module and "vpc_config_override" not in args:  # the estimator's subnets
                self.record_place(model.model, receiver.node, "subnets")
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
        """Where a call is, named as the finding names it; ``variant``: the case its fixes are
        written for (the SDK version of the class, boto3)."""
        line, indent, cell = self.place(node.lineno)
        if self.loops:
            resource += f" [{', '.join(self.loops)}]"
        column = indent + node.col_offset + 1
        return Location(self.path, line, column, resource + cell, "python", variant=variant)

    def dialect(self, obj: Obj) -> str:
        """``sdk-v3`` for an object of the SDK v3's classes; one the file does not build is v3
        when the script imports only v3 SDK modules."""
        if obj.module:
            return "sdk-v3" if obj.module.startswith(SDK_V3_PACKAGES) else ""
        paths = [p for p in self.imports.values() if p.startswith("sagemaker.")]
        v3 = [p for p in paths if p.startswith(SDK_V3_PACKAGES)]
        return "sdk-v3" if v3 and len(v3) == len(paths) else ""

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

    def processor_run(
        self, processor: Obj, method: str, node: ast.Call, args: Dict[str, Any]
    ) -> Optional[Job]:
        """The Clarify job ``processor.<method>(...)`` starts (None when it is not Clarify);
        ``args`` are the call's arguments by name."""
        image = (
            CLARIFY_IMAGE
            if processor.kind == "clarify-processor"
            else processor.args.get("image_uri")
        )
        if method == "run":
            inference: Any = True
            model, existing_endpoint = None, False
            inputs = args.get("inputs")
            inputs = (
                [
                    {"InputName": item.args.get("input_name"), "S3Input": {"S3Uri": s3_uri(item)}}
                    for item in inputs
                    if isinstance(item, Obj) and item.kind == "processing-input"
                ]
                if isinstance(inputs, list)
                else []
            )
        else:
            always = RUN_METHODS[method][1]
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
        call = f"{processor.name or processor.cls}.{method}"
        loc = self.location(node, job_name(args, call), self.dialect(processor))
        loc.origin = self.class_origin(
            processor.args.get("network_config"), (self.defaults.processing,)
        )
        job = sagemaker.processing_job(request, loc, inference)
        if job is not None:
            job.model, job.existing_endpoint = model, existing_endpoint
            self.network.jobs.append(job)
            if processor.module:  # a processor this file builds (else its network is unknown)
                self.record_place(job, processor.node, "network_config")
        return job

    def processing_step(self, step: Obj, node: ast.Call) -> None:
        """A pipeline's ProcessingStep: v3 ``step_args=processor.run_*(...)`` (the job that run
        describes, now named by the step); v2 ``processor=`` with the run's arguments."""
        step_args = step.args.get("step_args")
        processor = step.args.get("processor")
        if isinstance(step_args, Obj) and step_args.job is not None:
            step.job = step_args.job
        elif isinstance(processor, Obj) and processor.kind in ("clarify-processor", "processor"):
            step.job = self.processor_run(processor, "run", node, step.args)
        name = step.args.get("name")
        if step.job is not None and isinstance(name, str) and name:
            self.rename(step.job, name)

    def pipeline(self, pipeline: Obj) -> None:
        """``Pipeline(name=..., steps=[...])`` names each embedded job ``<pipeline>/<step>``."""
        name, steps = pipeline.args.get("name"), pipeline.args.get("steps")
        if not isinstance(name, str) or not name or not isinstance(steps, list):
            return
        for step in steps:
            step_name = step.args.get("name") if isinstance(step, Obj) else None
            if isinstance(step, Obj) and step.job is not None and isinstance(step_name, str):
                self.rename(step.job, f"{name}/{step_name}")

    def rename(self, job: Job, name: str) -> None:
        """A job named by the step or pipeline that holds it, keeping its loop and cell labels."""
        resource = job.loc.resource
        labels = resource.find(" [")
        cell = resource.find(" (cell ")
        cut = min(position for position in (labels, cell, len(resource)) if position >= 0)
        job.loc.resource = name + resource[cut:]

    def check_step(self, step: Obj, node: ast.Call) -> None:
        config, job_config = (
            step.args.get("clarify_check_config"),
            step.args.get("check_job_config"),
        )
        check_type: Any = Unknown(
            "the step has no clarify_check_config"
            if config is None
            else f"the step's clarify_check_config is {what_it_is(config)}, not a check config"
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
        loc = self.location(
            node, name if isinstance(name, str) else "ClarifyCheckStep", self.dialect(step)
        )
        if isinstance(job_config, Obj):
            loc.origin = self.class_origin(settings.get("network_config"), self._monitoring_chain())
        job = sagemaker.clarify_check_job(request, loc, check_type)
        if job.inference is not False:
            job.model, job.existing_endpoint = model, existing_endpoint
        self.network.jobs.append(job)
        if isinstance(job_config, Obj):
            self.record_place(job, job_config.node, "network_config")
        step.job = job

    def _monitoring_chain(self) -> Tuple[Any, ...]:
        # the baselining processor takes monitoring defaults first, then processing defaults
        return (self.defaults.monitoring, self.defaults.processing)

    def baseline(self, monitor: Obj, node: ast.Call, env: Env) -> None:
        config = {"bias-monitor": "bias_config", "explainability-monitor": "explainability_config"}
        params = ("data_config", config.get(monitor.kind, "config"), "model_config")
        args = self.arguments(node, params, env)
        always: Any = monitor.kind == "explainability-monitor"
        if monitor.kind not in config:
            always = Unknown(f"whether {monitor.name} is a bias or an explainability monitor")
        inference, model, existing_endpoint = predictor_of(args.get("model_config"), always)
        request = {
            "AppSpecification": {"ImageUri": CLARIFY_IMAGE},
            "NetworkConfig": self.network_config(
                monitor.args.get("network_config"), self._monitoring_chain()
            ),
            "ProcessingResources": {"ClusterConfig": cluster(monitor.args, default=1)},
        }
        call = f"{monitor.name or monitor.cls}.suggest_baseline"
        loc = self.location(node, job_name(args, call), self.dialect(monitor))
        loc.origin = self.class_origin(monitor.args.get("network_config"), self._monitoring_chain())
        job = sagemaker.processing_job(request, loc, inference)
        if job is not None:
            job.model, job.existing_endpoint = model, existing_endpoint
            self.network.jobs.append(job)
            if monitor.module:  # a monitor this file builds
                self.record_place(job, monitor.node, "network_config")

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
        call = f"{monitor.name or monitor.cls}.create_monitoring_schedule"
        loc = self.location(node, call, self.dialect(monitor))
        loc.origin = self.class_origin(
            monitor.args.get("network_config"), (self.defaults.monitoring,)
        )
        job = sagemaker.monitoring_job(request, loc, monitor.kind, endpoint)
        self.network.jobs.append(job)
        if monitor.module:
            self.record_place(job, monitor.node, "network_config")

    def add_model(
        self, obj: Obj, node: ast.Call, vpc: Any, data: Any, model_defaults: bool = True
    ) -> None:
        """A model the script creates; ``model_defaults``: given no VpcConfig it takes
        SageMaker.Model.VpcConfig (the SDK's Model does; sagemaker-core's Model.create does not)."""
        settings = self.defaults.model if isinstance(self.defaults.model, dict) else {}
        if vpc is None and model_defaults:
            vpc = settings.get("VpcConfig")
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
        loc = self.location(node, resource, self.dialect(obj))
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
        name = request.get("ProcessingJobName" if api == "CreateProcessingJob" else "ModelName")
        # the request as keyword arguments, or as a dict passed with ** (its keys are strings)
        as_dict = bool(node.keywords) and all(keyword.arg is None for keyword in node.keywords)
        variant = "boto3-dict" if as_dict else "boto3"
        loc = self.location(node, name if isinstance(name, str) else operation, variant)
        if plain(request):
            self.network.requests.append(Request(loc, api, problems(api, request, loc)))
        if api == "CreateProcessingJob":
            job = sagemaker.processing_job(request, loc)
            if job is not None:
                self.network.jobs.append(job)
                self.record_place(job, node, "NetworkConfig", as_dict)
        else:
            keys = [python_call(self.path, loc.line, loc.column)]
            if isinstance(name, str):
                keys.append(model_name(name))
            self.network.models.append(sagemaker.model(request, loc, keys))
            self.record_place(self.network.models[-1], node, "VpcConfig", as_dict)

    def record_place(
        self, subject: Any, node: ast.AST, argument: str, request: bool = False
    ) -> None:
        """Where ``subject``'s network is written: ``argument`` of the call ``node``."""
        place = place_of(node, argument, request, self.node_cells.get(node, self.cell))
        if subject is not None and place is not None:
            self.places.append((subject, place))
