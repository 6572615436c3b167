"""Syntax tree builder, part 4: conditions and the values they compare with."""

from __future__ import annotations

from typing import Any

from lark import Token
from lark.tree import Meta

from . import nodes as n
from .node_builder import NodeBuilder


class ConditionNodes(NodeBuilder):
    """Conditions -> `Or`, `And`, `Not`, `Truth`, `Compare`, `Known`, `Member`; values -> `Value` nodes."""

    def or_test(self, meta: Meta, items: list[Any]) -> n.Or:
        return n.Or(span=self.span(meta), operands=tuple(items))

    def and_test(self, meta: Meta, items: list[Any]) -> n.And:
        return n.And(span=self.span(meta), operands=tuple(items))

    def negation(self, meta: Meta, items: list[Any]) -> n.Not:
        return n.Not(span=self.span(meta), operand=items[0])

    def truth(self, meta: Meta, items: list[Any]) -> n.Truth:
        return n.Truth(span=self.span(meta), fact=items[0])

    def compare(self, meta: Meta, items: list[Any]) -> n.Compare:
        return n.Compare(span=self.span(meta), fact=items[0], op=str(items[1]), value=items[2])  # type: ignore[arg-type]

    def equals(self, meta: Meta, items: list[Any]) -> n.Compare:
        return n.Compare(span=self.span(meta), fact=items[0], op="=", value=items[1])

    def not_equals(self, meta: Meta, items: list[Any]) -> n.Compare:
        return n.Compare(span=self.span(meta), fact=items[0], op="!=", value=items[1])

    def is_unknown(self, meta: Meta, items: list[Any]) -> n.Known:
        return n.Known(span=self.span(meta), fact=items[0], known=False)

    def is_known(self, meta: Meta, items: list[Any]) -> n.Known:
        return n.Known(span=self.span(meta), fact=items[0], known=True)

    def member(self, meta: Meta, items: list[Any]) -> n.Member:
        return self._member(meta, items, negated=False)

    def not_member(self, meta: Meta, items: list[Any]) -> n.Member:
        return self._member(meta, items, negated=True)

    def _member(self, meta: Meta, items: list[Any], *, negated: bool) -> n.Member:
        values, braced = items[1] if isinstance(items[1], tuple) else ((items[1],), False)
        return n.Member(span=self.span(meta), fact=items[0], values=values, braced=braced, negated=negated)

    def value_set(self, meta: Meta, items: list[Any]) -> tuple[tuple[n.Value, ...], bool]:
        return tuple(items), True

    def fact_ref(self, meta: Meta, items: list[Any]) -> n.FactRef:
        return n.FactRef(span=self.span(meta), path=str(items[0]))

    def builtin_fact(self, meta: Meta, items: list[Token]) -> str:
        return str(items[0])

    def name_value(self, meta: Meta, items: list[Token]) -> n.NameValue:
        return n.NameValue(span=self.token_span(items[0]), text=str(items[0]))

    def region_value(self, meta: Meta, items: list[Token]) -> n.RegionValue:
        return n.RegionValue(span=self.token_span(items[0]), code=str(items[0]))

    def int_value(self, meta: Meta, items: list[Token]) -> n.IntValue:
        return n.IntValue(span=self.token_span(items[0]), value=int(items[0]))

    def date_value(self, meta: Meta, items: list[Token]) -> n.DateValue:
        return n.DateValue(span=self.token_span(items[0]), text=str(items[0]))

    def true_value(self, meta: Meta, items: list[Any]) -> n.BoolValue:
        return n.BoolValue(span=self.span(meta), value=True)

    def false_value(self, meta: Meta, items: list[Any]) -> n.BoolValue:
        return n.BoolValue(span=self.span(meta), value=False)
