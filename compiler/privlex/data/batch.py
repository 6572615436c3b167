"""Deciding whole tables: Arrow in, one verdict per row out, with the semantics of `check`.

    import privlex.batch
    result = privlex.batch.check_batch(table)          # pyarrow Table or RecordBatch
    result.outcome, result.deciding, result.error      # one value per row
    mask = privlex.batch.permits_batch(table)          # numpy bool array

Facts come from the columns named after them (see `privlex.data.schema`);
every other column is payload and is never read. Rows are grouped by their
combination of fact values with vectorised integer arithmetic, and each
distinct combination is decided once by the generated package's own `check`
(validation included), so a row's verdict is exactly what `check` says about
the use the row describes:

- a null value is an absent fact, and a null struct makes all its facts absent;
- an integral float is the integer it equals (a pandas column of ages with
  gaps is float64); dates are `date32` values or `YYYY-MM-DD` strings;
- a row `check` rejects (a bad value, a missing required fact) is `invalid`,
  with the error and the field; it is never permitted.

pyarrow and numpy are imported only when this module is (`pip install
privlex[arrow]`); generated packages never import them.
"""

from __future__ import annotations

import datetime
import types
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .facts import load_package, nest, package_catalog
from .schema import Plan, SchemaError, arrow_columns, plan
from .verdicts import INVALID, OUTCOMES, PERMIT, Decider, Distinct, Verdict, _freeze, decider

try:
    import numpy as np
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("privlex.batch needs pyarrow and numpy: pip install 'privlex[arrow]'") from exc

from .encode import combine, encode, leaf

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["BatchResult", "SchemaError", "check_batch", "permits_batch", "table_of"]


class BatchResult:
    """The verdict on every row of a table, stored once per distinct verdict."""

    def __init__(self, verdicts: list[Verdict], index: NDArray[np.int32], plan: Plan) -> None:
        self.verdicts = verdicts  # the distinct verdicts
        self.index = index  # per row: its verdict's position in `verdicts`
        self.plan = plan  # which columns were read as which facts

    def __len__(self) -> int:
        return len(self.index)

    def verdict(self, row: int) -> Verdict:
        return self.verdicts[int(self.index[row])]

    @cached_property
    def codes(self) -> NDArray[np.int8]:
        """Per row: 0 permit, 1 deny, 2 not_applicable, 3 invalid (the order of OUTCOMES)."""
        table = np.array([v.code for v in self.verdicts] or [0], np.int8)
        return table[self.index]

    def permitted(self, allow_uncovered: bool = False) -> NDArray[np.bool_]:
        """Per row: permitted (or, if allowed, not covered by any ruleset); invalid rows are False."""
        table = np.array([v.allowed(allow_uncovered) for v in self.verdicts] or [False], np.bool_)
        return table[self.index]

    @property
    def outcome(self) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(self.codes, pa.int8()), pa.array(OUTCOMES))

    def _take(self, values: pa.Array) -> pa.Array:
        return values.take(pa.array(self.index, pa.int32())) if len(self.index) else values.slice(0, 0)

    @property
    def deciding(self) -> pa.ListArray:
        """Per row: the qualified ids of the deciding nodes (`gdpr.consent.child`)."""
        return self._take(pa.array([list(v.deciding) for v in self.verdicts], pa.list_(pa.string())))

    @property
    def error(self) -> pa.StringArray:
        """Per row: why it is invalid, or null."""
        return self._take(pa.array([v.error for v in self.verdicts], pa.string()))

    @property
    def field(self) -> pa.StringArray:
        """Per row: the fact at fault in an invalid row, when there is one."""
        return self._take(pa.array([v.field for v in self.verdicts], pa.string()))

    def to_table(self) -> pa.Table:
        return pa.table({"outcome": self.outcome, "deciding": self.deciding, "error": self.error, "field": self.field})

    def counts(self) -> dict[str, int]:
        """How many rows came to each outcome."""
        per_code = np.bincount(self.codes, minlength=len(OUTCOMES)) if len(self.index) else [0] * len(OUTCOMES)
        return {name: int(per_code[code]) for code, name in enumerate(OUTCOMES)}

    def invalid_rows(self) -> NDArray[np.intp]:
        return np.flatnonzero(self.codes == INVALID)

    def permitted_rows(self) -> NDArray[np.intp]:
        return np.flatnonzero(self.codes == PERMIT)


def table_of(data: Any) -> pa.Table | pa.RecordBatch:
    """A pyarrow Table or RecordBatch, or anything pyarrow can make a table of (pandas, polars)."""
    if isinstance(data, pa.Table | pa.RecordBatch):
        return data
    try:
        return pa.table(data)
    except (TypeError, ValueError, pa.ArrowException) as exc:
        raise TypeError(f"expected a pyarrow Table or RecordBatch, got {type(data).__name__}: {exc}") from exc


def _batches(table: pa.Table | pa.RecordBatch) -> list[pa.RecordBatch]:
    if isinstance(table, pa.RecordBatch):
        return [table]
    chunks: list[pa.RecordBatch] = table.to_batches()
    if len(chunks) > 1 and table.num_rows < 1024 * len(chunks):
        chunks = table.combine_chunks().to_batches()  # many small chunks: one pass is cheaper
    return chunks


