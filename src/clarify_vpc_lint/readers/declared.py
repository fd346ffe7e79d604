"""Clarify jobs declared in the config file's ``jobs:`` (started from Python, outside the files)."""

from __future__ import annotations

from typing import Any, List

from ..documents import Document, ParseError
from ..model import Job, Location, Network
from ..values import Unknown, as_bool, as_int


def read_declared_jobs(entries: List[Any], document: Any, path: str) -> Network:
    network = Network()
    for index, entry in enumerate(entries):
        line, column = (
            document.locate(("jobs", index)) if isinstance(document, Document) else (1, 1)
        )
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ParseError(f"jobs[{index}] must be a mapping with a name", line)
        subnets = _names(entry, "subnets", index)
        groups = _names(entry, "security-groups", index)
        loc = Location(path, line, column, entry["name"], "config")
        network.jobs.append(
            Job(
                loc=loc,
                kind="declared",
                inference=as_bool(entry.get("inference"), True),
                network_isolation=as_bool(entry.get("network-isolation"), False),
                has_vpc_config=subnets if isinstance(subnets, Unknown) else bool(subnets),
                subnets=subnets,
                security_groups=groups,
                instance_count=as_int(entry.get("instance-count", 1)),
                model=entry.get("model"),
                # the execution role (CVL503): an ARN, or a role of the inputs by its address
                # or logical ID
                request=_role_request(entry.get("role")),
                inter_container_encryption=as_bool(entry.get("inter-container-encryption"), False),
            )
        )
    return network


def _names(entry: dict, key: str, index: int) -> Any:
    value = entry.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return Unknown(f"jobs[{index}].{key} is {value!r}, not a list of names")


def _role_request(role: Any) -> Any:
    return {"RoleArn": role} if isinstance(role, str) else None
