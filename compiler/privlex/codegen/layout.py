"""Lay out Python expressions exactly as `ruff format` would, so generated code is format clean.

The expressions (`pyexpr`: names, calls, collections, boolean operations,
comparisons, `not`, conditional expressions, implicit string concatenations)
become documents of the kind ruff's formatter prints (`printer`), with ruff's
rule for optional parentheses (`can_omit_optional_parentheses`).
`statement` lays out the one-line statements of generated code (`if EXPR:`,
`NAME = EXPR`, an expression); `value` the right-hand side of a statement.
A statement that fits on its line, or breaks the way most do, is written
without the printer.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .printer import INDENT, LINE_WIDTH, Doc, FitsExpanded, Group, IfBroken, Indent, Line, Printer, Text
from .pyexpr import (
    BoolOp,
    Call,
    Collection,
    Compare,
    Conditional,
    Expression,
    Keyed,
    Name,
    Not,
    Strings,
)

_SOFT = Line("soft")
_SPACE = Line("space")


# Where an expression is laid out, as ruff's node levels: None at the top of a
# statement, an int inside the optional parentheses with that group id, and
# "paren" inside real brackets.
Level = int | Literal["paren"] | None


def _forces(doc: Doc) -> bool:
    """Whether the document holds a group that is broken whatever the width.

    Every group records whether it is forced, content included, so the search
    stops at groups.
    """
    if isinstance(doc, tuple):
        return any(_forces(d) for d in doc)
    if isinstance(doc, Group):
        return doc.forced
    if isinstance(doc, Indent | IfBroken):
        return _forces(doc.content)
    return False  # brackets that may break (`FitsExpanded`) do not break what is around them


def _parenthesized(open_: str, content: Doc, close: str, level: Level, exploded: bool = False) -> Doc:
    inner = Group((Text(open_), Indent((_SOFT, content)), _SOFT, Text(close)), forced=exploded or _forces(content))
    return FitsExpanded(inner, level) if isinstance(level, int) else inner


def _soft_or_space(level: Level) -> Doc:
    if level is None:
        return Text(" ")
    if level == "paren":
        return _SPACE
    return IfBroken(_SPACE, level, Text(" "))


def _group_in_parentheses(content: Doc, level: Level) -> Doc:
    if level is None:
        return content
    if level == "paren":
        return Group(content, forced=_forces(content))
    return Group(content, when_broken=level, forced=_forces(content))


def _needs_parentheses(expression: Expression, parent: Expression) -> bool:
    """Nested boolean operations are always parenthesized, so precedence is plain to read."""
    return isinstance(expression, BoolOp) and isinstance(parent, BoolOp | Not | Compare)


def _operand(expression: Expression, parent: Expression, level: Level) -> Doc:
    if _needs_parentheses(expression, parent):
        return _parenthesized("(", _document(expression, "paren"), ")", level)
    return _document(expression, level)


def _separated(items: Sequence[Doc], trailing: bool) -> Doc:
    parts: list[Doc] = []
    for index, item in enumerate(items):
        if index:
            parts += [Text(","), _SPACE]
        parts.append(item)
    if trailing:
        parts.append(IfBroken(Text(",")))
    return tuple(parts)


def _document(expression: Expression, level: Level) -> Doc:
    if isinstance(expression, Name):
        return Text(expression.text)
    if isinstance(expression, Keyed):
        return (_document(expression.key, level), Text(": "), _document(expression.value, level))
    if isinstance(expression, Call):
        arguments = [_document(a, "paren") for a in expression.arguments]
        arguments += [(Text(f"{k}="), _document(v, "paren")) for k, v in expression.keywords]
        if not arguments:
            return Text(expression.function + "()")
        if expression.exploded:
            inside: Doc = _separated(arguments, trailing=True)
        elif len(arguments) == 1:
            inside = arguments[0]
        else:
            inside = Group(_separated(arguments, trailing=True), forced=_forces(tuple(arguments)))
        return (Text(expression.function), _parenthesized("(", inside, ")", level, expression.exploded))
    if isinstance(expression, Collection):
        if not expression.items:
            return Text(expression.open + expression.close)
        items = [_document(i, "paren") for i in expression.items]
        if expression.open == "(" and len(items) == 1:  # a one-item tuple: its comma is not magic
            return _parenthesized("(", (items[0], Text(",")), ")", level)
        inside = _separated(items, trailing=True)
        return _parenthesized(expression.open, inside, expression.close, level, expression.exploded)
    if isinstance(expression, Strings):
        lines: list[Doc] = []
        for index, part in enumerate(expression.parts):
            lines += [_SPACE, Text(part)] if index else [Text(part)]
        return _parenthesized("(", tuple(lines), ")", level)
    if isinstance(expression, Not):
        return (Text("not "), _operand(expression.operand, expression, level))
    if isinstance(expression, Conditional):
        return _group_in_parentheses(
            (
                _document(expression.body, level),
                _soft_or_space(level),
                Text("if "),
                _document(expression.test, level),
                _soft_or_space(level),
                Text("else "),
                _document(expression.orelse, level),
            ),
            level,
        )
    if isinstance(expression, Compare):
        return _group_in_parentheses(
            (
                _operand(expression.left, expression, level),
                _soft_or_space(level),
                Text(expression.op + " "),
                _operand(expression.right, expression, level),
            ),
            level,
        )
    parts: list[Doc] = []
    for index, operand in enumerate(expression.operands):
        if index:
            parts += [_soft_or_space(level), Text(expression.op + " ")]
        parts.append(_operand(operand, expression, level))
    return _group_in_parentheses(tuple(parts), level)


# -------------------------------------------------- ruff's optional parentheses


def _has_brackets(expression: Expression) -> bool:
    if isinstance(expression, Call):
        return bool(expression.arguments or expression.keywords)
    if isinstance(expression, Collection):
        return bool(expression.items)
    return isinstance(expression, Strings) and len(expression.parts) > 1


@dataclass
class _Visit:
    precedence: int = 0  # 0 none, 1 comparison, 2 boolean operation, 3 conditional
    count: int = 0
    brackets: bool = False
    first: Expression | Literal["token"] | None = None
    last: Expression | None = None
    parenthesized: set[int] = field(default_factory=set)  # id() of nodes written in parentheses

    def update(self, precedence: int, count: int) -> None:
        if precedence > self.precedence:
            self.precedence, self.count = precedence, count
        elif precedence == self.precedence:
            self.count += count

    def expression(self, node: Expression, parent: Expression | None) -> None:
        self.last = node
        if parent is not None and _needs_parentheses(node, parent):
            self.brackets = True
            self.parenthesized.add(id(node))
        else:
            self.inner(node)
        if self.first is None:
            self.first = node

    def inner(self, node: Expression) -> None:
        if isinstance(node, Collection | Strings):
            self.brackets = True
        elif isinstance(node, Call):
            self.brackets = True
            self.expression(Name(node.function), None)
            self.last = node
        elif isinstance(node, BoolOp):
            self.update(2, len(node.operands) - 1)
            for operand in node.operands:
                self.expression(operand, node)
        elif isinstance(node, Compare):
            self.update(1, 1)
            self.expression(node.left, node)
            self.expression(node.right, node)
        elif isinstance(node, Not):
            if self.first is None:
                self.first = "token"
            self.expression(node.operand, node)
        elif isinstance(node, Conditional):
            self.update(3, 2)
            for part in (node.body, node.test, node.orelse):
                self.expression(part, node)


def _can_omit_parentheses(expression: Expression) -> bool:
    """ruff's `can_omit_optional_parentheses`: break the brackets at the end (or start) instead."""
    visit = _Visit()
    visit.inner(expression)
    if not visit.brackets or visit.count > 1:
        return False
    if visit.precedence == 0:
        return True

    def bracketed(node: Expression | Literal["token"] | None) -> bool:
        return node is not None and node != "token" and (id(node) in visit.parenthesized or _has_brackets(node))

    return bracketed(visit.last) or bracketed(visit.first)


