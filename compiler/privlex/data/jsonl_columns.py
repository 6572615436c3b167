"""JSON lines read by blocks with pyarrow's JSON reader into fact columns: the fast path of `read_jsonl`.

The per-line reading (`json.loads`, `RecordReader.use`) stays the definition.
A block of lines is parsed by Arrow with an explicit schema made from the
vocabulary (and `--map`), so no fact's type is guessed; a line is read here
only when Arrow's reading of it is certainly the per-line reading's, and is
otherwise handed back to be read on its own, for its own error message:

- a line Arrow rejects (malformed, a key given twice at any depth, a value of
  the wrong type for its fact, an object where a value belongs, a line that is
  not one object), found by the row Arrow names or by halving the block;
- a line Arrow accepts and Python's `json` does not, or might not: bytes that
  are not UTF-8, NUL or a byte-order mark, `NaN`/`Inf` tokens, more brackets
  than the nesting limit could allow, a line that does not start with `{`;
- a line naming a key the per-line reading does more with than ignore: a
  name under a fact root that is not a fact, a near miss of a fact name, a
  key that is not a fact inside a group's object.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.json as pa_json

from .arrays import present
from .encode import leaf
from .facts import Catalog
from .records import RecordReader
from .schema import Plan, Source

# Python's json gives up near 1,000 levels of nesting (RecursionError, the line's error); a line with fewer
# opening brackets than this cannot be that deep, and more is rare enough to read line by line.
_BRACKETS = 200
# Tokens Arrow's parser takes and Python's json does not (`Inf`), or reads alike only maybe (`NaN`).
_NOT_NUMBERS = re.compile(rb"[\[:,]\s*[-+]?(?:NaN|Inf)")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[{\n")
_ROW = re.compile(r"in row (\d+)")
# Lines parsed by one call of Arrow's reader: about a megabyte of typical lines, which caches well, and
# what is parsed again around a line Arrow rejects.
LINES_PER_PARSE = 2048
# Arrow types whose values are those `json.loads` gives (a double is, below 2**53: see `_inexact`).
_EXACT = (pa.types.is_string, pa.types.is_int64, pa.types.is_boolean, pa.types.is_null, pa.types.is_float64)
_EXACT_DOUBLE = float(2**53)


@dataclass
class Part:
    """Lines read as columns: their positions in the block, one row of facts each, their ids."""

    rows: np.ndarray  # positions in the block, ascending
    facts: pa.RecordBatch  # one column per fact path
    ids: list[Any] | None  # the --id-column's value per row


class ColumnarLines:
    """Reads blocks of JSON lines as Arrow columns for one run (`--map` and `--set` fixed).

    Text and date facts are declared as strings (Arrow would read `2025-03-13`
    as a timestamp) once a line has given them (the lines parsed then are
    parsed again, declared); every other key's type is
    inferred, and a fact column of a type whose values are not exactly those
    of `json.loads` (a timestamp, a list) sends its lines to the per-line
    reading. Declaring only the facts the file gives keeps Arrow from
    building a column of nulls for each of the others, and an undeclared key
    that no line gives has no column: that is how the facts read are known
    without searching the bytes for every fact name.
    """

    def __init__(self, records: RecordReader, id_column: str | None) -> None:
        facts = records.facts
        self.records = records
        self.facts = facts
        self.id_column = id_column
        self.sources: list[tuple[str, tuple[str, ...]]] = []  # fact -> its path in the parsed table
        self.inner: dict[str, set[str]] = {}  # per group read from the line: its fact names
        for root in sorted(facts.roots, key=_order(facts)):
            if root in facts.scalars and root not in records.overridden:
                self.sources.append((root, (root,)))
            elif root in facts.groups and f"{root}." not in records.overridden:
                inner = [p for p in facts.facts if p.startswith(f"{root}.") and p not in records.overridden]
                if inner:
                    names = [p.split(".", 1)[1] for p in inner]
                    self.sources += [(p, (root, n)) for p, n in zip(inner, names, strict=True)]
                    self.inner[root] = set(names)
        self.from_line = [fact for fact, _ in self.sources]  # read from the line's own keys: `seen` by the reader
        self.written = {  # a fact's key given as null (in the line, or in a payload object: then looked at)
            fact: re.compile(rb'"' + re.escape(fact.rpartition(".")[2].encode()) + rb'"\s*:\s*null')
            for fact in self.from_line
        }
        for fact, name in records.mapping.items():
            self.sources.append((fact, (name,)))
        self.expected = {path[0] for _, path in self.sources}
        self.declared: set[str] = set()  # text facts a line has given: declared from then on
        self.plan = Plan(tuple(Source(fact, (fact,)) for fact, _ in self.sources), dict(records.constants))

    def schema(self) -> pa.Schema:
        """The declared columns: text and date facts given by --map, or read from a line already."""
        fields: list[pa.Field] = []
        for fact, path in self.sources:
            if not _text(self.facts, fact) or (fact in self.from_line and fact not in self.declared):
                continue
            if len(path) == 1:
                fields.append(pa.field(path[0], pa.string()))
            elif fields and fields[-1].name == path[0]:
                fields[-1] = pa.field(path[0], pa.struct([*fields[-1].type, pa.field(path[1], pa.string())]))
            else:
                fields.append(pa.field(path[0], pa.struct([pa.field(path[1], pa.string())])))
        return pa.schema(fields)

    @staticmethod
    def supports(records: RecordReader) -> bool:
        """Whether the run's `--map` can be read from columns: each to a plain top-level key, once."""
        names = list(records.mapping.values())
        return len(set(names)) == len(names) and all(
            fact not in records.facts.groups
            and "." not in name
            and name not in records.facts.roots
            and fact in records.facts.facts
            for fact, name in records.mapping.items()
        )

    def read(self, lines: list[bytes]) -> list[Part]:
        """Read what can be read as columns; the lines in no part are for the per-line reading."""
        candidates = self._screened(lines)
        if lines and not lines[-1].endswith(b"\n"):  # the last line of a file: one line per row for Arrow
            lines = [*lines[:-1], lines[-1] + b"\n"]
        parts: list[Part] = []
        for low in range(0, len(candidates), LINES_PER_PARSE):
            chosen = candidates[low : low + LINES_PER_PARSE]
            for where, batch in self._parse([lines[i] for i in chosen]):
                rows = chosen[where]
                text = [lines[i] for i in rows]
                irregular, facts, present = self._facts(batch, text)
                ids = self._ids(batch, text) if self.id_column is not None else None
                if irregular:
                    keep = np.ones(len(rows), np.bool_)
                    keep[sorted(irregular)] = False
                    rows, facts = rows[keep], facts.filter(_mask(keep))
                    text = [raw for raw, kept in zip(text, keep.tolist(), strict=True) if kept]
                    ids = [i for i, kept in zip(ids, keep.tolist(), strict=True) if kept] if ids is not None else None
                if len(rows):
                    self._note_seen(facts, text, present)
                    parts.append(Part(rows, facts, ids))
        return merged(parts)

    def _screened(self, lines: list[bytes]) -> np.ndarray:
        """The lines Arrow may read: not those Python's json could read otherwise."""
        bad = np.zeros(len(lines), np.bool_)
        block = b"".join(lines)
        try:
            block.decode("utf-8", "surrogatepass")  # as json.loads decodes bytes
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        zero, bom = b"\x00" in block, b"\xef\xbb\xbf" in block
        numbers = b"NaN" in block or b"Inf" in block
        if not utf8 or zero or bom or numbers:
            for number, raw in enumerate(lines):
                bad[number] = (
                    (zero and b"\x00" in raw)
                    or (bom and b"\xef\xbb\xbf" in raw)
                    or (not utf8 and not _utf8(raw))
                    or (numbers and _NOT_NUMBERS.search(raw) is not None)
                )
        bad |= _brackets(block, len(lines)) >= _BRACKETS
        # not an object (Arrow reads a line `null` as a row of nulls, and crashes on one that comes first)
        starts = np.cumsum(np.fromiter(map(len, lines), np.int64, len(lines))) - np.fromiter(map(len, lines), np.int64)
        for number in np.flatnonzero(np.frombuffer(block, np.uint8)[starts] != ord("{")).tolist():
            bad[number] |= lines[number].lstrip(b" \t\r\n")[:1] != b"{"
        return np.flatnonzero(~bad)

    def _parse(self, lines: list[bytes]) -> list[tuple[np.ndarray, pa.RecordBatch]]:
        """Parse the lines in as few calls as Arrow allows: the positions of each batch's lines, in order."""
        done: list[tuple[int, int, pa.RecordBatch]] = []
        pending = [(0, len(lines))]
        while pending:
            options = pa_json.ParseOptions(explicit_schema=self.schema(), unexpected_field_behavior="infer")
            low, high = pending.pop()
            if low >= high:
                continue
            data = b"".join(lines[low:high])
            error: str | None = None
            try:
                read = pa_json.ReadOptions(use_threads=False, block_size=len(data) + 1)
                table = pa_json.read_json(pa.py_buffer(data), read_options=read, parse_options=options)
            except (pa.ArrowException, ValueError) as exc:  # ArrowInvalid; UnicodeDecodeError (of its message)
                error = str(exc)
            if error is None and table.num_rows == high - low:
                batch = table.combine_chunks().to_batches()[0]
                if self._declare(batch):
                    pending.append((low, high))  # parsed again, the text facts it gives declared
                else:
                    done.append((low, high, batch))
                continue
            if high - low == 1:
                continue  # the line is read on its own
            found = _ROW.search(error) if error is not None else None
            row = int(found.group(1)) if found else -1
            if 0 <= row < high - low:  # that line is read on its own; the rest is parsed again
                pending += [(low + row + 1, high), (low, low + row)]
            else:  # no row named (or a line that holds two objects): halves
                middle = (low + high) // 2
                pending += [(middle, high), (low, middle)]
        done.sort(key=lambda part: part[0])
        return [(np.arange(low, high), batch) for low, high, batch in done]

    def _declare(self, batch: pa.RecordBatch) -> bool:
        """Declare the text and date facts the batch gives and were not declared: whether there were any."""
        names = batch.schema.names
        new = False
        for fact, path in self.sources:
            if fact in self.declared or fact not in self.from_line or not _text(self.facts, fact):
                continue
            if path[0] not in names:
                continue
            kind = batch.schema.field(path[0]).type
            if len(path) == 2:
                if not pa.types.is_struct(kind) or kind.get_field_index(path[1]) < 0:
                    continue
                kind = kind.field(path[1]).type
            self.declared.add(fact)
            new = new or not (pa.types.is_string(kind) or pa.types.is_null(kind))
        return new

    def _facts(self, batch: pa.RecordBatch, lines: list[bytes]) -> tuple[set[int], pa.RecordBatch, set[str]]:
        """The rows the per-line reading must read after all, the batch's fact columns, the facts with one."""
        present: set[str] = set()
        irregular: set[int] = set()
        names = batch.schema.names
        for field in batch.schema:
            name = field.name
            if name in self.inner and pa.types.is_struct(field.type):
                for index in range(field.type.num_fields):
                    inner = field.type.field(index).name
                    if inner not in self.inner[name] and f"{name}.{inner}" not in self.records.overridden:
                        irregular |= _naming(leaf(batch, (name, inner)), inner, lines)
            elif name in self.inner or (name not in self.expected and not self._payload(name)):
                irregular |= _naming(batch.column(name), name, lines)
        arrays: list[pa.Array] = []
        for fact, path in self.sources:
            kind = batch.schema.field(path[0]).type if path[0] in names else None
            if kind is not None and (
                len(path) == 1 or (pa.types.is_struct(kind) and kind.get_field_index(path[1]) >= 0)
            ):
                array = leaf(batch, path)
                present.add(fact)
                if not any(test(array.type) for test in _EXACT):
                    irregular |= _valid_rows(array)
                elif pa.types.is_float64(array.type):
                    irregular |= _inexact(array)
            else:
                array = pa.nulls(batch.num_rows)
            arrays.append(array)
        return irregular, pa.RecordBatch.from_arrays(arrays, names=[fact for fact, _ in self.sources]), present

    def _payload(self, key: str) -> bool:
        """Whether a top-level key outside the schema is payload for every value it can take."""
        root, dot, _ = key.partition(".")
        if root in self.facts.roots:  # a fact given by --map or --set: the line's own key is payload
            return not dot and (key in self.records.overridden or f"{key}." in self.records.overridden)
        return key in self.records.mapped or self.records._near_miss(key) is None

    def _ids(self, batch: pa.RecordBatch, lines: list[bytes]) -> list[Any]:
        name = self.id_column
        assert name is not None
        if name not in batch.schema.names:
            return [None] * batch.num_rows
        column = batch.column(name)
        if any(test(column.type) for test in _EXACT) and not pa.types.is_float64(column.type):
            values: list[Any] = column.to_pylist()
            return values
        return [json_scalar(json.loads(raw).get(name)) for raw in lines]  # an integer Arrow read as a double

    def _note_seen(self, facts: pa.RecordBatch, lines: list[bytes], present: set[str]) -> None:
        """The facts the lines read here name, for the summary: a key given as null counts too.

        A fact without a column in Arrow's reading is named by no line (declared
        facts have been seen already); one whose column is all null, by a line
        with a null, or only by a line the per-line reading reads, which notes it.
        """
        seen = self.records.seen
        for fact in self.from_line:
            if fact in seen or fact not in present:
                continue
            if facts.column(fact).null_count < facts.num_rows:
                seen.add(fact)
                continue
            group, dot, name = fact.rpartition(".")
            written = self.written[fact]
            for raw in lines:
                if b"\\u" in raw or written.search(raw):  # an escape can spell a name too
                    record = json.loads(raw)
                    holder = record.get(group) if dot else record
                    if isinstance(holder, dict) and name in holder:
                        seen.add(fact)
                        break


