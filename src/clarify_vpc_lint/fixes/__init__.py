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
setting its fix writes in each language. ``APPENDS`` and ``NEW_SUBNETS`` are the fixes that add to a
list, ``NEW_RESOURCES`` those that are new resources (a template's) or blocks (a ``.tf`` file's),
written after the finding's resource under names the file does not use, and ``MEMBERS`` those
that add what a resource of the file lacks.
"""

from __future__ import annotations

import difflib
import os
import re
from typing import Callable, Dict, List, Optional, Tuple, Union

from msgspec import Struct, field
from msgspec.structs import replace

from ..documents import buffered_text
from ..findings import Finding, Result


class Setting(Struct, frozen=True):
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


class ListItem(Struct, frozen=True):
    """A list a fix adds the finding's ``fix_adds`` to, under each language's name."""

    cloudformation: Tuple[str, ...]
    api: Tuple[str, ...]
    terraform: str  # an argument anywhere in the resource's block
    python: str  # a keyword argument or request member


# The fixes that add what the inputs already hold to a list (CVL201: an existing subnet of the
# model's VPC in another zone, with the same route table).
APPENDS: Dict[str, ListItem] = {
    "CVL201": ListItem(("VpcConfig", "Subnets"), ("VpcConfig", "Subnets"), "subnets", "Subnets"),
    # the route tables of the job's subnets the S3 gateway endpoint is not on (no API or Python
    # form: an endpoint there is in an inventory)
    "CVL306": ListItem(("RouteTableIds",), ("RouteTableIds",), "route_table_ids", ""),
}
# The fixes that add a new subnet (in a free block of the VPC, with the route table of the
# subnets it joins) to the finding's resource's list where no subnet of the inputs fits:
# CVL201 (the model's subnets, where it has no fix_adds), CVL202 (the job's).
NEW_SUBNETS: Dict[str, ListItem] = {
    "CVL201": APPENDS["CVL201"],
    "CVL202": ListItem(
        ("NetworkConfig", "VpcConfig", "Subnets"),
        ("NetworkConfig", "VpcConfig", "Subnets"),
        "subnets",
        "subnets",
    ),
}
# The fixes that are new resources (a template's) or blocks (a .tf file's), their remediation as
# printed: written after the finding's resource when the remediation is complete (no comment
# saying what it lacks).
NEW_RESOURCES = (
    "CVL401",
    "CVL402",
    "CVL301",
    "CVL302",
    "CVL303",
    "CVL307",
    "CVL310",
    "CVL403",
    "CVL404",
    "CVL309",  # network ACL entries: new resources, or a .tf ACL's nested rules
)
# The fixes that add what their remediation gives to a resource the file has, where it lacks it
# (CVL308: the domain name or servers of the VPC's DHCP options set).
MEMBERS = ("CVL308",)
# The fixes that write a VpcConfig the inputs hold (the finding's ``fix_vpc_config``): CVL102
# into the job's NetworkConfig (its model's network), CVL103 into its model (the job's).
VPC_CONFIGS = ("CVL102", "CVL103")
# What the fixes --fix does not write need from a person (the remediation shows the rest).
NEEDS = {
    "CVL001": "the request's members as the API wants them: correct them by hand",
    "CVL002": "a decision: remove the suppression, correct its ID or say why",
    "CVL102": "the subnets and security groups the job should run in (the remediation suggests "
    "the model's where it has them)",
    "CVL103": "a choice of one VPC for the job and its model: move one of them",
    "CVL201": "no subnet of the model's VPC in another zone with the same route table is in the "
    "inputs: a new subnet needs a free CIDR block and a zone (see the remediation)",
    "CVL202": "a larger subnet: a free CIDR block of the VPC and its zone",
    "CVL306": "a route table the fix can name for each of the job's subnets (the remediation "
    "says which it lacks)",
}


class NewText(Struct, frozen=True):
    """New resources (a template's) or blocks (a ``.tf`` file's) a fix writes at one offset:
    the names the fix gives them, and their text with some of those names changed."""

    at: int
    names: Tuple[str, ...]
    render: Callable[[Dict[str, str]], str]


class Edit(Struct, frozen=True):
    """One replacement in a file's text."""

    start: int  # offsets in the file's text
    end: int
    text: str


