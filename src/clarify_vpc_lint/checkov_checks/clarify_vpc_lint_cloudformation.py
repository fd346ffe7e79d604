"""clarify-vpc-lint rules for checkov's cloudformation framework (one check per rule)."""

from clarify_vpc_lint.checkov import loading_into, make_checks

# where a rule's subjects are located, by subject kind: checkov asks a check only about these
# (a subject whose VPC or subnets are not known is located at its job or model)
JOBS = [
    "AWS::SageMaker::ProcessingJob", "AWS::SageMaker::Pipeline", "AWS::StepFunctions::StateMachine",
    "AWS::SageMaker::ModelBiasJobDefinition", "AWS::SageMaker::ModelExplainabilityJobDefinition",
]  # fmt: skip
MODELS = ["AWS::SageMaker::Model", "AWS::SageMaker::Pipeline", "AWS::StepFunctions::StateMachine"]
POLICIES = [
    "AWS::Organizations::Policy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role",
    "AWS::IAM::User", "AWS::IAM::Group", "AWS::S3::BucketPolicy",
]  # fmt: skip
RESOURCES = {
    "requests": JOBS,
    "jobs": JOBS,
    "models": MODELS,
    "vpcs": ["AWS::EC2::VPC", *JOBS, "AWS::SageMaker::Model"],
    "endpoints": ["AWS::EC2::VPCEndpoint"],
    "subnets": ["AWS::EC2::Subnet", *JOBS],
    "policies": POLICIES,
}

if loading_into("checkov.cloudformation.checks.resource.registry", "cfn_registry"):
    from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck

    make_checks(BaseResourceCheck, RESOURCES, globals(), judged_only=True)
