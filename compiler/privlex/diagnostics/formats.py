"""Diagnostics for people and for machines: full, concise, JSON, SARIF 2.1.0 and GitHub annotations.

`full` is `diagnostics.render_all`, optionally coloured; the other formats are
built here from the same `Diagnostic` objects. Which stream a format goes to is
decided by `destination`: human text (full, concise, github) on stderr, JSON and
SARIF on stdout, any of them to a named file instead.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, TextIO
from urllib.parse import quote

from .. import __version__
from ..source import SourceFile
from . import CODES, Diagnostic, Severity, render, render_all, sort_key

FORMATS = ("full", "concise", "json", "sarif", "github")
STDOUT_FORMATS = frozenset({"json", "sarif"})
COLOR_CHOICES = ("auto", "always", "never")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def counts(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    found = list(diagnostics)
    errors = sum(1 for d in found if d.is_error)
    return errors, len(found) - errors


def failed(diagnostics: Iterable[Diagnostic], warnings_as_errors: bool = False) -> bool:
    errors, warnings = counts(diagnostics)
    return bool(errors or (warnings_as_errors and warnings))


# ------------------------------------------------------------------ colour


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour text on `stream`: --color, then NO_COLOR, FORCE_COLOR, a terminal."""
    environ = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_RESET, _BOLD = "\x1b[0m", "\x1b[1m"
_RED, _YELLOW, _BLUE, _CYAN = "\x1b[1;31m", "\x1b[1;33m", "\x1b[1;34m", "\x1b[1;36m"
_HEADER = re.compile(r"^(error|warning)(\[\w+\]): (.*)$")
_ARROW = re.compile(r"^(\s*)(-->)(.*)$")
_GUTTER = re.compile(r"^(\s*\d*\s\|)(.*)$")
_NOTE = re.compile(r"^(\s*)(= )(note|help)(:.*)$")


def _paint(block: str, severity: Severity) -> str:
    accent = _RED if severity is Severity.ERROR else _YELLOW
    lines = block.split("\n")
    painted: list[str] = []
    for index, line in enumerate(lines):
        if index == 0 and (match := _HEADER.match(line)):
            painted.append(f"{accent}{match[1]}{match[2]}{_RESET}{_BOLD}: {match[3]}{_RESET}")
        elif match := _ARROW.match(line):
            painted.append(f"{match[1]}{_BLUE}{match[2]}{_RESET}{match[3]}")
        elif match := _GUTTER.match(line):
            rest = match[2]
            if rest.strip() and set(rest.strip()) == {"^"}:
                rest = rest.replace("^", f"{accent}^", 1) + _RESET
            painted.append(f"{_BLUE}{match[1]}{_RESET}{rest}")
        elif match := _NOTE.match(line):
            painted.append(f"{match[1]}{_BLUE}{match[2]}{_RESET}{_CYAN}{match[3]}{_RESET}{match[4]}")
        else:
            painted.append(line)
    return "\n".join(painted)


# ----------------------------------------------------------------- formats


def format_full(diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile], *, color: bool = False) -> str:
    """The human form of DESIGN.md: render_all, with ANSI colour when asked."""
    ordered = sorted(diagnostics, key=sort_key)
    if not color:
        return render_all(ordered, sources)
    if not ordered:
        return ""
    blocks = [_paint(render(d, sources), d.severity) for d in ordered]
    errors, warnings = counts(ordered)
    summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return "\n\n".join(blocks) + f"\n\n{_BOLD}{summary}{_RESET}\n"


def format_concise(diagnostics: Iterable[Diagnostic]) -> str:
    """One line each: `file:line:col: CODE message`, the help in brackets."""
    lines = []
    for d in sorted(diagnostics, key=sort_key):
        where = f"{d.span.file}:{d.span.line}:{d.span.column}: " if d.span else "privlex: "
        extra = f" [{d.help}]" if d.help else ""
        lines.append(f"{where}{d.code} {_one_line(d.message)}{extra}\n")
    return "".join(lines)


def _location(d: Diagnostic) -> dict[str, Any] | None:
    if d.span is None:
        return None
    return {
        "file": d.span.file,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
    }


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    """A JSON object: every diagnostic with its location, and the counts."""
    ordered = sorted(diagnostics, key=sort_key)
    errors, warnings = counts(ordered)
    document = {
        "diagnostics": [
            {
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "help": d.help,
                "notes": list(d.notes),
                "location": _location(d),
            }
            for d in ordered
        ],
        "summary": {"errors": errors, "warnings": warnings},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _sarif_message(d: Diagnostic) -> str:
    parts = [d.message, *(f"note: {n}" for n in d.notes)]
    if d.help:
        parts.append(f"help: {d.help}")
    return "\n".join(parts)


def format_sarif(diagnostics: Iterable[Diagnostic]) -> str:
    """SARIF 2.1.0: one run, every privlex code as a rule, every diagnostic a result."""
    ordered = sorted(diagnostics, key=sort_key)
    codes = CODES
    for d in ordered:
        codes.setdefault(d.code, d.code)
    rule_ids = sorted(codes)
    rules = [
        {
            "id": code,
            "shortDescription": {"text": codes[code]},
            "fullDescription": {"text": codes[code]},
            "defaultConfiguration": {"level": "warning" if code.startswith("W") else "error"},
        }
        for code in rule_ids
    ]
    results = []
    for d in ordered:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": rule_ids.index(d.code),
            "level": "error" if d.is_error else "warning",
            "message": {"text": _sarif_message(d)},
        }
        if d.span is not None:
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(d.span.file), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": d.span.line,
                            "startColumn": d.span.column,
                            "endLine": d.span.end_line,
                            "endColumn": d.span.end_column,
                        },
                    }
                }
            ]
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "privlex",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`."""
    lines = []
    for d in sorted(diagnostics, key=sort_key):
        properties: list[tuple[str, str]] = []
        if d.span is not None:
            properties += [
                ("file", d.span.file),
                ("line", str(d.span.line)),
                ("col", str(d.span.column)),
                ("endLine", str(d.span.end_line)),
                ("endColumn", str(d.span.end_column)),
            ]
        properties.append(("title", f"privlex {d.code}"))
        fields = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
        lines.append(f"::{d.severity.value} {fields}::{_escape_data(_sarif_message(d))}\n")
    return "".join(lines)


def format_diagnostics(
    output_format: str,
    diagnostics: Iterable[Diagnostic],
    sources: Mapping[str, SourceFile],
    *,
    color: bool = False,
) -> str:
    found = list(diagnostics)
    if output_format == "full":
        return format_full(found, sources, color=color)
    formatter = {
        "concise": format_concise,
        "json": format_json,
        "sarif": format_sarif,
        "github": format_github,
    }.get(output_format)
    if formatter is None:
        raise ValueError(f"unknown output format {output_format!r}; choose one of {', '.join(FORMATS)}")
    return formatter(found)


def destination_is_stdout(output_format: str) -> bool:
    """JSON and SARIF go to stdout; the human formats to stderr (unless a file is named)."""
    return output_format in STDOUT_FORMATS


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))
