"""Find input files, parse them and tell which format each one is."""

from __future__ import annotations

import os
import stat
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

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
    skipped: Dict[str, str]  # entries not read (FIFOs, devices, symlinks in a walk): why


# Folders that hold tools' or other projects' files, never the project's templates.
SKIPPED_DIRECTORIES = frozenset(
    {".git", ".venv", "venv", "node_modules", ".terraform", "__pycache__", ".tox"}
)
NOT_REGULAR = "not a regular file; not read"
SYMLINK = "a symbolic link inside a folder; not followed"


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _spelling(path: str) -> Tuple[int, str]:
    """Of two spellings of one file (``x.yaml``, ``./x.yaml``) the shorter names it, whatever
    the order they were given in."""
    return (len(path), path)


def discover(
    paths: Iterable[str],
    exclude: Sequence[str] = (),
    seen: Optional[Dict[str, str]] = None,
    extensions: Tuple[str, ...] = EXTENSIONS,
) -> Discovered:
    """Files to lint, sorted by path whatever the order given, each read once.

    Directories are walked without following symlinks (a symlink inside a folder could lead
    anywhere: it is listed as skipped) and without entering tool folders (``SKIPPED_DIRECTORIES``,
    virtualenvs) or excluded paths; a walk takes only files ending in ``extensions``. A path
    named here is used as named, a symlink included: whoever runs the linter chose it. A file
    reached twice (``./x`` and ``x``, a symlink, a file inside a directory also given) is read
    once under its shortest spelling; one in ``seen`` (real path -> spelling, from an earlier
    call) is not read again.
    """
    seen = {} if seen is None else seen
    earlier = set(seen)
    found = Discovered([], [], {})

    def add(path: str) -> None:
        try:
            status = os.stat(path)
        except OSError as error:
            found.errors.append(InputError(path, None, f"cannot read: {error.strerror or error}"))
            return
        if not stat.S_ISREG(status.st_mode):
            found.skipped[path] = NOT_REGULAR
            return
        real = os.path.realpath(path)
        if real not in seen:
            seen[real] = path
            found.files.append(path)
        elif real not in earlier and _spelling(path) < _spelling(seen[real]):
            found.files[found.files.index(seen[real])] = path
            seen[real] = path

    def unreadable(error: OSError) -> None:
        found.errors.append(
            InputError(error.filename, None, f"folder not read: {error.strerror or error}")
        )

    for path in paths:
        if os.path.isdir(path):
            for root, directories, names in os.walk(path, onerror=unreadable):
                kept = []
                for name in sorted(directories):
                    folder = os.path.join(root, name)
                    if os.path.islink(folder):
                        found.skipped[folder] = SYMLINK
                    elif not (
                        name in SKIPPED_DIRECTORIES
                        or _is_virtualenv(folder)
                        or matches(folder, exclude)
                    ):
                        kept.append(name)
                directories[:] = kept
                for name in sorted(names):
                    file = os.path.join(root, name)
                    if not name.endswith(extensions) or matches(file, exclude):
                        continue
                    if os.path.islink(file):
                        found.skipped[file] = SYMLINK
                    else:
                        add(file)
        elif os.path.lexists(path) and not os.path.exists(path):
            found.errors.append(InputError(path, None, "broken symbolic link"))
        elif os.path.exists(path):
            add(path)
        else:
            found.errors.append(InputError(path, None, "no such file or directory"))
    # the order given never matters: inputs are read, and so merged, in the order of their paths
    found.files.sort(key=lambda file: (os.path.normpath(file).split(os.sep), file))
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


def load_all(paths: List[str], workers: int) -> List[Union[Document, InputError]]:
    """``load`` over ``paths`` in order, in ``workers`` processes when asked for.

    A worker that dies (a native crash, the OOM killer) breaks the whole pool; the files it left
    unread are then read again, each in a process of its own, so only the file that kills its
    reader becomes an error.
    """
    if workers <= 1 or len(paths) < 2:
        return [load(path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor  # only when asked for: it costs start-up
    from concurrent.futures.process import BrokenProcessPool

    results: List[Optional[Union[Document, InputError]]] = [None] * len(paths)
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(load, path) for path in paths]
            for index, future in enumerate(futures):
                results[index] = future.result()
    except BrokenProcessPool:
        for index, path in enumerate(paths):
            if results[index] is None:
                results[index] = _load_isolated(path)
    return [result for result in results if result is not None]


def _load_isolated(path: str) -> Union[Document, InputError]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(load, path).result()
    except BrokenProcessPool:
        return InputError(path, None, "the process reading this file died (a crash in a parser)")


__all__ = [
    "FORMATS",
    "SOURCE_FORMATS",
    "InputError",
    "discover",
    "format_of",
    "load",
    "load_all",
    "source_format_of",
]
