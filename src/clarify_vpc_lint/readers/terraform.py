"""Terraform plans (``terraform show -json PLAN``) into the network model.

``planned_values`` says what will exist (resources being deleted are not in it). A value unknown
until apply (the ID of a subnet created in the same plan) is taken from ``configuration``: its
references name the resources, followed through module outputs and variables, and a reference
indexed by ``count.index``/``each.key`` picks the instance with the same index. Data sources and
existing resources carry their real IDs, so an inventory or API JSON joins them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from .. import ec2
from .. import keys as keys_
from ..model import (
    Location,
    Network,
    Permission,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from ..values import Handle, Unknown, as_bool, items
from . import sagemaker, workflows
from .source import Document, ParseError

SUPPORTED_FORMATS = ("0.", "1.")
_RESOURCE_REF = re.compile(r"^((?:data\.)?[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]+)(\[[^\]]*\])?")
# a route's target attributes, by the EC2 member names ec2.route_reaches_internet reads
_ROUTE_TARGETS = {
    "nat_gateway_id": "NatGatewayId",
    "transit_gateway_id": "TransitGatewayId",
    "network_interface_id": "NetworkInterfaceId",
    "instance_id": "InstanceId",
    "gateway_id": "GatewayId",
}


def is_plan(data: Any) -> bool:
    """``terraform show -json`` output; trimmed test plans (checkov's) may lack format_version."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("planned_values"), dict)
        and any(key in data for key in ("format_version", "configuration", "resource_changes"))
    )


@dataclass
class _Resource:
    """One planned resource instance with what the plan and its configuration say of it."""

    address: str
    type: str
    mode: str
    index: Any
    values: Dict[str, Any]
    config: Dict[str, Any]  # the configuration's expressions of this resource
    module: str  # "module.net" (with instance keys), "" for the root module
    path: Tuple[Any, ...]  # where it is written in the plan file


