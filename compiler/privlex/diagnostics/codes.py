"""Every diagnostic code privlex reports, with its one-line title.

Codes are stable: tools and docs refer to them. The first letter is the
severity (E error, W warning); the hundreds say which pass finds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ..runtime.suggest import closest
from ..source import SHIPPED_PREFIX, Span

CODES: dict[str, str] = {
    # reading files
    "E001": "a rule file cannot be read",
    "E002": "bad configuration in pyproject.toml",
    # syntax (parse)
    "E101": "syntax error",
    "E102": "bad indentation",
    "E103": "nested too deeply",
    "E104": "number too large",
    "E105": "forbidden character",
    # names (resolve)
    "E201": "unknown name",
    "E202": "duplicate declaration",
    "E203": "parent key not declared",
    "E204": "cycle in the vocabulary or the regions",
    "E205": "name not allowed here",
    "E206": "clause given twice",
    "E207": "required clause missing",
    # types (typecheck)
    "E301": "value of the wrong type",
    "E302": "operator not allowed for this fact",
    "E303": "not a valid date",
    "E304": "value out of range",
    # meaning (semantic checks)
    "E401": "deciding node without a citation",
    "E402": "exception can never match",
    "E403": "exception widens its parent's scope",
    "E404": "obligation on a denying node",
    "E405": "region parameter has no value for a region",
    "E406": "region parameter is ambiguous",
    "E407": "dates out of order",
    "E408": "abstract key used as a value",
    "W401": "exception has its parent's effect",
    "W402": "node can never apply in the ruleset's dates",
    "W403": "definition never used",
    "W404": "the default can never decide",
    # tests
    "E501": "test refers to something unknown",
    "E502": "test input is not a valid use",
    # verification (privlex verify: properties, and lints that need the solver)
    "W601": "node can never match",
    "W602": "node can never decide itself",
    "W603": "permit always overridden by a deny",
    "W604": "default never used",
    "W605": "ruleset can never apply",
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Diagnostic(BaseModel):
    """One finding, tied to a span, in the words of the rule file's author."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    span: Span | None = None
    help: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def diagnostic(
    code: str,
    message: str,
    span: Span | None,
    *,
    help: str | None = None,
    notes: Iterable[str] = (),
) -> Diagnostic:
    """The one constructor of diagnostics: the code's letter decides the severity."""
    if code not in CODES:
        raise ValueError(f"unknown diagnostic code {code}")
    severity = Severity.ERROR if code.startswith("E") else Severity.WARNING
    return Diagnostic(code=code, severity=severity, message=message, span=span, help=help, notes=tuple(notes))


def error(
    code: str, message: str, span: Span | None, *, help: str | None = None, notes: Iterable[str] = ()
) -> Diagnostic:
    if not code.startswith("E"):
        raise ValueError(f"{code} is not an error code")
    return diagnostic(code, message, span, help=help, notes=notes)


def warning(code: str, message: str, span: Span | None, *, help: str | None = None) -> Diagnostic:
    if not code.startswith("W"):
        raise ValueError(f"{code} is not a warning code")
    return diagnostic(code, message, span, help=help)


def duplicate(what: str, first: Span, span: Span, *, help: str | None = None) -> Diagnostic:
    """E202: `what` is declared again at `span`; the message says where it was first declared."""
    if help is None and first.file.startswith(SHIPPED_PREFIX):
        help = (
            "the shipped law (privlex:shipped) declares it already: use it as declared there, "
            "or give yours another name"
        )
    return error("E202", f"{what} is declared twice (first at {first.location})", span, help=help)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """`did you mean X?` when exactly one candidate is close to `name`: a slip of the keyboard, not another word.

    `overriding_interest` shares `_interest` with `vital_interest`, but a lawyer
    who wrote it meant another lawful basis: a hint would be legally wrong.
    """
    match = closest(name, candidates)
    if match is None or edits(name, match) > max(2, len(name) // 4):
        return None
    return f"did you mean {match}?"


def edits(a: str, b: str) -> int:
    """How many letters to insert, delete, change or swap with a neighbour to turn `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