class _Values:
    """The distinct values one fact column has had over a run, numbered in order of appearance."""

    def __init__(self) -> None:
        self.codes: dict[Any, int] = {}
        self.values: list[Any] = []

    def numbers(self, values: list[Any]) -> NDArray[np.int64]:
        """The run-wide number of each of a batch's distinct values."""
        out = np.empty(len(values), np.int64)
        for position, value in enumerate(values):
            try:
                key: Any = _freeze(value)
                code = self.codes.get(key)
            except TypeError:  # unhashable: a number of its own
                key, code = None, None
            if code is None:
                code = len(self.values)
                self.values.append(value)
                if key is not None:
                    self.codes[key] = code
            out[position] = code
        return out


class Evaluator:
    """Decides record batches that share one plan; used by `check_batch` and `privlex filter`.

    Within a batch rows are grouped by their codes in every fact column; the
    distinct combinations are then known across batches by the run-wide
    numbers of their values, so a combination met in an earlier batch costs
    one dictionary lookup.
    """

    def __init__(self, plan: Plan, decider: Decider) -> None:
        self.plan = plan
        self.decider = decider
        self.facts = tuple(source.fact for source in plan.sources)
        self.constants = dict(plan.constants)
        self.layout = (self.facts, _freeze(self.constants))
        self.columns = [_Values() for _ in plan.sources]
        self.seen: dict[bytes, Verdict] = {}

    def batch(self, batch: pa.RecordBatch) -> tuple[list[Verdict], NDArray[np.int32]]:
        """The distinct verdicts of a batch, and for each row its verdict's position."""
        if not batch.num_rows:
            return [], np.empty(0, np.int32)
        encoded = [encode(leaf(batch, source.column)) for source in self.plan.sources]
        inverse, parts = combine([(codes, len(values)) for codes, values in encoded], batch.num_rows)
        numbers = [
            column.numbers(values)[part] for column, (_, values), part in zip(self.columns, encoded, parts, strict=True)
        ]
        if numbers:
            packed = np.ascontiguousarray(np.stack(numbers, axis=1))
            keys: list[Any] = packed.view(np.dtype((np.void, 8 * len(numbers)))).ravel().tolist()
        else:
            keys = [b""]
        verdicts: list[Verdict] = []
        position: dict[int, int] = {}
        local = np.empty(len(keys), np.int32)
        seen = self.seen
        for j, key in enumerate(keys):
            verdict = seen.get(key)
            if verdict is None:
                values = tuple(
                    column.values[int(number[j])] for column, number in zip(self.columns, numbers, strict=True)
                )
                verdict = self.decide(values)
                if len(seen) >= 1 << 20:
                    seen.clear()
                seen[key] = verdict
            slot = position.get(id(verdict))
            if slot is None:
                slot = position[id(verdict)] = len(verdicts)
                verdicts.append(verdict)
            local[j] = slot
        return verdicts, local[inverse]

    def decide(self, values: tuple[Any, ...]) -> Verdict:
        def build() -> dict[str, Any]:
            return nest({**dict(zip(self.facts, values, strict=True)), **self.constants})

        try:
            key = (self.layout, tuple((type(v), v) for v in values))
            hash(key)
        except TypeError:
            return self.decider.decide(build())
        return self.decider.decide_values(key, build)


def evaluator(
    schema: pa.Schema,
    *,
    package: str | types.ModuleType | None = None,
    today: datetime.date | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Evaluator:
    """Resolve a schema to facts (raising SchemaError) and make the evaluator for its batches."""
    module = load_package(package)
    resolved = plan(arrow_columns(schema), package_catalog(module), columns, values)
    return Evaluator(resolved, decider(module, today))


def check_batch(
    table: Any,
    *,
    package: str | types.ModuleType | None = None,
    today: datetime.date | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> BatchResult:
    """Decide every row of a table; raises SchemaError when its columns cannot be read as facts.

    `package` is a generated package (module or name; default the shipped
    `privlex_rules`); `today` is the date of rows without one (default: the
    UTC date, taken once); `columns` maps facts to the columns that hold them
    (`{"region": "country"}`, or a group to a struct column); `values` fixes
    facts for every row, overriding any column.
    """
    data = table_of(table)
    run = evaluator(data.schema, package=package, today=today, columns=columns, values=values)
    distinct = Distinct()
    pieces: list[NDArray[np.int32]] = []
    for batch in _batches(data):
        local_verdicts, local_index = run.batch(batch)
        remap = np.fromiter((distinct.slot(v) for v in local_verdicts), np.int32, len(local_verdicts))
        pieces.append(remap[local_index] if len(local_index) else local_index)
    index = np.concatenate(pieces) if pieces else np.empty(0, np.int32)
    return BatchResult(distinct.verdicts, index.astype(np.int32, copy=False), run.plan)


def permits_batch(
    table: Any,
    allow_uncovered: bool = False,
    *,
    package: str | types.ModuleType | None = None,
    today: datetime.date | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> NDArray[np.bool_]:
    """A boolean mask: True where the row's use is permitted (invalid rows are False).

    Rows no ruleset covers are False unless `allow_uncovered`. Works as a
    filter for pandas (`df[mask]`), polars (`df.filter(mask)`), Hugging Face
    `datasets` (batched, Arrow format) and Dask partitions.
    """
    result = check_batch(table, package=package, today=today, columns=columns, values=values)
    return result.permitted(allow_uncovered)
