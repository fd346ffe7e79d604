"""Find input files, parse them, tell which format each one is, and read them into one model."""

from __future__ import annotations

import os
import stat
from typing import (
    TYPE_CHECKING,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Union,
)

from ..documents import Document, ParseError, decode_text, parse_text, read_regular_file
from ..findings import InputError
from ..paths import matches
from .formats import (  # the one registry
    CONTEXT_FORMATS,
    FORMATS,
    SOURCE_FORMATS,
    TITLES,
    Batch,
    format_of,
    reading_order,
    source_format_of,
)

if TYPE_CHECKING:
    from ..config import Config

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


def read_inputs(
    paths: Sequence[str],
    context: Sequence[str],
    *,
    region: str,
    exclude: Sequence[str] = (),
    parameter_files: Sequence[str] = (),
    var_files: Sequence[str] = (),
    variables: Optional[Mapping[str, str]] = None,
    config: Optional[Config] = None,
) -> Batch:
    """Find, parse and read every input of a run, each format after those it reads.

    ``context`` holds inventories only (``--context``): a folder given there means its inventory
    files, a file named there that is none is an error.
    """
    seen: Set[str] = set()  # one input, once: a file given twice is read once
    walked = discover(paths, exclude, seen)
    beside = discover(context, exclude, seen)
    batch = Batch(
        region,
        parameter_files,
        var_files,
        dict(variables or {}),
        config,
        inputs=walked.files,
        errors=walked.errors + beside.errors,
        skipped=walked.skipped + beside.skipped,
    )
    documents: List[str] = []
    for path in walked.files:
        kind = source_format_of(path)
        if kind is None:
            documents.append(path)
        else:
            batch.sources.setdefault(kind, []).append(path)
    named_context = set(context)
    for position, path in enumerate(documents + beside.files):
        item = load(path)
        kind = None if isinstance(item, InputError) else format_of(item)
        if isinstance(item, InputError):
            batch.errors.append(item)
        elif position >= len(documents) and kind not in CONTEXT_FORMATS:
            if path in named_context:  # a folder given to --context: its inventories only
                batch.errors.append(
                    InputError(path, None, "not the output of an `aws ec2 describe-*` command")
                )
        elif kind is None:
            batch.skipped.append(path)
        else:
            batch.documents.setdefault(kind, []).append(item)
    for entry in reading_order():
        entry.read(batch)
    return batch


__all__ = [
    "FORMATS",
    "Batch",
    "SOURCE_FORMATS",
    "TITLES",
    "InputError",
    "discover",
    "format_of",
    "load",
    "read_inputs",
    "source_format_of",
]
