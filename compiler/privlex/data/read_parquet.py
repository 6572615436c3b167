"""`privlex filter` on Parquet: record batches read with Arrow, decided, and the kept rows written as batches.

The kept rows are written with the input's schema and metadata and its
compression. Text fact columns are read dictionary-encoded (Parquet stores
them so): each batch's distinct values are then its dictionary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .batch import Evaluator
from .outputs import WriteError, why
from .reading import Chunk, Settings
from .schema import plan
from .sources import ReadError, parquet_files

ROWS_PER_BATCH = 131072


class ParquetReader:
    format = "parquet"

    def __init__(self, name: str, settings: Settings, evaluator_of: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .schema import arrow_columns

        self.name = name
        self.files = parquet_files(name)
        self.file: Any = None
        self.dataset: Any = None
        try:
            first = pq.ParquetFile(self.files[0])
            schema = first.schema_arrow
            strings = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
            resolved = plan(arrow_columns(schema), settings.facts, settings.mapping, settings.constants)
            facts_read = {source.column[0] for source in resolved.sources}
            dictionary = [n for n in strings if n in facts_read]
            if len(self.files) == 1:
                # One file, the common case: read directly. pyarrow.dataset imports pandas, which alone
                # costs about as much CPU as deciding a million rows.
                self.file = pq.ParquetFile(self.files[0], read_dictionary=dictionary)
                self.schema = self.out_schema = schema
                self.total = first.metadata.num_rows
            else:
                import pyarrow.dataset as ds

                parquet = ds.ParquetFileFormat(read_options={"dictionary_columns": dictionary})
                self.dataset = ds.dataset(self.files, format=parquet, partitioning="hive")
                self.schema = self.out_schema = self.dataset.schema
                self.total = sum(fragment.count_rows() for fragment in self.dataset.get_fragments())
        except ValueError as exc:
            raise ReadError(str(exc)) from exc
        except (OSError, pa.ArrowException) as exc:
            raise ReadError(f"cannot read {name} as Parquet: {exc}") from exc
        self.evaluator: Evaluator = evaluator_of(resolved)
        self.plan = resolved
        self.rows = 0
        self.writer: Any = None
        self.compression = _compression(self.files[0])

    @property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for path in self.files:
            with open(path, "rb") as stream:
                while block := stream.read(1 << 22):
                    digest.update(block)
        return digest.hexdigest()

    def describe(self) -> list[str]:
        return self.plan.describe()

    def position(self) -> int:
        return self.rows

    def chunks(self) -> Iterator[Chunk]:
        import pyarrow as pa

        id_column = self.settings_id
        if self.file is not None:
            batches = self.file.iter_batches(batch_size=ROWS_PER_BATCH, use_threads=True)
        else:
            batches = self.dataset.to_batches(batch_size=ROWS_PER_BATCH, use_threads=True)
        for batch in batches:
            if not batch.num_rows:
                continue
            verdicts, index = self.evaluator.batch(batch)
            lines = np.arange(self.rows + 1, self.rows + batch.num_rows + 1, dtype=np.int64)
            self.rows += batch.num_rows
            ids = batch.column(id_column).to_pylist() if id_column in batch.schema.names else None
            out = batch if batch.schema == self.out_schema else _conform(batch, self.out_schema, pa)
            yield Chunk(lines, verdicts, index, batch=out, ids=ids)

    settings_id: str | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def write_header(self, out: Any) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(out.stream, self.out_schema, compression=self.compression)

    def write(self, out: Any, chunk: Chunk, keep: np.ndarray) -> None:
        import pyarrow as pa

        if keep.any():
            try:
                self.writer.write_batch(chunk.batch.filter(_mask(keep, pa)))
            except OSError as exc:
                raise WriteError(f"cannot write {out.target}: {why(exc)}") from exc

    def finish_writing(self, out: Any) -> None:
        try:
            self.finish()
        except OSError as exc:
            raise WriteError(f"cannot write {out.target}: {why(exc)}") from exc

    def finish(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _conform(batch: Any, schema: Any, pa: Any) -> Any:
    """A batch read with dictionary-encoded fact columns, in the schema the kept rows are written with."""
    columns = [
        batch.column(f.name).cast(f.type) if f.name in batch.schema.names else pa.nulls(batch.num_rows, f.type)
        for f in schema
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _compression(path: str) -> str:
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
        column = metadata.row_group(0).column(0) if metadata.num_row_groups and metadata.num_columns else None
    except Exception:  # noqa: BLE001 - the dataset reports a broken file itself
        return "snappy"
    name = column.compression.lower() if column is not None else "snappy"
    return name if name in ("snappy", "gzip", "brotli", "zstd", "lz4", "none", "uncompressed") else "snappy"


def _mask(keep: np.ndarray, pa: Any) -> Any:
    """A boolean Arrow array from its bits: `pa.array` would import pandas (about a second of CPU) to
    ask whether a numpy array is a pandas object."""
    bits = np.packbits(keep, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(keep), [None, pa.py_buffer(bits)])
