"""The input space: every valid use of one or more vocabularies, as solver variables.

A use is a point of a finite, typed space: a region (every declared country
and subdivision, every undeclared subdivision a rule names, and for each
country one more, fresh subdivision standing for all the others), a data
category and a purpose (the keys that are not abstract), a date inside
`WINDOW`, and one value per fact: booleans, bounded integers, dates, regions
and choices, each fact that can be unknown with a "known" flag beside it.
Validation's implications (`explicit` implies `given`) and exclusions
(`implied` excludes `given`) hold in every point, as they do for every use
`check` accepts.

Finite values are numbered (an index into `Var.domain`); dates are day
numbers (`datetime.date.toordinal`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import z3

from .. import ir

# The dates every question ranges over, both ends inclusive. A use dated
# outside it is not considered; the shipped rules change nothing after it.
WINDOW = (datetime.date(1970, 1, 1), datetime.date(2100, 12, 31))

# A fresh subdivision of a country: any subdivision the vocabulary does not declare.
FRESH = "*"

# A solver term (z3 ships no type information).
Term = Any


def _a(kind: str) -> str:
    """`a boolean`, `an integer`: a fact kind with its article."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


class SpaceError(ValueError):
    """The programs cannot be compared over one space (a fact changed its type)."""


def fresh(country: str) -> str:
    return f"{country}-{FRESH}"


def is_fresh(code: str) -> bool:
    return code.endswith("-" + FRESH)


@dataclass(frozen=True)
class Var:
    """One dimension of the space: a built-in or a fact."""

    path: str
    kind: ir.FactKind
    value: Term
    known: Term | None  # None: the fact always has a value
    domain: tuple[str, ...] = ()  # the values of a finite fact, by index
    low: int = 0
    high: int = 0
    default: str | None = None  # a choice's default
    title: str = ""

    @property
    def finite(self) -> bool:
        return self.kind in ("region", "data", "purpose", "basis", "enum")

    @property
    def nullable(self) -> bool:
        return self.known is not None

    def index(self, value: str) -> int:
        return self.domain.index(value)


