"""What every command shares: exit codes, usage errors, the project's settings, reporting diagnostics."""

from __future__ import annotations

import argparse
import posixpath
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TextIO

from .. import ir
from ..build.config import ConfigError, Settings, find_pyproject, package_problem, settings_for
from ..build.library import LibraryError, Shipped, is_shipped, parse_shipped
from ..build.project import ProjectError, package_for
from ..build.sources import compile_unit, project_paths
from ..compilation import Compilation, rule_files
from ..diagnostics import Diagnostic
from ..diagnostics.formats import COLOR_CHOICES, FORMATS, destination_is_stdout, failed, format_diagnostics, use_color
from ..source import SHIPPED_PREFIX, SourceFile, display_path, display_root
from .basics import EXIT_FAILED as EXIT_FAILED  # re-exported: every command imports them from here
from .basics import EXIT_OK as EXIT_OK
from .basics import EXIT_USAGE as EXIT_USAGE
from .basics import Finished as Finished
from .basics import UsageError as UsageError
from .basics import examples as examples
from .basics import parse_date as parse_date
from .files import write_output_file

# ---------------------------------------------------------------- arguments


def add_unit_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="the rule files or folders of one complete compilation unit: a vocabulary and the rulesets "
        "written against it; privlex:shipped (the shipped law) or privlex:shipped/NAME (its vocabulary and "
        "ruleset NAME) (default: `sources` of [tool.privlex] in pyproject.toml, else rulesets/)",
    )
    command.add_argument(
        "--config", metavar="FILE", help="the pyproject.toml to read [tool.privlex] from (default: the nearest one)"
    )


def add_report_arguments(
    command: argparse.ArgumentParser,
    *,
    formats: Sequence[str] = FORMATS,
    formats_help: str = "full (default), concise (file:line:col: CODE message), json, sarif (2.1.0) "
    "or github (workflow annotations)",
) -> None:
    group = command.add_argument_group("diagnostics")
    group.add_argument("--output-format", choices=formats, default="full", help=formats_help)
    group.add_argument(
        "--output-file",
        metavar="FILE",
        help="write the report to FILE instead (default: json, sarif and junit on stdout, the others on stderr)",
    )
    group.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the full format: auto (a terminal, unless NO_COLOR is set, or when FORCE_COLOR or "
        "CLICOLOR_FORCE asks for it), always or never",
    )
    group.add_argument("--warnings-as-errors", action="store_true", help="fail the run when there are warnings")


# --------------------------------------------------------------- settings


def resolve_settings(
    args: argparse.Namespace,
    *,
    out: str | None = None,
    package: str | None = None,
    paths: Sequence[str] | None = None,
) -> Settings:
    """The unit and its output for this run: [tool.privlex], overridden by the command line.

    With PATHS, the configuration is the one of the project the paths lie in
    (all of them must lie in the same one); without, the one of the current
    folder. A bad configuration is reported as a diagnostic and exits 2.
    """
    sources = unit_sources(paths if paths is not None else getattr(args, "paths", None) or ())
    config = Path(args.config) if getattr(args, "config", None) else None
    if config is not None and not config.is_file():
        raise UsageError(f"--config: {config} does not exist")
    if package is not None and (problem := package_problem(package)):
        raise UsageError(f"--package: {problem}")
    start = Path.cwd()
    own = project_paths(sources)
    if own and config is None:
        start = _project_start(own)
    try:
        return settings_for(
            start,
            config=config,
            sources=sources,
            out=Path(out) if out else None,
            package=package,
        )
    except ConfigError as exc:
        emit(args, exc.diagnostics, exc.sources)
        raise Finished(EXIT_USAGE) from exc


def unit_sources(written: Sequence[str]) -> list[Path | Shipped]:
    """PATHS as given: folders and files, or the shipped library (`privlex:shipped[/NAME]`)."""
    sources: list[Path | Shipped] = []
    for text in written:
        if is_shipped(text):
            try:
                sources.append(parse_shipped(text))
            except LibraryError as exc:
                raise UsageError(str(exc)) from exc
        else:
            sources.append(Path(text))
    return sources


def _project_start(paths: Sequence[Path]) -> Path:
    """Where to look for the configuration of PATHS: the one project they lie in, if any.

    Paths outside every project join the project of the others; paths in two
    different projects are a usage error that names both.
    """
    found: dict[Path, list[Path]] = {}
    for path in paths:
        pyproject = find_pyproject(path if path.is_dir() else path.parent)
        if pyproject is not None:
            found.setdefault(pyproject, []).append(path)
    if len(found) > 1:
        listed = "; ".join(
            f"{', '.join(display_path(p) for p in members)} in the project of {display_path(pyproject)}"
            for pyproject, members in sorted(found.items())
        )
        raise UsageError(
            f"the paths belong to different projects ({listed}): compile each unit on its own, or list "
            "all the folders in `sources` of one project's [tool.privlex] and run privlex there "
            "(or give --config FILE)"
        )
    if found:
        return next(iter(found)).parent
    return paths[0] if paths[0].is_dir() else paths[0].parent


