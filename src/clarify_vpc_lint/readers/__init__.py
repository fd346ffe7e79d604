"""Find input files, parse them and tell which format each one is."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple, Union

from . import cloudformation, inventory, sagemaker_api, terraform, workflows
from .source import Document, ParseError, decode_text, parse_text, read_regular_file

EXTENSIONS = (".json", ".yaml", ".yml", ".template")
MAX_FILE_BYTES = 32 * 1024 * 1024  # CloudFormation itself takes templates of at most 1 MB


@dataclass
class InputError:
    file: str
    line: Optional[int]
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


def discover(paths: Iterable[str]) -> Tuple[List[str], List[InputError]]:
    """Files to lint, in a stable order; directories are walked without following symlinks."""
    files: List[str] = []
    errors: List[InputError] = []
    for path in paths:
        if os.path.isdir(path):
            for root, directories, names in os.walk(path, onerror=None):
                directories.sort()
                files.extend(
                    os.path.join(root, name)
                    for name in sorted(names)
                    if name.endswith(EXTENSIONS) and not os.path.islink(os.path.join(root, name))
                )
        elif os.path.isfile(path):
            files.append(path)
        else:
            errors.append(InputError(path, None, "no such file or directory"))
    return files, errors


def load(path: str) -> Union[Document, InputError]:
    """Read and parse one file; any problem becomes one clear InputError."""
    try:
        return parse_text(path, decode_text(read_regular_file(path, MAX_FILE_BYTES)))
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


# The input formats, in the order they are told apart (a template may also hold a "States" key).
FORMATS = (
    ("cloudformation", cloudformation.is_template),
    ("terraform", terraform.is_plan),
    ("inventory", inventory.is_inventory),
    ("api", sagemaker_api.operation_of),
    ("analysis-config", sagemaker_api.is_analysis_config),
    ("state-machine", workflows.is_state_machine),
    ("pipeline", workflows.is_pipeline),
    ("sdk-defaults", workflows.is_sdk_defaults),
)


def format_of(document: Document) -> Optional[str]:
    """The input format a parsed document is, or None for files this linter does not read."""
    return next((name for name, matches in FORMATS if matches(document.data)), None)
