"""Terraform's built-in functions that network configurations use, over evaluated values.

Arguments are plain JSON values; an Unknown argument makes the result Unknown (``try``,
``coalesce`` and ``length`` are handled by the evaluator, which sees the expressions).
"""

from __future__ import annotations

import ipaddress
import json
import math
from typing import Any, Callable, Dict, List

from ...values import Unknown
from .iam import go_json


class EvalError(Exception):
    """An expression Terraform itself would reject (wrong type, missing key)."""


def _list(value: Any, what: str) -> list:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what} wants a list, got {type(value).__name__}")


def _map(value: Any, what: str) -> dict:
    if isinstance(value, dict):
        return value
    raise EvalError(f"{what} wants a map, got {type(value).__name__}")


def to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise EvalError(f"cannot convert {type(value).__name__} to a string")


def to_number(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        raise EvalError(f"cannot convert {'null' if value is None else 'a bool'} to a number")
    if isinstance(value, (int, float)):
        return value
    return number_literal(str(value))


# Terraform's numbers are arbitrary-precision; longer ones are not evaluated (Python's int() of a
# 5,000-digit text raises, and nothing a network is built from needs them).
_MAX_NUMBER_TEXT = 100


def number_literal(text: str) -> Any:
    """A number as written (``10``, ``1.5``, ``1e3``); finite, or EvalError."""
    text = text.strip()
    if len(text) > _MAX_NUMBER_TEXT:
        raise EvalError(f"a number of {len(text)} characters is not evaluated")
    try:
        number = float(text)
    except ValueError:
        raise EvalError(f"{text[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise EvalError(f"{text[:40]!r} is not a finite number")
    if text.lstrip("+-").isdigit():
        return int(text)
    return int(number) if number.is_integer() and "." not in text else number


def to_set(value: Any) -> list:
    """A set as Terraform orders it in a plan: strings sorted, duplicates removed."""
    items: List[Any] = []
    for item in _list(value, "toset"):
        if item not in items:
            items.append(item)
    if all(isinstance(item, str) for item in items):
        return sorted(items)
    return items


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    try:
        network = ipaddress.ip_network(str(prefix), strict=False)
    except ValueError:
        raise EvalError(f"{prefix!r} is not a CIDR block") from None
    length = network.prefixlen + int(newbits)
    if length > network.max_prefixlen or int(netnum) >= 2 ** int(newbits):
        raise EvalError(f"cidrsubnet({prefix}, {newbits}, {netnum}) does not fit")
    size = 2 ** (network.max_prefixlen - length)
    address = network.network_address + int(netnum) * size
    return f"{address}/{length}"


def _cidrhost(prefix: Any, hostnum: Any) -> str:
    network = ipaddress.ip_network(str(prefix), strict=False)
    number = int(hostnum)
    base = network.broadcast_address + 1 if number < 0 else network.network_address
    return str(base + number)


def _format(spec: Any, *args: Any) -> str:
    out, position, index = [], 0, 0
    spec = str(spec)
    while position < len(spec):
        char = spec[position]
        if char != "%":
            out.append(char)
            position += 1
            continue
        verb = spec[position + 1 : position + 2]
        position += 2
        if verb == "%":
            out.append("%")
            continue
        while verb and verb in "+-# 0123456789.":  # flags and widths: rare in configurations
            verb = spec[position : position + 1]
            position += 1
        if index >= len(args):
            raise EvalError("format has too few arguments")
        arg = args[index]
        index += 1
        out.append(json.dumps(arg) if verb == "q" else to_string(arg))
    return "".join(out)


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    mapping = _map(mapping, "lookup")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise EvalError(f"lookup: no key {key!r}")


def _element(items: Any, index: Any) -> Any:
    items = _list(items, "element")
    if not items:
        raise EvalError("element of an empty list")
    return items[int(index) % len(items)]


def _flatten(items: Any) -> list:
    out: List[Any] = []
    for item in _list(items, "flatten"):
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _merge(*maps: Any) -> dict:
    out: Dict[str, Any] = {}
    for mapping in maps:
        if mapping is not None:
            out.update(_map(mapping, "merge"))
    return out


def _distinct(items: Any) -> list:
    out: List[Any] = []
    for item in _list(items, "distinct"):
        if item not in out:
            out.append(item)
    return out


def _slice(items: Any, start: Any, end: Any) -> list:
    return _list(items, "slice")[int(start) : int(end)]


def _concat(*lists: Any) -> list:
    out: List[Any] = []
    for items in lists:
        out.extend(_list(items, "concat"))
    return out


def _keys(mapping: Any) -> list:
    return sorted(_map(mapping, "keys"))


def _values(mapping: Any) -> list:
    mapping = _map(mapping, "values")
    return [mapping[key] for key in sorted(mapping)]


def _zipmap(keys: Any, values: Any) -> dict:
    return dict(zip(_list(keys, "zipmap"), _list(values, "zipmap")))


def _contains(items: Any, value: Any) -> bool:
    return value in _list(items, "contains")


def _index(items: Any, value: Any) -> int:
    items = _list(items, "index")
    if value not in items:
        raise EvalError(f"index: {value!r} is not in the list")
    return items.index(value)


def _range(*args: Any) -> list:
    return list(range(*(int(a) for a in args)))


def _jsondecode(text: Any) -> Any:
    try:
        return json.loads(str(text))
    except ValueError:
        raise EvalError("jsondecode: not JSON") from None


def _replace(text: Any, search: Any, replacement: Any) -> str:
    text, search, replacement = str(text), str(search), str(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        import re

        return re.sub(search[1:-1], replacement.replace("$", "\\"), text)
    return text.replace(search, replacement)


def _substr(text: Any, offset: Any, length: Any) -> str:
    text, offset, length = str(text), int(offset), int(length)
    if offset < 0:
        offset += len(text)
    return text[offset:] if length < 0 else text[offset : offset + length]


FUNCTIONS: Dict[str, Callable[..., Any]] = {
    "concat": _concat,
    "element": _element,
    "lookup": _lookup,
    "merge": _merge,
    "slice": _slice,
    "cidrsubnet": _cidrsubnet,
    "cidrhost": _cidrhost,
    "format": _format,
    "tolist": lambda v: list(_list(v, "tolist")),
    "toset": to_set,
    "tomap": lambda v: dict(_map(v, "tomap")),
    "keys": _keys,
    "values": _values,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": lambda v: [i for i in _list(v, "compact") if i not in ("", None)],
    "jsonencode": go_json,
    "jsondecode": _jsondecode,
    "join": lambda sep, items: str(sep).join(to_string(i) for i in _list(items, "join")),
    "split": lambda sep, text: str(text).split(str(sep)),
    "replace": _replace,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "trimspace": lambda s: str(s).strip(),
    "substr": _substr,
    "tostring": lambda v: None if v is None else to_string(v),
    "tonumber": lambda v: None if v is None else to_number(v),
    "tobool": lambda v: v if isinstance(v, bool) or v is None else str(v) == "true",
    "zipmap": _zipmap,
    "contains": _contains,
    "index": _index,
    "range": _range,
    "reverse": lambda v: list(reversed(_list(v, "reverse"))),
    "sort": lambda v: sorted(to_string(i) for i in _list(v, "sort")),
    "min": lambda *v: min(v),
    "max": lambda *v: max(v),
    "abs": abs,
    "startswith": lambda s, p: str(s).startswith(str(p)),
    "endswith": lambda s, p: str(s).endswith(str(p)),
    "one": lambda v: (_list(v, "one") or [None])[0],
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
}


def has_unknown(value: Any) -> Any:
    """The first Unknown inside a value, or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        for item in value:
            found = has_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, dict):
        for item in value.values():
            found = has_unknown(item)
            if found is not None:
                return found
    return None
