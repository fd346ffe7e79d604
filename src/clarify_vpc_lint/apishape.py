"""CVL001: check a SageMaker API request against botocore's service model, offline.

The model is botocore's packaged ``sagemaker/*/service-2.json(.gz)``, read as data: no botocore
Session (it would read ~/.aws/config, ~/.aws/credentials, AWS_PROFILE and ~/.aws/models) and no
botocore import at all (it costs more than linting the file). ``_Validator`` reports what
botocore's ParamValidator reports, as the same (kind, name, details) errors: required members,
unknown keys, types and minimums. ``_limits`` adds what that validator skips: maximums, enums and
patterns (FACTS.md section 2). Describe-only members (those in the Describe response but not in
the Create request) and boto3's ``ResponseMetadata`` are accepted.

CVL001 judges shapes, not the age of the installed model: enumerations that grow with every
release (instance types, regions) accept any value of their members' form (``ml.m7i.xlarge`` is
an instance type even where botocore 1.35, as checkov pins it, does not list it yet), while a
closed enumeration (``FullyReplicated`` | ``ShardedByS3Key``) still takes only its members.
"""

from __future__ import annotations

import datetime
import decimal
import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

from .botocore_data import package_folder

Problem = Tuple[Tuple[Any, ...], str]
Shape = Dict[str, Any]
Error = Tuple[str, str, Dict[str, Any]]

DESCRIBE_OF = {
    "CreateProcessingJob": "DescribeProcessingJob",
    "CreateModel": "DescribeModel",
    "CreateModelBiasJobDefinition": "DescribeModelBiasJobDefinition",
    "CreateModelExplainabilityJobDefinition": "DescribeModelExplainabilityJobDefinition",
}


# The forms of the members of enumerations that grow: each new instance type or region is one
# more value of the same form.
GROWING_FORMS = (
    # ml.<family>.<size>: families are new each year, sizes are words of their own
    re.compile(
        r"ml\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.(?:nano|micro|small|medium|large|[0-9]*xlarge)"
    ),
    re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+"),  # us-east-1, ap-southeast-7
)


@cache
def _shapes() -> Tuple[Dict[str, Any], Dict[str, Shape]]:
    """SageMaker's operations and shapes, as packaged with botocore (found without importing it)."""
    folder = Path(package_folder()) / "data" / "sagemaker"
    version = max(entry.name for entry in folder.iterdir() if entry.is_dir())
    packed = folder / version / "service-2.json.gz"
    if packed.is_file():
        with gzip.open(packed, "rb") as handle:
            model = json.load(handle)
    else:
        with open(folder / version / "service-2.json", "rb") as handle:
            model = json.load(handle)
    return model["operations"], model["shapes"]


def _target(reference: Shape) -> Shape:
    return _shapes()[1][reference["shape"]]


def validate(operation: str, request: Dict[str, Any]) -> List[Problem]:
    """Problems of ``request`` as the ``operation`` input, each with the path of the key at fault."""
    operations, _ = _shapes()
    shape = _target(operations[operation]["input"])
    members = shape.get("members", {})
    describe_only = set(_target(operations[DESCRIBE_OF[operation]]["output"]).get("members", {}))
    params = {
        key: value
        for key, value in request.items()
        if key in members or key not in describe_only and key != "ResponseMetadata"
    }
    errors: List[Error] = []
    _Validator(errors).check(params, shape, "")
    problems = [_describe(error) for error in errors]
    problems.extend(_limits(params, shape, ()))
    return problems


