"""`privlex fmt`: write rule files in the canonical layout, or check that they are."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from ..build.sources import project_paths
from ..fmt import FormatError, format_text
from ..pipeline import rule_files
from ..source import SourceFile, display_path
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, emit, examples, resolve_settings
from .files import replace_text


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "fmt",
        help="lay rule files out in the one canonical layout",
        description="Rewrite rule files in privlex's canonical layout: indentation, spacing, long conditions "
        "wrapped in parentheses, blank lines between blocks, clauses in their usual order. Comments stay "
        "where they belong and the compiled rules never change.",
    )
    command.epilog = examples(
        ("privlex fmt", "lay out the project's rule files"),
        ("privlex fmt --check", "in CI: exit 1 when a file is not in the canonical layout"),
        ("privlex fmt --diff rules/gdpr.rules", "show what would change in one file"),
    )
    command.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="rule files or folders (default: `sources` of [tool.privlex], else rulesets/); "
        "`-` formats standard input to standard output",
    )
    command.add_argument(
        "--config", metavar="FILE", help="the pyproject.toml to read [tool.privlex] from (default: the nearest one)"
    )
    command.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 when a file is not in the canonical layout"
    )
    command.add_argument("--diff", action="store_true", help="change nothing; print the changes as a unified diff")
    command.set_defaults(run=run)


def _stdin(args: argparse.Namespace) -> int:
    text = sys.stdin.read()
    try:
        result = format_text(text, "<stdin>")
    except FormatError as exc:
        _report(args, exc, "<stdin>", text)
        return EXIT_FAILED
    if args.check or args.diff:
        if args.diff:
            sys.stdout.writelines(_diff("<stdin>", text, result))
        return EXIT_FAILED if result != text else EXIT_OK
    sys.stdout.write(result)
    return EXIT_OK


def _report(args: argparse.Namespace, exc: FormatError, shown: str, text: str) -> None:
    if exc.diagnostics:
        emit(args, exc.diagnostics, {shown: SourceFile(path=shown, text=text, data=text.encode("utf-8"))})
    else:
        sys.stderr.write(f"privlex: {exc}\n")


def _diff(shown: str, before: str, after: str) -> list[str]:
    return list(difflib.unified_diff(before.splitlines(True), after.splitlines(True), shown, shown))


def _targets(args: argparse.Namespace) -> list[Path]:
    if args.paths:
        paths = [Path(p) for p in args.paths]
    else:
        # The project's own rule files; the shipped library (privlex:shipped) is not the project's to format.
        paths = [Path(display_path(p)) for p in project_paths(resolve_settings(args).sources)]
    files, problems = rule_files(paths)
    if problems:
        emit(args, problems, {})
        raise SystemExit(EXIT_USAGE)
    return files


def run(args: argparse.Namespace) -> int:
    if args.paths == ["-"]:
        return _stdin(args)
    if "-" in args.paths:
        sys.stderr.write("privlex: `-` (standard input) cannot be combined with other paths\n")
        return EXIT_USAGE
    try:
        files = _targets(args)
    except SystemExit as exc:
        return int(exc.code or EXIT_USAGE)
    changed: list[str] = []
    broken = 0
    for path in files:
        shown = display_path(path)
        try:
            before = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            sys.stderr.write(f"privlex: cannot read {shown}: {reason}\n")
            return EXIT_USAGE
        try:
            after = format_text(before, shown)
        except FormatError as exc:
            _report(args, exc, shown, before)
            broken += 1
            continue
        if after == before:
            continue
        changed.append(shown)
        if args.diff:
            sys.stdout.writelines(_diff(shown, before, after))
        elif args.check:
            sys.stderr.write(f"would reformat {shown}\n")
        else:
            replace_text(path, after)
            sys.stderr.write(f"reformatted {shown}\n")
    verb = "would be reformatted" if args.check or args.diff else "reformatted"
    unchanged = len(files) - len(changed) - broken
    summary = f"{len(changed)} file{'s' * (len(changed) != 1)} {verb}, {unchanged} already formatted"
    if broken:
        summary += f", {broken} not formatted (errors above)"
    sys.stderr.write(summary + "\n")
    if broken or ((args.check or args.diff) and changed):
        return EXIT_FAILED
    return EXIT_OK
