"""CloudFormation templates (YAML or JSON, CDK output included) into the network model."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from ... import ec2
from ... import keys as keys_
from ...awsfacts import dns_name
from ...documents import Document, ParseError
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
    ServingEndpoint,
    Subnet,
    SubnetChoices,
    Vpc,
    VpcEndpoint,
)
from ...values import Handle, Unknown, as_bool, dig, items, kind_of, shown
from .. import policies, sagemaker, workflows
from . import conditions
from .intrinsics import CfnRun, Template


def load_template(document: Document) -> Template:
    """Check the template's outline; a malformed one is a parse error of its file."""
    data = document.data
    sections = {}
    for name in ("Resources", "Parameters", "Mappings"):
        section = data.get(name) or {}
        if not isinstance(section, dict):
            line = document.locate((name,))[0]
            raise ParseError(f"{name} must be a mapping, not {kind_of(section)}", line)
        sections[name] = section
    # AWS::LanguageExtensions loops (``Fn::ForEach::Name: [identifier, collection, resources]``)
    # make resources only CloudFormation expands: they are not read, the rest of the template is
    sections["Resources"] = {
        logical_id: resource
        for logical_id, resource in sections["Resources"].items()
        if not str(logical_id).startswith("Fn::ForEach::")
    }
    for logical_id, resource in sections["Resources"].items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties") or {}, dict):
            line = document.locate(("Resources", logical_id))[0]
            raise ParseError(
                f"resource {logical_id} must be a mapping with mapping Properties", line
            )
    return Template(
        path=document.path,
        document=document,
        resources=sections["Resources"],
        parameters={k: v if isinstance(v, dict) else {} for k, v in sections["Parameters"].items()},
        mappings=sections["Mappings"],
    )


