"""`data.encode` reads Arrow's integer codes through their buffers (no pandas): the same as Arrow's own values."""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st
from privlex.data.encode import _codes, _densify, combine_flags, encode_numbered

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


_COLUMNS = st.one_of(
    st.tuples(st.just(pa.bool_()), st.lists(st.one_of(st.none(), st.booleans()), max_size=80)),
    st.tuples(
        st.sampled_from([pa.int64(), pa.int32(), pa.int8(), pa.uint64()]),
        st.integers(0, 100).flatmap(
            lambda low: st.lists(st.one_of(st.none(), st.integers(low, low + 27)), max_size=80)
        ),
    ),
    st.tuples(st.just(pa.int64()), st.lists(st.one_of(st.none(), st.integers(-(2**40), -(2**40) + 300)), max_size=80)),
    st.tuples(
        st.just(pa.date32()),
        st.lists(st.one_of(st.none(), st.dates(datetime.date(1965, 1, 1), datetime.date(1975, 1, 1))), max_size=80),
    ),
)


@given(column=_COLUMNS, cut=st.tuples(st.integers(0, 40), st.integers(0, 40)))
def test_booleans_integers_and_dates_read_from_the_buffers_are_their_values(
    column: tuple[pa.DataType, list[object]], cut: tuple[int, int]
) -> None:
    """Booleans unpacked from their bits, numbers less their least (narrowed first): each row's code
    is its value's entry, a null's the last one; slices start inside their buffers."""
    kind, values = column
    start = min(cut[0], len(values))
    array = pa.array(values, kind).slice(start, cut[1])
    codes, entries, _ = encode_numbered(array)
    assert [entries[code] for code in codes.tolist()] == values[start : start + cut[1]]
    assert entries[-1] is None


_TEXTS = st.lists(st.one_of(st.none(), st.sampled_from(["DE", "FR", "US-CA", "", "é"])), max_size=40)


@given(batches=st.lists(_TEXTS, min_size=1, max_size=4), kind=st.sampled_from([pa.string(), pa.large_string()]))
def test_text_columns_coded_by_values_remembered_across_batches_are_their_values(
    batches: list[list[str | None]], kind: pa.DataType
) -> None:
    """Later batches are looked up among an earlier batch's values; one with a value not among them
    (or a column of another type) is hashed afresh: every row's code is still its value's entry."""
    seen: dict[object, tuple[pa.Array, list[object]]] = {}
    for values in batches:
        codes, entries, _ = encode_numbered(pa.array(values, kind), seen, "region")
        assert [entries[code] for code in codes.tolist()] == values
        assert entries[-1] is None
