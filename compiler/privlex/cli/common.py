"""What every command shares: exit codes, usage errors, finding the project, reporting."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Sequence
from pathlib import Path

from ..diagnostics import render_all
from ..pipeline import Compilation, compile_paths

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_PACKAGE = "privlex_rules"


class UsageError(Exception):
    """Bad command-line input or an I/O failure: reported in one line, exit code 2."""


def project_root(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return here


def report(compilation: Compilation) -> None:
    text = render_all(compilation.diagnostics, compilation.sources)
    if text:
        sys.stderr.write(text)


def compile_and_report(paths: Sequence[str]) -> Compilation:
    targets = [Path(p) for p in paths] or [project_root() / "rulesets"]
    compilation = compile_paths(targets)
    report(compilation)
    return compilation


def parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a date written YYYY-MM-DD") from exc


