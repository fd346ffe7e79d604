"""Order independence: the same inputs in any order give byte-identical output (SPEC section 6)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import List

import pytest
from conftest import FIXTURES, ROOT

from clarify_vpc_lint.cli import main
from clarify_vpc_lint.readers import EXTENSIONS


def _inputs(folder: Path) -> List[str]:
    return sorted(
        str(path.relative_to(ROOT)) for path in folder.rglob("*") if path.name.endswith(EXTENSIONS)
    )


def _orders(items: List[str], seeds=(1, 7, 2024)) -> List[List[str]]:
    shuffled = []
    for seed in seeds:
        copy = list(items)
        random.Random(seed).shuffle(copy)
        shuffled.append(copy)
    return [items, items[::-1], *shuffled]


def _report(capsys, monkeypatch, paths: List[str], context: List[str], fmt: str) -> str:
    monkeypatch.chdir(ROOT)
    main([*paths, *(arg for file in context for arg in ("--context", file)), "--format", fmt])
    return capsys.readouterr().out


TREES = {
    # several plans, templates, API JSON and definitions that share IDs: merged in one run
    "workflows": (
        _inputs(FIXTURES / "workflows" / "cases"),
        _inputs(FIXTURES / "workflows" / "network-1"),
    ),
    "multi": (
        _inputs(FIXTURES / "multi" / "export-import") + _inputs(FIXTURES / "multi" / "ssm"),
        _inputs(FIXTURES / "multi" / "inventory")[1:],
    ),
    # every fixture at once: conflicting inventories and plans must still merge the same way
    "all": (
        _inputs(FIXTURES / "rules") + _inputs(FIXTURES / "good"),
        _inputs(FIXTURES / "workflows" / "network-1"),
    ),
}


@pytest.mark.parametrize("tree", sorted(TREES))
def test_output_is_byte_identical_for_any_order_of_paths_and_context(
    tree: str, capsys, monkeypatch
) -> None:
    paths, context = TREES[tree]
    assert paths and context
    for fmt in ("json",) if tree == "all" else ("json", "sarif"):  # "all" is the slow one
        expected = _report(capsys, monkeypatch, paths, context, fmt)
        assert '"findings": []' not in expected
        seeds = (1,) if tree == "all" else (1, 7, 2024)  # "all": a whole-tree run is 18 s
        path_orders, context_orders = _orders(paths, seeds), _orders(context, seeds)[::-1]
        for path_order, context_order in zip(path_orders, context_orders, strict=False):
            assert _report(capsys, monkeypatch, path_order, context_order, fmt) == expected
