"""CPython's cyclic garbage collector kept off what `privlex filter` builds once and keeps to the end.

Starting a run builds tens of thousands of long-lived objects (the data
path's modules, the checkers' program, its prepared tables): while they are
built, the collector's young collections walk them again and again, and once
built, every full collection while rows are decided walks them all to find
nothing (~0.1 s of CPU in a million-row run, docs/performance.md). Neither
holds garbage worth collecting: the objects stay alive until the process
ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off while the block builds what lives to the end, then as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def settled() -> Iterator[None]:
    """Everything alive now out of the collector's reach for the block (`gc.freeze`), back after it.

    Objects made in the block are collected as usual. When a caller froze
    objects already, they are left as the caller has them.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
