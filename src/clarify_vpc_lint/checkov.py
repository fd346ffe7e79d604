"""checkov plugin: the engine behind the checks in ``checkov_checks/``.

checkov shows a check one resource at a time and one file at a time; a network stack alone would
pass rules that fail once the ML stack using it is seen, and a ``.tf`` file means nothing without
the other files, tfvars and modules of its root. So the whole project is judged once per
checkov run (everything under checkov's ``-d`` directories and ``-f`` files, checkov's
``--var-file``s, and the config file found from the working directory: inventories, parameters,
declared jobs) through the same engine as the CLI, as the checks are loaded to scan (each rule is
asked only of the resource types it judged) or by the first check asked, and every check answers
from that judgement for its resource. A ``.tf`` resource is found by its block (file and lines,
as checkov gives them): its instance where the engine knows checkov's address, else every
instance of the block; a job declared in the config file answers at the Terraform resources its
subnets name.
PASSED only where the rule evaluated a subject of that resource and found nothing, and every input
of the project was read; a finding whose facts are unknown, a resource no rule's subject sits on,
a file that could not be read, or any input that could not be read answers UNKNOWN (checkov
reports neither PASSED nor FAILED); an error of the engine itself (an internal error, the time
budget spent, a baseline that cannot be read) FAILS. A baseline (``CLARIFY_VPC_LINT_BASELINE``)
hides its findings: neither FAILED nor PASSED. The finding's message is in the result's check name
(checkov's SARIF puts ``details`` where the SARIF schema forbids them) and the rule's URL in
``guideline``. Nothing here prints to stdout: checkov's ``-o json`` must stay valid.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple, Optional, Set, Tuple

from . import collector

if TYPE_CHECKING:
    from .findings import Result
    from .rulefiles import RuleHeader

# checkov loads its external checks in each of its runner processes (some twenty, one per
# framework, whether it asks our checks anything or not): a check module registers its checks
# only in the registry they serve (``loading_into``), registering them reads only the rules'
# headers, and the engine is imported by the first check asked to judge, in one process per run
# (``runcache``).

CHECKS_DIR = Path(__file__).parent / "checkov_checks"


def _option_values(*names: str) -> List[str]:
    """The values checkov was given for these options (each may repeat)."""
    values, arguments = [], sys.argv[1:]
    for position, argument in enumerate(arguments):
        if argument in names and position + 1 < len(arguments):
            values.append(arguments[position + 1])
        elif argument.startswith(tuple(f"{name}=" for name in names if name.startswith("--"))):
            values.append(argument.split("=", 1)[1])
    return values


@cache
def _targets() -> List[str]:
    """What checkov was asked to scan (-d/--directory, -f/--file): it names files relative to them."""
    return _option_values("-d", "--directory", "-f", "--file")


@cache  # checkov asks once per check and resource: 20 checks x every resource of a file
def _real_path(scanned_file: str) -> Optional[str]:
    relative = scanned_file.lstrip("/")
    roots = [os.path.dirname(t) if os.path.isfile(t) else t for t in _targets()] + [os.getcwd()]
    for candidate in (scanned_file, *(os.path.join(root, relative) for root in roots)):
        if os.path.isfile(candidate):
            return os.path.realpath(candidate)
    return None


@cache
def _config_file() -> Optional[Path]:
    """The project's config file, found from the working directory (once per process)."""
    from .config import find_config

    return find_config(Path.cwd())


@cache
def _configured_docs() -> Optional[str]:
    """The config's ``docs-url``; a config that cannot be read is the judgement's to report."""
    from .config import load_config
    from .documents import ParseError

    found = _config_file()
    try:
        return load_config(found).docs_url if found is not None else None
    except (OSError, ParseError):
        return None


