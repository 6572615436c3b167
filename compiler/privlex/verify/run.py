"""Properties checked as part of `privlex test`: the same results as `privlex verify`, without the lints."""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import ir
from ..diagnostics.render import visible
from ..source import Span

if TYPE_CHECKING:
    from .properties import PropertyResult

# privlex test gives each question to the solver this long.
TEST_TIMEOUT = 30.0


@dataclass
class PropertyReport:
    text: str
    json: list[dict[str, Any]]
    failed: bool
    # Each property that does not hold, at its place (as shown) with its result's text: an annotation each.
    failures: list[tuple[Span, str]] = field(default_factory=list)


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
    failures = [(_shown(r.prop.span, move), _annotation(r, move)) for r in results if r.failed]
    return PropertyReport(text, found, bool(failures), failures)


def _shown(span: Span, move: Callable[[str], str]) -> Span:
    return span.model_copy(update={"file": move(span.file)})


def _annotation(result: PropertyResult, move: Callable[[str], str]) -> str:
    """The result's text for an annotation at the property: its name and title first (the place is the annotation's)."""
    from . import explain

    body = textwrap.dedent("\n".join(explain.result_lines(result, move)[1:]))
    return visible(f"{result.prop.name}: {result.prop.title}\n{body}")
