"""Readable regions of the input space: a conjunction of one condition per dimension.

A `Cube` fixes some dimensions (a region set, a data set, an age range, a
boolean...) and leaves the others free. `generalise` grows a single use into
the largest such cube it can prove: it keeps only the conditions that are
needed (an unsat core, then minimised), then widens each to the values for
which the claim still holds and the change actually happens.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3

from .. import ir
from .shown import Shown, Use
from .solve import Solver
from .space import Space, Term, Var

# At most this many classes of alike values (regions, keys, choices) are added to a set one by one.
ENUMERATION_LIMIT = 32

# The order in which conditions are dropped when more than one could go: the
# ones a reader cares least about first, so that regions, keys and dates stay.
_DROP_ORDER = {"boolean": 0, "enum": 1, "basis": 1, "integer": 2, "purpose": 3, "data": 4, "date": 5, "region": 6}


@dataclass
class Literal:
    """One dimension's condition: a set of values, a range, a truth value, or unknown."""

    var: Var
    values: frozenset[str] = frozenset()  # finite dimensions: the values allowed
    low: int = 0  # integers and dates: the range allowed
    high: int = 0
    truth: bool = False  # booleans
    unknown: bool = False  # the fact is unknown (with values/range: or unknown)
    known: bool = True  # some value is allowed
    # The term, once made: a cube's literals are asked about many times.
    _term: Term = field(default=None, compare=False, repr=False)

    def admits(self, raw: Any) -> bool:
        """Whether a use with this raw value of the dimension (shown.py's `Use`) is inside."""
        var = self.var
        if var.kind == "boolean":
            return bool(raw == self.truth)
        if raw is None:
            return self.unknown
        if not self.known:
            return False
        if var.finite:
            return var.domain[raw] in self.values
        return bool(self.low <= raw <= self.high)

    def term(self, space: Space) -> Term:
        if self._term is None:
            self._term = self._make_term(space)
        return self._term

    def _make_term(self, space: Space) -> Term:
        var = self.var
        parts: list[Term] = []
        if var.kind == "boolean":
            return var.value if self.truth else z3.Not(var.value)
        if self.known:
            if var.finite:
                parts.append(space.member(var, (i for i, v in enumerate(var.domain) if v in self.values)))
            else:
                parts.append(z3.And(var.value >= self.low, var.value <= self.high))
            if var.known is not None:
                parts[-1] = z3.And(var.known, parts[-1])
        if self.unknown and var.known is not None:
            parts.append(z3.Not(var.known))
        return parts[0] if len(parts) == 1 else z3.Or(*parts) if parts else z3.BoolVal(False, space.context)

    def to_json(self) -> dict[str, Any]:
        var = self.var
        if var.kind == "boolean":
            return {"fact": var.path, "is": self.truth}
        found: dict[str, Any] = {"fact": var.path}
        if self.known:
            if var.finite:
                found["in"] = sorted(self.values)
            elif var.kind == "date":
                found["from"] = datetime.date.fromordinal(self.low).isoformat()
                found["until"] = datetime.date.fromordinal(self.high).isoformat()
            else:
                found["from"], found["to"] = self.low, self.high
        if var.known is not None:
            found["unknown"] = self.unknown
            if not self.known:
                found["known"] = False
        return found


@dataclass
class Cube:
    literals: list[Literal] = field(default_factory=list)

    def term(self, space: Space) -> Term:
        terms = [lit.term(space) for lit in self.literals]
        return z3.And(*terms) if terms else z3.BoolVal(True, space.context)


def point_literal(var: Var, value: Any) -> Literal:
    if value is None:
        return Literal(var, unknown=True, known=False)
    if var.kind == "boolean":
        return Literal(var, truth=bool(value))
    if var.finite:
        return Literal(var, values=frozenset({str(value)}))
    number = value.toordinal() if isinstance(value, datetime.date) else int(value)
    return Literal(var, low=number, high=number)


