"""Terraform resources into the network model: one handler per resource type.

A handler takes one resource record and the ``Network`` to add to. The record (``TfResource``)
offers what Terraform says of one resource instance, whatever it was read from:

- ``address``, ``type``, ``mode`` ("managed" | "data"), ``values`` (the values known now);
- ``value(*path)``: a value, or where known only after apply the resources its expression
  references (Handles), Unknown, or None where not set;
- ``configured(*path)``: whether the configuration sets that attribute;
- ``handle`` (its identity, scoped to its file: ``keys.tf_resource``), ``location``, ``document``;
- ``type_of(handle)``: the type of a resource a handle names.

``tfplan.PlannedResource`` implements it for plans; a ``.tf`` reader feeds the same handlers
(``HANDLERS``) records of its own. Data sources and existing resources carry their real IDs, so
an inventory or API JSON joins them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Protocol, Tuple

from ... import ec2
from ... import keys as keys_
from ...awsfacts import dns_name
from ...documents import Document
from ...model import (
    DhcpOptions,
    DhcpOptionsAssociation,
    DnsRecord,
    HostedZone,
    Location,
    NatGateway,
    Network,
    NetworkAcl,
    NetworkAclAssociation,
    NetworkAclEntry,
    Permission,
    PrefixList,
    RoleAttachment,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
    VpcEndpoint,
    ZoneAssociation,
)
from ...values import Handle, Unknown, as_bool, dig, items
from .. import policies, sagemaker, workflows
from .plan import Plan, _dict, _list, _strings, is_plan

__all__ = ["HANDLERS", "TfResource", "is_plan", "read_plan"]

# a route's target attributes, by the EC2 member names ec2.route_reaches_internet reads, and the
# resource types a reference in each may name
_ROUTE_TARGETS = {
    "nat_gateway_id": ("NatGatewayId", {"aws_nat_gateway"}),
    "transit_gateway_id": ("TransitGatewayId", {"aws_ec2_transit_gateway"}),
    "network_interface_id": ("NetworkInterfaceId", {"aws_network_interface"}),
    "instance_id": ("InstanceId", {"aws_instance"}),
    "gateway_id": ("GatewayId", {"aws_internet_gateway", "aws_vpn_gateway"}),
    "egress_only_gateway_id": ("EgressOnlyInternetGatewayId", {"aws_egress_only_internet_gateway"}),
    "carrier_gateway_id": ("CarrierGatewayId", {"aws_ec2_carrier_gateway"}),
    "local_gateway_id": ("LocalGatewayId", {"aws_ec2_local_gateway"}),
    "vpc_peering_connection_id": ("VpcPeeringConnectionId", {"aws_vpc_peering_connection"}),
    "vpc_endpoint_id": ("VpcEndpointId", {"aws_vpc_endpoint"}),
}


class TfResource(Protocol):
    address: str
    type: str
    mode: str
    values: Dict[str, Any]

    def value(self, *path: Any) -> Any: ...

    def configured(self, *path: Any) -> bool: ...

    @property
    def handle(self) -> Handle: ...

    @property
    def location(self) -> Location: ...

    @property
    def document(self) -> Document: ...

    def type_of(self, handle: Handle) -> str: ...


def read_plan(document: Document) -> Network:
    network = Network()
    for resource in Plan(document).resources.values():
        handler = HANDLERS.get((resource.mode, resource.type))
        if handler is not None:
            handler(resource, network)
    return network


def _keys(resource: TfResource) -> List[str]:
    keys = [resource.handle.key, keys_.address_name(resource.address)]
    real_id = resource.values.get("id")
    if isinstance(real_id, str) and real_id:
        keys.append(keys_.real_id(real_id))
    return keys


def _one(value: Any, what: str) -> Any:
    """A scalar reference: one handle, a known string, or Unknown."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else Unknown(f"{what} refers to {len(value)} resources")
    return value


