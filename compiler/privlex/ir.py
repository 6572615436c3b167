"""The checked program: what code generation and the test runner work from.

Everything here is resolved and typed; names are plain strings and every
deciding node knows its `file:line`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from . import runtime
from .source import Span

FactKind = Literal["boolean", "integer", "date", "region", "basis", "enum", "data", "purpose"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


# ------------------------------------------------------------------ vocabulary


class Key(Model):
    key: str
    title: str
    abstract: bool
    parents: tuple[str, ...]
    notes: tuple[str, ...] = ()


class Fact(Model):
    path: str
    title: str
    kind: FactKind
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None
    implies: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def group(self) -> str | None:
        return self.path.split(".")[0] if "." in self.path else None

    @property
    def attribute(self) -> str:
        return self.path.split(".")[-1]

    @property
    def nullable(self) -> bool:
        """Whether the fact can be unknown: booleans and defaulted facts never are."""
        return self.kind != "boolean" and self.default is None


BUILTIN_FACTS: dict[str, Fact] = {
    "region": Fact(path="region", title="Where the data subject is", kind="region", default="(required)"),
    "data": Fact(path="data", title="The category of the data", kind="data", default="(required)"),
    "purpose": Fact(path="purpose", title="The purpose of the use", kind="purpose", default="(required)"),
    "date": Fact(path="date", title="The date of the use (default: today, UTC)", kind="date", default="(today)"),
}


class Region(Model):
    code: str
    title: str
    kind: Literal["country", "subdivision", "group"]
    members: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class Vocabulary(Model):
    data: tuple[Key, ...]
    purposes: tuple[Key, ...]
    bases: tuple[tuple[str, str], ...]
    facts: tuple[Fact, ...]
    regions: tuple[Region, ...]
    # derived, sorted: key -> the key and every descendant
    data_below: dict[str, tuple[str, ...]]
    purposes_below: dict[str, tuple[str, ...]]
    # every country and subdivision -> the regions it lies in (itself included)
    within: dict[str, tuple[str, ...]]


# ------------------------------------------------------------------ conditions


class FactRef(Model):
    path: str
    kind: FactKind
    nullable: bool


class ParamRef(Model):
    name: str


def _tag_date(value: object) -> object:
    """In JSON a date is {"date": "YYYY-MM-DD"}, so that it cannot be read back as text."""
    return {"date": value.isoformat()} if isinstance(value, datetime.date) else value


def _untag_date(value: object) -> object:
    if isinstance(value, dict) and set(value) == {"date"}:
        return datetime.date.fromisoformat(str(value["date"]))
    return value


Scalar = Annotated[
    int | bool | str | datetime.date,
    BeforeValidator(_untag_date),
    PlainSerializer(_tag_date, when_used="json"),
]


class Located(Model):
    span: Span | None = None


class Truth(Located):
    op: Literal["truth"] = "truth"
    fact: FactRef


class Compare(Located):
    op: Literal["<", "<=", ">", ">=", "=", "!="]
    fact: FactRef
    value: Scalar | ParamRef


class OneOf(Located):
    """Equality with one of the values (enums, bases, exact regions or keys, numbers)."""

    op: Literal["one_of"] = "one_of"
    fact: FactRef
    values: tuple[Scalar, ...]


class Within(Located):
    """Membership in a hierarchy: the fact's key or region lies at or below one of these."""

    op: Literal["within"] = "within"
    fact: FactRef
    values: tuple[str, ...]


class Known(Located):
    op: Literal["known"] = "known"
    fact: FactRef
    known: bool


class Not(Located):
    op: Literal["not"] = "not"
    operand: Condition


class And(Located):
    op: Literal["and"] = "and"
    operands: tuple[Condition, ...]


class Or(Located):
    op: Literal["or"] = "or"
    operands: tuple[Condition, ...]


class Defined(Located):
    """A use of a definition (`define NAME`) by its name; `condition` is what it stands for.

    Generated code compiles the condition in place; explanations show the name.
    `span` is where the name is used, `source` where it is defined (file:line).
    """

    op: Literal["defined"] = "defined"
    name: str
    title: str
    citations: tuple[str, ...] = ()
    source: str
    condition: Condition


# Told apart by `op`: without a discriminator pydantic would try every member
# at every level, which takes time exponential in the nesting of a condition.
Condition = Annotated[Truth | Compare | OneOf | Within | Known | Not | And | Or | Defined, Field(discriminator="op")]


# -------------------------------------------------------------------- rulesets


