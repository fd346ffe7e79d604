"""Where a finding shows in an editor, code scanning and cfn-lint: its region.

A finding's ``line``/``column`` name the subject's key (SPEC section 6); its region is the text
that is wrong: the property or argument the rule judges where it is written
(``EnableNetworkIsolation: true``, ``enable_network_isolation=True``), else the subject's key
itself (the resource, when something is missing). A region is never empty: it spans at least the
key's name, else the rest of the line.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from msgspec.structs import replace

from . import tfaddress
from .documents import Document, text_read_again
from .findings import Finding, Region
from .readers import MAX_PLAN_BYTES

# The job's security groups (CVL401-404 judge their rules), its subnets (CVL202 their free
# addresses), a policy's statements (CVL104, CVL105, CVL502): one place each, several rules.
# ``FOLLOW`` steps to the one resource of the same file that the value before it names (``!Ref
# Group``, ``aws_security_group.x.id``): the group's own rules, where they are written in it.
FOLLOW = "->"
_GROUPS = ("NetworkConfig", "VpcConfig", "SecurityGroupIds")
_JOB_GROUPS: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    "cloudformation": (_GROUPS,),
    "api": (_GROUPS,),
    "python": (("security_group_ids",), ("SecurityGroupIds",)),
}
_JOB_INGRESS = dict(
    _JOB_GROUPS, cloudformation=((*_GROUPS, FOLLOW, "SecurityGroupIngress"), _GROUPS)
)
_JOB_EGRESS = dict(_JOB_GROUPS, cloudformation=((*_GROUPS, FOLLOW, "SecurityGroupEgress"), _GROUPS))
_JOB_SUBNETS: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    "cloudformation": (("NetworkConfig", "VpcConfig", "Subnets"),),
    "api": (("NetworkConfig", "VpcConfig", "Subnets"),),
    "python": (("subnets",), ("Subnets",)),
}
_POLICY: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    "cloudformation": (
        ("PolicyDocument", "Statement"),  # IAM and bucket policies
        ("Content", "Statement"),  # an Organizations policy written as a mapping
        ("PolicyDocument",),
        ("Content",),
        ("Policies",),  # a role's inline policies
    ),
    "terraform-config": (("policy",), ("content",), ("inline_policy",)),
}

# The rules whose wrong text is in a resource an association gives the subject: (association
# type, its member naming the subject, its member naming that resource), per language.
ASSOCIATED: Dict[str, Dict[str, Tuple[str, str, str]]] = {
    "CVL308": {  # the VPC's DHCP options set
        "cloudformation": ("AWS::EC2::VPCDHCPOptionsAssociation", "VpcId", "DhcpOptionsId"),
        "terraform-config": ("aws_vpc_dhcp_options_association", "vpc_id", "dhcp_options_id"),
    },
    "CVL309": {  # the subnet's network ACL
        "cloudformation": ("AWS::EC2::SubnetNetworkAclAssociation", "SubnetId", "NetworkAclId"),
        "terraform-config": ("aws_network_acl_association", "subnet_id", "network_acl_id"),
    },
}

# The property each rule judges, per language: a path under the CloudFormation resource's
# Properties, in the API request, the .tf block's argument, the Python keyword or request member.
PROPERTIES: Dict[str, Dict[str, Tuple[Tuple[str, ...], ...]]] = {
    "CVL101": {
        "cloudformation": (("NetworkConfig", "EnableNetworkIsolation"),),
        "api": (("NetworkConfig", "EnableNetworkIsolation"),),
        "terraform-config": (("enable_network_isolation",),),
        "python": (("enable_network_isolation",), ("EnableNetworkIsolation",)),
    },
    "CVL103": {  # the job's network, which is not its model's
        "cloudformation": (("NetworkConfig", "VpcConfig"),),
        "api": (("NetworkConfig", "VpcConfig"),),
        "python": (("network_config",), ("NetworkConfig",)),
    },
    "CVL104": _POLICY,
    "CVL105": _POLICY,
    "CVL201": {
        "cloudformation": (("VpcConfig", "Subnets"),),
        "api": (("VpcConfig", "Subnets"),),
        "terraform-config": (("subnets",),),
        "python": (("vpc_config",), ("VpcConfig",)),
    },
    "CVL202": _JOB_SUBNETS,
    "CVL304": {
        "cloudformation": (("PrivateDnsEnabled",),),
        "terraform-config": (("private_dns_enabled",),),
    },
    "CVL305": {
        "cloudformation": (("EnableDnsHostnames",), ("EnableDnsSupport",)),
        "terraform-config": (("enable_dns_hostnames",), ("enable_dns_support",)),
    },
    "CVL306": {  # the gateway endpoint's route tables, which miss a job subnet's
        "cloudformation": (("RouteTableIds",),),
        "terraform-config": (("route_table_ids",),),
    },
    "CVL307": {  # the ingress of the endpoint's group, which admits no HTTPS from the job
        "cloudformation": (
            ("SecurityGroupIds", FOLLOW, "SecurityGroupIngress"),
            ("SecurityGroupIds",),
        ),
        "terraform-config": (
            ("security_group_ids", FOLLOW, "ingress"),
            ("security_group_ids",),
        ),
    },
    "CVL401": _JOB_INGRESS,  # the job's group's ingress (none from itself)
    "CVL402": _JOB_EGRESS,
    "CVL403": _JOB_EGRESS,
    "CVL404": _JOB_INGRESS,
    "CVL501": {  # the endpoint's policy
        "cloudformation": (("PolicyDocument", "Statement"), ("PolicyDocument",)),
        "terraform-config": (("policy",),),
    },
    "CVL502": _POLICY,  # the bucket policy's statements
    "CVL503": {  # the execution role the job names, which lacks permissions
        "cloudformation": (("RoleArn",),),
        "api": (("RoleArn",),),
        "python": (("role",), ("RoleArn",)),
    },
}


def with_regions(
    findings: List[Finding], documents: Dict[str, Document], linted: Dict[str, str]
) -> List[Finding]:
    texts: Dict[str, List[str]] = {}
    trees: Dict[str, Optional[ast.AST]] = {}
    placed = []
    for finding in findings:
        kind = linted.get(finding.file)
        lines = texts.get(finding.file)
        if lines is None:
            lines = texts[finding.file] = _lines(finding.file, documents.get(finding.file))
        region = None
        if kind in ASSOCIATED.get(finding.rule, {}):
            region = _associated(finding, kind or "", documents.get(finding.file), lines)
        for path in () if region else PROPERTIES.get(finding.rule, {}).get(kind or "", ()):
            if kind in ("cloudformation", "api") and finding.file in documents:
                region = _in_document(documents[finding.file], finding, kind, path, lines)
            elif kind == "terraform-config" and FOLLOW in path:
                region = _through_reference(lines, finding.line, path)
            elif kind == "terraform-config":
                region = _in_block(lines, finding.line, path[0])
            elif kind == "python" and finding.file.endswith(".py"):
                if finding.file not in trees:
                    trees[finding.file] = _tree(lines)
                region = _in_python(trees[finding.file], lines, path[0])
            if region is not None:
                break
        placed.append(replace(finding, region=region or _key_region(finding, kind, lines)))
    return placed


def _lines(path: str, document: Optional[Document]) -> List[str]:
    if document is not None and document.text:
        return document.text.splitlines()
    text = text_read_again(path, MAX_PLAN_BYTES)  # up to the most any reader takes
    return [] if text is None else text.splitlines()


def _rest_of_line(lines: List[str], line: int, column: int) -> Region:
    """From ``column`` to the end of the line's text (without a trailing comment or comma)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    text = re.sub(r"\s+#.*$", "", text).rstrip().rstrip(",")
    return (line, column, line, max(len(text) + 1, column + 1))


