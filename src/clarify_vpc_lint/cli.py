"""Command line: ``clarify-vpc-lint [PATH ...] [options]`` (SPEC section 6)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

from . import DEFAULT_REGION, __version__
from .writers import FORMATS

if TYPE_CHECKING:  # the pipeline is imported in _main, once the arguments ask for linting
    from .config import Config
    from .linter import Options, Result

FAIL_ON = ("error", "warning", "info", "never")
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep it one line
        self.exit(EXIT_ERROR, f"clarify-vpc-lint: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clarify-vpc-lint",
        description="Find the VPC mistakes that make SageMaker Clarify jobs fail, offline.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: .)"
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    # every option takes one value and repeats, so none swallows the paths that follow it
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="FILE",
        help="saved `aws ec2 describe-*` output; a folder means every inventory in it (repeat)",
    )
    parser.add_argument(
        "--parameters",
        action="append",
        default=[],
        metavar="FILE",
        help="CloudFormation parameter values (repeat)",
    )
    parser.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="Terraform variable values for .tf root modules (repeat)",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        type=_variable,
        help="a Terraform variable's value for .tf root modules (repeat)",
    )
    parser.add_argument("--region", help=f"AWS region (default {DEFAULT_REGION})")
    parser.add_argument(
        "--fail-on", choices=FAIL_ON, help="lowest severity that fails (default warning)"
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="a rule not to check: CVL201, E9201 or CKV_CVL_201 (repeat)",
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="ID",
        help="check only this rule (repeat; default: every rule)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="files or folders a directory walk skips (repeat)",
    )
    parser.add_argument("--config", metavar="FILE", help="configuration file")
    parser.add_argument(
        "--statistics", action="store_true", help="print counts per rule instead of findings"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="errors and warnings only, without remediations"
    )
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--explain", metavar="ID", help="explain one rule and exit")
    parser.add_argument("--verbose", action="store_true", help="also list the files skipped")
    parser.add_argument("--checkov-dir", action="store_true",
                        help="print the directory of checks for checkov --external-checks-dir")  # fmt: skip
    parser.add_argument(
        "--inventory-commands",
        action="store_true",
        help="print the `aws ec2 describe-*` commands that save the inventory, and exit",
    )
    parser.add_argument(
        "--vpc",
        action="append",
        default=[],
        metavar="ID",
        help="with --inventory-commands: only this VPC (repeat)",
    )
    fixing = parser.add_mutually_exclusive_group()
    fixing.add_argument(
        "--fix", action="store_true", help="write the complete fixes into the files, lint again"
    )
    fixing.add_argument(
        "--diff", action="store_true", help="print the diff --fix would write; write nothing"
    )
    parser.add_argument(
        "--baseline", metavar="FILE", help="hide the findings recorded in FILE (--write-baseline)"
    )
    parser.add_argument(
        "--write-baseline", metavar="FILE", help="record the current findings in FILE"
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print versions and exit")
    return parser


class _OutputLost(Exception):
    """Standard output cannot take what the run writes (closed, a full disk, a closed pipe)."""


def _out(text: str) -> None:
    """Write to standard output now; a stream that cannot take it is _OutputLost, which main
    says in one line (exit 2): the report is lost, but that is no internal error."""
    if sys.stdout is None:  # started with standard output closed
        raise _OutputLost("standard output is closed")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as error:
        raise _OutputLost(error.strerror or str(error)) from None


class _Version(argparse.Action):
    """The version, and the botocore whose service model CVL001 judges requests by."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from .botocore_data import version as botocore_version

        _out(f"clarify-vpc-lint {__version__} (CVL001: botocore {botocore_version()})\n")
        parser.exit(EXIT_OK)


def _variable(text: str) -> Tuple[str, str]:
    """``--var NAME=VALUE``, as Terraform's -var."""
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name.strip(), value


def _list_rules() -> str:
    from .catalogue import load_rules

    lines = [f"{'ID':<8}{'severity':<10}{'name':<42}summary"]
    for rule in load_rules():
        summary = rule.summary.split(": ")[0].split(". ")[0]
        summary = summary if len(summary) <= 90 else summary[:89] + "…"
        lines.append(f"{rule.id:<8}{rule.severity:<10}{rule.name:<42}{summary}")
    return "\n".join(lines) + "\n"


def _config_path(named: Optional[str]) -> Optional[Path]:
    from .config import find_config

    found = Path(named) if named else find_config(Path.cwd())
    # relative to the working directory: declared jobs' findings name the config file so
    return Path(os.path.relpath(found)) if found is not None and found.is_absolute() else found


