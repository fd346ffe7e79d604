"""Network ACLs: which ACL a subnet uses and what it lets through for the Clarify jobs in it.

A network ACL filters traffic where it crosses the subnet's boundary, in both directions and
without state: the job's HTTPS requests leave on TCP 443 and their replies come back on an
ephemeral port, and each needs a rule. Traffic inside one subnet is not filtered.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from itertools import islice
from typing import Any, Dict, List, Optional, Set, Tuple

from msgspec import Struct, field
from msgspec.structs import replace

from .. import ec2, keys
from ..awsfacts import endpoint_service
from ..logic import Fact, all_of
from ..model import NetworkAcl, NetworkAclEntry, Subnet, Vpc, existence
from ..names import Name, Refs, ref_item, refs
from ..values import Unknown, as_int
from .index import display
from .network import Resolver

# the services a Clarify job must reach (its data and results, the shadow endpoint's API)
_REQUIRED_SERVICES = ("s3", "sagemaker.api", "sagemaker.runtime")
_RULE_NUMBER_LIMIT = 32767  # 32767 and above are AWS's; the final "*" rule


class AclCheck(Struct):
    """What one subnet's ACL does with the traffic of the Clarify jobs that use the subnet."""

    acl: Any  # NetworkAcl, or Unknown
    https_egress: Fact = True
    https_return: Fact = True
    cluster: Fact = False
    cluster_traffic: Fact = True
    blocked: List[str] = field(default_factory=list)  # what is denied, for the message
    deny_rules: List[int] = field(default_factory=list)  # the explicit rules that deny it
    cluster_cidrs: List[str] = field(default_factory=list)