def _key_region(finding: Finding, kind: Optional[str], lines: List[str]) -> Region:
    if kind in ("cloudformation", "api", "inventory") and lines:
        text = lines[finding.line - 1] if finding.line <= len(lines) else ""
        match = re.compile(r'"?[^"\s:]+"?').match(text, finding.column - 1)
        if match:
            return (finding.line, finding.column, finding.line, match.end() + 1)
    return _rest_of_line(lines, finding.line, finding.column)


def _in_document(
    document: Document, finding: Finding, kind: str, path: Sequence[str], lines: List[str]
) -> Optional[Region]:
    if kind == "cloudformation":
        if "/" in finding.resource:
            return None
        full: List[Any] = ["Resources", finding.resource, "Properties", *path]
    else:
        full = list(path)
    value: Any = document.data
    for position, key in enumerate(full):
        if key == FOLLOW:  # the rest is under the one resource the value names
            named = _named_resource(value)
            if kind != "cloudformation" or named is None:
                return None
            rest = ["Resources", named, "Properties", *full[position + 1 :]]
            return _in_document(document, replace(finding, resource=named), kind, rest[3:], lines)
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    line, column = document.locate(full)
    return _rest_of_line(lines, line, column)


def _named_resource(value: Any) -> Optional[str]:
    """The logical ID a value (or a list of one) refers to: ``!Ref X``, ``!GetAtt X.GroupId``."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((function, argument),) = value.items()
    if function == "Ref" and isinstance(argument, str):
        return argument
    if function == "Fn::GetAtt":
        name = argument[0] if isinstance(argument, list) and argument else argument
        return name.split(".")[0] if isinstance(name, str) else None
    return None


_TF_REFERENCE = re.compile(r"^\[?\s*(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.id\s*\]?$")


def _through_reference(lines: List[str], header: int, path: Sequence[str]) -> Optional[Region]:
    """``path`` (argument, FOLLOW, argument or block) in a .tf file: the one resource of the same
    file the first argument names, and the second inside that resource's block."""
    first = _in_block(lines, header, path[0])
    named = _referenced_block(lines, first)
    return None if named is None else _in_block(lines, named, path[-1], blocks=True)


