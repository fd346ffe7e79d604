"""clarify-vpc-lint rules for checkov's terraform_plan framework (one check per rule)."""

from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from clarify_vpc_lint.checkov import make_checks

RESOURCES = [
    "aws_vpc", "aws_vpc_endpoint", "aws_sagemaker_model", "aws_sagemaker_pipeline",
    "aws_sfn_state_machine", "aws_subnet",
]  # fmt: skip

make_checks(BaseResourceCheck, RESOURCES, globals())
