"""What would change the outcome: the smallest sets of fact changes, found by search.

For a deny, the search changes facts the denying rulesets read (never the
region, data, purpose or date: they say what the use is) and looks for a
permit. For not_applicable, it changes what decides whether a ruleset
applies (the region, the date, the facts of `applies when`) and looks for
any decision. Candidate values come from the rules themselves: the other
value of a boolean, every value of a basis or a `one of`, the numbers and
dates the conditions compare with and one on either side (of those that
work, the nearest to the use is shown), and a place inside each region a
rule names. Making a fact unknown is not offered: it is no way to comply.
Sets of one change are tried
first, then pairs, then triples, within a budget; every set found is minimal
(no smaller set changes the outcome). Each candidate use is validated as
input and decided by the package's own `check`.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import ir
from ..runtime import InvalidUse
from .words import value_text

IDENTITY = ("region", "data", "purpose", "date")
BUDGET = 4000  # uses decided at most
SHOWN = 6  # sets reported at most


@dataclass(frozen=True)
class Change:
    fact: str
    value: Any
    text: str  # "consent.bundled were false"


@dataclass(frozen=True)
class Alternative:
    changes: tuple[Change, ...]
    outcome: str
    rulesets: tuple[str, ...]

    @property
    def text(self) -> str:
        return " and ".join(change.text for change in self.changes)


def _conditions(ruleset: ir.Ruleset, applicability_only: bool) -> Iterator[ir.Condition]:
    if ruleset.applies is not None:
        yield ruleset.applies
    if applicability_only:
        return
    for node, _ in ruleset.walk():
        if node.condition is not None:
            yield node.condition


def _atoms(condition: ir.Condition) -> Iterator[ir.Condition]:
    if isinstance(condition, ir.Defined):
        yield from _atoms(condition.condition)
    elif isinstance(condition, ir.Not):
        yield from _atoms(condition.operand)
    elif isinstance(condition, ir.And | ir.Or):
        for operand in condition.operands:
            yield from _atoms(operand)
    else:
        yield condition


class Candidates:
    """The values worth trying for each fact a set of rulesets reads."""

    def __init__(self, program: ir.Program, use: Any, day: datetime.date) -> None:
        self.program = program
        self.vocabulary = program.vocabulary
        self.facts = {f.path: f for f in (*ir.BUILTIN_FACTS.values(), *self.vocabulary.facts)}
        self.use = use
        self.day = day
        self.values: dict[str, dict[str, Change]] = {}  # fact -> text -> change, in the order found

    def current(self, path: str) -> Any:
        if path == "date":
            return self.day
        group, _, name = path.rpartition(".")
        return getattr(getattr(self.use, group) if group else self.use, name)

    def add(self, path: str, value: Any, text: str | None = None) -> None:
        fact = self.facts.get(path)
        if fact is None or value == self.current(path):
            return
        if value is None and not fact.nullable:
            return
        if fact.kind == "integer" and value is not None:
            low = fact.minimum if fact.minimum is not None else value
            high = fact.maximum if fact.maximum is not None else value
            if not low <= value <= high:
                return
        shown = text or f"{path} were {value_text(value)}"
        self.values.setdefault(path, {}).setdefault(shown, Change(path, value, shown))

    def place_in(self, code: str) -> str | None:
        """A country or subdivision inside a region (itself, when it is one)."""
        inside = sorted(c for c, around in self.vocabulary.within.items() if code in around)
        return code if code in self.vocabulary.within else (inside[0] if inside else None)

    def from_atom(self, atom: ir.Condition, parameters: dict[str, ir.Parameter]) -> None:
        path = atom.fact.path  # type: ignore[union-attr]
        fact = self.facts.get(path)
        if fact is None or path in IDENTITY:
            return
        if fact.kind == "boolean":
            self.add(path, not bool(self.current(path)))
            return
        if fact.kind in ("basis", "enum"):
            for choice in fact.choices:
                self.add(path, choice)
        elif fact.kind == "region":
            codes = atom.values if isinstance(atom, ir.OneOf | ir.Within) else ()
            for code in codes:
                place = self.place_in(str(code))
                if place is not None:
                    text = f"{path} were {place}" if place == code else f"{path} were in {code} (e.g. {place})"
                    self.add(path, place, text)
        elif isinstance(atom, ir.Compare | ir.OneOf):
            for value in self._numbers(atom, parameters):
                self.add(path, value)

    def _numbers(self, atom: ir.Compare | ir.OneOf, parameters: dict[str, ir.Parameter]) -> list[Any]:
        found: list[Any] = []
        raw = [atom.value] if isinstance(atom, ir.Compare) else list(atom.values)
        for written in raw:
            item: Any = written
            if isinstance(written, ir.ParamRef):
                parameter = parameters.get(written.name)
                timeline = parameter.timeline.get(self.use.region) if parameter else None
                if timeline is None and parameter is not None:
                    timeline = parameter.timeline.get(self.use.region.split("-", 1)[0])
                item = next((v for start, end, v in timeline or () if start <= self.day <= end), None)
            if isinstance(item, bool) or item is None:
                continue
            if isinstance(item, int):
                found += [item - 1, item, item + 1]
            elif isinstance(item, datetime.date):
                found += [item - datetime.timedelta(days=1), item, item + datetime.timedelta(days=1)]
        return found

    def for_rulesets(self, rulesets: list[ir.Ruleset], applicability_only: bool) -> None:
        for ruleset in rulesets:
            parameters = {p.name: p for p in ruleset.parameters}
            for condition in _conditions(ruleset, applicability_only):
                for atom in _atoms(condition):
                    self.from_atom(atom, parameters)

    def for_applicability(self, rulesets: list[ir.Ruleset], strict: bool) -> None:
        """The region and date changes that would bring each ruleset into play, then its `applies when` facts.

        `strict` offers a region only for a ruleset in force on the day, and a
        date only for one that covers the region: the changes that suffice alone.
        """
        here = set(self.vocabulary.within.get(self.use.region, ())) | {self.use.region.split("-", 1)[0]}
        for ruleset in rulesets:
            in_force = (ruleset.start is None or ruleset.start <= self.day) and (
                ruleset.end is None or self.day <= ruleset.end
            )
            covered = bool(here & set(ruleset.covers))
            for code in ruleset.covers if in_force or not strict else ():
                place = self.place_in(code)
                if place is not None and not covered:
                    text = f"region were {place}" if place == code else f"region were in {code} (e.g. {place})"
                    self.add("region", place, text)
            if covered or not strict:
                if ruleset.start is not None and self.day < ruleset.start:
                    self.add("date", ruleset.start, f"date were {ruleset.start.isoformat()} or later")
                if ruleset.end is not None and self.day > ruleset.end:
                    self.add("date", ruleset.end, f"date were {ruleset.end.isoformat()} or earlier")
        self.for_rulesets(rulesets, applicability_only=True)


def _changed(use: Any, changes: tuple[Change, ...]) -> dict[str, Any]:
    data: dict[str, Any] = use.model_dump()
    for change in changes:
        group, _, name = change.fact.rpartition(".")
        (data[group] if group else data)[name] = change.value
    return data


def search(package: Any, program: ir.Program, use: Any, day: datetime.date, outcome: str) -> list[Alternative]:
    """The smallest sets of fact changes that turn a deny into a permit, or a not_applicable into a decision."""
    if outcome == "deny":
        candidates = Candidates(program, use, day)
        decided = package.check(use, today=day)
        denying = {reason.ruleset for reason in decided.reasons}
        candidates.for_rulesets([r for r in program.rulesets if r.id in denying], applicability_only=False)
        return _search(package, use, day, candidates, lambda decision: str(decision.outcome) == "permit")
    if outcome == "not_applicable":
        for strict in (True, False):
            candidates = Candidates(program, use, day)
            candidates.for_applicability(list(program.rulesets), strict)
            found = _search(package, use, day, candidates, lambda decision: str(decision.outcome) != "not_applicable")
            if found:
                return found
    return []


def _search(
    package: Any, use: Any, day: datetime.date, candidates: Candidates, wanted: Callable[[Any], bool]
) -> list[Alternative]:
    pool = [change for per_fact in candidates.values.values() for change in per_fact.values()]
    found: list[Alternative] = []
    spent = 0
    for size in (1, 2, 3):
        for combination in itertools.combinations(pool, size):
            if len({change.fact for change in combination}) < size:
                continue
            spent += 1
            if spent > BUDGET:
                return found[:SHOWN]
            try:
                decision = package.check(_changed(use, combination), today=day)
            except InvalidUse:
                continue
            if wanted(decision):
                found.append(Alternative(combination, str(decision.outcome), tuple(decision.rulesets)))
        if found:
            break
    return _nearest(found, candidates)[:SHOWN]


def _distance(change: Change, candidates: Candidates) -> float:
    current = candidates.current(change.fact)
    if isinstance(change.value, datetime.date) and isinstance(current, datetime.date):
        return abs((change.value - current).days)
    if isinstance(change.value, int) and isinstance(current, int) and not isinstance(current, bool):
        return abs(change.value - current)
    return 0


def _nearest(found: list[Alternative], candidates: Candidates) -> list[Alternative]:
    """Of the sets that change the same numbers or dates (age 16, age 17), the one nearest the use as it is."""
    kept: dict[tuple[str, ...], Alternative] = {}
    shown: list[Alternative] = []
    for alternative in found:
        facts = tuple(change.fact for change in alternative.changes)
        kinds = {candidates.facts[fact].kind for fact in facts}
        if not kinds <= {"integer", "date"}:
            shown.append(alternative)
            continue
        if facts not in kept:
            kept[facts] = alternative
            shown.append(alternative)
            continue
        best = kept[facts]
        if sum(_distance(c, candidates) for c in alternative.changes) < sum(
            _distance(c, candidates) for c in best.changes
        ):
            shown[shown.index(best)] = kept[facts] = alternative
    return shown