_ids = itertools.count(1)


def _maybe_parenthesized(expression: Expression) -> Doc:
    if isinstance(expression, Name):
        return Text(expression.text)
    if _can_omit_parentheses(expression):
        group = next(_ids)
        content = _document(expression, group)
        return Group(
            (
                IfBroken(Text("("), group),
                Indent((_SOFT, content), unless_flat=group),
                _SOFT,
                IfBroken(Text(")"), group),
            ),
            id=group,
        )
    content = _document(expression, "paren")
    return Group((IfBroken(Text("(")), Indent((_SOFT, content)), _SOFT, IfBroken(Text(")"))), forced=_forces(content))


def _flat(expression: Expression, parent: Expression | None = None) -> str | None:
    """The expression on one line, or None if it must break (it holds exploded brackets)."""
    text: str | None
    if isinstance(expression, Name):
        return expression.text
    if isinstance(expression, Call | Collection) and expression.exploded:
        return None
    if isinstance(expression, Call):
        parts = [_flat(a) for a in expression.arguments] + [
            None if (v := _flat(value)) is None else f"{key}={v}" for key, value in expression.keywords
        ]
        return None if None in parts else f"{expression.function}({', '.join(parts)})"  # type: ignore[arg-type]
    if isinstance(expression, Collection):
        items = [_flat(i) for i in expression.items]
        if None in items:
            return None
        comma = "," if expression.open == "(" and len(items) == 1 else ""
        return expression.open + ", ".join(items) + comma + expression.close  # type: ignore[arg-type]
    if isinstance(expression, Keyed):
        key, value = _flat(expression.key), _flat(expression.value)
        return None if key is None or value is None else f"{key}: {value}"
    if isinstance(expression, Strings):
        return "(" + " ".join(expression.parts) + ")"
    if isinstance(expression, Not):
        text = _flat(expression.operand, expression)
        return None if text is None else "not " + text
    if isinstance(expression, Conditional):
        parts = [_flat(expression.body), _flat(expression.test), _flat(expression.orelse)]
        return None if None in parts else f"{parts[0]} if {parts[1]} else {parts[2]}"
    if isinstance(expression, Compare):
        left, right = _flat(expression.left, expression), _flat(expression.right, expression)
        text = None if left is None or right is None else f"{left} {expression.op} {right}"
    else:
        operands = [_flat(o, expression) for o in expression.operands]
        text = None if None in operands else f" {expression.op} ".join(operands)  # type: ignore[arg-type]
    if text is not None and parent is not None and _needs_parentheses(expression, parent):
        return f"({text})"
    return text


