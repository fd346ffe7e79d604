"""The cyclic garbage collector, off while a run builds what it keeps.

A run allocates much and frees little before it ends (parsed documents, parse trees, the model),
so each collection would only walk every node built so far again: half the time of a large
template, 40% of reading ``.tf`` roots, and inside checkov its own large heap as well. Reference
counting still frees. A ground-floor module: the checkov plugin's answering processes import it
without the engine.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def off(freeze: bool = False) -> Iterator[None]:
    """The collector off inside, on again after where it was on; ``freeze``: what was built
    stays out of its later sweeps (a sweep of a large plan's objects on exit cost a tenth of the
    run). Nested uses leave it off until the outermost ends."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if freeze:
                gc.freeze()
            gc.enable()
