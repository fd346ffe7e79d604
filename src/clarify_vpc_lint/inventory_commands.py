"""The ``aws ec2 describe-*`` commands whose saved output is the inventory (``--context``).

The linter never calls AWS; ``--inventory-commands`` prints what to run where credentials live.
"""

from __future__ import annotations

import shlex
from typing import Optional, Sequence

# (command, file): one complete listing of each kind the inventory reader knows
LISTINGS = (
    ("describe-vpcs", "vpcs.json"),
    ("describe-subnets", "subnets.json"),
    ("describe-route-tables", "route-tables.json"),
    ("describe-vpc-endpoints", "vpc-endpoints.json"),
    ("describe-security-groups", "security-groups.json"),
    ("describe-nat-gateways", "nat-gateways.json"),
    ("describe-network-acls", "network-acls.json"),
)
# listed without a VPC filter: they do not belong to one VPC
UNFILTERED = (
    ("describe-dhcp-options", "dhcp-options.json"),
    ("describe-managed-prefix-lists", "managed-prefix-lists.json"),
)
VPC_ATTRIBUTES = (("enableDnsSupport", "dns-support"), ("enableDnsHostnames", "dns-hostnames"))


def inventory_commands(
    region: Optional[str] = None, vpcs: Sequence[str] = (), folder: str = "inventory"
) -> str:
    """A shell script that saves the inventory into ``folder``, one command a line."""
    region_option = f" --region {shlex.quote(region)}" if region else ""
    where = f"{folder}/"
    lines = [
        "# Run where AWS credentials are configured; clarify-vpc-lint itself never calls AWS.",
        f"mkdir -p {shlex.quote(folder)}",
    ]
    vpc_filter = f" --filters Name=vpc-id,Values={shlex.quote(','.join(vpcs))}" if vpcs else ""
    for command, file in LISTINGS:
        lines.append(f"aws ec2 {command}{region_option}{vpc_filter} --output json > {where}{file}")
    for command, file in UNFILTERED:
        lines.append(f"aws ec2 {command}{region_option} --output json > {where}{file}")
    if vpcs:
        for vpc in vpcs:
            for attribute, suffix in VPC_ATTRIBUTES:
                lines.append(
                    f"aws ec2 describe-vpc-attribute{region_option} --vpc-id {shlex.quote(vpc)}"
                    f" --attribute {attribute} --output json > {where}{vpc}-{suffix}.json"
                )
    else:  # one describe-vpc-attribute per attribute and VPC, for every VPC listed
        lines.append(
            f"for vpc in $(aws ec2 describe-vpcs{region_option}"
            " --query 'Vpcs[].VpcId' --output text); do"
        )
        for attribute, suffix in VPC_ATTRIBUTES:
            lines.append(
                f'  aws ec2 describe-vpc-attribute{region_option} --vpc-id "$vpc"'
                f' --attribute {attribute} --output json > {where}"$vpc"-{suffix}.json'
            )
        lines.append("done")
    lines += route53_commands(region_option, vpcs, where)
    lines.extend(_policy_commands(where))
    lines.append(f"# then: clarify-vpc-lint . --context {folder}/")
    return "\n".join(lines) + "\n"


# -- policies (CVL501-503) ---------------------------------------------------------------------------

BUCKET_POLICY_FILE = "bucket-policy.{bucket}.json"  # get-bucket-policy output names no bucket


def _policy_commands(where: str) -> list:
    """IAM roles with their policies, and each bucket's policy in a file that names the bucket."""
    saved = where + BUCKET_POLICY_FILE.format(bucket='"$bucket"')
    return [
        "# policies (CVL501-503): roles and their policies, and each bucket's policy, in a file"
        " named for its bucket",
        "aws iam get-account-authorization-details --filter Role LocalManagedPolicy"
        f" --output json > {where}iam-authorization-details.json",
        "for bucket in $(aws s3api list-buckets --query 'Buckets[].Name' --output text); do",
        f'  aws s3api get-bucket-policy --bucket "$bucket" --output json > {saved}'
        f" 2>/dev/null || rm -f {saved}",
        "done",
    ]


def route53_commands(region_option: str, vpcs: Sequence[str], where: str) -> list:
    """The Route 53 private hosted zones the VPCs resolve with: the zones of each VPC, each
    zone's VPCs, and its records. Two outputs do not name their subject, so a --query adds it:
    list-hosted-zones-by-vpc gets the VPC's ID (``VPCId``), list-resource-record-sets the zone's
    (``HostedZoneId``). Zones another account owns (a hub's) list here but their records need
    that account's credentials: run the zone loop there too."""
    region = region_option.split()[-1] if region_option else "$(aws configure get region)"
    lines = ["# Route 53 private hosted zones (centralised endpoints)"]
    loop = (
        [f"for vpc in {' '.join(shlex.quote(v) for v in vpcs)}; do"]
        if vpcs
        else [
            f"for vpc in $(aws ec2 describe-vpcs{region_option}"
            " --query 'Vpcs[].VpcId' --output text); do"
        ]
    )
    lines += loop
    lines.append(
        f'  aws route53 list-hosted-zones-by-vpc --vpc-id "$vpc" --vpc-region {region}'
        " --query \"{VPCId: '$vpc', HostedZoneSummaries: HostedZoneSummaries}\""
        f' --output json > {where}route53-zones-"$vpc".json'
    )
    lines.append("done")
    lines.append(
        "for zone in $(aws route53 list-hosted-zones"
        " --query 'HostedZones[?Config.PrivateZone].Id' --output text); do"
    )
    lines.append('  id="${zone##*/}"')
    lines.append(
        f'  aws route53 get-hosted-zone --id "$id" --output json > {where}route53-zone-"$id".json'
    )
    lines.append(
        '  aws route53 list-resource-record-sets --hosted-zone-id "$id"'
        " --query \"{HostedZoneId: '$id', ResourceRecordSets: ResourceRecordSets}\""
        f' --output json > {where}route53-records-"$id".json'
    )
    lines.append("done")
    return lines
