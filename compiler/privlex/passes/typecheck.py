"""Pass 4: rulesets -> typed, resolved rulesets (names, clause counts, values, dates)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from .. import ir
from ..codegen.identifiers import identifier_problem
from ..diagnostics import Diagnostic, did_you_mean, error
from ..source import Span
from ..syntax import nodes as n

ORDERING = ("<", "<=", ">", ">=")


def parse_date(value: n.DateValue, diagnostics: list[Diagnostic]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.text)
    except ValueError:
        diagnostics.append(
            error(
                "E303",
                f"{value.text} is not a date in the calendar",
                value.span,
                help="write dates as YYYY-MM-DD, with a month from 01 to 12 and a day that month has",
            )
        )
        return None


class DefinitionScope(Protocol):
    """The definitions a condition can use (privlex.passes.definitions.Definitions)."""

    def names(self) -> Iterator[str]: ...

    def find(self, name: str) -> object | None: ...

    def resolve(self, name: str, span: Span, typer: Typer) -> ir.Defined | None: ...


class Typer:
    """Resolves and types the names and values used inside one compilation unit."""

    def __init__(self, vocabulary: ir.Vocabulary, diagnostics: list[Diagnostic]) -> None:
        self.vocabulary = vocabulary
        self.diagnostics = diagnostics
        self.facts: dict[str, ir.Fact] = {**ir.BUILTIN_FACTS, **{f.path: f for f in vocabulary.facts}}
        self.data = {k.key: k for k in vocabulary.data}
        self.purposes = {k.key: k for k in vocabulary.purposes}
        self.regions = {r.code: r for r in vocabulary.regions}
        self.parameters: dict[str, str] = {}
        self.parameter_help: str | None = None  # why no parameter can be used here, if none can
        self.definitions: DefinitionScope | None = None

    def report(self, code: str, message: str, span: Span | None, help: str | None = None) -> None:
        self.diagnostics.append(error(code, message, span, help=help))

    # ------------------------------------------------------------------ names

    def fact(self, ref: n.FactRef, *, or_definition: bool = False) -> ir.Fact | None:
        """A declared fact; `or_definition` where a bare name may also be a definition."""
        found = self.facts.get(ref.path)
        if found is None:
            definitions = list(self.definitions.names()) if self.definitions and or_definition else []
            what = "fact or definition" if or_definition and "." not in ref.path else "fact"
            declare = f'declare it in the vocabulary (`fact {ref.path} "title": boolean`)'
            if what != "fact":
                declare += f', or name a condition (`define {ref.path} "title":` with the condition below it)'
            help = did_you_mean(ref.path, [*self.facts, *definitions]) or declare
            self.report("E201", f"unknown {what} {ref.path}", ref.span, help)
        return found

    def key(self, name: n.Name | n.NameValue, kind: str, *, allow_abstract: bool = True) -> str | None:
        table = self.data if kind == "data" else self.purposes
        found = table.get(name.text)
        if found is None:
            declare = f'declare it in the vocabulary: `{kind} {name.text} "title"`'
            self.report("E201", f"unknown {kind} key {name.text}", name.span, did_you_mean(name.text, table) or declare)
            return None
        if found.abstract and not allow_abstract:
            words = "data category" if kind == "data" else kind
            self.report(
                "E408",
                f"{name.text} is an abstract grouping: no use has exactly this {words}",
                name.span,
                help=f"write `{kind} in {name.text}` to cover the keys below it",
            )
            return None
        return found.key

    def region(self, code: str, span: Span, *, allow_groups: bool = True, fact: str | None = None) -> str | None:
        """A declared region, or a subdivision CC-XXX of a declared country; None after reporting.

        Where groups are not allowed, `fact` names what is compared with the region, if anything.
        """
        found = self.regions.get(code)
        if found is None:
            country, dash, rest = code.partition("-")
            if dash and country in self.regions and self.regions[country].kind == "country":
                return code
            if dash:
                declare = f'declare it: `subdivision {code} "name"` (its country {country} too)'
            elif len(code) == 2:
                declare = f'declare it: `country {code} "name"`'
            else:
                declare = f'declare it: `group {code} "title":` with its members indented below'
            self.report("E201", f"unknown region {code}", span, did_you_mean(code, self.regions) or declare)
            return None
        if found.kind == "group" and not allow_groups:
            if fact is not None:
                help = f"write `{fact} in {code}` to test whether it lies inside {code}"
            else:
                example = f", such as {found.members[0]}" if found.members else ""
                help = f"name one country or subdivision inside {code}{example}"
            self.report(
                "E302",
                f"{code} is a group of regions, not a country or subdivision: no use is exactly in {code}",
                span,
                help=help,
            )
            return None
        return code

    def ref(self, fact: ir.Fact) -> ir.FactRef:
        return ir.FactRef(path=fact.path, kind=fact.kind, nullable=fact.nullable)

    # ----------------------------------------------------------------- values

    def scalar(self, fact: ir.Fact, value: n.Value, *, parameters: bool) -> ir.Scalar | ir.ParamRef | None:
        """A value compared with `fact`, typed by the fact; None after reporting."""
        kind = fact.kind
        if isinstance(value, n.NameValue) and value.text in ("unknown", "known"):
            self._unknown_as_value(fact, value)
            return None
        if kind == "boolean" and isinstance(value, n.BoolValue):
            return value.value
        if kind == "integer" and isinstance(value, n.IntValue):
            if (
                fact.minimum is not None
                and fact.maximum is not None
                and not fact.minimum <= value.value <= fact.maximum
            ):
                self.report(
                    "E304",
                    f"{value.value} is outside the range of {fact.path} ({fact.minimum} to {fact.maximum})",
                    value.span,
                )
                return None
            return value.value
        if kind == "date" and isinstance(value, n.DateValue):
            return parse_date(value, self.diagnostics)
        if kind == "region" and isinstance(value, n.RegionValue):
            return self.region(value.code, value.span)
        if kind in ("data", "purpose") and isinstance(value, n.NameValue):
            return self.key(value, kind)
        if kind in ("enum", "basis") and isinstance(value, n.NameValue):
            if value.text in fact.choices:
                return value.text
            message = (
                f"unknown lawful basis {value.text}"
                if kind == "basis"
                else f"{value.text} is not a value of {fact.path}"
            )
            listed = f"the values are {', '.join(fact.choices)}"
            if kind == "basis":
                listed = f'the lawful bases are {", ".join(fact.choices)}; declare another with `basis NAME "title"`'
            self.report("E201", message, value.span, did_you_mean(value.text, fact.choices) or listed)
            return None
        if parameters and self.parameters and kind in ("integer", "date", "boolean") and isinstance(value, n.NameValue):
            found = self.parameters.get(value.text)
            if found is None:
                declare = f'declare it in the ruleset: `parameter {value.text} "title": {kind}` with a value per region'
                self.report(
                    "E201",
                    f"unknown parameter {value.text}",
                    value.span,
                    did_you_mean(value.text, self.parameters) or declare,
                )
                return None
            if found != kind:
                self.report(
                    "E301", f"parameter {value.text} holds a {found} value, but {fact.path} is a {kind}", value.span
                )
                return None
            return ir.ParamRef(name=value.text)
        help = _value_help(fact)
        if isinstance(value, n.NameValue) and kind in ("integer", "date", "boolean") and self.parameter_help:
            help = self.parameter_help
        self.report(
            "E301",
            f"{fact.path} is {_kind_words(fact)}, so it cannot be compared with {_value_words(value)}",
            value.span,
            help=help,
        )
        return None

    def _unknown_as_value(self, fact: ir.Fact, value: n.NameValue) -> None:
        if not fact.nullable:
            self.report("E302", f"{fact.path} is never unknown: it always has a value", value.span)
            return
        self.report(
            "E302",
            f"{value.text} is not a value of {fact.path}: whether a fact was given is tested with "
            f"`{fact.path} is unknown` or `{fact.path} is known`",
            value.span,
            help=f"join the test with `or`, in parentheses: `({fact.path} is ... or {fact.path} is unknown)`",
        )

    # ------------------------------------------------------------- conditions

    def condition(self, node: n.Condition) -> ir.Condition | None:
        if isinstance(node, n.And | n.Or):
            operands = [self.condition(operand) for operand in node.operands]
            if any(operand is None for operand in operands):
                return None
            typed = tuple(op for op in operands if op is not None)
            return (
                ir.And(operands=typed, span=node.span)
                if isinstance(node, n.And)
                else ir.Or(operands=typed, span=node.span)
            )
        if isinstance(node, n.Not):
            operand = self.condition(node.operand)
            return ir.Not(operand=operand, span=node.span) if operand is not None else None
        is_definition, defined = self._definition(node)
        if is_definition:
            return defined
        fact = self.fact(node.fact, or_definition=isinstance(node, n.Truth))
        if fact is None:
            return None
        ref = self.ref(fact)
        if isinstance(node, n.Truth):
            if fact.kind != "boolean":
                self.report(
                    "E301", f"{fact.path} is {_kind_words(fact)}, not true or false", node.span, help=_value_help(fact)
                )
                return None
            return ir.Truth(fact=ref, span=node.span)
        if isinstance(node, n.Known):
            if not fact.nullable:
                why = "booleans are false unless given" if fact.kind == "boolean" else "it always has a value"
                self.report("E302", f"{fact.path} is never unknown: {why}", node.span)
                return None
            return ir.Known(fact=ref, known=node.known, span=node.span)
        if isinstance(node, n.Compare):
            return self._compare(fact, ref, node)
        return self._member(fact, ref, node)

    def _definition(self, node: n.Truth | n.Compare | n.Member | n.Known) -> tuple[bool, ir.Condition | None]:
        """(True, what it stands for) when the name is a definition, else (False, None)."""
        path = node.fact.path
        if path in self.facts or self.definitions is None or self.definitions.find(path) is None:
            return False, None
        used = self.definitions.resolve(path, node.span, self)
        if isinstance(node, n.Truth):
            return True, used
        self.report(
            "E302",
            f"{path} is a definition: a condition that holds or not, used by its name alone",
            node.span,
            help=f"write `{path}` or `not {path}`",
        )
        return True, None

    def _compare(self, fact: ir.Fact, ref: ir.FactRef, node: n.Compare) -> ir.Condition | None:
        if node.op in ORDERING and fact.kind not in ("integer", "date"):
            self.report(
                "E302",
                f"{fact.path} is {_kind_words(fact)}; only numbers and dates are compared with {node.op}",
                node.span,
                help=f"write `{fact.path} is ...` or `{fact.path} in {{...}}`",
            )
            return None
        if fact.kind == "region" and isinstance(node.value, n.RegionValue):
            code = self.region(node.value.code, node.value.span, allow_groups=False, fact=fact.path)
            if code is None:
                return None
            equal: ir.Condition = ir.OneOf(fact=ref, values=(code,), span=node.span)
            return equal if node.op == "=" else ir.Not(operand=equal, span=node.span)
        if fact.kind in ("data", "purpose") and isinstance(node.value, n.NameValue):
            key = self.key(node.value, fact.kind, allow_abstract=False)
            if key is None:
                return None
            equal = ir.OneOf(fact=ref, values=(key,), span=node.span)
            return equal if node.op == "=" else ir.Not(operand=equal, span=node.span)
        value = self.scalar(fact, node.value, parameters=True)
        if value is None:
            return None
        if fact.kind == "boolean":
            truth: ir.Condition = ir.Truth(fact=ref, span=node.span)
            wants_true = (value is True) == (node.op == "=")
            return truth if wants_true else ir.Not(operand=truth, span=node.span)
        if node.op in ("=", "!=") and not isinstance(value, ir.ParamRef):
            equal = ir.OneOf(fact=ref, values=(value,), span=node.span)
            return equal if node.op == "=" else ir.Not(operand=equal, span=node.span)
        return ir.Compare(fact=ref, op=node.op, value=value, span=node.span)

    def _member(self, fact: ir.Fact, ref: ir.FactRef, node: n.Member) -> ir.Condition | None:
        typed: ir.Condition
        if fact.kind == "boolean":
            self.report("E302", f"{fact.path} is true or false; test it directly or with `is true`", node.span)
            return None
        if fact.kind in ("region", "data", "purpose"):
            found: list[str] = []
            for value in node.values:
                if fact.kind == "region" and isinstance(value, n.RegionValue):
                    code = self.region(value.code, value.span)
                elif fact.kind != "region" and isinstance(value, n.NameValue):
                    code = self.key(value, fact.kind)
                else:
                    self.report(
                        "E301",
                        f"{fact.path} is {_kind_words(fact)}, so {_value_words(value)} cannot be in its set",
                        value.span,
                        help=_value_help(fact),
                    )
                    code = None
                if code is None:
                    return None
                found.append(code)
            typed = ir.Within(fact=ref, values=tuple(found), span=node.span)
        else:
            scalars = [self.scalar(fact, value, parameters=False) for value in node.values]
            if any(s is None for s in scalars):
                return None
            typed = ir.OneOf(
                fact=ref,
                values=tuple(s for s in scalars if s is not None and not isinstance(s, ir.ParamRef)),
                span=node.span,
            )
        return ir.Not(operand=typed, span=node.span) if node.negated else typed


def _kind_words(fact: ir.Fact) -> str:
    return {
        "boolean": "true or false",
        "integer": "a whole number",
        "date": "a date",
        "region": "a region",
        "basis": "a lawful basis",
        "enum": f"one of {', '.join(fact.choices)}",
        "data": "a data category",
        "purpose": "a purpose",
    }[fact.kind]


def _value_words(value: n.Value) -> str:
    if isinstance(value, n.IntValue):
        return f"the number {value.value}"
    if isinstance(value, n.DateValue):
        return f"the date {value.text}"
    if isinstance(value, n.RegionValue):
        return f"the region {value.code}"
    if isinstance(value, n.BoolValue):
        return "true" if value.value else "false"
    return f"the name {value.text}"


def _value_help(fact: ir.Fact) -> str | None:
    examples = {
        "boolean": f"write `{fact.path}` or `not {fact.path}`",
        "integer": f"write for example `{fact.path} < 16`",
        "date": f"write for example `{fact.path} >= 2024-01-01`",
        "region": f"write for example `{fact.path} in EU`",
        "data": f"write for example `{fact.path} in content`",
        "purpose": f"write for example `{fact.path} in ai.training`",
    }
    if fact.kind in ("enum", "basis"):
        return f"write `{fact.path} is {fact.choices[0]}`" if fact.choices else None
    return examples.get(fact.kind)


def one_clause(
    clauses: Sequence[object], what: str, owner: str, spans: Iterable[Span], diagnostics: list[Diagnostic]
) -> None:
    """Report every repetition of a clause that may appear only once."""
    for span in list(spans)[1:]:
        diagnostics.append(error("E206", f"{owner} has more than one {what}", span))


def check_id(name: n.Name, what: str, diagnostics: list[Diagnostic]) -> bool:
    if "." in name.text:
        diagnostics.append(error("E205", f"the id of a {what} is a single name, without dots: {name.text}", name.span))
        return False
    problem = identifier_problem(name.text)
    if problem:
        diagnostics.append(error("E205", f"{name.text!r} cannot be the id of a {what}: {problem}", name.span))
        return False
    return True