class _Plan:
    def __init__(self, document: Document) -> None:
        self.document = document
        data = document.data
        version = str(data.get("format_version", "1.0"))
        if not version.startswith(SUPPORTED_FORMATS):
            raise ParseError(f"Terraform plan format_version {version} is not supported (0.x, 1.x)")
        self.variables = {
            name: value.get("value")
            for name, value in (data.get("variables") or {}).items()
            if isinstance(value, dict)
        }
        self.config_root = _dict(_dict(data.get("configuration")).get("root_module"))
        self._config_index: Dict[str, Dict[str, Dict[str, Any]]] = {}
        self.resources: Dict[str, _Resource] = {}
        self.instances: Dict[str, List[_Resource]] = {}  # address without index -> instances
        self._collect(
            _dict(data.get("planned_values")).get("root_module"), ("planned_values", "root_module")
        )
        prior = _dict(_dict(data.get("prior_state")).get("values")).get("root_module")
        self._collect(prior, ("prior_state", "values", "root_module"), data_only=True)

    # -- collection ------------------------------------------------------------------------------

    def _collect(self, module: Any, path: Tuple[Any, ...], data_only: bool = False) -> None:
        module = _dict(module)
        for position, raw in enumerate(_list(module.get("resources"))):
            if not isinstance(raw, dict) or not isinstance(raw.get("address"), str):
                continue
            if data_only and raw.get("mode") != "data" or raw["address"] in self.resources:
                continue
            address = raw["address"]
            module_address = address.rsplit(".", 2)[0] if address.startswith("module.") else ""
            if raw.get("mode") == "data":
                module_address = address.split(".data.")[0] if ".data." in address else ""
            resource = _Resource(
                address=address,
                type=str(raw.get("type")),
                mode=str(raw.get("mode")),
                index=raw.get("index"),
                values=_dict(raw.get("values")),
                config=self._config_of(address, module_address),
                module=module_address,
                path=path + ("resources", position, "address"),
            )
            self.resources[address] = resource
            self.instances.setdefault(_strip_index(address), []).append(resource)
        for position, child in enumerate(_list(module.get("child_modules"))):
            self._collect(child, path + ("child_modules", position), data_only)

    def _config_module(self, module_address: str) -> Dict[str, Any]:
        module = self.config_root
        for name in re.findall(r"module\.([^.\[]+)", module_address):
            module = _dict(_dict(_dict(module.get("module_calls")).get(name)).get("module"))
        return module

    def _config_of(self, address: str, module_address: str) -> Dict[str, Any]:
        local = _strip_index(address[len(module_address) + 1 :] if module_address else address)
        key = re.sub(r"\[[^\]]*\]", "", module_address)  # module instances share one configuration
        if key not in self._config_index:
            self._config_index[key] = {
                resource.get("address"): _dict(resource.get("expressions"))
                for resource in _list(self._config_module(module_address).get("resources"))
                if isinstance(resource, dict) and isinstance(resource.get("address"), str)
            }
        return self._config_index[key].get(local, {})

    # -- values ------------------------------------------------------------------------------------

    def handle(self, resource: _Resource) -> Handle:
        return Handle(keys_.tf_resource(self.document.path, resource.address))

    def value(self, resource: _Resource, *path: Any) -> Any:
        """A planned value; where unknown until apply, the resources its expression references.

        None where neither the plan nor the configuration sets it (the caller's default applies).
        """
        known = sagemaker.dig(resource.values, *path)
        if known is not None and known != [] or not self._configured(resource.config, path):
            return known
        expression = self._expression(resource.config, path)
        if expression is None:
            return known
        if "constant_value" in expression:
            return expression["constant_value"]
        return self.references(_strings(expression.get("references")), resource)

    @staticmethod
    def _configured(config: Dict[str, Any], path: Tuple[Any, ...]) -> bool:
        return _Plan._expression(config, path) is not None

    @staticmethod
    def _expression(config: Any, path: Tuple[Any, ...]) -> Optional[Dict[str, Any]]:
        node = config
        for key in path:
            if isinstance(node, list):
                node = node[key] if isinstance(key, int) and key < len(node) else None
            elif isinstance(node, dict) and "references" in node:
                return node  # blocks written as one expression: its references serve them all
            elif isinstance(node, dict):
                node = node.get(key)
            else:
                return None
            if node is None:
                return None
        if isinstance(node, list):  # a block: the first one
            node = node[0] if node else None
        return (
            node
            if isinstance(node, dict) and ("references" in node or "constant_value" in node)
            else None
        )

    def references(self, references: List[str], origin: _Resource) -> Any:
        """The resources a configuration expression refers to, as Handles (or Unknown)."""
        correlate = "count.index" in references or "each.key" in references
        # Terraform lists every prefix of a traversal ("aws_subnet.a[0].id", "aws_subnet.a[0]",
        # "aws_subnet.a"): where an indexed one is listed, the bare one adds nothing.
        indexed = {m.group(1) for m in map(_RESOURCE_REF.match, references) if m and m.group(2)}
        handles: List[Any] = []
        seen = set()
        for reference in references:
            if reference in indexed:
                continue
            resolved = self._reference(
                reference, origin.module, origin.index if correlate else None, 0
            )
            if resolved is None:
                continue
            if isinstance(resolved, Unknown):
                return resolved
            for item in resolved:
                if item not in seen:
                    seen.add(item)
                    handles.append(item)
        if not handles:
            return Unknown(
                f"{origin.address}: a value known only after apply, from {', '.join(references) or 'an expression'}"
            )
        return handles

    def _reference(self, reference: str, module: str, index: Any, depth: int) -> Any:
        if depth > 20:
            return Unknown(f"{reference}: references nest too deeply")
        prefix = f"{module}." if module else ""
        if reference.startswith(("count.", "each.", "path.", "terraform.", "self.", "local.")):
            return (
                None
                if not reference.startswith("local.")
                else Unknown(f"{reference} (locals are not in the plan)")
            )
        if reference.startswith("var."):
            return self._variable(reference[4:].split(".")[0].split("[")[0], module, depth)
        if reference.startswith("module."):
            return self._module_output(reference, module, depth)
        match = _RESOURCE_REF.match(reference)
        if not match:
            return None
        base, literal_index = prefix + match.group(1), match.group(2)
        instances = self.instances.get(base)
        if not instances:
            return Unknown(f"{base} is not in the plan (count = 0, or defined elsewhere)")
        if literal_index and literal_index[1:-1] not in ("*", ""):
            instances = [
                r for r in instances if f"[{literal_index[1:-1]}]" in r.address[len(base) :]
            ]
        elif index is not None and len(instances) > 1:
            same = [r for r in instances if r.index == index]
            instances = same or instances
        return [self.handle(r) for r in instances]

    def _variable(self, name: str, module: str, depth: int) -> Any:
        if not module:
            value = self.variables.get(name)
            return Unknown(f"variable {name} has no value in the plan") if value is None else []
        parent, _, call = (
            module.rpartition(".module.") if ".module." in module else ("", "", module)
        )
        call_name = re.sub(r"^module\.|\[.*\]$", "", call)
        call_config = _dict(_dict(self._config_module(parent).get("module_calls")).get(call_name))
        expression = _dict(_dict(call_config.get("expressions")).get(name))
        references = _strings(expression.get("references"))
        results: List[Any] = []
        for reference in references:
            resolved = self._reference(reference, parent, None, depth + 1)
            if isinstance(resolved, Unknown):
                return resolved
            results.extend(resolved or [])
        return results

    def _module_output(self, reference: str, module: str, depth: int) -> Any:
        match = re.match(r"^module\.([^.\[]+)(\[[^\]]+\])?\.([^.\[]+)(?:\[(\d+)\])?", reference)
        if not match:
            return None  # "module.net" alone: the precise reference is listed beside it
        call, instance, output, position = match.groups()
        child = f"{module + '.' if module else ''}module.{call}{instance or ''}"
        outputs = _dict(
            _dict(
                _dict(_dict(self._config_module(module).get("module_calls")).get(call)).get(
                    "module"
                )
            ).get("outputs")
        )
        expression = _dict(_dict(outputs.get(output)).get("expression"))
        results: List[Any] = []
        for inner in _strings(expression.get("references")):
            resolved = self._reference(inner, child, None, depth + 1)
            if isinstance(resolved, Unknown):
                return resolved
            for item in resolved or []:
                if item not in results:
                    results.append(item)
        if position is not None:
            return results[int(position) : int(position) + 1] or Unknown(
                f"{reference} is not known"
            )
        return results

    def location(self, resource: _Resource) -> Location:
        line, column = self.document.locate(resource.path)
        return Location(self.document.path, line, column, resource.address, "terraform")