def breakpoints(programs: Sequence[ir.Program], path: str) -> list[int]:
    """The numbers at which a dimension's truth values can change: constants, dates, parameter values."""
    found: set[int] = set()

    def number(value: object) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, datetime.date):
            found.update(value.toordinal() + d for d in (-1, 0, 1))
        elif isinstance(value, int):
            found.update(value + d for d in (-1, 0, 1))

    def visit(condition: ir.Condition | None, ruleset: ir.Ruleset | None) -> None:
        if isinstance(condition, ir.Defined):
            visit(condition.condition, ruleset)
        elif isinstance(condition, ir.Not):
            visit(condition.operand, ruleset)
        elif isinstance(condition, ir.And | ir.Or):
            for operand in condition.operands:
                visit(operand, ruleset)
        elif isinstance(condition, ir.Compare) and condition.fact.path == path:
            if isinstance(condition.value, ir.ParamRef) and ruleset is not None:
                for parameter in ruleset.parameters:
                    if parameter.name == condition.value.name:
                        for pieces in parameter.timeline.values():
                            for _, _, value in pieces:
                                number(value)
            else:
                number(condition.value)
        elif isinstance(condition, ir.OneOf) and condition.fact.path == path:
            for value in condition.values:
                number(value)

    for program in programs:
        for ruleset in program.rulesets:
            visit(ruleset.applies, ruleset)
            if path == "date":
                for day in (ruleset.start, ruleset.end):
                    number(day)
                for parameter in ruleset.parameters:
                    for pieces in parameter.timeline.values():
                        for start, end, _ in pieces:
                            number(start)
                            number(end)
            for node, _ in ruleset.walk():
                visit(node.condition, ruleset)
                if path == "date":
                    number(node.start)
                    number(node.end)
        for prop in program.properties:
            visit(prop.condition, None)
    return sorted(found)


class Generaliser:
    """Grows uses into cubes inside `good` (where the claim holds), tight around `happens`."""

    def __init__(self, solver: Solver, good_fails: Term, happens: Term) -> None:
        self.solver = solver
        self.space = solver.space
        self.bad = good_fails  # the uses the cube must not contain
        self.happens = happens  # the uses the cube is about
        self._breakpoints: dict[str, list[int]] = {}
        self._needed_before: set[str] = set()  # the dimensions the last cube needed
        # The uses z3 showed where the change happens, and where the claim fails: many later
        # questions are answered by one of them.
        self.shown_happening = Shown(solver, happens)
        self.shown_failing = Shown(solver, good_fails)

    def grow(self, values: dict[str, Any]) -> Cube:
        literals = [point_literal(var, values[var.path]) for var in self.space.dimensions()]
        literals = self._needed(literals)
        for index in sorted(range(len(literals)), key=lambda i: -_DROP_ORDER.get(literals[i].var.kind, 0)):
            literals[index] = self._widen(literals, index)
        if not any(lit.var.path == "region" for lit in literals):
            region = self._region_around(literals, values["region"])
            if region is not None:
                literals.append(region)
        if not any(lit.var.path == "date" for lit in literals):
            # The date is free, but the change may happen only on some days: say which.
            day = self.space.vars["date"]
            tight = self._tight(
                Literal(day, low=values["date"].toordinal(), high=values["date"].toordinal()),
                literals,
                day.low,
                day.high,
            )
            if (tight.low, tight.high) != (day.low, day.high):
                literals.append(tight)
        return Cube(literals)

    def _needed(self, literals: list[Literal]) -> list[Literal]:
        terms = [lit.term(self.space) for lit in literals]
        order = sorted(range(len(literals)), key=lambda i: _DROP_ORDER.get(literals[i].var.kind, 0))
        # The cubes of one change tend to need the same dimensions.
        hint = [i for i, lit in enumerate(literals) if lit.var.path in self._needed_before]
        needed = [literals[i] for i in self.solver.minimal_core([self.bad], terms, order, hint)]
        self._needed_before = {lit.var.path for lit in needed}
        return needed

    def _others(self, literals: Sequence[Literal], index: int) -> list[Literal]:
        return [lit for i, lit in enumerate(literals) if i != index]

    def _widen(self, literals: list[Literal], index: int) -> Literal:
        literal = literals[index]
        var = literal.var
        if var.kind == "boolean" or not literal.known:
            return literal
        others = self._others(literals, index)
        if var.finite:
            return self._widen_set(literal, others)
        return self._widen_range(literal, others)

    def _widen_set(self, literal: Literal, others: list[Literal]) -> Literal:
        """The values at which the change happens, less those at which the claim fails.

        Values the rules cannot tell apart (`Space.alike`) join or leave the set
        together: each answer settles a whole class of them.
        """
        var = literal.var
        alike = self.space.alike(var)
        values: set[int] = set().union(*(alike[var.index(v)] for v in literal.values))
        known = [var.known] if var.known is not None else []
        path = var.path
        for _ in range(ENUMERATION_LIMIT):
            if len(values) == len(var.domain):
                break
            outside = [*known, z3.Not(self.space.member(var, values))]
            use = self.shown_happening.find(others, _outside(path, values), outside)
            if use is None:
                break
            values |= alike[use[path]]
        while True:
            trial = Literal(var, values=frozenset(var.domain[i] for i in values))
            use = self.shown_failing.find(others, _inside(trial), [trial.term(self.space)])
            if use is None:
                return trial
            values -= alike[use[path]]

    def _region_around(self, literals: list[Literal], code: str) -> Literal | None:
        """The smallest declared region around the use's own in which the change happens, if any.

        The region is free in the cube, but the change may happen only in one
        place or group (the old decision names a ruleset that covers it).
        """
        var = self.space.vars["region"]
        places = self.space.places[-1]
        around = sorted(places[code], key=lambda g: sum(1 for c in var.domain if g in places[c]))
        for group in around:
            indices = frozenset(i for i, c in enumerate(var.domain) if group in places[c])
            if len(indices) == len(var.domain):
                return None
            outside = z3.Not(self.space.member(var, indices))
            beyond = self.shown_happening.find(literals, _outside(var.path, indices), [outside])
            if beyond is None:
                return Literal(var, values=frozenset(var.domain[i] for i in indices))
        return None

    def _points(self, var: Var) -> list[int]:
        points = self._breakpoints.get(var.path)
        if points is None:
            points = sorted({p for p in breakpoints(self.space.programs, var.path) if var.low <= p <= var.high})
            points = sorted({var.low, var.high, *points})
            self._breakpoints[var.path] = points
        return points

    def _widen_range(self, literal: Literal, others: list[Literal]) -> Literal:
        """The widest range around the value where the claim holds, then only as far as the change happens."""
        var = literal.var
        points = self._points(var)
        known = [var.known] if var.known is not None else []
        value = literal.low

        def clear(a: int, b: int) -> Probe:
            """No bad use in [a, b]; else a bad use's value, beyond which no range can reach."""
            use = self.shown_failing.find(others, _between(var, a, b), [*known, var.value >= a, var.value <= b])
            return (True, None) if use is None else (False, use[var.path])

        above = [p for p in points if p > value]
        below = [p for p in reversed(points) if p < value]
        high = _furthest(above, lambda p: clear(value + 1, p), value)
        low = _furthest(below, lambda p: clear(p, value - 1), value)
        return self._tight(literal, others, low, high)

    def _tight(self, literal: Literal, others: list[Literal], low: int, high: int) -> Literal:
        """The outermost values inside [low, high] at which the change happens."""
        var = literal.var
        points = self._points(var)
        known = [var.known] if var.known is not None else []
        value = literal.low

        def happens_in(a: int, b: int) -> Probe:
            """The change happens in [a, b]; if so, at a value up to which every narrower question holds too."""
            use = self.shown_happening.find(others, _between(var, a, b), [*known, var.value >= a, var.value <= b])
            return (False, None) if use is None else (True, use[var.path])

        high = _furthest([p for p in points if value < p <= high], lambda p: happens_in(p, high), value)
        low = _furthest([p for p in reversed(points) if low <= p < value], lambda p: happens_in(low, p), value)
        return Literal(var, low=low, high=high)


