"""Pausing the cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are created.

    Its repeated passes otherwise cost more than the parsing itself (measured: orjson on a
    10 MB GeoJSON, 0.23 s with the collector, 0.10 s without). Reference counting still frees
    everything as usual; the collector is restored as it was, even on error.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
