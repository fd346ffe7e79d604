"""The rule catalogue: one YAML file per rule in ``rules/``, the single source of truth.

The CLI, ``--list-rules``, ``--explain``, the generated docs and the plugins all read it here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Tuple

import yaml
from msgspec import field

from . import resolve  # noqa: F401  (registers the facts the queries may name)
from .facts import FACTS, KINDS, QueryError, facts_read
from .model import LANGUAGES
from .names import VARIANTS, Zone, refs
from .remediation import fill, syntax_of
from .rulefiles import RuleHeader, rule_files
from .rulefiles import rules_dir as rules_dir  # where the docs and tests find the files

SEVERITIES = ("info", "warning", "error")
FIXTURE_FORMATS = ("cloudformation", "api", "terraform", "python")  # a rule's test cases
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Rule(RuleHeader, frozen=True):
    summary: str
    query: str
    message: str
    unknown_message: str
    rationale: str
    references: Tuple[str, ...]
    remediation: Dict[str, str]
    bad_example: str = ""
    good_example: str = ""
    tags: Tuple[str, ...] = ()
    facts: FrozenSet[str] = frozenset()  # the registered facts its query reads
    # the fixture cases a rule cannot have, with why: ("api", "unknown") or ("terraform", "*")
    # (key "no-fixture: {api/unknown: why}"); every other format and kind has bad/good/unknown
    no_fixture: Dict[Tuple[str, str], str] = field(default_factory=dict)

    def remediation_key(self, language: str, variant: str = "") -> str:
        """The fix written for the case (``cloudformation/exports``), else the language's, else
        the ``api`` fallback."""
        for key in (f"{language}/{variant}", language):
            if key in self.remediation:
                return key
        return "api"


class CatalogueError(ValueError):
    """A rule file the catalogue cannot accept; the message names the file and the problem."""


def _rule(data: Dict[str, Any]) -> Rule:
    examples = data.get("examples") or {}
    if data.get("subject") not in KINDS:
        raise QueryError(f"subject {data.get('subject')!r} is not one of {', '.join(KINDS)}")
    remediation = {k: v.rstrip() for k, v in data["remediation"].items()}
    _check_remediation(remediation)
    for key in data.get("no-fixture") or {}:
        language, _, kind = str(key).partition("/")
        if language not in FIXTURE_FORMATS or kind not in ("bad", "good", "unknown", "*"):
            raise QueryError(
                f"no-fixture {key!r}: not FORMAT/KIND with FORMAT one of "
                f"{', '.join(FIXTURE_FORMATS)} and KIND bad, good, unknown or *"
            )
    return Rule(
        id=data["id"],
        name=data["name"],
        severity=data["severity"],
        subject=data["subject"],
        summary=data["summary"].strip(),
        query=data["query"].strip(),
        message=data["message"].strip(),
        unknown_message=data["unknown_message"].strip(),
        rationale=data["rationale"].strip(),
        references=tuple(data.get("references") or ()),
        remediation=remediation,
        bad_example=(examples.get("bad") or "").rstrip(),
        good_example=(examples.get("good") or "").rstrip(),
        tags=tuple(data.get("tags") or ()),
        facts=facts_read(data["query"].strip(), data["subject"]),
        no_fixture={
            tuple(key.split("/", 1)): str(why)  # type: ignore[misc]
            for key, why in (data.get("no-fixture") or {}).items()
        },
    )


def _check_remediation(remediation: Dict[str, str]) -> None:
    """An ``api`` fallback, other languages (and their cases, ``cloudformation/exports``) only
    where they say something else."""
    if "api" not in remediation:
        raise QueryError("remediation has no `api` block (the fallback of every language)")
    for key, text in remediation.items():
        language, _, variant = key.partition("/")
        if language not in LANGUAGES:
            raise QueryError(
                f"remediation language {language!r} is not one of {', '.join(sorted(LANGUAGES))}"
            )
        if variant and variant not in VARIANTS:
            raise QueryError(f"remediation case {variant!r} is not one of {', '.join(VARIANTS)}")
        if key != "api" and text == remediation["api"]:
            raise QueryError(f"remediation `{key}` repeats the `api` fallback; remove it")


def load_rule_file(path: Path) -> Rule:
    """One rule file; a malformed one raises CatalogueError naming the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return _rule(yaml.load(handle, Loader=_Loader))
    except QueryError as error:
        raise CatalogueError(f"{path}: {error}") from None
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as error:
        raise CatalogueError(f"{path}: not a rule file ({type(error).__name__}: {error})") from None


@cache
def load_rules() -> Tuple[Rule, ...]:
    return tuple(load_rule_file(path) for path in rule_files())


def rules_by_id() -> Dict[str, Rule]:
    return {rule.id: rule for rule in load_rules()}


