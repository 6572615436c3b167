"""Syntax tree builder, part 2: rulesets and what they hold.

Their clauses and defaults, definitions, parameters, rules, exceptions,
exclusions and obligations.
"""

from __future__ import annotations

from typing import Any

from lark import Token
from lark.tree import Meta

from . import nodes as n
from .node_builder import NodeBuilder, of, unquote


class RulesetNodes(NodeBuilder):
    """A ruleset block -> `Ruleset`, its items -> `Definition`, `Parameter`, `DecidingNode`, `Obligation`."""

    def ruleset(self, meta: Meta, items: list[Any]) -> n.Ruleset:
        body = items[2:]
        clauses: dict[str, list[Any]] = {}
        for kind, value in of(tuple, body):
            clauses.setdefault(kind, []).append(value)
        return n.Ruleset(
            span=self.span(meta),
            id=self.name(items[0]),
            title=unquote(items[1]),
            laws=tuple(clauses.get("law", [])),
            covers=tuple(clauses.get("covers", [])),
            starts=tuple(clauses.get("from", [])),
            ends=tuple(clauses.get("until", [])),
            applies=tuple(clauses.get("applies", [])),
            defaults=tuple(clauses.get("default", [])),
            definitions=tuple(of(n.Definition, body)),
            obligations=tuple(of(n.Obligation, body)),
            parameters=tuple(of(n.Parameter, body)),
            exclusions=tuple(d for d in of(n.DecidingNode, body) if d.kind == "exclusion"),
            rules=tuple(d for d in of(n.DecidingNode, body) if d.kind == "rule"),
            tests=tuple(of(n.Test, body)),
            properties=tuple(of(n.Property, body)),
            notes=self.noted(meta),
        )

    def law_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.Text]:
        return ("law", n.Text(span=self.span(meta), text=unquote(items[0])))

    def covers_clause(self, meta: Meta, items: list[Any]) -> tuple[str, tuple[n.Name, ...]]:
        return ("covers", tuple(items[0]))

    def from_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return ("from", n.DateValue(span=self.token_span(items[0]), text=str(items[0])))

    def until_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return ("until", n.DateValue(span=self.token_span(items[0]), text=str(items[0])))

    def applies_clause(self, meta: Meta, items: list[Any]) -> tuple[str, n.Condition]:
        return ("applies", items[0])

    def default_clause(self, meta: Meta, items: list[Any]) -> tuple[str, n.Default]:
        effect, title = items[0], items[1]
        citations = [text for item in items[2:] if isinstance(item, tuple) for text in item]
        citations += [text for item in of(n.Citations, items[2:]) for text in item.texts]
        return (
            "default",
            n.Default(
                span=self.span(meta),
                effect=effect,
                title=unquote(title),
                citations=tuple(citations),
                obligations=tuple(of(n.Obligation, items[2:])),
            ),
        )

    def definition(self, meta: Meta, items: list[Any]) -> n.Definition:
        body = items[2:]
        return n.Definition(
            span=self.span(meta),
            name=self.name(items[0]),
            title=unquote(items[1]),
            citations=tuple(of(n.Citations, body)),
            conditions=tuple(value for kind, value in of(tuple, body) if kind == "condition"),
            notes=self.noted(meta),
        )

    def define_condition(self, meta: Meta, items: list[Any]) -> tuple[str, n.Condition]:
        return ("condition", items[0])

    def effect(self, meta: Meta, items: list[Token]) -> str:
        return str(items[0])

    def citations(self, meta: Meta, items: list[Token]) -> tuple[str, ...]:
        return tuple(unquote(t) for t in items)

    def cites_clause(self, meta: Meta, items: list[Any]) -> n.Citations:
        return n.Citations(span=self.span(meta), texts=items[0])

    def parameter(self, meta: Meta, items: list[Any]) -> n.Parameter:
        body = items[3:]
        return n.Parameter(
            span=self.span(meta),
            name=self.name(items[0]),
            title=unquote(items[1]),
            type=items[2],
            citations=tuple(of(n.Citations, body)),
            values=tuple(of(n.ParamValue, body)),
            notes=self.noted(meta),
        )

    def integer_param(self, meta: Meta, items: list[Any]) -> str:
        return "integer"

    def boolean_param(self, meta: Meta, items: list[Any]) -> str:
        return "boolean"

    def date_param(self, meta: Meta, items: list[Any]) -> str:
        return "date"

    def param_value(self, meta: Meta, items: list[Any]) -> n.ParamValue:
        dated = items[2:]
        return n.ParamValue(
            span=self.span(meta),
            region=self.name(items[0]),
            value=items[1],
            starts=tuple(v for kind, v in dated if kind == "from"),
            ends=tuple(v for kind, v in dated if kind == "until"),
        )

    def dated_from(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return self.from_clause(meta, items)

    def dated_until(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return self.until_clause(meta, items)

    def _deciding(self, kind: str, meta: Meta, items: list[Any]) -> n.DecidingNode:
        body = items[2:]
        clauses: dict[str, list[Any]] = {}
        for clause, value in of(tuple, body):
            clauses.setdefault(clause, []).append(value)
        return n.DecidingNode(
            span=self.span(meta),
            kind=kind,  # type: ignore[arg-type]
            id=self.name(items[0]),
            title=unquote(items[1]),
            citations=tuple(of(n.Citations, body)),
            data=tuple(clauses.get("data", [])),
            purposes=tuple(clauses.get("purpose", [])),
            starts=tuple(clauses.get("from", [])),
            ends=tuple(clauses.get("until", [])),
            effects=tuple(of(n.Effect, body)),
            whens=tuple(clauses.get("when", [])),
            obligations=tuple(of(n.Obligation, body)),
            exceptions=tuple(of(n.DecidingNode, body)),
            notes=self.noted(meta),
        )

    def rule(self, meta: Meta, items: list[Any]) -> n.DecidingNode:
        return self._deciding("rule", meta, items)

    def exception(self, meta: Meta, items: list[Any]) -> n.DecidingNode:
        return self._deciding("exception", meta, items)

    def exclusion(self, meta: Meta, items: list[Any]) -> n.DecidingNode:
        return self._deciding("exclusion", meta, items)

    def data_scope(self, meta: Meta, items: list[Token]) -> tuple[str, tuple[n.Name, ...]]:
        return ("data", tuple(self.name(t) for t in items))

    def purpose_scope(self, meta: Meta, items: list[Token]) -> tuple[str, tuple[n.Name, ...]]:
        return ("purpose", tuple(self.name(t) for t in items))

    def effect_clause(self, meta: Meta, items: list[Any]) -> n.Effect:
        condition = items[1] if len(items) > 1 else None
        return n.Effect(span=self.span(meta), effect=items[0], condition=condition)

    def when_clause(self, meta: Meta, items: list[Any]) -> tuple[str, n.Condition]:
        return ("when", items[0])

    def obligation(self, meta: Meta, items: list[Any]) -> n.Obligation:
        # The header's citations come as a tuple of texts, `when` lines as ("when", condition).
        body = items[2:]
        whens = [item[1] for item in body if isinstance(item, tuple) and not isinstance(item[-1], str)]
        texts = [text for item in body if isinstance(item, tuple) and isinstance(item[-1], str) for text in item]
        texts += [text for item in of(n.Citations, body) for text in item.texts]
        return n.Obligation(
            span=self.span(meta),
            id=self.name(items[0]),
            text=unquote(items[1]),
            citations=tuple(texts),
            whens=tuple(whens),
        )
