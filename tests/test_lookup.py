"""`privlex.data.lookup`: a per-code table read per row by comparisons agrees with a gather."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from privlex.data.lookup import narrow, runs, spread

_KINDS = [np.uint8, np.uint16, np.int32, np.int64]


@given(st.lists(st.booleans(), min_size=1, max_size=300), st.data())
def test_spread_agrees_with_a_gather(values: list[bool], data: st.DataObject) -> None:
    table = np.array(values, np.bool_)
    kind = data.draw(st.sampled_from(_KINDS))
    codes = np.array(data.draw(st.lists(st.integers(0, len(values) - 1), max_size=200)), kind)
    assert np.array_equal(spread(codes, table), table[codes])
    assert np.array_equal(spread(codes, table, lambda: codes.astype(np.intp)), table[codes])
    assert np.array_equal(spread(narrow(codes, len(values)), table), table[codes])


@given(st.lists(st.booleans(), min_size=1, max_size=100))
def test_runs_cover_the_table(values: list[bool]) -> None:
    table = np.array(values, np.bool_)
    trues, falses = runs(table)
    rebuilt = np.full(len(values), None)
    for found, value in ((trues, True), (falses, False)):
        for first, last in found:
            assert first <= last and all(rebuilt[first : last + 1] == None)  # noqa: E711
            rebuilt[first : last + 1] = value
    assert rebuilt.tolist() == values


def test_narrow_keeps_the_codes() -> None:
    codes = np.array([0, 5, 256], np.int64)
    assert narrow(codes[:2], 6).dtype == np.uint8
    assert narrow(codes, 257).dtype == np.uint16
    assert narrow(codes, 257).tolist() == [0, 5, 256]
