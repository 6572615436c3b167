"""Syntax tree builder, part 1: the vocabulary: data and purpose keys, bases, facts and their types, regions."""

from __future__ import annotations

from typing import Any

from lark import Token
from lark.tree import Meta

from . import nodes as n
from .node_builder import NodeBuilder, unquote


class VocabularyNodes(NodeBuilder):
    """Vocabulary lines -> `KeyDecl`, `BasisDecl`, `FactDecl` (with its `FactType`), `RegionDecl`."""

    def start(self, meta: Meta, items: list[Any]) -> list[Any]:
        return list(items)

    def _key_decl(self, kind: str, meta: Meta, items: list[Any]) -> n.KeyDecl:
        path, title = items[0], items[1]
        also: list[n.Name] = []
        for modifier in items[2:]:
            if isinstance(modifier, tuple) and modifier[0] == "in":
                also.extend(modifier[1])
        abstract = any(m == "abstract" for m in items[2:])
        return n.KeyDecl(
            span=self.span(meta),
            kind=kind,  # type: ignore[arg-type]
            key=self.name(path),
            title=unquote(title),
            abstract=abstract,
            also_in=tuple(also),
            notes=self.noted(meta),
        )

    def data_decl(self, meta: Meta, items: list[Any]) -> n.KeyDecl:
        return self._key_decl("data", meta, items)

    def purpose_decl(self, meta: Meta, items: list[Any]) -> n.KeyDecl:
        return self._key_decl("purpose", meta, items)

    def abstract(self, meta: Meta, items: list[Any]) -> str:
        return "abstract"

    def also_in(self, meta: Meta, items: list[Token]) -> tuple[str, list[n.Name]]:
        return ("in", [self.name(t) for t in items])

    def basis_decl(self, meta: Meta, items: list[Token]) -> n.BasisDecl:
        return n.BasisDecl(
            span=self.span(meta),
            name=self.name(items[0]),
            title=unquote(items[1]),
            notes=self.noted(meta),
        )

    def fact_decl(self, meta: Meta, items: list[Any]) -> n.FactDecl:
        return n.FactDecl(
            span=self.span(meta),
            path=self.name(items[0]),
            title=unquote(items[1]),
            type=items[2],
            notes=self.noted(meta),
        )

    def boolean_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        implies = [name for kind, name in items if kind == "implies"]
        excludes = [name for kind, name in items if kind == "excludes"]
        return n.FactType(
            span=self.span(meta) if items else self._empty_span(meta),
            kind="boolean",
            implies=tuple(implies),
            excludes=tuple(excludes),
        )

    def implies(self, meta: Meta, items: list[Token]) -> tuple[str, n.Name]:
        return ("implies", self.name(items[0]))

    def excludes(self, meta: Meta, items: list[Token]) -> tuple[str, n.Name]:
        return ("excludes", self.name(items[0]))

    def integer_type(self, meta: Meta, items: list[Token]) -> n.FactType:
        return n.FactType(span=self.span(meta), kind="integer", minimum=int(items[0]), maximum=int(items[1]))

    def date_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        return n.FactType(span=self._empty_span(meta), kind="date")

    def region_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        return n.FactType(span=self._empty_span(meta), kind="region")

    def basis_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        return n.FactType(span=self._empty_span(meta), kind="basis")

    def enum_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        choices = [self.name(t) for t in items if isinstance(t, Token)]
        defaults = [item for item in items if isinstance(item, n.Name)]
        return n.FactType(
            span=self.span(meta),
            kind="enum",
            choices=tuple(choices),
            default=defaults[0] if defaults else None,
        )

    def enum_default(self, meta: Meta, items: list[Token]) -> n.Name:
        return self.name(items[0])

    def country_decl(self, meta: Meta, items: list[Token]) -> n.RegionDecl:
        return self._region("country", meta, items[0], items[1], ())

    def subdivision_decl(self, meta: Meta, items: list[Token]) -> n.RegionDecl:
        return self._region("subdivision", meta, items[0], items[1], ())

    def group_decl(self, meta: Meta, items: list[Any]) -> n.RegionDecl:
        members = [member for group in items[2:] for member in group]
        return self._region("group", meta, items[0], items[1], tuple(members))

    def _region(self, kind: str, meta: Meta, code: Token, title: Token, members: tuple[n.Name, ...]) -> n.RegionDecl:
        return n.RegionDecl(
            span=self.span(meta),
            kind=kind,  # type: ignore[arg-type]
            code=self.name(code),
            title=unquote(title),
            members=members,
            notes=self.noted(meta),
        )

    def region_list(self, meta: Meta, items: list[Token]) -> list[n.Name]:
        return [self.name(t) for t in items]