class NotApplied(Struct):
    """A finding whose fix is not written, with why."""

    finding: Finding
    reason: str  # what the fix needs, or why it is not written


class FixPlan(Struct):
    """The fixes of one run: each file's text before and after, what was fixed and what not."""

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

    planning = _Planning(result)
    for finding in result.findings:
        if finding.severity == "info":
            continue  # undecided: nothing is known to be wrong
        reason = _plan_one(planning, finding)
        if reason is not None:
            planning.plan.not_applied.append(NotApplied(finding, reason))
    for path, pairs in planning.edits.items():
        _apply(planning.plan, path, pairs, {"terraform-config": hcl, "python": python}.get(
            result.linted[path], documents))  # fmt: skip
    return planning.plan


class _Planning(Struct):
    """A plan being built: the edits planned per file, and the new text each file is given
    (so the same new resource, needed by two findings, is written once)."""

    result: Result
    plan: FixPlan = field(default_factory=FixPlan)
    edits: Dict[str, List[Tuple[Edit, Finding]]] = field(default_factory=dict)
    # path -> the new text of each fix written into it: as written, and its names
    added: Dict[str, Dict[str, Tuple[str, Tuple[str, ...]]]] = field(default_factory=dict)


def _plan_one(planning: _Planning, finding: Finding) -> Optional[str]:
    """The finding's fix planned, by the kind of fix its rule has (the tables above); else why
    it is not written."""
    from . import policies, python

    rule, kind = finding.rule, planning.result.linted.get(finding.file)
    # a Python finding whose remediation --fix writes where it says (fixes/python.py)
    in_script = kind == "python" and rule in python.REMEDIATIONS
    if rule in NEW_SUBNETS and not finding.fix_adds:
        return _new_subnet(planning, finding, kind)
    if rule in APPENDS and not finding.fix_adds:
        return NEEDS[rule]
    if rule in NEW_RESOURCES:
        return _new_resources(planning, finding, kind)
    if rule in MEMBERS:
        if kind not in ("cloudformation", "terraform-config"):
            return _not_editable(kind)
        return _add_members(planning, finding, kind)
    if rule in policies.RULES:
        outcome = policies.plan(
            finding, planning.result.linted, lambda path: _original(planning.plan, path)
        )
        if isinstance(outcome, str):
            return outcome
        for path, edit in outcome:
            planning.edits.setdefault(path, []).append((edit, finding))
        return None
    if rule in VPC_CONFIGS and not in_script:
        return _write_vpc_config(planning, finding)
    if rule in SETTINGS or rule in APPENDS or in_script:
        return _in_place(planning, finding, kind, in_script)
    return f"not written by --fix: {NEEDS.get(rule, 'apply the remediation')}"


def _new_subnet(planning: _Planning, finding: Finding, kind: Optional[str]) -> Optional[str]:
    if kind in ("cloudformation", "terraform-config"):
        return _add_subnet(planning, finding, kind)
    if kind in ("api", "python"):
        return _lacking(finding) or _AWS_CLI
    return _lacking(finding) or _not_editable(kind)


def _new_resources(planning: _Planning, finding: Finding, kind: Optional[str]) -> Optional[str]:
    if kind in ("cloudformation", "terraform-config"):
        return _written(_place_new(planning, finding, kind, finding))
    if kind is None and (place := _beside(planning.result, finding)):
        return _written(_place_new(planning, finding, "terraform-config", place))
    if kind in ("api", "python"):
        return _lacking(finding) or _AWS_CLI
    return _not_editable(kind)


def _written(outcome: Union[str, Dict[str, str]]) -> Optional[str]:
    return outcome if isinstance(outcome, str) else None


_AWS_CLI = "an AWS CLI command (--fix writes templates and .tf files): run it"


