"""Network queries: subnet -> VPC -> route table -> internet, and the endpoints of a VPC."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Dict, List, Optional, Set, Tuple

from .. import ec2, keys
from ..awsfacts import endpoint_service
from ..logic import Fact, any_of
from ..model import Location, NatGateway, Network, RouteTable, Subnet, Vpc, VpcEndpoint, existence
from ..values import Unknown
from .calls import Call
from .index import Index, display
from .security import SecurityGroups
from .served import Route53


class Resolver:
    """Answers network questions about the entities of one run, joined across its inputs."""

    def __init__(self, network: Network, region: str) -> None:
        self.network = network
        self.region = region
        self.index = Index(network)
        self.security = SecurityGroups(self.index)
        self._endpoints_by_vpc: Optional[Dict[int, List[VpcEndpoint]]] = None
        # id of a subnet or endpoint -> (it, the VPC it is in), once found: a VPC found stays
        # found, and a plan's subnets are asked for theirs 12,000 times (the entity, held, keeps
        # its id from being reused)
        self._vpc_of: Dict[int, Tuple[Any, Vpc]] = {}
        self._services: Dict[str, Any] = {}  # service name -> endpoint_service of it
        # (id of job, id of model) -> the job's requests (subjects.job_model.requests_of)
        self.job_calls: Dict[Tuple[int, int], List[Call]] = {}
        self._attach_to_endpoints()
        for vpc in network.vpcs:
            if keys.is_real_id(vpc.keys[0]):  # a deployed VPC: complete where the inventory is
                self._complete_from_inventory(vpc)

    # -- subnets, VPCs, routes -----------------------------------------------------------------------

    def subnet(self, ref: Any) -> Any:
        entity = self.index.find(ref)
        if isinstance(entity, Subnet):
            return entity
        return self.index.missing(ref, "subnet", "describe-subnets")

    def vpc(self, ref: Any, seen_at: Location) -> Optional[Vpc]:
        """The VPC a reference names; a real ID not in the inputs still names a VPC."""
        entity = self.index.find(ref)
        if isinstance(entity, Vpc):
            return entity
        if isinstance(ref, str) and ref.startswith("vpc-"):
            return self._vpc_by_id(ref, seen_at)
        return None

    def subnet_vpc(self, subnet: Subnet) -> Any:
        vpc = self.vpc_of(subnet)
        if vpc is not None:
            return vpc
        return self.index.missing(
            subnet.vpc, f"the VPC of subnet {subnet.loc.resource}:", "describe-subnets"
        )

    def vpc_of(self, entity: Any) -> Optional[Vpc]:
        """The VPC a subnet or endpoint is in (its ``vpc`` names it), or None."""
        found = self._vpc_of.get(id(entity))
        if found is not None:
            return found[1]
        vpc = self.vpc(entity.vpc, entity.loc)
        if vpc is not None:
            self._vpc_of[id(entity)] = (entity, vpc)
        return vpc

    def service_of(self, endpoint: VpcEndpoint) -> Any:
        """``awsfacts.endpoint_service`` of the endpoint's service name, worked out once per
        name: a plan's thousands of endpoints name a few services."""
        name = endpoint.service
        if not isinstance(name, str):
            return endpoint_service(name)
        found = self._services.get(name)
        if found is None:
            found = self._services[name] = endpoint_service(name)
        return found

    def _vpc_by_id(self, vpc_id: str, seen_at: Location) -> Vpc:
        """A VPC known only by its real ID; what is known of it comes from the inventory."""
        key = keys.real_id(vpc_id)
        if key not in self.index.entities:
            unknown = Unknown(
                f"the DNS attributes of {vpc_id}; add `aws ec2 describe-vpc-attribute` output"
            )
            vpc = Vpc(
                Location(seen_at.file, seen_at.line, seen_at.column, vpc_id, seen_at.language),
                [key],
                unknown,
                unknown,
                False,
            )
            self.index.entities[key] = vpc
            self.network.vpcs.append(vpc)
        vpc = self.index.entities[key]
        self._complete_from_inventory(vpc)
        return vpc

    def _attach_to_endpoints(self) -> None:
        """Apply route-table, subnet and security-group associations written apart."""
        for endpoint_ref, field_name, target in self.network.endpoint_attachments:
            endpoint = self.index.find(endpoint_ref)
            if not isinstance(endpoint, VpcEndpoint):
                continue
            current = getattr(endpoint, field_name)
            if current is None or isinstance(current, list):
                setattr(endpoint, field_name, [*(current or []), target])
        for endpoint_ref, enabled in self.network.endpoint_private_dns:
            endpoint = self.index.find(endpoint_ref)
            if isinstance(endpoint, VpcEndpoint):
                endpoint.private_dns = enabled

    def expand(self, refs: Any) -> Any:
        """Names in a declared job: a Terraform address without index names every instance."""
        if isinstance(refs, Unknown):
            return refs
        expanded: List[Any] = []
        for ref in refs:
            instances = self.index.instances.get(ref) if self.index.find(ref) is None else None
            expanded.extend(instances or [ref])
        return expanded

    def endpoints_by_vpc(self) -> Dict[int, List[VpcEndpoint]]:
        """Endpoints by id() of their VPC; key 0 holds those whose VPC is not known."""
        if self._endpoints_by_vpc is None:
            grouped: Dict[int, List[VpcEndpoint]] = {0: []}
            for endpoint in self.network.endpoints:
                owner = self.vpc_of(endpoint)
                grouped.setdefault(id(owner) if owner is not None else 0, []).append(endpoint)
            self._endpoints_by_vpc = grouped
        return self._endpoints_by_vpc

    def _complete_from_inventory(self, vpc: Vpc) -> None:
        participant = self.participant_view(vpc)
        vpc.endpoints_complete = self.index.inventory_has("VpcEndpoints") and participant is None

    def participant_view(self, vpc: Vpc) -> Optional[Unknown]:
        """An Unknown when the inventory was taken in a participant account of a shared VPC
        (its listings show only other accounts' resources, none of the owner's): it is not
        complete for the VPC's endpoints."""
        accounts = set(self.network.inventory_accounts)
        owner = vpc.owner
        if not isinstance(owner, str):  # describe-subnets names the owner too
            owners = {
                s.owner
                for s in self.network.subnets
                if isinstance(s.owner, str) and self.index.find(s.vpc) is vpc
            }
            owner = owners.pop() if len(owners) == 1 else None
        if owner is None or not accounts or owner in accounts:
            return None
        return Unknown(
            f"the VPC endpoints of {vpc.loc.resource}: it is shared by account {owner}, and "
            f"the inventory was taken in account {', '.join(sorted(accounts))}, which does not "
            "see the owner's endpoints; add `aws ec2 describe-vpc-endpoints` output taken in "
            f"account {owner} with --context"
        )

    def route_table_of(self, subnet: Subnet) -> Any:
        associations = self.index.association_by_subnet.get(id(subnet), [])
        for association in associations:
            table = self.index.find(association.route_table)
            unknown = existence(
                association.conditional, f"subnet {subnet.loc.resource}'s route table association"
            )
            if unknown is not None:
                return unknown
            if isinstance(table, RouteTable):
                return table
            return self.index.missing(
                association.route_table, "route table", "describe-route-tables"
            )
        vpc = self.subnet_vpc(subnet)
        if isinstance(vpc, Unknown):
            return vpc
        main = self.index.main_table(vpc)
        if main is not None:
            return main
        return Unknown(
            f"the route tables of {vpc.loc.resource}; add `aws ec2 describe-route-tables` output "
            "with --context"
        )

    def internet_route(self, subnet: Subnet) -> Fact:
        table = self.route_table_of(subnet)
        if isinstance(table, Unknown):
            return table
        routes = table.routes + self.index.routes_by_table.get(id(table), [])
        results = []
        for route in routes:
            target = self.route_target(route.target)
            if isinstance(route.destination, Unknown) and target is not False:
                results.append(route.destination)  # it may be the default route
            if route.destination != "0.0.0.0/0":
                continue
            if route.conditional is not False and target is True:
                target = existence(route.conditional, f"the default route of {table.loc.resource}")
            results.append(target)
        return any_of(results)

    def route_target(self, target: Any) -> Fact:
        """Whether a route's target reaches the internet; a NAT gateway's by its connectivity."""
        if not isinstance(target, ec2.ViaNatGateway):
            return target
        gateway = self.index.find(target.gateway)
        if isinstance(gateway, NatGateway):
            return ec2.nat_gateway_reaches_internet(gateway.connectivity_type)
        name = display(target.gateway, self.index)
        return Unknown(
            f"whether NAT gateway {name} is public or private (ConnectivityType); add the "
            f"template that defines it, or `{ec2.DESCRIBE_NAT_GATEWAYS} --output json` output "
            "with --context"
        )

    @cached_property
    def route53(self) -> Route53:
        """The run's Route 53 zones and records: which hub endpoints serve which VPCs."""
        return Route53(self)

    @cached_property
    def fix_region(self) -> str:
        """The region fixes name (the inventory's, unless --region says otherwise)."""
        return ec2.region_of_subnets(self.network.subnets, self.region)

    def region_of(self, subnets: Any) -> str:
        """The region a fix about these subnets names: theirs where their zones say it."""
        known = [] if isinstance(subnets, Unknown) else subnets
        region = ec2.region_of_subnets(known, self.region)
        return region if region != self.region else self.fix_region

    def free_subnet_block(self, vpc: Any) -> Any:
        """A block for a new subnet of ``vpc`` that no subnet in the inputs overlaps (one whose
        VPC is not known counts as taken too), or Unknown."""
        if not isinstance(vpc, Vpc):
            return Unknown("the VPC is not in the inputs")
        used = self._subnet_blocks.get(id(vpc), []) + self._subnet_blocks.get(0, [])
        return ec2.free_subnet_block(vpc.cidrs, used)

    @cached_property
    def _subnet_blocks(self) -> Dict[int, List[Any]]:
        """The subnets' blocks by their VPC (key 0: VPC not known)."""
        blocks: Dict[int, List[Any]] = {}
        for subnet in self.network.subnets:
            owner = self.subnet_vpc(subnet)
            blocks.setdefault(id(owner) if isinstance(owner, Vpc) else 0, []).append(subnet.cidr)
        return blocks

    # -- jobs and models -----------------------------------------------------------------------------

    def network_of(self, refs: Any) -> tuple:
        """(subnets, VPCs) of a VpcConfig's subnets; each an Unknown where not determinable."""
        if isinstance(refs, Unknown):
            return refs, refs
        subnets = [self.subnet(ref) for ref in refs]
        if not subnets:
            return [], Unknown("the VpcConfig lists no subnets")
        vpcs: List[Any] = []
        seen: Set[int] = set()  # ids of vpcs: a set, not any() over a generator per subnet
        for subnet in subnets:
            vpc = subnet if isinstance(subnet, Unknown) else self.subnet_vpc(subnet)
            if isinstance(vpc, Unknown):
                return subnets, vpc
            if id(vpc) not in seen:
                seen.add(id(vpc))
                vpcs.append(vpc)
        return subnets, vpcs
