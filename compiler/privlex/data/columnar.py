"""The columnar evaluator: a package's checked program (its `_program.json`) decided over whole columns.

Generated checkers may import only the standard library, the runtime and
pydantic, so the vectorised evaluator lives here and works from the program
the package carries (`privlex.ir.load_program`), with the semantics of the
generated `check`:

- every condition becomes two boolean columns, "is true" and "is false"
  (Kleene's logic, as `codegen.pyexpr` does for Python): an unknown value is
  neither, `not` swaps them, `and`/`or` follow Kleene's tables, and a
  condition holds where its "is true" column does;
- a condition (or part of one) over a single fact is decided once per
  distinct value of that fact and gathered to the rows; parameters are looked
  up per row by (region, date);
- a node matches when its scope, dates, condition and its parent match; it
  decides when none of its exceptions match; deny overrides permit within a
  ruleset, the default decides when nothing matches, exclusions permit, and
  across rulesets deny overrides permit.

`Outcomes.leaves` holds, per row, the deciding nodes that are the reasons of
its outcome, so that a verdict (reasons, obligations, rulesets) is built once
per distinct set of them (`privlex.data.reasons`).
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import ir
from ..runtime import places
from .validate import Column, Validated, spread

_EPOCH = datetime.date(1970, 1, 1)
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}
PERMIT, DENY, NOT_APPLICABLE, INVALID = range(4)


def _days(value: datetime.date) -> int:
    return (value - _EPOCH).days


class Tri:
    """A condition over rows: where it is true, and where it is false (None: wherever it is not true)."""

    __slots__ = ("false", "true")

    def __init__(self, true: np.ndarray, false: np.ndarray | None = None) -> None:
        self.true = true
        self.false = false

    def no(self) -> np.ndarray:
        return ~self.true if self.false is None else self.false


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


class Program:
    """A package's program, prepared once: node numbering, obligations, parameter tables."""

    def __init__(self, program: ir.Program, within: Any) -> None:
        self.program = program
        self.within = within
        vocabulary = program.vocabulary
        self.below = {"data": vocabulary.data_below, "purpose": vocabulary.purposes_below}
        self.rulesets = sorted(program.rulesets, key=lambda r: r.id)
        # every deciding node, numbered: (ruleset, node, path from the top node down to it)
        self.nodes: list[tuple[ir.Ruleset, ir.Node, tuple[ir.Node, ...]]] = []
        for ruleset in self.rulesets:
            for node, parents in ruleset.walk():
                self.nodes.append((ruleset, node, (*parents, node)))
        self.number = {(r.id, node.id): i for i, (r, node, _) in enumerate(self.nodes)}
        # every conditional ruleset obligation, numbered: it comes with a row's permit where it holds
        self.duties = [(r, o) for r in self.rulesets for o in r.obligations if o.condition is not None]
        self.parameters = {(r.id, p.name): p for r in self.rulesets for p in r.parameters}
        self._expanded: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}

    def expanded(self, kind: str, values: tuple[str, ...]) -> frozenset[str]:
        found = self._expanded.get((kind, values))
        if found is None:
            below = self.below[kind]
            found = self._expanded[(kind, values)] = frozenset(k for v in values for k in below.get(v, (v,)))
        return found


@dataclass
class Outcomes:
    """Per row: the outcome code (PERMIT, DENY, NOT_APPLICABLE, INVALID), and on request the reasons."""

    codes: np.ndarray  # int8
    leaves: list[tuple[int, np.ndarray]] | None = None  # (node number, rows where it is a reason)
    applied: list[tuple[str, np.ndarray]] | None = None  # (ruleset id, rows where it applies)
    # (duty number, rows whose permit carries it): conditional ruleset obligations that hold
    duties: list[tuple[int, np.ndarray]] | None = None


