"""Centralised ("hub") interface endpoints (SPEC section 5): a spoke VPC with no endpoint of its own
is served by the hub's endpoints when a Route 53 private hosted zone associated with the spoke
answers the service's name with them and the spoke's subnets route the hub's CIDR to a transit
gateway. The clean network stays clean in every form; each broken variant gives exactly its
findings, and what the inputs cannot decide is info.

The networks live in ``tests/fixtures/hub/<form>/``; a variant is the clean network with a few
lines changed (``_variant``), so each case says exactly what it breaks. The committed Terraform
variants (``hub/terraform-*/``) are written from ``hub/terraform-*.patch`` over ``hub/terraform/``
by ``tests/fixtures/generate.py``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.linter import Options, Result, run

HUB = FIXTURES / "hub"
Edit = Tuple[str, Optional[str], str]  # (file, text, replacement); text None: delete the file


def _variant(form: str, edits: Sequence[Edit], tmp_path: Path) -> Path:
    case = tmp_path / form
    shutil.copytree(HUB / form, case)
    for name, old, new in edits:
        path = case / name
        if old is None:
            path.unlink()
            continue
        text = path.read_text()
        assert old in text, f"{name} has no {old!r}: the variant no longer fits"
        path.write_text(text.replace(old, new, 1))
    return case


def _drop_resources(text: str, names: Sequence[str]) -> str:
    """A template without the named top-level resources (two-space indented blocks)."""
    for name in names:
        text = re.sub(rf"(?ms)^  {name}:\n.*?(?=^  \S|^\S|\Z)", "", text)
    return text


def _result(case: Path) -> Result:
    """The linter's result over a case folder, with the case's config file where it has one."""
    config_file = case / "clarify-vpc-lint.yaml"
    config = load_config(config_file) if config_file.is_file() else None
    return run(Options(paths=[str(case)], config=config))


def _findings(case: Path) -> List[Tuple[str, str, str]]:
    result = _result(case)
    assert result.errors == [], result.errors
    return sorted((f.rule, f.severity, f.resource) for f in result.findings)


def _messages(case: Path, rule: str) -> List[str]:
    return [f.message for f in _result(case).findings if f.rule == rule]


# -- CloudFormation: a hub stack and a spoke stack -------------------------------------------------

NO_ROUTE_TO_HUB = (
    "spoke.yaml",
    "DestinationCidrBlock: 10.0.0.0/8",
    "DestinationCidrBlock: 10.9.0.0/16",
)
CUSTOM_DNS = (
    "spoke.yaml",
    "  S3Endpoint:",
    "  CorpDhcp:\n    Type: AWS::EC2::DHCPOptions\n"
    "    Properties: {DomainName: corp.example, DomainNameServers: [10.0.0.2]}\n"
    "  CorpDhcpAssociation:\n    Type: AWS::EC2::VPCDHCPOptionsAssociation\n"
    "    Properties: {VpcId: !Ref SpokeVpc, DhcpOptionsId: !Ref CorpDhcp}\n  S3Endpoint:",
)
SPOKE_ERRORS = [
    ("CVL302", "error", "SpokeVpc"),
    ("CVL303", "error", "SpokeVpc"),
    ("CVL310", "warning", "SpokeVpc"),
]


def test_clean_hub_and_spoke_stacks_have_no_finding() -> None:
    assert _findings(HUB / "cloudformation") == []


@pytest.mark.parametrize(
    "edits, expected",
    [
        pytest.param(
            [
                (
                    "spoke.yaml",
                    "amazonaws.com\n      VPCs: [{VPCId: !Ref SpokeVpc,",
                    "amazonaws.com\n      VPCs: [{VPCId: vpc-0123456789abcdef0,",
                )
            ],
            [("CVL302", "error", "SpokeVpc")],
            id="api-zone-not-associated-with-the-spoke",
        ),
        pytest.param([NO_ROUTE_TO_HUB], SPOKE_ERRORS, id="no-route-to-the-hub-cidr"),
        pytest.param(
            [
                (
                    "spoke.yaml",
                    "DestinationCidrBlock: 10.0.0.0/8, TransitGatewayId: !ImportValue hub-transit-gateway",
                    "DestinationCidrBlock: 10.0.0.0/8, VpcEndpointId: !Ref S3Endpoint",
                )
            ],
            SPOKE_ERRORS,
            id="routes-to-no-other-network-only-own-endpoints",
        ),
        pytest.param(
            [("hub.yaml", "CidrIp: 10.0.0.0/8}", "CidrIp: 10.0.0.0/16}")],
            [
                ("CVL307", "warning", "SageMakerApiEndpoint"),
                ("CVL307", "warning", "SageMakerRuntimeEndpoint"),
            ],
            id="hub-endpoint-group-does-not-admit-the-spoke",
        ),
        pytest.param(
            [NO_ROUTE_TO_HUB, CUSTOM_DNS],
            [
                ("CVL302", "info", "SpokeVpc"),
                ("CVL303", "info", "SpokeVpc"),
                ("CVL310", "info", "SpokeVpc"),
            ],
            id="custom-dns-servers-make-endpoint-findings-info",
        ),
    ],
)
def test_each_broken_spoke_gives_exactly_its_findings(
    edits: List[Edit], expected: list, tmp_path: Path
) -> None:
    assert _findings(_variant("cloudformation", edits, tmp_path)) == expected


def test_the_error_names_the_zone_and_why(tmp_path: Path) -> None:
    case = _variant("cloudformation", [NO_ROUTE_TO_HUB], tmp_path)
    (message,) = _messages(case, "CVL302")
    assert "zone SageMakerApiZone" in message
    assert "no route to hub VPC HubVpc (10.0.0.0/16)" in message


def test_without_a_zone_for_the_name_the_finding_is_info_naming_route53_data(
    tmp_path: Path,
) -> None:
    case = _variant("cloudformation", [], tmp_path)
    spoke = case / "spoke.yaml"
    spoke.write_text(_drop_resources(spoke.read_text(), ["SageMakerApiZone", "SageMakerApiRecord"]))
    assert _findings(case) == [("CVL302", "info", "SpokeVpc")]
    (message,) = _messages(case, "CVL302")
    assert "no Route 53 private hosted zone for api.sagemaker.us-east-1.amazonaws.com" in message
    assert "list-resource-record-sets" in message


def test_a_zone_without_a_record_for_the_name_does_not_serve(tmp_path: Path) -> None:
    case = _variant("cloudformation", [], tmp_path)
    spoke = case / "spoke.yaml"
    spoke.write_text(_drop_resources(spoke.read_text(), ["SageMakerApiRecord"]))
    assert _findings(case) == [("CVL302", "error", "SpokeVpc")]
    (message,) = _messages(case, "CVL302")
    assert "zone SageMakerApiZone holds no alias or CNAME record" in message


def test_the_hub_alone_says_nothing() -> None:
    """Hub endpoints with private DNS off serve no Clarify job of their own VPC: no CVL304."""
    assert run(Options(paths=[str(HUB / "cloudformation" / "hub.yaml")])).findings == []


# -- inventory: a job and model as API JSON with the saved EC2 and Route 53 output ---------------

SPOKE = "vpc-0spoke00000000001"
API_ZONE = "Z0API00000000000000A1"
INVENTORY_SPOKE = [
    ("CVL302", "error", SPOKE),
    ("CVL303", "error", SPOKE),
    ("CVL310", "warning", SPOKE),
]
ROUTE53_FILES = [
    f"route53-zones-{SPOKE}.json",
    *(
        f"route53-{kind}-{zone}.json"
        for kind in ("zone", "records")
        for zone in (API_ZONE, "Z0RUNTIME000000000A2", "Z0LOGS00000000000A3")
    ),
]


def test_clean_hub_and_spoke_inventory_has_no_finding() -> None:
    assert _findings(HUB / "inventory") == []


@pytest.mark.parametrize(
    "edits, expected",
    [
        pytest.param(
            [
                (f"route53-zones-{SPOKE}.json", None, ""),
                (f"route53-zone-{API_ZONE}.json", f'"VPCId": "{SPOKE}"', '"VPCId": "vpc-0other"'),
            ],
            [("CVL302", "error", SPOKE)],
            id="api-zone-not-associated-with-the-spoke",
        ),
        pytest.param(
            [
                (
                    "route-tables.json",
                    '"10.0.0.0/8",\n          "TransitGatewayId": "tgw-0hub0000000000001"',
                    '"10.9.0.0/16",\n          "TransitGatewayId": "tgw-0hub0000000000001"',
                )
            ],
            INVENTORY_SPOKE,
            id="no-route-to-the-hub-cidr",
        ),
        pytest.param(
            [
                (
                    "route-tables.json",
                    '"10.0.0.0/8",\n          "TransitGatewayId": "tgw-0hub0000000000001"',
                    '"10.0.0.0/8",\n          "GatewayId": "vgw-0onpremises"',
                )
            ],
            INVENTORY_SPOKE,
            id="hub-cidr-routed-to-a-vpn-gateway-reaches-no-hub",
        ),
        pytest.param(
            [(f"route53-records-{API_ZONE}.json", None, "")],
            [("CVL302", "info", SPOKE)],
            id="records-of-the-zone-not-saved",
        ),
        pytest.param(
            [(name, None, "") for name in ROUTE53_FILES],
            [("CVL302", "info", SPOKE), ("CVL303", "info", SPOKE), ("CVL310", "info", SPOKE)],
            id="no-route53-output",
        ),
        pytest.param(
            [("security-groups.json", '"CidrIp": "10.0.0.0/8"', '"CidrIp": "10.0.0.0/16"')],
            [
                ("CVL307", "warning", "vpce-0a1b2c3d4e5f60001"),
                ("CVL307", "warning", "vpce-0a1b2c3d4e5f60002"),
            ],
            id="hub-endpoint-group-does-not-admit-the-spoke",
        ),
    ],
)
def test_each_broken_inventory_gives_exactly_its_findings(
    edits: List[Edit], expected: list, tmp_path: Path
) -> None:
    assert _findings(_variant("inventory", edits, tmp_path)) == expected


def test_output_that_does_not_name_its_zone_is_an_input_error(tmp_path: Path) -> None:
    case = _variant(
        "inventory",
        [(f"route53-records-{API_ZONE}.json", f'"HostedZoneId": "{API_ZONE}",', "")],
        tmp_path,
    )
    result = run(Options(paths=[str(case)]))
    (error,) = result.errors
    assert f"route53-records-{API_ZONE}.json" in str(error)
    assert "--inventory-commands" in str(error)


def test_job_egress_must_reach_the_hub_endpoints(tmp_path: Path) -> None:
    """CVL403: the job's groups must let HTTPS out to the hub endpoints its calls resolve to."""
    case = _variant(
        "inventory",
        [("security-groups.json", '"CidrIp": "0.0.0.0/0"', '"CidrIp": "10.1.0.0/16"')],
        tmp_path,
    )
    findings = [f for f in run(Options(paths=[str(case)])).findings if f.rule == "CVL403"]
    (finding,) = findings
    assert finding.severity == "error"
    assert "interface endpoint vpce-0a1b2c3d4e5f60001 (sagemaker.api)" in finding.message
    assert "interface endpoint vpce-0a1b2c3d4e5f60002 (sagemaker.runtime)" in finding.message


