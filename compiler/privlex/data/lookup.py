"""Per-row values of a per-code table: a column's codes narrowed, and boolean tables read by comparisons.

A fact column is a code per row into its distinct values (`encode`). Most
per-code tables the evaluator reads are boolean and true at a few codes, or
at a few runs of consecutive codes (a scope of keys, the regions a ruleset
covers). On this machine a gather (`table[codes]`) costs 3-7 ms per million
rows whatever the table, while comparing one-byte codes with a Python
integer costs ~0.05 ms: so codes are kept in the narrowest unsigned type
that holds them, and a boolean table is read as one comparison per run of
codes (two for a run longer than one) unless that costs more than a gather.
A numpy integer compared with a one-byte array widens the whole array
(numpy's promotion rules), a Python integer does not: runs are compared as
Python integers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Comparisons (and the `|` joining them) one gather is worth, per byte of a code.
_GATHER_COST = {1: 40, 2: 20, 4: 8}
# A table's runs by id: the per-value tables of `Program.table` are the same objects in every batch.
_RUNS: dict[int, tuple[np.ndarray, tuple[list[tuple[int, int]], list[tuple[int, int]]]]] = {}


def narrow(codes: np.ndarray, count: int) -> np.ndarray:
    """`codes` (each below `count`) in the narrowest unsigned integer type that holds them."""
    kind = np.uint8 if count <= 1 << 8 else np.uint16 if count <= 1 << 16 else np.uint32
    if codes.dtype == kind or codes.dtype.itemsize <= np.dtype(kind).itemsize:
        return codes
    return codes.astype(kind)


def runs(table: np.ndarray) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The runs of consecutive true codes of a boolean table, and of false ones, as (first, last) pairs."""
    padded = np.zeros(len(table) + 2, np.bool_)
    padded[1:-1] = table
    edges = np.flatnonzero(padded[1:] != padded[:-1]).tolist()  # where a run of true codes starts or ends
    trues = [(edges[i], edges[i + 1] - 1) for i in range(0, len(edges), 2)]
    bounds = [0, *edges, len(table)]  # the false runs lie between the true ones
    falses = [(bounds[i], bounds[i + 1] - 1) for i in range(0, len(bounds), 2) if bounds[i] < bounds[i + 1]]
    return trues, falses


def spread(
    codes: np.ndarray,
    table: np.ndarray,
    index: Callable[[], np.ndarray] | None = None,
    constant: Callable[[bool], np.ndarray] | None = None,
) -> np.ndarray:
    """Per row, `table`'s value for the row's code. A boolean table is read by comparing the codes with
    its runs of true codes (or of false ones, negated) when that costs less than a gather; a gather reads
    the codes `index()` gives when given (the same codes as `intp`, kept by the caller: cheaper to gather by).
    A boolean table true (or false) at every code gives `constant(value)` when given (the caller's shared
    array), else a new array."""
    if table.dtype == np.bool_:
        known = _RUNS.get(id(table))
        if known is not None and known[0] is table:
            trues, falses = known[1]
        else:
            trues, falses = runs(table)
            if len(_RUNS) > 1 << 12:
                _RUNS.clear()
            _RUNS[id(table)] = (table, (trues, falses))
        if not trues or not falses:
            return np.full(len(codes), bool(trues), np.bool_) if constant is None else constant(bool(trues))
        few, negate = (trues, False) if _cost(trues) <= _cost(falses) else (falses, True)
        if codes.dtype.kind in "iu" and _cost(few) <= _GATHER_COST.get(codes.dtype.itemsize, 4):
            out = between(codes, *few[0])
            for first, last in few[1:]:
                out |= between(codes, first, last)
            return ~out if negate else out
    gathered: np.ndarray = np.take(table, codes if index is None else index())
    return gathered


def _cost(found: list[tuple[int, int]]) -> int:
    return sum(2 if first == last else 3 for first, last in found)


def between(codes: np.ndarray, first: int, last: int) -> np.ndarray:
    if first == last:
        return codes == first  # type: ignore[no-any-return]
    if codes.dtype.kind == "u":  # one subtraction (wrapping below `first`) and one comparison
        return (codes - codes.dtype.type(first)) <= (last - first)  # type: ignore[no-any-return]
    return (codes >= first) & (codes <= last)
