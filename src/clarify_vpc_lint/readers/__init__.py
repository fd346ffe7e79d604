"""Find input files, parse them, tell which format each one is, and read them into one model."""

from __future__ import annotations

import os
import stat
from typing import (
    TYPE_CHECKING,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from ..documents import Document, ParseError, decode_text, parse_text, read_regular_file
from ..findings import InputError
from ..paths import matches
from .formats import (  # the one registry
    BY_NAME,
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
    seen: Dict[str, str] = {}  # one input, once: a file given twice is read once
    walked = discover(paths, exclude, seen)
    # a folder given to --context means its inventories: `aws ... --output json` files only
    beside = discover(context, exclude, seen, INVENTORY_EXTENSIONS)
    batch = Batch(
        region,
        parameter_files,
        var_files,
        dict(variables or {}),
        config,
        inputs=walked.files,
        errors=walked.errors + beside.errors,
        skipped={**walked.skipped, **beside.skipped},
    )
    for path in context:  # named as inventories (command line, config, plugin settings)
        if batch.skipped.get(path) == NOT_REGULAR:
            batch.errors.append(InputError(path, None, batch.skipped.pop(path)))
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
            if path in named_context:
                batch.errors.append(InputError(path, None, _not_an_inventory(kind)))
            else:  # a folder given to --context: its inventories only
                batch.skipped[path] = _why_not_read(item)
        elif kind is None:
            batch.skipped[path] = _why_not_read(item)
        else:
            batch.documents.setdefault(kind, []).append(item)
    for entry in reading_order():
        entry.read(batch)
    failed = {error.file for error in batch.errors}  # a file, or a Terraform root's folder
    # what could not be read was not skipped: its error says why
    batch.skipped = {
        p: why for p, why in batch.skipped.items() if not {p, os.path.dirname(p)} & failed
    }
    return batch


NOT_AN_INPUT = "not an input format"
EMPTY = "empty; nothing to read"
INVENTORY_EXTENSIONS = (".json",)


def _why_not_read(document: Document) -> str:
    empty = document.data is None or document.data in ({}, [], "")
    return EMPTY if empty else NOT_AN_INPUT


def _not_an_inventory(kind: Optional[str]) -> str:
    what = "not the output of an `aws ec2 describe-*` command"
    if kind is None:
        return what
    return f"{what}; it reads as {BY_NAME[kind].title}: pass it as a PATH, without --context"


__all__ = [
    "EMPTY",
    "FORMATS",
    "NOT_AN_INPUT",
    "NOT_REGULAR",
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