class Obligation(Model):
    id: str
    text: str
    citations: tuple[str, ...]
    span: Span
    order: int
    # Only on a ruleset's own obligations: the obligation comes with a permit
    # only when this is true of the use (unknown is not enough).
    condition: Condition | None = None

    def carried(self, ruleset: str, rule: str) -> runtime.Obligation:
        """This obligation as a decision lists it: carried by `rule` of `ruleset` ("" for the ruleset's own)."""
        return runtime.Obligation(
            ruleset=ruleset,
            id=self.id,
            text=self.text,
            rule=rule,
            citations=list(self.citations),
            source=self.span.location,
            order=self.order,
        )


class Node(Model):
    """A rule, exception, exclusion or default, with what it needs to decide."""

    id: str
    kind: Literal["rule", "exception", "exclusion", "default"]
    effect: Literal["permit", "deny"]
    title: str
    citations: tuple[str, ...]
    span: Span
    notes: tuple[str, ...] = ()
    data: tuple[str, ...] | None = None
    purposes: tuple[str, ...] | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    condition: Condition | None = None
    obligations: tuple[Obligation, ...] = ()
    exceptions: tuple[Node, ...] = ()

    def walk(self, parents: tuple[Node, ...] = ()) -> Iterator[tuple[Node, tuple[Node, ...]]]:
        """This node and every exception below it, in source order, each with the nodes enclosing it."""
        yield self, parents
        for inner in self.exceptions:
            yield from inner.walk((*parents, self))

    @property
    def effects(self) -> frozenset[str]:
        """The effects of this node and of every exception below it."""
        return frozenset(node.effect for node, _ in self.walk())

    def reason(self, ruleset: str) -> runtime.Reason:
        """This node as a decision lists it among its reasons."""
        return runtime.Reason(
            ruleset=ruleset,
            rule=self.id,
            kind=self.kind,
            effect=runtime.Effect(self.effect),
            title=self.title,
            citations=list(self.citations),
            source=self.span.location,
        )


class Parameter(Model):
    name: str
    title: str
    kind: Literal["integer", "boolean", "date"]
    citations: tuple[str, ...]
    span: Span
    notes: tuple[str, ...] = ()
    # each covered country or subdivision -> its resolved timeline
    timeline: dict[str, tuple[tuple[datetime.date, datetime.date, Scalar], ...]]


class Ruleset(Model):
    id: str
    title: str
    law: str | None
    span: Span
    notes: tuple[str, ...] = ()
    covers: tuple[str, ...]
    start: datetime.date | None
    end: datetime.date | None
    applies: Condition | None
    default: Node
    parameters: tuple[Parameter, ...]
    exclusions: tuple[Node, ...]
    rules: tuple[Node, ...]
    # Duties written directly in the ruleset: carried by every permit of its
    # rules, exceptions and default (not by exclusions: there the law does not apply).
    obligations: tuple[Obligation, ...] = ()

    @property
    def tops(self) -> tuple[Node, ...]:
        """The exclusions, the rules and the default, in the order they are considered."""
        return (*self.exclusions, *self.rules, self.default)

    def walk(self) -> Iterator[tuple[Node, tuple[Node, ...]]]:
        """Every deciding node of the ruleset with the nodes enclosing it, the default last."""
        for top in self.tops:
            yield from top.walk()


class Expectation(Model):
    outcome: Literal["permit", "deny", "not_applicable"]
    by: tuple[str, ...] | None
    obligations: tuple[str, ...] | None
    span: Span


class TestCase(Model):
    id: str
    title: str
    ruleset: str | None
    span: Span
    day: datetime.date | None
    use: dict[str, object]
    expectations: tuple[Expectation, ...]


class Property(Model):
    """A promise about every possible use: `never permit when ...`, `always deny when ...`.

    Inside a ruleset it is about that ruleset's own decision; at the top level
    about the decision of every ruleset combined. Checked by `privlex verify`.
    """

    id: str
    title: str
    ruleset: str | None
    citations: tuple[str, ...]
    claim: Literal["never", "always"]
    effect: Literal["permit", "deny"]
    condition: Condition
    span: Span
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.ruleset}.{self.id}" if self.ruleset else self.id


class Program(Model):
    vocabulary: Vocabulary
    rulesets: tuple[Ruleset, ...]
    tests: tuple[TestCase, ...]
    source_hash: str
    files: tuple[str, ...]
    properties: tuple[Property, ...] = ()


# A generated package carries its program as JSON, for the parts of privlex
# that work from the rules themselves (explanations, the columnar evaluator,
# verification) rather than from the generated code.
PROGRAM_FILE = "_program.json"


def dump_program(program: Program) -> str:
    return program.model_dump_json(indent=1) + "\n"


def load_program(package: str) -> Program:
    """The program a generated package was compiled from (raises FileNotFoundError for older packages)."""
    text = resources.files(package).joinpath(PROGRAM_FILE).read_text(encoding="utf-8")
    return Program.model_validate_json(text)


for _model in (Not, And, Or, Defined, Node, Property):
    _model.model_rebuild()
