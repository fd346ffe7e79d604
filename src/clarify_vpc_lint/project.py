"""One judgement per file or project, shared by the cfn-lint and checkov plugins.

The plugins ask once per rule and resource; the engine runs once per input. The cache is keyed by
the inputs' contents (a hash), so a file changed within one mtime tick is judged again, and it
keeps failures too: a file that makes the engine fail is judged once, not once per rule. Each
judgement has a time budget (``CLARIFY_VPC_LINT_TIME_BUDGET`` seconds, default 60): a file that
needs more is reported as not judged instead of blocking the host.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from msgspec import Struct

from .config import load_config
from .documents import ParseError, read_regular_file
from .linter import DEFAULT_REGION, Options, Result, run
from .readers import MAX_PLAN_BYTES, InputError

BUDGET_VARIABLE = "CLARIFY_VPC_LINT_TIME_BUDGET"
DEFAULT_BUDGET_SECONDS = 60.0


class Settings(Struct, frozen=True):
    """What a judgement depends on besides the judged files."""

    region: Optional[str] = None
    context: Tuple[str, ...] = ()
    parameters: Tuple[str, ...] = ()
    config_path: Optional[str] = None
    var_files: Tuple[str, ...] = ()  # Terraform -var-file, for .tf roots


class _OutOfTime(BaseException):  # not an Exception: the readers' guards must not swallow it
    pass


_CACHE: Dict[Any, Result] = {}


def fingerprint(path: str) -> Tuple[Any, ...]:
    """A file's content hash; a directory's listing with each file's size and mtime_ns."""
    try:
        if os.path.isdir(path):
            return tuple(
                (os.path.join(root, name), os.stat(os.path.join(root, name)).st_size,
                 os.stat(os.path.join(root, name)).st_mtime_ns)
                for root, _, names in sorted(os.walk(path))
                for name in sorted(names)
            )  # fmt: skip
        content = read_regular_file(path, MAX_PLAN_BYTES)  # never a FIFO: the host would hang
        return (hashlib.blake2b(content, digest_size=16).hexdigest(),)
    except (OSError, ParseError):
        return ("unreadable",)


def budget_seconds() -> float:
    try:
        return float(os.environ.get(BUDGET_VARIABLE, DEFAULT_BUDGET_SECONDS))
    except ValueError:
        return DEFAULT_BUDGET_SECONDS


def _within_budget(work: Callable[[], Result], seconds: float) -> Result:
    """Run ``work``, interrupting it after ``seconds`` (only the main thread can take a signal)."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if seconds <= 0 or not usable:
        return work()

    def expire(signum: int, frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _options(paths: Tuple[str, ...], settings: Settings) -> Options:
    """A config file adds its declared jobs and ignores, and its region, inventories and
    parameter files where none are given."""
    config = load_config(Path(settings.config_path)) if settings.config_path else None
    return Options(
        paths=list(paths),
        region=settings.region or (config.region if config else None) or DEFAULT_REGION,
        context=list(settings.context or (config.context if config else ())),
        parameters=list(settings.parameters or (config.parameters if config else ())),
        ignore=list(config.ignore) if config else [],
        per_path_ignores=config.per_path_ignores if config else {},
        config=config,
        var_files=list(settings.var_files),
    )


def judge(paths: Tuple[str, ...], settings: Settings) -> Result:
    """The result for ``paths`` (files or directories), judged once per content and settings.

    A failure (an engine error, a bad config file, the time budget spent) is a result too: no
    finding, one error naming the first path ("not judged: ...").
    """
    inputs = (
        *paths,
        *settings.context,
        *settings.parameters,
        *settings.var_files,
        *filter(None, [settings.config_path]),
    )
    key = (paths, settings, tuple(fingerprint(p) for p in inputs))
    if key in _CACHE:
        return _CACHE[key]
    seconds = budget_seconds()
    try:
        result = _within_budget(lambda: run(_options(paths, settings)), seconds)
    except _OutOfTime:
        result = _failure(
            paths, f"not judged: it needs more than {seconds:g} s ({BUDGET_VARIABLE})"
        )
    except Exception as error:  # the host must get an answer, never a traceback
        result = _failure(paths, f"not judged: {type(error).__name__}: {error}")
    _CACHE[key] = result
    return result


def judge_file(path: str, settings: Settings) -> Result:
    return judge((path,), settings)


def _failure(paths: Tuple[str, ...], message: str) -> Result:
    return Result([], [InputError(paths[0] if paths else ".", None, message)], {}, {})
