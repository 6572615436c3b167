"""The canonical layout: four spaces a level, one space between tokens, long conditions wrapped.

Statements are printed from their own tokens, never from a re-rendering of
the tree, so nothing the author wrote can be lost: only the white space
between tokens changes, clauses of known blocks move into their canonical
order, and a condition too long for its line is wrapped in parentheses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lark import Token

from .known import CLAUSE_ORDER, SPACED_BODIES, condition_start
from .layout import Block, Statement

INDENT = 4
WIDTH = 100

_NO_SPACE_BEFORE = frozenset({"COMMA", "COLON", "RPAR", "RBRACE"})
_NO_SPACE_AFTER = frozenset({"LPAR", "LBRACE"})
_OPEN = {"LPAR": "RPAR", "LBRACE": "RBRACE"}


def join(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    previous: Token | None = None
    for token in tokens:
        if previous is not None and token.type not in _NO_SPACE_BEFORE and previous.type not in _NO_SPACE_AFTER:
            parts.append(" ")
        parts.append(str(token.value))
        previous = token
    return "".join(parts)


def _closing(tokens: Sequence[Token], start: int) -> int | None:
    """The index of the bracket closing the one at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        kind = tokens[index].type
        if kind in _OPEN:
            depth += 1
        elif kind in _OPEN.values():
            depth -= 1
            if depth == 0:
                return index
    return None


def _last_group(tokens: Sequence[Token]) -> tuple[int, int] | None:
    """The last bracketed group at the outer level that holds something."""
    found: tuple[int, int] | None = None
    index = 0
    while index < len(tokens):
        if tokens[index].type in _OPEN:
            end = _closing(tokens, index)
            if end is None:
                return found
            if end > index + 1:
                found = (index, end)
            index = end + 1
        else:
            index += 1
    return found


def _split(tokens: Sequence[Token], keyword: str) -> list[list[Token]]:
    """Split at the outer level before each `keyword` token (which starts the next part)."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.type in _OPEN:
            depth += 1
        elif token.type in _OPEN.values():
            depth -= 1
        if depth == 0 and token.type == keyword and parts[-1]:
            parts.append([])
        parts[-1].append(token)
    return parts


def _wrapped(tokens: Sequence[Token], indent: int) -> list[str]:
    """The tokens on one line if they fit, else with their last bracketed group spread over lines."""
    flat = join(tokens)
    group = _last_group(tokens) if indent + len(flat) > WIDTH else None
    if group is None:
        return [" " * indent + flat]
    start, end = group
    inner = list(tokens[start + 1 : end])
    lines = [" " * indent + join(tokens[: start + 1])]
    if tokens[start].type == "LBRACE":
        lines.extend(_filled(_split(inner, "COMMA"), indent + INDENT))
    else:
        parts = _split(inner, "OR")
        if len(parts) == 1:
            parts = _split(inner, "AND")
        for part in parts:
            lines.extend(_wrapped(part, indent + INDENT))
    lines.append(" " * indent + join(tokens[end:]))
    return lines


def _filled(items: list[list[Token]], indent: int) -> list[str]:
    """Comma-separated items (each but the first starting with its comma), as many a line as fit."""
    lines: list[str] = []
    current = ""
    for number, item in enumerate(items):
        values = item[1:] if number else item  # the comma goes at the end of the line before
        text = join(values) + ("," if number < len(items) - 1 else "")
        if current and indent + len(current) + 1 + len(text) > WIDTH:
            lines.append(" " * indent + current)
            current = text
        else:
            current = f"{current} {text}" if current else text
    if current:
        lines.append(" " * indent + current)
    return lines


def _unwrapped(tokens: list[Token]) -> list[Token]:
    """The condition without parentheses around the whole of it (they change nothing)."""
    while tokens and tokens[0].type == "LPAR" and _closing(tokens, 0) == len(tokens) - 1:
        tokens = tokens[1:-1]
    return tokens


def _has_outer_operator(tokens: Sequence[Token]) -> bool:
    return len(_split(tokens, "OR")) > 1 or len(_split(tokens, "AND")) > 1


def _paren(kind: str, like: Token) -> Token:
    return Token(kind, "(" if kind == "LPAR" else ")", like.start_pos, like.line, like.column)


def code_lines(statement: Statement, indent: int) -> tuple[list[str], list[Token]]:
    """The statement's own lines, and the tokens they hold."""
    if statement.verbatim is not None:
        return _shifted(statement.verbatim, statement.column, indent), list(statement.tokens)
    tokens = list(statement.tokens)
    start = condition_start(statement.kind, tokens)
    if start is not None:
        head, condition = tokens[:start], _unwrapped(tokens[start:])
        tokens = head + condition
        if indent + len(join(tokens)) > WIDTH and _has_outer_operator(condition):
            tokens = head + [_paren("LPAR", condition[0]), *condition, _paren("RPAR", condition[-1])]
    return _wrapped(tokens, indent), tokens


def _shifted(text: str, column: int, indent: int) -> list[str]:
    """Text as written, its first line at `indent` and the others moved by as much."""
    lines = text.split("\n")
    shift = indent - column
    out = [" " * indent + lines[0].rstrip()]
    for line in lines[1:]:
        body = line.lstrip(" \t\f\r")
        width = len(line[: len(line) - len(body)].replace("\r", "").expandtabs(8))
        out.append(" " * max(0, width + shift) + body.rstrip() if body.strip() else "")
    return out


def ordered(block: Block, owner: str | None) -> list[Statement]:
    """The block's statements in canonical clause order, when every one of them is known."""
    ranks = CLAUSE_ORDER.get(owner or "")
    statements = block.statements
    if ranks is None or not all(s.kind in ranks for s in statements):
        return list(statements)
    return sorted(statements, key=lambda s: ranks[s.kind or ""])


@dataclass
class Printer:
    lines: list[str] = field(default_factory=list)
    # What was printed, for the check that reading it back gives the same program.
    shape: list[tuple[int, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    last_is_comment: bool = False  # the last line printed is a comment that no statement below owns

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def comments(self, lines: Sequence[str], indent: int) -> None:
        self.lines.extend(" " * indent + line for line in lines)

    def block(self, block: Block, depth: int, owner: str | None) -> None:
        spaced = depth == 0 or owner in SPACED_BODIES
        previous: Statement | None = None
        for statement in ordered(block, owner):
            is_block = statement.body is not None
            if previous is not None:
                if (
                    self.last_is_comment
                    or statement.blank_before
                    or (spaced and (is_block or previous.body is not None))
                ):
                    self.blank()
            self.statement(statement, depth)
            previous = statement
        for run in block.end:
            if run.blank_before:
                self.blank()
            self.comments(run.lines, depth * INDENT)
            self.last_is_comment = True

    def statement(self, statement: Statement, depth: int) -> None:
        indent = depth * INDENT
        for number, run in enumerate(statement.detached):
            if number and run.blank_before:
                self.blank()
            self.comments(run.lines, indent)
        if statement.detached:
            self.blank()
        self.comments(statement.leading, indent)
        lines, tokens = code_lines(statement, indent)
        if statement.trailing is not None:
            lines[-1] = f"{lines[-1]}  {statement.trailing}"
        self.lines.extend(lines)
        self.last_is_comment = False
        self.shape.append((depth, tuple((t.type, str(t.value)) for t in tokens)))
        if statement.body is not None:
            self.block(statement.body, depth + 1, statement.kind)

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n" if self.lines else ""
