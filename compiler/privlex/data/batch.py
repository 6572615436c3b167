"""Deciding whole tables: Arrow in, one verdict per row out, with the semantics of `check`.

    import privlex.batch
    result = privlex.batch.check_batch(table)          # Arrow, pandas, polars, a dict of columns
    result.outcome, result.deciding, result.error      # one value per row
    mask = privlex.batch.permits_batch(table)          # numpy bool array
    table = privlex.batch.annotate(table)              # the table with verdict columns added

Facts come from the columns named after them (see `privlex.data.schema`);
every other column is payload and is never read. Each fact column's distinct
values are validated once with the generated package's own validators
(`validate`), and the rules are evaluated over whole columns from the
program the package carries (`program`, `conditions`, `deciding`); the row checker stays the
definition, and a property test holds the two to the same answers:

- a null value is an absent fact, and a null struct makes all its facts absent;
- an integral float is the integer it equals (a pandas column of ages with
  gaps is float64); dates are `date32` values or `YYYY-MM-DD` strings;
- a row `check` rejects (a bad value, a missing required fact) is `invalid`,
  with `check`'s message and field; it is never permitted.

pyarrow and numpy are imported only when this module is (`pip install
privlex[arrow]`); generated packages never import them.
"""

from __future__ import annotations

import datetime
import types
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .facts import load_package, package_catalog
from .schema import Plan, SchemaError, arrow_columns, plan
from .verdicts import INVALID, OUTCOMES, PERMIT, Distinct, Verdict

try:
    import numpy as np
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ModuleNotFoundError(
        "privlex.batch needs pyarrow and numpy: pip install 'privlex[arrow]'", name=exc.name
    ) from exc

from .deciding import decide
from .encode import encode_numbered, encode_values, leaf
from .engines import table_of
from .program import NOT_APPLICABLE, Program
from .reasons import Explainer
from .validate import Column, Facts, absent, column, constant, validate

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["BatchResult", "SchemaError", "annotate", "check_batch", "permits_batch", "table_of"]


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

    def _dictionary(self, values: list[Any], kind: pa.DataType) -> pa.DictionaryArray:
        """One value per distinct verdict, as a dictionary column indexed per row."""
        return pa.DictionaryArray.from_arrays(pa.array(self.index, pa.int32()), pa.array(values, kind))

    def _take(self, values: pa.Array) -> pa.Array:
        return values.take(pa.array(self.index, pa.int32())) if len(self.index) else values.slice(0, 0)

    @property
    def deciding(self) -> pa.ListArray:
        """Per row: the qualified ids of the deciding nodes (`gdpr.consent.child`)."""
        return self._take(pa.array([list(v.deciding) for v in self.verdicts], pa.list_(pa.string())))

    @property
    def obligations(self) -> pa.ListArray:
        """Per row: the qualified ids of the obligations that come with a permit (`gdpr.keep_proof`)."""
        return self._take(pa.array([list(v.obligations) for v in self.verdicts], pa.list_(pa.string())))

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


def _batches(table: pa.Table | pa.RecordBatch) -> list[pa.RecordBatch]:
    if isinstance(table, pa.RecordBatch):
        return [table]
    chunks: list[pa.RecordBatch] = table.to_batches()
    if len(chunks) > 1 and table.num_rows < 1024 * len(chunks):
        chunks = table.combine_chunks().to_batches()  # many small chunks: one pass is cheaper
    return chunks


class Compiled:
    """What a generated package needs for columnar evaluation, prepared once per package."""

    def __init__(self, package: types.ModuleType) -> None:
        from ..ir import load_program

        self.package = package
        self.facts = Facts(package)
        self.program = Program(load_program(package.__name__), package.VOCABULARY.within)
        self.explainer = Explainer(self.program)
        # per fact, a text column's distinct values in the last batch read (`encode._text`)
        self.texts: dict[Any, tuple[pa.Array, list[Any]]] = {}


_COMPILED: dict[Any, Compiled] = {}


def compiled(package: types.ModuleType) -> Compiled:
    """The columnar form of a package; a recompiled or reloaded package is prepared anew."""
    key = (package.__name__, id(package), getattr(package, "SOURCE_HASH", None), id(package.DataUse))
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        found = _COMPILED[key] = Compiled(package)
    return found


