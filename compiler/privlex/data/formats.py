"""`privlex filter`'s three formats: read in chunks, decide over columns, and write the kept rows.

JSONL and CSV records are kept as the bytes they were read as; Parquet batches
are filtered with Arrow and written with the input's schema and metadata.
Every reader opens its input and resolves its facts in its constructor, so an
unreadable file or a schema error stops the run before any output exists.
Rows are decided by the columnar evaluator (`batch.Evaluator`); a JSON record
of a shape no column could hold (a group that is not an object) is decided
by the package's own `check`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import sys
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

import numpy as np

from ..runtime import InvalidUse
from .batch import Evaluator
from .facts import Catalog, package_catalog, parse_text
from .outputs import WriteError, why
from .records import RecordReader
from .schema import Column, Plan, plan
from .sources import STDIO, ReadError, open_bytes, parquet_files
from .verdicts import Verdict, invalid

LINES_PER_CHUNK = 65536
ROWS_PER_BATCH = 131072
# csv's own limit is 131,072 characters a cell; past it the reader loses its place inside a quoted
# cell. privlex raises it, and a cell longer than this stops the run with a clear error.
MAX_CELL = 1 << 26
csv.field_size_limit(MAX_CELL)


@dataclass
class Chunk:
    """Consecutive rows with their verdicts; `records` or `batch` holds what to write for the kept ones."""

    lines: np.ndarray  # 1-based line (CSV, JSONL) or row (Parquet) of each row
    verdicts: list[Verdict]  # distinct verdicts of the chunk
    index: np.ndarray  # per row: its verdict's position in `verdicts`
    records: list[bytes] = field(default_factory=list)  # JSONL/CSV: each row's bytes
    batch: Any = None  # Parquet: the record batch
    ids: list[Any] | None = None  # the --id-column's value per row


@dataclass
class Settings:
    package: types.ModuleType
    today: Any
    mapping: Mapping[str, str]
    constants: Mapping[str, Any]
    id_column: str | None = None

    @property
    def facts(self) -> Catalog:
        return package_catalog(self.package)


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _Duplicate(f"the key {twice!r} is given twice in one object: readers differ on which value counts")
    return found


class _Hashing:
    """A binary stream that hashes what is read through it (the input's hash in the decisions log)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        for line in self.stream:
            self.digest.update(line)
            self.count += len(line)
            yield line


class JsonlReader:
    format = "jsonl"

    def __init__(self, name: str, settings: Settings, evaluator: Evaluator) -> None:
        self.name = name
        self.source = _Hashing(open_bytes(name))
        self.lines_in = iter(self.source)
        self.settings = settings
        self.evaluator = evaluator
        self.records = RecordReader(settings.facts, settings.mapping, settings.constants)
        self.line = 0

    @property
    def digest(self) -> str:
        return self.source.digest.hexdigest()

    def describe(self) -> list[str]:
        """The facts read so far (JSON lines have no schema: each line names its own)."""
        order = {path: number for number, path in enumerate(self.settings.facts.facts)}
        read = sorted(self.records.seen, key=lambda path: (order.get(path, len(order)), path)) or [
            "each line's keys named after a fact root"
        ]
        read += [f"{fact} <- {name}" for fact, name in self.settings.mapping.items()]
        return read + [f"{fact} = {value!r} (--set)" for fact, value in self.settings.constants.items()]

    def position(self) -> int:
        return self.source.count

    def chunks(self) -> Iterator[Chunk]:
        id_column = self.settings.id_column
        while lines := list(islice(self.lines_in, LINES_PER_CHUNK)):
            numbers: list[int] = []
            items: list[Verdict | dict[str, Any]] = []
            records: list[bytes] = []
            ids: list[Any] = []
            for raw in lines:
                self.line += 1
                if not raw.strip():
                    continue
                numbers.append(self.line)
                records.append(raw)
                item, identifier = self._item(raw, id_column)
                items.append(item)
                ids.append(identifier)
            verdicts, index = self.evaluator.records(items)
            yield Chunk(np.array(numbers, np.int64), verdicts, index, records, ids=ids if id_column else None)

    def _item(self, raw: bytes, id_column: str | None) -> tuple[Verdict | dict[str, Any], Any]:
        try:
            record = json.loads(raw, object_pairs_hook=_pairs)
        except _Duplicate as exc:
            return invalid(str(exc)), None
        except RecursionError:
            return invalid("nested too deeply to read (JSON nested deeper than about 900 levels)"), None
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            return invalid(f"malformed JSON: {exc}"), None
        if not isinstance(record, dict):
            return invalid(f"a line must hold a JSON object, not {type(record).__name__}"), None
        identifier = _json_scalar(record.get(id_column)) if id_column else None
        use = self.records.use(record)
        if isinstance(use, Verdict):
            return use, identifier
        flat: dict[str, Any] = {}
        for key, value in use.items():
            if key in self.settings.facts.groups:
                if not isinstance(value, dict):
                    return self._by_check(use), identifier
                for name, inner in value.items():
                    flat[f"{key}.{name}"] = inner
            else:
                flat[key] = value
        if any(path not in self.settings.facts.facts for path in flat):
            return self._by_check(use), identifier  # `check` names what is wrong
        return flat, identifier

    def _by_check(self, use: dict[str, Any]) -> Verdict:
        """A record of a shape no column holds, decided by the package's own `check` (its error, in practice)."""
        try:
            decision = self.settings.package.check(
                {**use, **_nested(self.settings.constants)}, today=self.settings.today
            )
        except InvalidUse as exc:
            return invalid(str(exc), exc.path or None)
        deciding = tuple(f"{r.ruleset}.{r.rule}" for r in decision.reasons)
        return Verdict(str(decision.outcome), deciding, None, None, decision)

    def close(self) -> None:
        if self.name != STDIO:
            self.source.stream.close()

    def write_header(self, out: Any) -> None:
        pass

    def write(self, out: Any, chunk: Chunk, keep: np.ndarray) -> None:
        out.write(b"".join(record for record, kept in zip(chunk.records, keep.tolist(), strict=True) if kept))


def _nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    from .facts import nest

    return nest(flat)


def _json_scalar(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else json.dumps(value)


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

    def __init__(self, name: str, settings: Settings, evaluator_of: Any) -> None:
        self.name = name
        self.settings = settings
        self.raw = open_bytes(name)
        self.hashing = _Hashing(self.raw)
        self.bom = self.raw.peek(3)[:3] == codecs.BOM_UTF8 if hasattr(self.raw, "peek") else False
        binary = io.BufferedReader(_IterRaw(iter(self.hashing)))
        self.stream = io.TextIOWrapper(
            binary, encoding="utf-8-sig" if self.bom else "utf-8", errors="surrogateescape", newline=""
        )
        self.lines = _Lines(self.stream)
        self.reader = csv.reader(self.lines)
        try:
            self.header = next(self.reader)
        except StopIteration:
            raise ReadError(f"{name} is empty: a CSV file needs a header line") from None
        except (csv.Error, OSError) as exc:
            raise ReadError(f"cannot read the header of {name}: {exc}") from exc
        self.header_text = "".join(self.lines.taken)
        self.lines.taken.clear()
        facts = settings.facts
        try:
            self.plan: Plan = plan([Column(n) for n in self.header], facts, settings.mapping, settings.constants)
        except ValueError as exc:
            self.stream.close()
            raise ReadError(str(exc)) from exc
        self.evaluator: Evaluator = evaluator_of(self.plan)
        self.columns = [self.header.index(source.column[0]) for source in self.plan.sources]
        self.specs = [facts.facts[source.fact] for source in self.plan.sources]
        self.paths = [source.fact for source in self.plan.sources]
        self.id_index = self.header.index(settings.id_column) if settings.id_column in self.header else None

    @property
    def digest(self) -> str:
        return self.hashing.digest.hexdigest()

    def describe(self) -> list[str]:
        return self.plan.describe()

    def position(self) -> int:
        return self.hashing.count

    def chunks(self) -> Iterator[Chunk]:
        width = len(self.header)
        while True:
            numbers: list[int] = []
            items: list[Verdict | dict[str, Any]] = []
            records: list[bytes] = []
            ids: list[Any] = []
            for _ in range(LINES_PER_CHUNK):
                start = self.lines.count + 1
                try:
                    row = next(self.reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    # The reader may have lost its place (inside a quoted cell): never keep a row it did not read.
                    raise ReadError(f"{self.name}, line {start}: {exc}; nothing was written") from exc
                text = "".join(self.lines.taken)
                self.lines.taken.clear()
                if row == []:
                    continue  # a blank line is not a record
                numbers.append(start)
                records.append(text.encode(self.encoding, "surrogateescape"))
                ids.append(row[self.id_index] if self.id_index is not None and self.id_index < len(row) else None)
                if len(row) != width:
                    items.append(invalid(f"expected {width} fields, found {len(row)}"))
                else:
                    items.append(
                        {
                            path: parse_text(spec, row[i])
                            for path, spec, i in zip(self.paths, self.specs, self.columns, strict=True)
                        }
                    )
            if not numbers:
                return
            verdicts, index = self.evaluator.records(items)
            yield Chunk(
                np.array(numbers, np.int64), verdicts, index, records, ids=ids if self.id_index is not None else None
            )

    def close(self) -> None:
        self.stream.close()

    def write_header(self, out: Any) -> None:
        out.write((codecs.BOM_UTF8 if self.bom else b"") + self.header_text.encode(self.encoding, "surrogateescape"))

    def write(self, out: Any, chunk: Chunk, keep: np.ndarray) -> None:
        out.write(b"".join(record for record, kept in zip(chunk.records, keep.tolist(), strict=True) if kept))


class _IterRaw(io.RawIOBase):
    """A raw stream over an iterator of byte strings (the hashed lines of the input)."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self.parts = parts
        self.left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.left:
            try:
                self.left = next(self.parts)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.left))
        buffer[:size] = self.left[:size]
        self.left = self.left[size:]
        return size


class ParquetReader:
    format = "parquet"

    def __init__(self, name: str, settings: Settings, evaluator_of: Any) -> None:
        import pyarrow as pa
        import pyarrow.dataset as ds

        from .schema import arrow_columns

        self.name = name
        self.files = parquet_files(name)
        try:
            first = ds.dataset(self.files[0], format="parquet")
            schema = first.schema
            strings = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
            resolved = plan(arrow_columns(schema), settings.facts, settings.mapping, settings.constants)
            facts_read = {source.column[0] for source in resolved.sources}
            parquet = ds.ParquetFileFormat(read_options={"dictionary_columns": [n for n in strings if n in facts_read]})
            self.dataset = ds.dataset(self.files, format=parquet, partitioning="hive" if len(self.files) > 1 else None)
            self.schema = self.dataset.schema
            self.out_schema = schema if len(self.files) == 1 else self.schema
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
        for batch in self.dataset.to_batches(batch_size=ROWS_PER_BATCH, use_threads=True):
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
                self.writer.write_batch(chunk.batch.filter(pa.array(keep)))
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


Reader = JsonlReader | CsvReader | ParquetReader


def open_reader(name: str, kind: str, settings: Settings, evaluator_of: Any) -> Reader:
    if kind == "parquet":
        if name == STDIO:
            raise ReadError("Parquet cannot be read from standard input: give a file, a folder or a glob")
        reader = ParquetReader(name, settings, evaluator_of)
        reader.settings_id = settings.id_column
        return reader
    if name != STDIO:
        from pathlib import Path

        path = Path(name)
        if not path.is_file():
            raise ReadError(f"cannot read {name}: {'it is a folder' if path.is_dir() else 'no such file'}")
    if kind == "csv":
        return CsvReader(name, settings, evaluator_of)
    return JsonlReader(name, settings, evaluator_of(Plan((), dict(settings.constants))))


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