class Batch:
    """One batch of validated facts being decided: per-value tables gathered to rows, memoised."""

    def __init__(self, program: Program, valid: Validated, today: datetime.date) -> None:
        self.program = program
        self.valid = valid
        self.rows = valid.rows
        self.today = today
        self.memo: dict[str, Tri] = {}
        self.columns = dict(valid.columns)
        for path, implied in valid.implied.items():
            self.columns[path] = _booleans(self.columns[path], implied, self.rows)
        self._codes: dict[str, np.ndarray] = {}
        self._numbers: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}

    # ------------------------------------------------------------ values

    def value(self, path: str, entry: Any) -> Any:
        """A fact's validated value as the generated code reads it (the date defaults to today)."""
        if path == "date" and entry is None:
            return self.today
        return entry

    def lookup(self, path: str, table: np.ndarray) -> np.ndarray:
        """Per row, `table`'s value for the row's entry: a few comparisons of codes, or a gather."""
        col = self.columns[path]
        if col.codes is None:
            return np.full(self.rows, table[0], np.bool_)
        trues = np.count_nonzero(table)
        if min(trues, len(table) - trues) <= 4 or trues in (0, len(table)):
            return spread(col.codes, table)
        gathered: np.ndarray = table[self.codes(path)]
        return gathered

    def codes(self, path: str) -> np.ndarray:
        found = self._codes.get(path)
        if found is None:
            codes = self.columns[path].codes
            found = self._codes[path] = np.zeros(self.rows, np.intp) if codes is None else codes.astype(np.intp)
        return found

    def per_value(self, path: str, decide: Callable[[Any], tuple[bool, bool]]) -> Tri:
        col = self.columns[path]
        pairs = [decide(self.value(path, value)) for value in col.values]
        true = self.lookup(path, np.array([t for t, _ in pairs], np.bool_))
        if all(t != f for t, f in pairs):
            return Tri(true)
        return Tri(true, self.lookup(path, np.array([f for _, f in pairs], np.bool_)))

    def numbers(self, path: str) -> tuple[np.ndarray, np.ndarray | None]:
        """A number or date fact per row as an integer (dates in days), and where it is known (None: everywhere)."""
        found = self._numbers.get(path)
        if found is not None:
            return found
        col = self.columns[path]
        values = [self.value(path, v) for v in col.values]
        known_table = np.array([v is not None for v in values], np.bool_)
        if col.codes is not None and col.base is not None:
            null = len(col.entries) - 1
            numbers = col.codes.astype(np.int64) + col.base
            missing = col.codes == null
            if path == "date":
                numbers[missing] = _days(self.today)
                known = None
            else:
                known = ~missing if missing.any() else None
        else:
            table = np.array([0 if v is None else _days(v) if isinstance(v, datetime.date) else v for v in values])
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
            found = self.memo[key] = self._condition(condition)
        return found

    def _condition(self, condition: ir.Condition) -> Tri:
        if isinstance(condition, ir.Defined):
            return self.condition(condition.condition)
        facts = _facts(condition)
        if len(facts) == 1:
            (path,) = facts
            if self.columns[path].spec.kind in ("integer", "date"):
                return self.numeric(condition, path)
            return self.per_value(path, lambda value: self.truth(condition, value))
        if isinstance(condition, ir.Not):
            inner = self.condition(condition.operand)
            return Tri(inner.no(), inner.true)
        if isinstance(condition, ir.And | ir.Or):
            return _combine(isinstance(condition, ir.And), [self.condition(c) for c in condition.operands])
        assert isinstance(condition, ir.Compare) and isinstance(condition.value, ir.ParamRef)
        return self.parameter_compare(condition, condition.value)

    def numeric(self, condition: ir.Condition, path: str) -> Tri:
        """A condition over one number or date fact, on its values per row."""
        if isinstance(condition, ir.Defined):
            return self.numeric(condition.condition, path)
        if isinstance(condition, ir.Not):
            inner = self.numeric(condition.operand, path)
            return Tri(inner.no(), inner.true)
        if isinstance(condition, ir.And | ir.Or):
            return _combine(isinstance(condition, ir.And), [self.numeric(c, path) for c in condition.operands])
        numbers, known = self.numbers(path)
        if isinstance(condition, ir.Known):
            present = np.ones(self.rows, np.bool_) if known is None else known
            return Tri(present if condition.known else ~present)
        if isinstance(condition, ir.Compare):
            assert not isinstance(condition.value, ir.ParamRef)
            holds: np.ndarray = _OPS[condition.op](numbers, _number(condition.value))
        else:
            assert isinstance(condition, ir.OneOf)
            holds = np.zeros(self.rows, np.bool_)
            for value in condition.values:
                holds |= numbers == _number(value)
        if known is None:
            return Tri(holds)
        return Tri(holds & known, ~holds & known)

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
        return Tri(holds & known, ~holds & known)

    ruleset = ""  # the ruleset being decided: its parameters are the ones conditions name

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
            spans_of.append(tuple((_days(a), _days(b), _number(v)) for a, b, v in timeline or ()))
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
        parts: list[ir.Condition] = []
        if node.data is not None:
            parts.append(ir.Within(fact=ir.FactRef(path="data", kind="data", nullable=False), values=node.data))
        if node.purposes is not None:
            parts.append(
                ir.Within(fact=ir.FactRef(path="purpose", kind="purpose", nullable=False), values=node.purposes)
            )
        date = ir.FactRef(path="date", kind="date", nullable=False)
        if node.start is not None:
            parts.append(ir.Compare(fact=date, op=">=", value=node.start))
        if node.end is not None:
            parts.append(ir.Compare(fact=date, op="<=", value=node.end))
        if node.condition is not None:
            parts.append(node.condition)
        if not parts:
            return None
        return self.condition(parts[0] if len(parts) == 1 else ir.And(operands=tuple(parts)))

    def applies(self, ruleset: ir.Ruleset) -> np.ndarray:
        def covered(code: Any) -> tuple[bool, bool]:
            inside = code is not None and not places(code, self.program.within).isdisjoint(ruleset.covers)
            return inside, not inside

        applies = self.per_value("region", covered).true.copy()
        if ruleset.start is not None or ruleset.end is not None:
            start = _days(ruleset.start) if ruleset.start else None
            end = _days(ruleset.end) if ruleset.end else None

            day = self.day
            if start is not None:
                applies &= day >= start
            if end is not None:
                applies &= day <= end
        if ruleset.applies is not None:
            applies &= self.condition(ruleset.applies).true
        result: np.ndarray = applies & ~self.valid.invalid
        return result

    def matches(self, node: ir.Node, within: np.ndarray) -> np.ndarray:
        test = self.scope(node)
        return within if test is None else within & test.true


