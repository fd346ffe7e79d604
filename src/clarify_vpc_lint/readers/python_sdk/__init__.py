"""Clarify jobs and models that Python scripts and notebooks start with the SageMaker SDK or boto3.

The code is read with ``ast`` and never imported or run. Statements are followed in order, as the
script would run them: literals and names bound in the file are known; ``os.environ``, function
parameters and anything computed at run time are Unknown, with a reason naming what to set. SDK
classes are recognised by their import path (v2 ``sagemaker.clarify``, v3 ``sagemaker.core.clarify``,
any alias) and become the API requests the SDK would send, so the jobs and models are the same
subjects the template readers produce. The SDK ``config.yaml`` defaults apply as the SDK applies
each of its shapes (``defaults``): field by field for the SDK's classes, an argument left out
filled whole for sagemaker-core's ``ProcessingJob.create``/``Model.create``. An argument that a
``**mapping`` of unknown content may give is unknown, never absent. The work is bounded by budgets
(``reader``): whatever a file holds, it is read in time and memory linear in its size.

Notebooks: the code cells run in order as one script. A finding's line is the line of the notebook
file (the JSON text) holding that source line, and its resource names the cell: ``name (cell 3,
line 2)`` counts every cell of the notebook from 1 and the lines of that cell from 1.

Layout: this module holds the entry points; ``notebooks`` the cells and their lines,
``defaults`` the SDK defaults file, ``reader`` the statement and expression walk (on ``objects``),
``sdk_requests`` what SDK calls start, with the SDK tables and plain helpers of ``calls``.
"""

from __future__ import annotations

import ast
from typing import List, Optional

from msgspec.structs import replace

from ...documents import ParseError, read_regular_file
from ...model import Job, Model, Network
from ..formats import PYTHON_EXTENSIONS
from .defaults import SdkDefaults, defaults_for, sdk_defaults
from .notebooks import cell_line, cell_place, notebook_cells
from .places import FixPlace, Places
from .reader import Reader

__all__ = [
    "FixPlace",
    "PYTHON_EXTENSIONS",
    "SdkDefaults",
    "defaults_for",
    "fix_places",
    "is_python_source",
    "mentions_sagemaker",
    "read_python",
    "read_python_file",
    "sdk_defaults",
    "without_declared",
]

# Python's parser takes some 200 bytes of memory and 1 s of CPU per 300 KB of code: scripts that
# start jobs are a few KB, so more than MAX_CODE_BYTES of code is refused, not parsed. A notebook
# may carry outputs (images, tables) of many MB around little code.
MAX_CODE_BYTES = 1024 * 1024
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


def is_python_source(path: str) -> bool:
    return path.endswith(PYTHON_EXTENSIONS)


def mentions_sagemaker(text: str) -> bool:
    """The cheap test every ``.py``/``.ipynb`` pays: only files that may start jobs are parsed."""
    return "sagemaker" in text or "create_processing_job" in text


def read_python_file(path: str, defaults: Optional[SdkDefaults] = None) -> Network:
    """One ``.py``/``.ipynb`` from disk; a file that never mentions SageMaker costs one byte scan.

    Only a regular file is opened (a FIFO or device swapped in is refused, never waited on)."""
    limit = MAX_NOTEBOOK_BYTES if path.endswith(".ipynb") else MAX_CODE_BYTES
    raw = read_regular_file(path, limit)
    if b"sagemaker" not in raw and b"create_processing_job" not in raw:
        return Network()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError("not UTF-8 text", raw[: error.start].count(b"\n") + 1) from None
    return read_python(path, text, defaults)


def read_python(path: str, text: str, defaults: Optional[SdkDefaults] = None) -> Network:
    """The Clarify jobs and models a ``.py`` script or ``.ipynb`` notebook starts.

    Raises ParseError for a script that is not Python or a notebook that is not JSON.
    """
    if not mentions_sagemaker(text):
        return Network()
    try:
        return _read(path, text, defaults or SdkDefaults())
    except RecursionError:
        raise ParseError("nests too deeply to read") from None


def fix_places(path: str, text: str) -> Places:
    """Where a ``.py`` script writes the network of each job and model it starts, by the line
    and resource of its findings (raises ParseError as ``read_python`` does)."""
    reader = Reader(path, SdkDefaults())
    try:
        _run(reader, path, text)
    except RecursionError:
        raise ParseError("nests too deeply to read") from None
    models = {
        subject.request.get("ModelName"): place
        for subject, place in reader.places
        if isinstance(subject, Model) and isinstance(subject.request, dict)
    }
    places: Places = {}
    for subject, place in reader.places:
        model = getattr(subject, "model", None) if isinstance(subject, Job) else None
        if isinstance(model, str) and model in models:  # a model this file builds
            place = replace(place, model=models[model])
        places.setdefault((subject.loc.line, subject.loc.resource), place)
    return places


# ast.parse raises MemoryError, not SyntaxError, where its parser's stack overflows: on an
# expression nested a few thousand levels deep (``not not ... 1``, ``lambda: lambda: ...``).
TOO_COMPLEX = "nests too deeply for Python's parser; not read"


def _read(path: str, text: str, defaults: SdkDefaults) -> Network:
    reader = Reader(path, defaults)
    _run(reader, path, text)
    return reader.network


def _run(reader: Reader, path: str, text: str) -> None:
    if path.endswith(".ipynb"):
        code = 0
        for cell, source, lines in notebook_cells(path, text):
            code += len(source)
            if code > MAX_CODE_BYTES:
                raise ParseError(
                    f"more than {MAX_CODE_BYTES // 2**20} MiB of code in its cells; not read",
                    lines[0][0] if lines else None,
                )
            try:
                tree = ast.parse(source, filename=path)
            except SyntaxError as error:
                reader.network.input_errors.append(
                    (path, cell_line(lines, error.lineno)[0], f"cell {cell}: {error.msg}")
                )
                continue
            except ValueError as error:  # null bytes
                reader.network.input_errors.append(
                    (path, cell_line(lines, 1)[0], f"cell {cell}: {error}")
                )
                continue
            except (MemoryError, RecursionError):  # CPython's parser stack: see TOO_COMPLEX
                reader.network.input_errors.append(
                    (path, cell_line(lines, 1)[0], f"cell {cell}: {TOO_COMPLEX}")
                )
                continue
            reader.place, reader.cell = cell_place(cell, lines), cell
            reader.run_module(tree.body, source)
    else:
        if len(text) > MAX_CODE_BYTES:
            raise ParseError(f"larger than {MAX_CODE_BYTES // 2**20} MiB; not read")
        try:
            tree = ast.parse(text, filename=path)
        except SyntaxError as error:
            raise ParseError(f"not valid Python: {error.msg}", error.lineno) from None
        except ValueError as error:  # null bytes
            raise ParseError(f"not valid Python: {error}") from None
        except (MemoryError, RecursionError):
            raise ParseError(TOO_COMPLEX) from None
        reader.run_module(tree.body, text)
    reader.run_functions()


def without_declared(jobs: List[Job]) -> List[Job]:
    """A script job and a declared job of the same name are one job: the declared one wins.

    A team declares a job in ``jobs:`` to state what the code cannot show (values read from the
    environment), so its description replaces the script's. The name is the script job's resource
    without its notebook cell (``clarify_processor.run_bias``).
    """
    declared = {job.loc.resource for job in jobs if job.kind == "declared"}
    if not declared:
        return jobs
    return [
        job
        for job in jobs
        if job.loc.language != "python" or job.loc.resource.split(" (cell ")[0] not in declared
    ]
