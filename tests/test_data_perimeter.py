"""A real-shaped data perimeter around a Clarify job is clean, and each way of breaking it gives
exactly its finding: endpoint policies naming the team's bucket and Clarify's shadow endpoint
prefix, a bucket policy on aws:SourceVpce, an execution role with AmazonSageMakerFullAccess (or a
least-privilege policy covering what the job does), guardrail SCPs."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest

from clarify_vpc_lint.linter import Options, run

BASE = Path(__file__).parent / "fixtures" / "good" / "private-clarify-vpc.yaml"
POLICY_RULES = ("CVL104", "CVL105", "CVL501", "CVL502", "CVL503")

# endpoint policies, the bucket policy and the role, appended to the base network's Resources
API_POLICY = """      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: TeamAndClarify
            Effect: Allow
            Principal: "*"
            Action: sagemaker:*
            Resource:
              - arn:aws:sagemaker:*:*:endpoint/churn-*
              - arn:aws:sagemaker:*:*:endpoint-config/churn-*
              - arn:aws:sagemaker:*:*:endpoint/sagemaker-clarify-endpoint-*
              - arn:aws:sagemaker:*:*:endpoint-config/sagemaker-clarify-endpoint-*
              - arn:aws:sagemaker:*:*:model/*
"""
# the bucket policy and the role, appended to the base network's Resources
PERIMETER = """  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: bucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: OnlyThroughOurVpce
            Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: [arn:aws:s3:::bucket, arn:aws:s3:::bucket/*]
            Condition:
              StringNotEquals: {aws:SourceVpce: !Ref S3Endpoint}
  ClarifyRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: Clarify
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: sagemaker.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSageMakerFullAccess]
      Policies:
        - PolicyName: team-data
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::bucket/*"}
"""
S3_POLICY = """      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Sid: TeamBucket, Effect: Allow, Principal: "*", Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::bucket/*"}
"""
LEAST_PRIVILEGE = """        - PolicyName: clarify-job
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [ec2:CreateNetworkInterface, ec2:CreateNetworkInterfacePermission, ec2:DeleteNetworkInterface, ec2:DeleteNetworkInterfacePermission, ec2:DescribeNetworkInterfaces, ec2:DescribeVpcs, ec2:DescribeDhcpOptions, ec2:DescribeSubnets, ec2:DescribeSecurityGroups]
                Resource: "*"
              - Effect: Allow
                Action: [sagemaker:CreateEndpointConfig, sagemaker:CreateEndpoint, sagemaker:DescribeEndpoint, sagemaker:DeleteEndpoint, sagemaker:DeleteEndpointConfig, sagemaker:InvokeEndpoint]
                Resource: [arn:aws:sagemaker:*:*:endpoint/sagemaker-clarify-endpoint-*, arn:aws:sagemaker:*:*:endpoint-config/sagemaker-clarify-endpoint-*]
              - {Effect: Allow, Action: sagemaker:DescribeModel, Resource: "arn:aws:sagemaker:*:*:model/*"}
"""
SCP = """
  Guardrail:
    Type: AWS::Organizations::Policy
    Properties:
      Type: SERVICE_CONTROL_POLICY
      Content:
        Version: "2012-10-17"
        Statement:
          - Sid: Guard
            Effect: Deny
            Action: [sagemaker:CreateProcessingJob, sagemaker:CreateTrainingJob]
            Resource: "*"
            Condition: {CONDITION}
"""


def _perimeter() -> str:
    """The base network with the policies on its endpoints, the bucket policy and the role."""
    text = BASE.read_text()
    api = "      ServiceName: !Sub com.amazonaws.${AWS::Region}.sagemaker.api\n"
    s3 = "      RouteTableIds: [!Ref PrivateRoutes]\n"
    assert api in text and s3 in text
    text = text.replace(api, api + API_POLICY).replace(s3, s3 + S3_POLICY)
    return text.rstrip("\n") + "\n" + PERIMETER


def _policy_findings(text: str, tmp_path: Path) -> List[Tuple[str, str, str]]:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    result = run(Options(paths=[str(path)]))
    assert result.errors == []
    return sorted((f.rule, f.resource, f.severity) for f in result.findings)


def test_the_perimeter_is_clean(tmp_path) -> None:
    assert _policy_findings(_perimeter(), tmp_path) == []


def test_a_least_privilege_role_is_clean(tmp_path) -> None:
    text = _perimeter().replace(
        "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSageMakerFullAccess]\n", ""
    )
    text = text.replace(
        "      Policies:\n        - PolicyName: team-data\n",
        "      Policies:\n" + LEAST_PRIVILEGE + "        - PolicyName: team-data\n",
    )
    assert _policy_findings(text, tmp_path) == []


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (  # the sagemaker.api endpoint's policy forgets the shadow endpoint
            "              - arn:aws:sagemaker:*:*:endpoint/sagemaker-clarify-endpoint-*\n"
            "              - arn:aws:sagemaker:*:*:endpoint-config/sagemaker-clarify-endpoint-*\n",
            "",
            ("CVL501", "SageMakerApiEndpoint", "error"),
        ),
        (  # the S3 endpoint's policy names another team's bucket
            'Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::bucket/*"}\n  Sage',
            'Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::analytics/*"}\n  Sage',
            ("CVL501", "S3Endpoint", "error"),
        ),
        (  # the bucket admits another endpoint only
            "StringNotEquals: {aws:SourceVpce: !Ref S3Endpoint}",
            "StringNotEquals: {aws:SourceVpce: !Ref LogsEndpoint}",
            ("CVL502", "DataBucketPolicy", "error"),
        ),
        (  # the role has no SageMaker permissions
            "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSageMakerFullAccess]\n",
            "",
            ("CVL503", "ClarifyJob", "error"),
        ),
    ],
)
def test_each_broken_variant_gives_exactly_its_finding(old, new, expected, tmp_path) -> None:
    text = _perimeter()
    assert old in text
    text = text.replace(old, new)
    assert _policy_findings(text, tmp_path) == [expected]


@pytest.mark.parametrize(
    "condition, expected",
    [
        ('{"Null": {sagemaker:VolumeKmsKey: "true"}}', ("CVL105", "Guardrail", "error")),
        (
            '{StringNotEqualsIfExists: {sagemaker:NetworkIsolation: "true"}}',
            ("CVL104", "Guardrail", "error"),
        ),
        ('{"Null": {sagemaker:VpcSubnets: "true"}}', None),  # the job runs in a VPC
    ],
)
def test_guardrails(condition: str, expected, tmp_path) -> None:
    text = _perimeter() + SCP.replace("{CONDITION}", condition)
    assert _policy_findings(text, tmp_path) == ([expected] if expected else [])
