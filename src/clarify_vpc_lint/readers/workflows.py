"""Clarify jobs inside Step Functions state machines, SageMaker Pipelines and SDK defaults files.

Each container holds API-shaped requests (CreateProcessingJob, CreateModel) whose values may be
expressions evaluated at run time: Step Functions ``Key.$`` paths and JSONata ``{% %}``, pipeline
``{"Get": ...}``. Those become Unknown, except ``{"Get": "Parameters.X"}`` (the parameter's
default) and a pipeline step's model (``Steps.S.ModelName``), which links the two steps.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Dict, Iterator, List, Tuple

from .. import keys as keys_
from ..documents import Document, ParseError, parse_json
from ..model import Location, Network
from ..values import Handle, Unknown, dig, items
from . import sagemaker

Locate = Callable[[Tuple[Any, ...]], Tuple[int, int]]

_PROCESSING_TASK = re.compile(r":states:::(?:aws-sdk:)?sagemaker:createProcessingJob(?:\.sync)?$")
_MODEL_TASK = re.compile(r":states:::(?:aws-sdk:)?sagemaker:createModel$")
_STEP_MODEL = re.compile(r"^Steps\.([^.]+)\.(?:Properties\.)?ModelName$")
# a placeholder parse_embedded could not fill, marked so fill_placeholders can find it again
_OPEN, _CLOSE = "\u0001", "\u0002"
_MARKED = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
# CreateStateMachine's definition and CreatePipeline's PipelineDefinition hold at most 1,048,576
# characters (botocore service models): a definition its substitutions fill past that is not
# deployable, and the bound keeps a placeholder repeated inside a definition from taking gigabytes.
MAX_DEFINITION = 1 << 20
_TOO_LONG = f"longer than {MAX_DEFINITION} characters with its substitutions filled in, more than AWS accepts"


class _TooLong(Exception):
    """A definition filled past MAX_DEFINITION characters."""


class _Budget:
    """The characters a definition's placeholders may still fill in."""

    def __init__(self) -> None:
        self.left = MAX_DEFINITION

    def spend(self, text: str) -> str:
        self.left -= len(text)
        if self.left < 0:
            raise _TooLong
        return text


class Container:
    """Where a workflow is written: its name for findings, and how to locate a path inside it."""

    def __init__(self, name: str, document: Document, locate: Locate, key: str) -> None:
        self.name = name
        self.document = document
        self.locate = locate
        self.key = key  # the identity of what holds the workflow (keys.py)

    def loc(self, member: str, path: Tuple[Any, ...]) -> Location:
        line, column = self.locate(path)
        return Location(self.document.path, line, column, f"{self.name}/{member}", "api")


