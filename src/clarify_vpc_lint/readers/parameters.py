"""CloudFormation parameter values (``--parameters``) in the three usual shapes."""

from __future__ import annotations

import json
from typing import Dict

from .source import ParseError


def parse_parameters(text: str) -> Dict[str, str]:
    """``[{ParameterKey, ParameterValue}]``, ``{"Parameters": {...}}`` or ``KEY=VALUE`` lines."""
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise ParseError(f"invalid JSON: {error.msg}", error.lineno) from None
        if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
            return {str(k): _text(v) for k, v in data["Parameters"].items()}
        if isinstance(data, list) and all(
            isinstance(item, dict) and "ParameterKey" in item for item in data
        ):
            return {
                str(item["ParameterKey"]): _text(item.get("ParameterValue", ""))
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
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