_TEXT = ("text", "date")


def merged(parts: list[Part]) -> list[Part]:
    """The parts as one, when each fact's values have one type across them (or integers and doubles:
    doubles, read alike); deciding one batch costs much less than deciding several small ones."""
    if len(parts) < 2:
        return parts
    names = parts[0].facts.schema.names
    kinds: list[pa.DataType] = []
    for position in range(len(names)):
        found = {part.facts.column(position).type for part in parts} - {pa.null()}
        if found == {pa.int64(), pa.float64()}:
            found = {pa.float64()}
        if len(found) > 1:
            return parts
        kinds.append(found.pop() if found else pa.null())
    columns = [
        pa.concat_arrays([_as(part.facts.column(position), kind) for part in parts])
        for position, kind in enumerate(kinds)
    ]
    ids = [i for part in parts for i in part.ids or ()] if parts[0].ids is not None else None
    rows = np.concatenate([part.rows for part in parts])
    return [Part(rows, pa.RecordBatch.from_arrays(columns, names=names), ids)]


def _as(array: pa.Array, kind: pa.DataType) -> pa.Array:
    if array.type == kind:
        return array
    return pa.nulls(len(array), kind) if pa.types.is_null(array.type) else array.cast(kind)


def _text(facts: Catalog, path: str) -> bool:
    return facts.facts[path].kind in _TEXT


