"""Definitions (`define NAME "title":`): named conditions, resolved where a condition uses them.

A definition at the top level of a file serves the whole unit; one inside a
ruleset serves that ruleset alone. A condition uses a definition by its bare
name (`permit when valid_consent and not objected`). Each use becomes an
`ir.Defined` node that keeps the name (explanations show it) and holds the
typed condition (generated code compiles it in place).

Checks: ids, duplicates, a name that is also a fact, a ruleset's definition
that hides a unit-wide one, a block without exactly one condition, cycles
(E204), and definitions no rule ever reaches (W403).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import ir
from ..diagnostics import Diagnostic, duplicate, error, warning
from ..source import Span
from ..syntax import nodes as n
from .typecheck import check_id

if TYPE_CHECKING:
    from .typecheck import Typer


@dataclass(eq=False)
class _Entry:
    decl: n.Definition
    ruleset: str | None  # None: the whole unit
    state: int = 0  # 0 not typed, 1 being typed, 2 typed
    condition: ir.Condition | None = None
    citations: tuple[str, ...] = ()
    refers_to: list[_Entry] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.decl.name.text

    @property
    def where(self) -> str:
        return f"of ruleset {self.ruleset}" if self.ruleset else "for the whole unit"


class Definitions:
    """Every definition of a unit, and the scope a condition sees: its ruleset's and the unit's."""

    def __init__(self, files: Sequence[n.File], facts: set[str], diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        self.facts = facts
        self.unit: dict[str, _Entry] = {}
        self.local: dict[str, _Entry] = {}  # the ruleset being built
        self.ruleset: str | None = None
        self.all: list[_Entry] = []
        self.used_by_rules: set[int] = set()
        self._stack: list[_Entry] = []  # definitions being typed, innermost last
        for decl in (d for file in files for d in file.declarations if isinstance(d, n.Definition)):
            self._declare(decl, None, self.unit)

    # ----------------------------------------------------------- declaring

    def _declare(self, decl: n.Definition, ruleset: str | None, table: dict[str, _Entry]) -> None:
        name = decl.name
        if not check_id(name, "definition", self.diagnostics):
            return
        if name.text in self.facts:
            self.diagnostics.append(
                error(
                    "E202",
                    f"definition {name.text} has the name of a fact: a condition could not tell them apart",
                    name.span,
                    help=f"give the definition another name, such as {name.text}_holds",
                )
            )
            return
        if name.text in table:
            self.diagnostics.append(duplicate(f"definition {name.text}", table[name.text].decl.name.span, name.span))
            return
        if ruleset is not None and name.text in self.unit:
            first = self.unit[name.text].decl.name.span
            self.diagnostics.append(
                error(
                    "E202",
                    f"definition {name.text} is already defined for the whole unit (at {first.location})",
                    name.span,
                    help="give the ruleset's definition another name: a name means one thing in a condition",
                )
            )
            return
        if not decl.conditions:
            self.diagnostics.append(
                error(
                    "E207",
                    f"definition {name.text} has no condition",
                    name.span,
                    help="add an indented line with the condition it stands for, such as `consent.given`",
                )
            )
        for extra in decl.conditions[1:]:
            self.diagnostics.append(
                error(
                    "E206",
                    f"definition {name.text} has more than one condition line",
                    extra.span,
                    help="a definition stands for one condition: join the lines with `and` or `or`, inside parentheses",
                )
            )
        entry = _Entry(decl, ruleset, citations=tuple(t for c in decl.citations for t in c.texts))
        table[name.text] = entry
        self.all.append(entry)

    def enter(self, ruleset: n.Ruleset) -> None:
        """Conditions typed from now on belong to this ruleset and see its definitions."""
        self.ruleset = ruleset.id.text
        self.local = {}
        for decl in ruleset.definitions:
            self._declare(decl, ruleset.id.text, self.local)

    def leave(self, typer: Typer) -> None:
        """Type the ruleset's definitions that no condition used (their mistakes are reported too)."""
        for entry in self.local.values():
            self._typed(entry, typer)
        self.ruleset = None
        self.local = {}

    def finish(self, typer: Typer) -> None:
        """Type the unit's unused definitions, then warn about every definition no rule reaches."""
        for entry in self.unit.values():
            self._typed(entry, typer)
        reached: set[int] = set()
        pending = [e for e in self.all if id(e) in self.used_by_rules]
        while pending:
            entry = pending.pop()
            if id(entry) in reached:
                continue
            reached.add(id(entry))
            pending.extend(entry.refers_to)
        for entry in self.all:
            if id(entry) not in reached and entry.condition is not None:
                self.diagnostics.append(
                    warning(
                        "W403",
                        f"definition {entry.name} {entry.where} is never used by a rule, exception, "
                        "exclusion or `applies when`",
                        entry.decl.name.span,
                        help=f"use it in a condition by its name (`permit when {entry.name}`), or remove it",
                    )
                )

    # ------------------------------------------------------------- looking up

    def names(self) -> Iterator[str]:
        """The definition names a condition can use here (a unit-wide definition sees the unit's only)."""
        if not self._stack or self._stack[-1].ruleset is not None:
            yield from self.local
        yield from self.unit

    def find(self, name: str) -> _Entry | None:
        inner = self._stack[-1] if self._stack else None
        if inner is None or inner.ruleset is not None:
            found = self.local.get(name)
            if found is not None:
                return found
        return self.unit.get(name)

    def resolve(self, name: str, span: Span, typer: Typer) -> ir.Defined | None:
        """The definition `name` used at `span` (None after reporting); the caller checked it exists."""
        entry = self.find(name)
        assert entry is not None
        if self._stack:
            self._stack[-1].refers_to.append(entry)
        else:
            self.used_by_rules.add(id(entry))
        if entry.state == 1:
            chain = [e.name for e in self._stack[self._stack.index(entry) :]] + [entry.name]
            self.diagnostics.append(
                error(
                    "E204",
                    f"definition {entry.name} refers to itself: {' -> '.join(chain)}",
                    span,
                    help="a definition cannot stand for a condition that contains it; write one of them out",
                )
            )
            return None
        condition = self._typed(entry, typer)
        if condition is None:
            return None
        return ir.Defined(
            name=entry.name,
            title=entry.decl.title,
            citations=entry.citations,
            source=entry.decl.name.span.location,
            condition=condition,
            span=span,
        )

    def _typed(self, entry: _Entry, typer: Typer) -> ir.Condition | None:
        if entry.state != 0:
            return entry.condition
        if not entry.decl.conditions:
            entry.state = 2
            return None
        entry.state = 1
        self._stack.append(entry)
        saved = typer.parameters, typer.parameter_help
        if entry.ruleset is None:
            # Parameters belong to a ruleset; a unit-wide definition has none.
            typer.parameters = {}
            typer.parameter_help = (
                f"region parameters belong to a ruleset: define {entry.name} inside the ruleset that declares it"
            )
        try:
            entry.condition = typer.condition(entry.decl.conditions[0])
        finally:
            typer.parameters, typer.parameter_help = saved
            self._stack.pop()
            entry.state = 2
        return entry.condition