def _vpc(resource: TfResource, network: Network) -> None:
    loc = resource.location
    keys = _keys(resource)
    support = resource.value("enable_dns_support")
    hostnames = resource.value("enable_dns_hostnames")
    network.vpcs.append(
        Vpc(
            loc,
            keys,
            dns_support=as_bool(_one(support, "enable_dns_support"), True),
            dns_hostnames=as_bool(_one(hostnames, "enable_dns_hostnames"), False),
            endpoints_complete=resource.mode == "managed",
            cidrs=[resource.value("cidr_block")],
        )
    )
    if resource.mode == "managed":
        handle = resource.handle  # the implicit objects' VPC: one Handle, not one each
        main_table, default_group = ec2.new_vpc_artefacts(
            loc,
            handle,
            _known_id(resource.values.get("main_route_table_id")),
            _known_id(resource.values.get("default_security_group_id")),
        )
        network.route_tables.append(main_table)
        network.security_groups.append(default_group)
        network.network_acls.append(
            ec2.new_vpc_default_acl(
                loc, handle, _known_id(resource.values.get("default_network_acl_id"))
            )
        )
        network.dhcp_associations.append(ec2.new_vpc_dhcp_association(loc, handle))
    elif isinstance(resource.values.get("dhcp_options_id"), str):
        network.dhcp_associations.append(
            DhcpOptionsAssociation(resource.handle, resource.values["dhcp_options_id"])
        )


def _known_id(value: Any) -> List[str]:
    """The real ID of a VPC's implicit table, group or ACL where the plan knows it (one call,
    not a reference list's three: 6,000 a plan of 2,000 VPCs)."""
    return [value] if isinstance(value, str) else []


def _subnet(resource: TfResource, network: Network) -> None:
    zone = resource.value("availability_zone")
    network.subnets.append(
        Subnet(
            resource.location,
            _keys(resource),
            vpc=_one(resource.value("vpc_id"), "vpc_id"),
            availability_zone=zone
            if isinstance(zone, (str, Unknown))
            else Unknown(f"the availability_zone of {resource.address} is known only after apply"),
            availability_zone_id=resource.value("availability_zone_id"),
            cidr=resource.value("cidr_block"),
            region=getattr(resource, "region", None),  # a plan says it; .tf: the run's
        )
    )


def _route_target(resource: TfResource, route: Dict[str, Any], path: Tuple[Any, ...]) -> Route:
    """A route's target; an attribute known only after apply (absent from the planned route) is
    followed to the resources its expression references, e.g. a NAT gateway of the same plan.
    Returns the route with its destination left to the caller."""
    members: Dict[str, Any] = {}
    referenced: List[Tuple[Any, str]] = []
    for name, (ec2_name, types) in _ROUTE_TARGETS.items():
        if name in route:
            members[ec2_name] = route[name]
            continue
        if not resource.configured(*path, name):
            continue
        targets = resource.value(*path, name)
        if isinstance(targets, Unknown):
            members[ec2_name] = targets
            continue
        handles = [(h, resource.type_of(h)) for h in items(targets) if isinstance(h, Handle)]
        # inline route blocks share one reference list: keep what this attribute can name
        referenced += [pair for pair in handles if pair[1] in types] or handles
    return Route(
        None,
        ec2.route_reaches_internet(
            members,
            referenced,
            Unknown(f"the target of a route of {resource.address} is known only after apply"),
        ),
        other_network=ec2.route_leads_to_other_network(members, referenced),
    )


def _route_table(resource: TfResource, network: Network) -> None:
    routes = []
    for position, route in enumerate(_list(resource.values.get("route"))):
        if not isinstance(route, dict):
            continue
        destination = route.get("cidr_block")
        if "cidr_block" not in route:  # a dynamic block's destination, known only after apply
            destination = Unknown(f"the destination of a route of {resource.address}")
        if isinstance(destination, Unknown) or destination:  # an empty one is no route
            planned = _route_target(resource, route, ("route", position))
            planned.destination = destination
            routes.append(planned)
    keys = _keys(resource)
    main = resource.type == "aws_default_route_table"
    if main:
        # it adopts the VPC's main table: its VPC is the one whose default_route_table_id it names
        adopted = _one(resource.value("default_route_table_id"), "default_route_table_id")
        if isinstance(adopted, str) and adopted:
            keys.append(keys_.real_id(adopted))
        vpc = adopted if isinstance(adopted, (Handle, Unknown)) else resource.values.get("vpc_id")
    else:
        vpc = _one(resource.value("vpc_id"), "vpc_id")
    network.route_tables.append(RouteTable(resource.location, keys, vpc, main, routes))


