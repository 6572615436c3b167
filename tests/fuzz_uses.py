"""Uses of a fuzzed unit: mostly valid, some near misses, each with what validation must say.

`draw_use(chooser, unit)` makes a `Drawn`: the use as `check` takes it,
whether it is valid (known by construction: a bad value was chosen on
purpose, or the facts contradict each other), and for a valid one the
normalised facts the reference interpreter decides on (region codes as
validation normalises them, implications applied, defaults filled in).
`uses(unit)` is the hypothesis strategy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from fuzz_choice import Chooser, HypothesisChooser
from fuzz_model import Fact, Unit
from hypothesis import strategies as st


@dataclass
class Drawn:
    use: dict[str, Any]
    valid: bool
    normal: dict[str, Any] | None  # region, data, purpose, date, and every fact by path (None: unknown)
    typed: bool  # every value has its fact's Python type (so a dataset column can hold it)


def _region(c: Chooser, unit: Unit) -> tuple[Any, str | None]:
    """A region as given, and the code it means (None: invalid)."""
    places = [r.code for r in unit.regions if r.kind != "group"]
    countries = [r.code for r in unit.regions if r.kind == "country"]
    groups = [r.code for r in unit.regions if r.kind == "group"]
    kind = c.integer(0, 9)
    if kind <= 6:
        code = c.choice(places)
        return c.choice([code, code.lower(), f" {code} ", code.replace("-", "_"), code.lower().replace("-", "_")]), code
    if kind == 7:
        tail = c.choice(["ZZ", "9", "A1B", "ZZZZ"])
        code = f"{c.choice(countries)}-{tail}"
        return code, code if len(tail) <= 3 else None
    if kind == 8 and groups:
        return c.choice(groups), None
    return c.choice(["XX", "", "ıt", "İT", "Q", 7, None]), None


def _value(c: Chooser, unit: Unit, fact: Fact) -> tuple[Any, Any, bool, bool]:
    """(given, meant, valid, typed) for one fact."""
    bad = c.chance(15)
    if fact.kind == "boolean":
        if bad:
            return c.choice([1, 0, "true", "yes"]), None, False, False
        value = c.boolean()
        return value, value, True, True
    if fact.kind == "integer":
        if bad:
            value = c.choice([fact.minimum - 1, fact.maximum + 1, "12", 12.5, True])
            return value, None, False, type(value) is int
        value = c.integer(fact.minimum, fact.maximum)
        return value, value, True, True
    if fact.kind == "date":
        if bad:
            return c.choice(["2024-02-30", "2025-W23-1", "yesterday", 20240101]), None, False, False
        day = c.day()
        return c.choice([day, day.isoformat()]), day, True, True
    if fact.kind == "region":
        given, meant = _region(c, unit)
        if given is None:  # None is "not given": valid, unknown
            return None, None, True, True
        return given, meant, meant is not None, isinstance(given, str)
    if bad:
        return c.choice(["nope", "Consent", 3]), None, False, False
    value = c.choice(fact.choices if fact.kind == "enum" else [name for name, _ in unit.bases])
    return value, value, True, True


def draw_use(c: Chooser, unit: Unit) -> Drawn:
    region, code = _region(c, unit)
    valid, typed = code is not None, isinstance(region, str)
    use: dict[str, Any] = {"region": region}
    normal: dict[str, Any] = {"region": code, "date": None}
    for kind, items in (("data", unit.data), ("purpose", unit.purposes)):
        concrete = [k.key for k in items if not k.abstract]
        if c.chance(12):
            use[kind] = c.choice([*(k.key for k in items if k.abstract), "nope", concrete[0] + "x"])
            valid = False
        else:
            use[kind] = c.choice(concrete)
        normal[kind] = use[kind]
    if c.boolean():
        day = c.day()
        use["date"] = c.choice([day, day.isoformat()])
        normal["date"] = day
    given_false: set[str] = set()
    for fact in unit.facts:
        normal[fact.path] = False if fact.kind == "boolean" else fact.default
        if c.chance(3):
            continue
        given, meant, good, fits = _value(c, unit, fact)
        valid, typed = valid and good, typed and fits
        group, dot, name = fact.path.partition(".")
        if dot:
            use.setdefault(group, {})[name] = given
        else:
            use[fact.path] = given
        if good:
            normal[fact.path] = meant
            if meant is False:
                given_false.add(fact.path)
    valid = valid and _implications(unit, normal, given_false)
    return Drawn(use, valid, normal if valid else None, typed)


def _implications(unit: Unit, normal: dict[str, Any], given_false: set[str]) -> bool:
    """Apply implications to a fixed point; False on a contradiction (validation must find one)."""
    changed = True
    while changed:
        changed = False
        for fact in unit.facts:
            if normal.get(fact.path) is True:
                for target in fact.implies:
                    if target in given_false:
                        return False
                    if normal.get(target) is not True:
                        normal[target] = True
                        changed = True
    return not any(
        normal.get(fact.path) is True and normal.get(other) is True for fact in unit.facts for other in fact.excludes
    )


def day_of(drawn: Drawn, today: datetime.date) -> datetime.date:
    assert drawn.normal is not None
    return drawn.normal["date"] or today


@st.composite
def uses(draw: st.DrawFn, unit: Unit) -> Drawn:
    return draw_use(HypothesisChooser(draw), unit)
