"""What a fix names: the entities, names and zones that resolve/ finds for a finding's remediation.

This is data, not syntax: ``resolve/`` decides *which* subnet, group or zone a fix refers to, and
``remediation`` renders each in the finding's language (``!Ref PrivateSubnetA`` in a template,
``aws_subnet.a.id`` in HCL, ``subnet-0abc`` in a shell command, ``"subnet-0abc"`` in JSON).
A name the inputs do not hold carries ``missing``: the fix gives its line as a comment saying why.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple

from msgspec import Struct

ID_PREFIXES = ("subnet-", "sg-", "vpc-", "rtb-", "vpce-", "acl-", "dopt-")
# a real ID of those kinds anywhere in a text (a message, a template): where hosts show a finding
AWS_ID = re.compile(r"\b(?:" + "|".join(p[:-1] for p in ID_PREFIXES) + r")-[0-9a-f]+\b")
# entities looked up from another by a command (an ID and its region), never named directly
LOOKED_UP = ("vpc-of-subnet", "acl-of-subnet", "default-group-of-vpc")


class Refs(Struct, frozen=True):
    """Entities a fix names: (origin, name) with origin ``cloudformation``, ``terraform`` or
    ``id`` (a value as AWS writes it: an ID, a CIDR block), or one looked up from another
    (``vpc-of-subnet``, ``acl-of-subnet``, ``default-group-of-vpc``), named by another
    (``default-group`` and ``main-table`` of a VPC, ``import`` of an export); ``missing`` says
    which are not in the inputs, for a comment."""

    items: Tuple[Tuple[str, str], ...] = ()
    missing: str = ""

    def __str__(self) -> str:  # in prose (messages): the names as written
        shown = [
            _PROSE.get(origin, "{}").format(name.split()[0] if origin in LOOKED_UP else name)
            for origin, name in self.items  # a lookup's name carries its region
        ]
        return ", ".join(shown) or "(none)"


_PROSE = {  # how prose names an entity named by another
    "default-group": "the default security group of {}",
    "default-group-of-vpc": "the default security group of {}",
    "main-table": "the main route table of {}",
}


class VpcConfigWrite(Struct, frozen=True):
    """A VpcConfig a fix writes (CVL102: the job takes its model's; CVL103: the model takes the
    job's): into which resource, with which subnets and groups, as that resource's file names
    them, copied from ``source``; ``needs`` says what a person must supply when the inputs do not
    hold it all."""

    file: str
    line: int
    resource: str
    language: str
    subnets: Tuple[Tuple[str, str], ...] = ()
    security_groups: Tuple[Tuple[str, str], ...] = ()
    needs: str = ""
    source: Tuple[str, str] = ("", "")  # (file, resource) whose VpcConfig it copies


class Name(Struct, frozen=True):
    """A name a fix writes as it is (a resource to change, a key to add); ``missing`` says, in a
    comment, that the inputs do not hold the real one."""

    text: str
    missing: str = ""

    def __str__(self) -> str:
        return self.text


class Zone(Struct, frozen=True):
    """The Availability Zone a fix puts a new subnet in, one the subnets it joins do not use:
    the ``index``-th of Fn::GetAZs where they are chosen so in a template, else ``name``."""

    index: Optional[int] = None
    name: str = ""  # us-east-1b: in a template, the letter in the stack's region
    missing: str = ""


# The cases a rule may write a language's fix for apart (``cloudformation/joined-export``), chosen
# by the subject's ``variant``; what each means, for --explain and the docs.
VARIANTS = {
    "joined-export": "the model splits one export of another stack listing its subnets",
    "exports": "the model imports each subnet from another stack's exports",
    "other-stack": "another stack defines the model's subnets",
    "existing-subnet": "the inputs hold a subnet of the model's VPC in another zone to add",
    "boto3": "the script sends the request with boto3 (create_processing_job, create_model)",
    "boto3-dict": "the script builds the boto3 request as a dict (create_processing_job(**request))",
    "sdk-v3": "the script uses the SageMaker Python SDK v3 (sagemaker.core, sagemaker.mlops)",
    "sdk-v3-resources": "the script calls sagemaker-core's resources (ProcessingJob.create)",
    "sdk-v3-defaults": "the SDK defaults file's v3 shape (SageMaker.PythonSDK.Resources)",
}


def ref_item(name: str, language: str) -> Tuple[str, str]:
    """How an entity named ``name`` (its location's resource) is referred to."""
    if name.startswith(ID_PREFIXES) or language not in ("cloudformation", "terraform"):
        return ("id", name)
    return (language, name)


def refs(items: Sequence[Tuple[str, str]], missing: str = "") -> Refs:
    return Refs(tuple(dict.fromkeys(items)), missing)
