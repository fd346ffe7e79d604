"""Request subjects: a SageMaker API request that does not match the API's shape."""

from __future__ import annotations

from msgspec.structs import replace

from ...facts import derive, fact
from ...logic import Fact
from ...model import Request
from .subject import Subject


@fact("requests", "problems", "the request does not match the SageMaker API's shape")
def _request_problems(request: Request) -> Fact:
    return bool(request.problems)


def request_subject(request: Request) -> Subject:
    """A request's finding points at its first problem and lists them all."""
    loc = request.loc
    if request.problems:
        first = request.problems[0]
        loc = replace(loc, line=first["line"], column=first["column"])
    text = "; ".join(problem["message"] for problem in request.problems)
    return Subject(
        "requests",
        loc,
        derive("requests", request),
        lambda: {"operation": request.operation, "problems": text},
    )
