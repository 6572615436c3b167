"""Python expressions and the conditions of generated code, as typed values before they are text.

The expressions are the few shapes generated code is made of; `layout`
writes them out. A compiled condition is a tree of `Test` (one Python test,
with what code generation needs to know about it), `Present` (`x is not
None` / `x is None`), `All` and `Any`. Keeping them typed lets code generation drop a guard that an
earlier test already established (`simplify`), and lets the fast path decide
which tests it may move (`Test.hoistable`) without reading Python text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

# ------------------------------------------------------------ Python expressions


@dataclass(frozen=True)
class Name:
    """A name, attribute, number or short literal: no place to break."""

    text: str


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple[Expression, ...] = ()
    keywords: tuple[tuple[str, Expression], ...] = ()
    exploded: bool = False  # one argument a line, with a trailing comma, whatever the width


@dataclass(frozen=True)
class Collection:
    """A tuple, list, set or dict display; `items` of a dict are `Keyed`."""

    open: str
    items: tuple[Expression, ...]
    close: str
    exploded: bool = False


@dataclass(frozen=True)
class Keyed:
    key: Expression
    value: Expression


@dataclass(frozen=True)
class BoolOp:
    op: Literal["and", "or"]
    operands: tuple[Expression, ...]


@dataclass(frozen=True)
class Compare:
    left: Expression
    op: str
    right: Expression


@dataclass(frozen=True)
class Not:
    operand: Expression


@dataclass(frozen=True)
class Conditional:
    """`body if test else orelse`."""

    body: Expression
    test: Expression
    orelse: Expression


@dataclass(frozen=True)
class Strings:
    """One string written as the implicit concatenation of `parts` (literals), in parentheses."""

    parts: tuple[str, ...]


Expression = Name | Call | Collection | Keyed | BoolOp | Compare | Not | Conditional | Strings


# ------------------------------------------------------------------- conditions

TestKind = Literal["scope", "region", "truth", "compare", "lookup", "date", "flag"]


@dataclass(frozen=True)
class Test:
    """One test that is true or false (never unknown) once its guards hold.

    `kind` says what it reads: a data or purpose scope, the use's region
    (`here`), a boolean fact, a comparison, a region parameter (`lookup`), the
    date, or a flag of generated code. Scope and region tests are cheap, read
    no fact that can be unknown and never raise, so they may be evaluated out
    of their place.
    """

    expression: Expression
    kind: TestKind

    @property
    def hoistable(self) -> bool:
        return self.kind in ("scope", "region")


@dataclass(frozen=True)
class Present:
    """`access is not None` (present) or `access is None`."""

    access: str
    present: bool


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Any:
    parts: tuple[Condition, ...]


Condition = Test | Present | All | Any

TRUE = All(())
FALSE = Any(())


def conjunction(parts: Iterable[Condition]) -> Condition:
    """All of `parts`, nested conjunctions flattened; a single part as itself."""
    flattened: list[Condition] = []
    for part in parts:
        flattened.extend(part.parts if isinstance(part, All) else (part,))
    return flattened[0] if len(flattened) == 1 else All(tuple(flattened))  # no parts: TRUE


def disjunction(parts: Iterable[Condition]) -> Condition:
    flattened: list[Condition] = []
    for part in parts:
        flattened.extend(part.parts if isinstance(part, Any) else (part,))
    return flattened[0] if len(flattened) == 1 else Any(tuple(flattened))  # no parts: FALSE


def known_when_true(condition: Condition) -> frozenset[str]:
    """What is known to be present once `condition` is true."""
    if isinstance(condition, Present):
        return frozenset({condition.access}) if condition.present else frozenset()
    if isinstance(condition, All):
        return frozenset().union(*(known_when_true(p) for p in condition.parts))
    if isinstance(condition, Any) and condition.parts:
        return frozenset.intersection(*(known_when_true(p) for p in condition.parts))
    return frozenset()


def _when_false(condition: Condition) -> frozenset[str]:
    """What is known to be present once `condition` is false."""
    if isinstance(condition, Present):
        return frozenset() if condition.present else frozenset({condition.access})
    if isinstance(condition, Any):
        return frozenset().union(*(_when_false(p) for p in condition.parts))
    if isinstance(condition, All) and condition.parts:
        return frozenset.intersection(*(_when_false(p) for p in condition.parts))
    return frozenset()


def simplify(condition: Condition, known: frozenset[str] = frozenset()) -> Condition:
    """The condition without the guards that hold wherever it is evaluated.

    `known` are the accesses known to be present before it; inside a
    conjunction a part may rely on the parts before it being true, inside a
    disjunction on them being false. `TRUE` and `FALSE` fold away.
    """
    if isinstance(condition, Present):
        if condition.access in known:
            return TRUE if condition.present else FALSE
        return condition
    if isinstance(condition, Test):
        return condition
    parts: list[Condition] = []
    if isinstance(condition, All):
        for part in condition.parts:
            simple = simplify(part, known)
            if simple == FALSE:
                return FALSE
            if simple != TRUE:
                parts.append(simple)
                known |= known_when_true(simple)
        return conjunction(parts) if parts else TRUE
    for part in condition.parts:
        simple = simplify(part, known)
        if simple == TRUE:
            return TRUE
        if simple != FALSE:
            parts.append(simple)
            known |= _when_false(simple)
    return disjunction(parts) if parts else FALSE


def expression(condition: Condition) -> Expression:
    """The Python expression of a condition."""
    if isinstance(condition, Test):
        return condition.expression
    if isinstance(condition, Present):
        return Compare(Name(condition.access), "is not" if condition.present else "is", Name("None"))
    if not condition.parts:
        return Name("True" if isinstance(condition, All) else "False")
    if len(condition.parts) == 1:
        return expression(condition.parts[0])
    op: Literal["and", "or"] = "and" if isinstance(condition, All) else "or"
    return BoolOp(op, tuple(expression(p) for p in condition.parts))


def tests(condition: Condition) -> list[Condition]:
    """The parts of a conjunction, or the condition itself."""
    if isinstance(condition, All):
        return list(condition.parts)
    return [condition]
