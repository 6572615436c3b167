"""Vectorised grouping of rows by their combination of fact values (pyarrow, numpy).

Each fact column becomes integer codes into a short list of its distinct
values (dictionary encoding; booleans and small integer ranges by
arithmetic). The codes of all fact columns are combined into one integer key
per row (mixed radix, re-densified whenever the key space grows too large),
and the distinct keys are found with a lookup table or a hash. Only the
distinct combinations are then decided, in Python.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import present, unpacked_bits
from .facts import normalize
from .verdicts import _freeze

# Keys stay below this many combinations before they are re-densified.
_KEY_LIMIT = 1 << 40
# A lookup table finds distinct keys when the key space is at most this large.
_TABLE_LIMIT = 1 << 22
_RANGE_LIMIT = 1 << 16


def leaf(batch: pa.RecordBatch, path: tuple[str, ...]) -> pa.Array:
    """The column at `path`; a null struct makes its fields null."""
    index = batch.schema.names.index(path[0])
    array = batch.column(index)
    for name in path[1:]:
        array = array.flatten()[array.type.get_field_index(name)]
    return array


def _codes(indices: pa.Array, null_code: int) -> np.ndarray:
    """The integer codes as numpy, nulls as `null_code`, read from the buffers: `to_numpy`, `pa.scalar`
    and `pc.fill_null` import pandas (~0.5 s of CPU, the most of a small run's start-up) to ask whether
    a value is a pandas object."""
    dtype = np.dtype(indices.type.to_pandas_dtype())
    data = indices.buffers()[1]
    start, count = indices.offset, len(indices)
    codes: np.ndarray = np.frombuffer(data, dtype=dtype, count=count, offset=start * dtype.itemsize)
    valid = present(indices)
    if valid is not None:
        wide = codes.astype(np.result_type(dtype, np.min_scalar_type(null_code)), copy=False)
        codes = np.where(valid, wide, null_code)  # one pass; a masked store is ~3x slower
    return codes


def _booleans(array: pa.Array) -> np.ndarray:
    """Per row 0 (false), 1 (true) or 2 (null), one byte each, unpacked from the bit buffers: a quarter
    of what casting to int8 costs (the cast, then a second pass for the nulls)."""
    codes = unpacked_bits(array.buffers()[1], array.offset, len(array))
    valid = present(array)
    if valid is not None:
        codes = np.where(valid, codes, np.uint8(2))
    return codes


def _shifted(numbers: pa.Array, low: int, null_code: int) -> np.ndarray:
    """Per row its number less `low` (each below `null_code`), nulls as `null_code`, in the narrowest
    unsigned type: one subtraction and one narrowing on the buffer, no cast of the column first."""
    dtype = np.dtype(numbers.type.to_pandas_dtype())
    data = numbers.buffers()[1]
    start, count = numbers.offset, len(numbers)
    raw = np.frombuffer(data, dtype=dtype, count=count, offset=start * dtype.itemsize)
    kind = np.uint8 if null_code < 1 << 8 else np.uint16 if null_code < 1 << 16 else np.uint32
    # Narrowed first, then less `low` modulo the narrow type's range: exact for the numbers in range, and
    # no full-width temporary (a null's slot holds anything: it wraps, and is replaced below).
    codes = raw.astype(kind)
    np.subtract(codes, kind(low % (1 << (8 * codes.itemsize))), out=codes)
    valid = present(numbers)
    if valid is not None:
        codes = np.where(valid, codes, kind(null_code))
    return codes


def _from_dictionary(encoded: pa.DictionaryArray) -> tuple[np.ndarray, list[Any]]:
    values = [normalize(v) for v in encoded.dictionary.to_pylist()]
    return _codes(encoded.indices, len(values)), [*values, None]


def encode(array: pa.Array) -> tuple[np.ndarray, list[Any]]:
    """Codes per row, and the value of each code (the last is None, for null)."""
    codes, values, _ = encode_numbered(array)
    return codes, values


_EPOCH = datetime.date(1970, 1, 1)


@functools.lru_cache(maxsize=16)
def _dates(low: int, high: int) -> tuple[datetime.date, ...]:
    """The dates from day `low` to day `high`: every batch of a file spans about the same days."""
    return tuple(_EPOCH + datetime.timedelta(days) for days in range(low, high + 1))


# A text column's distinct values are remembered for the next batch when there are at most this many.
_REMEMBERED_LIMIT = 1 << 12


def _text(array: pa.Array, seen: dict[Any, tuple[pa.Array, list[Any]]], key: Any) -> tuple[np.ndarray, list[Any]]:
    """A text column coded by its distinct values. Looking each row up among values remembered from an
    earlier batch (`pc.index_in`) costs ~25% less than hashing the column anew (`dictionary_encode`,
    25-35 ms per million short strings here); when a row holds a value not among them, the column is
    hashed after all and its values remembered instead."""
    known = seen.get(key)
    if known is not None and known[0].type == array.type:
        dictionary, values = known
        indices = pc.index_in(array, value_set=dictionary)  # null where absent, or not among them
        if indices.null_count == array.null_count:
            return _codes(indices, len(dictionary)), values
    encoded = array.dictionary_encode()
    codes, values = _from_dictionary(encoded)
    if len(values) <= _REMEMBERED_LIMIT:
        seen[key] = (encoded.dictionary, values)
    return codes, values


def encode_numbered(
    array: pa.Array, seen: dict[Any, tuple[pa.Array, list[Any]]] | None = None, key: Any = None
) -> tuple[np.ndarray, list[Any], int | None]:
    """`encode`, and for integers and dates coded by arithmetic the number of code 0 (dates in days):
    then a row's number is its code plus that base, without looking its value up. `seen` remembers a
    text column's values across the batches of a run (under `key`, the column's)."""
    kind = array.type
    if pa.types.is_null(kind) or array.null_count == len(array):
        return np.zeros(len(array), np.int8), [None], None
    if pa.types.is_dictionary(kind):
        return (*_from_dictionary(array), None)
    if pa.types.is_boolean(kind):
        return _booleans(array), [False, True, None], None
    if pa.types.is_integer(kind) or pa.types.is_date32(kind):
        # int64 as it is (a cast to the same type is free); a date32 column's days, viewed as int32
        numbers = pc.cast(array, pa.int64()) if pa.types.is_integer(kind) else array.view(pa.int32())
        bounds = pc.min_max(numbers)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if high - low < _RANGE_LIMIT and -(1 << 62) < low and high < (1 << 62):
            values: list[Any] = list(_dates(low, high) if pa.types.is_date32(kind) else range(low, high + 1))
            return _shifted(numbers, low, high - low + 1), [*values, None], low
    if seen is not None and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return (*_text(array, seen, key), None)
    try:
        return (*_from_dictionary(array.dictionary_encode()), None)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError, pa.ArrowInvalid):
        return (*_by_value(array.to_pylist()), None)


def _by_value(values: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """Codes for values Arrow cannot hash (lists, maps): slow, and rare."""
    seen: dict[Any, int] = {}
    distinct: list[Any] = []
    codes = np.empty(len(values), np.int64)
    for row, value in enumerate(values):
        value = normalize(value)
        try:
            key: Any = _freeze(value)
            hash(key)
        except TypeError:
            key = ("row", row)
        code = seen.get(key)
        if code is None:
            code = seen[key] = len(distinct)
            distinct.append(value)
        codes[row] = code
    return codes, [*distinct, None]


def encode_values(values: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """`encode` for a list of Python values (JSON, CSV): type-exact, so True, 1 and 1.0 differ."""
    seen: dict[Any, int] = {}
    try:
        codes = [seen.setdefault((value.__class__, value), len(seen)) for value in map(normalize, values)]
    except TypeError:  # a list or an object among them
        return _by_value(values)
    distinct = [value for _, value in seen]
    null = (type(None), None)
    if null in seen:  # the last entry is for absent values
        position = seen[null]
        order = [i for i in range(len(distinct)) if i != position] + [position]
        remap = np.empty(len(order), np.int64)
        remap[np.array(order, np.int64)] = np.arange(len(order))
        return remap[np.array(codes, np.int64)], [distinct[i] for i in order]
    return np.array(codes, np.int64), [*distinct, None]


def _densify(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes for arbitrary keys; Arrow's arrays built and read through their buffers (see `_codes`)."""
    key = np.ascontiguousarray(key)
    kind = pa.from_numpy_dtype(key.dtype)
    encoded = pa.Array.from_buffers(kind, len(key), [None, pa.py_buffer(key)]).dictionary_encode()
    return _codes(encoded.indices, 0).astype(np.int64), _codes(encoded.dictionary, 0)