# -- Terraform: hub and spoke in one plan (hub/terraform/ and its patched variants, tfplan) -------

TF_SPOKE = [
    ("CVL302", "error", "aws_vpc.spoke"),
    ("CVL303", "error", "aws_vpc.spoke"),
    ("CVL310", "warning", "aws_vpc.spoke"),
]


def _plan_variant(old: str, new: str, tmp_path: Path) -> Path:
    """The clean plan with every occurrence of ``old`` (planned values and changes) replaced."""
    case = _variant("terraform", [], tmp_path)
    plan = case / "plan.json"
    assert old in plan.read_text()
    plan.write_text(plan.read_text().replace(old, new))
    return case


def test_clean_hub_and_spoke_plan_has_no_finding() -> None:
    assert _findings(HUB / "terraform") == []


def test_plan_whose_zones_are_not_associated_with_the_spoke() -> None:
    assert _findings(HUB / "terraform-zone-not-associated") == TF_SPOKE


@pytest.mark.parametrize(
    "old, new, expected",
    [
        pytest.param(
            '"destination_cidr_block":"10.0.0.0/8"',
            '"destination_cidr_block":"10.9.0.0/16"',
            TF_SPOKE,
            id="no-route-to-the-hub-cidr",
        ),
        pytest.param(
            '"cidr_blocks":["10.0.0.0/8"]',
            '"cidr_blocks":["10.0.0.0/16"]',
            [
                ("CVL307", "warning", 'aws_vpc_endpoint.central["api"]'),
                ("CVL307", "warning", 'aws_vpc_endpoint.central["runtime"]'),
            ],
            id="hub-endpoint-group-does-not-admit-the-spoke",
        ),
    ],
)
def test_each_broken_plan_gives_exactly_its_findings(
    old: str, new: str, expected: list, tmp_path: Path
) -> None:
    assert _findings(_plan_variant(old, new, tmp_path)) == expected