def json_scalar(value: Any) -> Any:
    """An --id-column value as the decisions log carries it: a scalar as is, anything else as JSON text."""
    return value if value is None or isinstance(value, str | int | float | bool) else json.dumps(value)


def _brackets(block: bytes, count: int) -> np.ndarray:
    """Per line of the block (each ends with a newline, but maybe the last), how many `[` and `{` it holds."""
    kept = block.translate(None, _NOT_BRACKETS).split(b"\n")[:count]
    return np.fromiter(map(len, kept), np.int64, count)


def _valid_rows(column: Any) -> set[int]:
    if column.null_count == len(column):
        return set()
    return {row for row, valid in enumerate(column.is_valid().to_pylist()) if valid}


def _inexact(column: pa.Array) -> set[int]:
    """Rows of a double column whose value may not be the number written (an integer beyond 2**53).

    Read from the buffers: comparing the column with a number in Arrow (`pc.greater_equal(column,
    2.0**53)`) imports pandas to ask whether the number is a pandas object, about 1 s of CPU, more
    than the rest of a small run's start-up (see `encode._codes`).
    """
    count = len(column)
    if column.null_count == count:
        return set()
    values = np.frombuffer(column.buffers()[1], np.float64, count=count, offset=column.offset * 8)
    large = np.abs(values) >= _EXACT_DOUBLE  # NaN is never large; a null's slot may hold anything
    valid = present(column)
    if valid is not None:
        large &= valid
    return set(np.flatnonzero(large).tolist())


def _naming(column: Any, name: str, lines: list[bytes]) -> set[int]:
    """The rows whose line gives the key `name`: a value that is not null, or null written out."""
    key = json.dumps(name, ensure_ascii=False).encode()
    return _valid_rows(column) | {row for row, raw in enumerate(lines) if key in raw or b"\\" in raw}


def _mask(keep: np.ndarray) -> pa.Array:
    """A boolean Arrow array built from its buffer: `pa.array` on numpy imports pandas (see `encode._codes`)."""
    bits = np.packbits(keep, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(keep), [None, pa.py_buffer(bits.tobytes())])


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def _order(facts: Catalog) -> Any:
    order = {path.split(".", 1)[0]: number for number, path in reversed(list(enumerate(facts.facts)))}
    return lambda root: (order.get(root, len(order)), root)