def _distinct(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys, and for each row the position of its key among them."""
    if space <= max(_RANGE_LIMIT, 4 * len(key)) and space <= _TABLE_LIMIT:
        present = np.zeros(space, np.bool_)
        present[key] = True
        distinct = np.flatnonzero(present)
        slot = np.empty(space, np.int32)
        slot[distinct] = np.arange(len(distinct), dtype=np.int32)
        return distinct, slot[key]
    inverse, distinct = _densify(key)
    return distinct, inverse


def combine(columns: list[tuple[np.ndarray, int]], rows: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group rows by their codes in every column.

    Returns, per row, the index of its combination, and per column the code
    each combination has there.
    """
    key = np.zeros(rows, np.int64)
    space = 1
    steps: list[tuple[int, int] | np.ndarray] = []
    for position, (codes, cardinality) in enumerate(columns):
        if space * cardinality > _KEY_LIMIT:
            key, dictionary = _densify(key)
            space = len(dictionary)
            steps.append(dictionary)
        if space > 1:
            np.multiply(key, cardinality, out=key)
            np.add(key, codes, out=key)
        else:
            key = codes.astype(np.int64)
        space *= cardinality
        steps.append((position, cardinality))
    distinct, inverse = _distinct(key, space)
    parts: list[np.ndarray] = [np.empty(0, np.int64)] * len(columns)
    remaining = distinct
    for step in reversed(steps):
        if isinstance(step, tuple):
            position, cardinality = step
            parts[position] = remaining % cardinality
            remaining = remaining // cardinality
        else:
            remaining = step[remaining]
    return inverse, parts


# Flags are packed into a key below this bound (a key times 2**width stays within int64).
_FLAGS_LIMIT = 1 << 62


def combine_flags(codes: np.ndarray, space: int, flags: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group rows by a code and a set of flags, each flag given by the rows where it is set.

    `combine` for many flags each set on few rows (the reasons of a batch's
    outcomes): a flag costs an addition on its own rows, not a pass over
    the batch. Returns per row its group, per group its code, and per group
    which flags are set (a boolean matrix, groups by flags).
    """
    key = codes.astype(np.int64)
    steps: list[int | np.ndarray] = []
    done = 0
    while done < len(flags):
        if space > _FLAGS_LIMIT >> 1:
            key, dictionary = _densify(key)
            space = len(dictionary)
            steps.append(dictionary)
        width = min(len(flags) - done, (_FLAGS_LIMIT // space).bit_length() - 1)
        key *= 1 << width
        for bit, rows in enumerate(flags[done : done + width]):
            key[rows] += 1 << (width - 1 - bit)
        space <<= width
        steps.append(width)
        done += width
    distinct, inverse = _distinct(key, space)
    matrix = np.zeros((len(distinct), len(flags)), np.bool_)
    remaining = distinct
    for step in reversed(steps):
        if isinstance(step, int):
            done -= step
            for bit in range(step):
                matrix[:, done + bit] = (remaining >> (step - 1 - bit)) & 1
            remaining = remaining >> step
        else:
            remaining = step[remaining]
    return inverse, remaining, matrix