# -- shared VPCs: an inventory taken in a participant account -------------------------------------


def test_participant_inventory_is_not_complete_for_the_owners_endpoints() -> None:
    """Its describe-vpc-endpoints lists none of the owner's: info naming the owner, no error."""
    result = run(Options(paths=[str(HUB / "shared-vpc-participant")]))
    assert result.findings and {f.severity for f in result.findings} == {"info"}
    (cvl302,) = [f for f in result.findings if f.rule == "CVL302"]
    assert "shared by account 999988887777" in cvl302.message


_OWNERS_MAIN_TABLE = (
    '"RouteTables": [{"RouteTableId": "rtb-0main", "VpcId": "vpc-0shared0000000001", '
    '"OwnerId": "999988887777", "Associations": [{"Main": true}], '
    '"Routes": [{"DestinationCidrBlock": "10.1.0.0/16", "GatewayId": "local"}]}]'
)


def test_the_owners_own_inventory_is_complete(tmp_path: Path) -> None:
    """The same listings taken in the owner's account: the missing endpoints are errors."""
    case = _variant(
        "shared-vpc-participant",
        [
            ("security-groups.json", '"OwnerId": "111122223333"', '"OwnerId": "999988887777"'),
            ("route-tables.json", '"RouteTables": []', _OWNERS_MAIN_TABLE),
        ],
        tmp_path,
    )
    errors = {f.rule for f in run(Options(paths=[str(case)])).findings if f.severity == "error"}
    assert {"CVL301", "CVL302", "CVL303"} <= errors


