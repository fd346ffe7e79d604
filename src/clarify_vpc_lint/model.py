"""The normalised network model that every reader fills and the resolver joins.

Readers describe what each input says, with references (``Handle``, real IDs, names) left as they
were written; ``resolve.py`` joins them across all inputs of the run. A field holding ``Unknown``
is a fact the inputs do not determine.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, FrozenSet, List, Literal, Optional, Tuple, Union, get_args

from msgspec import Struct, field

from .values import Unknown, kind_of

Ref = Any  # a Handle, a real ID or name (str), or Unknown
Tri = Union[bool, Unknown]
# an entity's ``conditional``: False (always exists), True (may exist), or the Unknown of the
# CloudFormation condition it exists under (which names the condition and what decides it)


def existence(conditional: Tri, what: str) -> Optional[Unknown]:
    """None for an entity that always exists, else the Unknown of whether it does."""
    if conditional is False:
        return None
    return conditional if isinstance(conditional, Unknown) else Unknown(f"{what} is conditional")


# How a subject is written; it picks the rule's remediation template and how the fix names
# entities (names.ref_item):
#   cloudformation  a template resource: logical IDs, !Ref/!GetAtt, YAML or JSON (Location.is_json)
#   terraform       a plan or .tf resource: addresses (module.net.aws_vpc.main), HCL
#   api             SageMaker API JSON, pipelines, state machines, policy files, SDK defaults:
#                   real IDs as JSON members
#   inventory       `aws ec2 describe-*` output: real IDs, fixed with AWS CLI commands
#   python          a script or notebook call: SDK arguments or boto3 request members
#   config          a job declared in the config file: the keys of its `jobs:` entry
Language = Literal["cloudformation", "terraform", "api", "inventory", "python", "config"]
LANGUAGES: FrozenSet[str] = frozenset(get_args(Language))


class Location(Struct):
    """Where a subject is written, in the terms the finding reports.

    ``language`` is how the subject is written, and so how its fix names things and in which
    syntax (the key of a rule's ``remediation``; see ``Language``).
    """

    file: str
    line: int
    column: int
    resource: str
    language: Language
    # the undecided condition the subject exists under: each of its findings is at most info
    condition: Optional[Unknown] = None
    is_json: bool = False  # a template written in JSON: its fixes are JSON members
    variant: str = ""  # the case its fixes are written for (python: boto3, sdk-v3; VARIANTS)
    # where values that decide its findings are written, when not at the subject (a script's
    # call that takes its network from the SDK defaults file): its fixes say so
    origin: str = ""
    # the resource's type where its format names it apart from ``resource`` (a template's
    # AWS::EC2::VPC): the checkov plugin asks a rule only of the types it judged
    entity: str = ""


class LazyLocation(Location, dict=True):
    """A Location whose line and column are found when first read (made by ``lazy_location``).

    Finding a position in a large JSON text costs a scan of it: a plan's 10,000 resources pay it
    only for those a finding (or a host plugin) reports. Until then ``line`` and ``column`` are
    unset fields, and ``position`` (in the instance's dict) returns them.
    """

    def resolved(self) -> LazyLocation:
        """Itself, with its line and column found (comparing, printing or copying reads the
        fields directly, where an unset one would raise)."""
        position = self.__dict__.pop("position", None)
        if position is not None:
            self.line, self.column = position()
        return self

    def __getattr__(self, name: str) -> Any:  # only for attributes not set
        if name not in ("line", "column") or "position" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.resolved(), name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyLocation):
            other.resolved()
        return Location.__eq__(self.resolved(), other)

    def __repr__(self) -> str:
        return Location.__repr__(self.resolved())

    def __copy__(self) -> LazyLocation:  # a copy (and a pickle) holds the found position
        return Location.__copy__(self.resolved())  # type: ignore[return-value]

    def __reduce__(self) -> Any:
        return Location.__reduce__(self.resolved())


def lazy_location(
    file: str, resource: str, language: Language, position: Callable[[], Tuple[int, int]]
) -> LazyLocation:
    location = LazyLocation(file, 0, 0, resource, language)
    del location.line, location.column  # until read: see LazyLocation.__getattr__
    location.__dict__["position"] = position
    return location


class Job(Struct):
    """A SageMaker Clarify job (processing job or monitoring job definition), as the inputs write it."""

    loc: Location
    kind: str  # processing | explainability-monitor | bias-monitor | declared
    inference: Tri
    network_isolation: Tri
    has_vpc_config: Tri
    subnets: Union[List[Ref], Unknown]
    security_groups: Union[List[Ref], Unknown]
    instance_count: Union[int, Unknown]
    model: Optional[Ref] = None  # Handle or model name; None when the inputs name no model
    serving_endpoint: Optional[Ref] = None  # monitoring jobs reach their model through it
    analysis_config_uri: Any = None
    # a predictor endpoint_name: the job calls that endpoint, no shadow endpoint is made
    existing_endpoint: Tri = False
    # -- policies (CVL104, CVL105, CVL501-503): the calls the job makes come from these
    # the request as written (CreateProcessingJob / Create*JobDefinition members), or None
    request: Any = None
    predictor: Any = None  # the linked analysis config's predictor mapping, or None
    # NetworkConfig.EnableInterContainerTrafficEncryption: IPsec between the instances (CVL404)
    inter_container_encryption: Tri = False


class SubnetsImport(Struct, frozen=True):
    """A template's model whose subnets another stack exports (``Fn::ImportValue``): where a
    fix adds a subnet. ``joined``: one comma-joined export the model splits; else one each."""

    template: str  # the exporting template
    outputs: Tuple[str, ...]  # its outputs' logical IDs
    exports: Tuple[str, ...]  # the export names the model imports, in its order
    joined: bool
    delimiter: str = ","  # of the joined export, as the model's Fn::Split names it


class SubnetChoices(Struct):
    """A template's model whose subnets are items picked from one list (``!Select [0, L]``):
    where the smallest fix picks another item of the same list."""

    written: Any  # L as the template writes it (intrinsic functions in their long form)
    picked: Tuple[int, ...]  # the indices the model picks
    items: List[Ref]  # L resolved: each item's reference


class Model(Struct):
    """A SageMaker model: where its shadow endpoint runs and whether it loads artifacts from S3."""

    loc: Location
    keys: List[str]
    has_vpc_config: Tri
    subnets: Union[List[Ref], Unknown]
    security_groups: Union[List[Ref], Unknown]
    s3_artifacts: Tri
    subnets_import: Optional[SubnetsImport] = None
    request: Any = None  # the CreateModel members as written (policies: its role, artifacts)
    subnet_choices: Optional[SubnetChoices] = None


class ServingEndpoint(Struct):
    """A SageMaker endpoint or endpoint config: the link from a monitoring job to its model."""

    keys: List[str]
    config: Optional[Ref] = None  # for an endpoint: its endpoint config
    models: List[Ref] = field(default_factory=list)  # for an endpoint config: variant models


class Vpc(Struct):
    """A VPC: its DNS attributes and IPv4 CIDR blocks."""

    loc: Location
    keys: List[str]
    dns_support: Tri
    dns_hostnames: Tri
    endpoints_complete: bool  # every endpoint of this VPC is in the inputs
    cidrs: Any = None  # its IPv4 CIDR blocks: a list, Unknown, or None where not read
    owner: Any = None  # the account that owns it (inventory OwnerId), None where not read


class Subnet(Struct):
    """A subnet: its VPC, Availability Zone and CIDR block."""

    loc: Location
    keys: List[str]
    vpc: Ref
    availability_zone: Any
    availability_zone_id: Any
    cidr: Any
    available_ips: Any = None  # inventory AvailableIpAddressCount; None where not reported
    owner: Any = None  # inventory OwnerId: the account that owns the subnet's VPC
    region: Any = None  # where an input says it apart from the AZ (a Terraform provider's region)

    @property
    def zone(self) -> Any:
        """Its Availability Zone as zones are told apart: the zone ID where known (a zone's
        name means another zone in another account), else the name."""
        zone_id = self.availability_zone_id
        return zone_id if isinstance(zone_id, str) and zone_id else self.availability_zone


class Route(Struct):
    """One route of a route table: its destination and what it reaches."""

    destination: Any
    # True = internet (TGW, NAT instance, ENI); ec2.ViaNatGateway = the NAT gateway's connectivity
    # type decides (the resolver looks it up); Unknown where not determinable
    target: Any
    conditional: Tri = False
    # where the route leads outside its VPC (ec2.route_leads_to_other_network: other VPCs,
    # on-premises, False or Unknown): a hub's endpoints may then serve the subnets (served.py)
    other_network: Any = False


class NatGateway(Struct):
    """A NAT gateway: public or private connectivity."""

    loc: Location
    keys: List[str]
    connectivity_type: Any  # "public" | "private", None (AWS's default: public) or Unknown


class PrefixList(Struct):
    """A managed prefix list: an AWS-managed one is known by its name (com.amazonaws.<region>.s3),
    a customer-managed one by its entries."""

    loc: Location
    keys: List[str]
    name: Any
    cidrs: Union[List[Any], Unknown]


class RouteTable(Struct):
    """A route table of a VPC; ``main`` for the table subnets without an association use."""

    loc: Location
    keys: List[str]
    vpc: Ref
    main: bool
    routes: List[Route]


class RouteTableAssociation(Struct):
    """A subnet explicitly associated with a route table."""

    subnet: Ref
    route_table: Ref
    conditional: Tri = False


class Permission(Struct):
    """One ingress or egress rule of a security group."""

    protocol: Any  # "-1" for all, "tcp", "6", ... or Unknown
    from_port: Any
    to_port: Any
    peers: List[Any]  # ("sg", Ref) | ("cidr", str) | ("prefix-list", str) | ("unknown", Unknown)
    conditional: Tri = False


class SecurityGroup(Struct):
    """A security group with its ingress and egress permissions."""

    loc: Location
    keys: List[str]
    vpc: Ref
    ingress: List[Permission]
    egress: List[Permission]


class SecurityGroupRule(Struct):
    """A rule written apart from its group (AWS::EC2::SecurityGroupIngress and the like)."""

    group: Ref
    direction: str  # ingress | egress
    permission: Permission


class VpcEndpoint(Struct):
    """A VPC endpoint: its service, type, private DNS, placement, security groups and policy."""

    loc: Location
    keys: List[str]
    vpc: Ref
    service: Union[str, Unknown]  # possibly with partial text; anything else becomes Unknown
    endpoint_type: Any
    private_dns: Tri
    route_tables: Union[List[Ref], Unknown]
    subnets: Union[List[Ref], Unknown]
    security_groups: Union[List[Ref], Unknown, None]  # None: the VPC's default group
    conditional: Tri = False
    # DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint: private DNS serves only on-premises
    # resolvers, traffic from the VPC goes to the gateway endpoint
    dns_only_inbound_resolver: Tri = False
    # its endpoint policy (CVL501): a document, Unknown, or None for none (full access)
    policy: Any = None
    # ServiceRegion: the region whose service names the endpoint answers; None = the job's region
    service_region: Any = None
    # the region it is created in where an input says it (a Terraform provider's region or the
    # resource's own region argument); None = the run's
    region: Any = None

    def __post_init__(self) -> None:
        # readers pass the service name as written; null, a number or an unresolved Fn::Join
        # is no service the rules can name, so it is unknown here, once for every reader
        if not isinstance(self.service, (str, Unknown)):
            self.service = Unknown(
                f"the service name of endpoint {self.loc.resource} is not a string:"
                f" {kind_of(self.service)}"
            )


class DhcpOptions(Struct):
    """A DHCP options set: its options by EC2 key ("domain-name", ...), Unknown where not known."""

    loc: Location
    keys: List[str]
    options: Union[Dict[str, Any], Unknown]


class DhcpOptionsAssociation(Struct):
    """Which DHCP options set a VPC uses. ``options`` is a reference, a ``DhcpOptions`` (a new
    VPC's implicit default set) or "default" (EC2's spelling of *no* options set)."""

    vpc: Ref
    options: Any
    conditional: Tri = False
    implicit: bool = False  # a new VPC's region default: an explicit association replaces it


class NetworkAclEntry(Struct):
    """One numbered rule of a network ACL (IPv4; IPv6 entries do not carry the job's traffic)."""

    rule_number: Any  # int or Unknown
    egress: bool
    allow: Any  # True (allow) / False (deny) / Unknown
    protocol: Any  # "-1", "6", "tcp", ... or Unknown
    from_port: Any
    to_port: Any
    cidr: Any  # str or Unknown
    conditional: Tri = False


class NetworkAcl(Struct):
    """A network ACL of a VPC with its entries."""

    loc: Location
    keys: List[str]
    vpc: Ref
    default: bool  # the VPC's default ACL: subnets without an association use it
    entries: List[NetworkAclEntry]


class NetworkAclAssociation(Struct):
    """A subnet explicitly associated with a network ACL."""

    subnet: Ref
    acl: Ref
    conditional: Tri = False


class AnalysisConfig(Struct):
    """A Clarify analysis configuration file: whether its methods call the model, and which."""

    loc: Location
    file_name: str
    inference: Tri  # the methods call the model (the SDK's _add_predictor rule)
    model_name: Any
    endpoint_name: Any = None  # takes precedence over model_name: no shadow endpoint
    predictor: Any = None  # the predictor mapping (instance_type: the shadow endpoint's)


class Policy(Struct):
    """An IAM policy document that may deny creating Clarify jobs (CVL104)."""

    loc: Location
    kind: str  # service control policy | identity policy | permissions boundary
    document: Any  # the parsed policy (dict), or Unknown where not in the inputs
    # a managed policy's keys (roles attach it by them), a bucket policy's bucket (CVL502)
    keys: List[str] = field(default_factory=list)
    resource: Any = None


# -- policies (CVL503): roles and what the inputs attach to them ----------------------------------


class Role(Struct):
    """An IAM role and the policies written on it (inline documents, managed policy references,
    permissions boundary). ``complete``: the input lists everything attached to it (an inventory
    of ``get-account-authorization-details``); a template's role may get more elsewhere."""

    loc: Location
    keys: List[str]
    inline: List[Any]  # policy documents (dict) or Unknown
    managed: Union[List[Ref], Unknown]  # ARNs or references to managed policies
    boundary: Optional[Ref] = None
    complete: bool = False


class RoleAttachment(Struct):
    """A policy attached to a role apart from it (``AWS::IAM::Policy`` ``Roles``, Terraform's
    ``aws_iam_role_policy`` / ``aws_iam_role_policy_attachment``): a document or a reference."""

    role: Ref
    policy: Any  # a managed policy's ARN or reference, or None when ``document`` is given
    document: Any = None  # an inline document (dict or Unknown)


class Request(Struct):
    """A standalone SageMaker API request, checked by CVL001."""

    loc: Location
    operation: str
    problems: List[Dict[str, Any]]  # {"message", "line", "column"}


# -- Route 53 private hosted zones (which VPCs resolve which names: centralised endpoints) ----------


class HostedZone(Struct):
    """A Route 53 hosted zone: its domain name and the VPCs it is associated with."""

    loc: Location
    keys: List[str]
    name: Any  # the domain name, lower case without the final dot, or Unknown
    private: Tri
    vpcs: Union[List[Ref], Unknown]
    conditional: Tri = False
    # the inputs hold every record of this zone (a template or plan that creates it, or saved
    # list-resource-record-sets output); else a name it may answer is unknown, not unanswered
    records_complete: bool = True


class ZoneAssociation(Struct):
    """A zone associated with a VPC apart from the zone (aws_route53_zone_association, the
    saved ``list-hosted-zones-by-vpc`` of a VPC)."""

    zone: Ref
    vpc: Ref
    conditional: Tri = False


class DnsRecord(Struct):
    """An A/AAAA alias or CNAME record: the names it answers and what it points to."""

    loc: Location
    zone: Ref  # the zone's reference or ID, or a zone name (``name:<domain>``)
    name: Any  # lower case without the final dot, or Unknown
    # what the record points to: a reference to a resource (an endpoint), a DNS name, or Unknown
    targets: List[Any]
    conditional: Tri = False


class Network(Struct):
    """Everything the readers found in one run."""

    jobs: List[Job] = field(default_factory=list)
    models: List[Model] = field(default_factory=list)
    serving: List[ServingEndpoint] = field(default_factory=list)
    vpcs: List[Vpc] = field(default_factory=list)
    subnets: List[Subnet] = field(default_factory=list)
    route_tables: List[RouteTable] = field(default_factory=list)
    routes: List[Tuple[Ref, Route]] = field(default_factory=list)  # written apart from their table
    associations: List[RouteTableAssociation] = field(default_factory=list)
    # (VPC, route table) made the VPC's main table apart from both (Terraform's
    # aws_main_route_table_association); it wins over any other main table of the VPC
    main_route_tables: List[Tuple[Ref, Ref]] = field(default_factory=list)
    nat_gateways: List[NatGateway] = field(default_factory=list)
    prefix_lists: List[PrefixList] = field(default_factory=list)
    security_groups: List[SecurityGroup] = field(default_factory=list)
    security_group_rules: List[SecurityGroupRule] = field(default_factory=list)
    endpoints: List[VpcEndpoint] = field(default_factory=list)
    # (endpoint, "route_tables" | "subnets" | "security_groups", target): associations made apart
    endpoint_attachments: List[Tuple[Ref, str, Ref]] = field(default_factory=list)
    dhcp_options: List[DhcpOptions] = field(default_factory=list)
    dhcp_associations: List[DhcpOptionsAssociation] = field(default_factory=list)
    network_acls: List[NetworkAcl] = field(default_factory=list)
    network_acl_entries: List[Tuple[Ref, NetworkAclEntry]] = field(default_factory=list)  # apart
    network_acl_associations: List[NetworkAclAssociation] = field(default_factory=list)
    analysis_configs: List[AnalysisConfig] = field(default_factory=list)
    requests: List[Request] = field(default_factory=list)
    policies: List[Policy] = field(default_factory=list)
    # problems of single resources, (file, line, message): reported as input errors, while
    # the rest of the file is still linted
    input_errors: List[Tuple[str, Optional[int], str]] = field(default_factory=list)
    # Terraform addresses written but not expanded (a remote module, an unknown count), with
    # why: a name under one of them is unknown for that reason, not undefined
    unknown_addresses: List[Tuple[str, str]] = field(default_factory=list)
    # the EC2 describe outputs given, by kind: a listing of a kind is complete
    inventory_kinds: set = field(default_factory=set)
    # (template, logical ID, export name): a resource another stack can import by that name
    exports: List[Tuple[str, str, str]] = field(default_factory=list)
    # (importing template, exporting template): an import back would make the stacks a cycle
    imports: List[Tuple[str, str]] = field(default_factory=list)
    # -- policies (CVL503)
    roles: List[Role] = field(default_factory=list)
    role_attachments: List[RoleAttachment] = field(default_factory=list)
    # Route 53: private hosted zones, their VPC associations made apart, their records
    hosted_zones: List[HostedZone] = field(default_factory=list)
    # the accounts whose own resources (groups, endpoints, route tables, ACLs) the inventory lists:
    # the account it was taken in; a shared VPC's participant sees none of the owner's
    inventory_accounts: List[str] = field(default_factory=list)
    # (endpoint, private DNS on?) set apart from the endpoint (aws_vpc_endpoint_private_dns)
    endpoint_private_dns: List[Tuple[Ref, Any]] = field(default_factory=list)
    zone_associations: List[ZoneAssociation] = field(default_factory=list)
    dns_records: List[DnsRecord] = field(default_factory=list)
    # (endpoint, policy document) set apart from the endpoint (aws_vpc_endpoint_policy): CVL501
    endpoint_policies: List[Tuple[Ref, Any]] = field(default_factory=list)

    def extend(self, other: Network) -> None:
        for name in self.__struct_fields__:
            if name == "inventory_kinds":
                self.inventory_kinds |= other.inventory_kinds
            else:
                getattr(self, name).extend(getattr(other, name))
