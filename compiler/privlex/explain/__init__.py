"""Explanations a lawyer can read: why a use is permitted, denied or not applicable, and what would change it.

    from privlex.explain import explain
    print(explain({"region": "DE", "data": "content.chat", ...}))          # the shipped rules
    explain(use, package="acme_rules").to_dict()                           # another generated package

`Decision.explain()` does the same for a decision `check` returned. The
explanation comes from an interpreter over the package's program (its
`_program.json`), which decides exactly as the generated code does.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from .. import ir
from .changes import search
from .evaluate import Run, interpret
from .report import explanation
from .text import render

__all__ = ["Explanation", "explain", "explain_valid", "interpret", "program_of"]


@dataclass(frozen=True)
class Explanation:
    """An explanation: `str()` for people, `to_dict()` for programs (the JSON of `privlex explain --json`)."""

    data: dict[str, Any]

    @property
    def outcome(self) -> str:
        return str(self.data["outcome"])

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def __str__(self) -> str:
        return render(self.data)


@cache
def _program(name: str, source_hash: str) -> ir.Program:
    program = ir.load_program(name)
    if program.source_hash != source_hash:
        raise ValueError(f"{name}/{ir.PROGRAM_FILE} does not belong to the package's code: recompile {name}")
    return program


def program_of(package: ModuleType) -> ir.Program:
    """The checked program a generated package was compiled from."""
    return _program(package.__name__, package.SOURCE_HASH)


def _package(package: ModuleType | str | None) -> ModuleType:
    if isinstance(package, ModuleType):
        return package
    return importlib.import_module(package or "privlex_rules")


def explain_valid(package: ModuleType, valid: Any, day: datetime.date, *, changes: bool = True) -> Explanation:
    """Explain a use already validated by `package.DataUse`, on `day`."""
    program = program_of(package)
    run: Run = interpret(program, valid, day)
    outcome = str(run.decision.outcome)
    alternatives = search(package, program, valid, day, outcome) if changes else []
    return Explanation(explanation(run, valid, day, package.__name__, package.SOURCE_HASH, alternatives))


def explain(
    use: Any, *, package: ModuleType | str | None = None, today: datetime.date | None = None, changes: bool = True
) -> Explanation:
    """Explain the decision on `use` (a mapping or a DataUse) under a generated package (default: the shipped one).

    Raises InvalidUse as `check` does. `changes=False` skips the search for
    what would change the outcome.
    """
    module = _package(package)
    valid = module.DataUse.from_input(use)
    day = valid.date or today or datetime.datetime.now(datetime.UTC).date()
    return explain_valid(module, valid, day, changes=changes)
