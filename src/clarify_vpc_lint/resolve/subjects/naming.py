"""How a fix names things: entities as the template it is pasted into refers to them, the
VPC it changes, a name for a new resource and a block for a new subnet."""

from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from ... import keys
from ...model import Location, RouteTable, VpcEndpoint
from ...names import Refs, ref_item, refs
from ...values import Unknown
from ..index import display
from ..network import Resolver


def names_of(refs: Any, resolver: Resolver) -> str:
    """References as a message lists them: by name, or what is not known about them."""
    if isinstance(refs, Unknown):
        return refs.text or "(not known)"
    return ", ".join(display(ref, resolver.index) for ref in refs) or "(none)"


def fix_refs(values: Any, resolver: Resolver, what: str, at: Optional[str]) -> Refs:
    """Entities (or their references) as a fix pasted into the template ``at`` names them: a
    resource of another template by the export that stack imports it with; the unknown ones, or
    ones the fix cannot name, said in a comment. ``at`` None: not pasted into a template."""
    if isinstance(values, Unknown):
        return refs((), f"{what}: not known ({values.reason})")
    items: List[Tuple[str, str]] = []
    unknown: List[str] = []
    unnamed: List[str] = []  # known, but not by a name this fix can write
    for value in values:
        entity = value if hasattr(value, "loc") else resolver.index.find(value)
        if (
            isinstance(entity, RouteTable)
            and entity.keys
            and keys.vpc_of_main_table(entity.keys[0])
        ):
            # the main table a VPC of the inputs starts with: Terraform names it by its VPC
            if entity.loc.language == "terraform":
                items.append(("main-table", entity.loc.resource))
            else:
                unnamed.append(
                    f"the main route table of {entity.loc.resource}, which a template cannot "
                    "name: give the subnets a route table of their own"
                )
        elif entity is not None and getattr(entity, "loc", None) is not None:
            item = ref_item(entity.loc.resource, entity.loc.language)
            export = resolver.index.export_of(entity)
            if at is None or item[0] != "cloudformation" or entity.loc.file == at:
                items.append(item)
            elif resolver.index.imports_from(entity.loc.file, at):
                # importing back would make the two stacks depend on each other
                unnamed.append(
                    f"{item[1]} is in {entity.loc.file}, which imports from this stack: pass its "
                    "ID in as a parameter"
                )
            elif export is not None:
                items.append(("import", export))
            else:
                unnamed.append(f"{item[1]} is in {entity.loc.file}: export it there to import it")
        elif isinstance(value, str):
            items.append(ref_item(value, "id"))
        elif isinstance(value, Unknown):
            unknown.append(value.text or value.reason)
        else:
            items.append(ref_item(display(value, resolver.index), "cloudformation"))
    notes = [f"{what}: not known ({'; '.join(unknown)})"] if unknown else []
    if not items and not unknown and not unnamed:
        notes.append(f"{what}: none in the inputs")
    return refs(items, "; ".join(notes + unnamed))


def fix_file(loc: Location) -> Optional[str]:
    """The template a subject's fix is pasted into; None for a job declared in the config file,
    whose fix goes where its network is written."""
    return None if loc.language == "config" else loc.file


def logical_name(name: str) -> str:
    """A name usable in a new resource's logical ID or Terraform label (sg-0abc -> Sg0abc)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name))


def vpc_refs(
    vpc: Any, unknown: Any, subnets: Any, resolver: Resolver, what: str, at: Optional[str]
) -> Refs:
    """The VPC a fix changes; one not in the inputs is looked up from a subnet ID (``subnets`` as
    written) where a shell command can do so."""
    if vpc is not None:
        return fix_refs([vpc], resolver, what, at)
    unknown = unknown if isinstance(unknown, Unknown) else Unknown("not in the inputs")
    written = subnets if isinstance(subnets, list) else []
    ids = [ref for ref in written if isinstance(ref, str) and ref.startswith("subnet-")]
    if not ids:
        return fix_refs(unknown, resolver, what, at)
    region = resolver.fix_region
    return refs(
        [("vpc-of-subnet", f"{ids[0]} {region}")],
        f"{what}: not in the inputs (its subnet {ids[0]} is)",
    )


def default_group_refs(vpc: Any, endpoint: VpcEndpoint, resolver: Resolver) -> Refs:
    """The VPC's default security group, which an endpoint written without groups takes, as the
    endpoint's fix can name it: from the VPC's own template or configuration, or looked up."""
    origin, name = ref_item(vpc.loc.resource, vpc.loc.language)
    if origin == endpoint.loc.language and (
        origin != "cloudformation" or vpc.loc.file == endpoint.loc.file
    ):
        return refs([("default-group", name)])
    if origin == "id" and endpoint.loc.language not in ("cloudformation", "terraform"):
        region = resolver.fix_region
        return refs([("default-group-of-vpc", f"{name} {region}")])
    return refs(
        (), f"the default security group of {vpc.loc.resource}: its ID is not in the inputs"
    )


def new_subnet_block(vpc: Any, resolver: Resolver) -> Refs:
    """A CIDR block for a subnet a fix adds to ``vpc``: free of every subnet in the inputs."""
    block = resolver.free_subnet_block(vpc)
    if isinstance(block, Unknown):
        return refs((), f"a free block of the VPC: not known ({block.reason})")
    return refs([("id", block)])


def new_subnet_table(subnets: Any, resolver: Resolver, at: Optional[str]) -> Refs:
    """The route table a subnet a fix adds beside ``subnets`` takes: theirs, when they share
    one, so the new subnet needs no route or endpoint the others do not have."""
    what = "the route table of the subnets it joins"
    if not isinstance(subnets, list) or not subnets:
        return refs((), f"{what}: not known")
    tables = [s if isinstance(s, Unknown) else resolver.route_table_of(s) for s in subnets]
    if not all(isinstance(t, RouteTable) for t in tables):
        return refs((), f"{what}: not in the inputs")
    if any(t is not tables[0] for t in tables):
        return refs((), f"{what}: they use {len({id(t) for t in tables})} route tables")
    return fix_refs(tables[:1], resolver, what, at)
