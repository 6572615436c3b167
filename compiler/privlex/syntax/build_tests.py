"""Syntax tree builder, part 3: the tests written beside the rules, and properties."""

from __future__ import annotations

from typing import Any

from lark import Token
from lark.tree import Meta

from . import nodes as n
from .node_builder import NodeBuilder, of, unquote


class TestNodes(NodeBuilder):
    """`test` blocks -> `Test` with its assignments and expectations; `property` blocks -> `Property`."""

    def test(self, meta: Meta, items: list[Any]) -> n.Test:
        body = items[2:]
        return n.Test(
            span=self.span(meta),
            id=self.name(items[0]),
            title=unquote(items[1]),
            dates=tuple(v for kind, v in of(tuple, body) if kind == "on"),
            given=tuple(a for group in of(list, body) for a in group),
            expectations=tuple(of(n.Expectation, body)),
            notes=self.noted(meta),
        )

    def on_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return ("on", n.DateValue(span=self.token_span(items[0]), text=str(items[0])))

    def given_clause(self, meta: Meta, items: list[n.Assignment]) -> list[n.Assignment]:
        return list(items)

    def assignment(self, meta: Meta, items: list[Any]) -> n.Assignment:
        return n.Assignment(span=self.span(meta), fact=items[0], value=items[1] if len(items) > 1 else None)

    def expect_clause(self, meta: Meta, items: list[n.Expectation]) -> n.Expectation:
        return items[0].model_copy(update={"span": self.span(meta)})

    def expect_decided(self, meta: Meta, items: list[Any]) -> n.Expectation:
        by = [item for item in items[1:] if isinstance(item, n.Name)]
        obligations = [item for item in items[1:] if isinstance(item, tuple)]
        return n.Expectation(
            span=self.span(meta),
            outcome=items[0],
            by=tuple(by) if by else None,
            obligations=obligations[0] if obligations else None,
        )

    def expect_not_applicable(self, meta: Meta, items: list[Any]) -> n.Expectation:
        return n.Expectation(span=self._empty_span(meta), outcome="not_applicable")

    def obligations_expected(self, meta: Meta, items: list[Token]) -> tuple[n.Name, ...]:
        return tuple(self.name(t) for t in items)

    def no_obligations(self, meta: Meta, items: list[Any]) -> tuple[n.Name, ...]:
        return ()

    def node_ref(self, meta: Meta, items: list[Token]) -> n.Name:
        return self.name(items[0])

    def default_ref(self, meta: Meta, items: list[Any]) -> n.Name:
        return n.Name(span=self._empty_span(meta), text="default")

    # ---------------------------------------------------------- properties

    def property_decl(self, meta: Meta, items: list[Any]) -> n.Property:
        body = items[2:]
        return n.Property(
            span=self.span(meta),
            id=self.name(items[0]),
            title=unquote(items[1]),
            citations=tuple(of(n.Citations, body)),
            claims=tuple(of(n.Claim, body)),
            notes=self.noted(meta),
        )

    def claim_clause(self, meta: Meta, items: list[Any]) -> n.Claim:
        quantifier, effect, condition = items
        return n.Claim(
            span=self.span(meta),
            quantifier="never" if quantifier == "never" else "always",
            effect=effect,
            condition=condition,
        )