@cache
def rule_ids() -> Dict[str, str]:
    """Every spelling of each rule's ID, upper-cased: CVL201, E9201/W9201/I9201, CKV_CVL_201."""
    spellings: Dict[str, str] = {}
    for rule in load_rules():
        for spelling in (
            rule.id,
            rule.checkov_id,
            *(f"{letter}9{rule.digits}" for letter in "EWI"),
        ):
            spellings[spelling.upper()] = rule.id
    return spellings


def plugin_rules() -> Tuple[Rule, ...]:
    """The rules cfn-lint and checkov run: not CVL002, since they honour their own suppressions."""
    return tuple(rule for rule in load_rules() if rule.subject != "suppressions")


# the subject a rule's fix names in --explain and the docs: a real-looking name, not {resource}
EXAMPLE_RESOURCE = {
    "requests": "clarify-bias-job.json",
    "jobs": "ClarifyJob",
    "models": "ClarifyModel",
    "vpcs": "ClarifyVpc",
    "endpoints": "SageMakerApiEndpoint",
    "subnets": "PrivateSubnetA",
    "policies": "IsolationMandate",
    "suppressions": "ClarifyModel",
}


def _example_names(rule: Rule, origin: str) -> Dict[str, Any]:
    """Real-looking names to show a fix with: CloudFormation logical IDs, Terraform addresses
    or AWS IDs (``origin``)."""
    names = {
        "cloudformation": (
            "ClarifyVpc",
            "PrivateSubnetA",
            "PrivateSubnetB",
            "ClarifySecurityGroup",
            "PrivateRouteTable",
            "EndpointSecurityGroup",
        ),
        "terraform": (
            "aws_vpc.main",
            "aws_subnet.private_a",
            "aws_subnet.private_b",
            "aws_security_group.clarify",
            "aws_route_table.private",
            "aws_security_group.endpoints",
        ),
        "id": (
            "vpc-0clarify",
            "subnet-0aaa1111",
            "subnet-0bbb2222",
            "sg-0clarify",
            "rtb-0private",
            "sg-0endpoints",
        ),
    }[origin]
    vpc, subnet_a, subnet_b, group, table, endpoint_group = (refs([(origin, n)]) for n in names)
    subnets = refs([(origin, names[1]), (origin, names[2])])
    return {
        "resource": EXAMPLE_RESOURCE[rule.subject] if origin != "id" else EXAMPLE_ID[rule.subject],
        "region": "us-east-1",
        "vpc": names[0],
        "vpc_key": names[0],
        "vpc_refs": vpc,
        "job_vpc_ref": vpc,
        "subnets": f"{names[1]}, {names[2]}",
        "subnet_refs": subnet_a,
        "extra_subnet": subnet_b,
        "extra_subnet_zone": "us-east-1b",
        "subnet_refs_and_extra": subnets,
        "written": "clarify-vpc-lint: ignore[CVL21]",
        "problems": "CVL21 is no rule of clarify-vpc-lint",
        "fix": "remove the IDs that suppress nothing or are no rule",
        "job_subnet_refs": subnets,
        "job_subnet_list": subnets,
        "route_table_refs": table,
        "s3_route_table_refs": table,
        "first_group_ref": group,
        "first_group_name": "ClarifySecurityGroup",
        "job_group_refs": group,
        "suggested_subnet_refs": subnets,
        "suggested_group_refs": group,
        "suggested_network": "the subnets and security groups of its model ClarifyModel, so job"
        " and model share one VPC",
        "job_group_ref": group,
        "endpoint_group_ref": endpoint_group,
        "endpoint_group_refs": endpoint_group,
        "endpoint_group_name": "EndpointSecurityGroup",
        "security_groups": names[3],
        "model_key": "ClarifyModel" if origin != "terraform" else "aws_sagemaker_model.clarify",
        "model": "ClarifyModel",
        "instance_count": 2,
        "dns_attributes_off": "EnableDnsHostnames",
        "subnet_stack": "network.yaml",
        "model_vpc_ref": vpc,
        "new_subnet_cidr": refs([("id", "10.0.3.0/24")]),
        "new_subnet_az": Zone(index=1),
        "new_subnet_table": table,
        "split_delimiter": '","',
        "model_file": "ml.yaml",
        "subnet_export": "network-private-subnets",
        "subnet_imports": refs([("import", "network-subnet-a"), ("import", "network-subnet-b")]),
        "new_export": "network-subnet-clarify-second-az-subnet",
        "operation": "CreateProcessingJob",
        "actions": "sagemaker:CreateProcessingJob",
        # -- policies (CVL104, CVL105, CVL501-503)
        "statement": "statement DenyWithoutNetworkIsolation",
        "denied_jobs": "ClarifyJob",
        "denials": "statement RequireVpc denies sagemaker:CreateProcessingJob on sagemaker:VpcSubnets",
        "role": "ClarifyRole",
        "bucket": "team-data",
        "bucket_jobs": "ClarifyJob",
        "bucket_denials": "statement OnlyFromOurVpce denies s3:GetObject (reads"
        " s3://team-data/clarify/analysis_config.json) through the VPC's S3 endpoint",
        "bucket_advice": "add S3Endpoint, the S3 endpoint ClarifyJob uses, to the values of the"
        " condition in statement OnlyFromOurVpce (aws:SourceVpce), changing nothing else",
        "blocked_calls": "sagemaker:CreateEndpointConfig on"
        " arn:aws:sagemaker:us-east-1:*:endpoint-config/sagemaker-clarify-endpoint-*",
        "blocked_jobs": "ClarifyJob",
        "policy_sid": "ClarifyJobApi",
        "policy_actions": '["sagemaker:CreateEndpointConfig"]',
        "policy_resources": '["arn:aws:sagemaker:*:*:endpoint-config/sagemaker-clarify-endpoint-*"]',
        "missing_detail": "ec2:CreateNetworkInterface (the job attaches it to the VPC)",
        "statement_place": "a policy of ClarifyRole (inline, or one attached to it)",
        "statement_actions": '["ec2:CreateNetworkInterface", "sagemaker:CreateEndpointConfig"]',
        "statement_resources": '["*"]',
        "advice": "statement RequireVpc (sagemaker:CreateProcessingJob) requires a VPC: give job"
        " ClarifyJob a NetworkConfig.VpcConfig",
        "acl_name": "PrivateNetworkAcl",
        "acl_id": refs([("id", "acl-0private")]),
        "acl_cfn": refs([("cloudformation", "PrivateNetworkAcl")]),
        "acl_ref": "aws_network_acl.private",
        "rule_https": 90,
        "rule_cluster": 91,
        "cluster_cidr": "10.0.0.0/23",
        "domain_name": "ec2.internal",
        "dhcp_ref": "ClarifyDhcpOptions" if origin != "terraform" else "aws_vpc_dhcp_options.main",
    }


