"""VALID rule units, built from the grammar's constructs (not by mutation): `units()` is the strategy.

A unit has a vocabulary (keys with several parents, abstract keys, facts of
every type with implications and exclusions), a forest of regions, and
rulesets with parameters, exclusions, rules and exceptions nested a few
levels, conditions with every operator, dates and obligations; names and
texts come from `fuzz_hostile`. Every unit is valid by construction:

- each fact is tested once along a chain of nodes, so no node's conditions
  contradict each other or its parent's (E402);
- an exception's scope lies inside its parent's (E403), and a node with
  exceptions does not test `data` or `purpose`, which would narrow it;
- every parameter has a value for every covered region, and regions form a
  forest, so the most specific value is never ambiguous (E405, E406);
- implications point to later facts only (no cycle, E204).

`generate_unit(chooser)` does the work; `units()` runs it on hypothesis.
"""

from __future__ import annotations

import datetime
from typing import Any

from fuzz_choice import Chooser, HypothesisChooser
from fuzz_model import Condition, Fact, Key, Node, Obligation, Parameter, Region, Ruleset, Unit
from hypothesis import strategies as st

COUNTRIES = ["DE", "FR", "US", "GB", "JP", "BR", "CA", "IN", "NO", "IS", "DO", "AS", "IT", "ES", "CH", "KR"]
GROUP_CODES = ["EU", "EEA", "G7", "NONE", "TRUE", "IF", "FOR", "CLASS", "ABC123", "X1", "NORDIC", "LATAM"]
SUBDIVISION_TAILS = ["CA", "NY", "BY", "1", "13", "QC", "ZZZ", "A1"]
COMPARISONS = ["<", "<=", ">", ">=", "=", "!="]


def _keys(c: Chooser) -> list[Key]:
    keys = [Key(root, c.text()) for root in {c.name(): None for _ in range(c.integer(1, 3))}]
    for _ in range(c.integer(0, 6)):
        parent = c.choice(keys)
        path = f"{parent.key}.{c.name()}"
        if any(k.key == path for k in keys):
            continue
        earlier = [k.key for k in keys if k.key != parent.key]  # declared before this key: no cycle
        keys.append(Key(path, c.text(), also_in=c.some(earlier, 0, 1) if c.chance(3) else []))
    for key in keys:  # a few groupings are abstract; a key with nothing below it stays concrete
        key.abstract = any(o.key.startswith(key.key + ".") for o in keys) and c.chance(4)
        key.notes = [c.comment()] if c.chance(4) else []
    return keys


def _facts(c: Chooser, bases: list[str]) -> list[Fact]:
    groups = list({c.name(): None for _ in range(c.integer(1, 3))})
    taken = set(groups)
    facts: list[Fact] = []
    for _ in range(c.integer(2, 9)):
        group = c.choice(groups) if c.integer(0, 3) else None
        name = c.name(taken if group is None else frozenset())
        path = f"{group}.{name}" if group else name
        if any(f.path == path for f in facts):
            continue
        if group is None:
            taken.add(name)
        kinds = ["boolean", "boolean", "boolean", "integer", "date", "region", "enum"] + (["basis"] if bases else [])
        fact = Fact(path, c.text(), c.choice(kinds), notes=[c.comment()] if c.chance(4) else [])
        if fact.kind == "integer":
            fact.minimum = c.integer(0, 20)
            fact.maximum = fact.minimum + c.choice([0, 5, 130, 10**17])
        elif fact.kind == "enum":
            fact.choices = list({c.name(): None for _ in range(c.integer(1, 4))})
            fact.default = c.choice(fact.choices) if c.boolean() else None
        facts.append(fact)
    booleans = [f for f in facts if f.kind == "boolean"]
    for position, fact in enumerate(booleans):  # implications point to later facts only: no cycle
        later = [f.path for f in booleans[position + 1 :]]
        if later and c.chance(3):
            fact.implies = c.some(later, 1, 2)
        others = [f.path for f in booleans if f is not fact and f.path not in fact.implies]
        if others and c.chance(5):
            fact.excludes = [c.choice(others)]
    return facts


def _regions(c: Chooser) -> list[Region]:
    countries = c.some(COUNTRIES, 1, 5)
    regions = [Region(code, "country", c.text()) for code in countries]
    for country in [c.choice(countries) for _ in range(c.integer(0, 2))]:
        code = f"{country}-{c.choice(SUBDIVISION_TAILS)}"
        if all(r.code != code for r in regions):
            regions.append(Region(code, "subdivision", c.text()))
    free = list(countries)  # a forest: each region in at most one group
    for code in c.some(GROUP_CODES, 0, 3):
        if not free:
            break
        members = c.some(free, 1, 3)
        free = [f for f in free if f not in members] + [code]
        regions.append(Region(code, "group", c.text(), members))
    return regions


