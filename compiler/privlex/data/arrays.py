"""Arrow arrays built from numpy and Python values through their buffers.

`pa.array` imports pandas (about half a second of CPU) on its first call, to
ask whether its argument is a pandas object; `privlex filter` builds its
kept-rows mask and its Parquet decisions log with these instead, so that a
run never loads pandas (tests/test_filter_startup.py). The reading side, which
`to_numpy`, `pa.scalar` and comparisons with a number would take through pandas
too, reads bitmaps with `unpacked_bits` and `present` below (`encode._codes`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


def unpacked_bits(bitmap: pa.Buffer, start: int, count: int) -> np.ndarray:
    """Bits `start` to `start + count` of an Arrow bitmap (least significant first), a 0 or 1 byte each."""
    return np.unpackbits(np.frombuffer(bitmap, np.uint8), count=start + count, bitorder="little")[start:]


def present(array: pa.Array) -> np.ndarray | None:
    """Per row whether it holds a value (its validity bitmap, unpacked); None when no row is null."""
    if not array.null_count:
        return None
    return unpacked_bits(array.buffers()[0], array.offset, len(array)).view(np.bool_)


def _validity(present: np.ndarray) -> Any:
    """The validity bitmap of an array whose values are present where `present` is true; None when all are."""
    if present.all():
        return None
    return pa.py_buffer(np.packbits(present, bitorder="little"))


def booleans(values: np.ndarray) -> pa.BooleanArray:
    bits = np.packbits(values.astype(np.bool_, copy=False), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def integers(values: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    """An integer array of the numpy array's type; null where `present` is false."""
    values = np.ascontiguousarray(values)
    validity = None if present is None else _validity(present)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [validity, pa.py_buffer(values)])


def strings(values: list[str | None]) -> pa.StringArray:
    """A string array; None is null. A lone surrogate (from a JSON escape) is written as its escape."""
    encoded = [b"" if value is None else value.encode("utf-8", "backslashreplace") for value in values]
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    offsets = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] >= 1 << 31:  # a chunk's values are far smaller; a string array cannot hold more
        raise ValueError("over 2 GB of text in one chunk of the decisions log")
    present = np.fromiter((value is not None for value in values), np.bool_, len(values))
    buffers = [_validity(present), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded))]
    array: pa.StringArray = pa.Array.from_buffers(pa.string(), len(values), buffers)
    return array


def string_lists(values: list[list[str]]) -> pa.ListArray:
    """A list<string> array, one list per value (none null)."""
    lengths = np.fromiter(map(len, values), np.int32, len(values))
    offsets = np.zeros(len(values) + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    flat: list[str | None] = [item for value in values for item in value]
    return pa.ListArray.from_arrays(integers(offsets), strings(flat))


def python_values(values: list[Any]) -> pa.Array:
    """A column of Python values (an `--id-column` read from JSON or CSV): text and integers through the
    buffers, anything else (floats, mixed types) as pyarrow infers it, or as text."""
    kinds = {type(value) for value in values} - {type(None)}
    if kinds <= {str}:
        return strings(values)
    present = np.fromiter((value is not None for value in values), np.bool_, len(values))
    if kinds == {int}:
        try:
            numbers = np.array([0 if value is None else value for value in values], np.int64)
        except OverflowError:
            pass
        else:
            return integers(numbers, present)
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return strings([None if value is None else str(value) for value in values])