def standalone_container(document: Document) -> Container:
    name = os.path.basename(document.path)
    for suffix in (".asl.json", ".json", ".yaml", ".yml"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return Container(name, document, document.locate, keys_.workflow_file(document.path))


def is_state_machine(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("States"), dict) and "StartAt" in data


def is_pipeline(data: Any) -> bool:
    return isinstance(data, dict) and "Version" in data and isinstance(data.get("Steps"), list)


def is_sdk_defaults(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and "SchemaVersion" in data
        and isinstance(data.get("SageMaker"), dict)
    )


Lookup = Callable[[str], Any]


def no_lookup(name: str) -> Any:
    return None


def parse_embedded(text: Any, lookup: Lookup, where: str) -> Any:
    """A definition written as a string (a Fn::Sub template, DefinitionSubstitutions) -> its JSON.

    ``lookup`` gives a placeholder's value: a string or number is put in place; a reference (a
    resource Handle) or an unknown stays a value of its own, so a subnet written ``"${SubnetA}"``
    still names the subnet.
    """
    source = text.text if isinstance(text, Unknown) else text
    if not isinstance(source, str):
        return text if isinstance(text, Unknown) else Unknown(f"{where} is not a string")

    def substitute(match: re.Match, in_string: bool) -> str:
        value = lookup(match.group(1))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            if in_string:
                return json.dumps(value)[1:-1]
            return value if _is_json_scalar(value) else json.dumps(value)
        marker = f"{_OPEN}{match.group(1)}{_CLOSE}"
        return marker if in_string else json.dumps(marker)

    try:
        filled = _substitute_outside_strings(source, substitute, _Budget())
    except _TooLong:
        return Unknown(f"{where}: {_TOO_LONG}")
    try:
        parsed = parse_json(filled, strict=False)
    except ParseError as error:
        if error.line is None:  # nesting past source.MAX_DEPTH
            raise ParseError(f"{where}: {error.message}") from None
        detail = error.message[len("invalid JSON: ") :]
        raise ParseError(
            f"{where} is not valid JSON: {detail} (line {error.line} of the definition)"
        ) from None
    return fill_placeholders(parsed, lookup)


def _is_json_scalar(text: str) -> bool:
    try:
        return not isinstance(parse_json(text), (dict, list, str))
    except ParseError:
        return False


def _substitute_outside_strings(
    text: str, substitute: Callable[[re.Match, bool], str], budget: _Budget
) -> str:
    pieces: List[str] = []
    position = index = 0
    in_string = False
    while index < len(text):
        char = text[index]
        if char == "\\" and in_string:
            index += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "$" and text.startswith("${", index):
            match = _PLACEHOLDER.match(text, index)
            if match:
                pieces.append(budget.spend(text[position:index]))
                pieces.append(budget.spend(substitute(match, in_string)))
                position = index = match.end()
                continue
        index += 1
    pieces.append(budget.spend(text[position:]))
    return "".join(pieces)


def fill_placeholders(value: Any, lookup: Lookup) -> Any:
    """Markers left by parse_embedded, and ``${X}`` left in a definition object (DefinitionSubstitutions), become values."""
    try:
        return _fill(value, lookup, _Budget())
    except _TooLong:
        return Unknown(_TOO_LONG)


def _fill(value: Any, lookup: Lookup, budget: _Budget) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, lookup, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, lookup, budget) for v in value]
    if not isinstance(value, str) or ("${" not in value and _OPEN not in value):
        return value
    text = _MARKED.sub(r"${\1}", value)
    whole = _PLACEHOLDER.fullmatch(text)
    if whole:
        found = lookup(whole.group(1))
        if found is not None and not isinstance(found, Unknown):
            return found
        if isinstance(found, Unknown):
            return Unknown(found.reason, text)

    def substitute(match: re.Match) -> str:
        found = lookup(match.group(1))
        return budget.spend(str(found) if isinstance(found, (str, int, float)) else match.group(0))

    resolved = _PLACEHOLDER.sub(substitute, text)
    unresolved = _PLACEHOLDER.search(resolved)
    if unresolved is None:
        return resolved
    return Unknown(f"placeholder {unresolved.group(0)} is not resolved offline", resolved)


# -- Step Functions --------------------------------------------------------------------------------


def read_state_machine(
    definition: Any, container: Container, path: Tuple[Any, ...] = ()
) -> Network:
    network = Network()
    for name, state, state_path in _states(definition, path):
        resource = state.get("Resource")
        if not isinstance(resource, str):
            continue
        arguments = state.get("Arguments", state.get("Parameters"))
        request = (
            _run_time_values(arguments)
            if arguments is not None
            else Unknown(f"state {name} has no Parameters or Arguments")
        )
        if isinstance(request, Unknown):
            request = {"NetworkConfig": request, "AppSpecification": {}}
        loc = container.loc(name, state_path)
        if _PROCESSING_TASK.search(resource):
            job = sagemaker.processing_job(request, loc)
            if job is not None:
                network.jobs.append(job)
        elif _MODEL_TASK.search(resource):
            network.models.append(
                sagemaker.model(request, loc, _model_keys(container, name, request))
            )
    return network


def _states(
    definition: Any, path: Tuple[Any, ...]
) -> Iterator[Tuple[str, Dict[str, Any], Tuple[Any, ...]]]:
    states = definition.get("States") if isinstance(definition, dict) else None
    for name, state in states.items() if isinstance(states, dict) else ():
        if not isinstance(state, dict):
            continue
        state_path = path + ("States", name)
        yield name, state, state_path
        for position, branch in enumerate(items(state.get("Branches"))):
            yield from _states(branch, state_path + ("Branches", position))
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), dict):
                yield from _states(state[key], state_path + (key,))


