"""``--fix`` and ``--diff`` (SPEC section 6): the findings' fixes written into their files.

A fix is a text edit at the positions the readers report, so every other byte of the file stays
as it was (comments, key order, quoting, short-form tags, indentation, ``.tf`` layout, Python
formatting). A fix is applied only when it is complete: every value it writes is known (a
literal setting such as ``EnableNetworkIsolation: false``). A fix that would need a value the
inputs do not hold, or a place the file does not pin down (a value from a parameter or variable,
a job embedded in a pipeline definition), is listed as not applied with what it needs. Only the
files the run linted from its PATHs are edited (never an inventory, a parameter or config file,
nor a Terraform plan, which is generated), each only if the result still parses.

One module per language finds the place of a setting and writes it: ``documents`` (CloudFormation
and API JSON, YAML or JSON), ``hcl`` (``.tf``) and ``python``. ``SETTINGS`` says, per rule, which
setting its fix writes in each language.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

from ..documents import buffered_text
from ..findings import Finding, Result


@dataclass(frozen=True)
class Setting:
    """One literal setting a fix writes: the same meaning under each language's name."""

    cloudformation: Tuple[str, ...]  # under the resource's Properties
    api: Optional[Tuple[str, ...]]  # in the request body
    terraform: Optional[str]  # the resource block's argument
    python: Optional[str]  # the SDK's keyword argument
    value: bool
    insert: bool  # absent, it is written (its default is the wrong value)


# The fixes that are a literal setting, per rule. The others are listed as not applied, with
# their remediation (the values a person supplies).
SETTINGS: Dict[str, Tuple[Setting, ...]] = {
    "CVL101": (
        Setting(
            ("NetworkConfig", "EnableNetworkIsolation"),
            ("NetworkConfig", "EnableNetworkIsolation"),
            "enable_network_isolation",
            "enable_network_isolation",
            value=False,
            insert=False,
        ),
    ),
    "CVL304": (
        Setting(("PrivateDnsEnabled",), None, "private_dns_enabled", None, True, insert=True),
    ),
    "CVL305": (
        Setting(("EnableDnsSupport",), None, "enable_dns_support", None, True, insert=False),
        Setting(("EnableDnsHostnames",), None, "enable_dns_hostnames", None, True, insert=True),
    ),
}


@dataclass(frozen=True)
class ListItem:
    """A list a fix adds the finding's ``fix_adds`` to, under each language's name."""

    cloudformation: Tuple[str, ...]
    api: Tuple[str, ...]
    terraform: str  # an argument anywhere in the resource's block
    python: str  # a keyword argument or request member


# The fixes that add what the inputs already hold to a list (CVL201: an existing subnet of the
# model's VPC in another zone, with the same route table).
APPENDS: Dict[str, ListItem] = {
    "CVL201": ListItem(("VpcConfig", "Subnets"), ("VpcConfig", "Subnets"), "subnets", "Subnets"),
}
# The fixes that are one new CloudFormation resource, its remediation as printed: written after
# the finding's resource when the remediation is complete (no comment saying what it lacks).
NEW_RESOURCES = ("CVL401", "CVL402")
# What the fixes --fix does not write need from a person (the remediation shows the rest).
NEEDS = {
    "CVL001": "the request's members as the API wants them: correct them by hand",
    "CVL002": "a decision: remove the suppression, correct its ID or say why",
    "CVL102": "the subnets and security groups the job should run in (the remediation suggests "
    "the model's where it has them)",
    "CVL103": "a choice of one VPC for the job and its model: move one of them",
    "CVL104": "a change to a policy other jobs rely on: narrow its condition by hand",
    "CVL105": "a change to a policy other requests rely on: an exception in the deny's condition",
    "CVL201": "no subnet of the model's VPC in another zone with the same route table is in the "
    "inputs: a new subnet needs a free CIDR block and a zone (see the remediation)",
    "CVL202": "a larger subnet: a free CIDR block of the VPC and its zone",
    "CVL301": "a new S3 gateway endpoint and the route tables it joins",
    "CVL302": "a new sagemaker.api interface endpoint: its subnets and security group",
    "CVL303": "a new sagemaker.runtime interface endpoint: its subnets and security group",
    "CVL306": "the route tables of the job's subnets added to the S3 gateway endpoint",
    "CVL307": "an HTTPS rule on the endpoint's security group from the job's groups or subnets",
    "CVL308": "a DHCP options set (or its domain-name servers) and its association",
    "CVL309": "network ACL entries numbered to fit the ACL's existing rules",
    "CVL310": "a new logs interface endpoint: its subnets and security group",
    "CVL403": "an HTTPS egress rule on the job's security group",
    "CVL404": "UDP 500 and ESP (protocol 50) rules between the job's security groups",
    "CVL501": "one Allow statement in the endpoint policy, for the requests the message names",
    "CVL502": "a change to the bucket policy's condition, for the path the job's requests take",
    "CVL503": "one Allow statement in a policy of the execution role (see the remediation)",
}


