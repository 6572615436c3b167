"""Going on after a syntax error: which declaration to leave out, and which later findings that explains.

After a syntax error, `parse` blanks the declaration the error is in (its
lines become empty, so every other line keeps its number) and parses again,
until the file parses: one run reports an error in every broken declaration.
The declaration left out is the innermost of: a line of the vocabulary, a
top-level block (`ruleset`, `test`, `define`, `group`), or one item directly
inside a ruleset (a rule, exclusion, parameter, test, definition or clause).
A ruleset with nothing left in it is left out whole.

Later passes then see the file without the broken declarations. What they
find because of that (a test expecting a decision by a rule left out, a name
declared on a broken line, a ruleset whose `covers` line was broken) is not
reported: `Dropped.explains` recognises it. The errors of every other
declaration are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..source import source_lines

_HEADER = re.compile(
    r"\s*(?P<kind>ruleset|rule|unless|exclusion|parameter|test|define|data|purpose|basis|fact|country|subdivision"
    r"|group|obligation|covers|law|from|until|applies|otherwise)\b\s*(?P<name>[\w.-]+)?"
)
_STRING = re.compile(r'"([^"\\\n]|\\.)*"')
# Findings of later passes that a declaration left out can cause: names that are now unknown, tests
# that refer to them, clauses that are now missing, definitions whose only use is gone.
_CONSEQUENCES = frozenset({"E201", "E203", "E204", "E207", "E301", "E302", "E408", "E501", "E502", "W403"})
_DECLARING = frozenset({"rule", "unless", "exclusion", "parameter", "test", "define", "obligation"})
_CLAUSES = frozenset({"covers", "law", "from", "until", "applies", "otherwise", "obligation"})


@dataclass(frozen=True)
class Dropped:
    """A declaration left out after a syntax error: its lines, what it declared, and the ruleset it was in."""

    file: str
    first: int
    last: int
    kind: str
    name: str
    ruleset: str | None
    ruleset_line: int | None
    inner: tuple[str, ...] = ()  # names declared inside it: exceptions, obligations, definitions, tests

    def explains(self, diagnostic: Diagnostic) -> bool:
        """Whether a later pass's finding may be a consequence of leaving this declaration out."""
        if diagnostic.code not in _CONSEQUENCES:
            return False
        if diagnostic.code == "W403":
            return True  # its only use may have been in what was left out
        span = diagnostic.span
        at_ruleset = bool(span and span.file == self.file and span.line == self.ruleset_line)
        if diagnostic.code == "E207" and at_ruleset:
            return True  # the clause the ruleset now lacks may be in what was left out, written there by mistake
        if self.kind in _CLAUSES:
            return False
        names = [name for name in (self.name, *self.inner) if name]
        if self.ruleset:  # a top-level test names a node with its ruleset: `gdpr.consent.bundled`
            names += [f"{self.ruleset}.{name}" for name in names]
        return any(_mentions(diagnostic.message, name) for name in names)


def _mentions(message: str, name: str) -> bool:
    """`name` as a whole dotted name in `message`, or as the start of one (`content` in `content.chat`)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?![\w-])", message) is not None


def explained(diagnostic: Diagnostic, dropped: Sequence[Dropped]) -> bool:
    return any(d.explains(diagnostic) for d in dropped)


def _indent(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def _is_code(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _balance(line: str) -> int:
    code = _STRING.sub("", line).split("#", 1)[0]
    return sum(code.count(c) for c in "({") - sum(code.count(c) for c in ")}")


def _opening_line(lines: list[str], line: int) -> int:
    """The line whose unclosed bracket the error at `line` lies inside of, or `line` itself."""
    depth, opened = 0, line
    for number in range(1, line):
        before = depth
        depth = max(0, depth + _balance(lines[number - 1]))
        if before == 0 and depth > 0:
            opened = number
    return opened if depth > 0 else line


def _starts_declaration(text: str) -> bool:
    found = _HEADER.match(text)
    return bool(found and (found["kind"] in _DECLARING or found["kind"] == "ruleset"))


def _block_end(lines: list[str], start: int, limit: int) -> int:
    """The last line of the block that starts at `start`: before the next code line indented no deeper.

    Inside brackets lines may be indented anyhow, but a declaration (`rule`, `test`, ...) indented no deeper
    ends the block all the same: the bracket before it was never closed.
    """
    own = _indent(lines[start - 1])
    depth = max(0, _balance(lines[start - 1]))
    for number in range(start + 1, limit + 1):
        text = lines[number - 1]
        if _is_code(text) and _indent(text) <= own and (depth == 0 or _starts_declaration(text)):
            return number - 1
        depth = max(0, depth + _balance(text))
    return limit


def unclosed_bracket(text: str, line: int) -> tuple[int, int] | None:
    """(line, column) of a bracket never closed, when the syntax error at `line` is the declaration after it."""
    lines = source_lines(text)
    if not 0 < line <= len(lines):
        return None
    opened = _opening_line(lines, line)
    if opened == line or not _starts_declaration(lines[line - 1]):
        return None
    code = lines[opened - 1]
    masked = _STRING.sub(lambda m: " " * len(m.group()), code).split("#", 1)[0]
    stack: list[int] = []
    for column, char in enumerate(masked, start=1):
        if char in "({":
            stack.append(column)
        elif char in ")}" and stack:
            stack.pop()
    return (opened, stack[-1]) if stack else None


def _inner_names(lines: list[str], first: int, last: int) -> tuple[str, ...]:
    found = (_HEADER.match(lines[n - 1]) for n in range(first + 1, last + 1))
    return tuple(m["name"] for m in found if m and m["name"] and m["kind"] in _DECLARING)


def _header(lines: list[str], first: int) -> tuple[str, str]:
    found = _HEADER.match(lines[first - 1])
    if not found:
        return "", ""
    return found["kind"], found["name"] or ""


def region(file: str, text: str, line: int) -> Dropped | None:
    """The declaration to leave out for a syntax error at `line`, or None when nothing is left to leave out."""
    lines = source_lines(text)
    if not lines:
        return None
    line = _opening_line(lines, min(max(line, 1), len(lines)))
    tops = [n for n in range(1, len(lines) + 1) if _is_code(lines[n - 1]) and _indent(lines[n - 1]) == 0]
    above = [n for n in tops if n <= line]
    top = above[-1] if above else next((n for n in range(line, 0, -1) if _is_code(lines[n - 1])), line)
    end = _block_end(lines, top, len(lines))
    kind, name = _header(lines, top)
    if kind == "ruleset" and line > top:
        body = [n for n in range(top + 1, end + 1) if _is_code(lines[n - 1])]
        if body:
            inner = _indent(lines[body[0] - 1])
            items = [n for n in body if _indent(lines[n - 1]) == inner and n <= line]
            if items:
                item = items[-1]
                item_end = _block_end(lines, item, end)
                if any(n < item or n > item_end for n in body):
                    item_kind, item_name = _header(lines, item)
                    names = _inner_names(lines, item, item_end)
                    return Dropped(file, item, item_end, item_kind, item_name, name, top, names)
    if not any(_is_code(lines[n - 1]) for n in range(top, end + 1)):
        return None
    last = max(end, line)
    return Dropped(file, top, last, kind, name, None, None, _inner_names(lines, top, last))


def blank(text: str, dropped: Dropped) -> str:
    """The text with the lines of `dropped` emptied; every other line keeps its number and columns."""
    lines = text.split("\n")
    for number in range(dropped.first, min(dropped.last, len(lines)) + 1):
        lines[number - 1] = ""
    return "\n".join(lines)
