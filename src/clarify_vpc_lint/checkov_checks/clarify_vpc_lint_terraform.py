"""clarify-vpc-lint rules for checkov's terraform (.tf) and terraform_plan frameworks.

Both frameworks take their checks from checkov's one Terraform resource registry, so one check per
rule serves both (a second module registering them again would report every result twice).
"""

from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from clarify_vpc_lint.checkov import make_checks

# the resource types whose blocks the rules report on (their subjects' locations)
RESOURCES = [
    "aws_vpc", "aws_vpc_endpoint", "aws_sagemaker_model", "aws_sagemaker_pipeline",
    "aws_sfn_state_machine", "aws_subnet",
    "aws_organizations_policy", "aws_iam_policy", "aws_iam_role_policy",
    "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role",
]  # fmt: skip

make_checks(BaseResourceCheck, RESOURCES, globals())