class Scope:
    """What the choices inside one unit draw from."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.places = [r.code for r in unit.regions if r.kind != "group"]
        self.codes = [r.code for r in unit.regions]
        self.bases = [name for name, _ in unit.bases]
        self.facts = {f.path: f for f in unit.facts}

    def keys(self, kind: str) -> list[str]:
        return [k.key for k in (self.unit.data if kind == "data" else self.unit.purposes)]

    def concrete(self, kind: str) -> list[str]:
        return [k.key for k in (self.unit.data if kind == "data" else self.unit.purposes) if not k.abstract]

    def above(self, code: str) -> set[str]:
        """The region and every region it lies in."""
        found = {code, code.split("-")[0]}
        changed = True
        while changed:
            changed = False
            for region in self.unit.regions:
                if region.code not in found and found & set(region.members):
                    found.add(region.code)
                    changed = True
        return found


def value_of(c: Chooser, scope: Scope, fact: Fact) -> Any:
    if fact.kind == "integer":
        return c.integer(fact.minimum, fact.maximum)
    if fact.kind == "date":
        return c.day()
    if fact.kind == "region":
        return c.choice(scope.places)
    if fact.kind == "basis":
        return c.choice(scope.bases)
    if fact.kind == "enum":
        return c.choice(fact.choices)
    return c.boolean()


def condition(
    c: Chooser, scope: Scope, params: list[Parameter], used: set[str], depth: int = 3, scoped: bool = True
) -> Condition | None:
    """A condition on facts not in `used`, which it extends (None when every fact is used)."""
    if depth > 0 and c.chance(3):
        kind = c.choice(["not", "and", "or"])
        if kind == "not":
            inner = condition(c, scope, params, used, depth - 1, scoped)
            return None if inner is None else ("not", inner)
        parts = [condition(c, scope, params, used, depth - 1, scoped) for _ in range(c.integer(2, 3))]
        present = [part for part in parts if part is not None]
        return (kind, present) if len(present) > 1 else (present[0] if present else None)
    builtins = ["region", "date"] + (["data", "purpose"] if scoped else [])
    free = [name for name in [*builtins, *scope.facts] if name not in used]
    if not free:
        return None
    name = c.choice(free)
    used.add(name)
    if name == "date":
        return ("compare", "date", c.choice(COMPARISONS), c.day())
    if name == "region":
        if c.boolean():
            return ("is", "region", c.boolean(), c.choice(scope.places))
        return ("in", "region", c.boolean(), c.some(scope.codes, 1, 3))
    if name in ("data", "purpose"):
        if c.boolean() and scope.concrete(name):
            return ("is", name, c.boolean(), c.choice(scope.concrete(name)))
        return ("in", name, c.boolean(), c.some(scope.keys(name), 1, 3))
    fact = scope.facts[name]
    fitting = [p for p in params if p.kind == fact.kind]
    if fact.nullable and c.chance(6):
        return ("known", fact.path, c.boolean())
    if fact.kind == "boolean":
        if c.chance(4):
            value = ("param", c.choice(fitting).id) if fitting and c.boolean() else c.boolean()
            return ("compare", fact.path, c.choice(["=", "!="]), value)
        return ("truth", fact.path)
    if fact.kind in ("integer", "date"):
        if fitting and c.boolean():
            return ("compare", fact.path, c.choice(COMPARISONS), ("param", c.choice(fitting).id))
        if fact.kind == "integer" and c.chance(4):
            values = list({c.integer(fact.minimum, fact.maximum): None for _ in range(c.integer(1, 3))})
            return ("in", fact.path, c.boolean(), values)
        return ("compare", fact.path, c.choice(COMPARISONS), value_of(c, scope, fact))
    if fact.kind == "region" and c.boolean():
        return ("in", fact.path, c.boolean(), c.some(scope.codes, 1, 3))
    if fact.kind in ("enum", "basis") and c.boolean():
        return ("in", fact.path, c.boolean(), c.some(fact.choices if fact.kind == "enum" else scope.bases, 1, 3))
    return ("is", fact.path, c.boolean(), value_of(c, scope, fact))


def _narrower(c: Chooser, scope: Scope, kind: str, parent: list[str] | None) -> list[str] | None:
    """A scope line inside the parent's, or None (the parent's scope)."""
    if not c.chance(3):
        return None
    keys = scope.keys(kind)
    if parent is not None:
        keys = [k for k in keys if any(k == p or k.startswith(p + ".") for p in parent)]
    return c.some(keys, 1, 2) or None


def node(
    c: Chooser,
    scope: Scope,
    params: list[Parameter],
    obligations: dict[str, Obligation],
    depth: int,
    kind: str = "rule",
    outer: tuple[list[str] | None, list[str] | None] = (None, None),
    used: frozenset[str] = frozenset(),
) -> Node:
    """A rule, an exclusion or an exception, with exceptions below it up to `depth` levels."""
    effect = "permit" if kind == "exclusion" else c.choice(["permit", "deny"])
    made = Node(c.name(), c.text(), effect, [c.text() for _ in range(c.integer(1, 2))])
    made.notes = [c.comment()] if c.chance(4) else []
    mine = set(used)
    made.data = _narrower(c, scope, "data", outer[0])
    made.purposes = _narrower(c, scope, "purpose", outer[1])
    if made.data is not None or outer[0] is not None:
        mine.add("data")  # a condition on it could contradict the scope line
    if made.purposes is not None or outer[1] is not None:
        mine.add("purpose")
    if "date" not in mine and c.chance(5):
        made.start = c.day()
        made.end = c.day(made.start, datetime.date(2031, 1, 1)) if c.boolean() else None
        mine.add("date")
    branches = kind != "exclusion" and depth > 0 and c.boolean()
    if kind == "exclusion" or not c.chance(4):
        made.condition = condition(c, scope, params, mine, scoped=not branches)
    if effect == "permit":
        for _ in range(c.integer(0, 2)):
            oid = c.name()
            obligation = obligations.setdefault(oid, Obligation(oid, c.text(), [c.text()] if c.boolean() else []))
            if obligation not in made.obligations:
                made.obligations.append(obligation)
    if branches:
        inner = (
            made.data if made.data is not None else outer[0],
            made.purposes if made.purposes is not None else outer[1],
        )
        for _ in range(c.integer(1, 2)):
            child = node(c, scope, params, obligations, depth - 1, "exception", inner, frozenset(mine))
            if all(child.id != other.id for other in made.exceptions):
                made.exceptions.append(child)
    return made


def _parameter(c: Chooser, scope: Scope, covers: list[str], kind: str, taken: set[str]) -> Parameter:
    """A value for every covered region on every day, and a few more specific ones, some dated."""
    parameter = Parameter(c.name(taken), c.text(), kind, [c.text()])
    taken.add(parameter.id)

    def value() -> Any:
        return {"integer": lambda: c.integer(0, 130), "date": c.day, "boolean": c.boolean}[kind]()

    parameter.values = [(code, value(), None, None) for code in covers]
    inside = [r for r in scope.codes if r not in covers and scope.above(r) & set(covers)]
    for code in c.some(inside, 0, 2):
        if c.boolean():
            parameter.values.append((code, value(), None, None))
        else:
            day = c.day()
            parameter.values.append((code, value(), None, day))
            parameter.values.append((code, value(), day + datetime.timedelta(days=1), None))
    return parameter


def ruleset(c: Chooser, scope: Scope, taken: set[str]) -> Ruleset:
    made = Ruleset(
        id=c.name(taken),
        title=c.text(),
        covers=c.some(scope.codes, 1, 2),
        default_effect=c.choice(["permit", "deny"]),
        default_title=c.text(),
        default_citations=[c.text() for _ in range(c.integer(1, 2))],
        law=c.text() if c.boolean() else None,
        notes=[c.comment()] if c.chance(3) else [],
    )
    taken.add(made.id)
    if c.boolean():
        made.start = c.day()
    if c.chance(3):
        made.end = c.day(made.start or datetime.date(2015, 1, 1), datetime.date(2031, 1, 1))
    # Parameter ids are values in conditions: keep them apart from every other value's name.
    values = {*scope.bases, *(choice for f in scope.unit.facts for choice in f.choices)}
    values |= {*scope.keys("data"), *scope.keys("purpose")}
    for kind in [c.choice(["integer", "date", "boolean"]) for _ in range(c.integer(0, 2))]:
        made.parameters.append(_parameter(c, scope, made.covers, kind, values))
    if c.chance(4):
        made.applies = condition(c, scope, made.parameters, set(), 2)
    obligations: dict[str, Obligation] = {}
    ids: set[str] = set()
    for kind, count in (("exclusion", c.integer(0, 2) if c.chance(2) else 0), ("rule", c.integer(0, 4))):
        for _ in range(count):
            made_node = node(c, scope, made.parameters, obligations, c.integer(0, 3), kind)
            if made_node.id not in ids:
                ids.add(made_node.id)
                (made.exclusions if kind == "exclusion" else made.rules).append(made_node)
    return made


def generate_unit(c: Chooser) -> Unit:
    data, purposes = _keys(c), _keys(c)
    bases = [(name, c.text()) for name in {c.name(): None for _ in range(c.integer(0, 3))}]
    unit = Unit(data, purposes, bases, _facts(c, [b for b, _ in bases]), _regions(c), [], files=c.integer(1, 4))
    scope = Scope(unit)
    taken: set[str] = set()
    unit.rulesets = [ruleset(c, scope, taken) for _ in range(c.integer(1, 3))]
    return unit


@st.composite
def units(draw: st.DrawFn) -> Unit:
    """A valid rule unit (hypothesis shrinks a failing one to a small one)."""
    return generate_unit(HypothesisChooser(draw))
