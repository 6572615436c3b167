"""The human form of diagnostics: header, location, source line, caret, help."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..source import SourceFile
from .codes import Diagnostic


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    span = diagnostic.span
    if span is None:
        return ("", 0, 0, diagnostic.code)
    return (span.file, span.line, span.column, diagnostic.code)


def visible(text: str) -> str:
    """Text safe to print on a terminal: a tab shows as a space, a line break stays, every other
    character that is not printable (an escape, a carriage return, a bidirectional control) as U+FFFD.

    One code point in, one out, so that a caret line under it stays aligned.
    """
    return "".join(" " if c == "\t" else c if c.isprintable() or c in " \n" else "\ufffd" for c in text)


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
            lines.append(f"{span.line} | {visible(text.rstrip())}")
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
