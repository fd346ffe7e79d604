"""Model subjects: a model's VpcConfig, its subnets' zones, and where a fix adds a subnet."""

from __future__ import annotations

import json
import os
import re
from functools import partial
from typing import Any, Dict, List, Optional, Set, Tuple

from msgspec import Struct

from ... import ec2
from ...facts import derive, fact
from ...logic import Fact
from ...model import Model, Subnet
from ...names import Zone, refs
from ...values import Unknown
from ..network import Resolver
from .naming import fix_refs, names_of, new_subnet_block, new_subnet_table, vpc_refs
from .subject import Subject
from .usage import Usage, record_usage


class _ModelView(Struct):
    """A model subject's view: the model and its resolved subnets."""

    model: Model
    subnets: Any  # its resolved subnets (Subnet or Unknown each), or Unknown


@fact("models", "in_vpc", "the model has a VpcConfig")
def _model_in_vpc(view: _ModelView) -> Fact:
    return view.model.has_vpc_config


@fact("models", "single_az", "the model's VpcConfig subnets are in fewer than two AZs")
def _model_single_az(view: _ModelView) -> Fact:
    return _single_az(view.model, view.subnets)


def model_subject(model: Model, resolver: Resolver, usages: Dict[int, Usage]) -> Subject:
    subnets, vpcs = record_usage(
        usages,
        model.loc,
        model.has_vpc_config,
        model.subnets,
        resolver,
        role="model",
        model_s3=model.s3_artifacts,
    )
    names = partial(_model_names, model, resolver, subnets, vpcs)
    return Subject("models", model.loc, derive("models", _ModelView(model, subnets)), names)


def _model_names(model: Model, resolver: Resolver, subnets: Any, vpcs: Any) -> Dict[str, Any]:
    written = model.subnets if model.has_vpc_config is True else []
    vpc = vpcs[0] if isinstance(vpcs, list) and vpcs else None
    owner = _subnets_owner(model, subnets)
    # the new subnet goes where the model's subnets are defined
    subnet_file = owner.get("subnet_stack", model.loc.file)
    return {
        "subnets": names_of(model.subnets, resolver) if model.has_vpc_config is True else "(none)",
        "azs": _zone_names(subnets),
        "az_problem": _az_problem(model, subnets),
        "region": resolver.region_of(subnets),
        "subnet_refs": fix_refs(
            written, resolver, f"the subnets of {model.loc.resource}", model.loc.file
        ),
        "model_vpc_ref": vpc_refs(
            vpc, vpcs, written, resolver, f"the VPC of {model.loc.resource}", subnet_file
        ),
        "new_subnet_cidr": new_subnet_block(vpc, resolver),
        "new_subnet_az": _new_subnet_zone(subnets),
        "new_subnet_table": new_subnet_table(subnets, resolver, subnet_file),
        "model_file": model.loc.file,
        **owner,
        **_existing_subnet(model, resolver, subnets, vpc, written, owner),
    }


def _existing_subnet(
    model: Model, resolver: Resolver, subnets: Any, vpc: Any, written: Any, owner: Dict[str, Any]
) -> Dict[str, Any]:
    """The smallest fix for a model in one zone: a subnet the inputs already hold, of the same
    VPC, in another zone, with the same route table (so it adds no route finding), named as the
    model's own file can name it. Where there is one, the fix adds it to the model's list."""
    choices = model.subnet_choices
    if choices is not None and owner.get("variant") == "other-stack":
        owner = {}  # another item of the list the model picks from is named as it is
    if owner or not isinstance(subnets, list) or not subnets or vpc is None:
        return {}
    if not all(isinstance(s, Subnet) for s in subnets):
        return {}
    written_zones = [s.zone for s in subnets]
    if not all(isinstance(z, str) for z in written_zones):  # unknown, or not a zone at all
        return {}
    zones = set(written_zones)
    tables = {_table_key(resolver.route_table_of(s)) for s in subnets}
    if len(tables) != 1:
        return {}
    for index, candidate in _candidates(model, resolver):
        zone = candidate.zone
        if (
            any(candidate is s for s in subnets)
            or not isinstance(zone, str)
            or zone in zones
            or resolver.subnet_vpc(candidate) is not vpc
            or {_table_key(resolver.route_table_of(candidate))} != tables
        ):
            continue
        if index is not None:  # picked from the model's own list: the same list, another item
            pick = refs([("value", json.dumps({"Fn::Select": [index, choices.written]}))])
            listed = refs(
                [
                    ("value", json.dumps({"Fn::Select": [i, choices.written]}))
                    for i in choices.picked
                ]
                + list(pick.items)
            )
        else:
            pick = fix_refs([candidate], resolver, "", model.loc.file)
            listed = fix_refs(
                [*written, candidate],
                resolver,
                f"the subnets of {model.loc.resource}",
                model.loc.file,
            )
        if pick.missing or not pick.items:
            continue
        return {
            "variant": "existing-subnet",
            "extra_subnet": refs([("id", candidate.loc.resource)]),
            "extra_subnet_zone": zone,
            "subnet_refs_and_extra": listed,
            "fix_adds": {"CVL201": pick.items},
        }
    return {}


