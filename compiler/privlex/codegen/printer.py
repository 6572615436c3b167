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


# What the printer's stacks hold: (indent, broken, doc, flag), where `flag` is `remeasure` in `print`
# (printing brackets that may break: their groups are measured though the line is flat) and `overflow` in
# `_fits` (measuring such brackets: long lines are allowed). Plain tuples: the printer pushes one for every
# piece of every document, and building a dataclass instance for each took a third of its time.
_Item = tuple[int, bool, Doc, bool]


@dataclass
class Printer:
    width: int
    modes: dict[int, bool] = field(default_factory=dict)  # group id -> broken

    def print(self, doc: Doc, indent: int, column: int | None = None) -> str:
        """The document's text; its first line starts at `column` (default: `indent`), the others at `indent`."""
        out: list[str] = []
        column = indent if column is None else column
        modes = self.modes
        stack: list[_Item] = [(indent, True, doc, False)]
        while stack:
            item = stack.pop()
            at, broken, current, remeasure = item
            if isinstance(current, tuple):
                stack.extend([(at, broken, d, remeasure) for d in reversed(current)])
            elif isinstance(current, Text):
                out.append(current.text)
                column += len(current.text)
            elif isinstance(current, Line):
                if broken:
                    out.append("\n" + " " * at)
                    column = at
                elif current.kind == "space":
                    out.append(" ")
                    column += 1
            elif isinstance(current, Group):
                active = current.when_broken is None or modes.get(current.when_broken, False)
                if current.forced:
                    broken = True
                elif active and (broken or remeasure):
                    broken = not self._fits(current.content, current.id, stack, self.width - column, at)
                if current.id is not None:
                    modes[current.id] = broken
                stack.append((at, broken, current.content, False))
            elif isinstance(current, Indent):
                deeper = current.unless_flat is None or modes.get(current.unless_flat, False)
                stack.append((at + (INDENT if deeper else 0), broken, current.content, remeasure))
            elif isinstance(current, IfBroken):
                chosen_broken = broken if current.group is None else modes.get(current.group, False)
                stack.append((at, broken, current.content if chosen_broken else current.otherwise, remeasure))
            else:
                remeasure = remeasure or not modes.get(current.group, True)
                stack.append((at, broken, current.content, remeasure))
        return "\n".join(line.rstrip() for line in "".join(out).split("\n"))

    def _fits(self, content: Doc, group: int | None, rest: list[_Item], room: int, indent: int) -> bool:
        """Whether `content`, flat, and what follows it up to the next line break fit in `room`.

        Brackets that may break (`FitsExpanded`) are measured broken: their first
        line must fit, their inner lines may be long, and the text after them is
        measured on their last line. What follows is `rest`, the printer's stack,
        read from its top; an item taken from it is measured as it would be printed.
        """
        measuring = dict(self.modes)
        if group is not None:
            measuring[group] = False
        stack: list[_Item | bool] = [(indent, False, content, False)]
        following = len(rest)
        overflow = False
        while True:
            if not stack:
                if following == 0:
                    return True
                following -= 1
                at, broken, doc, _ = rest[following]
                stack.append((at, broken, doc, False))
                continue
            item = stack.pop()
            if isinstance(item, bool):  # the end of brackets measured broken
                overflow = item
                continue
            at, broken, current, long_lines = item
            if isinstance(current, tuple):
                stack.extend([(at, broken, d, long_lines) for d in reversed(current)])
            elif isinstance(current, Text):
                room -= len(current.text)
                if room < 0 and not overflow:
                    return False
            elif isinstance(current, Line):
                if broken:
                    if not long_lines:
                        return True
                    room = self.width - at
                    overflow = True
                elif current.kind == "space":
                    room -= 1
            elif isinstance(current, Group):
                if current.forced and not broken and not long_lines:
                    return False
                broken = broken or current.forced
                if current.id is not None:
                    measuring[current.id] = broken
                stack.append((at, broken, current.content, long_lines))
            elif isinstance(current, Indent):
                deeper = current.unless_flat is None or measuring.get(current.unless_flat, False)
                stack.append((at + (INDENT if deeper else 0), broken, current.content, long_lines))
            elif isinstance(current, IfBroken):
                chosen_broken = broken if current.group is None else measuring.get(current.group, False)
                stack.append((at, broken, current.content if chosen_broken else current.otherwise, long_lines))
            else:
                expand = not broken and not measuring.get(current.group, True)
                if expand:
                    stack.append(overflow)
                stack.append((at, broken or expand, current.content, long_lines or expand))
