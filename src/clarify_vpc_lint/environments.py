"""Several environments in one repository (``dev/`` and ``prod/`` copies), each judged on its own.

SPEC section 6: the config file's ``projects:`` names them; without it, directories that define the
same export names, SSM parameter names or Terraform resource addresses are separate projects, so
two environments never make each other's facts ambiguous (and a break in one is never hidden as
"ambiguous" by its copy in the other). Files outside every such directory (a shared ML stack, an
inventory at the root) belong to each project.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Mapping, Sequence, Set

from msgspec import Struct

from .model import Network
from .paths import within


class Project(Struct, frozen=True):
    """The inputs one judgement reads together."""

    name: str
    paths: Sequence[str]
    context: Sequence[str] = ()
    parameters: Sequence[str] = ()


def overlaps(asked: Iterable[str], paths: Iterable[str]) -> bool:
    """Whether any asked path holds, or lies in, one of ``paths``."""
    return any(within(a, p) or within(p, a) for a in asked for p in paths)


def _copies_in_terraform(network: Network) -> List[List[str]]:
    """Files of distinct roots (or plans) that define the same root-module resource address."""
    first_file: Dict[str, str] = {}  # address -> the first file that defines it
    by_address: Dict[str, Set[str]] = {}  # address -> its files, where more than one
    for name in network.__struct_fields__:
        entities = getattr(network, name)
        # a list holds one type: one without locations (routes and associations written apart)
        # is passed over as a whole, not item by item (a third of the time on a large plan)
        if not isinstance(entities, list) or not entities or not hasattr(entities[0], "loc"):
            continue
        for entity in entities:
            loc = entity.loc
            if loc is None or loc.language != "terraform" or loc.resource.startswith("module."):
                continue
            file = first_file.setdefault(loc.resource, loc.file)
            if file != loc.file:  # most addresses: defined once, no set of files kept
                by_address.setdefault(loc.resource, {file}).add(loc.file)
    groups = []
    for files in by_address.values():
        folders = {os.path.dirname(os.path.normpath(f)) for f in files}
        plans = {f for f in files if f.endswith(".json") and not f.endswith(".tf.json")}
        if len(folders) > 1 or len(plans) > 1:
            groups.append(sorted(files))
    return groups


def environment_folders(
    defined_twice: List[List[str]], network: Network, linted: Mapping[str, str]
) -> List[str]:
    """The folders (or single files) that hold one environment each, outermost first; none when
    no name is defined twice. ``linted`` is each file read with its format: a root-module
    address is written in a file of its root (or plan), so two Terraform files are needed for a
    copy, and a run of one plan walks none of its entities for one."""
    terraform = sum(kind in ("terraform", "terraform-config") for kind in linted.values())
    copies = _copies_in_terraform(network) if terraform > 1 else []
    found: Set[str] = set()
    for files in [*defined_twice, *copies]:
        normal = [os.path.normpath(f) for f in files]
        try:
            common = os.path.commonpath(normal)
        except ValueError:  # absolute and relative paths: no folder holds both
            continue
        for file in normal:
            rest = os.path.relpath(file, common) if common else file
            found.add(os.path.join(common, rest.split(os.sep)[0]))
    return sorted(f for f in found if not any(o != f and within(f, o) for o in found))


def split(inputs: Sequence[str], folders: Sequence[str]) -> List[Project]:
    """One project per environment folder: its files and the files of no environment."""
    shared = [p for p in inputs if not any(within(p, f) for f in folders)]
    return [
        Project(folder, [p for p in inputs if within(p, folder)] + shared) for folder in folders
    ]
