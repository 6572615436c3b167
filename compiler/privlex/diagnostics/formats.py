"""Diagnostics for people and for machines: full, concise, JSON, SARIF 2.1.0 and GitHub annotations.

`full` is `diagnostics.render_all`, optionally coloured; the other formats are
built here from the same `Diagnostic` objects. Which stream a format goes to is
decided by `destination`: human text (full, concise, github) on stderr, JSON and
SARIF on stdout, any of them to a named file instead. The SARIF and GitHub
pieces (`sarif_rule`, `sarif_result`, `sarif_log`, `github_command`) are also
what `privlex test` builds its reports from (privlex.testreport).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit, urlunsplit

from .. import __version__
from ..source import SHIPPED_PREFIX, SourceFile, Span
from . import CODES, Diagnostic, Severity, render, render_all, sort_key
from .explanations import EXPLANATIONS

FORMATS = ("full", "concise", "json", "sarif", "github")
STDOUT_FORMATS = frozenset({"json", "sarif", "junit"})
COLOR_CHOICES = ("auto", "always", "never")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_VARIABLE = "PRIVLEX_DOCS_URL"
DOCS_PAGE = "docs/diagnostics.md"


def counts(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    found = list(diagnostics)
    errors = sum(1 for d in found if d.is_error)
    return errors, len(found) - errors


def failed(diagnostics: Iterable[Diagnostic], warnings_as_errors: bool = False) -> bool:
    errors, warnings = counts(diagnostics)
    return bool(errors or (warnings_as_errors and warnings))


# ------------------------------------------------------------------ colour


def _set(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "") not in ("", "0")


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour text on `stream`.

    --color always/never decide; then NO_COLOR (set: never), FORCE_COLOR or
    CLICOLOR_FORCE (set and not 0: always), CLICOLOR=0 or TERM=dumb (never),
    else colour a terminal.
    """
    environ = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR") or _set(environ, "CLICOLOR_FORCE"):
        return True
    if environ.get("CLICOLOR") == "0" or environ.get("TERM") == "dumb":
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