@cache
def project_result() -> Result:
    """The whole project, judged once per process; a failure is said once on stderr."""
    with collector.off():
        from .project import Settings, judge

        found = _config_file()
        settings = Settings(
            config_path=os.path.relpath(found) if found else None,
            var_files=tuple(_option_values("--var-file")),  # as checkov gives them to .tf roots
        )
        result = judge(tuple(_targets() or ["."]), settings)
    for error in result.errors:
        if error.message.startswith("not judged"):
            sys.stderr.write(f"clarify-vpc-lint: {error.file}: {error.message}\n")
    return result


class _Found(NamedTuple):
    """What a check says of a finding (its file is the real path)."""

    file: str
    line: int
    resource: str
    rule: str
    severity: str
    message: str


def _said(finding: _Found, per_file: bool) -> str:
    where = f"{finding.resource} (line {finding.line}): " if per_file else ""
    return where + finding.message


Spot = Tuple[str, int, str]  # (real path, line, resource): where a finding or a judged subject is


class _Judgement:
    """The project's result, indexed by real path (checkov names files its own way). A plain
    class: the runner processes that only answer import none of the engine's records (msgspec)."""

    def __init__(self, summary: Dict[str, Any]) -> None:
        # each file read, with its format ("terraform-config" also for a local module outside
        # the scanned folders, read by its root)
        self.formats: Dict[str, str] = summary["formats"]
        self.docs_url: Optional[str] = summary["docs_url"]  # the config's docs-url
        self.config: Optional[str] = summary["config"]  # where declared jobs are (real path)
        self.declared: Dict[str, List[str]] = summary["declared"]  # job -> the names it runs in
        self.failures: List[str] = summary["failures"]  # why the project was not judged at all
        self.types: Dict[str, List[str]] = summary["types"]  # rule -> the types it judged
        self.findings: Dict[str, List[_Found]] = {}
        self.errors: Dict[str, List[str]] = {}
        self.judged: Dict[Tuple[str, str], List[Spot]] = {}  # (rule, path)
        self.judged_in: Dict[str, List[Spot]] = {}  # path: by any rule
        for found in map(_Found._make, summary["findings"]):
            self.findings.setdefault(found.file, []).append(found)
        for path, message in summary["errors"]:
            self.errors.setdefault(path, []).append(message)
        for rule, path, line, resource in summary["judged"]:
            spot = (path, line, resource)
            self.judged.setdefault((rule, path), []).append(spot)
            self.judged_in.setdefault(path, []).append(spot)


def _summary() -> Dict[str, Any]:
    """What the checks need of the project's result, as JSON (shared between processes): the
    findings a baseline does not hide, and where each rule judged a subject (less the subjects
    of hidden findings: the baseline hides them, it does not pass them). Answering from it needs
    none of the engine's modules: the processes that only answer import none of them."""
    from .baseline import BASELINE_VARIABLE, BaselineError, read_baseline
    from .readers.formats import TERRAFORM_CONFIG_EXTENSIONS

    real = cache(os.path.realpath)  # a few files, named at thousands of findings and subjects
    result = project_result()
    findings, failures = list(result.findings), []
    hidden: Set[Tuple[str, str, int, str]] = set()
    baseline = os.environ.get(BASELINE_VARIABLE)
    if baseline:
        try:
            findings, _ = read_baseline(baseline).apply(result.findings, os.getcwd())
        except BaselineError as error:
            failures.append(f"not judged: {BASELINE_VARIABLE}: {error}")
        kept = set(map(id, findings))
        hidden = {(f.rule, real(f.file), f.line, f.resource)
                  for f in result.findings if id(f) not in kept}  # fmt: skip
    failures += [e.message for e in result.errors if e.message.startswith("not judged")]
    judged = [
        (rule, real(loc.file), loc.line, loc.resource)
        for rule, locations in result.judged.items()
        for loc in locations
    ]
    formats = {real(p): k for p, k in result.linted.items()}
    for _, path, _, _ in judged:
        if path not in formats and path.endswith(TERRAFORM_CONFIG_EXTENSIONS):
            formats[path] = "terraform-config"  # a local module, read by its root
    found = _config_file()
    config = real(found) if found is not None else None
    declared = _declared_jobs(found)
    return {
        "formats": formats,
        "docs_url": _configured_docs(),
        "findings": [
            [real(f.file), f.line, f.resource, f.rule, f.severity, f.message] for f in findings
        ],
        "errors": [[real(e.file), e.message] for e in result.errors],
        "judged": [spot for spot in dict.fromkeys(judged) if spot not in hidden],
        "config": config,
        "declared": declared,
        "types": _judged_types(result, config, declared, real),
        "failures": failures,
    }