def _run_time_values(value: Any) -> Any:
    """``Key.$`` and JSONata ``{% %}`` values are known only when the execution runs."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(".$"):
                result[key[:-2]] = Unknown(f"{key[:-2]} is taken at run time from {item!r}")
            else:
                result[key] = _run_time_values(item)
        return result
    if isinstance(value, list):
        return [_run_time_values(item) for item in value]
    if isinstance(value, str) and value.strip().startswith("{%"):
        return Unknown(f"the JSONata expression {value.strip()!r} is evaluated at run time")
    return value


def _model_keys(container: Container, name: str, request: Any) -> List[str]:
    keys = [keys_.embedded(container.key, name)]
    model_name = dig(request, "ModelName")
    if isinstance(model_name, str):
        keys.append(keys_.model_name(model_name))
    return keys


# -- SageMaker Pipelines -----------------------------------------------------------------------------


def read_pipeline(definition: Any, container: Container, path: Tuple[Any, ...] = ()) -> Network:
    network = Network()
    if not isinstance(definition, dict):
        return network
    defaults = {
        parameter["Name"]: parameter.get("DefaultValue")
        for parameter in items(definition.get("Parameters"))
        if isinstance(parameter, dict) and isinstance(parameter.get("Name"), str)
    }
    for position, step in enumerate(items(definition.get("Steps"))):
        if not isinstance(step, dict) or not isinstance(step.get("Name"), str):
            continue
        name, kind = step["Name"], step.get("Type")
        loc = container.loc(name, path + ("Steps", position, "Name"))
        arguments = _pipeline_values(step.get("Arguments"), defaults, container)
        if arguments is None:
            arguments = Unknown(f"step {name} has no Arguments")
        request = arguments if isinstance(arguments, dict) else {"NetworkConfig": arguments}
        if kind == "ClarifyCheck":
            job = sagemaker.clarify_check_job(request, loc, step.get("CheckType"))
            model = _pipeline_values(step.get("ModelName"), defaults, container)
            if model is not None and job.inference is not False:
                job.model = model
            network.jobs.append(job)
        elif kind == "Processing":
            job = sagemaker.processing_job(request, loc)
            if job is not None:
                network.jobs.append(job)
        elif kind in ("Model", "CreateModel"):
            network.models.append(
                sagemaker.model(request, loc, _model_keys(container, name, request))
            )
    return network


def _pipeline_values(value: Any, defaults: Dict[str, Any], container: Container) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "Get" in value:
            return _get(str(value["Get"]), defaults, container)
        if len(value) == 1 and str(next(iter(value))).startswith("Std:"):
            return Unknown(f"the pipeline expression {next(iter(value))} is evaluated at run time")
        return {k: _pipeline_values(v, defaults, container) for k, v in value.items()}
    if isinstance(value, list):
        return [_pipeline_values(v, defaults, container) for v in value]
    return value


def _get(expression: str, defaults: Dict[str, Any], container: Container) -> Any:
    if expression.startswith("Parameters."):
        name = expression[len("Parameters.") :]
        if defaults.get(name) is None:
            return Unknown(
                f"pipeline parameter {name} has no DefaultValue; its value is given at start"
            )
        return defaults[name]
    step_model = _STEP_MODEL.match(expression)
    if step_model:
        return Handle(keys_.embedded(container.key, step_model.group(1)))
    return Unknown(f"{{'Get': {expression!r}}} is evaluated at run time")


# -- SageMaker Python SDK defaults (config.yaml) ---------------------------------------------------------


def read_sdk_defaults(document: Document) -> Network:
    """Defaults the SDK applies to every processing job and model it creates."""
    network = Network()
    settings = document.data["SageMaker"]

    def loc(*path: str) -> Location:
        line, column = document.locate(("SageMaker", *path))
        return Location(document.path, line, column, ".".join(("SageMaker", *path)), "api")

    count = Unknown("the instance count is set by each job's code, not by the SDK defaults")
    processing = settings.get("ProcessingJob")
    processing_network = dig(processing, "NetworkConfig")
    if isinstance(processing, dict):
        # every Clarify job the SDK starts takes these defaults: judge them as a Clarify job
        job = sagemaker.defaults_job(processing_network, loc("ProcessingJob"), count)
        network.jobs.append(job)
    monitoring_network = dig(
        settings,
        "MonitoringSchedule",
        "MonitoringScheduleConfig",
        "MonitoringJobDefinition",
        "NetworkConfig",
    )
    if monitoring_network is not None:
        # ClarifyCheckStep and the monitors take these first; the Clarify processor they start
        # fills each field still unset from the processing-job defaults
        merged = (
            monitoring_network
            if isinstance(monitoring_network, Unknown)
            else sagemaker.sdk_network_config({}, (monitoring_network, processing_network))
        )
        network.jobs.append(sagemaker.defaults_job(merged, loc("MonitoringSchedule"), count))
    model = settings.get("Model")
    if isinstance(model, dict):
        request = dict(
            model, PrimaryContainer={"ModelDataUrl": Unknown("set by each model's code")}
        )
        network.models.append(sagemaker.model(request, loc("Model"), []))
    _read_resource_defaults(settings, loc, count, network)
    return network


def _read_resource_defaults(
    settings: Dict[str, Any], loc: Callable[..., Location], count: Any, network: Network
) -> None:
    """The v3 shape (``SageMaker.PythonSDK.Resources``, snake_case), judged where it is written:
    the network_config a sagemaker-core ``ProcessingJob.create`` that leaves it out takes whole
    (its own section, else GlobalDefaults), and the vpc_config of ``Model.create``."""
    resources = dig(settings, "PythonSDK", "Resources")
    if not isinstance(resources, dict):
        return
    for resource, argument in (("ProcessingJob", "network_config"), ("Model", "vpc_config")):
        own = resources.get(resource)
        section = resource if isinstance(own, dict) and argument in own else "GlobalDefaults"
        value = dig(resources, section, argument)
        if value is None and not isinstance(own, dict):
            continue  # the defaults say nothing of this resource
        where = loc("PythonSDK", "Resources", section if value is not None else resource)
        where.variant = "sdk-v3-defaults"  # its fixes are written in that shape
        if resource == "ProcessingJob":
            fields = {
                "enable_network_isolation": dig(value, "enable_network_isolation"),
                "subnets": dig(value, "vpc_config", "subnets"),
                "security_group_ids": dig(value, "vpc_config", "security_group_ids"),
            }
            job_network = sagemaker.sdk_network_config(fields, ())
            network.jobs.append(sagemaker.defaults_job(job_network, where, count))
            continue
        request: Dict[str, Any] = {
            "PrimaryContainer": {"ModelDataUrl": Unknown("set by each model's code")}
        }
        if value is not None:
            request["VpcConfig"] = {
                "Subnets": dig(value, "subnets"),
                "SecurityGroupIds": dig(value, "security_group_ids"),
            }
        network.models.append(sagemaker.model(request, where, []))


def embedded_network(definition: Any, kind: str, container: Container) -> Network:
    """The jobs and models of a definition; one the inputs do not show may start Clarify jobs."""
    if not isinstance(definition, dict):
        reason = definition.reason if isinstance(definition, Unknown) else "it is not a JSON object"
        return opaque(kind, container, f"the {kind} definition of {container.name}: {reason}")
    reader = read_state_machine if kind == "state-machine" else read_pipeline
    return reader(definition, container)


def opaque(kind: str, container: Container, reason: str) -> Network:
    """A definition the inputs do not hold (in S3, a parameter): it may start Clarify jobs."""
    network = Network()
    unknown = Unknown(reason)
    loc = container.loc(kind, ())
    loc.resource = container.name
    network.jobs.append(sagemaker.defaults_job(unknown, loc, unknown, inference=unknown))
    return network
