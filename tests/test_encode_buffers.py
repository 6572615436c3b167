"""`data.encode` reads Arrow's integer codes through their buffers (no pandas): the same as Arrow's own values."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st
from privlex.data.encode import _codes, _densify, combine_flags

INTEGER_TYPES = [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32()]


@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 100)), max_size=80),
    kind=st.sampled_from(INTEGER_TYPES),
    cut=st.tuples(st.integers(0, 40), st.integers(0, 40)),
    null_code=st.sampled_from([101, 127, 300, 70_000]),
)
def test_codes_are_the_values_with_nulls_as_the_null_code(
    values: list[int | None], kind: pa.DataType, cut: tuple[int, int], null_code: int
) -> None:
    start = min(cut[0], len(values))
    array = pa.array(values, kind).slice(start, cut[1])  # a slice: the buffers start before the array
    expected = [null_code if v is None else v for v in values[start : start + cut[1]]]
    assert _codes(array, null_code).tolist() == expected


@given(st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=60))
def test_densify_gives_each_distinct_key_one_code(keys: list[int]) -> None:
    key = np.array(keys, np.int64)[::2]  # not contiguous
    inverse, distinct = _densify(key)
    assert distinct[inverse].tolist() == key.tolist()
    assert len(set(distinct.tolist())) == len(distinct)


@given(
    st.integers(1, 40).flatmap(
        lambda rows: st.tuples(
            st.lists(st.integers(0, 5), min_size=rows, max_size=rows),
            st.lists(st.sets(st.integers(0, rows - 1)), max_size=150),
        )
    )
)
def test_combine_flags_groups_rows_by_their_code_and_their_flags(case: tuple[list[int], list[set[int]]]) -> None:
    """Any number of flags (past the 62 bits one key holds, so keys are re-densified on the way)."""
    codes, flags = case
    inverse, group_codes, matrix = combine_flags(
        np.array(codes, np.int64), 6, [np.array(sorted(rows), np.intp) for rows in flags]
    )
    signature = [(code, tuple(row in rows for rows in flags)) for row, code in enumerate(codes)]
    assert len(set(signature)) == len(group_codes) == len(matrix)
    for row, (code, set_flags) in enumerate(signature):
        group = int(inverse[row])
        assert (int(group_codes[group]), tuple(matrix[group].tolist())) == (code, set_flags)
