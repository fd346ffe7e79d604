"""The requests a Clarify job makes, derived once from the job: who makes each, through which
endpoint, with which resource and condition keys. Every policy rule (CVL104, CVL105, CVL501-503)
judges these.

Actions, resource types and condition keys are AWS's Service Authorization Reference for
SageMaker, EC2 and S3; which calls a Clarify job makes is the Clarify VPC guide's: the job
"needs to call the Amazon SageMaker API service to manipulate the shadow endpoint, or to
describe a SageMaker model" (FACTS section 8), with its own execution role, through the job's
subnets. Whoever creates the job (a person, a pipeline, CI) makes the create call; no input says
who that is.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from msgspec import Struct

from ..iam import ABSENT, Arn, Request
from ..model import Job, Model
from ..values import Unknown, dig, items

SHADOW_ENDPOINT_PREFIX = (
    "sagemaker-clarify-endpoint-"  # "Error hosting endpoint sagemaker-clarify-endpoint-XXX"
)
CLARIFY_RESULT = "analysis.json"  # clarify-processing-job-configure-analysis: the results file
CALLER = "caller"  # whoever creates the job
ROLE = "role"  # the job's execution role
# the EC2 actions SageMaker takes with the execution role for a job in a VPC (FACTS section 8)
NETWORK_INTERFACE_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
)
# the shadow endpoint's lifecycle, each on the resource type it names
SHADOW_LIFECYCLE = (
    ("sagemaker:CreateEndpointConfig", "endpoint-config"),
    ("sagemaker:CreateEndpoint", "endpoint"),
    ("sagemaker:DescribeEndpoint", "endpoint"),
    ("sagemaker:DeleteEndpoint", "endpoint"),
    ("sagemaker:DeleteEndpointConfig", "endpoint-config"),
)
# the create calls of each kind of job, with the resource type each creates
CREATE_CALLS = {
    "processing": (("sagemaker:CreateProcessingJob", "processing-job"),),
    "declared": (("sagemaker:CreateProcessingJob", "processing-job"),),
    "clarify-check": (("sagemaker:CreateProcessingJob", "processing-job"),),
    "explainability-monitor": (
        (
            "sagemaker:CreateModelExplainabilityJobDefinition",
            "model-explainability-job-definition",
        ),
        ("sagemaker:CreateMonitoringSchedule", "monitoring-schedule"),
    ),
    "bias-monitor": (
        ("sagemaker:CreateModelBiasJobDefinition", "model-bias-job-definition"),
        ("sagemaker:CreateMonitoringSchedule", "monitoring-schedule"),
    ),
}
_NAME_MEMBERS = ("ProcessingJobName", "JobDefinitionName")
_MULTIVALUED = ("sagemaker:vpcsubnets", "sagemaker:vpcsecuritygroupids", "sagemaker:instancetypes")


class Call(Struct, frozen=True):
    """One request a Clarify job makes, who makes it and through which endpoint."""

    request: Request
    by: str  # CALLER or ROLE
    via: str  # the endpoint it goes through: sagemaker.api, sagemaker.runtime, s3 or ec2
    purpose: str  # for messages: "creates the job", "reads s3://..."


def job_calls(job: Job, model: Optional[Model], region: str) -> List[Call]:
    """Every request the job makes, in a stable order: its creation, then with its role."""
    role = _literal(dig(job.request, "RoleArn"))
    account = _account(role)
    name = _literal(_first_present(job.request, *_NAME_MEMBERS))
    calls = []
    for action, kind, context in create_requests(job):
        resource = (
            _arn("sagemaker", region, account, f"{kind}/{name.lower()}")
            if name and kind != "monitoring-schedule"  # the schedule's name is not the job's
            else _arn("sagemaker", region, account, f"{kind}/", True)
        )
        request = Request(action, resource, None, context, _MULTIVALUED)
        calls.append(Call(request, CALLER, "sagemaker.api", "creates the job"))
    if model is not None and job.inference is not False and job.existing_endpoint is not True:
        calls.append(_model_creation(model, region))
    principal = role if isinstance(role, str) else Unknown("the job's RoleArn is not in the inputs")
    if job.has_vpc_config is not False:
        for action in NETWORK_INTERFACE_ACTIONS:
            calls.append(_role_call(action, "*", principal, "ec2", "attaches itself to the VPC"))
    for uri, purpose, action in _s3_uris(job, model):
        calls.append(
            _role_call(action, _object_arn(uri, purpose), principal, "s3", f"{purpose} {uri}")
        )
    if job.inference is False:
        return calls
    endpoint = job.existing_endpoint is True
    if not endpoint:
        for action, kind in SHADOW_LIFECYCLE:
            resource = _arn("sagemaker", region, account, f"{kind}/{SHADOW_ENDPOINT_PREFIX}", True)
            context = _endpoint_config_context(job, model) if kind == "endpoint-config" else {}
            calls.append(
                _role_call(
                    action,
                    resource,
                    principal,
                    "sagemaker.api",
                    "manages its shadow endpoint",
                    context,
                )
            )
        model_name = _literal(dig(model.request if model else None, "ModelName"))
        model_arn = (
            _arn("sagemaker", region, account, f"model/{model_name.lower()}")
            if isinstance(model_name, str)
            else _arn("sagemaker", region, account, "model/", True)  # a model, name unknown
        )
        calls.append(
            _role_call(
                "sagemaker:DescribeModel",
                model_arn,
                principal,
                "sagemaker.api",
                "checks its model",
            )
        )
    name = _literal(dig(job.predictor, "endpoint_name"))
    invoked = (
        _arn("sagemaker", region, account, f"endpoint/{name.lower()}")
        if endpoint and isinstance(name, str)
        else _arn("sagemaker", region, account, f"endpoint/{SHADOW_ENDPOINT_PREFIX}", True)
    )
    calls.append(
        _role_call(
            "sagemaker:InvokeEndpoint", invoked, principal, "sagemaker.runtime", "calls its model"
        )
    )
    return calls


def create_requests(job: Job) -> List[tuple]:
    """(action, resource type, condition keys) of each call that creates the job."""
    request = job.request
    cluster = dig(request, "ProcessingResources", "ClusterConfig")
    if job.kind.endswith("monitor"):
        cluster = dig(request, "JobResources", "ClusterConfig")
    context: Dict[str, Any] = {
        "sagemaker:vpcsubnets": _ids(job.has_vpc_config, job.subnets),
        "sagemaker:vpcsecuritygroupids": _ids(job.has_vpc_config, job.security_groups),
    }
    if request is not None:
        output = dig(request, "ProcessingOutputConfig")
        if job.kind.endswith("monitor"):
            output = _first_present(
                request, "ModelBiasJobOutputConfig", "ModelExplainabilityJobOutputConfig"
            )
        network = dig(request, "NetworkConfig")
        context.update(
            {
                "sagemaker:instancetypes": _ids(True, [dig(cluster, "InstanceType")]),
                "sagemaker:volumekmskey": _present(dig(cluster, "VolumeKmsKeyId")),
                "sagemaker:outputkmskey": _present(dig(output, "KmsKeyId")),
                "sagemaker:intercontainertrafficencryption": _present(
                    _bool_text(dig(network, "EnableInterContainerTrafficEncryption"))
                ),
                "sagemaker:maxruntimeinseconds": _present(
                    dig(request, "StoppingCondition", "MaxRuntimeInSeconds")
                ),
            }
        )
    return [(action, kind, context) for action, kind in CREATE_CALLS.get(job.kind, ())]


def _model_creation(model: Model, region: str) -> Call:
    """The model's CreateModel, which whoever deploys it makes (the shadow endpoint is created
    from that model), with the condition keys the Service Authorization Reference lists for it:
    its VpcConfig and its network isolation."""
    request = model.request
    account = _account(dig(request, "ExecutionRoleArn"))
    name = _literal(dig(request, "ModelName"))
    resource = (
        _arn("sagemaker", region, account, f"model/{name.lower()}")
        if name
        else _arn("sagemaker", region, account, "model/", True)
    )
    isolation = dig(request, "EnableNetworkIsolation")
    context = {
        "sagemaker:vpcsubnets": _ids(model.has_vpc_config, model.subnets),
        "sagemaker:vpcsecuritygroupids": _ids(model.has_vpc_config, model.security_groups),
        "sagemaker:networkisolation": _present(_bool_text(isolation))
        if request is not None
        else Unknown("the model's request is not in the inputs"),
    }
    request_ = Request("sagemaker:CreateModel", resource, None, context, _MULTIVALUED)
    return Call(request_, CALLER, "sagemaker.api", "creates its model")


def _role_call(
    action: str,
    resource: Any,
    principal: Any,
    via: str,
    purpose: str,
    context: Optional[Dict[str, Any]] = None,
) -> Call:
    keys = dict(context or {})
    if isinstance(principal, str):
        keys["aws:principalarn"] = principal
        keys["aws:principalaccount"] = _account(principal)
    return Call(Request(action, resource, principal, keys, _MULTIVALUED), ROLE, via, purpose)


def _endpoint_config_context(job: Job, model: Optional[Model]) -> Dict[str, Any]:
    """CreateEndpointConfig's keys: the predictor's instance type (Clarify's own default when
    the analysis config gives none is not documented: unknown)."""
    if job.predictor is None:
        missing = "no analysis config in the inputs gives the predictor's instance_type"
        return {"sagemaker:instancetypes": [Unknown(missing)]}
    instance_type = dig(job.predictor, "instance_type")
    if instance_type is None:
        missing = "the analysis config's predictor gives no instance_type"
        return {"sagemaker:instancetypes": [Unknown(missing)]}
    return {"sagemaker:instancetypes": [instance_type]}


def _s3_uris(job: Job, model: Optional[Model]) -> List[tuple]:
    """(S3 URI, purpose, action) of what the job reads and writes, where the inputs give them."""
    found: List[tuple] = []
    request = job.request
    if job.kind.endswith("monitor"):
        found = _monitoring_uris(request)
    for item in items(dig(request, "ProcessingInputs")):
        uri = dig(item, "S3Input", "S3Uri")
        if isinstance(uri, str) and uri.startswith("s3://"):
            found.append((uri, "reads", "s3:GetObject"))
    for item in items(dig(request, "ProcessingOutputConfig", "Outputs")):
        uri = dig(item, "S3Output", "S3Uri")
        if isinstance(uri, str) and uri.startswith("s3://"):
            found.append((uri, "writes", "s3:PutObject"))
    if model is not None and job.inference is not False and job.existing_endpoint is not True:
        for container in [
            dig(model.request, "PrimaryContainer"),
            *items(dig(model.request, "Containers")),
        ]:
            uri = dig(container, "ModelDataUrl")
            if isinstance(uri, str) and uri.startswith("s3://"):
                found.append((uri, "loads the model from", "s3:GetObject"))
    return found


# what a Clarify monitoring job definition reads and writes, per its request's members
# (CreateModelBiasJobDefinition / CreateModelExplainabilityJobDefinition)
_MONITORING_READS = (
    ("AppSpecification", "ConfigUri"),  # the analysis config
    ("JobInput", "GroundTruthS3Input", "S3Uri"),  # bias: the ground truth labels
    ("JobInput", "BatchTransformInput", "DataCapturedDestinationS3Uri"),  # captured data
    ("BaselineConfig", "ConstraintsResource", "S3Uri"),  # the baseline's constraints
)


def _monitoring_uris(request: Any) -> List[tuple]:
    found: List[tuple] = []
    for kind in ("ModelBias", "ModelExplainability"):
        for path in _MONITORING_READS:
            uri = dig(request, kind + path[0], *path[1:])
            if isinstance(uri, str) and uri.startswith("s3://"):
                found.append((uri, "reads", "s3:GetObject"))
        for item in items(dig(request, f"{kind}JobOutputConfig", "MonitoringOutputs")):
            uri = dig(item, "S3Output", "S3Uri")
            if isinstance(uri, str) and uri.startswith("s3://"):
                found.append((uri, "writes", "s3:PutObject"))
    return found


def _object_arn(uri: str, purpose: str) -> Arn:
    """The objects a URI names: one object (a file name with an extension: a dataset, the model's
    artifacts), else every object under it (a prefix). Clarify writes its results as
    ``analysis.json`` (with reports beside it) under the output location."""
    bucket_and_key = uri[len("s3://") :]
    folder = bucket_and_key if bucket_and_key.endswith("/") else bucket_and_key + "/"
    if purpose == "writes":
        return Arn("aws", "s3", "", "", folder + CLARIFY_RESULT)
    last = bucket_and_key.rsplit("/", 1)[-1]
    if "/" in bucket_and_key and "." in last:
        return Arn("aws", "s3", "", "", bucket_and_key)
    return Arn("aws", "s3", "", "", folder, prefix=True)


def _arn(service: str, region: str, account: Optional[str], name: str, prefix: bool = False) -> Arn:
    return Arn("aws", service, region, account, name, prefix)


def _account(arn: Any) -> Optional[str]:
    if isinstance(arn, str) and arn.startswith("arn:") and arn.count(":") >= 5:
        account = arn.split(":")[4]
        return account if account.isdigit() else None
    return None


def _literal(value: Any) -> Any:
    return value if isinstance(value, str) else None


def _ids(has_vpc: Any, refs: Any) -> Any:
    """A multivalued key: the written IDs, [Unknown] where present but not known, ABSENT."""
    if has_vpc is False:
        return ABSENT
    if isinstance(has_vpc, Unknown) or isinstance(refs, Unknown):
        return has_vpc if isinstance(has_vpc, Unknown) else refs
    return [_id(ref) for ref in refs if ref is not None] or ABSENT


def _id(ref: Any) -> Any:
    if isinstance(ref, (str, Unknown)):
        return ref
    return Unknown("the ID of a resource the inputs create is known only once it exists")


def _present(value: Any) -> Any:
    if value is None:
        return ABSENT
    if isinstance(value, (str, int, float, bool, Unknown)):
        return value
    return Unknown("a value built from other resources")


def _bool_text(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def _first_present(request: Any, *names: str) -> Any:
    return next((dig(request, name) for name in names if dig(request, name) is not None), None)


def resource_pattern(resource: Any) -> str:
    """How a fix's statement names a request's resource: unknown parts as ``*``, and the output
    location as a whole (Clarify writes reports beside ``analysis.json``)."""
    if isinstance(resource, Unknown) or resource == "*":
        return "*"
    text = str(resource).replace(":?:", ":*:")
    if text.endswith("/" + CLARIFY_RESULT):
        text = text[: -len(CLARIFY_RESULT)] + "*"
    return text