@dataclass(frozen=True)
class Edit:
    start: int  # offsets in the file's text
    end: int
    text: str


@dataclass
class NotApplied:
    finding: Finding
    reason: str  # what the fix needs, or why it is not written


@dataclass
class FixPlan:
    original: Dict[str, str] = field(default_factory=dict)  # path -> text as read
    fixed: Dict[str, str] = field(default_factory=dict)  # path -> text with the fixes
    applied: List[Finding] = field(default_factory=list)
    not_applied: List[NotApplied] = field(default_factory=list)

    def diff(self) -> str:
        chunks = []
        for path in sorted(self.fixed):
            chunks.extend(
                difflib.unified_diff(
                    self.original[path].splitlines(keepends=True),
                    self.fixed[path].splitlines(keepends=True),
                    f"a/{os.path.normpath(path)}",
                    f"b/{os.path.normpath(path)}",
                )
            )
        return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)

    def write(self) -> None:
        from ..atomic import write_atomically

        for path, text in sorted(self.fixed.items()):
            write_atomically(path, text.encode("utf-8"))


Outcome = Union[List[Edit], str]  # the edits, or why none is written


def plan_fixes(result: Result) -> FixPlan:
    """The edits of every finding of ``result`` that has a complete fix, file by file."""
    from . import documents, hcl, python

    plan = FixPlan()
    edits: Dict[str, List[Tuple[Edit, Finding]]] = {}
    for finding in result.findings:
        if finding.severity == "info":
            continue  # undecided: nothing is known to be wrong
        settings = SETTINGS.get(finding.rule)
        appended = APPENDS.get(finding.rule)
        kind = result.linted.get(finding.file)
        # a Python finding whose remediation --fix writes where it says (fixes/python.py)
        in_script = kind == "python" and finding.rule in python.REMEDIATIONS
        if appended and not finding.fix_adds:
            reason = NEEDS[finding.rule]
        elif finding.rule in NEW_RESOURCES and kind == "cloudformation":
            reason = _add_resource(plan, edits, finding)
            if reason is None:
                continue
        elif finding.rule in NEW_RESOURCES:
            reason = "written only into a CloudFormation template: apply the remediation by hand"
        elif not settings and not appended and not in_script:
            reason = f"not written by --fix: {NEEDS.get(finding.rule, 'apply the remediation')}"
        elif kind not in ("cloudformation", "api", "terraform-config", "python"):
            reason = _not_editable(kind)
        else:
            text = plan.original.get(finding.file)
            if text is None:
                text = plan.original[finding.file] = _read(finding.file)
            module = {"terraform-config": hcl, "python": python}.get(kind, documents)
            outcome = (
                module.edits(finding, kind, text, settings)
                if settings or in_script
                else module.append(finding, kind, text, appended)
            )
            if isinstance(outcome, list):
                edits.setdefault(finding.file, []).extend((e, finding) for e in outcome)
                continue
            reason = outcome
        plan.not_applied.append(NotApplied(finding, reason))
    for path, pairs in edits.items():
        _apply(plan, path, pairs, {"terraform-config": hcl, "python": python}.get(
            result.linted[path], documents))  # fmt: skip
    return plan


