"""A rule file as the formatter sees it: logical lines in nested blocks, with their comments.

The parser's own token stream is the source of truth: every token the parser
read, in order, including keywords and punctuation. A logical line ends at a
`_NL` token; `_INDENT` and `_DEDENT` open and close blocks. Comments live in
the text of the `_NL` tokens (the grammar folds them into line ends), so each
comment is taken from there and attached to the statement it belongs with:

- a comment at the end of a code line stays at the end of that line;
- full-line comments directly above a statement (no blank line between) lead
  it: the compiler reads them as the statement's notes, so they stay with it;
- comments followed by a blank line are `detached`: printed above the next
  statement, or at the end of a block that just closed when they were
  indented as deep as that block.

Comments inside parentheses (a condition spread over lines) are not in the
token stream; a statement holding one is kept as written (`verbatim`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Token, Tree

from ..syntax.grammar import parser

LAYOUT_TYPES = frozenset({"_NL", "_INDENT", "_DEDENT"})


@dataclass
class Run:
    """Consecutive full-line comments; whether a blank line came before them; their column."""

    lines: list[str]
    blank_before: bool
    column: int = 0
    columns: list[int] = field(default_factory=list, repr=False)


@dataclass
class Statement:
    tokens: list[Token]
    column: int  # of its first token in the source, tabs expanded, 0-based
    kind: str | None = None  # the grammar rule it parsed as, when the formatter knows its parts
    tree: Tree[Token] | None = None
    blank_before: bool = False
    detached: list[Run] = field(default_factory=list)
    leading: list[str] = field(default_factory=list)
    trailing: str | None = None
    body: Block | None = None
    verbatim: str | None = None  # the statement's text as written, when a comment sits inside it


@dataclass
class Block:
    statements: list[Statement] = field(default_factory=list)
    column: int = 0
    end: list[Run] = field(default_factory=list)  # comments after the last statement


@dataclass
class _Gap:
    """What lies between two logical lines: blank lines (None) and full-line comments (column, text)."""

    items: list[tuple[int, str] | None] = field(default_factory=list)

    def runs(self) -> tuple[list[Run], Run | None, bool]:
        """The runs followed by a blank line, the run directly above the next line, and whether the gap
        ends with a blank line."""
        runs: list[Run] = []
        current: Run | None = None
        blank = False
        for item in self.items:
            if item is None:
                if current is not None:
                    runs.append(current)
                    current = None
                blank = True
                continue
            if current is None:
                current = Run([], blank, item[0])
            current.lines.append(item[1])
            current.columns.append(item[0])
            blank = False
        return runs, current, blank


def _by_column(runs: list[Run]) -> list[Run]:
    """Runs split where a comment is less indented than the one above it: such a comment may
    belong to an outer block than the comments above it."""
    split: list[Run] = []
    for run in runs:
        current = Run([], run.blank_before, run.column)
        columns = run.columns or [run.column] * len(run.lines)
        for line, column in zip(run.lines, columns, strict=True):
            if current.lines and column < current.column:
                split.append(current)
                current = Run([], False, column)
            current.lines.append(line)
        split.append(current)
    return split


def _expanded_width(whitespace: str) -> int:
    return len(whitespace.replace("\r", "").expandtabs(8))


def _comment(text: str) -> str:
    return text.rstrip(" \t\r\f\v")


def _split_newline(token: Token, first: bool) -> tuple[str | None, list[tuple[int, str] | None]]:
    """The comment ending the line before, and the gap lines of one `_NL` token."""
    segments = str(token.value).split("\n")
    head = segments[0].replace("\r", "")
    items: list[tuple[int, str] | None] = []
    trailing: str | None = None
    if first:
        # The file starts with this token: its first segment is line 1.
        column = (token.column or 1) - 1
        items.append((column, _comment(head)) if head.startswith("#") else None)
    elif head.startswith("#"):
        trailing = _comment(head)
    for segment in segments[1:-1]:
        stripped = segment.lstrip(" \t\f\r")
        if stripped.startswith("#"):
            items.append((_expanded_width(segment[: len(segment) - len(stripped)]), _comment(stripped)))
        else:
            items.append(None)
    return trailing, items


@dataclass
class Layout:
    block: Block
    tokens: list[Token]
    tree: Tree[Token]


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.root = Block(column=0)
        self.stack: list[Block] = [self.root]
        self.closed: list[Block] = []
        self.current: list[Token] = []
        self.last: Statement | None = None
        self.gap = _Gap()
        self.seen_any = False

    def token(self, token: Token) -> None:
        kind = token.type
        if kind == "_NL":
            self.end_line()
            trailing, items = _split_newline(token, first=not self.seen_any)
            if trailing is not None and self.last is not None:
                self.last.trailing = trailing
            self.gap.items.extend(items)
        elif kind == "_INDENT":
            assert self.last is not None, "an indented block follows a header"
            self.last.body = Block()
            self.stack.append(self.last.body)
        elif kind == "_DEDENT":
            self.closed.append(self.stack.pop())
        else:
            if not self.current:
                self.start_line(token)
            self.current.append(token)
        self.seen_any = True

    def start_line(self, token: Token) -> None:
        block = self.stack[-1]
        column = _expanded_width(self._line_prefix(token))
        if not block.statements:
            block.column = column
        statement = Statement(tokens=self.current, column=column)
        detached, leading, ends_blank = self.gap.runs()
        detached = _by_column(detached)
        for run, target in zip(detached, self._place(detached, column), strict=True):
            (target.end if target is not None else statement.detached).append(run)
        if leading is not None:
            statement.leading = leading.lines
        if statement.detached:
            statement.blank_before = statement.detached[0].blank_before
        elif leading is not None:
            statement.blank_before = leading.blank_before
        else:
            statement.blank_before = ends_blank
        block.statements.append(statement)
        self.gap = _Gap()
        self.closed = []

    def _line_prefix(self, token: Token) -> str:
        start = token.start_pos or 0
        line_start = self.text.rfind("\n", 0, start) + 1
        return self.text[line_start:start]

    def _place(self, runs: list[Run], column: int | None) -> list[Block | None]:
        """Where each run goes: the end of a block that just closed (innermost first in
        `self.closed`), or None: above the next line. `column` is the next line's; None at the end."""
        placed: list[Block | None] = []
        floor = 0  # runs keep their order: a later run never goes deeper than an earlier one
        for run in runs:
            target: Block | None = None
            if column is None or run.column > column:
                for index in range(floor, len(self.closed)):
                    if self.closed[index].column <= run.column:
                        target, floor = self.closed[index], index
                        break
            if target is None:
                floor = len(self.closed)
                if column is None:
                    target = self.root
            placed.append(target)
        return placed

    def end_line(self) -> None:
        if self.current:
            statement = self.stack[-1].statements[-1]
            statement.tokens = self.current
            statement.verbatim = self._verbatim(statement)
            self.last = statement
            self.current = []

    def _verbatim(self, statement: Statement) -> str | None:
        tokens = statement.tokens
        for before, after in zip(tokens, tokens[1:], strict=False):
            between = self.text[before.end_pos or 0 : after.start_pos or 0]
            if "#" in between:
                return self.text[tokens[0].start_pos or 0 : tokens[-1].end_pos or 0]
        return None

    def finish(self) -> Block:
        self.end_line()
        detached, leading, _ = self.gap.runs()
        runs = _by_column([*detached, *([leading] if leading is not None else [])])
        self.closed.extend(reversed(self.stack))
        for run, target in zip(runs, self._place(runs, None), strict=True):
            (target or self.root).end.append(run)
        return self.root


def read_layout(text: str) -> Layout:
    """Parse `text` (raises lark's errors) and lay out its logical lines."""
    interactive = parser().parse_interactive(text)
    tokens = list(interactive.iter_parse())
    tree: Tree[Token] = interactive.resume_parse()  # type: ignore[no-untyped-call]
    builder = _Builder(text)
    for token in tokens:
        builder.token(token)
    return Layout(block=builder.finish(), tokens=tokens, tree=tree)
