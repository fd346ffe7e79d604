"""clarify-vpc-lint rules for checkov's cloudformation framework (one check per rule)."""

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck

from clarify_vpc_lint.checkov import make_checks

RESOURCES = [
    "AWS::SageMaker::ProcessingJob", "AWS::SageMaker::Model", "AWS::SageMaker::Pipeline",
    "AWS::SageMaker::ModelBiasJobDefinition", "AWS::SageMaker::ModelExplainabilityJobDefinition",
    "AWS::StepFunctions::StateMachine", "AWS::EC2::VPC", "AWS::EC2::VPCEndpoint", "AWS::EC2::Subnet",
    "AWS::Organizations::Policy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role",
    "AWS::IAM::User", "AWS::IAM::Group",
]  # fmt: skip

make_checks(BaseResourceCheck, RESOURCES, globals())
