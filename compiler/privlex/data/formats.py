"""`privlex filter`'s three formats: read in chunks, decide, and write the kept rows.

JSONL and CSV records are kept as the bytes they were read as; Parquet batches
are filtered with Arrow and written with the input's schema and metadata.
Every reader opens its input and resolves its facts in its constructor, so an
unreadable file or a schema error stops the run before any output exists.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

import numpy as np

from .facts import Catalog, nest, package_catalog, parse_text
from .records import RecordReader
from .schema import Column, Plan, plan
from .verdicts import Decider, Distinct, Verdict, invalid

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
LINES_PER_CHUNK = 8192
ROWS_PER_BATCH = 131072


class ReadError(Exception):
    """The input cannot be read, or its columns cannot be read as facts (exit 2)."""


@dataclass
class Chunk:
    """Consecutive rows with their verdicts; `kept` holds what to write for the kept ones."""

    lines: np.ndarray  # 1-based line (CSV, JSONL) or row (Parquet) of each row
    verdicts: list[Verdict]  # distinct verdicts of the chunk
    index: np.ndarray  # per row: its verdict's position in `verdicts`
    records: list[bytes] = field(default_factory=list)  # JSONL/CSV: each row's bytes
    batch: Any = None  # Parquet: the record batch


@dataclass
class Settings:
    package: types.ModuleType
    decider: Decider
    mapping: Mapping[str, str]
    constants: Mapping[str, Any]

    @property
    def facts(self) -> Catalog:
        return package_catalog(self.package)


def _indexed(verdicts: list[Verdict]) -> tuple[list[Verdict], np.ndarray]:
    distinct = Distinct()
    index = np.fromiter((distinct.slot(v) for v in verdicts), np.int32, len(verdicts))
    return distinct.verdicts, index


class JsonlReader:
    format = "jsonl"

    def __init__(self, path: Path, settings: Settings) -> None:
        try:
            self.stream: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise ReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
        self.settings = settings
        self.records = RecordReader(settings.facts, settings.mapping, settings.constants)
        self.line = 0

    def describe(self) -> list[str]:
        """The facts read so far (JSON lines have no schema: each line names its own)."""
        order = {path: number for number, path in enumerate(self.settings.facts.facts)}
        read = sorted(self.records.seen, key=lambda path: (order.get(path, len(order)), path)) or [
            "each line's keys named after a fact root"
        ]
        read += [f"{fact} <- {name}" for fact, name in self.settings.mapping.items()]
        return read + [f"{fact} = {value!r} (--set)" for fact, value in self.settings.constants.items()]

    def position(self) -> int:
        return self.stream.tell()

    def chunks(self) -> Iterator[Chunk]:
        decide = self.settings.decider.decide
        while lines := list(islice(self.stream, LINES_PER_CHUNK)):
            numbers: list[int] = []
            verdicts: list[Verdict] = []
            records: list[bytes] = []
            for raw in lines:
                self.line += 1
                if not raw.strip():
                    continue
                numbers.append(self.line)
                records.append(raw)
                verdicts.append(self._verdict(raw, decide))
            distinct, index = _indexed(verdicts)
            yield Chunk(np.array(numbers, np.int64), distinct, index, records)

    def _verdict(self, raw: bytes, decide: Any) -> Verdict:
        try:
            record = json.loads(raw)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            return invalid(f"malformed JSON: {exc}")
        if not isinstance(record, dict):
            return invalid(f"a line must hold a JSON object, not {type(record).__name__}")
        use = self.records.use(record)
        return use if isinstance(use, Verdict) else decide(use)

    def close(self) -> None:
        self.stream.close()

    def write_header(self, out: IO[bytes]) -> None:
        pass

    def write(self, out: IO[bytes], chunk: Chunk, keep: np.ndarray) -> None:
        out.writelines(record for record, kept in zip(chunk.records, keep.tolist(), strict=True) if kept)


class _Lines:
    """Feeds csv.reader one line at a time and remembers the lines of the current record."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.taken: list[str] = []
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line: str = next(self.stream)
        self.taken.append(line)
        self.count += 1
        return line


