"""Which DHCP options set a VPC uses, and whether it has the keys SageMaker requires."""

from __future__ import annotations

from typing import Any

from .. import ec2
from ..model import DhcpOptions, Vpc, existence
from ..values import Unknown
from .index import Index, display


def missing_keys(vpc: Vpc, index: Index) -> Any:
    """The required DHCP keys the VPC's options set lacks (a list), or Unknown."""
    associations = index.dhcp_associations(vpc)
    explicit = [a for a in associations if not a.implicit]
    unplaced = index.unplaced_dhcp_vpc()
    if not explicit and unplaced is not None:  # it may be this VPC's
        return Unknown(f"a DHCP options association names a VPC not known: {unplaced.reason}")
    chosen = (explicit or associations or [None])[0]
    if chosen is None:
        if "Vpcs" in index.network.inventory_kinds:
            return Unknown(f"{vpc.loc.resource} is not in the describe-vpcs output given")
        return Unknown(
            f"the DHCP options set of {vpc.loc.resource}; add `aws ec2 describe-vpcs` and "
            "`aws ec2 describe-dhcp-options` output with --context"
        )
    unknown = existence(chosen.conditional, f"the DHCP options association of {vpc.loc.resource}")
    if unknown is not None:
        return unknown
    options = chosen.options
    if isinstance(options, DhcpOptions):
        return ec2.missing_dhcp_keys(options.options)
    if options == ec2.NO_DHCP_OPTIONS:
        return list(ec2.REQUIRED_DHCP_KEYS)
    entity = index.find(options)
    if isinstance(entity, DhcpOptions):
        return ec2.missing_dhcp_keys(entity.options)
    if isinstance(options, Unknown):
        return Unknown(f"the DHCP options set of {vpc.loc.resource}: {options.reason}")
    return Unknown(
        f"DHCP options set {display(options, index)} of {vpc.loc.resource} is not in the "
        "inputs; add `aws ec2 describe-dhcp-options` output with --context"
    )


def options_name(vpc: Vpc, index: Index) -> str:
    """The options set's name for messages and fixes."""
    associations = [a for a in index.dhcp_associations(vpc) if not a.implicit]
    if not associations:
        return "the default DHCP options set"
    options = associations[0].options
    if options == ec2.NO_DHCP_OPTIONS:
        return "no DHCP options set (DhcpOptionsId `default`)"
    return display(options, index)


AMAZON_PROVIDED_DNS = "AmazonProvidedDNS"


def dns_elsewhere(vpc: Vpc, index: Index) -> Any:
    """None, or an Unknown naming the DNS servers other than AmazonProvidedDNS that the VPC's
    DHCP options set gives its instances: those resolve endpoint names only if they forward to
    the Route 53 Resolver, which no input shows (SPEC section 5)."""
    associations = index.dhcp_associations(vpc)
    chosen = ([a for a in associations if not a.implicit] or associations or [None])[0]
    if chosen is None or chosen.conditional is not False:
        return None
    options = (
        chosen.options if isinstance(chosen.options, DhcpOptions) else index.find(chosen.options)
    )
    if not isinstance(options, DhcpOptions) or not isinstance(options.options, dict):
        return None
    servers = options.options.get("domain-name-servers")
    if not isinstance(servers, list):
        return None
    others = [str(s) for s in servers if str(s) != AMAZON_PROVIDED_DNS]
    if not others:
        return None
    return Unknown(
        f"{vpc.loc.resource}'s DHCP options set {options.loc.resource} names DNS "
        f"servers {', '.join(others)}: they resolve endpoint names only if they forward to the "
        "Route 53 Resolver, which the inputs do not show"
    )
