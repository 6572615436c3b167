"""`privlex check`: every compile-time check and lint of a unit; writes nothing, runs no tests."""

from __future__ import annotations

import argparse
import sys

from ..diagnostics.formats import counts
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    add_report_arguments,
    add_unit_arguments,
    compile_and_report,
    examples,
    resolve_settings,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "check",
        help="check a compilation unit's rule files, writing nothing",
        description="Run every check of the compiler on one compilation unit and report the diagnostics. "
        "Writes nothing, compares nothing with the generated code and runs no tests. Exit 0: no errors; "
        "1: errors (or warnings, with --warnings-as-errors); 2: usage, configuration or I/O error.",
        epilog=examples(
            ("privlex check", "the project's rule files ([tool.privlex] `sources` in pyproject.toml)"),
            ("privlex check rules/ --warnings-as-errors", "a folder of rule files; warnings fail too"),
            ("privlex check --output-format github", "annotations on a pull request's lines in GitHub Actions"),
            ("privlex check --output-format sarif --output-file privlex.sarif", "SARIF 2.1.0 for code scanning"),
        ),
    )
    add_unit_arguments(command)
    command.add_argument(
        "--lint",
        action="store_true",
        help="also run the lints that need a solver (W6xx; the `verify` extra), as `privlex verify` does",
    )
    add_report_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = resolve_settings(args)
    more = None
    if args.lint:
        from .verify_cmd import solver_lints

        more = solver_lints(args)
    compilation = compile_and_report(args, settings, more)
    if compilation.program is None:
        return EXIT_FAILED
    _, warnings = counts(compilation.diagnostics)
    files = len(compilation.sources)
    sys.stderr.write(
        f"checked {files} rule file{'s' * (files != 1)}: "
        + (f"{warnings} warning{'s' * (warnings != 1)}\n" if warnings else "no problems\n")
    )
    return EXIT_OK