def test_the_readme_shows_the_clean_hub_and_spoke_stacks_and_roots() -> None:
    """The README's whole example is the clean fixture, so it stays clean with it."""
    readme = (FIXTURES.parents[1] / "README.md").read_text()
    section = readme.split("### Hub-and-spoke networks")[1].split("\n### ")[0]
    for name in ("hub.yaml", "spoke.yaml"):
        block = section.split(f"```yaml\n# {name}\n")[1].split("```")[0]
        assert block == (HUB / "cloudformation" / name).read_text()
    for name in ("hub/main.tf", "spoke/main.tf"):
        block = section.split(f"```hcl\n# {name}\n")[1].split("```")[0]
        assert block == (HUB / "terraform-two-roots" / name).read_text()


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param(
            [
                (
                    "route-tables.json",
                    '"TransitGatewayId": "tgw-0hub0000000000001"',
                    '"VpcPeeringConnectionId": "pcx-0hub"',
                )
            ],
            id="peering-instead-of-transit-gateway",
        ),
    ],
)
def test_other_clean_forms_stay_clean(edits: List[Edit], tmp_path: Path) -> None:
    assert _findings(_variant("inventory", edits, tmp_path)) == []


def test_a_cname_record_serves_like_an_alias(tmp_path: Path) -> None:
    case = _variant("inventory", [], tmp_path)
    records = case / f"route53-records-{API_ZONE}.json"
    data = json.loads(records.read_text())
    alias = data["ResourceRecordSets"][-1].pop("AliasTarget")
    data["ResourceRecordSets"][-1].update(
        {"Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": alias["DNSName"]}]}
    )
    records.write_text(json.dumps(data))
    assert _findings(case) == []


def test_a_record_may_name_its_zone_by_domain_name(tmp_path: Path) -> None:
    case = _variant(
        "cloudformation",
        [
            (
                "spoke.yaml",
                "      HostedZoneId: !Ref SageMakerApiZone\n",
                "      HostedZoneName: !Sub api.sagemaker.${AWS::Region}.amazonaws.com.\n",
            )
        ],
        tmp_path,
    )
    assert _findings(case) == []


