"""Find input files, parse them and tell which format each one is."""

from __future__ import annotations

import os
import stat
from typing import Iterable, List, NamedTuple, Optional, Sequence, Set, Union

from ..findings import InputError
from ..paths import matches
from .formats import FORMATS, SOURCE_FORMATS, format_of, source_format_of  # the one registry
from .source import Document, ParseError, decode_text, parse_text, read_regular_file

DOCUMENT_EXTENSIONS = (".json", ".yaml", ".yml", ".template")
EXTENSIONS = DOCUMENT_EXTENSIONS + tuple(
    extension for entry in SOURCE_FORMATS for extension in entry.extensions
)
MAX_FILE_BYTES = 32 * 1024 * 1024  # CloudFormation itself takes templates of at most 1 MB
# A plan holds about 1.5 KB a resource and is read in about 10 bytes of memory per byte:
# 128 MiB is some 90,000 resources.
MAX_PLAN_BYTES = 128 * 1024 * 1024


class Discovered(NamedTuple):
    files: List[str]  # regular files to read, sorted by path, each once
    errors: List[InputError]
    skipped: List[str]  # entries that are no regular file (FIFOs, sockets, devices)


# Folders that hold tools' or other projects' files, never the project's templates.
SKIPPED_DIRECTORIES = frozenset(
    {".git", ".venv", "venv", "node_modules", ".terraform", "__pycache__", ".tox"}
)


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def discover(
    paths: Iterable[str], exclude: Sequence[str] = (), seen: Optional[Set[str]] = None
) -> Discovered:
    """Files to lint, sorted by path whatever the order given, each read once.

    Directories are walked without following symlinks and without entering tool folders
    (``SKIPPED_DIRECTORIES``, virtualenvs) or excluded paths. A file reached twice (``./x`` and
    ``x``, a symlink, a file inside a directory also given, or in ``seen`` from an earlier call)
    keeps the first path it was given as.
    """
    seen = set() if seen is None else seen
    found = Discovered([], [], [])

    def add(path: str) -> None:
        try:
            status = os.stat(path)
        except OSError as error:
            found.errors.append(InputError(path, None, f"cannot read: {error.strerror or error}"))
            return
        if not stat.S_ISREG(status.st_mode):
            found.skipped.append(path)
            return
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            found.files.append(path)

    def unreadable(error: OSError) -> None:
        found.errors.append(
            InputError(error.filename, None, f"folder not read: {error.strerror or error}")
        )

    for path in paths:
        if os.path.isdir(path):
            for root, directories, names in os.walk(path, onerror=unreadable):
                directories[:] = sorted(
                    d
                    for d in directories
                    if d not in SKIPPED_DIRECTORIES
                    and not os.path.islink(os.path.join(root, d))
                    and not _is_virtualenv(os.path.join(root, d))
                    and not matches(os.path.join(root, d), exclude)
                )
                for name in sorted(names):
                    file = os.path.join(root, name)
                    if (
                        name.endswith(EXTENSIONS)
                        and not os.path.islink(file)
                        and not matches(file, exclude)
                    ):
                        add(file)
        elif os.path.lexists(path) and not os.path.exists(path):
            found.errors.append(InputError(path, None, "broken symbolic link"))
        elif os.path.exists(path):
            add(path)
        else:
            found.errors.append(InputError(path, None, "no such file or directory"))
    # the order given never matters: inputs are read, and so merged, in the order of their paths
    found.files.sort(key=lambda file: os.path.normpath(file).split(os.sep))
    return found


def load(path: str) -> Union[Document, InputError]:
    """Read and parse one file; any problem becomes one clear InputError."""
    try:
        return parse_text(
            path, decode_text(read_regular_file(path, MAX_FILE_BYTES, MAX_PLAN_BYTES))
        )
    except ParseError as error:
        return InputError(path, error.line, error.message)
    except Exception as error:  # a parser bug must not hide the other files' findings
        return InputError(
            path, None, f"internal error while parsing: {type(error).__name__}: {error}"
        )


__all__ = [
    "FORMATS",
    "SOURCE_FORMATS",
    "InputError",
    "discover",
    "format_of",
    "load",
    "source_format_of",
]
