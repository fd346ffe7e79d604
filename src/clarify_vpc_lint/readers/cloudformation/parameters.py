"""CloudFormation parameter values (``--parameters``) in the three usual shapes."""

from __future__ import annotations

from typing import Dict

from ...documents import ParseError, decode_text, parse_json, read_regular_file

MAX_PARAMETERS_BYTES = 1 << 20  # CloudFormation takes at most 200 parameters of 4 KB each


def read_parameters(path: str) -> Dict[str, str]:
    """The parameter values of one file; any problem is a ParseError (a regular file is required)."""
    return parse_parameters(decode_text(read_regular_file(path, MAX_PARAMETERS_BYTES)))


def parse_parameters(text: str) -> Dict[str, str]:
    """``[{ParameterKey, ParameterValue}]``, ``{"Parameters": {...}}`` or ``KEY=VALUE`` lines."""
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        data = parse_json(stripped)
        if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
            return {_text(k): _text(v) for k, v in data["Parameters"].items()}
        if isinstance(data, list) and all(
            isinstance(item, dict) and "ParameterKey" in item for item in data
        ):
            return {
                _text(item["ParameterKey"]): _text(item.get("ParameterValue", ""))
                for item in data
                if not item.get("UsePreviousValue")
            }
        raise ParseError(
            'expected [{"ParameterKey": ..., "ParameterValue": ...}] or {"Parameters": {...}}'
        )
    values: Dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ParseError("expected KEY=VALUE", number)
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip()
    return values


def _text(value: object) -> str:
    """A parameter value as CloudFormation takes it: a string, a list joined with commas."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ",".join(map(str, value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ParseError(f"a parameter value must be a string, not {type(value).__name__}")
