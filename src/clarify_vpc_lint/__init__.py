"""clarify-vpc-lint: find the VPC mistakes that make SageMaker Clarify jobs fail, offline."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
# the region of a run that names none (--region, config); here, not in awsfacts, so that
# `--version` and `--help` import none of the records (msgspec)
DEFAULT_REGION = "us-east-1"

__all__ = ["Finding", "InputErrors", "__version__", "lint"]

# Imported on first use: `clarify-vpc-lint --version` and the plugins' entry points should not
# pay for the whole pipeline (the catalogue, the readers, the resolvers).
_LAZY = {"Finding": "findings", "InputErrors": "findings", "lint": "linter"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value
