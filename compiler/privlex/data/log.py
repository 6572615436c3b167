"""The decisions log of `privlex filter`: one record per input row, between a header and a summary.

JSON lines by default (gzip or zstd by the log's extension), Parquet when
the log's name ends in `.parquet`. Every row's record holds its row and line
numbers, the `--id-column` value, the outcome, the deciding nodes, the
obligations and citations of a permit, and the error and field of an
invalid row. The header (JSONL: the first line; Parquet: the file's
metadata) records the rules (package, source hash), the input and its
SHA-256, the day and the options; the closing summary (JSONL: the last line,
`"summary": true`; Parquet: metadata) the counts and the run's time.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import numpy as np

from .arrays import integers, python_values, string_lists, strings
from .outputs import Output, WriteError, why
from .reading import Chunk
from .verdicts import Verdict


def _citations(verdict: Verdict) -> list[str]:
    if verdict.decision is None:
        return []
    seen: dict[str, None] = {}
    for reason in verdict.decision.reasons:
        for citation in reason.citations:
            seen.setdefault(citation, None)
    return list(seen)


def _fields(verdict: Verdict) -> dict[str, Any]:
    return {
        "outcome": verdict.outcome,
        "deciding": list(verdict.deciding),
        "obligations": list(verdict.obligations),
        "citations": _citations(verdict),
        "error": verdict.error,
        "field": verdict.field,
    }


def _ids(ids: Any, count: int) -> Any:
    """The `--id-column` values: the column as read (Parquet; text as text, not its dictionary), or
    Python values (JSON lines, CSV)."""
    import pyarrow as pa

    if ids is None:
        return pa.nulls(count, pa.null())
    if isinstance(ids, pa.Array):
        return ids.cast(ids.type.value_type) if pa.types.is_dictionary(ids.type) else ids
    return python_values(ids)


class DecisionsLog:
    """Writes the log as JSON lines or Parquet, chunk by chunk."""

    def __init__(self, output: Output, parquet: bool, with_ids: bool) -> None:
        self.output = output
        self.parquet = parquet
        self.with_ids = with_ids
        self.header: dict[str, Any] = {}
        self.writer: Any = None

    def start(self, header: dict[str, Any]) -> None:
        self.header = header
        if not self.parquet:
            self.output.write((json.dumps(header, ensure_ascii=False) + "\n").encode("utf-8"))

    def add(self, chunk: Chunk, first_row: int) -> None:
        if self.parquet:
            self._add_parquet(chunk, first_row)
            return
        tails = [json.dumps(_fields(v), ensure_ascii=False)[1:] for v in chunk.verdicts]
        rows = range(first_row, first_row + len(chunk.index))
        if self.with_ids:
            values = chunk.ids if isinstance(chunk.ids, list) or chunk.ids is None else chunk.ids.to_pylist()
            ids = [json.dumps(i, ensure_ascii=False) for i in values or [None] * len(chunk.index)]
            lines = [
                f'{{"row": {row}, "line": {line}, "id": {identifier}, {tails[slot]}\n'
                for row, line, identifier, slot in zip(
                    rows, chunk.lines.tolist(), ids, chunk.index.tolist(), strict=True
                )
            ]
        else:
            lines = [
                f'{{"row": {row}, "line": {line}, {tails[slot]}\n'
                for row, line, slot in zip(rows, chunk.lines.tolist(), chunk.index.tolist(), strict=True)
            ]
        self.output.write("".join(lines).encode("utf-8"))

    def _add_parquet(self, chunk: Chunk, first_row: int) -> None:
        try:
            self._write_parquet(chunk, first_row)
        except OSError as exc:
            raise WriteError(f"cannot write {self.output.target}: {why(exc)}") from exc

    def _write_parquet(self, chunk: Chunk, first_row: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        count = len(chunk.index)
        index = integers(chunk.index.astype(np.int32))
        per_verdict = [_fields(v) for v in chunk.verdicts]

        def text(name: str) -> pa.Array:
            return strings([f[name] for f in per_verdict]).take(index)

        arrays = {
            "row": integers(np.arange(first_row, first_row + count, dtype=np.int64)),
            "line": integers(chunk.lines.astype(np.int64)),
        }
        if self.with_ids:
            arrays["id"] = _ids(chunk.ids, count)
        arrays["outcome"] = pa.DictionaryArray.from_arrays(index, strings([f["outcome"] for f in per_verdict]))
        for name in ("deciding", "obligations", "citations"):
            arrays[name] = string_lists([f[name] for f in per_verdict]).take(index)
        arrays["error"] = text("error")
        arrays["field"] = text("field")
        batch = pa.RecordBatch.from_arrays(list(arrays.values()), names=list(arrays))
        if self.writer is None:
            metadata = {b"privlex.header": json.dumps(self.header, ensure_ascii=False).encode("utf-8")}
            self.schema = batch.schema.with_metadata(metadata)
            self.writer = pq.ParquetWriter(self.output.native(), self.schema, compression="zstd")
        elif self.with_ids and batch.schema.field("id").type != self.schema.field("id").type:
            batch = batch.set_column(2, "id", batch.column("id").cast(self.schema.field("id").type))
        self.writer.write_batch(batch.replace_schema_metadata(self.schema.metadata))

    def close(self) -> None:
        """After a failed run (a finished one closed its writer in `finish`): the log is discarded, so an
        error closing its writer says nothing and must not hide the run's own."""
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
            self.writer = None

    def finish(self, summary: dict[str, Any]) -> None:
        if not self.parquet:
            self.output.write((json.dumps({"summary": True, **summary}, ensure_ascii=False) + "\n").encode("utf-8"))
            return
        if self.writer is None:
            empty = Chunk(np.zeros(0, np.int64), [], np.zeros(0, np.int32), ids=[])
            self._add_parquet(empty, 1)
        try:
            self.writer.add_key_value_metadata({"privlex.summary": json.dumps(summary, ensure_ascii=False)})
            self.writer.close()
        except OSError as exc:
            raise WriteError(f"cannot write {self.output.target}: {why(exc)}") from exc
