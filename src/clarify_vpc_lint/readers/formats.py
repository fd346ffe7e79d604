"""The input formats: how each is told apart, read, and in which order, and its fixes' language.

Adding a format is one entry here plus its reader module. Documents (YAML/JSON) are told apart by
their content, in the order of ``FORMATS`` (a CloudFormation template may also hold a "States"
key); source files (Python, ``.tf``) by their name. Each format reads all of a run's files of its
kind at once, after the formats named in its ``after`` (SPEC section 3: everything given in one run
is read together): Python scripts take the run's SDK defaults, ``.tf`` roots give way to plans of
the same root, jobs declared in the config file replace the script jobs of the same name.
"""

from __future__ import annotations

from functools import partial
from importlib import import_module
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from msgspec import Struct, field

from ..documents import Document, ParseError
from ..findings import InputError
from ..model import Language, Network

if TYPE_CHECKING:
    from ..config import Config

# Reader modules are imported where their inputs are read: a run imports only the readers its
# inputs need (each costs start-up), and telling an API file or a plan from the formats most
# inputs are (templates, inventories) imports no other reader.

# The file-name conventions of the source formats (the readers import them from here).
PYTHON_EXTENSIONS = (".py", ".ipynb")
TERRAFORM_CONFIG_EXTENSIONS = (".tf", ".tf.json")
TERRAFORM_VARIABLE_EXTENSIONS = (".tfvars", ".tfvars.json")
TERRAFORM_LANGUAGE: Language = "terraform"  # the remediation blocks .tf findings use


class Batch(Struct):
    """One run's reading: the settings its readers share, its inputs by format, and what they
    gave. Each format's ``read`` takes the batch and extends it."""

    region: str
    parameter_files: Sequence[str] = ()  # CloudFormation --parameters
    var_files: Sequence[str] = ()  # Terraform -var-file
    variables: Mapping[str, str] = field(default_factory=dict)  # Terraform -var NAME=VALUE
    config: Optional[Config] = None  # its declared jobs
    inputs: List[str] = field(default_factory=list)  # the files found under the paths given
    documents: Dict[str, List[Document]] = field(default_factory=dict)  # parsed, by format
    sources: Dict[str, List[str]] = field(default_factory=dict)  # read from source, by format
    network: Network = field(default_factory=Network)
    errors: List[InputError] = field(default_factory=list)
    skipped: Dict[str, str] = field(default_factory=dict)  # path -> why it was not read
    linted: Dict[str, str] = field(default_factory=dict)  # path -> format
    notes: List[str] = field(default_factory=list)  # for --verbose: why an input was not read
    # files that define one name several times over: each list, copies of one stack or root
    defined_twice: List[List[str]] = field(default_factory=list)

    def guarded(self, path: str, read: Callable[[], Network]) -> Network:
        """Run one reader on one input; a malformed input becomes an error line, never a
        traceback, and the other inputs are still read."""
        try:
            found = read()
        except ParseError as error:
            self.errors.append(InputError(path, error.line, error.message))
        except Exception as error:  # a reader bug must not hide the other files' findings
            self.errors.append(
                InputError(
                    path, None, f"internal error while reading: {type(error).__name__}: {error}"
                )
            )
        else:
            self.network.extend(found)
            return found
        return Network()


class Format(Struct, frozen=True):
    """One input format: how its inputs are told apart and read, and how reports name it."""

    name: str
    read: Callable[[Batch], None]  # reads every input of this format in the batch
    language: Language  # how its subjects are written: their fixes' template and naming
    title: str  # how the summary line and messages name it
    detect: Optional[Callable[[Any], Any]] = None  # documents: truthy on the parsed data
    extensions: Tuple[str, ...] = ()  # source formats: told by the file's name
    after: Tuple[str, ...] = ()  # formats whose results this one reads


# why a file a walk found was read to no end
NOTHING_STARTED = (
    "read: it starts no Clarify job, model or SageMaker request this linter recognises "
    "(SageMakerClarifyProcessor, ClarifyCheckStep, Clarify monitors, Model, boto3 "
    "create_processing_job/create_model); nothing to check"
)
NOT_IN_A_ROOT = "no Terraform root module linted reads it (variables: pass them with --var-file)"


def _reader(module: str, function: str) -> Callable[..., Any]:
    """A reader module's function, imported on its first call."""

    def call(*args: Any) -> Any:
        return getattr(import_module(f"{__package__}.{module}"), function)(*args)

    return call