def _referenced_block(lines: List[str], argument: Optional[Region]) -> Optional[int]:
    """The header line of the one resource of the file that an argument (its region) names."""
    if argument is None:
        return None
    written = lines[argument[0] - 1].split("=", 1)[-1]
    reference = _TF_REFERENCE.match(re.sub(r"\s+#.*$", "", written).strip())
    if reference is None:
        return None
    opening = 'resource "{}" "{}"'.format(*reference.groups())
    return next((n for n, text in enumerate(lines, 1) if text.startswith(opening)), None)


def _associated(
    finding: Finding, kind: str, document: Optional[Document], lines: List[str]
) -> Optional[Region]:
    """The resource an association of the file gives the subject (its DHCP options set, its
    network ACL): that resource's key, or the association's value where it names none."""
    association, subject, other = ASSOCIATED[finding.rule][kind]
    if kind == "cloudformation" and document is not None:
        resources = document.data.get("Resources") if isinstance(document.data, dict) else None
        for name, resource in resources.items() if isinstance(resources, dict) else ():
            properties = resource.get("Properties") if isinstance(resource, dict) else None
            if resource.get("Type") != association or not isinstance(properties, dict):
                continue
            if _named_resource(properties.get(subject)) != finding.resource:
                continue
            named = _named_resource(properties.get(other))
            if named in resources:
                line, column = document.locate(["Resources", named])
                return _key_region(replace(finding, line=line, column=column), kind, lines)
            if other in properties:
                line, column = document.locate(["Resources", name, "Properties", other])
                return _rest_of_line(lines, line, column)
        return None
    address = tfaddress.parse(finding.resource)  # as its module's code names it:
    own = f"{address.local}{address.index}" if address else finding.resource
    opening = f'resource "{association}" '
    for header, text in enumerate(lines, 1):
        if not text.startswith(opening):
            continue
        named = _in_block(lines, header, subject)
        if named is None or f"{own}.id" not in lines[named[0] - 1]:
            continue
        value = _in_block(lines, header, other)
        target = _referenced_block(lines, value)
        return _rest_of_line(lines, target, 1) if target is not None else value
    return None


def _in_block(lines: List[str], header: int, name: str, blocks: bool = False) -> Optional[Region]:
    """The argument ``name`` in the block starting on line ``header`` (nested blocks included);
    with ``blocks``, a nested block ``name { ... }`` too."""
    written = r"\s*[={]" if blocks else r"\s*="
    pattern = re.compile(rf"(\s*)({re.escape(name)}{written}.*)$")
    depth = 0
    for number in range(header, len(lines) + 1):
        text = lines[number - 1]
        match = pattern.match(text) if number > header else None
        if match:
            return _rest_of_line(lines, number, len(match.group(1)) + 1)
        depth += text.count("{") - text.count("}")
        if depth <= 0 and number > header:
            return None
    return None


def _tree(lines: List[str]) -> Optional[ast.AST]:
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None


def _in_python(tree: Optional[ast.AST], lines: List[str], name: str) -> Optional[Region]:
    """The only keyword argument or request member ``name`` in the script (several: unknown which
    one the job uses, so none)."""
    if tree is None:
        return None
    found: List[Tuple[int, int, int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == name:
            found.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if isinstance(key, ast.Constant) and key.value == name:
                    found.append(
                        (key.lineno, key.col_offset, value.end_lineno, value.end_col_offset)
                    )
    if len(found) != 1:
        return None
    start_line, start, end_line, end = found[0]
    return (
        start_line,
        characters_before(lines[start_line - 1], start) + 1,
        end_line,
        characters_before(lines[end_line - 1], end) + 1,
    )


def characters_before(line: str, byte_offset: int) -> int:
    """Python's tree counts UTF-8 bytes in a line; the text counts characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))
