"""Kleene's three-valued logic over rows: a condition as where it is true and where it is false.

Every condition over a batch becomes two boolean columns, "is true" and
"is false" (as `codegen.pyexpr` does for Python): an unknown value is
neither, `not` swaps them, `and`/`or` follow Kleene's tables. A node's
scope is read only for where it is true, so "is false" is built only when
a `not` asks for it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class Tri:
    """A condition over rows: where it is true, and where it is false (None: wherever it is not true).

    "Is false" is built only when asked (`make`): a node's scope is read for where it is true, and
    only a `not` (or an `and`/`or` under one) needs where it is false; most of them are never built."""

    __slots__ = ("_false", "_make", "true")

    def __init__(
        self, true: np.ndarray, false: np.ndarray | None = None, make: Callable[[], np.ndarray | None] | None = None
    ) -> None:
        self.true = true
        self._false = false
        self._make = make

    @property
    def false(self) -> np.ndarray | None:
        if self._make is not None:
            self._false = self._make()
            self._make = None
        return self._false

    def no(self) -> np.ndarray:
        false = self.false
        return ~self.true if false is None else false


def combine(conjunction: bool, parts: list[Tri]) -> Tri:
    """Kleene's `and` (or `or`) of conditions over rows; where it is false is built when asked."""
    join = np.logical_and if conjunction else np.logical_or
    true = parts[0].true.copy() if len(parts) == 1 else join(parts[0].true, parts[1].true)
    for part in parts[2:]:
        join(true, part.true, out=true)

    def false() -> np.ndarray | None:
        if all(p.false is None for p in parts):  # two-valued: false wherever not true
            return None
        meet = np.logical_or if conjunction else np.logical_and
        found = parts[0].no().copy() if len(parts) == 1 else meet(parts[0].no(), parts[1].no())
        for part in parts[2:]:
            meet(found, part.no(), out=found)
        return found

    return Tri(true, make=false)