def _standalone(function: str) -> Callable[[Document], Network]:
    """A state machine or pipeline definition file (not embedded in a template)."""

    def read(document: Document) -> Network:
        from . import workflows

        return getattr(workflows, function)(document.data, workflows.standalone_container(document))

    return read


def is_template(data: Any) -> bool:
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


def is_route53(data: Dict[str, Any]) -> bool:
    """Saved `aws route53` output: get-hosted-zone, list-hosted-zones-by-vpc,
    list-resource-record-sets (the last two wrapped by the inventory commands' --query)."""
    return (
        isinstance(data.get("HostedZone"), dict)
        or isinstance(data.get("HostedZoneSummaries"), list)
        or isinstance(data.get("ResourceRecordSets"), list)
    )


def is_inventory(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if is_route53(data):
        return True
    if any(isinstance(data.get(kind), list) for kind in INVENTORY_LISTINGS):
        return True
    return "VpcId" in data and ("EnableDnsSupport" in data or "EnableDnsHostnames" in data)


def _each_document(name: str, read: Callable[[Document], Network]) -> Callable[[Batch], None]:
    def read_all(batch: Batch) -> None:
        for document in batch.documents.get(name, []):
            batch.guarded(document.path, partial(read, document))
            batch.linted[document.path] = name

    return read_all


def _read_templates(batch: Batch) -> None:
    """Templates see each other's exports and SSM parameters: all are registered, then read."""
    parameters: Dict[str, str] = {}
    if batch.parameter_files:  # read, and their errors said, whether or not a template uses them
        from .cloudformation.parameters import read_parameters

    for path in batch.parameter_files:
        try:
            parameters.update(read_parameters(path))
        except ParseError as error:
            batch.errors.append(InputError(path, error.line, error.message))
    templates = batch.documents.get("cloudformation", [])
    if not templates:
        return
    from .cloudformation.intrinsics import CfnRun
    from .cloudformation.template import load_template, read_template

    run = CfnRun(batch.region, parameters)
    for document in templates:
        batch.linted[document.path] = "cloudformation"
        try:
            run.add(load_template(document))
        except ParseError as error:
            batch.errors.append(InputError(document.path, error.line, error.message))
    for template in run.templates:
        batch.guarded(template.path, partial(read_template, run, template))
    batch.network.exports = run.exported_resources()
    batch.defined_twice += run.names_defined_twice()
    batch.network.imports = sorted(run.imports)  # recorded while the templates were read


def _read_python(batch: Batch) -> None:
    """Scripts and notebooks, with the run's SDK defaults; those that start nothing are skipped."""
    if not batch.sources.get("python"):
        return
    from . import python_sdk

    candidates = {
        d.path: python_sdk.sdk_defaults(d.data) for d in batch.documents.get("sdk-defaults", [])
    }
    for path in batch.sources.get("python", []):
        defaults = python_sdk.defaults_for(path, candidates)
        found = batch.guarded(path, partial(python_sdk.read_python_file, path, defaults))
        if found.jobs or found.models or found.requests or found.input_errors:
            batch.linted[path] = "python"
        else:
            batch.skipped[path] = NOTHING_STARTED


def _read_terraform_roots(batch: Batch) -> None:
    """The ``.tf`` root modules; a root whose plan is in the run is left to the plan."""
    if not batch.sources.get("terraform-config"):  # without them, no root module
        return
    from .terraform.roots import read_roots

    roots = read_roots(
        batch.sources.get("terraform-config", []),
        batch.documents.get("terraform", []),
        batch.var_files,
        batch.variables,
    )
    batch.network.extend(roots.network)
    batch.errors += roots.errors
    batch.skipped.update(dict.fromkeys(roots.skipped, NOT_IN_A_ROOT))
    batch.notes += roots.notes
    batch.linted.update(dict.fromkeys(roots.linted, "terraform-config"))
    batch.errors += [
        InputError("--var", None, f"{name}: no Terraform root module linted declares it")
        for name in roots.undeclared
    ]


def _read_declared_jobs(batch: Batch) -> None:
    """Jobs the config file declares; one of the same name as a script's job replaces it."""
    config = batch.config
    if config is None or not config.jobs:
        return
    from . import declared, python_sdk

    path = config.path or "config"
    batch.guarded(path, lambda: declared.read_declared_jobs(config.jobs, config.document, path))
    batch.network.jobs = python_sdk.without_declared(batch.network.jobs)


FORMATS = (
    Format(
        "cloudformation",
        _read_templates,
        "cloudformation",
        "CloudFormation",
        detect=is_template,
    ),
    Format(
        "terraform",
        _each_document("terraform", _reader("terraform.handlers", "read_plan")),
        "terraform",
        "Terraform plan",
        detect=_reader("terraform.plan", "is_plan"),
    ),
    Format(
        "inventory",
        _each_document("inventory", _reader("inventory", "read_inventory")),
        "inventory",
        "aws ec2 describe-* inventory",
        detect=is_inventory,
    ),
    Format(
        "api",
        _each_document("api", _reader("sagemaker_api", "read_request")),
        "api",
        "SageMaker API",
        detect=_reader("sagemaker_api", "operation_of"),
    ),
    Format(
        "analysis-config",
        _each_document("analysis-config", _reader("sagemaker_api", "read_analysis_config")),
        "api",
        "analysis config",
        detect=_reader("sagemaker_api", "is_analysis_config"),
    ),
    Format(
        "state-machine",
        _each_document("state-machine", _standalone("read_state_machine")),
        "api",
        "state machine",
        detect=_reader("workflows", "is_state_machine"),
    ),
    Format(
        "pipeline",
        _each_document("pipeline", _standalone("read_pipeline")),
        "api",
        "pipeline",
        detect=_reader("workflows", "is_pipeline"),
    ),
    Format(
        "bucket-policy",
        _each_document("bucket-policy", _reader("policies", "read_bucket_policy_output")),
        "api",
        "aws s3api get-bucket-policy",
        detect=_reader("policies", "is_bucket_policy_output"),
    ),
    Format(
        "iam-authorization-details",
        _each_document(
            "iam-authorization-details", _reader("policies", "read_authorization_details")
        ),
        "api",
        "aws iam get-account-authorization-details",
        detect=_reader("policies", "is_authorization_details"),
    ),
    Format(
        "iam-policy",
        _each_document("iam-policy", _reader("policies", "read_policy_file")),
        "api",
        "IAM policy",
        detect=_reader("policies", "is_policy_file"),
    ),
    Format(
        "sdk-defaults",
        _each_document("sdk-defaults", _reader("workflows", "read_sdk_defaults")),
        "api",
        "SDK defaults",
        detect=_reader("workflows", "is_sdk_defaults"),
    ),
    Format(
        "python",
        _read_python,
        "python",
        "Python",
        extensions=PYTHON_EXTENSIONS,
        after=("sdk-defaults",),
    ),
    Format(
        "terraform-config",
        _read_terraform_roots,
        TERRAFORM_LANGUAGE,
        "Terraform configuration",
        extensions=TERRAFORM_CONFIG_EXTENSIONS + TERRAFORM_VARIABLE_EXTENSIONS,
        after=("terraform",),
    ),
    Format("declared", _read_declared_jobs, "config", "declared jobs", after=("python",)),
)
BY_NAME: Dict[str, Format] = {entry.name: entry for entry in FORMATS}
SOURCE_FORMATS = tuple(entry for entry in FORMATS if entry.extensions)
TITLES: Dict[str, str] = {entry.name: entry.title for entry in FORMATS}


def reading_order() -> List[Format]:
    """The formats, each after those it reads (``after``), else in registry order."""
    done: List[Format] = []

    def visit(entry: Format, path: Tuple[str, ...]) -> None:
        if entry in done:
            return
        if entry.name in path:
            raise ValueError(f"formats read after each other: {' -> '.join(path)}")
        for name in entry.after:
            visit(BY_NAME[name], (*path, entry.name))
        done.append(entry)

    for entry in FORMATS:
        visit(entry, ())
    return done


def source_format_of(path: str) -> Optional[str]:
    """The source format a file is by its name (``x.tf.json`` is Terraform, not JSON), or None."""
    return next((entry.name for entry in SOURCE_FORMATS if path.endswith(entry.extensions)), None)


def format_of(document: Document) -> Optional[str]:
    """The input format a parsed document is, or None for files this linter does not read."""
    return next(
        (entry.name for entry in FORMATS if entry.detect and entry.detect(document.data)), None
    )


# the formats --context reads: inventories, the policies the inventory commands save
CONTEXT_FORMATS = frozenset({"inventory", "iam-authorization-details", "bucket-policy"})