class _Validator:
    """botocore.validate.ParamValidator over the raw model (same checks, same error tuples)."""

    def __init__(self, errors: List[Error]) -> None:
        self.errors = errors

    def report(self, name: str, kind: str, **details: Any) -> None:
        self.errors.append((kind, name, details))

    def check(self, value: Any, shape: Shape, name: str) -> None:
        kind = shape["type"]
        if kind == "structure" and shape.get("document"):
            self._document(value, name)
        elif kind == "structure":
            if self._typed(value, (dict,), name):
                self._structure(value, shape, name)
        elif kind == "list":
            if self._typed(value, (list, tuple), name):
                self._range(len(value), shape, name, "invalid length")
                for index, item in enumerate(value):
                    self.check(item, _target(shape["member"]), f"{name}[{index}]")
        elif kind == "map":
            if self._typed(value, (dict,), name):
                for key, item in value.items():
                    self.check(key, _target(shape["key"]), f"{name} (key: {key})")
                    self.check(item, _target(shape["value"]), f"{name}.{key}")
        elif kind == "string":
            if self._typed(value, (str,), name):
                self._range(len(value), shape, name, "invalid length")
        elif kind in ("integer", "long"):
            if self._typed(value, (int,), name):
                self._range(value, shape, name, "invalid range")
        elif kind in ("double", "float"):
            if self._typed(value, (float, decimal.Decimal, int), name):
                self._range(value, shape, name, "invalid range")
        elif kind == "boolean":
            self._typed(value, (bool,), name)
        elif kind == "blob":
            if not (isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read")):
                self.report(
                    name,
                    "invalid type",
                    param=value,
                    valid_types=[str(bytes), str(bytearray), "file-like object"],
                )
        elif kind == "timestamp" and not _is_timestamp(value):
            self.report(
                name,
                "invalid type",
                param=value,
                valid_types=[str(datetime.datetime), "timestamp-string"],
            )

    def _typed(self, value: Any, types: Tuple[type, ...], name: str) -> bool:
        if isinstance(value, types):
            return True
        self.report(name, "invalid type", param=value, valid_types=[str(t) for t in types])
        return False

    def _range(self, value: Any, shape: Shape, name: str, kind: str) -> None:
        if "min" in shape and value < shape["min"]:
            self.report(name, kind, param=value, min_allowed=shape["min"])

    def _structure(self, value: Dict[str, Any], shape: Shape, name: str) -> None:
        members = shape.get("members", {})
        if shape.get("union"):
            if not value:
                self.report(name, "empty input", members=members)
            elif len(value) > 1:
                self.report(name, "more than one input", members=members)
        for required in shape.get("required", []):
            if required not in value:
                self.report(
                    name, "missing required field", required_name=required, user_params=value
                )
        known = []
        for key in value:
            if key in members:
                known.append(key)
            else:
                self.report(name, "unknown field", unknown_param=key, valid_names=list(members))
        for key in known:
            self.check(value[key], _target(members[key]), f"{name}.{key}")

    def _document(self, value: Any, name: str) -> None:
        if value is None or isinstance(value, (str, int, bool, float)):
            return
        if isinstance(value, dict):
            for key in value:
                self._document(value[key], key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._document(item, f"{name}[{index}]")
        else:
            types = (str, int, bool, float, list, dict)
            self.report(
                name,
                "invalid type for document",
                param=value,
                param_type=type(value),
                valid_types=[str(t) for t in types],
            )


def _is_timestamp(value: Any) -> bool:
    """A timestamp as botocore accepts one: a datetime, epoch seconds or a date string."""
    if isinstance(value, datetime.datetime):
        return True
    try:
        seconds = float(value) if isinstance(value, (int, float, str)) else None
    except ValueError:
        seconds = None
    if seconds is not None:
        try:
            datetime.datetime.fromtimestamp(seconds)
            return True
        except (ValueError, OverflowError, OSError):
            return False
    if not isinstance(value, str):
        return False
    from dateutil.parser import parse  # a botocore dependency; only for timestamp strings

    try:
        parse(value)
        return True
    except (ValueError, OverflowError, TypeError):
        return False


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


def _limits(value: Any, shape: Shape, path: Tuple[Any, ...]) -> Iterator[Problem]:
    where = ".".join(map(str, path))
    kind = shape["type"]
    if kind == "structure" and isinstance(value, dict) and not shape.get("document"):
        for name, member in shape.get("members", {}).items():
            if name in value:
                yield from _limits(value[name], _target(member), path + (name,))
    elif kind == "list" and isinstance(value, list):
        if "max" in shape and len(value) > shape["max"]:
            yield (
                path,
                f"{where} has {len(value)} items, more than the API maximum of {shape['max']}",
            )
        for index, item in enumerate(value):
            yield from _limits(item, _target(shape["member"]), path + (index,))
    elif kind == "map" and isinstance(value, dict):
        if "max" in shape and len(value) > shape["max"]:
            yield (
                path,
                f"{where} has {len(value)} entries, more than the API maximum of {shape['max']}",
            )
    elif kind == "string" and isinstance(value, str):
        if "max" in shape and len(value) > shape["max"]:
            yield (
                path,
                f"{where} is {len(value)} characters, more than the API maximum of {shape['max']}",
            )
        if shape.get("enum") and value not in shape["enum"] and not _grows_to(shape, value):
            yield path, f"{where} is {value!r}, not one of the values the API accepts"
        pattern = _pattern(shape.get("pattern"))
        too_long = "max" in shape and len(value) > shape["max"]  # said above; never searched
        if pattern is not None and not too_long and not pattern.search(value):
            yield (
                path,
                f"{where} is {value!r}, which does not match the API pattern {shape['pattern']}",
            )
    elif (
        kind in ("integer", "long")
        and isinstance(value, int)
        and not isinstance(value, bool)
        and "max" in shape
        and value > shape["max"]
    ):
        yield path, f"{where} is {value}, more than the API maximum of {shape['max']}"


def _grows_to(shape: Shape, value: str) -> bool:
    """Is ``value`` of the form of a growing enumeration's members (a newer instance type)?"""
    return any(
        form.fullmatch(value) and any(form.fullmatch(member) for member in shape["enum"])
        for form in GROWING_FORMS
    )


@cache
def _pattern(pattern: Any) -> Any:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:  # an ECMAScript construct Python does not know: leave it to the service
        return None
