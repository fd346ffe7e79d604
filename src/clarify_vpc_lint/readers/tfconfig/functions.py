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
from .hcl import MAX_NESTING, nesting_depth
from .iam import go_json

# What one function may build: more elements (range) or characters (join, replace) is an
# EvalError (the value is unknown), never gigabytes of memory.
MAX_ELEMENTS = 100_000
MAX_CHARACTERS = 1_000_000
# Patterns of replace(): Python's engine backtracks where Terraform's (RE2) is linear, so a
# pattern is evaluated only where it cannot backtrack badly (see _safe_pattern), on this much text.
_MAX_REGEX_TEXT = 10_000


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


def _unique(items: List[Any]) -> List[Any]:
    """Items without repeats, in order, in linear time (JSON text identifies a collection; one
    holding references is compared with those kept so far, as before)."""
    seen: set = set()
    out: List[Any] = []
    for item in items:
        try:
            key = (type(item).__name__, go_json(item) if isinstance(item, (list, dict)) else item)
            hash(key)
        except TypeError:
            if item not in out:
                out.append(item)
            continue
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def to_set(value: Any) -> list:
    """A set as Terraform orders it in a plan: strings sorted, duplicates removed."""
    items = _unique(_list(value, "toset"))
    if all(isinstance(item, str) for item in items):
        return sorted(items)
    return items


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    try:
        network = ipaddress.ip_network(str(prefix), strict=False)
    except ValueError:
        raise EvalError(f"{prefix!r} is not a CIDR block") from None
    newbits, netnum = _integer(newbits, "cidrsubnet"), _integer(netnum, "cidrsubnet")
    length = network.prefixlen + newbits
    if not 0 <= newbits <= network.max_prefixlen or length > network.max_prefixlen:
        raise EvalError(f"cidrsubnet({prefix}, {newbits}, {netnum}) does not fit")
    if not 0 <= netnum < 2**newbits:
        raise EvalError(f"cidrsubnet({prefix}, {newbits}, {netnum}) does not fit")
    size = 2 ** (network.max_prefixlen - length)
    address = network.network_address + netnum * size
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
    return items[_integer(index, "element") % len(items)]


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
    return _unique(_list(items, "distinct"))


def _slice(items: Any, start: Any, end: Any) -> list:
    return _list(items, "slice")[_integer(start, "slice") : _integer(end, "slice")]


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
    return dict(zip(_list(keys, "zipmap"), _list(values, "zipmap"), strict=False))


def _contains(items: Any, value: Any) -> bool:
    return value in _list(items, "contains")


def _index(items: Any, value: Any) -> int:
    items = _list(items, "index")
    if value not in items:
        raise EvalError(f"index: {value!r} is not in the list")
    return items.index(value)


def _integer(value: Any, what: str) -> int:
    number = to_number(value)
    if isinstance(number, float) and not number.is_integer():
        raise EvalError(f"{what} wants a whole number, got {number}")
    return int(number)


def _range(*args: Any) -> list:
    numbers = range(*(_integer(a, "range") for a in args))
    if len(numbers) > MAX_ELEMENTS:
        raise EvalError(f"range of {len(numbers):,} numbers (more than {MAX_ELEMENTS:,})")
    return list(numbers)


def _jsondecode(text: Any) -> Any:
    try:
        value = json.loads(str(text))
    except (ValueError, RecursionError):
        raise EvalError("jsondecode: not JSON") from None
    if nesting_depth(value) > MAX_NESTING:
        raise EvalError(f"jsondecode: nests deeper than {MAX_NESTING} levels")
    return value


def _join(separator: Any, items: Any) -> str:
    texts = [to_string(item) for item in _list(items, "join")]
    size = sum(map(len, texts)) + len(str(separator)) * len(texts)
    if size > MAX_CHARACTERS:
        raise EvalError(f"join would build {size:,} characters")
    return str(separator).join(texts)


def _replace(text: Any, search: Any, replacement: Any) -> str:
    text, search, replacement = str(text), str(search), str(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        import re

        pattern = _safe_pattern(search[1:-1], text)
        try:
            result = pattern.sub(replacement.replace("$", "\\"), text)
        except (re.error, IndexError) as error:
            raise EvalError(f"replace: {error}") from None
    else:
        growth = text.count(search) * (len(replacement) - len(search)) if search else 0
        if len(text) + growth > MAX_CHARACTERS:
            raise EvalError(f"replace would build {len(text) + growth:,} characters")
        result = text.replace(search, replacement)
    if len(result) > MAX_CHARACTERS:
        raise EvalError(f"replace built {len(result):,} characters")
    return result


def _safe_pattern(pattern: str, text: str) -> Any:
    """A compiled pattern Python's backtracking engine runs in about linear time on ``text``.

    Refused (EvalError, the value is unknown): invalid patterns; what RE2 does not have either
    (backreferences, lookaround); a repetition inside a repetition (``(a+)+``: exponential);
    more than two unbounded repetitions (``a*a*a*b``: polynomial); text over 10,000 characters.
    """
    import re

    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise EvalError(f"replace: invalid pattern ({error})") from None
    if len(text) > _MAX_REGEX_TEXT:
        raise EvalError(f"replace: a pattern on {len(text):,} characters is not evaluated")
    unbounded = 0
    pending = [(parsed, None)]  # (items, the repetition they are in: None, "bounded", "unbounded")
    while pending:
        items, outer = pending.pop()
        for opcode, argument in items:
            name = str(opcode)
            if name in ("GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT"):
                raise EvalError("replace: backreferences and lookaround are not RE2 syntax")
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                kind = "unbounded" if argument[1] == re._constants.MAXREPEAT else "bounded"  # type: ignore[attr-defined]
                if outer is not None and "unbounded" in (outer, kind):
                    raise EvalError("replace: a repetition inside a repetition may backtrack")
                unbounded += kind == "unbounded"
                pending.append((argument[2], kind))
            elif name == "BRANCH":
                pending.extend((alternative, outer) for alternative in argument[1])
            elif name == "SUBPATTERN":
                pending.append((argument[-1], outer))
            elif name == "ATOMIC_GROUP":
                pending.append((argument, outer))
    if unbounded > 2:
        raise EvalError("replace: more than two unbounded repetitions may backtrack")
    return compiled


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
    "join": _join,
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
