"""Property-based and hostile-input tests: no input makes the engine raise or the CLI print a traceback."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarify_vpc_lint import cli
from clarify_vpc_lint.documents import ParseError, read_regular_file
from clarify_vpc_lint.linter import Options, run

# CVL_EXAMPLES raises the number of examples for a longer hunt than CI's
SETTINGS = settings(
    max_examples=int(os.environ.get("CVL_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SEEDS = sorted(
    p for p in FIXTURES.rglob("*")
    if p.suffix in (".yaml", ".json") and p.stat().st_size < 200_000 and "schemas" not in p.parts
)  # fmt: skip
KEYS = st.sampled_from([
    "Resources", "Type", "Properties", "NetworkConfig", "VpcConfig", "Subnets", "SecurityGroupIds",
    "EnableNetworkIsolation", "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::ImportValue", "Fn::Split",
    "AWS::SageMaker::Model", "AWS::EC2::VPCEndpoint", "States", "Steps", "Get", "planned_values",
    "format_version", "resources", "values", "Subnets", "VpcEndpoints", "SchemaVersion", "SageMaker",
    "ProcessingJobName", "AppSpecification", "ModelName", "methods", "predictor",
]) | st.text(max_size=8)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 70000)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=40,
)


def lint_text(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    result = run(Options(paths=[str(path)]))
    # readers turn their own bugs into an error line; the properties hold only if none happened
    assert not [e for e in result.errors if "internal error" in e.message], result.errors
    return result


@SETTINGS
@given(document=st.dictionaries(KEYS, VALUES, max_size=6))
def test_arbitrary_structures_never_raise(tmp_path_factory, document) -> None:
    tmp_path = tmp_path_factory.mktemp("any")
    lint_text(tmp_path, "doc.json", json.dumps(document))
    lint_text(tmp_path, "doc.yaml", json.dumps(document, indent=1))


def _replace_somewhere(data, replacement, rng: random.Random):
    """Replace one random subtree of ``data`` by ``replacement``."""
    if not isinstance(data, (dict, list)) or not data or rng.random() < 0.2:
        return replacement
    if isinstance(data, dict):
        key = rng.choice(list(data))
        return {**data, key: _replace_somewhere(data[key], replacement, rng)}
    position = rng.randrange(len(data))
    return [
        *data[:position],
        _replace_somewhere(data[position], replacement, rng),
        *data[position + 1 :],
    ]


@SETTINGS
@given(seed=st.sampled_from(SEEDS), replacement=VALUES, salt=st.integers(0, 2**32))
def test_mutated_fixtures_never_raise(tmp_path_factory, seed: Path, replacement, salt: int) -> None:
    tmp_path = tmp_path_factory.mktemp("mutant")
    result = run(Options(paths=[str(seed)]))
    if seed.suffix == ".json":
        data = json.loads(seed.read_text())
        mutated = _replace_somewhere(data, replacement, random.Random(salt))
        lint_text(tmp_path, seed.name, json.dumps(mutated))
    assert result.errors == []


@SETTINGS
@given(
    seed=st.sampled_from(SEEDS),
    cuts=st.lists(st.integers(0, 10_000), min_size=1, max_size=4),
    junk=st.text(max_size=12),
)
def test_textual_damage_gives_findings_or_clear_errors(
    tmp_path_factory, seed: Path, cuts, junk: str
) -> None:
    tmp_path = tmp_path_factory.mktemp("damaged")
    text = seed.read_text()
    for cut in cuts:
        position = cut % (len(text) + 1)
        text = text[:position] + junk + text[position + len(junk) :]
    result = lint_text(tmp_path, seed.name, text)
    for error in result.errors:
        assert error.message and "\n" not in error.message


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.sampled_from(SEEDS), junk=st.binary(max_size=16), position=st.integers(0, 5000))
def test_cli_answers_0_1_or_2_without_traceback(
    tmp_path_factory, capsys, seed: Path, junk: bytes, position: int
) -> None:
    tmp_path = tmp_path_factory.mktemp("cli")
    raw = seed.read_bytes()
    position %= len(raw) + 1
    path = tmp_path / seed.name
    path.write_bytes(raw[:position] + junk + raw[position:])
    status = cli.main([str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert status in (0, 1, 2)
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    json.loads(captured.out)


def test_a_50_mb_template_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    resource = json.dumps({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}})
    with big.open("w") as handle:
        handle.write('{"Resources": {')
        handle.write(",".join(f'"Vpc{i}": {resource}' for i in range(50 * 2**20 // 70)))
        handle.write("}}")
    start = time.perf_counter()
    completed = run_cli(
        str(big), "tests/fixtures/cli/one-error.yaml", "--select", "CVL201", "--format", "json"
    )
    assert time.perf_counter() - start < 60
    report = json.loads(completed.stdout)
    assert completed.returncode == 2 and "larger than 32 MiB" in report["errors"][0]["message"]
    assert [f["rule"] for f in report["findings"]] == ["CVL201"]


def test_a_plan_may_be_larger_than_other_inputs(tmp_path: Path) -> None:
    """`terraform show -json` of a large estate passes 32 MiB; a plan has its own limit."""
    plan, template = tmp_path / "plan.json", tmp_path / "template.json"
    plan.write_text('{"format_version": "1.2", "planned_values": {}, "pad": "' + "x" * 500 + '"}')
    template.write_text('{"Resources": {}, "pad": "' + "x" * 500 + '"}')
    assert read_regular_file(str(plan), 100, 1000).startswith(b'{"format_version"')
    with pytest.raises(ParseError, match="larger than"):
        read_regular_file(str(template), 100, 1000)
    with pytest.raises(ParseError, match="larger than"):
        read_regular_file(str(plan), 100, 200)
