"""Every diagnostic privlex reports: its code, how it is built, how it reads.

Codes are stable: tools and docs refer to them. The first letter is the
severity (E error, W warning); the hundreds say which pass finds it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .source import SourceFile, Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


CODES: dict[str, str] = {
    # reading files
    "E001": "a rule file cannot be read",
    "E002": "bad configuration in pyproject.toml",
    # syntax (parse)
    "E101": "syntax error",
    "E102": "bad indentation",
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
    # tests
    "E501": "test refers to something unknown",
    "E502": "test input is not a valid use",
}


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


def error(
    code: str,
    message: str,
    span: Span | None,
    *,
    help: str | None = None,
    notes: Iterable[str] = (),
) -> Diagnostic:
    assert code in CODES and code.startswith("E"), code
    return Diagnostic(
        code=code,
        severity=Severity.ERROR,
        message=message,
        span=span,
        help=help,
        notes=tuple(notes),
    )


def warning(code: str, message: str, span: Span | None, *, help: str | None = None) -> Diagnostic:
    assert code in CODES and code.startswith("W"), code
    return Diagnostic(code=code, severity=Severity.WARNING, message=message, span=span, help=help)


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate a misspelt name most likely meant, if any is close."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    match = closest(name, candidates)
    return f"did you mean {match}?" if match else None


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    span = diagnostic.span
    if span is None:
        return ("", 0, 0, diagnostic.code)
    return (span.file, span.line, span.column, diagnostic.code)


def _visible(text: str) -> str:
    """A source line safe to print: a tab shows as a space, other control characters as U+FFFD.

    One code point in, one out, so that the caret line stays aligned.
    """
    return "".join(" " if c == "\t" else c if c.isprintable() or c == " " else "\ufffd" for c in text)


def render(diagnostic: Diagnostic, sources: Mapping[str, SourceFile]) -> str:
    """The human form: header, location, source line, caret, help."""
    lines = [f"{diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"]
    span = diagnostic.span
    if span is not None:
        lines.append(f"  --> {span.file}:{span.line}:{span.column}")
        source = sources.get(span.file)
        text = source.line_text(span.line) if source else ""
        if text:
            gutter = " " * len(str(span.line))
            width = (
                span.end_column - span.column
                if span.end_line == span.line and span.end_column > span.column
                else max(1, len(text.rstrip()) - span.column + 1)
            )
            lines.append(f"{gutter} |")
            lines.append(f"{span.line} | {_visible(text.rstrip())}")
            lines.append(f"{gutter} | {' ' * (span.column - 1)}{'^' * max(1, width)}")
    for note in diagnostic.notes:
        lines.append(f"  = note: {note}")
    if diagnostic.help:
        lines.append(f"  = help: {diagnostic.help}")
    return "\n".join(lines)


def render_all(diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile]) -> str:
    ordered = sorted(diagnostics, key=sort_key)
    if not ordered:
        return ""
    blocks = [render(d, sources) for d in ordered]
    errors = sum(1 for d in ordered if d.is_error)
    warnings = len(ordered) - errors
    summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return "\n\n".join(blocks) + f"\n\n{summary}\n"