def _item(expression: Expression, indent: int, column: int) -> str:
    """An argument or item inside brackets broken one a line, its comma after it."""
    one = _flat(expression)
    if one is not None and column + len(one) + 1 <= LINE_WIDTH:
        return one + ","
    if isinstance(expression, Call | Collection) and expression.exploded:
        return _exploded(expression, indent) + ","
    return Printer(LINE_WIDTH).print((_document(expression, "paren"), Text(",")), indent, column)


def _exploded(expression: Call | Collection, indent: int) -> str:
    """Brackets with one item a line, as the printer would lay them out (a shortcut: they are many)."""
    inner = " " * (indent + INDENT)
    lines: list[str] = []
    if isinstance(expression, Call):
        lines.append(expression.function + "(")
        items: list[tuple[str, Expression]] = [("", a) for a in expression.arguments]
        items += [(f"{k}=", v) for k, v in expression.keywords]
        close = ")"
    else:
        lines.append(expression.open)
        items = [("", i) for i in expression.items]
        close = expression.close
    for prefix, item in items:
        if isinstance(item, Keyed):
            key = _flat(item.key)
            if key is None:
                return Printer(LINE_WIDTH).print(_document(expression, None), indent)
            prefix, item = f"{key}: ", item.value
        lines.append(inner + prefix + _item(item, indent + INDENT, indent + INDENT + len(prefix)))
    lines.append(" " * indent + close)
    return "\n".join(lines)


def statement(head: str, expression: Expression, tail: str, indent: int) -> list[str]:
    """`head EXPR tail` (such as `if ` and `:`) at `indent`, as ruff formats it, one string per line."""
    one = _flat(expression)
    if one is not None and indent + len(head) + len(one) + len(tail) <= LINE_WIDTH:
        return [" " * indent + head + one + tail]
    if isinstance(expression, Call | Collection) and expression.exploded and not tail:
        opening = expression.function + "(" if isinstance(expression, Call) else expression.open
        if indent + len(head) + len(opening) <= LINE_WIDTH:
            return (" " * indent + head + _exploded(expression, indent)).split("\n")
    if one is not None and not _can_omit_parentheses(expression):
        # In parentheses, on one line or one operand a line: what the printer gives when each operand fits.
        pad = " " * (indent + INDENT)
        lines = [pad + one]
        if len(lines[0]) > LINE_WIDTH and isinstance(expression, BoolOp):
            parts = [_flat(o, expression) or "" for o in expression.operands]
            lines = [pad + ("" if i == 0 else expression.op + " ") + part for i, part in enumerate(parts)]
        if all(len(line) <= LINE_WIDTH for line in lines):
            return [" " * indent + head + "(", *lines, " " * indent + ")" + tail]
    doc = (Text(head), _maybe_parenthesized(expression), Text(tail))
    return (" " * indent + Printer(LINE_WIDTH).print(doc, indent)).split("\n")


def value(expression: Expression, indent: int, prefix: int) -> str:
    """The right-hand side of a statement after `prefix` columns of text (`NAME = `, `return `) at `indent`."""
    one = _flat(expression)
    if one is not None and indent + prefix + len(one) <= LINE_WIDTH:
        return one
    if isinstance(expression, Call | Collection) and expression.exploded:
        opening = expression.function + "(" if isinstance(expression, Call) else expression.open
        if indent + prefix + len(opening) <= LINE_WIDTH:
            return _exploded(expression, indent)
    return Printer(LINE_WIDTH).print(_maybe_parenthesized(expression), indent, indent + prefix)


def flat(expression: Expression) -> str:
    """The expression on one line (exploded brackets too)."""
    return Printer(10**9).print(_document(expression, None), 0) if _flat(expression) is None else str(_flat(expression))