def _route(resource: TfResource, network: Network) -> None:
    destination = resource.values.get("destination_cidr_block")
    if destination is None:
        return
    planned = _route_target(resource, resource.values, ())
    planned.destination = destination
    table = _one(resource.value("route_table_id"), "route_table_id")
    network.routes.append((table, planned))


def _association(resource: TfResource, network: Network) -> None:
    subnet = _one(resource.value("subnet_id"), "subnet_id")
    if subnet is None:
        return  # a gateway (edge) association
    table = _one(resource.value("route_table_id"), "route_table_id")
    network.associations.append(RouteTableAssociation(subnet, table))


def _main_association(resource: TfResource, network: Network) -> None:
    """The VPC's main table, whatever the order of resources: the resolver applies it."""
    table = _one(resource.value("route_table_id"), "route_table_id")
    vpc = _one(resource.value("vpc_id"), "vpc_id")
    network.main_route_tables.append((vpc, table))


def _nat_gateway(resource: TfResource, network: Network) -> None:
    connectivity = _one(resource.value("connectivity_type"), "connectivity_type")
    network.nat_gateways.append(NatGateway(resource.location, _keys(resource), connectivity))


def _prefix_list(resource: TfResource, network: Network) -> None:
    """A managed prefix list: the AWS-managed one by its name (data sources), a customer-managed
    one by its entries."""
    attribute = "cidr_blocks" if resource.type == "aws_prefix_list" else "entry"
    if resource.mode == "data" and attribute == "entry":
        attribute = "entries"
    listed = resource.values.get(attribute)
    cidrs: Any = [
        entry.get("cidr") if isinstance(entry, dict) else entry for entry in _list(listed)
    ]
    if not isinstance(listed, list) or not cidrs and resource.mode == "data":
        cidrs = Unknown(f"the entries of {resource.address} are known only after apply")
    network.prefix_lists.append(
        PrefixList(resource.location, _keys(resource), resource.values.get("name"), cidrs)
    )


def _permissions(resource: TfResource, attribute: str, self_handle: Handle) -> List[Permission]:
    permissions = []
    for position, rule in enumerate(_list(resource.values.get(attribute))):
        if not isinstance(rule, dict):
            continue
        peers: List[Any] = [("cidr", c) for c in items(rule.get("cidr_blocks"))]
        peers += [("prefix-list", p) for p in items(rule.get("prefix_list_ids"))]
        peers += [("cidr6", c) for c in items(rule.get("ipv6_cidr_blocks"))]
        groups = items(rule.get("security_groups"))
        if not groups and resource.configured(attribute, position, "security_groups"):
            groups = resource.value(attribute, position, "security_groups")
        if isinstance(groups, Unknown):
            peers.append(("unknown", groups))
        else:
            peers += [("sg", g) for g in groups]
        if rule.get("self"):
            peers.append(("sg", self_handle))
        peers += _unknown_peers(resource, rule, (attribute, position))
        permissions.append(
            ec2.permission(rule.get("protocol"), rule.get("from_port"), rule.get("to_port"), peers)
        )
    return permissions


def _unknown_peers(resource: TfResource, rule: Dict[str, Any], path: Tuple[Any, ...]) -> List[Any]:
    """Peer arguments written but not known (a variable without value): unknown peers."""
    unknown = []
    for name in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "self"):
        if rule.get(name) is None and resource.configured(*path, name):
            value = resource.value(*path, name)
            if isinstance(value, Unknown):
                unknown.append(("unknown", value))
    return unknown


def _setting(resource: TfResource, name: str, default: Any) -> Any:
    """A scalar argument: its value, ``default`` where it is not written, else Unknown."""
    known = resource.values.get(name)
    if known is not None or not resource.configured(name):
        return default if known is None else known
    value = resource.value(name)
    return value if isinstance(value, Unknown) else Unknown(f"the {name} of {resource.address}")


def _security_group(resource: TfResource, network: Network) -> None:
    handle = resource.handle
    keys = _keys(resource)
    if resource.type == "aws_default_security_group":
        vpc = _one(resource.value("vpc_id"), "vpc_id")
        if isinstance(vpc, Handle):  # its rules replace the VPC's default ones
            keys.insert(0, keys_.default_security_group(vpc.key).full_key)
    network.security_groups.append(
        SecurityGroup(
            resource.location,
            keys,
            vpc=_one(resource.value("vpc_id"), "vpc_id"),
            ingress=_permissions(resource, "ingress", handle),
            # Terraform removes AWS's default allow-all egress: no egress block, no egress.
            egress=_permissions(resource, "egress", handle),
        )
    )