def _in_place(
    planning: _Planning, finding: Finding, kind: Optional[str], in_script: bool
) -> Optional[str]:
    """A setting changed, or an item added to a list, where the file writes it."""
    from . import documents, hcl, python

    if kind not in ("cloudformation", "api", "terraform-config", "python"):
        return _not_editable(kind)
    text = _original(planning.plan, finding.file)
    module = {"terraform-config": hcl, "python": python}.get(kind, documents)
    settings = SETTINGS.get(finding.rule)
    outcome = (
        module.edits(finding, kind, text, settings)
        if settings or in_script
        else module.append(finding, kind, text, APPENDS[finding.rule])
    )
    if isinstance(outcome, str):
        return outcome
    planning.edits.setdefault(finding.file, []).extend((e, finding) for e in outcome)
    return None


def _lacking(finding: Finding) -> Optional[str]:
    """What a finding's printed fix says the inputs do not hold, or None: the fix is complete."""
    from ..catalogue import rules_by_id
    from ..remediation import notes_added

    lacking = notes_added(rules_by_id()[finding.rule].remediation.values(), finding.remediation)
    said = [note.split("  # ", 1)[-1] for note in lacking]  # a line given as a comment: its note
    return f"the fix needs what the inputs do not hold: {'; '.join(said)}" if said else None


def _place_new(
    planning: _Planning,
    finding: Finding,
    kind: str,
    place: Finding,
    owner: Optional[Finding] = None,
) -> Union[str, Dict[str, str]]:
    """The finding's remediation, new resources (a template's) or blocks (a ``.tf`` file's),
    written after the resource ``place`` points at (the finding's own, else the one the fix
    builds on) when complete; a name the file uses is given to none of them, and the same new
    text for two findings is written once. The names the new text was given (the fix's own
    where free), or why it is not written. The edit is recorded as ``owner``'s fix (else
    ``finding``'s)."""
    owner = owner or finding
    plan, edits, added = planning.plan, planning.edits, planning.added
    from ..remediation import without_comments
    from . import documents, hcl

    if kind == "terraform-config" and not place.file.endswith(".tf"):
        return "a .tf.json file: add the remediation's blocks by hand"
    lacking = _lacking(finding)
    if lacking:
        return lacking
    text = _original(plan, place.file)
    module = hcl if kind == "terraform-config" else documents
    outcome = module.new_resources(replace(finding, file=place.file, line=place.line), text)
    if isinstance(outcome, str):
        return outcome
    planned = added.setdefault(place.file, {})  # keyed by the new text as the fix names it
    same = without_comments(outcome.render({}))  # two endpoints' one group: one rule
    if same in planned:  # two findings needing the same resources: written once
        edit = next(e for e, _ in edits[place.file] if e.text == planned[same][0])
        edits[place.file].append((edit, owner))
        return dict(zip(outcome.names, planned[same][1], strict=True))
    taken = module.names_in_use(place.file, text) | {
        name for _, names_given in planned.values() for name in names_given
    }
    names: Dict[str, str] = {}
    for name in outcome.names:
        new, number = name, 2
        while new in taken or new in names.values():
            new, number = module.numbered(name, number), number + 1
        if new != name:
            names[name] = new
    written = outcome.render(names)
    planned[same] = (written, tuple(names.get(name, name) for name in outcome.names))
    edits.setdefault(place.file, []).append((Edit(outcome.at, outcome.at, written), owner))
    return {name: names.get(name, name) for name in outcome.names}


def _add_subnet(
    planning: _Planning,
    finding: Finding,
    kind: str,
) -> Optional[str]:
    """A new subnet in a free block of the VPC, with the route table of the subnets it joins,
    written after the finding's resource and added to its subnets; else why not."""
    from . import documents, hcl

    plan, edits, added = planning.plan, planning.edits, planning.added

    lacking = _lacking(finding)
    if lacking:
        return lacking
    module = hcl if kind == "terraform-config" else documents
    parts = module.subnet_parts(finding.remediation)
    if isinstance(parts, str):
        return parts
    remediation, subnet, block = parts
    text = _original(plan, finding.file)
    item = NEW_SUBNETS[finding.rule]
    origin = "terraform" if kind == "terraform-config" else "cloudformation"
    trial = module.append(replace(finding, fix_adds=((origin, subnet),)), kind, text, item)
    if isinstance(trial, str):
        return trial
    taken = added.setdefault(finding.file, {}).get(f"block {block}")
    if taken is not None and taken[0] != remediation:  # one free block, two new subnets
        return f"another fix takes the free block {block}: run --fix again for this one"
    subnet_only = replace(finding, remediation=remediation)
    names = _place_new(planning, subnet_only, kind, finding, owner=finding)
    if isinstance(names, str):
        return names
    added[finding.file][f"block {block}"] = (remediation, ())
    final = ((origin, names.get(subnet, subnet)),)
    outcome = module.append(replace(finding, fix_adds=final), kind, text, item)
    if isinstance(outcome, str):
        return outcome
    edits[finding.file].extend((edit, finding) for edit in outcome)
    return None