def _fix(rule: Rule, language: str, origin: str, variant: str = "") -> str:
    written_in = rule.remediation_key(language, variant)
    template = rule.remediation[written_in]
    return fill(template, _example_names(rule, origin), syntax_of(written_in, template))


def _cases(rule: Rule, language: str, title: str, fence: str, origin: str) -> List[str]:
    """The fixes a rule writes apart for cases of a language (``cloudformation/exports``)."""
    lines: List[str] = []
    for key in rule.remediation:
        written_in, _, variant = key.partition("/")
        if written_in == language and variant:
            lines += [f"{title}, when {VARIANTS[variant]}:", "", fence]
            lines += [_fix(rule, language, origin, variant), "```", ""]
    return lines


EXAMPLE_ID = {
    "requests": "clarify-bias-job.json",
    "jobs": "clarify-bias",
    "models": "clarify-model",
    "vpcs": "vpc-0clarify",
    "endpoints": "vpce-0sagemakerapi",
    "subnets": "subnet-0aaa1111",
    "policies": "IsolationMandate",
    "suppressions": "ClarifyModel",
}


def explain(rule: Rule) -> str:
    """The rule's documentation in the manner of ruff's: what, why, example, fix, references."""
    parts: List[str] = [
        f"# {rule.id} {rule.name}",
        "",
        f"Default severity: **{rule.severity}** (cfn-lint `{rule.cfn_lint_id}`, checkov "
        f"`{rule.checkov_id}`)",
        "",
        "## What it does",
        "",
        rule.summary,
        "",
        "## Why is this bad?",
        "",
        rule.rationale,
        "",
        "## Facts it reads",
        "",
        *[f"- `{name}`: {FACTS[rule.subject][name].meaning}" for name in sorted(rule.facts)],
        "",
        "When a fact the rule needs is not in the inputs, it reports at severity `info` and says",
        "which fact is missing and how to supply it.",
        "",
        "## Example",
        "",
        "```yaml",
        rule.bad_example,
        "```",
        "",
        "Use instead:",
        "",
        "```yaml",
        rule.good_example,
        "```",
        "",
        "## Fix",
        "",
        "CloudFormation:",
        "",
        "```yaml",
        _fix(rule, "cloudformation", "cloudformation"),
        "```",
        "",
        *_cases(rule, "cloudformation", "CloudFormation", "```yaml", "cloudformation"),
        *(
            ["Terraform:", "", "```hcl", _fix(rule, "terraform", "terraform"), "```", ""]
            if "terraform" in rule.remediation
            else []
        ),
        *(
            ["Python (SageMaker SDK):", "", "```python", _fix(rule, "python", "id"), "```", ""]
            if "python" in rule.remediation
            else []
        ),
        *_cases(rule, "python", "Python", "```python", "id"),
        "SageMaker API JSON or inventory (AWS CLI):",
        "",
        "```json" if syntax_of("api", rule.remediation["api"]) == "json" else "```sh",
        _fix(rule, "api", "id"),
        "```",
        "",
        "## References",
        "",
        *[f"- {reference}" for reference in rule.references],
        "",
    ]
    return "\n".join(parts)