def _security_group_rule(resource: TfResource, network: Network) -> None:
    values = resource.values
    group = _one(resource.value("security_group_id"), "security_group_id")
    if resource.type == "aws_security_group_rule":
        direction = str(values.get("type"))
        protocol = values.get("protocol")
        peers: List[Any] = [("cidr", c) for c in items(values.get("cidr_blocks"))]
        peers += [("prefix-list", p) for p in items(values.get("prefix_list_ids"))]
        peers += _unknown_peers(resource, values, ())
        if values.get("self"):
            peers.append(("sg", group))
        elif resource.configured("source_security_group_id") or values.get(
            "source_security_group_id"
        ):
            peers.append(
                (
                    "sg",
                    _one(resource.value("source_security_group_id"), "source_security_group_id"),
                )
            )
    else:
        direction = "ingress" if resource.type.endswith("ingress_rule") else "egress"
        protocol = values.get("ip_protocol")
        peers = [("cidr", values["cidr_ipv4"])] if values.get("cidr_ipv4") else []
        if values.get("prefix_list_id"):
            peers.append(("prefix-list", values["prefix_list_id"]))
        if resource.configured("referenced_security_group_id") or values.get(
            "referenced_security_group_id"
        ):
            peers.append(
                (
                    "sg",
                    _one(
                        resource.value("referenced_security_group_id"),
                        "referenced_security_group_id",
                    ),
                )
            )
    if direction not in ("ingress", "egress"):
        return
    permission = ec2.permission(
        protocol if protocol is not None else Unknown(f"the protocol of {resource.address}"),
        values.get("from_port"),
        values.get("to_port"),
        peers,
    )
    network.security_group_rules.append(SecurityGroupRule(group, direction, permission))


def _vpc_endpoint(resource: TfResource, network: Network) -> None:
    groups = _references(resource.value("security_group_ids"))
    configured_groups = resource.configured("security_group_ids") or groups != []
    service = _setting(resource, "service_name", None)
    if service is None:  # its message built only where it is said (2,000 endpoints a plan)
        service = Unknown(f"the service_name of {resource.address} is not in the plan")
    network.endpoints.append(
        VpcEndpoint(
            resource.location,
            _keys(resource),
            vpc=_one(resource.value("vpc_id"), "vpc_id"),
            service=service,
            endpoint_type=_setting(resource, "vpc_endpoint_type", "Gateway"),
            private_dns=as_bool(
                _one(resource.value("private_dns_enabled"), "private_dns_enabled"), False
            ),
            route_tables=_references(resource.value("route_table_ids")),
            subnets=_references(resource.value("subnet_ids")),
            security_groups=groups if configured_groups else None,
            dns_only_inbound_resolver=ec2.private_dns_only_for_inbound_resolver(
                _one(
                    resource.value(
                        "dns_options", 0, "private_dns_only_for_inbound_resolver_endpoint"
                    ),
                    "private_dns_only_for_inbound_resolver_endpoint",
                )
            ),
            service_region=_one(resource.value("service_region"), "service_region"),
            region=getattr(resource, "region", None),  # a plan says it; .tf: the run's
        )
    )
    network.endpoints[-1].policy = policies.endpoint_policy(  # CVL501
        _policy_text(resource, "policy")
        if resource.configured("policy") or resource.value("policy") is not None
        else None,  # not set: AWS's default policy, full access
        f"{resource.address} policy",
    )


def _endpoint_association(resource: TfResource, network: Network) -> None:
    endpoint_ref = _one(resource.value("vpc_endpoint_id"), "vpc_endpoint_id")
    field, attribute = {
        "aws_vpc_endpoint_route_table_association": ("route_tables", "route_table_id"),
        "aws_vpc_endpoint_subnet_association": ("subnets", "subnet_id"),
        "aws_vpc_endpoint_security_group_association": ("security_groups", "security_group_id"),
    }[resource.type]
    target = _one(resource.value(attribute), attribute)
    network.endpoint_attachments.append((endpoint_ref, field, target))


