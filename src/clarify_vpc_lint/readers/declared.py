"""Clarify jobs declared in the config file's ``jobs:`` (started from Python, outside the files)."""

from __future__ import annotations

from typing import Any, List

from ..model import Job, Location, Network
from ..values import as_bool, as_int
from .source import Document, ParseError


def read_declared_jobs(entries: List[Any], document: Any, path: str) -> Network:
    network = Network()
    for index, entry in enumerate(entries):
        line, column = (
            document.locate(("jobs", index)) if isinstance(document, Document) else (1, 1)
        )
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ParseError(f"jobs[{index}] must be a mapping with a name", line)
        subnets = [str(s) for s in entry.get("subnets") or []]
        groups = [str(g) for g in entry.get("security-groups") or []]
        loc = Location(path, line, column, entry["name"], "config")
        network.jobs.append(
            Job(
                loc=loc,
                kind="declared",
                inference=as_bool(entry.get("inference"), True),
                network_isolation=as_bool(entry.get("network-isolation"), False),
                has_vpc_config=bool(subnets),
                subnets=subnets,
                security_groups=groups,
                instance_count=as_int(entry.get("instance-count", 1)),
                model=entry.get("model"),
            )
        )
    return network