class Evaluator:
    """Decides record batches that share one plan; used by `check_batch`, `permits_batch` and `privlex filter`."""

    def __init__(self, plan: Plan, package: types.ModuleType, today: datetime.date | None = None) -> None:
        self.plan = plan
        self.today = today or datetime.datetime.now(datetime.UTC).date()
        self.compiled = compiled(package)
        facts = self.compiled.facts
        self.fixed = {fact: constant(facts, fact, value) for fact, value in plan.constants.items()}
        given = {source.fact for source in plan.sources} | set(self.fixed)
        self.absent = {path: absent(facts, path) for path in facts.specs if path not in given}

    def columns(self, batch: pa.RecordBatch) -> dict[str, Column]:
        facts = self.compiled.facts
        found: dict[str, Column] = dict(self.absent)
        found.update(self.fixed)
        for source in self.plan.sources:
            codes, entries, base = encode_numbered(leaf(batch, source.column), self.compiled.texts, source.fact)
            found[source.fact] = column(facts, source.fact, codes, entries, base)
        return found

    def outcomes(self, batch: pa.RecordBatch, reasons: bool) -> Any:
        valid = validate(self.compiled.facts, self.columns(batch), batch.num_rows, explain=reasons)
        return valid, decide(self.compiled.program, valid, self.today, reasons)

    def batch(self, batch: pa.RecordBatch) -> tuple[list[Verdict], NDArray[np.int32]]:
        """The distinct verdicts of a batch, and for each row its verdict's position."""
        if not batch.num_rows:
            return [], np.empty(0, np.int32)
        valid, outcomes = self.outcomes(batch, reasons=True)
        return self.compiled.explainer.verdicts_of(outcomes, valid)

    def permitted(self, batch: pa.RecordBatch, allow_uncovered: bool = False) -> NDArray[np.bool_]:
        """Per row: permitted (or, if allowed, covered by no ruleset); no reasons are built."""
        if not batch.num_rows:
            return np.zeros(0, np.bool_)
        _, outcomes = self.outcomes(batch, reasons=False)
        codes = outcomes.codes
        mask: NDArray[np.bool_] = (codes == PERMIT) | (codes == NOT_APPLICABLE) if allow_uncovered else codes == PERMIT
        return mask

    def records(self, items: list[Verdict | dict[str, Any]]) -> tuple[list[Verdict], NDArray[np.int32]]:
        """Rows given as Python values (JSONL, CSV): a flat {fact: value} per row, or a verdict already made."""
        rows = [item for item in items if isinstance(item, dict)]
        verdicts: list[Verdict] = []
        index = np.zeros(len(items), np.int32)
        if rows:
            facts = self.compiled.facts
            columns: dict[str, Column] = dict(self.absent)
            columns.update(self.fixed)
            named = {path for row in rows for path in row}
            for path in named:
                if path in facts.specs and path not in self.fixed:
                    codes, entries = encode_values([row.get(path) for row in rows])
                    columns[path] = column(facts, path, codes, entries)
            valid = validate(facts, columns, len(rows), explain=True)
            outcomes = decide(self.compiled.program, valid, self.today, True)
            verdicts, local = self.compiled.explainer.verdicts_of(outcomes, valid)
            where = np.fromiter((i for i, item in enumerate(items) if isinstance(item, dict)), np.intp, len(rows))
            index[where] = local
        slots: dict[int, int] = {}
        for position, item in enumerate(items):
            if isinstance(item, Verdict):
                slot = slots.get(id(item))
                if slot is None:
                    slot = slots[id(item)] = len(verdicts)
                    verdicts.append(item)
                index[position] = slot
        return verdicts, index


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
    return Evaluator(resolved, module, today)


def check_batch(
    table: Any,
    *,
    package: str | types.ModuleType | None = None,
    today: datetime.date | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Decide every row of a table; raises SchemaError when its columns cannot be read as facts.

    `table` is a pyarrow Table or RecordBatch, a pandas or polars DataFrame, a
    Hugging Face batch (a dict of columns), or anything `pa.table()` takes.
    `package` is a generated package (module or name; default the shipped
    `privlex_rules`); `today` is the date of rows without one (default: the
    UTC date, taken once); `columns` maps facts to the columns that hold them
    (`{"region": "country"}`, or a group to a struct column); `values` fixes
    facts for every row, overriding any column; `progress` is called with the
    number of rows decided after each record batch.
    """
    data = table_of(table)
    run = evaluator(data.schema, package=package, today=today, columns=columns, values=values)
    distinct = Distinct()
    pieces: list[NDArray[np.int32]] = []
    done = 0
    for batch in _batches(data):
        local_verdicts, local_index = run.batch(batch)
        remap = np.fromiter((distinct.slot(v) for v in local_verdicts), np.int32, len(local_verdicts))
        pieces.append(remap[local_index] if len(local_index) else local_index)
        done += batch.num_rows
        if progress is not None:
            progress(done)
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
    progress: Callable[[int], None] | None = None,
) -> NDArray[np.bool_]:
    """A boolean mask: True where the row's use is permitted (invalid rows are False).

    Rows no ruleset covers are False unless `allow_uncovered`. Works as a
    filter for pandas (`df[mask]`), polars (`df.filter(mask)`), Hugging Face
    `datasets` (`ds.filter(permits_batch, batched=True)`, any format) and
    Dask partitions; takes what `check_batch` takes.
    """
    data = table_of(table)
    run = evaluator(data.schema, package=package, today=today, columns=columns, values=values)
    pieces: list[NDArray[np.bool_]] = []
    done = 0
    for batch in _batches(data):
        pieces.append(run.permitted(batch, allow_uncovered))
        done += batch.num_rows
        if progress is not None:
            progress(done)
    return np.concatenate(pieces) if pieces else np.zeros(0, np.bool_)


def annotate(
    table: Any,
    *,
    prefix: str = "privlex_",
    package: str | types.ModuleType | None = None,
    today: datetime.date | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Any:
    """The table with verdict columns added next to the data, in the table's own kind.

    Adds `privlex_outcome` (dictionary: permit, deny, not_applicable,
    invalid), `privlex_deciding` and `privlex_obligations` (lists of
    qualified ids) and `privlex_error` (why a row is invalid, or null). An
    Arrow table or batch comes back as one; pandas and polars frames come
    back as frames of the same library.
    """
    data = table_of(table)
    result = check_batch(data, package=package, today=today, columns=columns, values=values)
    added = {
        f"{prefix}outcome": result.outcome,
        f"{prefix}deciding": result.deciding,
        f"{prefix}obligations": result.obligations,
        f"{prefix}error": result.error,
    }
    from .engines import like, with_columns

    return like(table, with_columns(data, added))
