"""`privlex filter` on JSON lines: each line parsed, checked and decided; the kept lines written as read.

The definition is the reading of one line: parsed with Python's `json` (a key
given twice in one object and nesting too deep to read are the line's error,
not the run's), read as a use by `RecordReader`, and a record of a shape no
column could hold (a group that is not an object) decided by the package's
own `check`, which names what is wrong. Most lines are read faster, a block
at a time, by Arrow's JSON reader into fact columns (`jsonl_columns`), which
hands back every line it cannot read exactly so; those are read one by one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

import numpy as np

from ..runtime import InvalidUse
from .batch import Evaluator
from .jsonl_columns import ColumnarLines, json_scalar
from .reading import Chunk, Hashing, Settings
from .records import RecordReader
from .schema import Plan
from .sources import STDIO, open_bytes
from .verdicts import Verdict, invalid

LINES_PER_CHUNK = 65536


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _Duplicate(f"the key {twice!r} is given twice in one object: readers differ on which value counts")
    return found


class JsonlReader:
    format = "jsonl"

    def __init__(self, name: str, settings: Settings, evaluator_of: Any, columnar: bool = True) -> None:
        self.name = name
        self.source = Hashing(open_bytes(name))
        self.lines_in = iter(self.source)
        self.settings = settings
        self.evaluator: Evaluator = evaluator_of(Plan((), dict(settings.constants)))
        self.facts = settings.facts  # looked up once: it is read for every line
        self.records = RecordReader(self.facts, settings.mapping, settings.constants)
        self.line = 0
        # the fast path, unless `columnar` is off (the tests compare the two) or a --map it cannot read
        self.columns: ColumnarLines | None = None
        if columnar and ColumnarLines.supports(self.records):
            self.columns = ColumnarLines(self.records, settings.id_column)
            self.columns_evaluator: Evaluator = evaluator_of(self.columns.plan)

    @property
    def digest(self) -> str:
        return self.source.digest.hexdigest()

    def describe(self) -> list[str]:
        """The facts read so far (JSON lines have no schema: each line names its own)."""
        order = {path: number for number, path in enumerate(self.facts.facts)}
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
            if self.columns is not None:
                verdicts, index, ids = self._read_block(records, id_column)
                yield Chunk(np.array(numbers, np.int64), verdicts, index, records, ids=ids if id_column else None)
                continue
            for raw in records:
                item, identifier = self._item(raw, id_column)
                items.append(item)
                ids.append(identifier)
            verdicts, index = self.evaluator.records(items)
            yield Chunk(np.array(numbers, np.int64), verdicts, index, records, ids=ids if id_column else None)

    def _read_block(self, records: list[bytes], id_column: str | None) -> tuple[list[Verdict], np.ndarray, list[Any]]:
        """A block's verdicts: the lines read as columns, decided by batch, and the others one by one."""
        assert self.columns is not None
        verdicts: list[Verdict] = []
        index = np.zeros(len(records), np.int32)
        ids: list[Any] = [None] * len(records)
        by_line = np.ones(len(records), np.bool_)
        for part in self.columns.read(records):
            found, local = self.columns_evaluator.batch(part.facts)
            index[part.rows] = local + len(verdicts)
            verdicts += found
            by_line[part.rows] = False
            for row, identifier in zip(part.rows.tolist(), part.ids or (), strict=False):
                ids[row] = identifier
        rest = np.flatnonzero(by_line).tolist()
        if rest:
            items: list[Verdict | dict[str, Any]] = []
            for row in rest:
                item, ids[row] = self._item(records[row], id_column)
                items.append(item)
            more, more_index = self.evaluator.records(items)
            index[rest] = more_index + len(verdicts)
            verdicts += more
        return verdicts, index, ids

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
        identifier = json_scalar(record.get(id_column)) if id_column else None
        use = self.records.use(record)
        if isinstance(use, Verdict):
            return use, identifier
        flat: dict[str, Any] = {}
        for key, value in use.items():
            if key in self.facts.groups:
                if not isinstance(value, dict):
                    return self._by_check(use), identifier
                for name, inner in value.items():
                    flat[f"{key}.{name}"] = inner
            else:
                flat[key] = value
        if any(path not in self.facts.facts for path in flat):
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