def _add_resource(
    plan: FixPlan, edits: Dict[str, List[Tuple[Edit, Finding]]], finding: Finding
) -> Optional[str]:
    """The finding's remediation (one new resource) written after its resource; else why not."""
    from . import documents

    text = plan.original.get(finding.file)
    if text is None:
        text = plan.original[finding.file] = _read(finding.file)
    outcome = documents.new_resource(finding, text)
    if isinstance(outcome, str):
        return outcome
    planned = edits.setdefault(finding.file, [])
    (added,) = outcome
    name = added.text.split(":")[0]  # two jobs on one group: the resource once
    same = next((e for e, _ in planned if e.start == e.end and e.text.split(":")[0] == name), None)
    planned.append((same or added, finding))
    return None


def _apply(plan: FixPlan, path: str, pairs: List[Tuple[Edit, Finding]], module) -> None:
    """Apply a file's edits from its end (offsets stay valid); the same edit for two findings
    once; edits that overlap, and a result that does not parse, are not applied."""
    text = plan.original[path]
    chosen: List[Tuple[Edit, List[Finding]]] = []
    for edit, finding in sorted(pairs, key=lambda pair: (pair[0].start, pair[0].end)):
        if chosen and chosen[-1][0] == edit:
            chosen[-1][1].append(finding)
        elif chosen and edit.start < chosen[-1][0].end:
            plan.not_applied.append(NotApplied(finding, "another fix edits the same text"))
        else:
            chosen.append((edit, [finding]))
    fixed = text
    for edit, _ in reversed(chosen):
        fixed = fixed[: edit.start] + edit.text + fixed[edit.end :]
    # a fix of several edits (an argument and its import) is one applied finding
    findings = list(dict.fromkeys(f for _, group in chosen for f in group))
    problem = module.parse_problem(path, fixed)
    if problem:
        plan.not_applied.extend(
            NotApplied(f, f"the fixed file would not parse ({problem})") for f in findings
        )
        return
    if fixed != text:
        plan.fixed[path] = fixed
    plan.applied.extend(findings)


def _not_editable(kind: Optional[str]) -> str:
    if kind == "terraform":
        return "a Terraform plan is generated: fix the configuration (.tf) and plan again"
    if kind == "inventory":
        return (
            "an inventory records AWS as it is: change the resource in AWS or where it is defined"
        )
    if kind is None:
        return "its file is not one of the PATHs linted (a declared job of the config file?): change it there"
    return "its fix is not written automatically in this input format"


def _read(path: str) -> str:
    buffered = buffered_text(path)  # the editor's unsaved text: the language server's fix
    if buffered is not None:
        return buffered
    with open(path, encoding="utf-8", newline="") as handle:  # newline="": \r\n stays
        return handle.read()


def line_offsets(text: str) -> List[int]:
    """The offset where each line starts (index 0 is line 1)."""
    offsets = [0]
    for index, char in enumerate(text):
        if char == "\n":
            offsets.append(index + 1)
    return offsets


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def closing(text: str, opening: int) -> Optional[int]:
    """The offset of the bracket that closes the one at ``opening`` (quoted text skipped)."""
    depth, index = 0, opening
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = text.find(char, index + 1)
            while char == '"' and end > 0 and text[end - 1] == "\\":
                end = text.find(char, end + 1)
            if end < 0:
                return None
            index = end
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def after_last_item(text: str, closing_at: int, item: str) -> Edit:
    """``item`` added at the end of the bracketed list that closes at ``closing_at``: after its
    last item, on a line of its own where the list puts each item on one."""
    end = len(text[:closing_at].rstrip())
    if text.find("\n", end, closing_at) < 0:  # the list closes on its last item's line
        return Edit(end, end, f", {item}")
    line_start = text.rfind("\n", 0, end) + 1
    indent = re.match(r"[ \t]*", text[line_start:]).group(0)
    comma = "" if text[end - 1] == "," else ","
    return Edit(end, end, f"{comma}{newline_of(text)}{indent}{item}")