def _dhcp_options(resource: TfResource, network: Network) -> None:
    if resource.type == "aws_default_vpc_dhcp_options":
        # the region's default set: AWS fills both keys (Terraform cannot change them)
        options = {"domain-name": ["(the region's)"], "domain-name-servers": ["AmazonProvidedDNS"]}
    else:
        options = {
            "domain-name": _known(resource, "domain_name"),
            "domain-name-servers": _known(resource, "domain_name_servers"),
        }
    network.dhcp_options.append(DhcpOptions(resource.location, _keys(resource), options))


def _known(resource: TfResource, attribute: str) -> Any:
    """An attribute's value; Unknown where it is known only after apply."""
    value = resource.value(attribute)
    if isinstance(value, list) and any(isinstance(item, Handle) for item in value):
        return Unknown(f"the {attribute} of {resource.address} is known only after apply")
    return value


def _dhcp_association(resource: TfResource, network: Network) -> None:
    network.dhcp_associations.append(
        DhcpOptionsAssociation(
            _one(resource.value("vpc_id"), "vpc_id"),
            _one(resource.value("dhcp_options_id"), "dhcp_options_id"),
        )
    )


def _acl_entries(resource: TfResource) -> List[NetworkAclEntry]:
    """The inline ingress and egress blocks of aws_network_acl / aws_default_network_acl."""
    entries = []
    for direction in ("ingress", "egress"):
        for rule in _list(resource.values.get(direction)):
            if not isinstance(rule, dict) or (
                rule.get("ipv6_cidr_block") and not rule.get("cidr_block")
            ):
                continue
            entries.append(_acl_entry(resource, rule, direction == "egress", "rule_no", "action"))
    return entries


def _acl_entry(
    resource: TfResource,
    rule: Dict[str, Any],
    egress: bool,
    number: str,
    action: str,
) -> NetworkAclEntry:
    cidr = rule.get("cidr_block")
    if not isinstance(cidr, str):
        cidr = Unknown(f"the cidr_block of a rule of {resource.address} is known only after apply")
    allow = rule.get(action)
    return NetworkAclEntry(
        rule.get(number, Unknown(f"a rule of {resource.address} has no {number}")),
        egress,
        str(allow).lower() == "allow"
        if isinstance(allow, str)
        else Unknown(f"the {action} of a rule of {resource.address}"),
        rule.get("protocol", Unknown(f"the protocol of a rule of {resource.address}")),
        rule.get("from_port"),
        rule.get("to_port"),
        cidr,
    )


def _network_acl(resource: TfResource, network: Network) -> None:
    keys = _keys(resource)
    default = resource.type == "aws_default_network_acl"
    vpc = _one(resource.value("default_network_acl_id" if default else "vpc_id"), "vpc_id")
    if default and isinstance(vpc, Handle):  # its rules replace the VPC's default ones
        keys.insert(0, keys_.default_network_acl(vpc.key).full_key)
    network.network_acls.append(
        NetworkAcl(resource.location, keys, vpc, default, _acl_entries(resource))
    )
    subnets = resource.value("subnet_ids")
    if isinstance(subnets, Unknown):
        subnets = [subnets]
    for subnet in subnets if isinstance(subnets, list) and not default else []:
        network.network_acl_associations.append(NetworkAclAssociation(subnet, resource.handle))


def _network_acl_rule(resource: TfResource, network: Network) -> None:
    values = resource.values
    if values.get("ipv6_cidr_block") and not values.get("cidr_block"):
        return
    entry = _acl_entry(resource, values, values.get("egress") is True, "rule_number", "rule_action")
    acl = _one(resource.value("network_acl_id"), "network_acl_id")
    network.network_acl_entries.append((acl, entry))


def _network_acl_association(resource: TfResource, network: Network) -> None:
    network.network_acl_associations.append(
        NetworkAclAssociation(
            _one(resource.value("subnet_id"), "subnet_id"),
            _one(resource.value("network_acl_id"), "network_acl_id"),
        )
    )


def _container(block: Any) -> Dict[str, Any]:
    """A model's container block in the API's shape."""
    values = _dict(block)
    source = dig(values, "model_data_source", 0, "s3_data_source", 0, "s3_uri")
    return {
        "ModelDataUrl": values.get("model_data_url"),
        "ModelDataSource": {"S3DataSource": {"S3Uri": source}} if source else None,
    }