def _candidates(model: Model, resolver: Resolver) -> List[Tuple[Any, Subnet]]:
    """The subnets a fix may add: the other items of the list the model picks its subnets from
    (with their index), else every subnet of the inputs."""
    choices = model.subnet_choices
    if choices is None:
        return [(None, subnet) for subnet in resolver.network.subnets]
    found: List[Tuple[Any, Subnet]] = []
    for index, item in enumerate(choices.items):
        subnet = resolver.subnet(item)
        if index not in choices.picked and isinstance(subnet, Subnet):
            found.append((index, subnet))
    return found


def _new_subnet_zone(subnets: Any) -> Zone:
    """A zone for a subnet a fix adds beside ``subnets``, one none of them is in."""
    if isinstance(subnets, Unknown) or not all(isinstance(s, Subnet) for s in subnets):
        return Zone(missing="a zone other than the subnets': not all of them are in the inputs")
    # by name where known (an AZ ID's number differs per account), else by ID
    zones = [
        s.availability_zone if isinstance(s.availability_zone, str) else s.zone for s in subnets
    ]
    chosen = ec2.zone_for_new_subnet(zones)
    if isinstance(chosen, Unknown):
        return Zone(missing=f"a zone other than the subnets': {chosen.reason}")
    index, name = chosen
    if index is not None:
        return Zone(index=index)
    return Zone(
        name=name, missing=f"check that your account has {name} (describe-availability-zones)"
    )


def _new_export_name(exports: Tuple[str, ...]) -> str:
    """A name for a new export beside ``exports``: their common stem (up to a separator) first."""
    stem = re.match(r"^(.*[-:_])?", os.path.commonprefix(list(exports))).group(0)
    return f"{stem}clarify-second-az-subnet"


def _subnets_owner(model: Model, subnets: Any) -> Dict[str, Any]:
    """Where a fix adds a subnet for a template's model (the ``variant`` of its fix): the stack
    whose exports it imports; another stack that alone defines its subnets, read some other way
    (an SSM parameter); else its own template, naming subnets of other stacks by their exports."""
    if model.loc.language != "cloudformation":
        return {}
    imported = model.subnets_import
    known = [] if isinstance(subnets, Unknown) else [s for s in subnets if isinstance(s, Subnet)]
    files = sorted({s.loc.file for s in known if s.loc.language == "cloudformation"})
    if imported is not None:
        return {
            "variant": "joined-export" if imported.joined else "exports",
            "subnet_stack": imported.template,
            "subnet_export": imported.exports[0],
            "subnet_imports": refs([("import", name) for name in imported.exports]),
            "split_delimiter": json.dumps(imported.delimiter),
            "new_export": _new_export_name(imported.exports),
            "json_files": _json_files(model, known),
        }
    if len(files) == 1 and files[0] != model.loc.file:
        return {
            "variant": "other-stack",
            "subnet_stack": files[0],
            "json_files": _json_files(model, known),
        }
    return {}


def _json_files(model: Model, subnets: List[Subnet]) -> Set[str]:
    """The templates of a fix in parts (the model's, its subnets') written in JSON."""
    return {loc.file for loc in [model.loc, *(s.loc for s in subnets)] if loc.is_json}


def _az_problem(model: Model, subnets: Any) -> str:
    """What CVL201 finds: one subnet, or N subnets in one AZ."""
    if model.has_vpc_config is not True or isinstance(model.subnets, Unknown):
        return "subnets not known"
    if len(model.subnets) < 2:
        return "one subnet" if model.subnets else "no subnet"
    return f"{len(model.subnets)} subnets in one Availability Zone"


def _table_key(table: Any) -> Any:
    """A route table as compared: the table itself, or an unknown one by why it is unknown (each
    lookup builds a new Unknown, whose id a later one may reuse or not)."""
    return ("unknown", table.reason) if isinstance(table, Unknown) else id(table)


def _single_az(model: Model, subnets: Any) -> Fact:
    if model.has_vpc_config is not True:
        return False
    if isinstance(subnets, Unknown):
        return subnets
    if len(model.subnets) < 2:
        return True
    zones: Set[str] = set()
    unknown: Optional[Unknown] = None
    for subnet in subnets:
        zone = subnet if isinstance(subnet, Unknown) else subnet.zone
        if isinstance(zone, str):
            zones.add(zone)
        elif unknown is None:
            unknown = (
                zone
                if isinstance(zone, Unknown)
                else Unknown(f"the AZ of subnet {subnet.loc.resource} is not known")
            )
    if len(zones) >= 2:
        return False
    return unknown if unknown is not None else True


def _zone_names(subnets: Any) -> str:
    if isinstance(subnets, Unknown):
        return "unknown"
    zones = sorted(
        {str(s.zone) for s in subnets if isinstance(s, Subnet) and isinstance(s.zone, str)}
    )
    return ", ".join(zones) or "unknown"
