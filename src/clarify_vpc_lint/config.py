"""Settings from ``--config``, ``.clarify-vpc-lint.yaml`` or ``[tool.clarify-vpc-lint]``."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from .readers.source import Document, ParseError, parse_yaml

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
}


@dataclass
class Config:
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


def find_config(start: Path) -> Optional[Path]:
    """The nearest config file from ``start`` upward: ours, else a pyproject.toml with our table."""
    for directory in [start, *start.parents]:
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.clarify-vpc-lint]" in pyproject.read_text(
            "utf-8", "replace"
        ):
            return pyproject
    return None


def load_config(path: Path) -> Config:
    text = path.read_text(encoding="utf-8")
    document: Optional[Document] = None
    if path.name == "pyproject.toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on Python < 3.11
            import tomli as tomllib
        try:
            data = tomllib.loads(text).get("tool", {}).get("clarify-vpc-lint", {})
        except tomllib.TOMLDecodeError as error:
            raise ParseError(f"invalid TOML: {error}") from None
    else:
        data = parse_yaml(text) or {}
        document = Document(str(path), text, data, is_json=False)
    if not isinstance(data, dict):
        raise ParseError("the configuration must be a mapping")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ParseError(f"unknown configuration key(s): {', '.join(unknown)}")
    base = path.parent

    def paths(key: str) -> List[str]:
        return [
            os.path.relpath(base / p) if not os.path.isabs(p) else p for p in _strings(data, key)
        ]

    return Config(
        path=str(path),
        document=document,
        fail_on=data.get("fail-on"),
        region=data.get("region"),
        ignore=_strings(data, "ignore"),
        per_path_ignores={
            str(k): [str(i) for i in v] for k, v in (data.get("per-path-ignores") or {}).items()
        },
        severity={str(k): str(v) for k, v in (data.get("severity") or {}).items()},
        context=paths("context"),
        parameters=paths("parameters"),
        jobs=list(data.get("jobs") or []),
        exclude=_strings(data, "exclude"),
    )


def _strings(data: Dict[str, Any], key: str) -> List[str]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ParseError(f"{key} must be a list")
    return [str(item) for item in value]
