"""clarify-vpc-lint rules for checkov's terraform (.tf) and terraform_plan frameworks.

Both frameworks take their checks from checkov's one Terraform resource registry, so one check per
rule serves both (a second module registering them again would report every result twice).
"""

from clarify_vpc_lint.checkov import loading_into, make_checks

# where a rule's subjects are located, by subject kind: checkov asks a check only about these
# (jobs declared in the config file are reported at the subnets, else the model, they name)
CONTAINERS = ["aws_sagemaker_pipeline", "aws_sfn_state_machine"]
JOBS = [*CONTAINERS, "aws_subnet", "aws_sagemaker_model"]
RESOURCES = {
    "requests": CONTAINERS,
    "jobs": JOBS,
    "models": ["aws_sagemaker_model", *CONTAINERS],
    "vpcs": ["aws_vpc", *JOBS],
    "endpoints": ["aws_vpc_endpoint"],
    "subnets": JOBS,
    "policies": [
        "aws_organizations_policy", "aws_iam_policy", "aws_iam_role_policy",
        "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role",
        "aws_s3_bucket_policy",  # CVL502
    ],
}  # fmt: skip

if loading_into("checkov.terraform.checks.resource.registry", "resource_registry"):
    from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

    make_checks(BaseResourceCheck, RESOURCES, globals(), judged_only=True)