def _fails(result: Result, fail_on: str) -> bool:
    from .catalogue import SEVERITIES

    if fail_on == "never":
        return False
    threshold = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) >= threshold for f in result.findings)


def main(argv: Optional[List[str]] = None) -> int:
    # a report must never be lost to a character the output cannot encode (a file name that is
    # not UTF-8, PYTHONIOENCODING=ascii): such characters are written as backslash escapes
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except _OutputLost as error:
        # what is still buffered must not fail again when Python exits (unless standard
        # output is closed, or no file: a test's capture)
        with contextlib.suppress(AttributeError, OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.stderr.write(f"clarify-vpc-lint: error: cannot write the report: {error}\n")
        return EXIT_ERROR
    except Exception as error:  # a bug must still leave one clear line and exit 2, not a traceback
        sys.stderr.write(
            f"clarify-vpc-lint: internal error ({type(error).__name__}: {error}); please report it\n"
        )
        return EXIT_ERROR


def _error(message: str) -> int:
    sys.stderr.write(f"clarify-vpc-lint: error: {message}\n")
    return EXIT_ERROR


def _output_problem(output: str) -> Optional[str]:
    """Why the report cannot be written to ``output``, found before any linting."""
    if os.path.isdir(output):
        return f"--output {output}: is a directory"
    folder = os.path.dirname(output) or os.curdir
    if not os.path.isdir(folder):
        return f"--output {output}: folder {folder} does not exist"
    if os.path.exists(output) and not os.access(output, os.W_OK):
        return f"--output {output}: not writable"
    if not os.path.exists(output) and not os.access(folder, os.W_OK):
        return f"--output {output}: folder {folder} is not writable"
    return None


def _inputs(result: Result, options: Options) -> Set[str]:
    """The real paths of every file the run read or was told to read."""
    named = [*options.paths, *options.context, *options.parameters]
    if options.config is not None and options.config.path:
        named.append(options.config.path)
    read = [*result.linted, *(e.file for e in result.errors)]
    return {os.path.realpath(p) for p in [*named, *read] if os.path.isfile(p)}


def _options(
    args: argparse.Namespace,
    config: Config,
    spellings: Dict[str, str],
) -> Options:
    from .linter import Options
    from .paths import anchor

    def canonical(ids: List[str]) -> List[str]:
        return [spellings[i.upper()] for i in ids]

    config_folder = os.path.dirname(config.path) if config.path else os.curdir
    return Options(
        paths=args.paths or ["."],
        context=[*config.context, *args.context],
        parameters=[*config.parameters, *args.parameters],
        region=args.region or config.region or DEFAULT_REGION,
        ignore=[*config.ignore, *canonical(args.ignore)],  # the config's: load_config's
        select=canonical(args.select),
        # the config's patterns are relative to the config file, wherever it is run from
        per_path_ignores={
            anchor(pattern, config_folder): rules
            for pattern, rules in config.per_path_ignores.items()
        },
        severity=config.severity,
        config=config,
        exclude=[*args.exclude, *(anchor(p, config_folder) for p in config.exclude)],
        var_files=args.var_file,
        variables=dict(args.var),
    )


def _say_what_was_not_fixed(fixes) -> None:
    for left in fixes.not_applied:
        finding = left.finding
        sys.stderr.write(
            f"{finding.file}:{finding.line}: {finding.rule} {finding.resource}: "
            f"not fixed: {left.reason}\n"
        )


def _baseline(result: Result, args: argparse.Namespace, options: Options) -> Optional[str]:
    """Write and apply the baselines asked for; what went wrong, else None. A run with input
    errors writes none: the unread files' findings would drop out of it; nor over an input."""
    if not args.write_baseline and not args.baseline:
        return None
    from .baseline import BaselineError, read_baseline, write_baseline

    try:
        if args.write_baseline:
            if result.errors:
                return f"--write-baseline {args.write_baseline}: not written, as inputs could not be read"
            if os.path.realpath(args.write_baseline) in _inputs(result, options):
                return (
                    f"--write-baseline {args.write_baseline}: is one of the inputs; not overwritten"
                )
            written = write_baseline(args.write_baseline, result.findings, os.getcwd())
            sys.stderr.write(f"{args.write_baseline}: {written} finding(s) recorded\n")
        path = args.write_baseline or args.baseline
        if path:
            result.findings, result.baselined = read_baseline(path).apply(
                result.findings, os.getcwd()
            )
    except BaselineError as error:
        return str(error)
    return None


def _named_but_not_read(result: Result, options: Options) -> None:
    """A file named on the command line that is no input is an input error (exit 2), so a
    typo or a wrong file is never a green run; one that is Python or Terraform read to no end
    gets a line on stderr."""
    from .findings import InputError
    from .readers import EMPTY, NOT_AN_INPUT, NOT_REGULAR

    named = dict.fromkeys([*options.paths, *options.context])
    for path in (p for p in named if p in result.skipped):
        reason = result.skipped.pop(path)
        if reason == NOT_AN_INPUT:
            result.errors.append(InputError(path, None, _not_an_input()))
        elif reason in (NOT_REGULAR, EMPTY):
            result.errors.append(InputError(path, None, reason))
        else:
            sys.stderr.write(f"{path}: {reason}\n")
    result.errors.sort(key=lambda e: (e.file, e.line or 0, e.message))


def _say_what_was_skipped(result: Result) -> None:
    """With --verbose: every file a walk found and did not read, and why."""
    for note in result.notes:
        sys.stderr.write(f"{note}\n")
    for path, reason in result.skipped.items():
        sys.stderr.write(f"{path}: skipped: {reason}\n")


def _main(argv: Optional[List[str]]) -> int:
    args = _parser().parse_intermixed_args(argv)
    if args.checkov_dir:  # a path only: checkov itself is not imported here
        from .checkov import CHECKS_DIR

        _out(f"{CHECKS_DIR}\n")
        return EXIT_OK
    if args.list_rules:
        _out(_list_rules())
        return EXIT_OK
    if args.inventory_commands:
        from .inventory_commands import inventory_commands

        _out(inventory_commands(args.region, args.vpc))
        return EXIT_OK
    from .catalogue import SEVERITIES, explain, rule_ids, rules_by_id
    from .documents import ParseError
    from .linter import run
    from .writers import writer

    spellings = rule_ids()
    if args.explain:
        rule_id = spellings.get(args.explain.upper())
        if rule_id is None:
            return _error(f"no rule {args.explain}")
        _out(explain(rules_by_id()[rule_id]))
        return EXIT_OK
    problem = args.output and _output_problem(args.output)
    if problem:
        return _error(problem)
    from .config import Config, load_config

    config_path = _config_path(args.config)
    try:
        config = load_config(config_path) if config_path is not None else Config()
    except (OSError, ParseError) as error:
        line = f":{error.line}" if getattr(error, "line", None) else ""
        sys.stderr.write(f"{config_path}{line}: error: {error}\n")
        return EXIT_ERROR
    ids = [*args.ignore, *args.select, *config.ignore, *config.severity]
    ids += [i for rules in config.per_path_ignores.values() for i in rules]
    bad_ids = [i for i in ids if i.upper() not in spellings]
    bad_severity = [s for s in config.severity.values() if s not in SEVERITIES]
    fail_on = args.fail_on or config.fail_on or "warning"
    if bad_ids or bad_severity or fail_on not in FAIL_ON:
        bad = [i if i.strip() else repr(i) for i in bad_ids + bad_severity]  # '' shown as ''
        return _error(f"unknown rule ID or severity: {', '.join(bad) or fail_on}")

    options = _options(args, config, spellings)
    result = run(options)
    _named_but_not_read(result, options)
    if args.fix or args.diff:
        from .fixes import plan_fixes

        fixes = plan_fixes(result)
        _say_what_was_not_fixed(fixes)
        if args.diff:
            _out(fixes.diff())
            return EXIT_ERROR if result.errors else EXIT_FINDINGS if fixes.fixed else EXIT_OK
        try:
            fixes.write()
        except OSError as error:
            return _error(f"cannot write a fix: {error}")
        sys.stderr.write(
            f"fixed {len(fixes.applied)} finding(s) in {len(fixes.fixed)} file(s); linting again\n"
        )
        result = run(options)
        _named_but_not_read(result, options)
    problem = _baseline(result, args, options)
    if problem:
        return _error(problem)
    if args.format == "text":
        colour = (
            args.output is None
            and bool(sys.stdout and sys.stdout.isatty())
            and not os.environ.get("NO_COLOR")
        )
        report = writer("text")(result, colour=colour, quiet=args.quiet, statistics=args.statistics)
    else:
        report = writer(args.format)(result)
    if args.verbose:
        _say_what_was_skipped(result)
    if args.output:
        if os.path.realpath(args.output) in _inputs(result, options):
            return _error(f"--output {args.output}: is one of the inputs; not overwritten")
        try:
            with open(args.output, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(report)
        except OSError as error:
            return _error(f"--output {args.output}: cannot write: {error.strerror or error}")
    else:
        _out(report)
    if result.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if _fails(result, fail_on) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def _not_an_input() -> str:
    from .readers.formats import TITLES  # the pipeline is loaded by now

    return f"not an input clarify-vpc-lint reads (it reads {', '.join(TITLES.values())})"