def _judged_types(
    result: Result,
    config: Optional[str],
    declared: Dict[str, List[str]],
    real: Callable[[str], str] = os.path.realpath,
) -> Dict[str, List[str]]:
    """Per rule, the types of the resources it judged, as checkov names them: a template's
    resource type, a Terraform address's (a job declared in the config file, whose real path is
    ``config``, counts at the resources it names)."""
    from . import tfaddress

    def address_type(address: str) -> str:
        parsed = tfaddress.parse(address.split("/")[0])
        return parsed.local.split(".")[0] if parsed is not None else ""

    named = {address_type(n) for names in declared.values() for n in names}
    types: Dict[str, List[str]] = {}
    for rule, locations in result.judged.items():
        found: Set[str] = set()
        for loc in locations:
            found.add(loc.entity or address_type(loc.resource))
            if config is not None and real(loc.file) == config:
                found |= named
        types[rule] = sorted(found - {""})
    return types


def _declared_jobs(found: Optional[Path]) -> Dict[str, List[str]]:
    """Each job the config file declares, with the names whose Terraform resources carry its
    findings: its subnets in a .tf root, else its model."""
    if found is None:
        return {}
    from .config import load_config
    from .documents import ParseError

    try:
        jobs = load_config(found).jobs
    except (OSError, ParseError):  # the judgement itself reports a bad config file
        return {}
    declared = {}
    for job in jobs:
        if isinstance(job, dict):
            names = job.get("subnets") or [job.get("model")]
            declared[str(job.get("name"))] = [str(n) for n in names if n]
    return declared


@cache
def _judgement() -> _Judgement:
    from .runcache import shared_by_runners

    with collector.off():
        summary = shared_by_runners(_summary, (sys.argv, os.getcwd(), str(CHECKS_DIR)))
        return _Judgement(summary)


def _names(name: str, address: str) -> bool:
    """Does a declared name (``aws_subnet.private``) name this instance address?"""
    return address == name or address.startswith(name + "[")


def _named_jobs(judgement: _Judgement, address: str) -> Set[str]:
    """The declared jobs whose findings a Terraform resource carries."""
    return {
        job
        for job, names in judgement.declared.items()
        if address and any(_names(name, address) for name in names)
    }


@cache
def _instance_known(path: str, start: int, end: int, address: str) -> bool:
    """Did the engine judge this very instance address in the block (asked once per rule)?"""
    return any(
        start <= line <= end and resource.split("/")[0] == address
        for _, line, resource in _judgement().judged_in.get(path, ())
    )


def _in_block(judgement: _Judgement, path: str, conf: Dict[str, Any]) -> Callable[[Spot], bool]:
    """Which spots a .tf resource block answers for: its own instance where the engine knows
    that address, else every instance of the block (count/for_each as checkov expanded them or
    not); a job declared in the config file counts at the resources it names."""
    start, end = conf.get("__start_line__"), conf.get("__end_line__")
    address = str(conf.get("__address__", ""))
    if not isinstance(start, int) or not isinstance(end, int):
        return lambda spot: False
    known = _instance_known(path, start, end, address)
    named_jobs = _named_jobs(judgement, address)

    def answers(spot: Spot) -> bool:
        file, line, resource = spot
        if file == judgement.config:
            return resource in named_jobs
        if file != path or not start <= line <= end:
            return False
        return not known or resource.split("/")[0] == address

    return answers


@cache
def _not_judged() -> List[str]:
    """Why the project could not be judged at all (a time budget ran out), once per process."""
    return _judgement().failures


