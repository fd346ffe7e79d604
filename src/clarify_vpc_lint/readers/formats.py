"""The input formats: name -> how to detect it, how to read it, the language of its fixes.

Adding a format is one entry here plus its reader module. Formats are told apart in this order
(a CloudFormation template may also hold a "States" key). ``read`` takes the parsed document and
the run's CloudFormation context (only templates need it: they see each other's exports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from ..model import Network
from . import (
    cloudformation,
    inventory,
    policies,
    python_sdk,
    sagemaker_api,
    terraform,
    tfroot,
    workflows,
)
from .intrinsics import CfnRun
from .source import Document


@dataclass(frozen=True)
class Format:
    name: str
    detect: Callable[[Any], Any]  # on the parsed data: truthy when the document is this format
    read: Callable[[Document, CfnRun], Network]
    language: str  # the remediation template its findings use (a key of a rule's remediation)
    title: str  # how the summary line and messages name it


def _register_template(document: Document, run: CfnRun) -> Network:
    """Templates are read once all are registered (exports, SSM parameters): see CfnRun."""
    run.add(cloudformation.load_template(document))
    return Network()


FORMATS = (
    Format(
        "cloudformation",
        cloudformation.is_template,
        _register_template,
        "cloudformation",
        "CloudFormation",
    ),
    Format(
        "terraform",
        terraform.is_plan,
        lambda d, _: terraform.read_plan(d),
        "terraform",
        "Terraform plan",
    ),
    Format(
        "inventory",
        inventory.is_inventory,
        lambda d, _: inventory.read_inventory(d),
        "inventory",
        "aws ec2 describe-* inventory",
    ),
    Format(
        "api",
        sagemaker_api.operation_of,
        lambda d, _: sagemaker_api.read_request(d),
        "api",
        "SageMaker API",
    ),
    Format(
        "analysis-config",
        sagemaker_api.is_analysis_config,
        lambda d, _: sagemaker_api.read_analysis_config(d),
        "api",
        "analysis config",
    ),
    Format(
        "state-machine",
        workflows.is_state_machine,
        lambda d, _: workflows.read_state_machine(d.data, workflows.standalone_container(d)),
        "api",
        "state machine",
    ),
    Format(
        "pipeline",
        workflows.is_pipeline,
        lambda d, _: workflows.read_pipeline(d.data, workflows.standalone_container(d)),
        "api",
        "pipeline",
    ),
    Format(
        "bucket-policy",
        policies.is_bucket_policy_output,
        lambda d, _: policies.read_bucket_policy_output(d),
        "api",
        "aws s3api get-bucket-policy",
    ),
    Format(
        "iam-authorization-details",
        policies.is_authorization_details,
        lambda d, _: policies.read_authorization_details(d),
        "api",
        "aws iam get-account-authorization-details",
    ),
    Format(
        "iam-policy",
        policies.is_policy_file,
        lambda d, _: policies.read_policy_file(d),
        "api",
        "IAM policy",
    ),
    Format(
        "sdk-defaults",
        workflows.is_sdk_defaults,
        lambda d, _: workflows.read_sdk_defaults(d),
        "api",
        "SDK defaults",
    ),
)
BY_NAME: Dict[str, Format] = {entry.name: entry for entry in FORMATS}


@dataclass(frozen=True)
class SourceFormat:
    """Files told by their extension and read from source, never parsed as YAML or JSON: each
    reader takes the run's files of its format together (the linter calls it by ``name``)."""

    name: str
    extensions: Tuple[str, ...]
    language: str
    title: str


SOURCE_FORMATS = (
    SourceFormat("python", python_sdk.PYTHON_EXTENSIONS, "python", "Python"),
    SourceFormat(
        "terraform-config",
        tfroot.CONFIG_EXTENSIONS + tfroot.VARIABLE_EXTENSIONS,
        tfroot.LANGUAGE,
        "Terraform configuration",
    ),
)
TITLES: Dict[str, str] = {entry.name: entry.title for entry in (*FORMATS, *SOURCE_FORMATS)}
# the languages a rule's remediation may be written in: the formats' and the config file's jobs
LANGUAGES = frozenset({entry.language for entry in (*FORMATS, *SOURCE_FORMATS)} | {"config"})


def source_format_of(path: str) -> Optional[str]:
    """The source format a file is by its name (``x.tf.json`` is Terraform, not JSON), or None."""
    return next((entry.name for entry in SOURCE_FORMATS if path.endswith(entry.extensions)), None)


def format_of(document: Document) -> Optional[str]:
    """The input format a parsed document is, or None for files this linter does not read."""
    return next((entry.name for entry in FORMATS if entry.detect(document.data)), None)


# the formats --context reads: inventories, the policies the inventory commands save
CONTEXT_FORMATS = frozenset({"inventory", "iam-authorization-details", "bucket-policy"})
