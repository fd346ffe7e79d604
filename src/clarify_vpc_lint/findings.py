"""What a run produces: findings, input errors, and the result that writers and plugins consume.

Writers and plugins import these from here, not from the orchestrator (``linter.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from msgspec import Struct, field

if TYPE_CHECKING:
    from .model import Location
    from .names import VpcConfigWrite

# the text a finding is about: start line and column, end line and column (1-based, the end
# column just after the last character), as SARIF, LSP and cfn-lint show it
Region = Tuple[int, int, int, int]


class Finding(Struct, frozen=True):
    """A rule's verdict on one subject: where, how severe, what it says and how to fix it."""

    rule: str
    name: str
    severity: str
    file: str
    line: int
    column: int
    resource: str
    message: str
    remediation: str
    # an info's undecided facts: the reason each is missing (how to supply it), sorted; the same
    # tuple on several findings means one cause holds them all back
    missing: Tuple[str, ...] = ()
    # the property or argument that is wrong where it is written, else the subject's key
    region: Optional[Region] = None
    # what its fix adds: for a list, (origin, name) references (remediation.Refs items), e.g.
    # the existing subnet a CVL201 fix adds to the model's subnets; for a policy, (rule, JSON).
    # A subject's context gives them per rule (``fix_adds``: rule -> items), as one subject is
    # judged by several rules (an endpoint: CVL306's route tables, CVL501's statement)
    fix_adds: Tuple[Tuple[str, str], ...] = ()
    # the VpcConfig its fix writes (CVL102, CVL103), into the job or into its model
    fix_vpc_config: Optional[VpcConfigWrite] = None

    def _verdict(self) -> Tuple[Any, ...]:
        """What equality compares: every field but the two its fix writes."""
        fields = (self.name, self.severity, self.remediation, self.missing, self.region)
        return (*self.sort_key(), *fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._verdict() == other._verdict()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._verdict())

    def sort_key(self) -> Tuple[Any, ...]:
        return (self.file, self.line, self.rule, self.column, self.resource, self.message)

    def as_dict(self) -> Dict[str, Any]:
        document: Dict[str, Any] = {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "resource": self.resource,
            "message": self.message,
            "remediation": self.remediation,
        }
        if self.region is not None:
            keys = ("line", "column", "end_line", "end_column")
            document["region"] = dict(zip(keys, self.region, strict=False))
        if self.missing:
            document["missing"] = self.reported_missing()
        return document

    def reported_missing(self) -> Any:
        """``missing`` as reports give it: the reason, or the list of reasons when several."""
        return self.missing[0] if len(self.missing) == 1 else list(self.missing)


class InputError(Struct):
    """An input that could not be read (or read in full): the file, the line where known, why."""

    file: str
    line: Optional[int]
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


class Result(Struct):
    """One run's findings and input errors, with what was read and what each rule judged."""

    findings: List[Finding]
    errors: List[InputError]
    linted: Dict[str, str]  # the files read as one of the input formats, with that format
    skipped: Dict[str, str]  # the files not read as any input format, with why
    # how many Clarify jobs, models and VPCs the inputs describe: the summary says when none
    found: Dict[str, int] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)  # for --verbose: why an input was not read
    # per rule, the location of every subject it evaluated: where a host may say PASSED (a
    # plan's positions are found only when a host reads them)
    judged: Dict[str, List[Location]] = field(default_factory=dict)
    format_titles: Dict[str, str] = field(default_factory=dict)  # how reports name each format
    docs_url: Optional[str] = None  # the config's docs-url: where reports' rule links point
    baselined: Optional[int] = None  # with a baseline: how many findings it hid

    @property
    def files(self) -> int:
        return len(self.linted)


class InputErrors(Exception):
    """Raised by ``lint`` when an input cannot be read; the other files' findings come along."""

    def __init__(self, errors: List[InputError], findings: List[Finding]) -> None:
        self.errors = errors
        self.findings = findings
        lines = [f"{e.file}{f':{e.line}' if e.line else ''}: {e.message}" for e in errors]
        super().__init__("\n".join(lines))