def location(span: Span | None) -> dict[str, Any] | None:
    """A span as JSON: file, line, column, end_line, end_column."""
    if span is None:
        return None
    return {
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def json_diagnostics(diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """The diagnostics as a JSON object: each with its location, and the counts."""
    ordered = sorted(diagnostics, key=sort_key)
    errors, warnings = counts(ordered)
    return {
        "diagnostics": [
            {
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "help": d.help,
                "notes": list(d.notes),
                "location": location(d.span),
            }
            for d in ordered
        ],
        "summary": {"errors": errors, "warnings": warnings},
    }


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps(json_diagnostics(diagnostics), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------- SARIF


def message_text(d: Diagnostic) -> str:
    """A diagnostic's message with its notes and help, for SARIF and annotations."""
    parts = [d.message, *(f"note: {n}" for n in d.notes)]
    if d.help:
        parts.append(f"help: {d.help}")
    return "\n".join(parts)


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def docs_url() -> str | None:
    """Where docs/diagnostics.md of this privlex is read, for SARIF's helpUri; None when unknown.

    PRIVLEX_DOCS_URL when set; else the page at the commit privlex was
    installed from (`pip install git+URL@TAG` records it, PEP 610); else the
    page in the source folder privlex runs from (a checkout, an editable install).
    """
    if os.environ.get(DOCS_VARIABLE):
        return os.environ[DOCS_VARIABLE]
    return _installed_docs_url()


@cache
def _installed_docs_url() -> str | None:
    try:
        recorded = metadata.distribution("privlex").read_text("direct_url.json")
        origin: dict[str, Any] = json.loads(recorded) if recorded else {}
    except (metadata.PackageNotFoundError, ValueError):
        origin = {}
    vcs = origin.get("vcs_info") or {}
    url = str(origin.get("url", ""))
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        web = _web_url(url)
        if web is not None:
            return f"{web}/blob/{vcs['commit_id']}/{DOCS_PAGE}"
    checkout = Path(__file__).resolve().parents[3] / DOCS_PAGE
    return checkout.as_uri() if checkout.is_file() else None


def _web_url(url: str) -> str | None:
    """The web page of a Git repository URL (https, or ssh as git@host:path): GitHub's, GitLab's, Gitea's form."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http", "ssh", "git+ssh", "git+https"):
        return None
    host = parts.hostname or ""
    if not host:
        return None
    path = parts.path.removesuffix("/").removesuffix(".git")
    return urlunsplit(("https", host, path, "", ""))


def help_uri(anchor: str) -> str | None:
    """The section of docs/diagnostics.md about `anchor` (a code, lower case), if privlex knows where that is."""
    base = docs_url()
    return f"{base}#{anchor.lower()}" if base else None


def sarif_rule(
    rule_id: str, short: str, full_markdown: str, help_markdown: str, *, level: str, anchor: str | None = None
) -> dict[str, Any]:
    """A SARIF reportingDescriptor: short and full descriptions, help, and where the docs say more."""
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(word.capitalize() for word in re.findall(r"[A-Za-z0-9]+", short.replace("'", ""))),
        "shortDescription": {"text": _capital(short)},
        "fullDescription": {"text": _capital(_plain(full_markdown)), "markdown": _capital(full_markdown)},
        "help": {"text": _capital(_plain(help_markdown)), "markdown": _capital(help_markdown)},
        "defaultConfiguration": {"level": level},
    }
    uri = help_uri(anchor or rule_id)
    if uri is not None:
        rule["helpUri"] = uri
    return rule


def code_rule(code: str) -> dict[str, Any]:
    meaning, todo = EXPLANATIONS.get(code, (CODES.get(code, code), ""))
    return sarif_rule(
        code, CODES.get(code, code), meaning, todo or meaning, level="warning" if code.startswith("W") else "error"
    )


def sarif_result(rule_index: int, rule_id: str, level: str, text: str, span: Span | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": text},
    }
    if span is not None:
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(span.file), "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": span.line,
                        "startColumn": span.column,
                        "endLine": span.end_line,
                        "endColumn": span.end_column,
                    },
                }
            }
        ]
    return result


def sarif_log(rules: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]]) -> str:
    """A SARIF 2.1.0 log of one privlex run."""
    driver: dict[str, Any] = {"name": "privlex", "version": __version__, "rules": list(rules)}
    if (docs := docs_url()) is not None:
        driver["informationUri"] = docs
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": list(results),
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def sarif_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rules, results): every privlex code a rule, every diagnostic a result."""
    ordered = sorted(diagnostics, key=sort_key)
    rule_ids = sorted({*CODES, *(d.code for d in ordered)})
    results = [
        sarif_result(rule_ids.index(d.code), d.code, "error" if d.is_error else "warning", message_text(d), d.span)
        for d in ordered
    ]
    return [code_rule(code) for code in rule_ids], results


def format_sarif(diagnostics: Iterable[Diagnostic]) -> str:
    """SARIF 2.1.0: one run, every privlex code as a rule, every diagnostic a result."""
    return sarif_log(*sarif_diagnostics(diagnostics))


# ------------------------------------------------------------------ GitHub


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(level: str, span: Span | None, title: str, message: str, *, columns: bool = True) -> str:
    """One GitHub Actions workflow command: `::error file=…,line=…,col=…,title=…::message`.

    `columns=False` names the line only. A file of the shipped library
    (`privlex:shipped/gdpr.rules`) is no file of the repository the workflow
    runs in: GitHub could not attach an annotation naming it, so its location
    goes at the head of the message instead, and the annotation is the run's.
    """
    properties: list[tuple[str, str]] = []
    if span is not None and span.file.startswith(SHIPPED_PREFIX):
        message = f"{span.file}:{span.line}{f':{span.column}' if columns else ''}: {message}"
    elif span is not None:
        properties += [("file", span.file), ("line", str(span.line))]
        if columns:
            properties += [
                ("col", str(span.column)),
                ("endLine", str(span.end_line)),
                ("endColumn", str(span.end_column)),
            ]
    properties.append(("title", title))
    fields = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
    return f"::{level} {fields}::{_escape_data(message)}\n"


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, one per diagnostic."""
    return "".join(
        github_command(d.severity.value, d.span, f"privlex {d.code}", message_text(d))
        for d in sorted(diagnostics, key=sort_key)
    )


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
    """JSON, SARIF and JUnit go to stdout; the human formats to stderr (unless a file is named)."""
    return output_format in STDOUT_FORMATS


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))