class _TemplateReader:
    def __init__(self, run: CfnRun, template: Template, network: Network) -> None:
        self.run = run
        self.template = template
        self.network = network

    def read(self) -> None:
        for logical_id, resource in self.template.resources.items():
            handler = _HANDLERS.get(str(resource.get("Type")))
            if handler is None or self.exists(resource) is False:
                continue  # not a network resource, or its condition is false: not created
            try:
                handler(self, logical_id, resource)
            except ParseError as error:  # one resource's embedded definition: the rest still counts
                line = self.template.document.locate(("Resources", logical_id))[0]
                self.network.input_errors.append(
                    (self.template.path, error.line or line, error.message)
                )

    # -- helpers -------------------------------------------------------------------------------------

    def props(self, resource: dict) -> Dict[str, Any]:
        resolved = self.run.resolve(resource.get("Properties") or {}, self.template)
        return resolved if isinstance(resolved, dict) else {}

    def loc(self, logical_id: str, resource: dict) -> Location:
        line, column = self.template.document.locate(("Resources", logical_id))
        condition = self.conditional(resource)
        return Location(
            self.template.path,
            line,
            column,
            logical_id,
            "cloudformation",
            condition=condition if isinstance(condition, Unknown) else None,
            is_json=self.template.document.is_json,
            entity=str(resource.get("Type", "")),
        )

    def keys(self, logical_id: str) -> List[str]:
        return [self.template.key(logical_id), keys_.logical_name(logical_id)]

    def exists(self, resource: dict) -> Any:
        """Whether CloudFormation creates the resource: its Condition, evaluated (SPEC section 3)."""
        if "Condition" not in resource:
            return True
        return conditions.condition(self.run, resource["Condition"], self.template, 0)

    def conditional(self, resource: dict) -> Any:
        """False for a resource that is created, else the Unknown of its condition (a resource
        whose condition is false is not read at all)."""
        exists = self.exists(resource)
        return exists if isinstance(exists, Unknown) else False

    # -- SageMaker -----------------------------------------------------------------------------------

    def processing_job(self, logical_id: str, resource: dict) -> None:
        job = sagemaker.processing_job(self.props(resource), self.loc(logical_id, resource))
        if job is not None:
            self.network.jobs.append(job)

    def model(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        keys = self.keys(logical_id)
        if isinstance(props.get("ModelName"), str):
            keys.append(keys_.model_name(props["ModelName"]))
        model = sagemaker.model(props, self.loc(logical_id, resource), keys)
        written = dig(resource, "Properties", "VpcConfig", "Subnets")
        model.subnets_import = self.run.subnets_import(written, self.template)
        model.subnet_choices = self.subnet_choices(written)
        self.network.models.append(model)

    def subnet_choices(self, written: Any) -> Optional[SubnetChoices]:
        """``[!Select [0, L], ...]``, every item picked from one list ``L``: that list resolved."""
        if not isinstance(written, list) or not written:
            return None
        picks = [item.get("Fn::Select") if isinstance(item, dict) else None for item in written]
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], int) for p in picks):
            return None
        lists = [p[1] for p in picks]
        if any(other != lists[0] for other in lists[1:]):
            return None
        items = self.run.resolve(lists[0], self.template)
        if not isinstance(items, list):
            return None
        return SubnetChoices(lists[0], tuple(p[0] for p in picks), items)

    def serving_endpoint(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        keys = self.keys(logical_id)
        if isinstance(props.get("EndpointName"), str):
            keys.append(keys_.endpoint_name(props["EndpointName"]))
        self.network.serving.append(ServingEndpoint(keys, config=props.get("EndpointConfigName")))

    def endpoint_config(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        keys = self.keys(logical_id)
        if isinstance(props.get("EndpointConfigName"), str):
            keys.append(keys_.endpoint_config_name(props["EndpointConfigName"]))
        variants = props.get("ProductionVariants")
        models = (
            [v.get("ModelName") for v in variants if isinstance(v, dict)]
            if isinstance(variants, list)
            else [Unknown(f"the production variants of endpoint config {logical_id} are not known")]
        )
        self.network.serving.append(ServingEndpoint(keys, models=models))

    # -- workflows: Step Functions and SageMaker Pipelines ----------------------------------------------

    def state_machine(self, logical_id: str, resource: dict) -> None:
        properties = resource.get("Properties") or {}
        substitutions = self.run.resolve(
            properties.get("DefinitionSubstitutions") or {}, self.template
        )
        lookup = self._lookup(substitutions if isinstance(substitutions, dict) else {})
        self._workflow(
            logical_id,
            "state-machine",
            properties,
            lookup,
            {
                "Definition": None,
                "DefinitionString": None,
                "DefinitionS3Location": None,
            },
        )

    def pipeline(self, logical_id: str, resource: dict) -> None:
        definition = (resource.get("Properties") or {}).get("PipelineDefinition")
        if not isinstance(definition, dict):
            definition = {"PipelineDefinitionBody": definition}
        self._workflow(
            logical_id,
            "pipeline",
            definition,
            self._lookup({}),
            {
                "PipelineDefinitionBody": None,
                "PipelineDefinitionS3Location": None,
            },
            ("PipelineDefinition",),
        )

    def _lookup(self, substitutions: Dict[str, Any]) -> workflows.Lookup:
        """A placeholder in a definition: DefinitionSubstitutions, else a Ref/GetAtt of the template."""

        def lookup(name: str) -> Any:
            if name in substitutions:
                return substitutions[name]
            return self.run.placeholder(name, self.template, 0)

        return lookup

    def _workflow(
        self,
        logical_id: str,
        kind: str,
        properties: Dict[str, Any],
        lookup: workflows.Lookup,
        forms: Dict[str, None],
        prefix: tuple = (),
    ) -> None:
        base = ("Resources", logical_id, "Properties", *prefix)
        document = self.template.document
        form = next((name for name in forms if name in properties), None)
        if form is None:
            return
        container = workflows.Container(
            logical_id,
            document,
            lambda path: document.locate(base + (form,) + path),
            self.template.key(logical_id),
        )
        raw = properties[form]
        if form.endswith("S3Location"):
            reason = f"{logical_id}'s definition is in S3 ({form}), not in the inputs"
            self.network.extend(workflows.opaque(kind, container, reason))
            return
        if form == "Definition":
            definition = workflows.fill_placeholders(self.run.resolve(raw, self.template), lookup)
        else:
            text = (
                raw["Fn::Sub"]
                if isinstance(raw, dict) and "Fn::Sub" in raw
                else self.run.resolve(raw, self.template)
            )
            if isinstance(text, list) and len(text) == 2 and isinstance(text[1], dict):
                variables = self.run.resolve(text[1], self.template)
                if not isinstance(variables, (dict, Unknown)):
                    variables = Unknown(f"the Fn::Sub variables of {logical_id} are not a map")
                text, lookup = text[0], _sub_variables(variables, lookup)
            if isinstance(text, Unknown) and not text.text:
                self.network.extend(
                    workflows.opaque(kind, container, f"{logical_id}'s {form}: {text.reason}")
                )
                return
            definition = workflows.parse_embedded(text, lookup, f"{logical_id} {form}")
            container.locate = lambda path: document.locate(base + (form,))
        self.network.extend(workflows.embedded_network(definition, kind, container))

    # -- EC2 -----------------------------------------------------------------------------------------

    def vpc(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        loc = self.loc(logical_id, resource)
        keys = self.keys(logical_id)
        self.network.vpcs.append(
            Vpc(
                loc,
                keys,
                dns_support=as_bool(props.get("EnableDnsSupport"), True),
                dns_hostnames=as_bool(props.get("EnableDnsHostnames"), False),
                endpoints_complete=True,
                cidrs=[
                    props.get("CidrBlock", Unknown(f"VPC {logical_id} takes its block from IPAM"))
                ],
            )
        )
        vpc = Handle(keys[0])  # the VPC of its implicit objects
        main_table, default_group = ec2.new_vpc_artefacts(loc, vpc)
        self.network.route_tables.append(main_table)
        self.network.security_groups.append(default_group)
        self.network.network_acls.append(ec2.new_vpc_default_acl(loc, vpc))
        self.network.dhcp_associations.append(ec2.new_vpc_dhcp_association(loc, vpc))

    def subnet(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        self.network.subnets.append(
            Subnet(
                self.loc(logical_id, resource),
                self.keys(logical_id),
                vpc=props.get("VpcId", Unknown(f"subnet {logical_id} has no VpcId")),
                availability_zone=props.get(
                    "AvailabilityZone",
                    Unknown(f"subnet {logical_id} has no AvailabilityZone (AWS picks one)"),
                ),
                availability_zone_id=props.get("AvailabilityZoneId"),
                # None: no IPv4 block (IPv6 only); from an IPAM pool: one the inputs do not hold
                cidr=props.get(
                    "CidrBlock",
                    Unknown(f"subnet {logical_id} takes its block from IPAM")
                    if "Ipv4IpamPoolId" in props
                    else None,
                ),
                region=self.run.region,  # a stack's resources are in its region
            )
        )

    def route_table(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        self.network.route_tables.append(
            RouteTable(
                self.loc(logical_id, resource),
                self.keys(logical_id),
                vpc=props.get("VpcId"),
                main=False,
                routes=[],
            )
        )

    def route(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        destination = props.get("DestinationCidrBlock")
        if destination is None:
            return  # IPv6 or prefix-list routes do not carry the job's IPv4 traffic
        table = props.get("RouteTableId")
        route = Route(destination, self._route_target(props), self.conditional(resource))
        route.other_network = ec2.route_leads_to_other_network(
            {m: props.get(m) for m in ec2.TARGET_MEMBERS}, self._route_referenced(props)
        )
        self.network.routes.append((table, route))

    def _route_target(self, props: Dict[str, Any]) -> Any:
        return ec2.route_reaches_internet(props, self._route_referenced(props))

    def _route_referenced(self, props: Dict[str, Any]) -> List[Any]:
        targets = (props.get(member) for member in ec2.TARGET_MEMBERS)
        referenced = [(value, self._type_of(value)) for value in targets]
        return [(ref, kind) for ref, kind in referenced if isinstance(ref, Handle) and kind]

    def nat_gateway(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        self.network.nat_gateways.append(
            NatGateway(
                self.loc(logical_id, resource),
                self.keys(logical_id),
                props.get("ConnectivityType"),
            )
        )

    def prefix_list(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        entries = props.get("Entries")
        self.network.prefix_lists.append(
            PrefixList(
                self.loc(logical_id, resource),
                self.keys(logical_id),
                props.get("PrefixListName"),
                [e.get("Cidr") for e in entries if isinstance(e, dict)]
                if isinstance(entries, list)
                else Unknown(f"the entries of prefix list {logical_id}"),
            )
        )

    def _type_of(self, handle: Any) -> str:
        if not isinstance(handle, Handle):
            return ""
        for template in self.run.templates:
            logical_id = keys_.cfn_logical_id(template.path, handle.key)
            if logical_id is not None:
                return str(template.resources.get(logical_id, {}).get("Type"))
        return ""

    def association(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        self.network.associations.append(
            RouteTableAssociation(
                props.get("SubnetId"), props.get("RouteTableId"), self.conditional(resource)
            )
        )

    def security_group(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        egress = props.get("SecurityGroupEgress")
        self.network.security_groups.append(
            SecurityGroup(
                self.loc(logical_id, resource),
                self.keys(logical_id),
                vpc=props.get("VpcId"),
                ingress=_permissions(props.get("SecurityGroupIngress"), "ingress"),
                # Without SecurityGroupEgress, AWS adds its default allow-all egress rule.
                egress=_permissions(egress, "egress")
                if egress is not None
                else [ec2.allow_all_egress()],
            )
        )

    def vpc_endpoint(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        groups = props.get("SecurityGroupIds")
        dns_options = props.get("DnsOptions")
        inbound_only = (
            dns_options.get("PrivateDnsOnlyForInboundResolverEndpoint")
            if isinstance(dns_options, dict)
            else dns_options  # Unknown, or None
        )
        self.network.endpoints.append(
            VpcEndpoint(
                self.loc(logical_id, resource),
                self.keys(logical_id),
                vpc=props.get("VpcId"),
                service=props.get(
                    "ServiceName", Unknown(f"endpoint {logical_id} has no ServiceName")
                ),
                endpoint_type=props.get("VpcEndpointType", "Gateway"),
                private_dns=as_bool(props.get("PrivateDnsEnabled"), False),
                route_tables=_as_list(props.get("RouteTableIds")),
                subnets=_as_list(props.get("SubnetIds")),
                security_groups=_as_list(groups) if groups is not None else None,
                conditional=self.conditional(resource),
                dns_only_inbound_resolver=ec2.private_dns_only_for_inbound_resolver(inbound_only),
                service_region=props.get("ServiceRegion"),
            )
        )
        self.network.endpoints[-1].policy = policies.endpoint_policy(  # CVL501
            props.get("PolicyDocument"), f"{logical_id} PolicyDocument"
        )

    def dhcp_options(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        options = {
            "domain-name": props.get("DomainName"),
            "domain-name-servers": props.get("DomainNameServers"),
        }
        self.network.dhcp_options.append(
            DhcpOptions(self.loc(logical_id, resource), self.keys(logical_id), options)
        )

    def dhcp_association(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        self.network.dhcp_associations.append(
            DhcpOptionsAssociation(
                props.get("VpcId"),
                props.get(
                    "DhcpOptionsId", Unknown(f"DHCP options association {logical_id} has none")
                ),
                self.conditional(resource),
            )
        )

    def network_acl(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        self.network.network_acls.append(
            NetworkAcl(
                self.loc(logical_id, resource),
                self.keys(logical_id),
                props.get("VpcId"),
                default=False,
                entries=[],
            )
        )

    def network_acl_entry(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        if "Ipv6CidrBlock" in props and "CidrBlock" not in props:
            return  # IPv6 rules do not carry the job's IPv4 traffic
        ports = props.get("PortRange")
        ports = ports if isinstance(ports, (dict, Unknown)) else {}
        action = props.get("RuleAction")
        entry = NetworkAclEntry(
            props.get("RuleNumber", Unknown(f"{logical_id} has no RuleNumber")),
            as_bool(props.get("Egress"), False),
            action if isinstance(action, Unknown) else str(action).lower() == "allow",
            props.get("Protocol"),
            ports if isinstance(ports, Unknown) else ports.get("From"),
            ports if isinstance(ports, Unknown) else ports.get("To"),
            props.get("CidrBlock", Unknown(f"{logical_id} has no CidrBlock")),
            self.conditional(resource),
        )
        self.network.network_acl_entries.append((props.get("NetworkAclId"), entry))

    def network_acl_association(self, logical_id: str, resource: dict) -> None:
        props = self.props(resource)
        self.network.network_acl_associations.append(
            NetworkAclAssociation(
                props.get("SubnetId"), props.get("NetworkAclId"), self.conditional(resource)
            )
        )


def _policy(member: str, kind: str) -> Callable[[_TemplateReader, str, dict], None]:
    """A policy resource whose document is the property ``member`` (CVL104)."""

    def read(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
        props = reader.props(resource)
        if kind == policies.SCP and not policies.is_service_control_policy(props.get("Type")):
            return
        role = policies.BOUNDARY if _is_boundary(reader.template, logical_id) else kind
        reader.network.policies.append(
            policies.policy(
                props.get(member), reader.loc(logical_id, resource), role, f"{logical_id} {member}"
            )
        )

    return read


def _is_boundary(template: Template, logical_id: str) -> bool:
    """Is the managed policy a role's or user's PermissionsBoundary in the same template?"""
    return any(
        isinstance(resource, dict)
        and isinstance(resource.get("Properties"), dict)
        and resource["Properties"].get("PermissionsBoundary") == {"Ref": logical_id}
        for resource in template.resources.values()
    )


def _inline_policies(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
    """The inline policies of a role, user or group (CVL104)."""
    for number, inline in enumerate(items(reader.props(resource).get("Policies"))):
        document = inline.get("PolicyDocument") if isinstance(inline, dict) else None
        reader.network.policies.append(
            policies.policy(
                document,
                reader.loc(logical_id, resource),
                policies.IDENTITY,
                f"{logical_id} Policies[{number}]",
            )
        )


# -- policies (CVL503): roles and the policies attached to them ------------------------------------


def _role(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
    _inline_policies(reader, logical_id, resource)
    props = reader.props(resource)
    inline = [
        policies.document_of(
            item.get("PolicyDocument") if isinstance(item, dict) else item,
            f"{logical_id} Policies[{number}]",
        )
        for number, item in enumerate(items(props.get("Policies")))
    ]
    reader.network.roles.append(
        policies.role(
            reader.loc(logical_id, resource),
            reader.keys(logical_id),
            props.get("RoleName"),
            inline,
            props.get("ManagedPolicyArns"),
            props.get("PermissionsBoundary"),
        )
    )


def _attached_policy(member: str, kind: str) -> Callable[[_TemplateReader, str, dict], None]:
    """``AWS::IAM::Policy`` / ``ManagedPolicy``: read as a policy (CVL104), keyed so that roles
    find it, and attached to each role its ``Roles`` names."""
    read_policy = _policy(member, kind)

    def read(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
        read_policy(reader, logical_id, resource)
        reader.network.policies[-1].keys = reader.keys(logical_id)
        props = reader.props(resource)
        for role in items(props.get("Roles")):
            reader.network.role_attachments.append(
                RoleAttachment(role, Handle(reader.template.key(logical_id)))
            )

    return read


def _bucket_policy(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
    """``AWS::S3::BucketPolicy`` (CVL502): its bucket by name, from ``Bucket`` or the
    ``BucketName`` of the bucket it references."""
    props = reader.props(resource)
    bucket = props.get("Bucket")
    if isinstance(bucket, Handle):
        target = keys_.cfn_logical_id(reader.template.path, bucket.key)
        written = reader.template.resources.get(target) if target else None
        named = reader.props(written).get("BucketName") if isinstance(written, dict) else None
        bucket = (
            named
            if named is not None
            else Unknown(f"the bucket of {logical_id} has a generated name")
        )
    reader.network.policies.append(
        policies.bucket_policy(
            props.get("PolicyDocument"),
            reader.loc(logical_id, resource),
            bucket,
            f"{logical_id} PolicyDocument",
        )
    )


def _sub_variables(variables: Any, outer: workflows.Lookup) -> workflows.Lookup:
    """Fn::Sub's own variables first; a map the inputs do not give may hold any name."""

    def lookup(name: str) -> Any:
        if isinstance(variables, Unknown):
            return variables
        return variables[name] if name in variables else outer(name)

    return lookup


def _monitoring_job(kind: str) -> Callable[[_TemplateReader, str, dict], None]:
    input_key = (
        "ModelExplainabilityJobInput" if kind == "explainability-monitor" else "ModelBiasJobInput"
    )

    def read(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
        props = reader.props(resource)
        endpoint = props.get("EndpointName")
        if endpoint is None:  # an Unknown name is kept: it has no truth value to test
            endpoint = dig(props, input_key, "EndpointInput", "EndpointName")
        loc = reader.loc(logical_id, resource)
        reader.network.jobs.append(sagemaker.monitoring_job(props, loc, kind, endpoint))

    return read


def _security_group_rule(direction: str) -> Callable[[_TemplateReader, str, dict], None]:
    def read(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
        props = reader.props(resource)
        group = props.get("GroupId", props.get("GroupName"))
        for permission in _permissions([props], direction):
            permission.conditional = reader.conditional(resource)
            reader.network.security_group_rules.append(
                SecurityGroupRule(group, direction, permission)
            )

    return read


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    return value if isinstance(value, (list, Unknown)) else [value]


def _permissions(rules: Any, direction: str) -> List[Permission]:
    """Inline or separate rules in CloudFormation's shape."""
    if isinstance(rules, Unknown):
        return [ec2.permission(rules, None, None, [("unknown", rules)])]
    peer_keys = (
        ("SourceSecurityGroupId", "SourceSecurityGroupName", "SourcePrefixListId", "CidrIp")
        if direction == "ingress"
        else ("DestinationSecurityGroupId", "DestinationPrefixListId", "CidrIp")
    )
    permissions = []
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            permissions.append(
                ec2.permission(
                    Unknown(f"{direction} rule {shown(rule)} is not a mapping"), None, None, []
                )
            )
            continue
        peers = []
        for key in peer_keys:
            if key in rule:
                kind = "cidr" if key == "CidrIp" else "prefix-list" if "PrefixList" in key else "sg"
                peers.append((kind, rule[key]))
        if "CidrIpv6" in rule:
            peers.append(("cidr6", rule["CidrIpv6"]))
        permissions.append(
            ec2.permission(rule.get("IpProtocol"), rule.get("FromPort"), rule.get("ToPort"), peers)
        )
    return permissions


_HANDLERS: Dict[str, Callable[[_TemplateReader, str, dict], None]] = {
    "AWS::SageMaker::ProcessingJob": _TemplateReader.processing_job,
    "AWS::SageMaker::ModelExplainabilityJobDefinition": _monitoring_job("explainability-monitor"),
    "AWS::SageMaker::ModelBiasJobDefinition": _monitoring_job("bias-monitor"),
    "AWS::SageMaker::Model": _TemplateReader.model,
    "AWS::SageMaker::Endpoint": _TemplateReader.serving_endpoint,
    "AWS::SageMaker::EndpointConfig": _TemplateReader.endpoint_config,
    "AWS::StepFunctions::StateMachine": _TemplateReader.state_machine,
    "AWS::SageMaker::Pipeline": _TemplateReader.pipeline,
    "AWS::EC2::VPC": _TemplateReader.vpc,
    "AWS::EC2::Subnet": _TemplateReader.subnet,
    "AWS::EC2::RouteTable": _TemplateReader.route_table,
    "AWS::EC2::Route": _TemplateReader.route,
    "AWS::EC2::SubnetRouteTableAssociation": _TemplateReader.association,
    "AWS::EC2::SecurityGroup": _TemplateReader.security_group,
    "AWS::EC2::SecurityGroupIngress": _security_group_rule("ingress"),
    "AWS::EC2::SecurityGroupEgress": _security_group_rule("egress"),
    "AWS::EC2::VPCEndpoint": _TemplateReader.vpc_endpoint,
    "AWS::EC2::DHCPOptions": _TemplateReader.dhcp_options,
    "AWS::EC2::VPCDHCPOptionsAssociation": _TemplateReader.dhcp_association,
    "AWS::EC2::NetworkAcl": _TemplateReader.network_acl,
    "AWS::EC2::NetworkAclEntry": _TemplateReader.network_acl_entry,
    "AWS::EC2::SubnetNetworkAclAssociation": _TemplateReader.network_acl_association,
    "AWS::EC2::NatGateway": _TemplateReader.nat_gateway,
    "AWS::EC2::PrefixList": _TemplateReader.prefix_list,
    "AWS::Organizations::Policy": _policy("Content", policies.SCP),
    "AWS::IAM::Policy": _attached_policy("PolicyDocument", policies.IDENTITY),
    "AWS::IAM::ManagedPolicy": _attached_policy("PolicyDocument", policies.IDENTITY),
    "AWS::IAM::Role": _role,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::IAM::User": _inline_policies,
    "AWS::IAM::Group": _inline_policies,
}


# -- Route 53 private hosted zones: which VPCs resolve which names (centralised endpoints) ---------


def _hosted_zone(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
    props = reader.props(resource)
    vpcs = props.get("VPCs")
    refs: Any = (
        [v.get("VPCId") if isinstance(v, dict) else v for v in vpcs]
        if isinstance(vpcs, list)
        else vpcs
        if isinstance(vpcs, Unknown)
        else []
    )
    reader.network.hosted_zones.append(
        HostedZone(
            reader.loc(logical_id, resource),
            reader.keys(logical_id),
            name=dns_name(props.get("Name", Unknown(f"zone {logical_id} has no Name"))),
            private=bool(refs) if not isinstance(refs, Unknown) else refs,
            vpcs=refs,
            conditional=reader.conditional(resource),
        )
    )


def _record_set(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
    _records(reader, logical_id, resource, [resource.get("Properties") or {}], (None, None))


def _record_set_group(reader: _TemplateReader, logical_id: str, resource: dict) -> None:
    properties = resource.get("Properties") or {}
    written = properties.get("RecordSets")
    _records(
        reader,
        logical_id,
        resource,
        written if isinstance(written, list) else [],
        (properties.get("HostedZoneId"), properties.get("HostedZoneName")),
    )


def _records(
    reader: _TemplateReader, logical_id: str, resource: dict, written: List[Any], zone: tuple
) -> None:
    """Alias and CNAME records; a target that is known only after deployment (an endpoint's
    ``DnsEntries``) is the endpoint its expression names."""
    template = reader.template
    for raw in written:
        if not isinstance(raw, dict):
            continue
        record = reader.run.resolve(raw, template)
        record = record if isinstance(record, dict) else {}
        zone_id, zone_name = zone
        zone_id = reader.run.resolve(raw.get("HostedZoneId", zone_id), template)
        zone_name = reader.run.resolve(raw.get("HostedZoneName", zone_name), template)
        if zone_id is None and isinstance(zone_name, str):
            zone_id = keys_.zone_name(dns_name(zone_name))
        alias = raw.get("AliasTarget")
        written_targets = (
            [alias.get("DNSName")] if isinstance(alias, dict) else raw.get("ResourceRecords")
        )
        targets = [
            _record_target(reader, value)
            for value in (written_targets if isinstance(written_targets, list) else [])
        ]
        reader.network.dns_records.append(
            DnsRecord(
                reader.loc(logical_id, resource),
                zone_id if zone_id is not None else Unknown(f"the zone of {logical_id}"),
                dns_name(record.get("Name", Unknown(f"a record of {logical_id} has no Name"))),
                targets,
                reader.conditional(resource),
            )
        )


def _record_target(reader: _TemplateReader, raw: Any) -> Any:
    resolved = reader.run.resolve(raw, reader.template)
    if isinstance(resolved, str):
        return resolved
    endpoint = _endpoint_named(reader.run, raw, reader.template, 0)
    if endpoint is not None:
        return endpoint
    return resolved if isinstance(resolved, Unknown) else Unknown(f"a record target {raw!r}")


def _endpoint_named(run: CfnRun, raw: Any, template: Template, depth: int) -> Any:
    """The VPC endpoint an expression names by Ref or Fn::GetAtt (its ``DnsEntries``), also
    through Fn::ImportValue of another template's output; None where it names none."""
    if depth > 8:  # exports that import each other: no endpoint found
        return None
    if isinstance(raw, list):
        found = [_endpoint_named(run, item, template, depth) for item in raw]
        return next((f for f in found if f is not None), None)
    if not isinstance(raw, dict):
        return None
    for key, value in raw.items():
        target = None
        if key == "Ref" and isinstance(value, str):
            target = value
        elif key == "Fn::GetAtt":
            parts = value.split(".", 1) if isinstance(value, str) else value
            target = parts[0] if isinstance(parts, list) and parts else None
        elif key == "Fn::ImportValue":
            exported = run.exported(run.resolve(value, template))
            if isinstance(exported, tuple):
                found = _endpoint_named(run, exported[1], exported[0], depth + 1)
                if found is not None:
                    return found
            continue
        else:
            found = _endpoint_named(run, value, template, depth + 1)
            if found is not None:
                return found
            continue
        resource = template.resources.get(target) if isinstance(target, str) else None
        if isinstance(resource, dict) and resource.get("Type") == "AWS::EC2::VPCEndpoint":
            return Handle(template.key(target))
    return None


_HANDLERS.update(
    {
        "AWS::Route53::HostedZone": _hosted_zone,
        "AWS::Route53::RecordSet": _record_set,
        "AWS::Route53::RecordSetGroup": _record_set_group,
    }
)


def read_template(run: CfnRun, template: Template) -> Network:
    network = Network()
    _TemplateReader(run, template, network).read()
    return network
