"""Join what the readers found across all inputs and derive the facts the rules query.

- ``index``: entities by every key they can be referred to with;
- ``network``: subnet -> VPC -> route table -> internet, and the endpoints of a VPC;
- ``security``: security-group reachability;
- ``subjects``: the subjects of the rules and their registered facts.
"""

from __future__ import annotations

from ..logic import all_of, any_of
from .network import Resolver
from .subjects import Subject, build_subjects

__all__ = ["Resolver", "Subject", "all_of", "any_of", "build_subjects"]
