"""Entities of the run by every key they can be referred to with (see ``keys.py``)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from .. import keys, tfaddress
from ..model import DhcpOptionsAssociation, Network, RouteTable, SecurityGroup, Subnet, Vpc
from ..values import Handle, Unknown

# the kinds of entity the index registers, in this order
_KINDS = (
    "vpcs",
    "subnets",
    "route_tables",
    "security_groups",
    "endpoints",
    "models",
    "serving",
    "dhcp_options",
    "network_acls",
    "nat_gateways",
    "prefix_lists",
    "hosted_zones",
)


class Index:
    """Entities by every key they can be referred to with.

    An identity key names one entity (the first registered wins: a data source and the inventory
    describe the same subnet). A shared name (logical ID, Terraform address) defined by two
    entities is ambiguous: a reference by it finds nothing, and ``missing`` says why.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        self.entities: Dict[str, Any] = {}
        self._exports: Optional[Dict[Tuple[str, str], str]] = None
        self._imports = set(network.imports)
        # shared names, registered when one is first asked for (``shared``): the references of
        # a plan are handles, which never ask, and it holds 10,000 names in 10,000 resources
        self._shared: Optional[Dict[str, List[Any]]] = None
        self._instances: Optional[Tuple[Dict[str, List[Handle]], Dict[str, List[str]]]] = None
        entities, shared_names = self.entities, keys.SHARED_NAMES
        for key, entity in _keyed(network):
            # the first entity to use a key (most keys) is registered here, without a call:
            # 16,000 keys (and 10,000 shared names) in a plan of 10,000 resources
            if key.startswith(shared_names):
                continue
            if key not in entities:
                entities[key] = entity
            else:
                self._named_again(key, entity)
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
        self.rules_by_group: Dict[int, list] = {}
        for rule in network.security_group_rules:
            group = self.find(rule.group)
            if isinstance(group, SecurityGroup):
                self.rules_by_group.setdefault(id(group), []).append(rule)
        # main route tables by the key of their VPC: a VPC known only by its real ID may be
        # created later, when a subnet first names it. Whatever the order of the inputs, a table
        # made main explicitly (aws_main_route_table_association) wins over one that is main by
        # itself (aws_default_route_table, an inventory's Main), which wins over the local-only
        # table a VPC created in the inputs starts with.
        self._dhcp_by_vpc: Dict[int, List[DhcpOptionsAssociation]] = {}
        self._dhcp_indexed_at = -1  # the number of entities when _dhcp_by_vpc was built
        self._unplaced_dhcp: Optional[List[Optional[Unknown]]] = None
        self.main_tables: Dict[str, RouteTable] = {}
        main = [(_implicit_vpc(t), t) for t in network.route_tables if t.main]
        for implicit_of, table in sorted(main, key=lambda pair: pair[0] is None):  # implicit first
            self.main_tables[implicit_of if implicit_of is not None else _vpc_key(table)] = table
        for vpc_ref, table_ref in network.main_route_tables:
            table, vpc = self.find(table_ref), self.find(vpc_ref)
            if isinstance(table, RouteTable) and isinstance(vpc, Vpc):
                for key in vpc.keys:
                    self.main_tables[key] = table

    def imports_from(self, importing: str, exporting: str) -> bool:
        """Whether a template imports what another exports (directly)."""
        return (importing, exporting) in self._imports

    def export_of(self, entity: Any) -> Optional[str]:
        """The name another stack imports a template's resource by, if its template exports it."""
        if self._exports is None:
            self._exports = {}
            for file, logical_id, name in sorted(self.network.exports):
                self._exports.setdefault((file, logical_id), name)
        return self._exports.get((entity.loc.file, entity.loc.resource))

    @property
    def shared(self) -> Dict[str, List[Any]]:
        """Shared name -> the distinct entities using it (registered when first asked for)."""
        if self._shared is None:
            self._shared = {}
            shared_ids: Dict[str, Set[int]] = {}  # the same as ids, for names used twice
            for key, entity in _keyed(self.network):
                if key.startswith(keys.SHARED_NAMES):
                    _share(self._shared, shared_ids, key, entity)
        return self._shared

    @property
    def instances(self) -> Dict[str, List[Handle]]:
        """Terraform address without index -> its instances, from one plan only."""
        return self._instances_and_ambiguous()[0]

    @property
    def ambiguous_bases(self) -> Dict[str, List[str]]:
        """Terraform address without index -> the plans that hold instances of it, if several."""
        return self._instances_and_ambiguous()[1]

    def _instances_and_ambiguous(self) -> Tuple[Dict[str, List[Handle]], Dict[str, List[str]]]:
        if self._instances is None:
            instances: Dict[str, List[Handle]] = {}
            instance_files: Dict[str, set] = {}
            for key, entities in self.shared.items():
                if "[" not in key:  # no instance key (most names): neither address nor parse
                    continue
                address = keys.address_of_name(key)
                if address is None:
                    continue
                parsed = tfaddress.parse(address)
                if parsed is None or not parsed.index:
                    continue
                base = parsed.without_index
                for entity in entities:
                    instances.setdefault(base, []).append(Handle(entity.keys[0]))
                    instance_files.setdefault(base, set()).add(entity.loc.file)
            ambiguous = {
                base: sorted(files) for base, files in instance_files.items() if len(files) > 1
            }
            for base in ambiguous:
                del instances[base]
            self._instances = (instances, ambiguous)
        return self._instances

    def _named_again(self, key: str, entity: Any) -> None:
        """An identity key an entity registered before holds: that one keeps it."""
        existing = self.entities[key]
        if isinstance(existing, Vpc) and isinstance(entity, Vpc) and existing is not entity:
            # describe-vpcs and describe-vpc-attribute describe one VPC in several files
            for name in ("dns_support", "dns_hostnames", "cidrs", "owner"):
                if getattr(existing, name) is None or isinstance(getattr(existing, name), Unknown):
                    setattr(existing, name, getattr(entity, name))

    def find(self, ref: Any) -> Any:
        """The entity a reference names, or None."""
        if isinstance(ref, Handle):
            return self.entities.get(ref.full_key)
        if isinstance(ref, str):
            for key in keys.lookups(ref):
                if key in self.entities:
                    return self.entities[key]
                named = self.shared.get(key, [])
                if len(named) == 1:
                    return named[0]
                if named:
                    return None  # ambiguous: see missing()
        return None

    def ambiguity(self, ref: Any) -> Optional[Unknown]:
        """Why a bare name finds nothing although it is defined: more than one input defines it."""
        if not isinstance(ref, str):
            return None
        files: List[str] = self.ambiguous_bases.get(ref, [])
        for key in keys.lookups(ref):
            named = self.shared.get(key, [])
            if len(named) > 1:
                files = sorted({entity.loc.file for entity in named})
                break
        if not files:
            return None
        return Unknown(
            f"{ref} is defined in more than one input ({', '.join(files)}); "
            "name the entity by its real ID or lint the inputs apart"
        )

    def missing(self, ref: Any, what: str, describe: str) -> Unknown:
        """The Unknown for a reference that finds no entity of the kind wanted."""
        ambiguous = self.ambiguity(ref)
        if ambiguous is not None:
            return ambiguous
        for address, reason in self.network.unknown_addresses if isinstance(ref, str) else ():
            if ref == address or ref.startswith((f"{address}.", f"{address}[")):
                return Unknown(f"{what} {ref}: {reason}")
        return missing(ref, what, describe)

    def dhcp_associations(self, vpc: Vpc) -> List[DhcpOptionsAssociation]:
        """The DHCP options associations that name ``vpc``, in input order (indexed once)."""
        if self._dhcp_indexed_at != len(self.entities):  # a VPC known only by its ID joined
            self._dhcp_by_vpc = {}
            for association in self.network.dhcp_associations:
                entity = self.find(association.vpc)
                if entity is not None:
                    self._dhcp_by_vpc.setdefault(id(entity), []).append(association)
            self._dhcp_indexed_at = len(self.entities)
        return self._dhcp_by_vpc.get(id(vpc), [])

    def unplaced_dhcp_vpc(self) -> Optional[Unknown]:
        """The unknown VPC of the first DHCP options association whose VPC is not known."""
        if self._unplaced_dhcp is None:
            self._unplaced_dhcp = [
                next(
                    (a.vpc for a in self.network.dhcp_associations if isinstance(a.vpc, Unknown)),
                    None,
                )
            ]
        return self._unplaced_dhcp[0]

    def main_table(self, vpc: Vpc) -> Optional[RouteTable]:
        for key in vpc.keys:  # a loop, not next() over a generator: once per subnet
            table = self.main_tables.get(key)
            if table is not None:
                return table
        return None

    def inventory_has(self, kind: str) -> bool:
        return kind in self.network.inventory_kinds