def _number(value: Any) -> int:
    """A parameter's or a literal's value as the integer it is compared as (dates in days)."""
    return _days(value) if isinstance(value, datetime.date) else int(value)


def _combine(conjunction: bool, parts: list[Tri]) -> Tri:
    """Kleene's `and` (or `or`) of conditions over rows."""
    true = parts[0].true.copy()
    false = None if all(p.false is None for p in parts) else parts[0].no().copy()
    for part in parts[1:]:
        if conjunction:
            true &= part.true
            if false is not None:
                false |= part.no()
        else:
            true |= part.true
            if false is not None:
                false &= part.no()
    return Tri(true, false)


def _booleans(col: Column, implied: np.ndarray, rows: int) -> Column:
    """A boolean fact after implications: per row false or true."""
    truth = col.rows(np.array([bool(v) for v in col.values], np.bool_), rows) | implied
    return Column(col.spec, truth.view(np.int8), [False, True], [False, True], [None, None])


def decide(program: Program, valid: Validated, today: datetime.date, reasons: bool) -> Outcomes:
    """The outcome of every row, and (when `reasons`) the nodes that are its reasons."""
    batch = Batch(program, valid, today)
    rows = valid.rows
    any_deny = np.zeros(rows, np.bool_)
    any_applies = np.zeros(rows, np.bool_)
    # per ruleset: (applies, its leaves that decide with their effect, whether each is an exclusion)
    states: list[tuple[ir.Ruleset, np.ndarray, list[tuple[ir.Node, np.ndarray]], np.ndarray, np.ndarray]] = []
    for ruleset in program.rulesets:
        batch.ruleset = ruleset.id
        applies = batch.applies(ruleset)
        any_applies |= applies
        excluded = np.zeros(rows, np.bool_)
        excluding: list[tuple[ir.Node, np.ndarray]] = []
        for node in ruleset.exclusions:
            hit = batch.matches(node, applies)
            excluding.append((node, hit))
            excluded |= hit
        live = applies & ~excluded
        deciding: list[tuple[ir.Node, np.ndarray]] = []

        def visit(
            node: ir.Node, within: np.ndarray, deciding: list[tuple[ir.Node, np.ndarray]] = deciding
        ) -> np.ndarray:
            """Where `node` matches; its deciding leaves go to `deciding`, in source order."""
            hit = batch.matches(node, within)
            at = len(deciding)
            deciding.append((node, hit))
            if node.exceptions:
                caught = np.zeros(rows, np.bool_)
                for inner in node.exceptions:
                    caught |= visit(inner, hit)
                deciding[at] = (node, hit & ~caught)
            return hit

        for rule in ruleset.rules:
            visit(rule, live)
        denied = np.zeros(rows, np.bool_)
        permitted = np.zeros(rows, np.bool_)
        for node, hit in deciding:
            if node.effect == "deny":
                denied |= hit
            else:
                permitted |= hit
        fallback = live & ~denied & ~permitted
        deciding.append((ruleset.default, fallback))
        if ruleset.default.effect == "deny":
            denied |= fallback
        any_deny |= denied
        states.append((ruleset, applies, excluding + deciding, excluded, denied))
    codes = np.full(rows, NOT_APPLICABLE, np.int8)
    codes[any_applies] = PERMIT
    codes[any_deny] = DENY
    codes[valid.invalid] = INVALID
    if not reasons:
        return Outcomes(codes)
    leaves: list[tuple[int, np.ndarray]] = []
    applied: list[tuple[str, np.ndarray]] = []
    for ruleset, applies, nodes, excluded, denied in states:
        applied.append((ruleset.id, applies))
        exclusion_count = len(ruleset.exclusions)
        for position, (node, hit) in enumerate(nodes):
            if position < exclusion_count:
                reason = hit & ~any_deny
            elif node.effect == "deny":
                reason = hit
            else:
                reason = hit & ~denied & ~any_deny & ~excluded
            leaves.append((program.number[(ruleset.id, node.id)], reason))
    return Outcomes(codes, leaves, applied, _duties(program, batch, states, any_deny))


def _duties(
    program: Program,
    batch: Batch,
    states: list[tuple[ir.Ruleset, np.ndarray, list[tuple[ir.Node, np.ndarray]], np.ndarray, np.ndarray]],
    any_deny: np.ndarray,
) -> list[tuple[int, np.ndarray]]:
    """Where each conditional ruleset obligation comes with the permit: its ruleset permits by a rule,
    an exception or the default (not by an exclusion), no ruleset denies, and its condition is true."""
    permits = {
        ruleset.id: applies & ~excluded & ~denied & ~any_deny for ruleset, applies, _, excluded, denied in states
    }
    found: list[tuple[int, np.ndarray]] = []
    for number, (ruleset, obligation) in enumerate(program.duties):
        assert obligation.condition is not None
        batch.ruleset = ruleset.id
        found.append((number, permits[ruleset.id] & batch.condition(obligation.condition).true))
    return found