def _ours(message: str) -> bool:
    """An error of this plugin's engine, not of the input: a bug or a spent time budget."""
    return message.startswith(("internal error", "not judged"))


def verdict(
    rule: RuleHeader, scanned_file: str, resource: Optional[str], conf: Any = None
) -> Tuple[str, List[str]]:
    """("FAILED" | "UNKNOWN" | "PASSED", messages) for the resource (None: the whole file).

    PASSED only where the rule evaluated a subject of that resource and found nothing, and
    every input of the project was read. An error of the engine itself (a bug, the time budget
    spent) FAILS: what it could not judge must not pass unnoticed.
    """
    path = _real_path(scanned_file)
    if path is None:
        return "UNKNOWN", [f"{scanned_file} could not be found to judge it"]
    judgement = _judgement()
    kind = judgement.formats.get(path)
    if resource is None and kind in ("cloudformation", "terraform", "terraform-config"):
        # the json framework sees templates and plans too: their own frameworks answer, per
        # resource; UNKNOWN here reports nothing twice and passes nothing unseen
        return "UNKNOWN", []
    errors = judgement.errors.get(path, [])
    failures = [*_not_judged(), *filter(_ours, errors)]
    if failures:
        return "FAILED", failures
    if errors:  # the input could not be read: checkov says why it could not parse it
        return "UNKNOWN", errors
    if kind is None:  # not read as any input format: nothing was judged
        return "UNKNOWN", []
    if kind == "terraform-config":
        answers = _in_block(judgement, path, conf if isinstance(conf, dict) else {})
    else:
        named_jobs = _named_jobs(judgement, resource) if kind == "terraform" and resource else set()

        def answers(spot: Spot) -> bool:
            if spot[0] == judgement.config:
                return spot[2] in named_jobs
            return spot[0] == path and (resource is None or spot[2].split("/")[0] == resource)

    candidates = [*judgement.findings.get(path, []), *judgement.findings.get(judgement.config, [])]
    findings = [f for f in candidates if f.rule == rule.id and answers(f[:3])]
    per_file = resource is None or kind == "terraform-config"
    definite = [_said(f, per_file) for f in findings if f.severity != "info"]
    if definite:
        return "FAILED", definite
    if findings:
        return "UNKNOWN", [_said(f, per_file) for f in findings]
    judged = [
        *judgement.judged.get((rule.id, path), []),
        *judgement.judged.get((rule.id, judgement.config or ""), []),
    ]
    if not any(answers(spot) for spot in judged):
        return "UNKNOWN", []  # the rule evaluated nothing here
    if judgement.errors:  # what could not be read may hold what fails here (another file's ACL)
        unread = ", ".join(sorted(os.path.relpath(p) for p in judgement.errors))
        return "UNKNOWN", [f"not judged: inputs of the project could not be read ({unread})"]
    return "PASSED", []


@cache
def _rule_page(rule_id: str) -> str:
    from .rulefiles import rule_url

    return rule_url(rule_id, _judgement().docs_url)


def loading_into(module: str, name: str) -> bool:
    """Is checkov loading this directory's checks into the registry ``name`` of ``module``? Each
    of its runner processes loads every module of the directory into its own registries (some
    twenty, one per framework, whether our checks serve it or not); a module registers its checks
    only where they serve, and imports the framework's check class only then (a process that has
    not imported the registry's module is not loading into it). Where the loader cannot be seen
    (another checkov), it registers them."""
    from checkov.common.checks.base_check_registry import BaseCheckRegistry

    frame = sys._getframe(1)
    while frame is not None:
        if "load_external_checks" in frame.f_code.co_name:
            loader = frame.f_locals.get("self")
            if isinstance(loader, BaseCheckRegistry):
                return loader is getattr(sys.modules.get(module), name, None)
        frame = frame.f_back
    return True


