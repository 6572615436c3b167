"""The syntax tree of rule files: one pydantic model per construct, each with its span."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..source import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True)

    span: Span


class Name(Node):
    """A name as written: a key, fact path, id or region code."""

    text: str


# ------------------------------------------------------------------ conditions


class FactRef(Node):
    path: str


class NameValue(Node):
    """A bare name: an enum value, a basis, a key or a parameter; resolved later."""

    text: str


class RegionValue(Node):
    code: str


class IntValue(Node):
    value: int


class DateValue(Node):
    text: str


class BoolValue(Node):
    value: bool


Value = NameValue | RegionValue | IntValue | DateValue | BoolValue


class Truth(Node):
    fact: FactRef


class Compare(Node):
    fact: FactRef
    op: Literal["<", "<=", ">", ">=", "=", "!="]
    value: Value


class Member(Node):
    fact: FactRef
    values: tuple[Value, ...]
    braced: bool
    negated: bool = False


class Known(Node):
    fact: FactRef
    known: bool


class Not(Node):
    operand: Condition


class And(Node):
    operands: tuple[Condition, ...]


class Or(Node):
    operands: tuple[Condition, ...]


Condition = Truth | Compare | Member | Known | Not | And | Or


# ------------------------------------------------------------------ vocabulary


class KeyDecl(Node):
    kind: Literal["data", "purpose"]
    key: Name
    title: str
    abstract: bool
    also_in: tuple[Name, ...]
    notes: tuple[str, ...] = ()


class BasisDecl(Node):
    name: Name
    title: str
    notes: tuple[str, ...] = ()


class FactType(Node):
    kind: Literal["boolean", "integer", "date", "region", "basis", "enum"]
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[Name, ...] = ()
    default: Name | None = None
    implies: tuple[Name, ...] = ()
    excludes: tuple[Name, ...] = ()


class FactDecl(Node):
    path: Name
    title: str
    type: FactType
    notes: tuple[str, ...] = ()


class RegionDecl(Node):
    kind: Literal["country", "subdivision", "group"]
    code: Name
    title: str
    members: tuple[Name, ...] = ()
    notes: tuple[str, ...] = ()


# -------------------------------------------------------------------- rulesets


class Citations(Node):
    texts: tuple[str, ...]


class Obligation(Node):
    id: Name
    text: str
    citations: tuple[str, ...] = ()
    # The `when` lines of the block form (`obligation ID "text":`): a ruleset's
    # obligation holds only when its condition is true.
    whens: tuple[Condition, ...] = ()


class DecidingNode(Node):
    """A rule, an exception (`unless`) or an exclusion."""

    kind: Literal["rule", "exception", "exclusion"]
    id: Name
    title: str
    citations: tuple[Citations, ...] = ()
    data: tuple[tuple[Name, ...], ...] = ()
    purposes: tuple[tuple[Name, ...], ...] = ()
    starts: tuple[DateValue, ...] = ()
    ends: tuple[DateValue, ...] = ()
    effects: tuple[Effect, ...] = ()
    whens: tuple[Condition, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    exceptions: tuple[DecidingNode, ...] = ()
    notes: tuple[str, ...] = ()


class Effect(Node):
    effect: Literal["permit", "deny"]
    condition: Condition | None = None


class ParamValue(Node):
    region: Name
    value: Value
    starts: tuple[DateValue, ...] = ()
    ends: tuple[DateValue, ...] = ()


class Parameter(Node):
    name: Name
    title: str
    type: Literal["integer", "boolean", "date"]
    citations: tuple[Citations, ...] = ()
    values: tuple[ParamValue, ...] = ()
    notes: tuple[str, ...] = ()


class Default(Node):
    effect: Literal["permit", "deny"]
    title: str
    citations: tuple[str, ...]
    obligations: tuple[Obligation, ...] = ()


class Definition(Node):
    """`define NAME "title":`, a named condition, for the whole unit or inside one ruleset."""

    name: Name
    title: str
    citations: tuple[Citations, ...] = ()
    conditions: tuple[Condition, ...] = ()
    notes: tuple[str, ...] = ()


class Assignment(Node):
    fact: FactRef
    value: Value | None


class Expectation(Node):
    outcome: Literal["permit", "deny", "not_applicable"]
    by: tuple[Name, ...] | None = None
    obligations: tuple[Name, ...] | None = None


class Test(Node):
    id: Name
    title: str
    dates: tuple[DateValue, ...] = ()
    given: tuple[Assignment, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    notes: tuple[str, ...] = ()


class Claim(Node):
    """`never permit when ...`, `always deny when ...`: what a property promises."""

    quantifier: Literal["never", "always"]
    effect: Literal["permit", "deny"]
    condition: Condition


class Property(Node):
    id: Name
    title: str
    citations: tuple[Citations, ...] = ()
    claims: tuple[Claim, ...] = ()
    notes: tuple[str, ...] = ()


class Text(Node):
    text: str


class Ruleset(Node):
    id: Name
    title: str
    laws: tuple[Text, ...] = ()
    covers: tuple[tuple[Name, ...], ...] = ()
    starts: tuple[DateValue, ...] = ()
    ends: tuple[DateValue, ...] = ()
    applies: tuple[Condition, ...] = ()
    defaults: tuple[Default, ...] = ()
    definitions: tuple[Definition, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    exclusions: tuple[DecidingNode, ...] = ()
    rules: tuple[DecidingNode, ...] = ()
    tests: tuple[Test, ...] = ()
    properties: tuple[Property, ...] = ()
    notes: tuple[str, ...] = ()


Declaration = KeyDecl | BasisDecl | FactDecl | RegionDecl | Ruleset | Test | Definition | Property


class File(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    declarations: tuple[Declaration, ...]


for _model in (Not, And, Or, DecidingNode, Effect, Definition, Claim, Property, Ruleset, File):
    _model.model_rebuild()
