"""Settings from ``--config``, ``.clarify-vpc-lint.yaml`` or ``[tool.clarify-vpc-lint]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from msgspec import Struct, field

from .documents import Document, ParseError, decode_text, parse_yaml, read_regular_file
from .environments import Project
from .values import kind_of

CONFIG_NAME = ".clarify-vpc-lint.yaml"
_KNOWN_KEYS = {
    "fail-on",
    "region",
    "ignore",
    "per-path-ignores",
    "severity",
    "context",
    "parameters",
    "jobs",
    "exclude",
    "paths",
    "projects",
    "docs-url",
}
_PROJECT_KEYS = {"name", "paths", "context", "parameters"}


class Config(Struct):
    path: Optional[str] = None
    document: Optional[Document] = None
    fail_on: Optional[str] = None
    region: Optional[str] = None
    ignore: List[str] = field(default_factory=list)
    per_path_ignores: Dict[str, List[str]] = field(default_factory=dict)
    severity: Dict[str, str] = field(default_factory=dict)
    context: List[str] = field(default_factory=list)
    parameters: List[str] = field(default_factory=list)
    jobs: List[Any] = field(default_factory=list)
    exclude: List[str] = field(default_factory=list)  # globs, relative to the config's folder
    paths: List[str] = field(default_factory=list)  # the project, for the pre-commit hook
    projects: List[Project] = field(default_factory=list)  # environments judged on their own
    docs_url: Optional[str] = None  # where rule links in reports point (see catalogue.docs_url)


MAX_CONFIG_BYTES = 1 << 20  # a configuration is a few lines; more is not one


def find_config(start: Path) -> Optional[Path]:
    """The nearest config file from ``start`` upward: ours, else a pyproject.toml with our table."""
    for directory in [start, *start.parents]:
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _declares_our_table(pyproject):
            return pyproject
    return None


def _declares_our_table(pyproject: Path) -> bool:
    try:
        raw = read_regular_file(str(pyproject), MAX_CONFIG_BYTES)
    except ParseError:  # not ours to judge: a pyproject.toml we cannot read has no table of ours
        return False
    return b"[tool.clarify-vpc-lint]" in raw


def load_config(path: Path) -> Config:
    """The settings of one file; anything malformed is a ParseError naming the key.

    A repository's configuration may be hostile (a pull request under CI): it names files inside
    its own folder only, symlinks resolved, and is itself no symlink to a file elsewhere, so it
    can never make the linter read (and quote in its messages) ``~/.aws/credentials``.
    """
    if not _inside(path, path.parent):
        raise ParseError("a symbolic link to a file outside its folder; name that file itself")
    text = decode_text(read_regular_file(str(path), MAX_CONFIG_BYTES))
    document: Optional[Document] = None
    if path.name == "pyproject.toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on Python < 3.11
            import tomli as tomllib
        try:
            data = tomllib.loads(text).get("tool", {}).get("clarify-vpc-lint", {})
        except (tomllib.TOMLDecodeError, RecursionError) as error:
            raise ParseError(f"invalid TOML: {str(error).splitlines()[0][:200]}") from None
    else:
        data = parse_yaml(text)
        data = {} if data is None else data
        document = Document(str(path), text, data, is_json=False)
    if not isinstance(data, dict):
        raise ParseError("the configuration must be a mapping")
    unknown = sorted(str(key) for key in set(data) - _KNOWN_KEYS)
    if unknown:
        raise ParseError(f"unknown configuration key(s): {', '.join(unknown)}")
    base = path.parent

    def paths(key: str, within: Dict[Any, Any] = data, where: str = "") -> List[str]:
        named = _strings(within, key, where)
        for name in named:
            if not _inside(base / name, base):
                raise ParseError(
                    f"{where + ': ' if where else ''}{key}: {name} leads outside the "
                    "configuration's folder"
                )
        return [os.path.relpath(base / p) if not os.path.isabs(p) else p for p in named]

    def project(index: int, entry: Any) -> Project:
        where = f"projects[{index}]"
        if not isinstance(entry, dict):
            raise ParseError(f"{where} must be a mapping, not {kind_of(entry)}")
        unknown = sorted(str(key) for key in set(entry) - _PROJECT_KEYS)
        if unknown:
            raise ParseError(f"{where}: unknown key(s): {', '.join(unknown)}")
        name = _string(entry, "name", where)
        if not name or not entry.get("paths"):
            raise ParseError(f"{where} needs a name and paths")
        return Project(
            name,
            paths("paths", entry, where),
            paths("context", entry, where),
            paths("parameters", entry, where),
        )

    projects = data.get("projects") or []
    if not isinstance(projects, list):
        raise ParseError(f"projects must be a list, not {kind_of(projects)}")

    jobs = data.get("jobs") or []
    if not isinstance(jobs, list):
        raise ParseError("jobs must be a list")
    rule_id = _rule_id_of_spelling()
    return Config(
        path=str(path),
        document=document,
        fail_on=_string(data, "fail-on"),
        region=_string(data, "region"),
        ignore=[rule_id(i) for i in _strings(data, "ignore")],
        per_path_ignores={
            pattern: [
                rule_id(i) for i in _strings(data["per-path-ignores"], pattern, "per-path-ignores")
            ]
            for pattern in _mapping(data, "per-path-ignores")
        },
        severity={
            rule_id(rule): _string(data["severity"], rule, "severity") or ""
            for rule in _mapping(data, "severity")
        },
        context=paths("context"),
        parameters=paths("parameters"),
        jobs=jobs,
        exclude=_strings(data, "exclude"),
        paths=paths("paths"),
        projects=[project(index, entry) for index, entry in enumerate(projects)],
        docs_url=_string(data, "docs-url"),
    )


def _inside(path: Path, folder: Path) -> bool:
    """Is ``path``, every symlink resolved, ``folder`` or inside it?"""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, top]) == top


def _string(data: Dict[Any, Any], key: Any, within: str = "") -> Optional[str]:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ParseError(f"{_where(key, within)} must be a string, not {kind_of(value)}")
    return value


def _strings(data: Dict[Any, Any], key: Any, within: str = "") -> List[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ParseError(f"{_where(key, within)} must be a list of strings")
    return value


def _mapping(data: Dict[str, Any], key: str) -> List[str]:
    """The keys of the mapping at ``key`` (all strings), or an error saying what is there."""
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise ParseError(f"{key} must be a mapping, not {kind_of(value)}")
    if not all(isinstance(name, str) for name in value):
        raise ParseError(f"the keys of {key} must be strings")
    return list(value)


def _where(key: Any, within: str) -> str:
    return f"{within}: {key}" if within else str(key)


def declared_names(config: Config) -> Dict[str, List[str]]:
    """The subnets and security groups each job of ``jobs:`` names (Terraform addresses, logical
    IDs or real IDs), by job name: where a host shows a declared job's findings."""
    return {
        str(job.get("name")): [
            str(n) for n in [*(job.get("subnets") or []), *(job.get("security-groups") or [])]
        ]
        for job in config.jobs
        if isinstance(job, dict)
    }


def _rule_id_of_spelling() -> Callable[[str], str]:
    """A rule ID as the config writes it (any case; E9201, CKV_CVL_201), as every host takes it:
    the rule's own ID. An ID no rule has stays as written, for the CLI to refuse."""
    from .catalogue import rule_ids

    spellings = rule_ids()
    return lambda written: spellings.get(written.upper(), written)
