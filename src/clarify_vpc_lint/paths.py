"""Path globs (``--exclude``, ``exclude:``, ``per-path-ignores``) that match however a path was typed.

A pattern without ``/`` matches a file or folder of that name anywhere (``legacy``, ``*.json``).
A pattern with ``/`` matches from the current directory, or from its own folder when it is
absolute (the CLI anchors the config file's patterns at the config file's folder). Either way the
pattern also matches every file inside a folder it matches, so ``./sub/x.yaml``, ``sub/x.yaml``
and ``/abs/sub/x.yaml`` are all matched by ``sub/*`` and by ``sub``.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable, List


def anchor(pattern: str, folder: str) -> str:
    """``pattern`` as written in a file in ``folder``: relative patterns with ``/`` start there."""
    pattern = pattern.rstrip("/") or pattern
    if "/" not in pattern or os.path.isabs(pattern):
        return pattern
    return os.path.join(os.path.abspath(folder), pattern)


def _self_and_parents(path: str) -> List[str]:
    full = os.path.abspath(path)
    chain = [full]
    while os.path.dirname(chain[-1]) != chain[-1]:
        chain.append(os.path.dirname(chain[-1]))
    return chain


def matches(path: str, patterns: Iterable[str]) -> bool:
    patterns = [anchor(p, os.curdir) for p in patterns]
    if not patterns:
        return False
    for candidate in _self_and_parents(path):
        name = os.path.basename(candidate)
        for pattern in patterns:
            target = candidate if "/" in pattern else name
            if fnmatch.fnmatchcase(target, pattern):
                return True
    return False


def within(path: str, folder: str) -> bool:
    """Is ``path`` the folder ``folder`` or below it, as written (no symlink resolved)? The
    current folder (``.`` or empty) holds every relative path."""
    path, folder = os.path.normpath(path), os.path.normpath(folder or os.curdir)
    return folder == os.curdir or path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