# -- readers per resource type -------------------------------------------------------------------------


def read_plan(document: Document) -> Network:
    plan = _Plan(document)
    network = Network()
    for resource in plan.resources.values():
        reader = _READERS.get((resource.mode, resource.type))
        if reader is not None:
            reader(plan, resource, network)
    return network


def _keys(plan: _Plan, resource: _Resource) -> List[str]:
    keys = [plan.handle(resource).key, keys_.address_name(resource.address)]
    real_id = resource.values.get("id")
    if isinstance(real_id, str) and real_id:
        keys.append(keys_.real_id(real_id))
    return keys


def _one(value: Any, what: str) -> Any:
    """A scalar reference: one handle, a known string, or Unknown."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else Unknown(f"{what} refers to {len(value)} resources")
    return value


def _vpc(plan: _Plan, resource: _Resource, network: Network) -> None:
    loc = plan.location(resource)
    keys = _keys(plan, resource)
    support = plan.value(resource, "enable_dns_support")
    hostnames = plan.value(resource, "enable_dns_hostnames")
    network.vpcs.append(
        Vpc(
            loc,
            keys,
            dns_support=as_bool(_one(support, "enable_dns_support"), True),
            dns_hostnames=as_bool(_one(hostnames, "enable_dns_hostnames"), False),
            endpoints_complete=resource.mode == "managed",
        )
    )
    if resource.mode == "managed":
        main_table, default_group = ec2.new_vpc_artefacts(
            loc,
            keys[0],
            _strings([resource.values.get("main_route_table_id")]),
            _strings([resource.values.get("default_security_group_id")]),
        )
        network.route_tables.append(main_table)
        network.security_groups.append(default_group)


def _subnet(plan: _Plan, resource: _Resource, network: Network) -> None:
    zone = plan.value(resource, "availability_zone")
    network.subnets.append(
        Subnet(
            plan.location(resource),
            _keys(plan, resource),
            vpc=_one(plan.value(resource, "vpc_id"), "vpc_id"),
            availability_zone=zone
            if isinstance(zone, str)
            else Unknown(f"the availability_zone of {resource.address} is known only after apply"),
            availability_zone_id=plan.value(resource, "availability_zone_id"),
            cidr=plan.value(resource, "cidr_block"),
        )
    )


def _route_target(
    plan: _Plan, resource: _Resource, route: Dict[str, Any], path: Tuple[Any, ...]
) -> Any:
    members = {ec2_name: route.get(name) for name, ec2_name in _ROUTE_TARGETS.items()}
    targets = plan.value(resource, *path) if path else None
    types = (
        {_type_of(plan, h) for h in targets if isinstance(h, Handle)}
        if isinstance(targets, list)
        else set()
    )
    return ec2.route_reaches_internet(
        members,
        types,
        Unknown(f"the target of a route of {resource.address} is known only after apply"),
    )


def _type_of(plan: _Plan, handle: Handle) -> str:
    address = keys_.tf_address(plan.document.path, handle.key)
    resource = plan.resources.get(address) if address is not None else None
    return resource.type if resource is not None else ""


def _route_table(plan: _Plan, resource: _Resource, network: Network) -> None:
    routes = []
    for route in _list(resource.values.get("route")):
        if isinstance(route, dict) and route.get("cidr_block"):
            routes.append(
                Route(route["cidr_block"], _route_target(plan, resource, route, ("route",)))
            )
    main = resource.type == "aws_default_route_table"
    vpc = plan.value(resource, "default_route_table_id" if main else "vpc_id")
    table = RouteTable(
        plan.location(resource), _keys(plan, resource), _one(vpc, "vpc_id"), main, routes
    )
    network.route_tables.append(table)


def _route(plan: _Plan, resource: _Resource, network: Network) -> None:
    destination = resource.values.get("destination_cidr_block")
    if destination is None:
        return
    target_attribute = next(
        (name for name in _ROUTE_TARGETS if plan._configured(resource.config, (name,))),
        None,
    )
    target = _route_target(
        plan, resource, resource.values, (target_attribute,) if target_attribute else ()
    )
    table = _one(plan.value(resource, "route_table_id"), "route_table_id")
    network.routes.append((table, Route(destination, target)))


def _association(plan: _Plan, resource: _Resource, network: Network) -> None:
    subnet = _one(plan.value(resource, "subnet_id"), "subnet_id")
    if subnet is None:
        return  # a gateway (edge) association
    table = _one(plan.value(resource, "route_table_id"), "route_table_id")
    network.associations.append(RouteTableAssociation(subnet, table))


def _main_association(plan: _Plan, resource: _Resource, network: Network) -> None:
    table = _one(plan.value(resource, "route_table_id"), "route_table_id")
    vpc = _one(plan.value(resource, "vpc_id"), "vpc_id")
    for candidate in network.route_tables:
        if isinstance(table, Handle) and table.key in candidate.keys:
            candidate.main, candidate.vpc = True, vpc


def _permissions(
    plan: _Plan, resource: _Resource, attribute: str, self_handle: Handle
) -> List[Permission]:
    permissions = []
    for position, rule in enumerate(_list(resource.values.get(attribute))):
        if not isinstance(rule, dict):
            continue
        peers: List[Any] = [("cidr", c) for c in items(rule.get("cidr_blocks"))]
        peers += [("prefix-list", p) for p in items(rule.get("prefix_list_ids"))]
        peers += [("cidr6", c) for c in items(rule.get("ipv6_cidr_blocks"))]
        groups = items(rule.get("security_groups"))
        if not groups and plan._configured(
            resource.config, (attribute, position, "security_groups")
        ):
            groups = plan.value(resource, attribute, position, "security_groups")
        if isinstance(groups, Unknown):
            peers.append(("unknown", groups))
        else:
            peers += [("sg", g) for g in groups]
        if rule.get("self"):
            peers.append(("sg", self_handle))
        permissions.append(
            ec2.permission(rule.get("protocol"), rule.get("from_port"), rule.get("to_port"), peers)
        )
    return permissions


def _security_group(plan: _Plan, resource: _Resource, network: Network) -> None:
    handle = plan.handle(resource)
    keys = _keys(plan, resource)
    if resource.type == "aws_default_security_group":
        vpc = _one(plan.value(resource, "vpc_id"), "vpc_id")
        if isinstance(vpc, Handle):  # its rules replace the VPC's default ones
            keys.insert(0, keys_.default_security_group(vpc.key).full_key)
    network.security_groups.append(
        SecurityGroup(
            plan.location(resource),
            keys,
            vpc=_one(plan.value(resource, "vpc_id"), "vpc_id"),
            ingress=_permissions(plan, resource, "ingress", handle),
            # Terraform removes AWS's default allow-all egress: no egress block, no egress.
            egress=_permissions(plan, resource, "egress", handle),
        )
    )


def _security_group_rule(plan: _Plan, resource: _Resource, network: Network) -> None:
    values = resource.values
    group = _one(plan.value(resource, "security_group_id"), "security_group_id")
    if resource.type == "aws_security_group_rule":
        direction = str(values.get("type"))
        protocol = values.get("protocol")
        peers: List[Any] = [("cidr", c) for c in items(values.get("cidr_blocks"))]
        peers += [("prefix-list", p) for p in items(values.get("prefix_list_ids"))]
        if values.get("self"):
            peers.append(("sg", group))
        elif plan._configured(resource.config, ("source_security_group_id",)) or values.get(
            "source_security_group_id"
        ):
            peers.append(
                (
                    "sg",
                    _one(
                        plan.value(resource, "source_security_group_id"), "source_security_group_id"
                    ),
                )
            )
    else:
        direction = "ingress" if resource.type.endswith("ingress_rule") else "egress"
        protocol = values.get("ip_protocol")
        peers = [("cidr", values["cidr_ipv4"])] if values.get("cidr_ipv4") else []
        if values.get("prefix_list_id"):
            peers.append(("prefix-list", values["prefix_list_id"]))
        if plan._configured(resource.config, ("referenced_security_group_id",)) or values.get(
            "referenced_security_group_id"
        ):
            peers.append(
                (
                    "sg",
                    _one(
                        plan.value(resource, "referenced_security_group_id"),
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


def _vpc_endpoint(plan: _Plan, resource: _Resource, network: Network) -> None:
    groups = _references(plan.value(resource, "security_group_ids"))
    configured_groups = plan._configured(resource.config, ("security_group_ids",)) or groups != []
    network.endpoints.append(
        VpcEndpoint(
            plan.location(resource),
            _keys(plan, resource),
            vpc=_one(plan.value(resource, "vpc_id"), "vpc_id"),
            service=resource.values.get("service_name")
            or Unknown(f"the service_name of {resource.address} is not in the plan"),
            endpoint_type=resource.values.get("vpc_endpoint_type") or "Gateway",
            private_dns=as_bool(
                _one(plan.value(resource, "private_dns_enabled"), "private_dns_enabled"), False
            ),
            route_tables=_references(plan.value(resource, "route_table_ids")),
            subnets=_references(plan.value(resource, "subnet_ids")),
            security_groups=groups if configured_groups else None,
        )
    )


def _endpoint_association(plan: _Plan, resource: _Resource, network: Network) -> None:
    endpoint_ref = _one(plan.value(resource, "vpc_endpoint_id"), "vpc_endpoint_id")
    field, attribute = {
        "aws_vpc_endpoint_route_table_association": ("route_tables", "route_table_id"),
        "aws_vpc_endpoint_subnet_association": ("subnets", "subnet_id"),
        "aws_vpc_endpoint_security_group_association": ("security_groups", "security_group_id"),
    }[resource.type]
    target = _one(plan.value(resource, attribute), attribute)
    network.endpoint_attachments.append((endpoint_ref, field, target))


def _model(plan: _Plan, resource: _Resource, network: Network) -> None:
    """An aws_sagemaker_model in the API's shape, so the shared builder reads it."""

    def container(block: str, position: int) -> Dict[str, Any]:
        values = _dict(_list(resource.values.get(block))[position])
        source = sagemaker.dig(values, "model_data_source", 0, "s3_data_source", 0, "s3_uri")
        return {
            "ModelDataUrl": values.get("model_data_url"),
            "ModelDataSource": {"S3DataSource": {"S3Uri": source}} if source else None,
        }

    request: Dict[str, Any] = {"ModelName": resource.values.get("name")}
    if _list(resource.values.get("primary_container")):
        request["PrimaryContainer"] = container("primary_container", 0)
    request["Containers"] = [
        container("container", i) for i in range(len(_list(resource.values.get("container"))))
    ]
    if _list(resource.values.get("vpc_config")) or plan._configured(
        resource.config, ("vpc_config",)
    ):
        request["VpcConfig"] = {
            "Subnets": plan.value(resource, "vpc_config", 0, "subnets"),
            "SecurityGroupIds": plan.value(resource, "vpc_config", 0, "security_group_ids"),
        }
    keys = _keys(plan, resource)
    if isinstance(request["ModelName"], str):
        keys.append(keys_.model_name(request["ModelName"]))
    network.models.append(sagemaker.model(request, plan.location(resource), keys))


