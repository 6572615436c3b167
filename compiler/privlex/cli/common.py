"""What every command shares: exit codes, usage errors, the project's settings, reporting diagnostics."""

from __future__ import annotations

import argparse
import datetime
import posixpath
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from ..build.config import ConfigError, Settings, find_pyproject, package_problem, settings_for
from ..diagnostics import Diagnostic
from ..diagnostics.formats import COLOR_CHOICES, FORMATS, destination_is_stdout, failed, format_diagnostics, use_color
from ..pipeline import Compilation, compile_paths, rule_files
from ..source import SourceFile, display_path, display_root

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line input or an I/O failure: reported in one line, exit code 2."""


class Finished(Exception):
    """Stop the command with this exit code; everything has been reported already."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a date written YYYY-MM-DD") from exc


# ---------------------------------------------------------------- arguments


def add_unit_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="the rule files or folders of one complete compilation unit: a vocabulary and the rulesets "
        "written against it (default: `sources` of [tool.privlex] in pyproject.toml, else rulesets/)",
    )
    command.add_argument(
        "--config", metavar="FILE", help="the pyproject.toml to read [tool.privlex] from (default: the nearest one)"
    )


def add_report_arguments(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("diagnostics")
    group.add_argument(
        "--output-format",
        choices=FORMATS,
        default="full",
        help="full (default), concise (file:line:col: CODE message), json, sarif (2.1.0) "
        "or github (workflow annotations)",
    )
    group.add_argument(
        "--output-file",
        metavar="FILE",
        help="write the diagnostics to FILE instead (default: json and sarif on stdout, the others on stderr)",
    )
    group.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the full format: auto (a terminal, unless NO_COLOR is set or FORCE_COLOR "
        "asks for it), always or never",
    )
    group.add_argument("--warnings-as-errors", action="store_true", help="fail the run when there are warnings")


# --------------------------------------------------------------- settings


def resolve_settings(args: argparse.Namespace, *, out: str | None = None, package: str | None = None) -> Settings:
    """The unit and its output for this run: [tool.privlex], overridden by the command line.

    With PATHS, the configuration is the one of the project the paths lie in
    (all of them must lie in the same one); without, the one of the current
    folder. A bad configuration is reported as a diagnostic and exits 2.
    """
    paths = [Path(p) for p in getattr(args, "paths", None) or ()]
    config = Path(args.config) if getattr(args, "config", None) else None
    if config is not None and not config.is_file():
        raise UsageError(f"--config: {config} does not exist")
    if package is not None and (problem := package_problem(package)):
        raise UsageError(f"--package: {problem}")
    start = Path.cwd()
    if paths and config is None:
        found = {find_pyproject(p if p.is_dir() else p.parent) for p in paths}
        if len(found) > 1:
            projects = ", ".join(sorted(display_path(p.parent) if p else "(none)" for p in found))
            raise UsageError(f"the paths belong to different projects ({projects}): compile each unit on its own")
        start = paths[0] if paths[0].is_dir() else paths[0].parent
    try:
        return settings_for(
            start,
            config=config,
            sources=paths,
            out=Path(out) if out else None,
            package=package,
        )
    except ConfigError as exc:
        emit(args, exc.diagnostics, exc.sources)
        raise Finished(EXIT_USAGE) from exc


# ---------------------------------------------------------------- reporting


def _rebased(compilation: Compilation, targets: Sequence[Path]) -> tuple[list[Diagnostic], dict[str, SourceFile]]:
    """Diagnostics whose paths are relative to the current folder (the compiler's are relative to the project)."""
    files, _ = rule_files(targets)
    if not files:
        return list(compilation.diagnostics), dict(compilation.sources)
    prefix = display_path(display_root(files))
    if prefix == ".":
        return list(compilation.diagnostics), dict(compilation.sources)

    def move(file: str) -> str:
        return posixpath.normpath(posixpath.join(prefix, file))

    diagnostics = [
        d.model_copy(update={"span": d.span.model_copy(update={"file": move(d.span.file)})}) if d.span else d
        for d in compilation.diagnostics
    ]
    sources = {move(path): source for path, source in compilation.sources.items()}
    return diagnostics, sources


def emit(args: argparse.Namespace, diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile]) -> None:
    """Write the diagnostics in the chosen format, to the chosen place."""
    output_format = getattr(args, "output_format", "full")
    output_file = getattr(args, "output_file", None)
    if output_file:
        text = format_diagnostics(output_format, diagnostics, sources, color=False)
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output_file}: {exc.strerror or exc}") from exc
        return
    stream: TextIO = sys.stdout if destination_is_stdout(output_format) else sys.stderr
    color = output_format == "full" and use_color(getattr(args, "color", "auto"), stream)
    text = format_diagnostics(output_format, diagnostics, sources, color=color)
    if text:
        stream.write(text)
        stream.flush()


def compile_and_report(
    args: argparse.Namespace,
    settings: Settings,
    more: Callable[[Compilation], Sequence[Diagnostic]] | None = None,
) -> Compilation:
    """Run the compiler's checks on the unit (and `more` checks, if it compiles) and report what they found.

    With --warnings-as-errors a warning fails the run: the program is dropped,
    so nothing is written or tested.
    """
    targets = [Path(display_path(p)) for p in settings.sources]
    compilation = compile_paths(targets)
    if more is not None and compilation.program is not None:
        compilation.diagnostics.extend(more(compilation))
    diagnostics, sources = _rebased(compilation, targets)
    emit(args, diagnostics, sources)
    if any(d.code == "E001" for d in compilation.diagnostics):
        raise Finished(EXIT_USAGE)  # a file that cannot be read is an I/O error, not a rule error
    warnings_as_errors = bool(getattr(args, "warnings_as_errors", False))
    if failed(compilation.diagnostics, warnings_as_errors) and not compilation.failed:
        compilation.program = None
        if getattr(args, "output_format", "full") == "full" and not getattr(args, "output_file", None):
            sys.stderr.write("privlex: warnings are errors in this run (--warnings-as-errors)\n")
    return compilation


def check_stdout_free(args: argparse.Namespace, what: str) -> None:
    """Refuse two documents on stdout: JSON or SARIF diagnostics and another output."""
    if destination_is_stdout(getattr(args, "output_format", "full")) and not getattr(args, "output_file", None):
        raise UsageError(
            f"{what} and --output-format {args.output_format} both write to stdout: "
            "give --output-file for the diagnostics"
        )