class NetworkAcls:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        index = resolver.index
        self._defaults: List[NetworkAcl] = []
        self._defaults_by_key: Dict[str, List[int]] = {}  # key -> positions in _defaults
        self._defaults_by_vpc: Dict[int, List[int]] = {}  # id of the entity its VPC names
        self._defaults_indexed_at = -1  # the number of entities when indexed
        self._extra: Dict[int, List[NetworkAclEntry]] = {}
        self._anywhere: List[NetworkAclEntry] = []  # entries whose ACL is not known
        for acl_ref, entry in index.network.network_acl_entries:
            target = index.find(acl_ref)
            if isinstance(target, Vpc):  # Terraform: aws_vpc.x.default_network_acl_id
                target = self._default_acl(target)
            if isinstance(target, NetworkAcl):
                self._extra.setdefault(id(target), []).append(entry)
            elif isinstance(acl_ref, Unknown):  # may be any ACL's: it can change any outcome
                self._anywhere.append(replace(entry, conditional=True))
        self._associations: Dict[int, list] = {}
        self._unplaced: Optional[Unknown] = None  # an association to a subnet not known
        for association in index.network.network_acl_associations:
            subnet = index.find(association.subnet)
            if isinstance(subnet, Subnet):
                self._associations.setdefault(id(subnet), []).append(association)
            elif isinstance(association.subnet, Unknown) and self._unplaced is None:
                self._unplaced = Unknown(
                    f"network ACL {display(association.acl, index)} is associated with a subnet "
                    f"that is not known: {association.subnet.reason}"
                )

    def _default_acls(self) -> List[NetworkAcl]:
        """The default ACLs in input order, indexed by their keys and by the VPC they name.

        Built once, and again if a VPC known only by its ID joined the index since."""
        index = self.resolver.index
        if self._defaults_indexed_at != len(index.entities):
            self._defaults = [acl for acl in self.resolver.network.network_acls if acl.default]
            self._defaults_by_key, self._defaults_by_vpc = {}, {}
            for position, acl in enumerate(self._defaults):
                for key in acl.keys:
                    self._defaults_by_key.setdefault(key, []).append(position)
                if not isinstance(acl.vpc, Unknown):
                    named = index.find(acl.vpc)
                    if named is not None:
                        self._defaults_by_vpc.setdefault(id(named), []).append(position)
            self._defaults_indexed_at = len(index.entities)
        return self._defaults

    def entries(self, acl: NetworkAcl) -> List[NetworkAclEntry]:
        return acl.entries + self._extra.get(id(acl), []) + self._anywhere

    def _default_acl(self, vpc: Vpc) -> Optional[NetworkAcl]:
        """The VPC's default ACL; one written in the inputs (Terraform's aws_default_network_acl)
        replaces the one a new VPC comes with."""
        defaults = self._default_acls()
        chosen: Set[int] = set(self._defaults_by_vpc.get(id(vpc), ()))
        for key in vpc.keys:
            chosen.update(self._defaults_by_key.get(keys.default_network_acl(key).full_key, ()))
        candidates = [defaults[position] for position in sorted(chosen)]
        written = [acl for acl in candidates if acl.loc is not vpc.loc]
        return (written or candidates or [None])[0]

    def acl_of(self, subnet: Subnet) -> Any:
        """The subnet's ACL: its association, else its VPC's default ACL; or Unknown."""
        associations = self._associations.get(id(subnet), [])
        if associations:
            association = associations[0]
            unknown = existence(
                association.conditional, f"the network ACL association of {subnet.loc.resource}"
            )
            if unknown is not None:
                return unknown
            acl = self.resolver.index.find(association.acl)
            if isinstance(acl, NetworkAcl):
                return acl
            if isinstance(acl, Vpc):
                return self._default_acl(acl) or self._missing(acl)
            return self.resolver.index.missing(
                association.acl, "network ACL", "describe-network-acls"
            )
        if self._unplaced is not None:
            return self._unplaced
        vpc = self.resolver.subnet_vpc(subnet)
        if isinstance(vpc, Unknown):
            return vpc
        return self._default_acl(vpc) or self._missing(vpc)

    def _missing(self, vpc: Vpc) -> Unknown:
        if self.resolver.index.inventory_has("NetworkAcls"):
            return Unknown(
                f"the default network ACL of {vpc.loc.resource} is not in the "
                "describe-network-acls output given"
            )
        return Unknown(
            f"the network ACLs of {vpc.loc.resource}; add `aws ec2 describe-network-acls` "
            "output with --context"
        )

    # -- the traffic of the jobs ---------------------------------------------------------------------

    def https_peers(self, subnet: Subnet, vpc: Vpc) -> List[Tuple[Any, str]]:
        """Where the job's HTTPS goes from this subnet: (peer, label) pairs; a peer is a CIDR,
        ``ec2.PUBLIC``, or an Unknown address (an endpoint subnet whose block is not known)."""
        endpoints = self.resolver.endpoints_by_vpc().get(id(vpc), [])
        s3 = [e for e in endpoints if endpoint_service(e.service) == "s3"]
        s3_interface_only = bool(s3) and all(
            str(e.endpoint_type).lower() == "interface" for e in s3
        )
        peers: List[Tuple[Any, str]] = []
        if not (s3_interface_only and self.resolver.internet_route(subnet) is False):
            peers.append((ec2.PUBLIC, "S3 and other public addresses"))
        for endpoint in endpoints:
            if endpoint_service(endpoint.service) not in _REQUIRED_SERVICES:
                continue
            if str(endpoint.endpoint_type).lower() != "interface":
                continue
            label = f"the subnets of {endpoint.loc.resource}"
            if isinstance(endpoint.subnets, Unknown):
                peers.append((endpoint.subnets, label))
                continue
            for ref in endpoint.subnets:
                target = self.resolver.subnet(ref)
                if target is subnet:
                    continue  # inside one subnet the ACL does not filter
                cidr = target if isinstance(target, Unknown) else _cidr(target)
                if not isinstance(target, Unknown):
                    label = f"the interface endpoints in {target.loc.resource}"
                if all(cidr != peer for peer, _ in peers):
                    peers.append((cidr, label))
        return peers

    def check(
        self,
        subnet: Subnet,
        cluster: Fact,
        cluster_subnets: List[Any],
    ) -> AclCheck:
        """Run the job's traffic through the subnet's ACL."""
        acl = self.acl_of(subnet)
        if isinstance(acl, Unknown):
            return AclCheck(acl, acl, acl, cluster, acl)
        result = AclCheck(acl, cluster=cluster)
        entries = self.entries(acl)
        vpc = self.resolver.subnet_vpc(subnet)
        peers = (
            self.https_peers(subnet, vpc)
            if isinstance(vpc, Vpc)
            else [(ec2.PUBLIC, "S3 and other public addresses"), (vpc, "the interface endpoints")]
        )
        egress: List[Fact] = []
        replies: List[Fact] = []
        for peer, label in peers:
            verdict, rule = ec2.acl_decides(entries, True, 443, peer)
            if verdict is False:
                result.blocked.append(f"{_rule(rule)} denies TCP 443 out to {label}")
                result.deny_rules += [rule] if isinstance(rule, int) else []
            egress.append(verdict)
            replies.append(
                self._ports(result, entries, False, ec2.LINUX_EPHEMERAL_PORTS, peer, label)
            )
        result.https_egress = all_of(egress)
        result.https_return = all_of(replies)
        if cluster is False:
            return result
        traffic: List[Fact] = []
        for other in cluster_subnets:
            cidr = other if isinstance(other, Unknown) else _cidr(other)
            if not isinstance(cidr, Unknown):
                result.cluster_cidrs.append(cidr)
            label = "a subnet of the job"
            if not isinstance(other, Unknown):
                label = f"the job's subnet {other.loc.resource}"
            for is_egress in (True, False):
                traffic.append(self._ports(result, entries, is_egress, ec2.ALL_PORTS, cidr, label))
        result.cluster_traffic = all_of(traffic)
        return result

    def _ports(
        self,
        result: AclCheck,
        entries: List[NetworkAclEntry],
        egress: bool,
        ports: Tuple[int, int],
        peer: Any,
        label: str,
    ) -> Fact:
        blocked, unknown = ec2.acl_blocked_ports(entries, egress, ports, peer)
        for low, high, rule in blocked:
            direction = f"out to {label}" if egress else f"in from {label}"
            ports_text = str(low) if low == high else f"{low}-{high}"
            result.blocked.append(f"{_rule(rule)} denies TCP {ports_text} {direction}")
            result.deny_rules += [rule] if isinstance(rule, int) else []
        if blocked:
            return False
        return unknown if unknown is not None else True


