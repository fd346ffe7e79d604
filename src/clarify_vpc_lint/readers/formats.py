"""The input formats: name -> how to detect it, how to read it, the language of its fixes.

Adding a format is one entry here plus its reader module. Formats are told apart in this order
(a CloudFormation template may also hold a "States" key). ``read`` takes the parsed document and
the run's CloudFormation context (only templates need it: they see each other's exports).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

if TYPE_CHECKING:
    from ..model import Network
    from .intrinsics import CfnRun
    from .source import Document

# The file-name conventions of the source formats (the readers import them from here).
PYTHON_EXTENSIONS = (".py", ".ipynb")
TERRAFORM_CONFIG_EXTENSIONS = (".tf", ".tf.json")
TERRAFORM_VARIABLE_EXTENSIONS = (".tfvars", ".tfvars.json")
TERRAFORM_LANGUAGE = "terraform"  # the remediation blocks .tf findings use


def _reader(module: str, function: str) -> Callable[..., Any]:
    """A reader module's function, imported on its first call: a run imports only the readers
    its inputs need (each reader module costs start-up)."""

    def call(*args: Any) -> Any:
        return getattr(import_module(f"{__package__}.{module}"), function)(*args)

    return call


@dataclass(frozen=True)
class Format:
    name: str
    detect: Callable[[Any], Any]  # on the parsed data: truthy when the document is this format
    read: Callable[[Document, Optional[CfnRun]], Network]  # the run's context for templates
    language: str  # the remediation template its findings use (a key of a rule's remediation)
    title: str  # how the summary line and messages name it


def _register_template(document: Document, run: CfnRun) -> Network:
    """Templates are read once all are registered (exports, SSM parameters): see CfnRun."""
    from ..model import Network
    from .cloudformation import load_template

    run.add(load_template(document))
    return Network()


def _standalone(function: str, document: Document) -> Network:
    """A state machine or pipeline definition file (not embedded in a template)."""
    from . import workflows

    read = getattr(workflows, function)
    return read(document.data, workflows.standalone_container(document))  # type: ignore[no-any-return]


def _is_template(data: Any) -> bool:
    return isinstance(data, dict) and (
        "AWSTemplateFormatVersion" in data
        or (
            isinstance(data.get("Resources"), dict)
            and any(
                isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
                for r in data["Resources"].values()
            )
        )
    )


# what `aws ec2 describe-*` lists
INVENTORY_LISTINGS = (
    "Subnets",
    "VpcEndpoints",
    "SecurityGroups",
    "RouteTables",
    "Vpcs",
    "DhcpOptions",
    "NetworkAcls",
    "NatGateways",
    "PrefixLists",
)


def _is_inventory(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if any(isinstance(data.get(kind), list) for kind in INVENTORY_LISTINGS):
        return True
    return "VpcId" in data and ("EnableDnsSupport" in data or "EnableDnsHostnames" in data)


# The formats most inputs are (templates, plans, inventories) are told apart here, so telling an
# API file or a plan from them imports no other reader.
FORMATS = (
    Format("cloudformation", _is_template, _register_template, "cloudformation", "CloudFormation"),
    Format(
        "terraform",
        _reader("tfplan", "is_plan"),
        lambda d, _: _reader("terraform", "read_plan")(d),
        "terraform",
        "Terraform plan",
    ),
    Format(
        "inventory",
        _is_inventory,
        lambda d, _: _reader("inventory", "read_inventory")(d),
        "inventory",
        "aws ec2 describe-* inventory",
    ),
    Format(
        "api",
        _reader("sagemaker_api", "operation_of"),
        lambda d, _: _reader("sagemaker_api", "read_request")(d),
        "api",
        "SageMaker API",
    ),
    Format(
        "analysis-config",
        _reader("sagemaker_api", "is_analysis_config"),
        lambda d, _: _reader("sagemaker_api", "read_analysis_config")(d),
        "api",
        "analysis config",
    ),
    Format(
        "state-machine",
        _reader("workflows", "is_state_machine"),
        lambda d, _: _standalone("read_state_machine", d),
        "api",
        "state machine",
    ),
    Format(
        "pipeline",
        _reader("workflows", "is_pipeline"),
        lambda d, _: _standalone("read_pipeline", d),
        "api",
        "pipeline",
    ),
    Format(
        "iam-policy",
        _reader("policies", "is_policy_file"),
        lambda d, _: _reader("policies", "read_policy_file")(d),
        "api",
        "IAM policy",
    ),
    Format(
        "sdk-defaults",
        _reader("workflows", "is_sdk_defaults"),
        lambda d, _: _reader("workflows", "read_sdk_defaults")(d),
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
    SourceFormat("python", PYTHON_EXTENSIONS, "python", "Python"),
    SourceFormat(
        "terraform-config",
        TERRAFORM_CONFIG_EXTENSIONS + TERRAFORM_VARIABLE_EXTENSIONS,
        TERRAFORM_LANGUAGE,
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
