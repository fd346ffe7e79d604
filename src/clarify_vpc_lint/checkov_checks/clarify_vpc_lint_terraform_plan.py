"""clarify-vpc-lint rules for checkov's terraform_plan framework (one check per rule)."""

from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from clarify_vpc_lint.checkov import make_checks

RESOURCES = [
    "aws_vpc", "aws_vpc_endpoint", "aws_sagemaker_model", "aws_sagemaker_pipeline",
    "aws_sfn_state_machine", "aws_subnet",
    "aws_organizations_policy", "aws_iam_policy", "aws_iam_role_policy",
    "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role",
]  # fmt: skip

make_checks(BaseResourceCheck, RESOURCES, globals())