def _model(resource: TfResource, network: Network) -> None:
    """An aws_sagemaker_model in the API's shape, so the shared builder reads it."""
    values = resource.values
    request: Dict[str, Any] = {"ModelName": values.get("name")}
    request["ExecutionRoleArn"] = resource.value("execution_role_arn")  # policies: its role
    primary = _list(values.get("primary_container"))
    if primary:
        request["PrimaryContainer"] = _container(primary[0])
    request["Containers"] = [_container(block) for block in _list(values.get("container"))]
    if _list(values.get("vpc_config")) or resource.configured("vpc_config"):
        request["VpcConfig"] = {
            "Subnets": resource.value("vpc_config", 0, "subnets"),
            "SecurityGroupIds": resource.value("vpc_config", 0, "security_group_ids"),
        }
    keys = _keys(resource)
    if isinstance(request["ModelName"], str):
        keys.append(keys_.model_name(request["ModelName"]))
    network.models.append(sagemaker.model(request, resource.location, keys))


def _workflow(resource: TfResource, network: Network) -> None:
    kind, attribute = {
        "aws_sfn_state_machine": ("state-machine", "definition"),
        "aws_sagemaker_pipeline": ("pipeline", "pipeline_definition"),
    }[resource.type]
    container = workflows.Container(
        resource.address,
        resource.document,
        lambda path: (resource.location.line, resource.location.column),
        resource.handle.key,
    )
    text = resource.values.get(attribute)
    definition = (
        workflows.parse_embedded(text, workflows.no_lookup, f"{resource.address} {attribute}")
        if isinstance(text, str)
        else _unknown_definition(resource, attribute)
    )
    network.extend(workflows.embedded_network(definition, kind, container))


def _unknown_definition(resource: TfResource, attribute: str) -> Any:
    """A definition not known before apply: in ``.tf``, the object ``jsonencode()`` encodes,
    with the references it names as Handles, or a template's JSON with its ``${...}`` parts
    unknown; in a plan, Unknown naming what it is built from."""
    written = resource.value(attribute)
    if isinstance(written, Unknown) and isinstance(written.encodes, dict):
        return written.encodes
    if isinstance(written, Unknown) and written.text:  # a heredoc around ${...}: the rest is read
        where = f"{resource.address} {attribute}"
        return workflows.parse_embedded(written, workflows.no_lookup, where)
    config = getattr(resource, "config", None)  # a plan's configuration expressions
    expression = Plan._expression(config, (attribute,)) if isinstance(config, dict) else None
    references = _strings(expression.get("references")) if expression else []
    # Terraform lists every prefix of a traversal: the longest ones say what is read
    named = sorted(
        {r for r in references if not any(o.startswith((r + ".", r + "[")) for o in references)}
    )
    if named:
        shown = ", ".join(named[:8]) + (", ..." if len(named) > 8 else "")
        return Unknown(
            f"its {attribute} is known only after apply: it is built from {shown}, which this "
            "plan does not know yet; lint the root's `.tf` files without the plan to follow "
            "these references, or plan again once the resources exist"
        )
    if isinstance(written, Unknown):
        return Unknown(f"its {attribute} is not known: {written.reason}")
    return Unknown(f"its {attribute} is not in the plan (in S3, or known only after apply)")


def _policy_text(resource: TfResource, *path: Any) -> Any:
    """A policy attribute: its JSON text, or Unknown where known only after apply."""
    value = resource.value(*path)
    if isinstance(value, (str, dict, Unknown)):
        return value
    return Unknown("its value is known only after apply")


def _policy(resource: TfResource, network: Network) -> None:
    """A policy document of an IAM or Organizations resource (CVL104)."""
    if resource.type == "aws_organizations_policy":
        if not policies.is_service_control_policy(resource.value("type")):
            return
        kind, attribute = policies.SCP, "content"
    else:
        kind, attribute = policies.IDENTITY, "policy"
    network.policies.append(
        policies.policy(
            _policy_text(resource, attribute),
            resource.location,
            kind,
            f"{resource.address} {attribute}",
        )
    )


def _role_inline_policies(resource: TfResource, network: Network) -> None:
    for number, _ in enumerate(items(resource.values.get("inline_policy"))):
        network.policies.append(
            policies.policy(
                _policy_text(resource, "inline_policy", number, "policy"),
                resource.location,
                policies.IDENTITY,
                f"{resource.address} inline_policy",
            )
        )


