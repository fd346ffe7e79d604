"""How entities of the network model are keyed: the only place key strings are built.

Two sorts of key:

- an *identity* names one entity: a real AWS ID, a CloudFormation resource (template path and
  logical ID), a Terraform resource (plan path or root module directory, and address), a part of one (a VPC's main route
  table, its default security group), a step inside an embedded workflow definition. Two inputs
  giving one identity describe the same thing (a data source and the inventory, say).
- a *name* is how a user or another input may write a reference without saying where the entity
  is defined: a logical ID, a Terraform address, a SageMaker model / endpoint / endpoint-config
  name. Two entities may share a name (two plans that both define ``aws_subnet.a``); the index
  then treats a reference by that name as ambiguous, never as the first one found.
"""

from __future__ import annotations

from typing import Any, List, Optional

from .values import Handle

_REAL_ID = "id:"
_LOGICAL = "logical:"
_ADDRESS = "address:"
_CFN = "cfn:"
_TF = "tf:"
_TF_ROOT = "tf-root:"
_ZONE_NAME = "zone-name:"
MAIN_ROUTE_TABLE = "main"  # attribute of a VPC's Handle
DEFAULT_SECURITY_GROUP = "DefaultSecurityGroup"  # as CloudFormation's Fn::GetAtt names it
DEFAULT_NETWORK_ACL = "DefaultNetworkAcl"  # as CloudFormation's Fn::GetAtt names it


# -- identities ------------------------------------------------------------------------------------


def real_id(value: str) -> str:
    """A deployed resource by its AWS ID (subnet-..., vpc-..., sg-...)."""
    return _REAL_ID + value


def is_real_id(key: str) -> bool:
    return key.startswith(_REAL_ID)


def cfn_resource(template_path: str, logical_id: str) -> str:
    """A CloudFormation resource (readers/cloudformation/intrinsics.py's Template.key spells the same form)."""
    return f"{_CFN}{template_path}:{logical_id}"


def cfn_logical_id(template_path: str, key: str) -> Optional[str]:
    """The logical ID of a resource key of that template, or None for another entity's key."""
    return _after(cfn_resource(template_path, ""), key)


def _after(prefix: str, key: str) -> Optional[str]:
    """What a key holds after its scope's prefix, or None for a key of another scope."""
    return key[len(prefix) :] if key.startswith(prefix) else None


def tf_resource(plan_path: str, address: str) -> str:
    """A Terraform resource, scoped to the plan (file) it comes from."""
    return f"{_TF}{plan_path}:{address}"


def tf_address(plan_path: str, key: str) -> Optional[str]:
    """The address of a resource key of that plan, or None for another entity's key."""
    return _after(tf_resource(plan_path, ""), key)


def tf_root_resource(root_directory: str, address: str) -> str:
    """A Terraform resource read as written (.tf), scoped to its root module's directory."""
    return f"{_TF_ROOT}{root_directory}:{address}"


def tf_root_address(root_directory: str, key: str) -> Optional[str]:
    """The address of a resource key of that root module, or None for another entity's key."""
    return _after(tf_root_resource(root_directory, ""), key)


def embedded(container_key: str, name: str) -> str:
    """A step or model inside a workflow definition embedded in a resource."""
    return f"{container_key}/{name}"


def workflow_file(path: str) -> str:
    """A standalone state machine or pipeline definition file."""
    return f"workflow:{path}"


def python_call(path: str, line: int, column: int) -> str:
    """A model or request built by a call in a Python script or notebook."""
    return f"python:{path}:{line}:{column}"


def main_route_table(vpc_key: str) -> Handle:
    """The main route table of the VPC with that key (implicit for a VPC created in the inputs)."""
    return Handle(vpc_key, MAIN_ROUTE_TABLE)


def default_security_group(vpc_key: str) -> Handle:
    return Handle(vpc_key, DEFAULT_SECURITY_GROUP)


def default_network_acl(vpc_key: str) -> Handle:
    """The default network ACL of the VPC with that key (CloudFormation's Fn::GetAtt name)."""
    return Handle(vpc_key, DEFAULT_NETWORK_ACL)


def vpc_of_main_table(key: str) -> Optional[str]:
    """The VPC key of a main-route-table key, or None for any other key."""
    suffix = "#" + MAIN_ROUTE_TABLE
    return key[: -len(suffix)] if key.endswith(suffix) else None


# -- names -----------------------------------------------------------------------------------------


def logical_name(logical_id: str) -> str:
    return _LOGICAL + logical_id


def address_name(address: str) -> str:
    return _ADDRESS + address


def address_of_name(key: str) -> Optional[str]:
    return key[len(_ADDRESS) :] if key.startswith(_ADDRESS) else None


def model_name(name: str) -> str:
    return f"model-name:{name}"


def model_name_of(key: str) -> Optional[str]:
    """The SageMaker model name a model-name key holds, or None for another key."""
    prefix = model_name("")
    return key[len(prefix) :] if key.startswith(prefix) else None


def endpoint_name(name: str) -> str:
    return f"endpoint-name:{name}"


def endpoint_config_name(name: str) -> str:
    return f"endpoint-config-name:{name}"


def zone_name(name: Any) -> Any:
    """A Route 53 hosted zone by its domain name (a record's ``HostedZoneName``)."""
    return _ZONE_NAME + name if isinstance(name, str) else name


def zone_name_of(ref: Any) -> Optional[str]:
    """The domain name of a reference made by ``zone_name``, else None."""
    return _after(_ZONE_NAME, ref) if isinstance(ref, str) else None


# The prefixes of names two entities may share, so that a reference by one can be ambiguous
# (``key.startswith(SHARED_NAMES)``: a test the index makes of 28,000 keys in a large plan).
SHARED_NAMES = (_LOGICAL, _ADDRESS)


def lookups(reference: str) -> List[str]:
    """The keys a bare string reference may mean, in order: a real ID, a logical ID, an address."""
    return [real_id(reference), logical_name(reference), address_name(reference)]


# -- policies (CVL503) ----------------------------------------------------------------------------

_ROLE_NAME = "iam-role:"


def role_name(name: str) -> str:
    """An IAM role by its name (the part of its ARN after ``role/`` and any path)."""
    return _ROLE_NAME + name


def role_name_of_arn(arn: str) -> Optional[str]:
    """The role-name key of a role ARN (``arn:aws:iam::111122223333:role/path/Name``), or None."""
    if not arn.startswith("arn:") or ":role/" not in arn:
        return None
    return role_name(arn.rsplit("/", 1)[-1])


def policy_arn(arn: str) -> str:
    """A managed policy by its ARN (roles attach it by ARN)."""
    return "iam-policy:" + arn
