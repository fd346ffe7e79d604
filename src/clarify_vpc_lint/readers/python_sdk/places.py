"""Where a script writes each job's and model's network: the place ``--fix`` edits.

A finding points at the call that starts the job (``processor.run_bias(``), but its network is
an argument of another call: the processor, monitor or ``CheckJobConfig`` that the job runs on,
``ProcessingJob.create``, ``Model(...)``, boto3's request. The reader records that call for
each subject it reports, so a fix adds or changes the argument there and nowhere else.
"""

from __future__ import annotations

import ast
from typing import Dict, Optional, Tuple

from msgspec import Struct


class FixPlace(Struct, frozen=True):
    """The call that takes a subject's network, and the argument (or request member) it is."""

    call: Tuple[int, int, int, int]  # the call's start and end, as Python's syntax tree has them
    argument: str  # network_config, vpc_config; boto3: NetworkConfig, VpcConfig
    request: bool = False  # boto3's request as a dict passed with ``**``: a member of it
    cell: int = 0  # the notebook cell the call is written in (its lines are the cell's)
    model: Optional[FixPlace] = None  # a job's: where its model's network is written


def place_of(
    node: ast.AST, argument: str, request: bool = False, cell: int = 0
) -> Optional[FixPlace]:
    """The place of ``argument`` of the call ``node`` (None: not a call this script writes)."""
    if not isinstance(node, ast.Call):
        return None
    span = (node.lineno, node.col_offset, node.end_lineno or 0, node.end_col_offset or 0)
    return FixPlace(span, argument, request, cell)


# a subject's key for its place: its finding's line and resource
PlaceKey = Tuple[int, str]
Places = Dict[PlaceKey, FixPlace]
