"""CPython's cyclic garbage collector kept off what privlex builds once and keeps to the end.

A compilation allocates a syntax tree and an IR that grow with the rules,
and `privlex filter` starts by building tens of thousands of long-lived
objects (the data path's modules, the checkers' program, its prepared
tables). While they are built, the collector's young collections walk them
again and again, and once built every full collection walks them all to
find nothing: it made 10,000 rules cost 10x and more what 1,000 cost
(benchmarks/compile_gc.py), and cost ~0.1 s of CPU in a million-row filter
run (docs/performance.md). Neither holds garbage worth collecting; what
cycles there are are collected once the collector is back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off while the block builds what lives to the end, then as it was (errors included)."""
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
