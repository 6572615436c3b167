"""What every part of the syntax tree builder shares: spans, names, texts and the comments above a line.

`NodeBuilder` is the lark Transformer the parts in `build_vocabulary`,
`build_rulesets`, `build_tests` and `build_conditions` extend, one method per
grammar rule; `build_ast` puts them together.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer
from lark.tree import Meta

from ..source import SourceFile, Span, source_lines
from . import nodes as n


def unquote(token: str) -> str:
    """A STRING token's text: only \\" and \\\\ are escapes; other backslashes stay."""
    body = token[1:-1]
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and body[index + 1] in '"\\':
            out.append(body[index + 1])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


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


class NodeBuilder(Transformer[Token, Any]):
    """The helpers of every part: spans in the file being built, names, and the notes above a line."""

    def __init__(self, source: SourceFile) -> None:
        super().__init__()
        self.path = source.path
        self.notes = comment_notes(source.text)

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
