"""CVL001: check a SageMaker API request against botocore's service model, offline.

botocore's validator checks required members, unknown keys, types and minimums; it skips maximums,
enums and patterns (FACTS.md section 2), which ``_limits`` adds. Describe-only members (those in the
Describe response but not in the Create request) and boto3's ``ResponseMetadata`` are accepted.
botocore is imported here only, so linting files without API JSON never loads it.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

Problem = Tuple[Tuple[Any, ...], str]

DESCRIBE_OF = {
    "CreateProcessingJob": "DescribeProcessingJob",
    "CreateModel": "DescribeModel",
    "CreateModelBiasJobDefinition": "DescribeModelBiasJobDefinition",
    "CreateModelExplainabilityJobDefinition": "DescribeModelExplainabilityJobDefinition",
}


@cache
def _service_model() -> Any:
    """SageMaker's model as packaged with botocore, read straight from botocore's data folder.

    No botocore Session: a session reads ~/.aws/config, ~/.aws/credentials, AWS_PROFILE and
    ~/.aws/models, so the user's files could change (or abort) the check. Only the package's own
    data is read here.
    """
    import botocore
    import botocore.model

    folder = Path(botocore.__file__).parent / "data" / "sagemaker"
    version = max(entry.name for entry in folder.iterdir() if entry.is_dir())
    packed = folder / version / "service-2.json.gz"
    if packed.is_file():
        with gzip.open(packed, "rb") as handle:
            data = json.load(handle)
    else:
        with open(folder / version / "service-2.json", "rb") as handle:
            data = json.load(handle)
    return botocore.model.ServiceModel(data, service_name="sagemaker")


def validate(operation: str, request: Dict[str, Any]) -> List[Problem]:
    """Problems of ``request`` as the ``operation`` input, each with the path of the key at fault."""
    import botocore.validate

    service = _service_model()
    shape = service.operation_model(operation).input_shape
    describe_only = set(service.operation_model(DESCRIBE_OF[operation]).output_shape.members)
    params = {
        key: value
        for key, value in request.items()
        if key in shape.members or key not in describe_only and key != "ResponseMetadata"
    }
    report = botocore.validate.ParamValidator().validate(params, shape)
    problems = [_describe(error) for error in getattr(report, "_errors", [])]
    problems.extend(_limits(params, shape, ()))
    return problems


def _path(name: str) -> Tuple[Any, ...]:
    parts: List[Any] = []
    for piece in re.findall(r"[^.\[\]]+|\[\d+\]", name):
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    return tuple(parts)


def _describe(error: Tuple[str, str, Dict[str, Any]]) -> Problem:
    kind, name, details = error
    path = _path(name)
    where = name.lstrip(".") or "the request"
    if kind == "missing required field":
        return path, f"{where} is missing required member {details['required_name']}"
    if kind == "unknown field":
        return path + (details["unknown_param"],), (
            f"{'.'.join(map(str, path + (details['unknown_param'],)))} is not a member of the API"
        )
    if kind == "invalid type":
        types = ", ".join(
            t.replace("<class '", "").replace("'>", "") for t in details["valid_types"]
        )
        return path, f"{where} is {details['param']!r}, of the wrong type (expected {types})"
    if kind in ("invalid range", "invalid length"):
        return path, f"{where} is below the API minimum of {details.get('min_allowed')}"
    return path, f"{where}: {kind}"


def _limits(value: Any, shape: Any, path: Tuple[Any, ...]) -> Iterator[Problem]:
    where = ".".join(map(str, path))
    kind = shape.type_name
    limits = shape.metadata
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                yield from _limits(value[name], member, path + (name,))
    elif kind == "list" and isinstance(value, list):
        if "max" in limits and len(value) > limits["max"]:
            yield (
                path,
                f"{where} has {len(value)} items, more than the API maximum of {limits['max']}",
            )
        for index, item in enumerate(value):
            yield from _limits(item, shape.member, path + (index,))
    elif kind == "map" and isinstance(value, dict):
        if "max" in limits and len(value) > limits["max"]:
            yield (
                path,
                f"{where} has {len(value)} entries, more than the API maximum of {limits['max']}",
            )
    elif kind == "string" and isinstance(value, str):
        if "max" in limits and len(value) > limits["max"]:
            yield (
                path,
                f"{where} is {len(value)} characters, more than the API maximum of {limits['max']}",
            )
        if shape.enum and value not in shape.enum:
            yield path, f"{where} is {value!r}, not one of the values the API accepts"
        pattern = _pattern(limits.get("pattern"))
        if pattern is not None and not pattern.search(value):
            yield (
                path,
                f"{where} is {value!r}, which does not match the API pattern {limits['pattern']}",
            )
    elif (
        kind in ("integer", "long")
        and isinstance(value, int)
        and not isinstance(value, bool)
        and "max" in limits
        and value > limits["max"]
    ):
        yield path, f"{where} is {value}, more than the API maximum of {limits['max']}"


@cache
def _pattern(pattern: Any) -> Any:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:  # an ECMAScript construct Python does not know: leave it to the service
        return None
