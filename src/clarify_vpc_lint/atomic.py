"""Writing a file atomically: what ``--fix`` and ``--write-baseline`` write is whole or absent."""

from __future__ import annotations

import os


def write_atomically(path: str, content: bytes) -> None:
    """Write ``path`` through a temporary file in its folder and a rename, so a reader never
    sees half of it; an existing file keeps its mode, a new one gets the umask's. A symlink
    stays a link: the file it points at is written."""
    path = os.path.realpath(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile  # here: a run that writes nothing does not pay for it (and random)

    handle, temporary = tempfile.mkstemp(prefix=".clarify-vpc-lint-", dir=os.path.dirname(path))
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
