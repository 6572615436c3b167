"""What every part of the syntax tree builder shares: spans, names, texts and the comments above a line.

`NodeBuilder` walks a lark parse tree; the parts in `build_vocabulary`,
`build_rulesets`, `build_tests` and `build_conditions` extend it, one method
per grammar rule, taking the rule's position (its `Meta`) and its children
already built; `build_ast` puts them together.
"""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Tree
from lark.tree import Meta

from ..source import SourceFile, Span, source_lines
from . import nodes as n

_ESCAPE = re.compile(r'\\(["\\])')


def unquote(token: str) -> str:
    """A STRING token's text: only \\" and \\\\ are escapes; other backslashes stay."""
    body = token[1:-1]
    return _ESCAPE.sub(r"\1", body) if "\\" in body else body


def comment_notes(text: str) -> dict[int, tuple[str, ...]]:
    """Full-line comment blocks, keyed by the line of the code right below them."""
    notes: dict[int, tuple[str, ...]] = {}
    block: list[str] = []
    for number, raw in enumerate(source_lines(text), start=1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            block.append(stripped[1:].strip())
        elif stripped:
            if block:
                notes[number] = tuple(block)
            block = []
        else:
            block = []
    return notes


def of(kind: type[Any], items: list[Any]) -> list[Any]:
    return [item for item in items if isinstance(item, kind)]


class NodeBuilder:
    """The walk and the helpers of every part: spans in the file being built, names, the notes above a line."""

    def __init__(self, source: SourceFile) -> None:
        self.path = source.path
        self.notes = comment_notes(source.text)

    def transform(self, tree: Tree[Token]) -> Any:
        """`tree` built bottom-up: its rule's method gets the rule's position and the children built first.

        lark's own Transformer (with `v_args(meta=True)`) wraps every method again at each call and looks
        up a method for every token, which has none here: it took about half the time of building the
        shipped library's syntax trees. Tokens are passed to the methods as they are.
        """
        children = [self.transform(child) if isinstance(child, Tree) else child for child in tree.children]
        return getattr(self, tree.data)(tree.meta, children)

    def span(self, meta: Meta) -> Span:
        return Span(
            file=self.path,
            line=meta.line,
            column=meta.column,
            end_line=meta.end_line,
            end_column=meta.end_column,
        )

    def token_span(self, token: Token) -> Span:
        return Span(
            file=self.path,
            line=token.line or 1,
            column=token.column or 1,
            end_line=token.end_line or token.line or 1,
            end_column=token.end_column or (token.column or 1) + len(token),
        )

    def name(self, token: Token) -> n.Name:
        return n.Name(span=self.token_span(token), text=str(token))

    def noted(self, meta: Meta) -> tuple[str, ...]:
        return self.notes.get(meta.line, ())

    def _empty_span(self, meta: Meta) -> Span:
        line = getattr(meta, "line", 1)
        column = getattr(meta, "column", 1)
        return Span(file=self.path, line=line, column=column, end_line=line, end_column=column)