def project_checkers(args: argparse.Namespace, paths: Sequence[str]) -> ModuleType:
    """The checkers to decide with (decide, explain, filter): the project's package, current; PATHS' if given.

    A package compiled on the fly is announced on stderr; rules with errors are
    reported and exit 1.
    """
    settings = resolve_settings(args, paths=paths)
    try:
        return package_for(settings, explicit=bool(paths), note=lambda text: print(text, file=sys.stderr))
    except ProjectError as exc:
        sys.stderr.write(f"privlex: {exc.args[0]}\n")
        emit(args, exc.diagnostics, exc.sources)
        raise Finished(EXIT_FAILED) from exc
    except ImportError as exc:
        raise UsageError(f"cannot import the checkers {settings.package}: {exc}") from exc


# ---------------------------------------------------------------- reporting


def run_targets(settings: Settings) -> list[Path | Shipped]:
    """The unit's sources as this run names them: paths relative to the current folder."""
    return [Path(display_path(p)) if isinstance(p, Path) else p for p in settings.sources]


def rebaser(targets: Sequence[Path | Shipped]) -> Callable[[str], str]:
    """Paths as the compiler shows them (relative to the project) -> relative to the current folder."""
    files, _ = rule_files(project_paths(targets)) if project_paths(targets) else ([], [])
    prefix = display_path(display_root(files)) if files else "."
    if prefix == ".":
        return str

    def move(file: str) -> str:
        if file.startswith(SHIPPED_PREFIX):
            return file
        return posixpath.normpath(posixpath.join(prefix, file))

    return move


def rebased(compilation: Compilation, move: Callable[[str], str]) -> tuple[list[Diagnostic], dict[str, SourceFile]]:
    """Diagnostics whose paths are relative to the current folder (the compiler's are relative to the project)."""
    if move is str:
        return list(compilation.diagnostics), dict(compilation.sources)
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
        write_output_file(output_file, text)
        return
    stream: TextIO = sys.stdout if destination_is_stdout(output_format) else sys.stderr
    color = output_format == "full" and use_color(getattr(args, "color", "auto"), stream)
    text = format_diagnostics(output_format, diagnostics, sources, color=color)
    if text:
        stream.write(text)
        stream.flush()


@dataclass
class Checked:
    """A compilation and its findings as this run shows them: paths relative to the current folder."""

    compilation: Compilation
    diagnostics: list[Diagnostic]
    sources: dict[str, SourceFile]
    move: Callable[[str], str]

    @property
    def program(self) -> ir.Program | None:
        return self.compilation.program


def compile_quietly(
    args: argparse.Namespace,
    settings: Settings,
    more: Callable[[Compilation], Sequence[Diagnostic]] | None = None,
) -> Checked:
    """Run the compiler's checks on the unit (and `more` checks, if it compiles); report nothing.

    With --warnings-as-errors a warning fails the run: the program is dropped,
    so nothing is written or tested.
    """
    targets = run_targets(settings)
    compilation = compile_unit(targets)
    if more is not None and compilation.program is not None:
        compilation.diagnostics.extend(more(compilation))
    move = rebaser(targets)
    diagnostics, sources = rebased(compilation, move)
    warnings_as_errors = bool(getattr(args, "warnings_as_errors", False))
    if failed(compilation.diagnostics, warnings_as_errors) and not compilation.failed:
        compilation.program = None
    return Checked(compilation, diagnostics, sources, move)


def unreadable(checked: Checked) -> bool:
    """A file that cannot be read is an I/O error (exit 2), not a rule error."""
    return any(d.code == "E001" for d in checked.diagnostics)


def compile_and_report(
    args: argparse.Namespace,
    settings: Settings,
    more: Callable[[Compilation], Sequence[Diagnostic]] | None = None,
) -> Compilation:
    """Run the compiler's checks on the unit and report what they found (see `compile_quietly`)."""
    checked = compile_quietly(args, settings, more)
    emit(args, checked.diagnostics, checked.sources)
    if unreadable(checked):
        raise Finished(EXIT_USAGE)
    compilation = checked.compilation
    if compilation.program is None and not compilation.failed:
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