# -- policies (CVL503): roles and the policies attached to them ------------------------------------


def _role(resource: TfResource, network: Network) -> None:
    _role_inline_policies(resource, network)
    inline = [
        policies.document_of(
            _policy_text(resource, "inline_policy", number, "policy"),
            f"{resource.address} inline_policy",
        )
        for number, _ in enumerate(items(resource.values.get("inline_policy")))
    ]
    network.roles.append(
        policies.role(
            resource.location,
            _keys(resource),
            resource.value("name"),
            inline,
            _handles(resource.value("managed_policy_arns")),
            _one(
                resource.value("permissions_boundary"), f"{resource.address} permissions_boundary"
            ),
        )
    )


def _role_policy(resource: TfResource, network: Network) -> None:
    """``aws_iam_role_policy``: an inline policy of the role it names (and CVL104's policy)."""
    _policy(resource, network)
    document = policies.document_of(_policy_text(resource, "policy"), f"{resource.address} policy")
    role = _one(resource.value("role"), f"{resource.address} role")
    network.role_attachments.append(RoleAttachment(role, None, document))


def _managed_policy(resource: TfResource, network: Network) -> None:
    """``aws_iam_policy``: CVL104's policy, keyed so that attachments find it."""
    _policy(resource, network)
    network.policies[-1].keys = _keys(resource)


def _role_policy_attachment(resource: TfResource, network: Network) -> None:
    role = _one(resource.value("role"), f"{resource.address} role")
    arn = _one(resource.value("policy_arn"), f"{resource.address} policy_arn")
    network.role_attachments.append(RoleAttachment(role, arn))


def _bucket_policy(resource: TfResource, network: Network) -> None:
    """``aws_s3_bucket_policy`` (CVL502): the bucket by name where the plan or .tf knows it."""
    bucket = _one(resource.value("bucket"), f"{resource.address} bucket")
    if not isinstance(bucket, str):
        bucket = Unknown(f"the bucket of {resource.address} is known only after apply")
    network.policies.append(
        policies.bucket_policy(
            _policy_text(resource, "policy"),
            resource.location,
            bucket,
            f"{resource.address} policy",
        )
    )


def _vpc_endpoint_policy(resource: TfResource, network: Network) -> None:
    """``aws_vpc_endpoint_policy``: the policy of the endpoint it names (CVL501)."""
    endpoint = _one(resource.value("vpc_endpoint_id"), f"{resource.address} vpc_endpoint_id")
    document = policies.endpoint_policy(
        _policy_text(resource, "policy"), f"{resource.address} policy"
    )
    network.endpoint_policies.append((endpoint, document))


def _handles(value: Any) -> Any:
    """A list attribute whose items may each be a reference list of one Handle."""
    if not isinstance(value, list):
        return value
    return [
        _one(item, "a managed policy ARN") if isinstance(item, list) else item for item in value
    ]


