"""clarify-vpc-lint: find the VPC mistakes that make SageMaker Clarify jobs fail, offline."""

from __future__ import annotations

__version__ = "0.1.0"

from .findings import Finding  # noqa: E402
from .linter import InputErrors, lint  # noqa: E402

__all__ = ["Finding", "InputErrors", "__version__", "lint"]