def test_hub_endpoints_serve_a_job_in_the_hub_through_its_zones(tmp_path: Path) -> None:
    """The zones list the hub VPC too: its own endpoints with private DNS off are no CVL304 and
    no CVL302/303 there. The hub routes 10.0.0.0/8 to the transit gateway and no zone answers
    S3's name: S3 is unknown there; the job's model is in the spoke (CVL103)."""
    case = _variant("inventory", [], tmp_path)
    job = json.loads((case / "job.json").read_text())
    job["ProcessingJobName"] = "clarify-in-hub"
    job["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = 1
    job["NetworkConfig"]["VpcConfig"] = {
        "Subnets": ["subnet-0hub1111", "subnet-0hub2222"],
        "SecurityGroupIds": ["sg-0hubendpoints"],
    }
    (case / "job-in-hub.json").write_text(json.dumps(job))
    assert _findings(case) == [
        ("CVL103", "warning", "clarify-in-hub"),
        ("CVL301", "info", "vpc-0hub0000000000001"),
    ]


def test_a_hub_created_in_another_region_does_not_serve() -> None:
    """The hub's resources are created by a provider alias in eu-west-1: its endpoints answer
    eu-west-1's names, not those of the spoke's region."""
    case = HUB / "terraform-hub-in-another-region"
    assert _findings(case) == TF_SPOKE
    (message,) = _messages(case, "CVL302")
    assert "not an interface endpoint of this region's service" in message


def _second_spoke(case: Path) -> None:
    """Another spoke stack like the first, in 10.2.0.0/16."""
    text = (case / "spoke.yaml").read_text()
    for old, new in (
        ("10.1.", "10.2."),
        ("churn-model", "churn-model-2"),
        ("SpokeVpc", "OtherSpokeVpc"),
    ):
        text = text.replace(old, new)
    (case / "other-spoke.yaml").write_text(text)


def test_a_hub_endpoint_serving_two_spokes_is_one_subject(tmp_path: Path) -> None:
    case = _variant("cloudformation", [], tmp_path)
    _second_spoke(case)
    assert _findings(case) == []
    group = case / "hub.yaml"
    group.write_text(group.read_text().replace("CidrIp: 10.0.0.0/8}", "CidrIp: 10.1.0.0/16}"))
    findings = [f for f in run(Options(paths=[str(case)])).findings]
    assert sorted((f.rule, f.resource) for f in findings) == [
        ("CVL307", "SageMakerApiEndpoint"),
        ("CVL307", "SageMakerRuntimeEndpoint"),
    ]
    assert "the hub serving OtherSpokeVpc, SpokeVpc" in findings[0].message


def test_the_subnets_owner_says_it_without_describe_vpcs(tmp_path: Path) -> None:
    case = _variant("shared-vpc-participant", [("vpcs.json", None, "")], tmp_path)
    findings = run(Options(paths=[str(case)])).findings
    assert findings and {f.severity for f in findings} == {"info"}
    (cvl302,) = [f for f in findings if f.rule == "CVL302"]
    assert "shared by account 999988887777" in cvl302.message


# -- S3 through a hub interface endpoint: the zone answers s3.<region> and *.s3.<region> --------

S3_ZONE = "Z0S300000000000000A4"
S3_HOST = "s3.us-east-1.amazonaws.com."
S3_HUB_ENDPOINT = "vpce-0a1b2c3d4e5f60004"


def _s3_through_the_hub(case: Path, records: List[Tuple[str, str, str]]) -> None:
    """The inventory with the spoke's S3 gateway endpoint replaced by an S3 interface endpoint
    in the hub (private DNS off) and a zone for S3's names holding ``records`` (name, type,
    target): an alias (A) or a CNAME."""
    endpoints = json.loads((case / "vpc-endpoints.json").read_text())
    listed = endpoints["VpcEndpoints"]
    gateway = next(e for e in listed if e["VpcEndpointType"] == "Gateway")
    listed.remove(gateway)
    hub = dict(next(e for e in listed if e["ServiceName"].endswith("sagemaker.api")))
    hub.update(
        VpcEndpointId=S3_HUB_ENDPOINT,
        ServiceName="com.amazonaws.us-east-1.s3",
        DnsEntries=[
            {
                "DnsName": f"*.{S3_HUB_ENDPOINT}-abcd1234.s3.us-east-1.vpce.amazonaws.com",
                "HostedZoneId": "Z7HUB3NBMG0UP",
            }
        ],
    )
    listed.append(hub)
    (case / "vpc-endpoints.json").write_text(json.dumps(endpoints))
    zone = json.loads((case / f"route53-zone-{API_ZONE}.json").read_text())
    zone["HostedZone"].update(Id=f"/hostedzone/{S3_ZONE}", Name=S3_HOST)
    (case / f"route53-zone-{S3_ZONE}.json").write_text(json.dumps(zone))
    sets = [
        {"Name": name, "Type": kind, "TTL": 300, "ResourceRecords": [{"Value": target}]}
        if kind == "CNAME"
        else {
            "Name": name,
            "Type": kind,
            "AliasTarget": {
                "HostedZoneId": "Z7HUB3NBMG0UP",
                "DNSName": target,
                "EvaluateTargetHealth": True,
            },
        }
        for name, kind, target in records
    ]
    (case / f"route53-records-{S3_ZONE}.json").write_text(
        json.dumps({"HostedZoneId": S3_ZONE, "ResourceRecordSets": sets})
    )
    listing = case / f"route53-zones-{SPOKE}.json"
    zones = json.loads(listing.read_text())
    zones["HostedZoneSummaries"].append({"HostedZoneId": S3_ZONE, "Name": S3_HOST})
    listing.write_text(json.dumps(zones))


_S3_WILDCARD = f"*.{S3_HUB_ENDPOINT}-abcd1234.s3.us-east-1.vpce.amazonaws.com"
_S3_BUCKET_NAME = f"bucket.{S3_HUB_ENDPOINT}-abcd1234.s3.us-east-1.vpce.amazonaws.com"


@pytest.mark.parametrize(
    "records",
    [
        pytest.param(
            [(S3_HOST, "A", _S3_WILDCARD), ("*." + S3_HOST, "A", _S3_WILDCARD)],
            id="apex-and-wildcard-aliases",
        ),
        pytest.param([("*." + S3_HOST, "A", _S3_WILDCARD)], id="wildcard-alias-alone"),
        pytest.param([(S3_HOST, "CNAME", _S3_BUCKET_NAME)], id="cname-to-the-bucket-name"),
    ],
)
def test_s3_served_by_a_hub_interface_endpoint_is_clean(records: list, tmp_path: Path) -> None:
    case = _variant("inventory", [], tmp_path)
    _s3_through_the_hub(case, records)
    assert _findings(case) == []


def test_an_s3_zone_without_a_record_to_the_endpoint_does_not_serve(tmp_path: Path) -> None:
    case = _variant("inventory", [], tmp_path)
    _s3_through_the_hub(case, [("other." + S3_HOST, "A", _S3_WILDCARD)])
    assert _findings(case) == [("CVL301", "error", SPOKE)]


def test_without_the_s3_zone_s3_through_the_hub_is_info(tmp_path: Path) -> None:
    case = _variant("inventory", [], tmp_path)
    _s3_through_the_hub(case, [(S3_HOST, "A", _S3_WILDCARD)])
    (case / f"route53-zone-{S3_ZONE}.json").unlink()
    (case / f"route53-records-{S3_ZONE}.json").unlink()
    listing = case / f"route53-zones-{SPOKE}.json"
    zones = json.loads(listing.read_text())
    zones["HostedZoneSummaries"] = [
        z for z in zones["HostedZoneSummaries"] if z["HostedZoneId"] != S3_ZONE
    ]
    listing.write_text(json.dumps(zones))
    assert _findings(case) == [("CVL301", "info", SPOKE)]


_HUB_S3 = (
    "hub.yaml",
    "Outputs:\n",
    "  S3Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n"
    "      VpcId: !Ref HubVpc\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3\n"
    "      VpcEndpointType: Interface\n      PrivateDnsEnabled: false\n"
    "      SubnetIds: [!Ref HubSubnetA, !Ref HubSubnetB]\n"
    "      SecurityGroupIds: [!Ref EndpointSecurityGroup]\n"
    "Outputs:\n  S3DnsName:\n"
    '    Value: !Select [1, !Split [":", !Select [0, !GetAtt S3Endpoint.DnsEntries]]]\n'
    "    Export: {Name: hub-s3-dns}\n",
)


def _spoke_s3_zone(name: str) -> Edit:
    """The spoke's S3 gateway endpoint replaced by a zone for S3's names with one record."""
    return (
        "spoke.yaml",
        "  S3Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n"
        "      VpcId: !Ref SpokeVpc\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3\n"
        "      RouteTableIds: [!Ref PrivateRoutes]\n",
        "  S3Zone:\n    Type: AWS::Route53::HostedZone\n    Properties:\n"
        "      Name: !Sub s3.${AWS::Region}.amazonaws.com\n"
        "      VPCs: [{VPCId: !Ref SpokeVpc, VPCRegion: !Ref AWS::Region}]\n"
        "  S3Record:\n    Type: AWS::Route53::RecordSet\n    Properties:\n"
        f"      HostedZoneId: !Ref S3Zone\n      Name: !Sub '{name}'\n      Type: A\n"
        "      AliasTarget: {DNSName: !ImportValue hub-s3-dns, HostedZoneId: Z7HUB3NBMG0UP}\n",
    )


@pytest.mark.parametrize(
    "name, expected",
    [
        pytest.param("*.s3.${AWS::Region}.amazonaws.com", [], id="wildcard-record"),
        pytest.param("s3.${AWS::Region}.amazonaws.com", [], id="apex-record"),
        pytest.param(
            "other.s3.${AWS::Region}.amazonaws.com",
            [("CVL301", "error", "SpokeVpc")],
            id="record-for-another-name",
        ),
    ],
)
def test_s3_through_the_hub_stacks(name: str, expected: list, tmp_path: Path) -> None:
    case = _variant("cloudformation", [_HUB_S3, _spoke_s3_zone(name)], tmp_path)
    assert _findings(case) == expected


def _tf_variant(form: str, name: str, old: str, new: str, tmp_path: Path) -> Path:
    """A Terraform fixture as its plan or as its main.tf alone (``name``), with every ``old``
    replaced by ``new``."""
    case = tmp_path / form
    case.mkdir()
    text = (HUB / form / name).read_text()
    assert old in text
    (case / name).write_text(text.replace(old, new))
    shutil.copy(HUB / form / "clarify-vpc-lint.yaml", case)
    return case


S3_HUB_TF = "terraform-s3-through-the-hub"


@pytest.mark.parametrize("name", ["plan.json", "main.tf"])
def test_s3_through_the_hub_in_terraform_is_clean(name: str, tmp_path: Path) -> None:
    assert _findings(_tf_variant(S3_HUB_TF, name, "", "", tmp_path)) == []


@pytest.mark.parametrize(
    "name, old, new",
    [
        ("plan.json", '"name":"*"', '"name":"other"'),
        ("main.tf", 'name    = "*"', 'name    = "other"'),
    ],
)
def test_an_s3_record_for_another_name_serves_no_bucket_in_terraform(
    name: str, old: str, new: str, tmp_path: Path
) -> None:
    case = _tf_variant(S3_HUB_TF, name, old, new, tmp_path)
    assert _findings(case) == [("CVL301", "error", "aws_vpc.spoke")]


@pytest.mark.parametrize(
    "form, expected",
    [
        ("terraform", []),
        ("terraform-zone-not-associated", TF_SPOKE),
        ("terraform-hub-in-another-region", TF_SPOKE),
    ],
)
def test_the_tf_files_alone_are_judged_like_their_plans(
    form: str, expected: list, tmp_path: Path
) -> None:
    """The alias records name aws_vpc_endpoint.central[...].dns_entry[0].dns_name: the .tf
    evaluation follows them to the hub endpoints, and the provider alias sets their region."""
    assert _findings(_tf_variant(form, "main.tf", "", "", tmp_path)) == expected


# -- Terraform: the hub and the spoke as two roots, tied by terraform_remote_state ---------------

TWO_ROOTS = "terraform-two-roots"


def test_clean_hub_and_spoke_roots_have_no_finding() -> None:
    assert _findings(HUB / TWO_ROOTS) == []


@pytest.mark.parametrize(
    "edits, expected",
    [
        pytest.param(
            [("spoke/main.tf", 'toset(["api", "runtime", "logs"])', 'toset(["runtime", "logs"])')],
            [("CVL302", "error", "aws_vpc.spoke")],
            id="api-zone-not-associated-with-the-spoke",
        ),
        pytest.param(
            [("spoke/main.tf", '"10.0.0.0/8"', '"10.9.0.0/16"')],
            TF_SPOKE,
            id="no-route-to-the-hub-cidr",
        ),
        pytest.param(
            [("hub/main.tf", 'cidr_blocks = ["10.0.0.0/8"]', 'cidr_blocks = ["10.0.0.0/16"]')],
            [
                ("CVL307", "warning", 'aws_vpc_endpoint.central["api"]'),
                ("CVL307", "warning", 'aws_vpc_endpoint.central["runtime"]'),
            ],
            id="hub-endpoint-group-does-not-admit-the-spoke",
        ),
        pytest.param(
            [("hub/main.tf", "private_dns_enabled = false", "private_dns_enabled = true")],
            [],
            id="hub-private-dns-on-changes-nothing-for-the-spoke",
        ),
        pytest.param(
            [
                (
                    "spoke/main.tf",
                    'path = "../hub/terraform.tfstate"',
                    'path = "../net/terraform.tfstate"',
                )
            ],
            [
                ("CVL302", "info", "aws_vpc.spoke"),
                ("CVL303", "info", "aws_vpc.spoke"),
                ("CVL310", "info", "aws_vpc.spoke"),
            ],
            id="remote-state-of-a-root-not-in-the-run",
        ),
    ],
)
def test_each_broken_root_gives_exactly_its_findings(
    edits: List[Edit], expected: list, tmp_path: Path
) -> None:
    assert _findings(_variant(TWO_ROOTS, edits, tmp_path)) == expected


def test_the_spoke_root_alone_is_info_naming_the_state_to_add(tmp_path: Path) -> None:
    case = _variant(TWO_ROOTS, [], tmp_path)
    shutil.rmtree(case / "hub")
    assert _findings(case) == [
        ("CVL302", "info", "aws_vpc.spoke"),
        ("CVL303", "info", "aws_vpc.spoke"),
        ("CVL310", "info", "aws_vpc.spoke"),
    ]
    (message,) = _messages(case, "CVL302")
    assert "terraform_remote_state reads a state (local backend: path = " in message
    assert "add that root's folder (its .tf files) to the run" in message


def test_roots_tied_by_an_s3_backend(tmp_path: Path) -> None:
    """The hub keeps its state in S3; the spoke reads that bucket and key."""
    backend = (
        'terraform {\n  backend "s3" {\n    bucket = "network-state"\n'
        '    key    = "hub/terraform.tfstate"\n    region = "us-east-1"\n  }\n'
    )
    reader = (
        'backend = "s3"\n  config = {\n    bucket = "network-state"\n'
        '    key    = "hub/terraform.tfstate"\n    region = "us-east-1"\n'
    )
    edits = [
        ("hub/main.tf", "terraform {\n", backend),
        (
            "spoke/main.tf",
            'backend = "local"\n  config = {\n    path = "../hub/terraform.tfstate"\n',
            reader,
        ),
    ]
    case = _variant(TWO_ROOTS, edits, tmp_path)
    assert _findings(case) == []
    spoke = case / "spoke" / "main.tf"
    spoke.write_text(
        spoke.read_text().replace('"hub/terraform.tfstate"', '"other/terraform.tfstate"')
    )
    assert [f[1] for f in _findings(case)] == ["info", "info", "info"]


_DATA_SOURCE_LOOKUPS = [
    (
        "spoke/main.tf",
        'data "terraform_remote_state" "hub" {\n  backend = "local"\n  config = {\n'
        '    path = "../hub/terraform.tfstate"\n  }\n}',
        'data "aws_ec2_transit_gateway" "hub" {\n  filter {\n    name   = "tag:Name"\n'
        '    values = ["hub"]\n  }\n}\n\ndata "aws_route53_zone" "hub" {\n'
        '  for_each = {\n    api     = "api.sagemaker.us-east-1.amazonaws.com"\n'
        '    runtime = "runtime.sagemaker.us-east-1.amazonaws.com"\n'
        '    logs    = "logs.us-east-1.amazonaws.com"\n  }\n'
        "  name         = each.value\n  private_zone = true\n}",
    ),
    (
        "spoke/main.tf",
        "data.terraform_remote_state.hub.outputs.zone_ids[each.key]",
        "data.aws_route53_zone.hub[each.key].zone_id",
    ),
]


def test_a_spoke_that_finds_the_hub_through_data_sources_is_info(tmp_path: Path) -> None:
    """Zones looked up by name and the gateway by tag: nothing offline says which ones AWS
    returns, so the spoke is info naming what ties the roots, never an error."""
    edits = [
        *_DATA_SOURCE_LOOKUPS,
        *[
            ("spoke/main.tf", old, "data.aws_ec2_transit_gateway.hub.id")
            for old in ["data.terraform_remote_state.hub.outputs.transit_gateway_id"] * 2
        ],
    ]
    case = _variant(TWO_ROOTS, edits, tmp_path)
    assert _findings(case) == [
        ("CVL302", "info", "aws_vpc.spoke"),
        ("CVL303", "info", "aws_vpc.spoke"),
        ("CVL310", "info", "aws_vpc.spoke"),
    ]
    (message,) = _messages(case, "CVL302")
    assert "associated with a Route 53 zone the inputs do not name" in message
    assert "terraform_remote_state" in message