class CsvReader:
    format = "csv"
    encoding = "utf-8"

    def __init__(self, path: Path, settings: Settings) -> None:
        self.settings = settings
        try:
            self.raw = open(path, "rb")  # noqa: SIM115 - closed by close()
            self.bom = self.raw.read(3) == codecs.BOM_UTF8
            self.raw.seek(0)
            self.stream = io.TextIOWrapper(
                self.raw, encoding="utf-8-sig" if self.bom else "utf-8", errors="surrogateescape", newline=""
            )
        except OSError as exc:
            raise ReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
        self.lines = _Lines(self.stream)
        self.reader = csv.reader(self.lines)
        try:
            self.header = next(self.reader)
        except StopIteration:
            raise ReadError(f"{path} is empty: a CSV file needs a header line") from None
        except (csv.Error, OSError) as exc:
            raise ReadError(f"cannot read the header of {path}: {exc}") from exc
        self.header_text = "".join(self.lines.taken)
        self.lines.taken.clear()
        facts = settings.facts
        try:
            self.plan: Plan = plan([Column(name) for name in self.header], facts, settings.mapping, settings.constants)
        except ValueError as exc:
            self.stream.close()
            raise ReadError(str(exc)) from exc
        self.columns = [self.header.index(source.column[0]) for source in self.plan.sources]
        self.specs = [facts.facts[source.fact] for source in self.plan.sources]
        self.paths = [source.fact for source in self.plan.sources]
        self.layout = (tuple(self.paths), tuple(sorted(self.plan.constants.items(), key=lambda kv: kv[0])))

    def describe(self) -> list[str]:
        return self.plan.describe()

    def position(self) -> int:
        return self.raw.tell()

    def chunks(self) -> Iterator[Chunk]:
        width = len(self.header)
        decider = self.settings.decider
        while True:
            numbers: list[int] = []
            verdicts: list[Verdict] = []
            records: list[bytes] = []
            for _ in range(LINES_PER_CHUNK):
                start = self.lines.count + 1
                try:
                    row = next(self.reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    row, problem = None, invalid(f"malformed CSV: {exc}")
                text = "".join(self.lines.taken)
                self.lines.taken.clear()
                if row == []:
                    continue  # a blank line is not a record
                numbers.append(start)
                records.append(text.encode(self.encoding, "surrogateescape"))
                if row is None:
                    verdicts.append(problem)
                elif len(row) != width:
                    verdicts.append(invalid(f"expected {width} fields, found {len(row)}"))
                else:
                    cells = tuple(row[i] for i in self.columns)
                    verdicts.append(decider.decide_values((self.layout, cells), lambda c=cells: self._use(c)))
            if not numbers:
                return
            distinct, index = _indexed(verdicts)
            yield Chunk(np.array(numbers, np.int64), distinct, index, records)

    def _use(self, cells: tuple[str, ...]) -> dict[str, Any]:
        flat = {path: parse_text(spec, cell) for path, spec, cell in zip(self.paths, self.specs, cells, strict=True)}
        return nest({**flat, **self.plan.constants})

    def close(self) -> None:
        self.stream.close()

    def write_header(self, out: IO[bytes]) -> None:
        out.write((codecs.BOM_UTF8 if self.bom else b"") + self.header_text.encode(self.encoding, "surrogateescape"))

    def write(self, out: IO[bytes], chunk: Chunk, keep: np.ndarray) -> None:
        out.writelines(record for record, kept in zip(chunk.records, keep.tolist(), strict=True) if kept)


class ParquetReader:
    format = "parquet"

    def __init__(self, path: Path, settings: Settings) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .batch import Evaluator

        try:
            self.file = pq.ParquetFile(path)
            self.schema = self.file.schema_arrow
        except (OSError, pa.ArrowException) as exc:
            raise ReadError(f"cannot read {path} as Parquet: {exc}") from exc
        from .schema import arrow_columns

        try:
            resolved = plan(arrow_columns(self.schema), settings.facts, settings.mapping, settings.constants)
        except ValueError as exc:
            raise ReadError(str(exc)) from exc
        self.evaluator = Evaluator(resolved, settings.decider)
        self.rows = 0
        self.total = self.file.metadata.num_rows
        self.writer: Any = None
        metadata = self.file.metadata
        column = metadata.row_group(0).column(0) if metadata.num_row_groups and metadata.num_columns else None
        self.compression = column.compression.lower() if column is not None else "snappy"
        if self.compression not in ("snappy", "gzip", "brotli", "zstd", "lz4", "none", "uncompressed"):
            self.compression = "snappy"

    def describe(self) -> list[str]:
        return self.evaluator.plan.describe()

    def position(self) -> int:
        return self.rows

    def chunks(self) -> Iterator[Chunk]:
        for batch in self.file.iter_batches(batch_size=ROWS_PER_BATCH):
            verdicts, index = self.evaluator.batch(batch)
            lines = np.arange(self.rows + 1, self.rows + batch.num_rows + 1, dtype=np.int64)
            self.rows += batch.num_rows
            yield Chunk(lines, verdicts, index, batch=batch)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.file.close()

    def write_header(self, out: IO[bytes]) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(out, self.schema, compression=self.compression)

    def write(self, out: IO[bytes], chunk: Chunk, keep: np.ndarray) -> None:
        import pyarrow as pa

        if keep.any():
            self.writer.write_batch(chunk.batch.filter(pa.array(keep)))

    def finish(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


Reader = JsonlReader | CsvReader | ParquetReader
READERS: dict[str, type[Reader]] = {"jsonl": JsonlReader, "csv": CsvReader, "parquet": ParquetReader}


def open_reader(path: Path, format: str | None, settings: Settings) -> Reader:
    kind = format or FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ReadError(f"cannot tell the format of {path} from its extension: give --format jsonl, csv or parquet")
    if kind not in READERS:
        raise ReadError(f"unknown format {kind!r}: use jsonl, csv or parquet")
    if not path.is_file():
        raise ReadError(f"cannot read {path}: {'it is a folder' if path.is_dir() else 'no such file'}")
    return READERS[kind](path, settings)


def log_header(settings: Settings, reader: Reader, path: Path, allow_uncovered: bool) -> bytes:
    import privlex

    header = {
        "privlex": privlex.__version__,
        "package": settings.package.__name__,
        "source_hash": f"sha256:{settings.package.SOURCE_HASH}",
        "input": str(path),
        "format": reader.format,
        "today": settings.decider.today.isoformat(),
        "allow_uncovered": allow_uncovered,
        "facts": reader.describe(),
    }
    return (json.dumps(header, ensure_ascii=False) + "\n").encode("utf-8")