def _add_members(planning: _Planning, finding: Finding, kind: str) -> Optional[str]:
    """The members the finding's remediation gives a resource of the file, where it lacks
    them; else why not."""
    from . import documents, hcl

    if kind == "terraform-config" and not finding.file.endswith(".tf"):
        return "a .tf.json file: add the remediation's arguments by hand"
    plan, edits = planning.plan, planning.edits
    text = _original(plan, finding.file)
    if kind == "cloudformation":
        outcome = documents.missing_members(finding, text)
        path = finding.file
    else:
        found = hcl.missing_members(finding, text)
        if isinstance(found, str):
            return found
        path, outcome = found
        if path not in planning.result.linted:
            return f"the block is in {path}, which this run did not lint: add the arguments there"
        _original(plan, path)  # the file the edits go into, as read
    if isinstance(outcome, str):
        return outcome
    edits.setdefault(path, []).extend((edit, finding) for edit in outcome)
    return None


_GROUP_BLOCK = re.compile(r'^resource\s+"aws_security_group"\s+"([^"]+)"\s*\{', re.M)


def _beside(result: Result, finding: Finding) -> Optional[Finding]:
    """A job declared in the config file: where its Terraform fix goes, after the block of the
    security group it names (``security_group_id = aws_security_group.X.id``) in the one
    ``.tf`` file of the config's folder that defines it; else None."""
    named = re.search(
        r"security_group_id\s*=\s*aws_security_group\.([\w-]+)\.id", finding.remediation
    )
    if named is None or not finding.remediation.startswith(("resource ", "# ")):
        return None
    folder = os.path.dirname(os.path.abspath(finding.file))
    places = []
    for path, kind in sorted(result.linted.items()):
        if kind != "terraform-config" or not path.endswith(".tf"):
            continue
        if os.path.dirname(os.path.abspath(path)) != folder:
            continue
        text = read_source(path)
        for match in _GROUP_BLOCK.finditer(text):
            if match.group(1) == named.group(1):
                places.append(
                    replace(finding, file=path, line=text.count("\n", 0, match.start()) + 1)
                )
    return places[0] if len(places) == 1 else None


def _write_vpc_config(planning: _Planning, finding: Finding) -> Optional[str]:
    """The VpcConfig the finding's fix writes, planned in the file of the resource it goes into
    (the job, or its model); else why not."""
    from . import documents, hcl

    target = finding.fix_vpc_config
    if target is None:
        return NEEDS[finding.rule]
    if target.needs:
        return target.needs
    kind = planning.result.linted.get(target.file)
    if kind not in ("cloudformation", "api", "terraform-config"):
        return _not_editable(kind)
    text = _original(planning.plan, target.file)
    module = hcl if kind == "terraform-config" else documents
    outcome = module.vpc_config(finding, kind, text)
    if isinstance(outcome, str):
        return outcome
    planned = planning.edits.setdefault(target.file, [])
    for edit in outcome:
        if any(e.start == edit.start and e != edit for e, f in planned if f.rule == finding.rule):
            return f"another job's fix gives {target.resource} another VpcConfig: choose one"
    planned.extend((edit, finding) for edit in outcome)
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


def _original(plan: FixPlan, path: str) -> str:
    """A file's text as read for the plan (read once)."""
    if path not in plan.original:
        plan.original[path] = read_source(path)
    return plan.original[path]


def read_source(path: str, errors: str = "strict") -> str:
    """A file's text as the fixes edit it: the editor's unsaved text (the language server's
    fix), else the file with its line endings kept (offsets into it are the edits')."""
    buffered = buffered_text(path)
    if buffered is not None:
        return buffered
    with open(path, encoding="utf-8", errors=errors, newline="") as handle:
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