def _workflow(plan: _Plan, resource: _Resource, network: Network) -> None:
    kind, attribute = {
        "aws_sfn_state_machine": ("state-machine", "definition"),
        "aws_sagemaker_pipeline": ("pipeline", "pipeline_definition"),
    }[resource.type]
    container = workflows.Container(
        resource.address,
        plan.document,
        lambda path: plan.document.locate(resource.path),
        plan.handle(resource).key,
    )
    text = resource.values.get(attribute)
    definition = (
        workflows.parse_embedded(text, workflows.no_lookup, f"{resource.address} {attribute}")
        if isinstance(text, str)
        else Unknown(f"its {attribute} is not in the plan (in S3, or known only after apply)")
    )
    network.extend(workflows.embedded_network(definition, kind, container))


_READERS = {
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
}


def _strings(value: Any) -> List[str]:
    """A configuration's reference list (anything else in it is not a reference)."""
    return [item for item in items(value) if isinstance(item, str)]


def _references(value: Any) -> Any:
    """A list attribute: its IDs or handles, Unknown, or none where it is not set."""
    if value is None:
        return []
    return value if isinstance(value, (list, Unknown)) else Unknown(f"{value!r} is not a list")


def _strip_index(address: str) -> str:
    return re.sub(r"\[[^\]]*\]$", "", address)


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []
