"""Command line: ``clarify-vpc-lint [PATH ...] [options]`` (SPEC section 6)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from . import __version__
from .catalogue import SEVERITIES, explain, load_rules, rules_by_id
from .config import Config, find_config, load_config
from .linter import DEFAULT_REGION, Options, Result, run
from .readers.source import ParseError
from .writers import FORMATS, writer

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
    parser.add_argument(
        "--context",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="saved `aws ec2 describe-*` output",
    )
    parser.add_argument(
        "--parameters",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="CloudFormation parameter values",
    )
    parser.add_argument("--region", help=f"AWS region (default {DEFAULT_REGION})")
    parser.add_argument(
        "--fail-on", choices=FAIL_ON, help="lowest severity that fails (default warning)"
    )
    parser.add_argument("--ignore", nargs="+", action="extend", default=[], metavar="ID")
    parser.add_argument("--config", metavar="FILE", help="configuration file")
    parser.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="parse files in N processes"
    )
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--explain", metavar="ID", help="explain one rule and exit")
    parser.add_argument("--verbose", action="store_true", help="also list the files skipped")
    parser.add_argument("--checkov-dir", action="store_true",
                        help="print the directory of checks for checkov --external-checks-dir")  # fmt: skip
    parser.add_argument("--version", action="version", version=f"clarify-vpc-lint {__version__}")
    return parser


def _list_rules() -> str:
    lines = [f"{'ID':<8}{'severity':<10}{'name':<42}summary"]
    for rule in load_rules():
        summary = rule.summary.split(": ")[0].split(". ")[0]
        summary = summary if len(summary) <= 90 else summary[:89] + "…"
        lines.append(f"{rule.id:<8}{rule.severity:<10}{rule.name:<42}{summary}")
    return "\n".join(lines) + "\n"


def _load_config(path: Optional[str]) -> Config:
    found = Path(path) if path else find_config(Path.cwd())
    if found is None:
        return Config()
    return load_config(found)


def _fails(result: Result, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) >= threshold for f in result.findings)


def main(argv: Optional[List[str]] = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug must still leave one clear line and exit 2, not a traceback
        sys.stderr.write(
            f"clarify-vpc-lint: internal error ({type(error).__name__}: {error}); please report it\n"
        )
        return EXIT_ERROR


def _main(argv: Optional[List[str]]) -> int:
    args = _parser().parse_args(argv)
    if args.checkov_dir:  # a path only: checkov itself is not imported here
        from .checkov import CHECKS_DIR

        sys.stdout.write(f"{CHECKS_DIR}\n")
        return EXIT_OK
    if args.list_rules:
        sys.stdout.write(_list_rules())
        return EXIT_OK
    if args.explain:
        rule = rules_by_id().get(args.explain.upper())
        if rule is None:
            sys.stderr.write(f"clarify-vpc-lint: error: no rule {args.explain}\n")
            return EXIT_ERROR
        sys.stdout.write(explain(rule))
        return EXIT_OK
    try:
        config = _load_config(args.config)
    except (OSError, ParseError) as error:
        line = f":{error.line}" if getattr(error, "line", None) else ""
        sys.stderr.write(f"{args.config or 'config'}{line}: error: {error}\n")
        return EXIT_ERROR
    known = rules_by_id()
    bad_ids = [i for i in [*args.ignore, *config.ignore, *config.severity] if i not in known]
    bad_severity = [s for s in config.severity.values() if s not in SEVERITIES]
    fail_on = args.fail_on or config.fail_on or "warning"
    if bad_ids or bad_severity or fail_on not in FAIL_ON:
        sys.stderr.write(
            f"clarify-vpc-lint: error: unknown rule ID or severity: {', '.join(bad_ids + bad_severity) or fail_on}\n"
        )
        return EXIT_ERROR

    options = Options(
        paths=args.paths or ["."],
        context=[*config.context, *args.context],
        parameters=[*config.parameters, *args.parameters],
        region=args.region or config.region or DEFAULT_REGION,
        ignore=[*config.ignore, *args.ignore],
        per_path_ignores=config.per_path_ignores,
        severity=config.severity,
        config=config,
        workers=max(1, args.jobs),
    )
    result = run(options)
    report = writer(args.format)(result)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report)
    else:
        sys.stdout.write(report)
    if args.verbose:
        for path in result.skipped:
            sys.stderr.write(f"{path}: skipped: not an input format clarify-vpc-lint reads\n")
    if result.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if _fails(result, fail_on) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
