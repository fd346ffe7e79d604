"""pre-commit hook: the staged files judged in the context of the whole project (SPEC section 7).

pre-commit passes the staged file names. Judging them alone would miss what a change does to the
other stacks (an ML stack relying on the endpoint a staged network stack deletes), so the hook lints
the whole project as it would be committed (the index) and, when something outside the staged files
is wrong, the project as committed before (HEAD). It blocks on

- every finding and input error in a staged file, and
- every finding elsewhere that HEAD did not have (the change caused it: compared by rule, file,
  resource and message, not line).

Findings that were already there in files the change did not touch are counted, not shown. The
project is the config's ``paths:`` if it has them, else the repository; both versions are read from
git (the index and HEAD), so unstaged edits and untracked files play no part.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple, Union

from msgspec.structs import replace

from .baseline import BaselineError, read_baseline
from .catalogue import SEVERITIES
from .config import Config, find_config, load_config
from .documents import ParseError
from .engine import Finding
from .linter import DEFAULT_REGION, Options, Result, run
from .paths import anchor, matches, within
from .readers import EXTENSIONS, MAX_PLAN_BYTES
from .writers import writer

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_REGULAR_FILES = ("100644", "100755")  # not symlinks (120000) nor submodules (160000)


def _git(*args: str, stdin: Optional[bytes] = None) -> Tuple[int, bytes]:
    completed = subprocess.run(["git", *args], input=stdin, capture_output=True, check=False)
    return completed.returncode, completed.stdout


def _blobs(revision: str) -> Dict[str, str]:
    """path -> blob id of every regular file in the index (``:``) or in a commit."""
    index = revision == ":"
    listing = (
        ("ls-files", "-s", "-z") if index else ("ls-tree", "-r", "-z", "--full-tree", revision)
    )
    code, out = _git(*listing)
    if code != 0:  # no commit yet: the project was empty
        return {}
    blobs = {}
    for entry in filter(None, out.split(b"\0")):
        meta, path = entry.split(b"\t", 1)
        fields = meta.decode().split()  # ls-files: mode blob stage; ls-tree: mode type blob
        blob, stage = (fields[1], fields[2]) if index else (fields[2], "0")
        if fields[0] in _REGULAR_FILES and stage == "0":  # stage > 0: an unresolved merge
            blobs[path.decode()] = blob
    return blobs


# a blob's bytes, or the size of one larger than any input may be (never read: see _contents)
Content = Union[bytes, int]


def _contents(blobs: Set[str]) -> Dict[str, Content]:
    """The blobs' bytes, read by one ``git cat-file --batch``. A blob larger than any reader
    takes (MAX_PLAN_BYTES) is not read into memory: its size stands for it, and the file
    written for it (``_lint_version``) is refused by its size as the file itself would be."""
    order = sorted(blobs)
    _, listing = _git("cat-file", "--batch-check", stdin="".join(f"{b}\n" for b in order).encode())
    sizes = {}
    for line in listing.decode().splitlines():  # "<blob> blob <size>", or "<blob> missing"
        fields = line.split()
        if len(fields) == 3 and fields[2].isdigit():
            sizes[fields[0]] = int(fields[2])
    contents: Dict[str, Content] = {b: sizes[b] for b in order if sizes.get(b, 0) > MAX_PLAN_BYTES}
    wanted = [b for b in order if b not in contents]
    _, out = _git("cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted).encode())
    position = 0
    for blob in wanted:
        header_end = out.index(b"\n", position)
        size = int(out[position:header_end].split()[2])
        contents[blob] = out[header_end + 1 : header_end + 1 + size]
        position = header_end + 1 + size + 1
    return contents


def _in_project(path: str, roots: Sequence[str], extra: Set[str]) -> bool:
    if path in extra:
        return True
    return path.endswith(EXTENSIONS) and any(within(path, r) for r in [*roots, *extra])


def _from_work_tree(paths: Sequence[str], tracked: Dict[str, str]) -> List[str]:
    """Inventories and parameter files git does not hold (often the case for `aws ec2 describe-*`
    output) are read where they are, for both versions; tracked ones come from each version."""
    return [
        p if any(within(t, os.path.normpath(p)) for t in tracked) else os.path.abspath(p)
        for p in paths
    ]


@contextmanager
def _inside(directory: str) -> Iterator[None]:
    here = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(here)


def _scratch_base() -> Optional[str]:
    """A memory-backed folder when there is one: writing and removing two copies of a project on
    a disk-backed /tmp can cost more than linting them."""
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return None  # the system's temporary folder


def _lint_version(files: Dict[str, Content], directory: str, options: Options) -> Result:
    """Write one version of the project into ``directory`` and lint it there (same relative names)."""
    os.makedirs(directory, exist_ok=True)
    for path, content in files.items():
        target = Path(directory, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, int):  # too large to read: a file of its size, holding nothing
            with open(target, "wb") as handle:
                handle.truncate(content)
        else:
            target.write_bytes(content)
    linted = sorted(p for p in files if p.endswith(EXTENSIONS))
    with _inside(directory):
        return run(replace(options, paths=linted))


def _fails(findings: List[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) >= threshold for f in findings)


def _key(finding: Finding) -> Tuple[str, str, str, str]:
    return (finding.rule, finding.file, finding.resource, finding.message)


def _config(path: Optional[str]) -> Config:
    found = Path(path) if path else find_config(Path.cwd())
    return load_config(Path(os.path.relpath(found))) if found else Config()


def _project_files(
    revision: str, roots: Sequence[str], extra: Set[str], exclude: Sequence[str]
) -> Dict[str, str]:
    return {
        p: b
        for p, b in _blobs(revision).items()
        if _in_project(p, roots, extra) and (p in extra or not matches(p, exclude))
    }


def _deleted(roots: Sequence[str], exclude: Sequence[str]) -> List[str]:
    """Project files the commit deletes: pre-commit passes none, yet a deleted stack can break
    another (the hook runs on every commit for this: ``always_run``)."""
    code, out = _git("diff", "--cached", "--name-only", "--diff-filter=D", "-z")
    names = [n.decode() for n in out.split(b"\0") if n] if code == 0 else []
    return [n for n in names if _in_project(n, roots, set()) and not matches(n, exclude)]


def check(
    staged: Sequence[str], config: Config, given: Optional[Options] = None
) -> Tuple[Result, int]:
    """The blocking part of the staged project's result, and how many findings were not shown.

    ``given`` carries what the hook's arguments add to the config file: inventories, parameter
    files, Terraform variables, a region, exclusions.
    """
    given = given or Options(paths=())
    staged_set = {os.path.normpath(p) for p in staged}
    roots = list(config.paths or ["."])
    context = [*config.context, *given.context]
    parameters = [*config.parameters, *given.parameters]
    folder = os.path.dirname(config.path or "") or os.curdir
    exclude = [*given.exclude, *(anchor(p, folder) for p in config.exclude)]
    extra = {os.path.normpath(p) for p in [*context, *parameters, *given.var_files]} | staged_set
    index = _project_files(":", roots, extra, exclude)
    options = Options(
        context=_from_work_tree(context, index),
        parameters=_from_work_tree(parameters, index),
        region=given.region if given.region != DEFAULT_REGION else config.region or DEFAULT_REGION,
        ignore=list(config.ignore),
        per_path_ignores=config.per_path_ignores,
        severity=config.severity,
        config=config,
        var_files=_from_work_tree(given.var_files, index),
        variables=dict(given.variables),
    )
    with tempfile.TemporaryDirectory(prefix="clarify-vpc-lint-", dir=_scratch_base()) as scratch:
        contents = _contents(set(index.values()))
        now = _lint_version(
            {p: contents[b] for p, b in index.items()}, os.path.join(scratch, "index"), options
        )
        elsewhere = [f for f in now.findings if f.file not in staged_set]
        other_errors = [e for e in now.errors if e.file not in staged_set]
        before_findings: Set[Tuple[str, str, str, str]] = set()
        before_errors: Set[Tuple[str, str]] = set()
        if elsewhere or other_errors:  # only then does HEAD matter
            head = _project_files("HEAD", roots, extra, exclude)
            contents.update(_contents(set(head.values()) - set(contents)))
            before = _lint_version(
                {p: contents[b] for p, b in head.items()}, os.path.join(scratch, "head"), options
            )
            before_findings = {_key(f) for f in before.findings}
            before_errors = {(e.file, e.message) for e in before.errors}
    blocking = [f for f in now.findings if f.file in staged_set or _key(f) not in before_findings]
    errors = [
        e for e in now.errors if e.file in staged_set or (e.file, e.message) not in before_errors
    ]
    hidden = len(now.findings) - len(blocking)
    return replace(now, findings=blocking, errors=errors), hidden


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="clarify-vpc-lint-pre-commit",
        description="Judge staged files in the context of the whole project (a pre-commit hook).",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="the staged files")
    parser.add_argument("--config", metavar="FILE", help="configuration file")
    parser.add_argument("--fail-on", choices=("error", "warning", "info", "never"))
    for option, help_text in (
        ("--context", "an inventory file or folder (repeatable)"),
        ("--parameters", "a CloudFormation parameter file (repeatable)"),
        ("--var-file", "a Terraform variable file (repeatable)"),
        ("--var", "a Terraform variable, NAME=VALUE (repeatable)"),
        ("--exclude", "a glob of files and folders not to lint (repeatable)"),
    ):
        parser.add_argument(option, action="append", default=[], metavar="VALUE", help=help_text)
    parser.add_argument("--region", help="AWS region (default: the config's, else us-east-1)")
    parser.add_argument(
        "--baseline", metavar="FILE", help="hide the findings recorded in FILE (--write-baseline)"
    )
    args = parser.parse_args(argv)
    code, top = _git("rev-parse", "--show-toplevel")
    if code != 0:
        sys.stdout.write("clarify-vpc-lint: error: not inside a git repository\n")
        return EXIT_ERROR
    with _inside(top.decode().strip()):  # pre-commit runs hooks there; git names paths from there
        return _hook(args)


def _hook(args: argparse.Namespace) -> int:
    try:
        config = _config(args.config)
    except (OSError, ParseError) as error:
        where = args.config or str(find_config(Path.cwd()) or "config")
        sys.stdout.write(f"{where}: error: {error}\n")
        return EXIT_ERROR
    roots = list(config.paths or ["."])
    folder = os.path.dirname(config.path or "") or os.curdir
    exclude = [*args.exclude, *(anchor(p, folder) for p in config.exclude)]
    if not args.files and not _deleted(roots, exclude):
        return EXIT_OK  # nothing of the project changes (the hook runs on every commit)
    variables = dict(v.split("=", 1) for v in args.var if "=" in v)
    bad = [v for v in args.var if "=" not in v]
    if bad:
        sys.stdout.write(f"--var {bad[0]}: error: expected NAME=VALUE\n")
        return EXIT_ERROR
    given = Options(
        paths=(),
        context=args.context,
        parameters=args.parameters,
        var_files=args.var_file,
        variables=variables,
        exclude=args.exclude,
        region=args.region or DEFAULT_REGION,
    )
    try:
        result, hidden = check(args.files, config, given)
    except (OSError, ValueError) as error:  # not a git repository, git missing, ...
        sys.stdout.write(f"clarify-vpc-lint: error: cannot read the staged project: {error}\n")
        return EXIT_ERROR
    if args.baseline:  # the findings name files from the repository's top, where this runs
        try:
            baseline = read_baseline(args.baseline)
        except BaselineError as error:
            sys.stdout.write(f"clarify-vpc-lint: error: {error}\n")
            return EXIT_ERROR
        result.findings, result.baselined = baseline.apply(result.findings, os.getcwd())
    sys.stdout.write(writer("text")(result))
    if hidden:
        sys.stdout.write(
            f"{hidden} finding(s) the staged change did not cause are not shown "
            "(run clarify-vpc-lint to see them)\n"
        )
    if result.errors:
        return EXIT_ERROR
    fail_on = args.fail_on or config.fail_on or "warning"
    return EXIT_FINDINGS if _fails(result.findings, fail_on) else EXIT_OK


__all__ = ["check", "main"]