class _Guideline:
    """A check's ``guideline``: its rule's page, looked up when checkov records a result (most
    runner processes register the checks and never ask, and the config's ``docs-url`` is read
    once per process). checkov's constructor sets it to None (ignored) and reads it only to log
    that a check has one (not yet: ``registered`` is set after it)."""

    def __get__(self, check: Any, owner: type) -> Optional[str]:
        registered = check is not None and check.__dict__.get("registered")
        return _rule_page(check.rule.id) if registered else None

    def __set__(self, check: Any, value: Optional[str]) -> None:
        pass


def _judged_types_to_ask() -> Optional[Dict[str, List[str]]]:
    """Per rule, the resource types its check is asked about, where the judgement can narrow
    them: checkov records a result for each check it asks of each resource of its types (some
    170-300 us each, most of it debug logging), and a rule answers UNKNOWN, which checkov does
    not report, wherever it judged nothing (15% of the questions over 200 templates). None: ask
    of every type: checkov was given nothing to scan, or the engine failed, which fails the
    checks wherever they are asked (a bug here too: the checks meet it again, and fail)."""
    if not _targets():
        return None
    try:
        judgement = _judgement()
    except Exception:  # never lose the checks at load: each check asked says the error
        return None
    ours = any(_ours(m) for messages in judgement.errors.values() for m in messages)
    return None if judgement.failures or ours else judgement.types


def make_checks(
    base: type,
    resources: Dict[str, List[str]],
    namespace: Dict[str, Any],
    *,
    per_file: bool = False,
    judged_only: bool = False,
) -> None:
    """Instantiate (and so register) one check per catalogue rule, named CKV_CVL_<digits>.

    ``resources`` names, per subject kind, the entities checkov asks a rule's check about;
    ``judged_only`` (as checkov loads the checks to scan) keeps of them the types the rule judged
    in this project (``_judged_types_to_ask``), and registers no check for a rule that judged none.
    """
    from checkov.common.models.enums import CheckCategories, CheckResult

    from .rulefiles import plugin_rule_headers

    judged_types = _judged_types_to_ask() if judged_only and not per_file else None
    for rule in plugin_rule_headers():
        types = resources[rule.subject]
        if judged_types is not None:
            types = [t for t in types if t in judged_types.get(rule.id, ())]
            if not types:
                continue  # the rule judged nothing this framework shows

        def __init__(self: Any, rule: RuleHeader = rule, types: List[str] = types) -> None:
            self.rule = rule
            keywords = (
                {"supported_entities": types, "block_type": "jsondocument"}
                if per_file
                else {"supported_resources": types}
            )
            base.__init__(self, name=f"{rule.id} {rule.name}", id=rule.checkov_id,
                          categories=[CheckCategories.NETWORKING], **keywords)  # fmt: skip
            self.registered = True

        def run(self: Any, scanned_file: str, entity_configuration: Any, entity_name: str,
                entity_type: str, skip_info: Any) -> Any:  # fmt: skip
            self.scanned = (scanned_file, None if per_file else entity_name)
            return base.run(
                self, scanned_file, entity_configuration, entity_name, entity_type, skip_info
            )

        def judge(self: Any, conf: Any, entity_type: Any = None) -> Any:
            scanned_file, resource = self.scanned
            if isinstance(conf, dict) and isinstance(conf.get("__address__"), str):
                resource = conf["__address__"]  # a Terraform resource: its full address
            try:
                outcome, messages = verdict(self.rule, scanned_file, resource, conf)
            except Exception as error:  # a bug of ours fails the check, never passes it
                outcome, messages = "FAILED", [f"internal error: {type(error).__name__}: {error}"]
            # checkov copies the name into this result's record, in every output format
            self.name = "; ".join([f"{self.rule.id} {self.rule.name}", *messages])
            return getattr(CheckResult, outcome)

        check = type(rule.checkov_id, (base,), {
            "__module__": namespace["__name__"],  # checkov names its logger and records by it
            "__init__": __init__, "run": run, "guideline": _Guideline(),
            "scan_resource_conf": judge, "scan_entity_conf": judge if per_file else base.scan_entity_conf,
        })  # fmt: skip
        namespace[rule.checkov_id] = check()