def _places(code: str, within: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    if code in within:
        return frozenset(within[code])
    return frozenset(within.get(code.split("-", 1)[0], ())) | {code}


def _mentioned_regions(program: ir.Program) -> set[str]:
    """Every region code the rules and parameters of a program name."""
    found: set[str] = set()

    def visit(condition: ir.Condition | None) -> None:
        if condition is None:
            return
        if isinstance(condition, ir.Defined):
            visit(condition.condition)
        elif isinstance(condition, ir.Not):
            visit(condition.operand)
        elif isinstance(condition, ir.And | ir.Or):
            for operand in condition.operands:
                visit(operand)
        elif isinstance(condition, ir.Within | ir.OneOf) and condition.fact.kind == "region":
            found.update(str(v) for v in condition.values)

    for ruleset in program.rulesets:
        found.update(ruleset.covers)
        visit(ruleset.applies)
        for parameter in ruleset.parameters:
            found.update(parameter.timeline)
        for node, _ in ruleset.walk():
            visit(node.condition)
    for prop in getattr(program, "properties", ()):
        visit(prop.condition)
    return found


@dataclass
class Space:
    """The variables of every valid use of the given programs' vocabularies.

    With two programs (a diff) the space is what both accept: the keys,
    choices and regions both declare, and every fact either declares.
    """

    programs: Sequence[ir.Program]
    vars: dict[str, Var] = field(default_factory=dict)
    regions: tuple[str, ...] = ()
    places: list[dict[str, frozenset[str]]] = field(default_factory=list)  # per program: region -> its places
    constraints: list[Term] = field(default_factory=list)
    # Per finite dimension, the sets of values (by index) the encoded rules test.
    tested: dict[str, set[frozenset[int]]] = field(default_factory=dict)
    _alike: dict[str, tuple[int, list[frozenset[int]]]] = field(default_factory=dict, repr=False)
    # Terms already made by `member`: describing a diff asks for the same sets thousands of times,
    # and making a term of a few hundred region codes costs more than some questions.
    _members: dict[tuple[str, frozenset[int]], Term] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        vocabularies = [p.vocabulary for p in self.programs]
        self._regions(vocabularies)
        self._key("data", [tuple(k.key for k in v.data if not k.abstract) for v in vocabularies], "The data category")
        self._key("purpose", [tuple(k.key for k in v.purposes if not k.abstract) for v in vocabularies], "The purpose")
        low, high = (day.toordinal() for day in WINDOW)
        day = z3.Int("date")
        self.vars["date"] = Var("date", "date", day, None, low=low, high=high, title="The date of the use")
        self.constraints += [day >= low, day <= high]
        facts: dict[str, ir.Fact] = {}
        for vocabulary in vocabularies:
            for fact in vocabulary.facts:
                if fact.path in ir.BUILTIN_FACTS:
                    continue
                seen = facts.setdefault(fact.path, fact)
                if seen.kind != fact.kind:
                    raise SpaceError(
                        f"fact {fact.path} is {_a(seen.kind)} in one version and {_a(fact.kind)} in the other"
                    )
        for path, fact in facts.items():
            self._fact(fact, [v for v in vocabularies if any(f.path == path for f in v.facts)])
        for vocabulary in vocabularies:
            for fact in vocabulary.facts:
                for target in fact.implies:
                    self.constraints.append(z3.Implies(self.vars[fact.path].value, self.vars[target].value))
                for other in fact.excludes:
                    self.constraints.append(z3.Not(z3.And(self.vars[fact.path].value, self.vars[other].value)))

    # ------------------------------------------------------------- building

    def _regions(self, vocabularies: Sequence[ir.Vocabulary]) -> None:
        declared = set.intersection(*(set(v.within) for v in vocabularies))
        mentioned: set[str] = set()
        for program in self.programs:
            mentioned |= _mentioned_regions(program)
        countries = sorted(
            set.intersection(*({r.code for r in v.regions if r.kind == "country"} for v in vocabularies))
        )
        extra = {code for code in mentioned if "-" in code and code.split("-", 1)[0] in countries}
        codes = declared | extra | {fresh(c) for c in countries}
        # Countries followed by their subdivisions, so that "in DK" is one range of indices.
        self.regions = tuple(sorted(codes, key=lambda c: (c.split("-", 1)[0], "-" in c, is_fresh(c), c)))
        for vocabulary in vocabularies:
            self.places.append({code: _places(code, vocabulary.within) for code in self.regions})
        self.vars["region"] = self._finite("region", "region", self.regions, "Where the data subject is")

    def _key(self, path: str, keys: Sequence[tuple[str, ...]], title: str) -> None:
        common = set.intersection(*(set(k) for k in keys))
        self.vars[path] = self._finite(path, path, tuple(sorted(common)), title)  # type: ignore[arg-type]

    def _finite(
        self, path: str, kind: ir.FactKind, domain: tuple[str, ...], title: str, known: Term | None = None
    ) -> Var:
        """A numbered choice; for a fact that can be unknown, only a known value must be one of the domain."""
        value = z3.Int(path)
        inside = z3.And(value >= 0, value < len(domain))
        self.constraints.append(inside if known is None else z3.Implies(known, inside))
        return Var(path, kind, value, known, domain=domain, low=0, high=len(domain) - 1, title=title)

    def _fact(self, fact: ir.Fact, vocabularies: Sequence[ir.Vocabulary]) -> None:
        path = fact.path
        known = z3.Bool(f"{path}?") if fact.nullable else None
        if fact.kind == "boolean":
            self.vars[path] = Var(path, "boolean", z3.Bool(path), None, title=fact.title)
            return
        if fact.kind in ("integer", "date"):
            value = z3.Int(path)
            if fact.kind == "integer":
                low, high = fact.minimum or 0, fact.maximum if fact.maximum is not None else 10**6
            else:
                low, high = (day.toordinal() for day in WINDOW)
            self.constraints += [value >= low, value <= high]
            self.vars[path] = Var(path, fact.kind, value, known, low=low, high=high, title=fact.title)
            return
        if fact.kind == "region":
            domain = self.regions
        elif fact.kind == "basis":
            domain = tuple(sorted(set.intersection(*({name for name, _ in v.bases} for v in vocabularies))))
        else:
            domain = tuple(
                sorted(set.intersection(*(set(f.choices) for v in vocabularies for f in v.facts if f.path == path)))
            )
        var = self._finite(path, fact.kind, domain, fact.title, known)
        self.vars[path] = Var(
            path,
            fact.kind,
            var.value,
            known,
            domain=domain,
            low=0,
            high=len(domain) - 1,
            default=fact.default,
            title=fact.title,
        )

    # ------------------------------------------------------------ contexts

    @property
    def context(self) -> z3.Context:
        """The z3 context the space's terms live in."""
        return self.vars["date"].value.ctx

    def translated(self, context: z3.Context) -> Space:
        """The same space with its terms in another z3 context (the sets and classes shared).

        A diff describes each change in a fresh context: what z3 answers may
        depend on the numbering of its terms, and in a fresh context that
        numbering depends only on the change, not on what was asked before.
        """
        copy = object.__new__(Space)
        copy.__dict__.update(self.__dict__)
        copy.vars = {
            path: replace(
                var,
                value=var.value.translate(context),
                known=None if var.known is None else var.known.translate(context),
            )
            for path, var in self.vars.items()
        }
        copy.constraints = [term.translate(context) for term in self.constraints]
        copy._members = {}
        return copy

    # ------------------------------------------------------------ queries

    def member(self, var: Var, indices: Iterable[int]) -> Term:
        """The variable's index lies in the set, as ranges of consecutive indices."""
        chosen = frozenset(indices)
        key = (var.path, chosen)
        term = self._members.get(key)
        if term is None:
            term = self._members[key] = self._member(var, chosen)
        return term

    def _member(self, var: Var, chosen: frozenset[int]) -> Term:
        if not chosen:
            return z3.BoolVal(False, self.context)
        if len(chosen) == len(var.domain):
            return z3.BoolVal(True, self.context)
        ranges: list[tuple[int, int]] = []
        for index in sorted(chosen):
            if ranges and ranges[-1][1] == index - 1:
                ranges[-1] = (ranges[-1][0], index)
            else:
                ranges.append((index, index))
        parts = [
            var.value == a
            if a == b
            else z3.And(var.value >= a, var.value <= b)
            if b > a + 1
            else z3.Or(var.value == a, var.value == b)
            for a, b in ranges
        ]
        return parts[0] if len(parts) == 1 else z3.Or(*parts)

    def tested_member(self, var: Var, indices: Iterable[int]) -> Term:
        """`member`, for a set of values a rule tests: recorded, so that `alike` knows which values
        the rules can tell apart."""
        chosen = frozenset(indices)
        self.tested.setdefault(var.path, set()).add(chosen)
        return self.member(var, chosen)

    def alike(self, var: Var) -> list[frozenset[int]]:
        """For each value of a finite dimension (by index), the values no tested set tells from it.

        Every formula the rules make reads the dimension only through the sets
        `tested_member` recorded, so swapping two alike values changes no
        decision: a question that holds at one value holds at every value alike
        to it. Describing a change widens a set of regions or keys one such
        class per question rather than one value per question.
        """
        sets = sorted(self.tested.get(var.path, ()), key=sorted)
        cached = self._alike.get(var.path)
        if cached is not None and cached[0] == len(sets):
            return cached[1]
        by_signature: dict[tuple[bool, ...], set[int]] = {}
        signatures = [tuple(i in tested for tested in sets) for i in range(len(var.domain))]
        for index, signature in enumerate(signatures):
            by_signature.setdefault(signature, set()).add(index)
        # One frozenset per class, shared by its values: a copy per value would take memory (and time)
        # quadratic in a class's size, and the regions' classes hold thousands of subdivisions.
        shared = {signature: frozenset(members) for signature, members in by_signature.items()}
        classes = [shared[signature] for signature in signatures]
        self._alike[var.path] = (len(sets), classes)
        return classes

    def dimensions(self) -> list[Var]:
        return list(self.vars.values())
