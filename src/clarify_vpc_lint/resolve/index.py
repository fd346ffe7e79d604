"""Entities of the run by every key they can be referred to with (see ``keys.py``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..model import Network, RouteTable, SecurityGroup, Subnet, Vpc
from ..values import Handle, Unknown


class Index:
    """Entities by every key they can be referred to with."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.entities: Dict[str, Any] = {}
        for kind in (
            "vpcs",
            "subnets",
            "route_tables",
            "security_groups",
            "endpoints",
            "models",
            "serving",
        ):
            for entity in getattr(network, kind):
                for key in entity.keys:
                    self._register(key, entity)
        self.routes_by_table: Dict[int, list] = {}
        for table_ref, route in network.routes:
            table = self.find(table_ref)
            if isinstance(table, RouteTable):
                self.routes_by_table.setdefault(id(table), []).append(route)
        self.association_by_subnet: Dict[int, list] = {}
        for association in network.associations:
            subnet = self.find(association.subnet)
            if isinstance(subnet, Subnet):
                self.association_by_subnet.setdefault(id(subnet), []).append(association)
        self.instances: Dict[str, List[Handle]] = {}  # Terraform address without index
        for key in list(self.entities):
            if key.startswith("address:") and key.endswith("]"):
                base = key[len("address:") :].rsplit("[", 1)[0]
                self.instances.setdefault(base, []).append(Handle(self.entities[key].keys[0]))
        self.rules_by_group: Dict[int, list] = {}
        for rule in network.security_group_rules:
            group = self.find(rule.group)
            if isinstance(group, SecurityGroup):
                self.rules_by_group.setdefault(id(group), []).append(rule)
        # main route tables by the key of their VPC: a VPC known only by its real ID may be
        # created later, when a subnet first names it
        self.main_tables: Dict[str, RouteTable] = {}
        for table in network.route_tables:
            if table.main:
                self.main_tables[_vpc_key(table)] = table

    def _register(self, key: str, entity: Any) -> None:
        existing = self.entities.get(key)
        if isinstance(existing, Vpc) and isinstance(entity, Vpc) and existing is not entity:
            # describe-vpcs and describe-vpc-attribute describe one VPC in several files
            for name in ("dns_support", "dns_hostnames"):
                if isinstance(getattr(existing, name), Unknown):
                    setattr(existing, name, getattr(entity, name))
            return
        self.entities.setdefault(key, entity)

    def find(self, ref: Any) -> Any:
        """The entity a reference names, or None."""
        if isinstance(ref, Handle):
            return self.entities.get(ref.full_key)
        if isinstance(ref, str):
            for prefix in ("id:", "logical:", "address:"):
                if prefix + ref in self.entities:
                    return self.entities[prefix + ref]
        return None

    def main_table(self, vpc: Vpc) -> Optional[RouteTable]:
        return next((self.main_tables[k] for k in vpc.keys if k in self.main_tables), None)

    def inventory_has(self, kind: str) -> bool:
        return kind in self.network.inventory_kinds


def _vpc_key(table: RouteTable) -> str:
    if table.keys and table.keys[0].endswith("#main"):  # the implicit main table of a VPC resource
        return table.keys[0][: -len("#main")]
    if isinstance(table.vpc, Handle):
        return table.vpc.full_key
    return f"id:{table.vpc}"


def display(ref: Any, index: Index) -> str:
    entity = index.find(ref)
    if entity is not None and getattr(entity, "loc", None) is not None:
        return entity.loc.resource
    if isinstance(ref, Handle):
        return ref.key.rsplit(":", 1)[-1] + (f".{ref.attribute}" if ref.attribute else "")
    if isinstance(ref, Unknown):
        return ref.text or "an unknown value"
    return str(ref)


def missing(ref: Any, what: str, describe: str) -> Unknown:
    if isinstance(ref, Unknown):
        return ref
    if isinstance(ref, str) and not ref.startswith(("subnet-", "sg-", "vpc-", "rtb-")):
        return Unknown(f"{what} {ref} is not defined in the inputs")
    return Unknown(
        f"{what} {ref} is not in the inputs; add `aws ec2 {describe}` output with --context"
    )
