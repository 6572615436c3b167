"""`privlex filter` on CSV: records read with `csv`, their cells parsed as facts, the kept records written as read."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import Any

import numpy as np

from .batch import Evaluator
from .facts import parse_text
from .read_jsonl import LINES_PER_CHUNK
from .reading import Chunk, Hashing, Settings
from .schema import Column, Plan, plan
from .sources import ReadError, open_bytes
from .verdicts import Verdict, invalid

# csv's own limit is 131,072 characters a cell; past it the reader loses its place inside a quoted
# cell. privlex raises it, and a cell longer than this stops the run with a clear error.
MAX_CELL = 1 << 26
csv.field_size_limit(MAX_CELL)


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
        self.hashing = Hashing(self.raw)
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