HANDLERS = {
    ("managed", "aws_sfn_state_machine"): _workflow,
    ("managed", "aws_sagemaker_pipeline"): _workflow,
    ("managed", "aws_vpc"): _vpc,
    ("data", "aws_vpc"): _vpc,
    ("managed", "aws_subnet"): _subnet,
    ("data", "aws_subnet"): _subnet,
    ("managed", "aws_route_table"): _route_table,
    ("managed", "aws_default_route_table"): _route_table,
    ("managed", "aws_route"): _route,
    ("managed", "aws_route_table_association"): _association,
    ("managed", "aws_main_route_table_association"): _main_association,
    ("managed", "aws_security_group"): _security_group,
    ("managed", "aws_default_security_group"): _security_group,
    # data.aws_security_group exports no rules: left to the inventory (by its real ID)
    ("managed", "aws_security_group_rule"): _security_group_rule,
    ("managed", "aws_vpc_security_group_ingress_rule"): _security_group_rule,
    ("managed", "aws_vpc_security_group_egress_rule"): _security_group_rule,
    ("managed", "aws_vpc_endpoint"): _vpc_endpoint,
    ("managed", "aws_vpc_endpoint_route_table_association"): _endpoint_association,
    ("managed", "aws_vpc_endpoint_subnet_association"): _endpoint_association,
    ("managed", "aws_vpc_endpoint_security_group_association"): _endpoint_association,
    ("managed", "aws_sagemaker_model"): _model,
    ("managed", "aws_vpc_dhcp_options"): _dhcp_options,
    ("managed", "aws_default_vpc_dhcp_options"): _dhcp_options,
    ("managed", "aws_vpc_dhcp_options_association"): _dhcp_association,
    ("managed", "aws_network_acl"): _network_acl,
    ("managed", "aws_default_network_acl"): _network_acl,
    ("managed", "aws_network_acl_rule"): _network_acl_rule,
    ("managed", "aws_network_acl_association"): _network_acl_association,
    ("managed", "aws_nat_gateway"): _nat_gateway,
    ("data", "aws_nat_gateway"): _nat_gateway,
    ("managed", "aws_ec2_managed_prefix_list"): _prefix_list,
    ("data", "aws_ec2_managed_prefix_list"): _prefix_list,
    ("data", "aws_prefix_list"): _prefix_list,
    ("managed", "aws_organizations_policy"): _policy,
    ("managed", "aws_iam_policy"): _managed_policy,
    ("managed", "aws_iam_role_policy"): _role_policy,
    ("managed", "aws_iam_role_policy_attachment"): _role_policy_attachment,
    ("managed", "aws_iam_user_policy"): _policy,
    ("managed", "aws_iam_group_policy"): _policy,
    ("managed", "aws_iam_role"): _role,
    ("managed", "aws_s3_bucket_policy"): _bucket_policy,
    ("managed", "aws_vpc_endpoint_policy"): _vpc_endpoint_policy,
}


# -- Route 53 private hosted zones: which VPCs resolve which names (centralised endpoints) ---------


def _hosted_zone(resource: TfResource, network: Network) -> None:
    blocks = _list(resource.values.get("vpc"))
    vpcs = [_one(resource.value("vpc", i, "vpc_id"), "vpc_id") for i in range(len(blocks))]
    keys = _keys(resource)
    zone_id = resource.values.get("zone_id")
    if isinstance(zone_id, str) and zone_id:
        keys.append(keys_.real_id(zone_id))
    network.hosted_zones.append(
        HostedZone(
            resource.location,
            keys,
            name=dns_name(_one(resource.value("name"), "name")),
            private=bool(vpcs) if resource.mode == "managed" else Unknown("a zone data source"),
            vpcs=vpcs,
            records_complete=resource.mode == "managed",
        )
    )


def _zone_association(resource: TfResource, network: Network) -> None:
    network.zone_associations.append(
        ZoneAssociation(
            _one(resource.value("zone_id"), "zone_id"), _one(resource.value("vpc_id"), "vpc_id")
        )
    )


def _dns_record(resource: TfResource, network: Network) -> None:
    if resource.values.get("alias"):
        written = resource.value("alias", 0, "name")
    else:
        written = resource.value("records")
    targets = written if isinstance(written, list) else [written]
    network.dns_records.append(
        DnsRecord(
            resource.location,
            _one(resource.value("zone_id"), "zone_id"),
            dns_name(_one(resource.value("name"), "name")),
            [t for t in targets if t is not None],
        )
    )


def _endpoint_private_dns(resource: TfResource, network: Network) -> None:
    """aws_vpc_endpoint_private_dns: private DNS set apart from aws_vpc_endpoint."""
    network.endpoint_private_dns.append(
        (
            _one(resource.value("vpc_endpoint_id"), "vpc_endpoint_id"),
            as_bool(_one(resource.value("private_dns_enabled"), "private_dns_enabled"), False),
        )
    )


HANDLERS.update(
    {
        ("managed", "aws_vpc_endpoint_private_dns"): _endpoint_private_dns,
        ("managed", "aws_route53_zone"): _hosted_zone,
        ("data", "aws_route53_zone"): _hosted_zone,
        ("managed", "aws_route53_zone_association"): _zone_association,
        ("managed", "aws_route53_record"): _dns_record,
    }
)


def _references(value: Any) -> Any:
    """A list attribute: its IDs or handles, Unknown, or none where it is not set."""
    if value is None:
        return []
    return value if isinstance(value, (list, Unknown)) else Unknown(f"{value!r} is not a list")
