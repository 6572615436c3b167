"""`privlex filter` on Parquet: record batches read with Arrow, decided, and the kept rows written as batches.

The kept rows are written with the input's schema and metadata and its
compression. Text fact columns are read dictionary-encoded (Parquet stores
them so): each batch's distinct values are then its dictionary.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .arrays import booleans
from .batch import Evaluator
from .outputs import WriteError, why
from .reading import Chunk, Settings
from .schema import Plan, plan
from .sources import ReadError, parquet_files

ROWS_PER_BATCH = 131072


class ParquetReader:
    format = "parquet"

    def __init__(self, name: str, settings: Settings, evaluator_of: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.name = name
        self.files = parquet_files(name)
        self.file: Any = None
        self.dataset: Any = None
        try:
            if not _partitioned(self.files):
                # One file or a folder of plain files, the common case: read one file after the other.
                # pyarrow.dataset imports pandas (about as much CPU as deciding a million rows), and its
                # scanner reads ahead of a slow consumer: on a folder of 10 files it held ~300 MB of
                # batches not yet decided.
                first = pq.ParquetFile(self.files[0])
                self.schema = self.out_schema = first.schema_arrow
                resolved, self.dictionary = _plan(self.schema, settings)
                self.file = pq.ParquetFile(self.files[0], read_dictionary=self.dictionary)
                self.total = first.metadata.num_rows + sum(pq.read_metadata(f).num_rows for f in self.files[1:])
            else:
                import pyarrow.dataset as ds

                # the partition columns (`region=DE/`) can hold facts too
                self.schema = self.out_schema = ds.dataset(self.files, partitioning="hive").schema
                resolved, self.dictionary = _plan(self.schema, settings)
                parquet = ds.ParquetFileFormat(read_options={"dictionary_columns": self.dictionary})
                self.dataset = ds.dataset(self.files, format=parquet, partitioning="hive")
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
        id_column = self.settings_id
        for batch in self._batches():
            if not batch.num_rows:
                continue
            verdicts, index = self.evaluator.batch(batch)
            lines = np.arange(self.rows + 1, self.rows + batch.num_rows + 1, dtype=np.int64)
            self.rows += batch.num_rows
            ids = batch.column(id_column) if id_column in batch.schema.names else None
            yield Chunk(lines, verdicts, index, batch=batch, ids=ids)

    settings_id: str | None = None

    def _batches(self) -> Iterator[Any]:
        """The input's record batches, fact text columns dictionary-encoded, all in the first file's schema."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.dataset is not None:
            yield from self.dataset.to_batches(
                batch_size=ROWS_PER_BATCH, use_threads=True, batch_readahead=1, fragment_readahead=1
            )
            return
        schema = None
        for position, path in enumerate(self.files):
            file = self.file if position == 0 else pq.ParquetFile(path, read_dictionary=self.dictionary)
            for batch in file.iter_batches(batch_size=ROWS_PER_BATCH, use_threads=True):
                if schema is None:
                    schema = batch.schema
                # as pyarrow.dataset reads a folder: a column the first file lacks is dropped, one a later
                # file lacks is null, and a type that differs is cast (or the run stops with Arrow's error)
                yield batch if batch.schema == schema else _conform(batch, schema, pa)
            if file is not self.file:
                file.close()

    def close(self) -> None:
        """After a failed run (a finished one closed its writer in `finish_writing`): the kept rows are
        discarded, so an error closing their writer says nothing and must not hide the run's own."""
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
            self.writer = None

    def write_header(self, out: Any) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(out.native(), self.out_schema, compression=self.compression)

    def write(self, out: Any, chunk: Chunk, keep: np.ndarray) -> None:
        import pyarrow as pa

        if keep.any():
            # the kept rows only are cast back from the dictionary columns they were read as
            kept = chunk.batch.filter(booleans(keep))
            if kept.schema != self.out_schema:
                kept = _conform(kept, self.out_schema, pa)
            try:
                self.writer.write_batch(kept)
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


def _plan(schema: Any, settings: Settings) -> tuple[Plan, list[str]]:
    """Which columns give which facts, and the text columns among them, read dictionary-encoded."""
    import pyarrow as pa

    from .schema import arrow_columns

    resolved = plan(arrow_columns(schema), settings.facts, settings.mapping, settings.constants)
    facts_read = {source.column[0] for source in resolved.sources}
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    return resolved, [name for name in text if name in facts_read]


def _partitioned(files: list[str]) -> bool:
    """Whether the files' folders name partition columns (`year=2024/`): pyarrow.dataset reads those."""
    return any("=" in part for path in files for part in Path(path).parent.parts)


def _compression(path: str) -> str:
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
        column = metadata.row_group(0).column(0) if metadata.num_row_groups and metadata.num_columns else None
    except Exception:  # noqa: BLE001 - the dataset reports a broken file itself
        return "snappy"
    name = column.compression.lower() if column is not None else "snappy"
    return name if name in ("snappy", "gzip", "brotli", "zstd", "lz4", "none", "uncompressed") else "snappy"
