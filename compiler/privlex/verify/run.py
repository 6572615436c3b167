"""Properties checked as part of `privlex test`: the same results as `privlex verify`, without the lints."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .. import ir

# privlex test gives each question to the solver this long.
TEST_TIMEOUT = 30.0


@dataclass
class PropertyReport:
    text: str
    json: list[dict[str, Any]]
    failed: bool


def check_properties(
    program: ir.Program, today: datetime.date, package: ModuleType, move: Callable[[str], str] = str
) -> PropertyReport | None:
    """None when the unit has no properties; a note (not a failure) when the solver is not installed.

    `package`: the program's generated checkers, which the counterexamples are decided by;
    `move`: a compiled path -> the path shown (relative to the current folder).
    """
    if not program.properties:
        return None
    try:
        import z3  # noqa: F401
    except ImportError:
        note = "properties not checked: install privlex[verify] (z3-solver) to check them"
        return PropertyReport(note + "\n", [{"note": note}], False)
    from . import explain
    from .properties import check_properties as check

    results = check(program, lambda: package, timeout=TEST_TIMEOUT, today=today)
    text, found = explain.as_text(results, move), explain.as_json(results, move)
    return PropertyReport(text, found, any(r.failed for r in results))
