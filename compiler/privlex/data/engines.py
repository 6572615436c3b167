"""What each data engine hands over, as Arrow, and back: so that the batch functions need no glue.

- pyarrow: a Table or a RecordBatch, as it is;
- pandas and polars: their frames (polars zero-copy through the Arrow C stream);
- Hugging Face `datasets`: a batch in any format (`ds.filter(permits_batch,
  batched=True)` hands a `LazyBatch` over the Arrow table it reads, used as
  it is; the python format's dict of lists is converted);
- anything else `pa.table()` takes (a dict of columns, an object with
  `__arrow_c_stream__`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa


def table_of(data: Any) -> pa.Table | pa.RecordBatch:
    """A pyarrow Table or RecordBatch for what an engine hands over."""
    if isinstance(data, pa.Table | pa.RecordBatch):
        return data
    arrow = getattr(data, "pa_table", None)  # datasets' LazyBatch (and its formatted batches)
    if isinstance(arrow, pa.Table) and isinstance(data, Mapping) and list(data.keys()) == arrow.column_names:
        return arrow
    if isinstance(data, Mapping):
        data = {str(name): _column(values) for name, values in data.items()}
    try:
        return pa.table(data)
    except (TypeError, ValueError, pa.ArrowException) as exc:
        raise TypeError(
            f"expected a table (pyarrow, pandas, polars or a dict of columns), got {type(data).__name__}: {exc}"
        ) from exc


def _column(values: Any) -> Any:
    """A column of a dict batch: Arrow and numpy as they are, a pandas or polars series by Arrow, lists as lists."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    to_arrow = getattr(values, "to_arrow", None)  # polars.Series
    if callable(to_arrow):
        return to_arrow()
    if type(values).__module__.startswith("pandas"):
        return pa.Array.from_pandas(values)
    if isinstance(values, tuple):
        return list(values)
    return values


def with_columns(data: pa.Table | pa.RecordBatch, added: Mapping[str, pa.Array]) -> pa.Table | pa.RecordBatch:
    """`data` with `added` appended (replacing columns of the same names)."""
    for name, values in added.items():
        if name in data.column_names:
            data = data.drop_columns([name])
        data = data.append_column(name, values)
    return data


def like(original: Any, table: pa.Table | pa.RecordBatch) -> Any:
    """`table` in the kind of `original`: Arrow, pandas, polars, or a dict of lists."""
    if isinstance(original, pa.Table | pa.RecordBatch):
        return table
    module = type(original).__module__.split(".")[0]
    if module == "pandas":
        frame = table.to_pandas()
        frame.index = original.index
        return frame
    if module == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if isinstance(original, Mapping):
        return table.to_pydict()
    return table
