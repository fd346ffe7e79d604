"""The layers of the pipeline lean one way: read -> normalise -> resolve -> rules -> report.

A contributor who adds a format, a fact or a writer relies on these: the orchestrator names no
format (each format carries its reading order in the registry), resolve/ computes what a fix names
but never renders it, and writers consume findings without knowing how inputs were read.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Set

from clarify_vpc_lint.model import LANGUAGES
from clarify_vpc_lint.readers.formats import FORMATS, reading_order

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "clarify_vpc_lint"


def imported_modules(path: Path) -> Set[str]:
    """The package modules ``path`` imports, as dotted names below ``clarify_vpc_lint``."""
    package = path.relative_to(PACKAGE).parts[:-1]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = [*base, *(node.module.split(".") if node.module else [])]
            found.add(".".join(target))
            found.update(  # names imported from a package that are modules of it
                ".".join([*target, alias.name])
                for alias in node.names
                if PACKAGE.joinpath(*target, alias.name).with_suffix(".py").exists()
                or PACKAGE.joinpath(*target, alias.name).is_dir()
            )
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "clarify_vpc_lint"
        ):
            found.add(node.module.split(".", 1)[1] if "." in node.module else "")
    return found


def modules_under(folder: str) -> Iterator[Path]:
    yield from sorted((PACKAGE / folder).rglob("*.py"))


def test_the_linter_imports_no_reader_module() -> None:
    imported = imported_modules(PACKAGE / "linter.py")
    assert not {m for m in imported if m.startswith("readers.")}, imported
    assert "readers" in imported  # through the package's read_inputs only


def test_resolve_does_not_render_fixes() -> None:
    for path in modules_under("resolve"):
        assert "remediation" not in imported_modules(path), path


def test_writers_do_not_import_readers() -> None:
    for path in modules_under("writers"):
        assert not {m for m in imported_modules(path) if m.startswith("readers")}, path


def test_the_engine_renders_no_syntax_itself() -> None:
    imported = imported_modules(PACKAGE / "engine.py")
    assert "tfaddress" not in imported and "documents" not in imported


def test_every_format_reads_after_what_it_needs() -> None:
    order = [entry.name for entry in reading_order()]
    for entry in FORMATS:
        for needed in entry.after:
            assert order.index(needed) < order.index(entry.name), (entry.name, needed)
    assert order[-1] == "declared"  # declared jobs replace script jobs of the same name


def test_every_language_of_a_fix_is_one_a_format_writes_in() -> None:
    assert {entry.language for entry in FORMATS} == LANGUAGES


def test_conditions_and_intrinsics_are_no_circle() -> None:
    """Fn::If evaluates conditions; conditions only need what a run and a template offer."""
    conditions = PACKAGE / "readers" / "cloudformation" / "conditions.py"
    assert not {m for m in imported_modules(conditions) if m.endswith("intrinsics")}


def test_each_input_language_has_its_package() -> None:
    readers = PACKAGE / "readers"
    for package in ("cloudformation", "terraform", "python_sdk"):
        assert (readers / package / "__init__.py").is_file(), package