def _rule(number: Any) -> str:
    return "the final * rule" if number == "*" else f"rule {number}"


def _cidr(subnet: Subnet) -> Any:
    cidr = subnet.cidr
    if isinstance(cidr, str):
        try:
            return str(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            pass
    if isinstance(cidr, Unknown):
        return Unknown(f"the CIDR block of {subnet.loc.resource}: {cidr.reason}")
    return Unknown(f"the CIDR block of {subnet.loc.resource} is not known")


def remediation_names(check: AclCheck, subnet: Any, resolver: Resolver) -> Dict[str, Any]:
    """The names a fix uses: the ACL in each language, two free rule numbers below the first
    rule that denies, and a block covering the job's subnets. An ACL not in the inputs is looked
    up from the subnet's ID in a shell command, and said to be missing in a comment elsewhere."""
    acl = check.acl
    subnet_name = subnet.loc.resource if isinstance(subnet, Subnet) else "the job's subnets"
    missing = f"the network ACL of {subnet_name} is not in the inputs"
    region = resolver.fix_region
    context: Dict[str, Any] = {
        "acl": "unknown",
        "acl_ref": f"the network ACL of {subnet_name}",
        "acl_cfn": Refs((), missing),
        "acl_id": refs([("acl-of-subnet", f"{subnet_name} {region}")], missing)
        if subnet_name.startswith("subnet-")
        else Refs((), missing),
        "acl_name": "ClarifyNetworkAcl",
        "blocked": "; ".join(check.blocked),
        "rule_https": "100",
        "rule_cluster": "101",
        "cluster_cidr": _covering(check.cluster_cidrs, getattr(subnet, "cidr", None)),
    }
    if not isinstance(acl, NetworkAcl) or not isinstance(subnet, Subnet):
        return context
    name = acl.loc.resource
    default_of = acl.keys[0].endswith("#" + keys.DEFAULT_NETWORK_ACL) if acl.keys else False
    vpc = resolver.subnet_vpc(subnet)
    if default_of and isinstance(vpc, Vpc):
        name = f"the default network ACL of {vpc.loc.resource}"
        cfn = f"!GetAtt {vpc.loc.resource}.DefaultNetworkAcl"
    else:
        cfn = f"!Ref {acl.loc.resource}" if acl.loc.language == "cloudformation" else name
    numbers = _free_numbers(resolver, check, acl)
    context.update(
        acl=name,
        acl_ref=acl.loc.resource,
        acl_cfn=cfn,
        acl_id=refs([ref_item(acl.loc.resource, acl.loc.language)]),
        acl_name=re.sub(r"[^A-Za-z0-9]", "", acl.loc.resource) or "ClarifyNetworkAcl",
        rule_https=str(numbers[0]),
        rule_cluster=str(numbers[1]),
    )
    return context


def _free_numbers(resolver: Resolver, check: AclCheck, acl: NetworkAcl) -> Tuple[int, int]:
    """Two rule numbers no rule of the ACL uses, below every rule that denies the job's traffic."""
    written = [*acl.entries, *(e for _, e in resolver.network.network_acl_entries)]
    used = {n for n in (as_int(e.rule_number) for e in written) if isinstance(n, int)}
    limit = min(check.deny_rules, default=_RULE_NUMBER_LIMIT)
    free = list(islice((n for n in range(limit - 1, 0, -1) if n not in used), 2))
    return (free[1], free[0]) if len(free) == 2 else (1, 2)


def _covering(cidrs: List[str], own: Any) -> Any:
    """The smallest block covering the job's other subnets and this one."""
    blocks = [ipaddress.ip_network(c) for c in cidrs]
    if isinstance(own, str):
        with contextlib.suppress(ValueError):
            blocks.append(ipaddress.ip_network(own, strict=False))
    if not blocks:
        return Name(
            "0.0.0.0/0",
            "the CIDR blocks of the job's subnets are not known: narrow 0.0.0.0/0 to them",
        )
    block = blocks[0]
    blocks = [b for b in blocks if b.version == block.version]  # no block holds both families
    while not all(b.subnet_of(block) for b in blocks):
        block = block.supernet()
    return str(block)