def _keyed(network: Network) -> Iterator[Tuple[str, Any]]:
    """(key, entity) for every key of every entity the index registers, in its order."""
    for kind in _KINDS:
        for entity in getattr(network, kind):
            for key in entity.keys:
                yield key, entity


def _share(shared: Dict[str, List[Any]], ids: Dict[str, Set[int]], key: str, entity: Any) -> None:
    """Note that ``entity`` uses the shared name ``key``."""
    named = shared.get(key)
    if named is None:  # most names: one entity, no set of ids to keep
        shared[key] = [entity]
        return
    named_ids = ids.get(key)
    if named_ids is None:
        named_ids = ids[key] = {id(other) for other in named}
    if id(entity) not in named_ids:
        named_ids.add(id(entity))
        named.append(entity)


def _implicit_vpc(table: RouteTable) -> Optional[str]:
    """The VPC key of the implicit main table of a VPC resource, else None."""
    return keys.vpc_of_main_table(table.keys[0]) if table.keys else None


def _vpc_key(table: RouteTable) -> str:
    """The key of the VPC a route table names (not the implicit main table of a VPC resource)."""
    if isinstance(table.vpc, Handle):
        return table.vpc.full_key
    return keys.real_id(str(table.vpc))


def display(ref: Any, index: Index) -> str:
    entity = index.find(ref)
    if entity is not None and getattr(entity, "loc", None) is not None:
        return entity.loc.resource
    if isinstance(ref, Handle):
        return ref.key.rsplit(":", 1)[-1] + (f".{ref.attribute}" if ref.attribute else "")
    if isinstance(ref, Unknown):  # name it by what is known of it, else by why it is not
        return ref.text or f"({ref.reason})"
    return str(ref)


def missing(ref: Any, what: str, describe: str) -> Unknown:
    if isinstance(ref, Unknown):
        return ref
    if isinstance(ref, str) and not ref.startswith(("subnet-", "sg-", "vpc-", "rtb-")):
        return Unknown(f"{what} {ref} is not defined in the inputs")
    return Unknown(
        f"{what} {ref} is not in the inputs; add `aws ec2 {describe}` output with --context"
    )