# A probe's answer: whether the test holds at a candidate, and the value of the
# dimension in the model the solver showed, if it showed one.
Probe = tuple[bool, int | None]


def _outside(path: str, values: set[int] | frozenset[int]) -> Callable[[Use], bool]:
    """The Python form of `known and value not in values` (indices)."""
    return lambda use: use[path] is not None and use[path] not in values


def _inside(literal: Literal) -> Callable[[Use], bool]:
    path = literal.var.path
    return lambda use: literal.admits(use[path])


def _between(var: Var, low: int, high: int) -> Callable[[Use], bool]:
    """The Python form of `known and low <= value <= high`."""
    path = var.path
    return lambda use: use[path] is not None and low <= use[path] <= high


def _furthest(candidates: list[int], probe: Callable[[int], Probe], fallback: int) -> int:
    """The last candidate for which the probe holds, it holding up to some point.

    The candidates run away from the use's value (up or down). A binary
    search, except that each answer's model settles more at once: a model
    that breaks the test at a value breaks it at every candidate from there
    on, and a model that passes it at a value passes it at every candidate up
    to there. The furthest candidate is asked first: ranges often reach the
    end of their dimension, and then one question is enough.
    """
    if not candidates:
        return fallback
    sign = 1 if candidates[-1] >= candidates[0] else -1
    distances = [sign * c for c in candidates]
    lo, hi, answer = 0, len(candidates) - 1, fallback
    mid = hi
    while lo <= hi:
        holds, seen = probe(candidates[mid])
        if holds:
            answer, lo = candidates[mid], mid + 1
            if seen is not None:
                reached = bisect.bisect_right(distances, sign * seen) - 1
                if reached >= lo:
                    answer, lo = candidates[reached], reached + 1
        else:
            hi = mid - 1
            if seen is not None:
                hi = min(hi, bisect.bisect_left(distances, sign * seen) - 1)
        mid = (lo + hi) // 2
    return answer


def values_of(literals: Iterable[Literal]) -> dict[str, Literal]:
    return {lit.var.path: lit for lit in literals}
