"""One judgement shared by the processes of one checkov run.

checkov runs each framework in a process of its own, forked from its main process after the
command line is read and before any external check is loaded, so each process whose checks are
asked would judge the whole project again. The first one to ask judges it, under a file lock,
and writes the summary as JSON (never a pickle: loading it runs nothing); the others wait for
the lock and read it. The file is named by the main process (its ID and start time, so a reused
ID names another file) and what the judgement depends on (the command line, the folder), so it
serves exactly one run; files of runs that have ended are removed by the next run that writes
one. They live in a folder only this user can open; anywhere else (no fork, no ``fcntl``, a
folder someone else owns) each process judges for itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from .atomic import write_atomically

VERSION = 2  # of the summary's shape: a file of another version is judged again
_PREFIX = "checkov-"


def shared_by_runners(summarise: Callable[[], Dict[str, Any]], depends_on: Any) -> Dict[str, Any]:
    """``summarise()``, computed once per checkov run (see the module's docstring)."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: checkov runs its frameworks in threads there
        return summarise()
    stem = _run_file_stem(depends_on)
    if stem is None:
        return summarise()
    try:
        lock = os.open(f"{stem}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError:
        return summarise()
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed, or when its holder dies
        shared = _read(f"{stem}.json")
        if shared is not None:
            return shared
        summary = summarise()
        try:
            write_atomically(f"{stem}.json", json.dumps([VERSION, summary]).encode("utf-8"))
            _remove_ended_runs(Path(stem).parent)
        except OSError:  # the others judge for themselves
            pass
        return summary
    finally:
        os.close(lock)


def _run_file_stem(depends_on: Any) -> Optional[str]:
    """The path, less its suffix, of this run's files; None outside a checkov runner process."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        return None  # the main process itself: its own cache serves every check
    folder = _private_folder()
    if folder is None:
        return None
    key = json.dumps([parent.pid, _started(parent.pid), depends_on], default=str)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return str(folder / f"{_PREFIX}{parent.pid}-{digest}")


def _private_folder() -> Optional[Path]:
    """The user's folder for these files, made if missing; None unless only this user can open it."""
    folder = Path(tempfile.gettempdir()) / f"clarify-vpc-lint-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077
    return folder if private and info.st_uid == os.getuid() else None


def _started(pid: int) -> str:
    """When a process started (clock ticks since boot, Linux); '' where that is not known."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _read(path: str) -> Optional[Dict[str, Any]]:
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as opened:
            document = json.loads(opened.read())
    except (OSError, ValueError):
        return None
    if isinstance(document, list) and len(document) == 2 and document[0] == VERSION:
        summary = document[1]
        return summary if isinstance(summary, dict) else None
    return None


def _remove_ended_runs(folder: Path) -> None:
    """Remove the files of checkov runs whose main process has ended."""
    for path in folder.glob(f"{_PREFIX}*"):
        pid = path.name[len(_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True
