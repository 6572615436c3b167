"""A small document printer in the manner of ruff's formatter (Wadler, Prettier, ruff_formatter).

A document is text, places to break (`Line`), groups that break only when
they do not fit on the line, and indentation; `Printer.print` decides group by
group. `FitsExpanded` and `when_broken` groups are the two devices ruff uses
for its optional parentheses (see `layout`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LINE_WIDTH = 88
INDENT = 4


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Line:
    """A place to break: nothing (`soft`) or a space (`space`) when its group stays flat."""

    kind: Literal["soft", "space"]


@dataclass(frozen=True)
class Group:
    """Printed flat when it fits on the line, else broken. `when_broken`: a group only while that group is broken."""

    content: Doc
    id: int | None = None
    when_broken: int | None = None
    forced: bool = False  # broken whatever the width (a magic trailing comma), and so is every group around it


@dataclass(frozen=True)
class Indent:
    content: Doc
    unless_flat: int | None = None  # indent only while this group is broken


@dataclass(frozen=True)
class IfBroken:
    """`content` when the group (by default the enclosing one) is broken; `otherwise` when it is flat."""

    content: Doc
    group: int | None = None
    otherwise: Doc = ()


@dataclass(frozen=True)
class FitsExpanded:
    """Brackets that may break without making the optional parentheses of `group` appear."""

    content: Doc
    group: int


Doc = Text | Line | Group | Indent | IfBroken | FitsExpanded | tuple["Doc", ...]


@dataclass
class _Item:
    indent: int
    broken: bool
    doc: Doc
    overflow: bool = False  # measuring brackets that may break: long lines are allowed
    remeasure: bool = False  # printing such brackets: their groups are measured though the line is flat


@dataclass
class Printer:
    width: int
    modes: dict[int, bool] = field(default_factory=dict)  # group id -> broken

    def print(self, doc: Doc, indent: int, column: int | None = None) -> str:
        """The document's text; its first line starts at `column` (default: `indent`), the others at `indent`."""
        out: list[str] = []
        column = indent if column is None else column
        stack = [_Item(indent, True, doc)]
        while stack:
            item = stack.pop()
            current = item.doc
            if isinstance(current, tuple):
                stack.extend(_Item(item.indent, item.broken, d, remeasure=item.remeasure) for d in reversed(current))
            elif isinstance(current, Text):
                out.append(current.text)
                column += len(current.text)
            elif isinstance(current, Line):
                if item.broken:
                    out.append("\n" + " " * item.indent)
                    column = item.indent
                elif current.kind == "space":
                    out.append(" ")
                    column += 1
            elif isinstance(current, Group):
                active = current.when_broken is None or self.modes.get(current.when_broken, False)
                broken = item.broken
                if current.forced:
                    broken = True
                elif active and (item.broken or item.remeasure):
                    broken = not self._fits(current.content, current.id, stack, self.width - column, item.indent)
                if current.id is not None:
                    self.modes[current.id] = broken
                stack.append(_Item(item.indent, broken, current.content))
            elif isinstance(current, Indent):
                deeper = current.unless_flat is None or self.modes.get(current.unless_flat, False)
                indent = item.indent + (INDENT if deeper else 0)
                stack.append(_Item(indent, item.broken, current.content, remeasure=item.remeasure))
            elif isinstance(current, IfBroken):
                broken = item.broken if current.group is None else self.modes.get(current.group, False)
                chosen = current.content if broken else current.otherwise
                stack.append(_Item(item.indent, item.broken, chosen, remeasure=item.remeasure))
            else:
                remeasure = item.remeasure or not self.modes.get(current.group, True)
                stack.append(_Item(item.indent, item.broken, current.content, remeasure=remeasure))
        return "\n".join(line.rstrip() for line in "".join(out).split("\n"))

    def _fits(self, content: Doc, group: int | None, rest: list[_Item], room: int, indent: int) -> bool:
        """Whether `content`, flat, and what follows it up to the next line break fit in `room`.

        Brackets that may break (`FitsExpanded`) are measured broken: their first
        line must fit, their inner lines may be long, and the text after them is
        measured on their last line.
        """
        measuring = dict(self.modes)
        if group is not None:
            measuring[group] = False
        stack: list[_Item | bool] = [_Item(indent, False, content)]
        following = len(rest)
        overflow = False
        while True:
            if not stack:
                if following == 0:
                    return True
                following -= 1
                stack.append(rest[following])
                continue
            item = stack.pop()
            if isinstance(item, bool):  # the end of brackets measured broken
                overflow = item
                continue
            current = item.doc
            if isinstance(current, tuple):
                stack.extend(_Item(item.indent, item.broken, d, item.overflow) for d in reversed(current))
            elif isinstance(current, Text):
                room -= len(current.text)
                if room < 0 and not overflow:
                    return False
            elif isinstance(current, Line):
                if item.broken:
                    if not item.overflow:
                        return True
                    room = self.width - item.indent
                    overflow = True
                elif current.kind == "space":
                    room -= 1
            elif isinstance(current, Group):
                broken = item.broken or current.forced
                if current.forced and not item.broken and not item.overflow:
                    return False
                if current.id is not None:
                    measuring[current.id] = broken
                stack.append(_Item(item.indent, broken, current.content, item.overflow))
            elif isinstance(current, Indent):
                deeper = current.unless_flat is None or measuring.get(current.unless_flat, False)
                stack.append(
                    _Item(item.indent + (INDENT if deeper else 0), item.broken, current.content, item.overflow)
                )
            elif isinstance(current, IfBroken):
                broken = item.broken if current.group is None else measuring.get(current.group, False)
                chosen = current.content if broken else current.otherwise
                stack.append(_Item(item.indent, item.broken, chosen, item.overflow))
            else:
                expand = not item.broken and not measuring.get(current.group, True)
                if expand:
                    stack.append(overflow)
                stack.append(_Item(item.indent, item.broken or expand, current.content, item.overflow or expand))
