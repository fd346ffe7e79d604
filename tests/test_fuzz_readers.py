"""Fuzz every reader's internal types: any JSON/YAML value at any path of any fixture.

A reader trusts nothing about the shape of what it reads: each example replaces one value of a
fixture (at any depth, key or item) by an arbitrary value, including infinities, NaN, integers past
Python's 4,300-digit limit, intrinsic-function shapes and nested containers, and lints the result
in-process. No exception may escape and no "internal error" may be reported. CVL_EXAMPLES sets the
number of examples per reader (CI keeps it small; a hunt runs thousands).
"""

from __future__ import annotations

import json
import math
import os
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarify_vpc_lint.documents import Document
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.readers import FORMATS, format_of, load

HUGE = "__huge_integer__"  # written as 5,000 digits: json.dumps itself cannot print such an int
HUGE_DIGITS = "9" * 5_000

SETTINGS = settings(
    max_examples=int(os.environ.get("CVL_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@cache
def seeds_by_format() -> Dict[str, List[Tuple[str, Any]]]:
    found: Dict[str, List[Tuple[str, Any]]] = {entry.name: [] for entry in FORMATS}
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in (".json", ".yaml", ".yml") or "schemas" in path.parts:
            continue
        document = load(str(path))
        kind = format_of(document) if isinstance(document, Document) else None
        if kind is not None:
            found[kind].append((str(path), _plain(document.data)))
    return found


def paths_of(data: Any, prefix: Tuple[Any, ...] = ()) -> List[Tuple[Any, ...]]:
    """Every path to a value in ``data``: the places a mutation can go."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_of(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_of(value, prefix + (index,))
    return found


def replaced(data: Any, path: Tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: replaced(data[head], rest, value)}
    return [*data[:head], replaced(data[head], rest, value), *data[head + 1 :]]


NAMES = st.sampled_from(
    ["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join", "Fn::Split", "Fn::Select",
     "Fn::ImportValue", "Fn::FindInMap", "Fn::GetAZs", "Type", "Properties", "VpcConfig",
     "Subnets", "SecurityGroupIds", "NetworkConfig", "resources", "values", "address",
     "Parameters", "Resources", "States", "Steps", "Arguments", "Vpc", "Sg", "Subnet"]
) | st.text(max_size=6)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -0.0, HUGE, 0, 1, 65535, 65536])
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", "${Vpc.Foo}${Vpc.Foo}", "a,b,c", "sg-1", "subnet-1", "vpc-1", "10.0.0.0/16",
                       "0.0.0.0/0", "-1", "tcp", "true", "maybe", "us-east-1a", "AWS::NoValue"])
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=20,
)


def write(path: Path, data: Any, as_json: bool) -> None:
    if as_json:
        text = json.dumps(data, indent=1)
        text = text.replace(f'"{HUGE}"', HUGE_DIGITS)
    else:
        text = yaml.safe_dump(data, sort_keys=False)
        text = text.replace(f"'{HUGE}'", HUGE_DIGITS).replace(HUGE, HUGE_DIGITS)
    path.write_text(text)


@pytest.mark.parametrize("kind", sorted(entry.name for entry in FORMATS if entry.detect))
@SETTINGS
@given(data=st.data(), value=VALUES)
def test_any_value_anywhere_never_breaks_a_reader(tmp_path_factory, kind: str, data, value) -> None:
    seeds = seeds_by_format()[kind]
    assert seeds, f"no fixture of format {kind}"
    seed_path, seed = data.draw(st.sampled_from(seeds), label="seed")
    where = data.draw(st.sampled_from(paths_of(seed)), label="path")
    target = tmp_path_factory.mktemp("fuzz") / Path(seed_path).name
    write(target, replaced(seed, where, value), seed_path.endswith(".json"))
    result = run(Options(paths=[str(target)]))
    internal = [e for e in result.errors if "internal error" in e.message]
    assert not internal, (seed_path, where, internal)
    for error in result.errors:
        assert error.message and "\n" not in error.message
