"""Conditions over a batch's columns, in the language's three-valued logic (`kleene`).

A condition holds where its "is true" column does. A condition (or part of
one) over a single fact is decided once per distinct value of that fact
(its per-value tables remembered for the process by the column's distinct
values, `Program.table`) and read per row (`lookup.spread`); numbers and
dates are compared per row; parameters are looked up per row by (region,
date). `Batch.part` restricts a batch to some of its rows
(the rows a ruleset applies to), taking each column only when it is read;
`Batch.keep` narrows such a part further without taking its columns again.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import ir
from ..runtime import places
from .kleene import Tri, combine
from .lookup import spread
from .program import Program, days, number
from .validate import Column, Validated

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}


_FACTS: dict[int, tuple[ir.Condition, set[str]]] = {}
_PLAIN: dict[int, tuple[ir.Condition, str]] = {}


def _facts(condition: ir.Condition) -> set[str]:
    """The facts a condition reads (remembered per condition object: the program's conditions live on)."""
    found = _FACTS.get(id(condition))
    if found is not None and found[0] is condition:
        return found[1]
    facts = _read(condition)
    if len(_FACTS) > 1 << 16:
        _FACTS.clear()
    _FACTS[id(condition)] = (condition, facts)
    return facts


def _read(condition: ir.Condition) -> set[str]:
    if isinstance(condition, ir.Defined):
        return _read(condition.condition)
    if isinstance(condition, ir.Not):
        return _read(condition.operand)
    if isinstance(condition, ir.And | ir.Or):
        return set().union(*(_read(c) for c in condition.operands))
    found = {condition.fact.path}
    if isinstance(condition, ir.Compare) and isinstance(condition.value, ir.ParamRef):
        found.add("\0param")  # never decided per value: it needs the region and the date too
    return found


def _plain(condition: Any) -> str:
    """The condition without its spans: equal conditions are computed once."""
    if isinstance(condition, ir.Defined):
        return _plain(condition.condition)
    if isinstance(condition, ir.Not):
        return f"not({_plain(condition.operand)})"
    if isinstance(condition, ir.And | ir.Or):
        return f"{condition.op}({','.join(_plain(c) for c in condition.operands)})"
    return repr(condition.model_dump(exclude={"span"}))


class _Taken(dict[str, Column]):
    """A batch's columns restricted to some of its rows, each taken when it is first read."""

    def __init__(self, columns: dict[str, Column], where: np.ndarray) -> None:
        super().__init__()
        self.whole = columns
        self.where = where

    def __missing__(self, path: str) -> Column:
        col = self.whole[path]
        codes = None if col.codes is None else np.take(col.codes, self.where)  # ~20% under indexing
        taken = self[path] = Column(col.spec, codes, col.entries, col.values, col.problems, col.base)
        return taken


class Batch:
    """Rows of validated facts being decided: per-value tables gathered to rows, memoised."""

    ruleset = ""  # the ruleset being decided: its parameters are the ones conditions name

    def __init__(self, program: Program, columns: dict[str, Column], rows: int, today: datetime.date) -> None:
        self.program = program
        self.columns = columns
        self.rows = rows
        self.today = today
        self.memo: dict[str, Tri] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._numbers: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        self._constants: dict[bool, np.ndarray] = {}

    @classmethod
    def of(cls, program: Program, valid: Validated, today: datetime.date) -> Batch:
        """A validated batch, its boolean facts as the implications left them."""
        columns = dict(valid.columns)
        for path, implied in valid.implied.items():
            columns[path] = _booleans(columns[path], implied, valid.rows)
        return cls(program, columns, valid.rows, today)

    def part(self, where: np.ndarray) -> Batch:
        """The rows `where` of this batch, as a batch of their own (a ruleset's rows: most rulesets apply
        to a few percent of a dataset, so their nodes are decided on those rows only)."""
        part = Batch(self.program, _Taken(self.columns, where), len(where), self.today)
        part.ruleset = self.ruleset
        return part

    @property
    def where(self) -> np.ndarray:
        """A part's rows in the whole batch, ascending."""
        assert isinstance(self.columns, _Taken)
        return self.columns.where

    def keep(self, kept: np.ndarray) -> Batch:
        """The rows of this part where `kept` is true, as a part of the same whole batch: the columns
        and numbers it has taken are narrowed by `kept`, not taken from the whole batch again."""
        columns = self.columns
        assert isinstance(columns, _Taken)
        narrowed = _Taken(columns.whole, columns.where[kept])
        for path, col in columns.items():
            codes = None if col.codes is None else col.codes[kept]
            narrowed[path] = Column(col.spec, codes, col.entries, col.values, col.problems, col.base)
        part = Batch(self.program, narrowed, len(narrowed.where), self.today)
        part.ruleset = self.ruleset
        for path, (numbers, known) in self._numbers.items():
            part._numbers[path] = (numbers[kept], None if known is None else known[kept])
        return part

    # ------------------------------------------------------------ values

    def value(self, path: str, entry: Any) -> Any:
        """A fact's validated value as the generated code reads it (the date defaults to today)."""
        if path == "date" and entry is None:
            return self.today
        return entry

    def lookup(self, path: str, table: np.ndarray) -> np.ndarray:
        """Per row, `table`'s value for the row's entry: comparisons of codes, or a gather."""
        col = self.columns[path]
        if col.codes is None:
            return self.constant(bool(table[0]))
        return spread(col.codes, table, lambda: self.codes(path), self.constant)

    def constant(self, value: bool) -> np.ndarray:
        """True (or false) on every row: one read-only array a batch, shared by the conditions that are
        so (an absent fact's, a value every row has) instead of one `np.full` each (~250 a batch)."""
        found = self._constants.get(value)
        if found is None:
            found = self._constants[value] = np.full(self.rows, value, np.bool_)
            found.flags.writeable = False  # shared: a condition's arrays are never changed in place
        return found

    def codes(self, path: str) -> np.ndarray:
        found = self._codes.get(path)
        if found is None:
            codes = self.columns[path].codes
            found = self._codes[path] = np.zeros(self.rows, np.intp) if codes is None else codes.astype(np.intp)
        return found

    def per_value(self, path: str, decide: Callable[[Any], tuple[bool, bool]], key: str) -> Tri:
        """A condition over one fact, decided once per distinct value (`key` names it across batches)."""
        values = self.columns[path].values
        if path == "date":
            values = [self.value(path, value) for value in values]
        true, false = self.program.table(key, values, decide)
        if false is None:
            return Tri(self.lookup(path, true))
        return Tri(self.lookup(path, true), make=lambda: self.lookup(path, false))

    def numbers(self, path: str) -> tuple[np.ndarray, np.ndarray | None]:
        """A number or date fact per row as an integer (dates in days), and where it is known (None: everywhere)."""
        found = self._numbers.get(path)
        if found is not None:
            return found
        col = self.columns[path]
        if col.codes is not None and col.base is not None:
            null = len(col.entries) - 1
            numbers = col.codes.astype(np.int64) + col.base
            missing = col.codes == null
            if path == "date":
                numbers[missing] = days(self.today)
                known = None
            else:
                known = ~missing if missing.any() else None
        else:
            values = [self.value(path, v) for v in col.values]
            known_table = np.array([v is not None for v in values], np.bool_)
            table = np.array([0 if v is None else days(v) if isinstance(v, datetime.date) else v for v in values])
            if col.codes is None:
                numbers = np.full(self.rows, table[0], np.int64)
                known = None if known_table[0] else np.zeros(self.rows, np.bool_)
            else:
                numbers = table.astype(np.int64)[self.codes(path)]
                known = None if known_table.all() else known_table[self.codes(path)]
        found = self._numbers[path] = (numbers, known)
        return found

    @property
    def day(self) -> np.ndarray:
        return self.numbers("date")[0]

    # -------------------------------------------------------- conditions

    def condition(self, condition: ir.Condition) -> Tri:
        remembered = _PLAIN.get(id(condition))
        if remembered is not None and remembered[0] is condition:
            key = remembered[1]
        else:
            key = _plain(condition)
            if len(_PLAIN) > 1 << 16:
                _PLAIN.clear()
            _PLAIN[id(condition)] = (condition, key)
        if "\0param" in _facts(condition):
            key = f"{self.ruleset}:{key}"  # parameters are the ruleset's own
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._condition(condition, key)
        return found

    def _condition(self, condition: ir.Condition, key: str) -> Tri:
        if isinstance(condition, ir.Defined):
            return self.condition(condition.condition)
        facts = _facts(condition)
        if len(facts) == 1:
            (path,) = facts
            if self.columns[path].spec.kind in ("integer", "date"):
                return self.numeric(condition, path)
            return self.per_value(path, lambda value: self.truth(condition, value), key)
        if isinstance(condition, ir.Not):
            inner = self.condition(condition.operand)
            return Tri(inner.no(), inner.true)
        if isinstance(condition, ir.And | ir.Or):
            return combine(isinstance(condition, ir.And), [self.condition(c) for c in condition.operands])
        assert isinstance(condition, ir.Compare) and isinstance(condition.value, ir.ParamRef)
        return self.parameter_compare(condition, condition.value)

    def numeric(self, condition: ir.Condition, path: str) -> Tri:
        """A condition over one number or date fact: decided once per code, on the number each code
        stands for, and read per row by comparing codes (`lookup.spread`): a range of ages or dates is
        one or two comparisons of one- or two-byte codes, with no per-row numbers."""
        numbers, known = self.entry_numbers(path)
        true, false = _numeric(condition, numbers, known)
        if known.all():  # two-valued: false wherever not true
            return Tri(self.lookup(path, true))
        return Tri(self.lookup(path, true), make=lambda: self.lookup(path, false))

    def entry_numbers(self, path: str) -> tuple[np.ndarray, np.ndarray]:
        """Per entry of a number or date column, its number (dates in days; a missing date is today), and
        whether it is known."""
        col = self.columns[path]
        if col.base is not None:  # coded by arithmetic: code k is the number base + k, the last is null
            count = len(col.entries) - 1
            numbers = np.arange(count + 1, dtype=np.int64) + col.base
            known = np.ones(count + 1, np.bool_)
            if path == "date":
                numbers[count] = days(self.today)
            else:
                known[count] = False
            return numbers, known
        values = [self.value(path, v) for v in col.values]
        known = np.array([v is not None for v in values], np.bool_)
        numbers = np.array([0 if v is None else number(v) for v in values], np.int64)
        return numbers, known

    def truth(self, condition: ir.Condition, value: Any) -> tuple[bool, bool]:
        """(is true, is false) of a condition over one fact, for one value of it (Kleene's logic)."""
        if isinstance(condition, ir.Defined):
            return self.truth(condition.condition, value)
        if isinstance(condition, ir.Not):
            true, false = self.truth(condition.operand, value)
            return false, true
        if isinstance(condition, ir.And | ir.Or):
            pairs = [self.truth(c, value) for c in condition.operands]
            if isinstance(condition, ir.And):
                return all(t for t, _ in pairs), any(f for _, f in pairs)
            return any(t for t, _ in pairs), all(f for _, f in pairs)
        if isinstance(condition, ir.Truth):
            return bool(value), not value
        if isinstance(condition, ir.Known):
            known = value is not None
            return known == condition.known, known != condition.known
        if value is None:
            return False, False
        if isinstance(condition, ir.Compare):
            assert not isinstance(condition.value, ir.ParamRef)
            holds = _OPS[condition.op](value, condition.value)
            return holds, not holds
        if isinstance(condition, ir.OneOf):
            holds = value in condition.values
            return holds, not holds
        fact = condition.fact
        if fact.kind in ("data", "purpose"):
            holds = value in self.program.expanded(fact.kind, condition.values)
        else:
            holds = not places(value, self.program.within).isdisjoint(condition.values)
        return bool(holds), not holds

    def parameter_compare(self, condition: ir.Compare, reference: ir.ParamRef) -> Tri:
        values, found = self.parameter(reference.name)
        numbers, known = self.numbers(condition.fact.path)
        known = found if known is None else known & found
        holds = _OPS[condition.op](numbers, values)
        return Tri(holds & known, make=lambda: ~holds & known)

    def parameter(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Per row, a parameter's value for the row's region and date, and where there is one.

        The days on which any region's value may change cut time into epochs;
        a table of (region value, epoch) holds each value, looked up per row.
        """
        parameter = self.program.parameters[(self.ruleset, name)]
        region = self.columns["region"]
        spans_of: list[tuple[tuple[int, int, int], ...]] = []
        for code in region.values:
            timeline = None if code is None else parameter.timeline.get(code)
            if timeline is None and code is not None:
                timeline = parameter.timeline.get(code.split("-")[0])
            spans_of.append(tuple((days(a), days(b), number(v)) for a, b, v in timeline or ()))
        cuts = sorted({day for spans in spans_of for a, b, _ in spans for day in (a, b + 1)})
        table = np.zeros((len(region.values), len(cuts) + 1), np.int64)
        present = np.zeros(table.shape, np.bool_)
        for entry, spans in enumerate(spans_of):
            for epoch in range(1, len(cuts) + 1):
                day = cuts[epoch - 1]
                for start, end, value in spans:
                    if start <= day <= end:
                        table[entry, epoch] = value
                        present[entry, epoch] = True
                        break
        epochs = np.searchsorted(np.array(cuts, np.int64), self.day, side="right")
        entries = region.codes if region.codes is not None else np.zeros(self.rows, np.int64)
        flat = entries.astype(np.int64) * (len(cuts) + 1) + epochs
        return table.ravel()[flat], present.ravel()[flat]

    # ---------------------------------------------------------- deciding

    def scope(self, node: ir.Node) -> Tri | None:
        condition = self.program.scope(node)
        return None if condition is None else self.condition(condition)

    def covered(self, ruleset: ir.Ruleset) -> list[bool]:
        """Per entry of the region column: whether the ruleset covers that region."""
        truths = self.program.truths
        covered: list[bool] = []
        for code in self.columns["region"].values:
            slot = (f"\0covers {ruleset.id}", type(code), code)
            pair = truths.get(slot)
            if pair is None:
                inside = code is not None and not places(code, self.program.within).isdisjoint(ruleset.covers)
                pair = truths[slot] = (inside, not inside)
            covered.append(pair[0])
        return covered

    def holds(self, ruleset: ir.Ruleset) -> np.ndarray | None:
        """Where the ruleset's `applies` condition holds (None: everywhere)."""
        return None if ruleset.applies is None else self.condition(ruleset.applies).true

    def matches(self, node: ir.Node, within: np.ndarray) -> np.ndarray:
        test = self.scope(node)
        return within if test is None else within & test.true


def _numeric(condition: ir.Condition, numbers: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where a condition over one number is true, and where false, given each number and whether it is
    known (Kleene's logic: a comparison with an unknown number is neither)."""
    if isinstance(condition, ir.Defined):
        return _numeric(condition.condition, numbers, known)
    if isinstance(condition, ir.Not):
        true, false = _numeric(condition.operand, numbers, known)
        return false, true
    if isinstance(condition, ir.And | ir.Or):
        pairs = [_numeric(c, numbers, known) for c in condition.operands]
        trues, falses = [t for t, _ in pairs], [f for _, f in pairs]
        if isinstance(condition, ir.And):
            return np.logical_and.reduce(trues), np.logical_or.reduce(falses)
        return np.logical_or.reduce(trues), np.logical_and.reduce(falses)
    if isinstance(condition, ir.Known):
        return (known, ~known) if condition.known else (~known, known)
    if isinstance(condition, ir.Compare):
        assert not isinstance(condition.value, ir.ParamRef)
        holds: np.ndarray = _OPS[condition.op](numbers, number(condition.value))
    else:
        assert isinstance(condition, ir.OneOf)
        holds = np.isin(numbers, [number(value) for value in condition.values])
    return holds & known, ~holds & known


def _booleans(col: Column, implied: np.ndarray, rows: int) -> Column:
    """A boolean fact after implications: per row false or true."""
    truth = col.rows(np.array([bool(v) for v in col.values], np.bool_), rows) | implied
    return Column(col.spec, truth.view(np.int8), [False, True], [False, True], [None, None])
