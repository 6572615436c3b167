"""`privlex verify`: prove the unit's properties for every use, and run the lints that need a solver."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

from .. import collector, ir
from ..diagnostics import Diagnostic
from ..diagnostics.formats import destination_is_stdout
from ..pipeline import Compilation
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_report_arguments,
    add_unit_arguments,
    check_stdout_free,
    compile_and_report,
    examples,
    parse_date,
    rebaser,
    resolve_settings,
    run_targets,
)

if TYPE_CHECKING:
    from ..verify.solve import Symbolic

# Seconds the solver may spend on one question (as privlex.verify.solve, which needs z3 to import).
DEFAULT_TIMEOUT = 30.0


def add_timeout_argument(command: argparse.ArgumentParser) -> None:
    """--timeout, shared by `privlex verify` and `privlex diff`."""
    command.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on one question to the solver after this long (default {DEFAULT_TIMEOUT:g})",
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "verify",
        help="prove the properties written in the rule files for every possible use",
        description="Check every `property` of a compilation unit over every possible use (not just the tests), "
        "printing a counterexample for each that fails, and report the lints that need a solver: nodes that "
        "never match or never decide, permits always overridden, defaults never used.",
    )
    command.epilog = examples(
        ("privlex verify", "check every property of the project's rules, and the solver lints"),
        ("privlex verify --property no_child_consent_training", "check one property"),
        ("privlex verify privlex:shipped --no-lints", "the shipped law's properties only"),
    )
    add_unit_arguments(command)
    command.add_argument(
        "--property",
        action="append",
        metavar="ID",
        help="check only this property (`id`, or `ruleset.id` inside a ruleset); repeatable",
    )
    add_timeout_argument(command)
    command.add_argument("--no-lints", action="store_true", help="check the properties only")
    command.add_argument(
        "--today", metavar="DATE", help="the date counterexamples prefer, YYYY-MM-DD (default: today, UTC)"
    )
    command.add_argument("--json", action="store_true", help="print the property results as JSON")
    add_report_arguments(command)
    command.set_defaults(run=run)


def solver_missing(command: str = "privlex verify") -> str | None:
    """What to install, naming the command that needs it, when the solver is not installed."""
    try:
        import z3  # noqa: F401
    except ImportError:
        return f"{command} needs the solver: pip install 'privlex[verify]' (z3-solver)"
    return None


def solver_lints(
    args: argparse.Namespace, compiled: list[Symbolic] | None = None
) -> Callable[[Compilation], list[Diagnostic]]:
    """The solver lints of a compiled unit, for `compile_and_report`; a usage error without the solver.

    `compiled` receives the program compiled for the solver, so that the
    properties are proved on it rather than on a second copy.
    """
    if problem := solver_missing(
        "privlex verify" if getattr(args, "command", "verify") == "verify" else f"privlex {args.command} --lint"
    ):
        raise UsageError(problem)
    from ..verify.lints import lint_program
    from ..verify.solve import SolverTimeout, Symbolic

    def lints(compilation: Compilation) -> list[Diagnostic]:
        if compilation.program is None:
            return []
        symbolic = Symbolic.of(compilation.program, getattr(args, "timeout", DEFAULT_TIMEOUT))
        if compiled is not None:
            compiled.append(symbolic)
        try:
            return lint_program(symbolic)
        except SolverTimeout as exc:
            sys.stderr.write(f"privlex: lints skipped: {exc} (raise --timeout)\n")
            return []

    return lints


class Checkers:
    """The unit's generated checkers, generated and imported when a counterexample first needs them.

    A run where every property holds re-decides nothing, and generating the
    package costs more than proving ten properties over the shipped library.
    """

    def __init__(self, program: ir.Program, stack: contextlib.ExitStack) -> None:
        self._program = program
        self._stack = stack
        self._package: ModuleType | None = None

    def __call__(self) -> ModuleType:
        from ..testrunner import GeneratedPackage

        if self._package is None:
            self._package = self._stack.enter_context(GeneratedPackage(self._program))
        return self._package


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.json:
        check_stdout_free(args, "--json")
    if problem := solver_missing():
        raise UsageError(problem)
    # A usage error before the compiler and the lints have run and printed their findings.
    today = parse_date(args.today) if args.today else datetime.datetime.now(datetime.UTC).date()
    # Everything this command builds lives to its end: the program, its solver
    # formulas, the generated checkers. A full collection walking all of it
    # cost 0.7-0.8 s of about 6 on the shipped library, and found nothing.
    with collector.paused():
        return _verify(args, today)


def _verify(args: argparse.Namespace, today: datetime.date) -> int:
    from ..verify import explain
    from ..verify.properties import check_properties

    compiled: list[Symbolic] = []
    lints = solver_lints(args, compiled) if not args.no_lints else None
    settings = resolve_settings(args)
    compilation = compile_and_report(args, settings, lints)
    program = compilation.program
    if program is None:
        return EXIT_FAILED
    known = {p.name for p in program.properties} | {p.id for p in program.properties}
    unknown = [name for name in args.property or () if name not in known]
    if unknown:
        raise UsageError(f"no property {', '.join(unknown)} in this unit")
    with contextlib.ExitStack() as stack:
        symbolic = compiled[0] if compiled else None
        only = args.property or ()
        results = check_properties(
            program, Checkers(program, stack), timeout=args.timeout, today=today, only=only, symbolic=symbolic
        )
    # Paths as the diagnostics show them: relative to the current folder.
    move = rebaser(run_targets(settings))
    # The report goes to stdout, unless JSON or SARIF diagnostics are written there.
    stream = sys.stderr if destination_is_stdout(args.output_format) and not args.output_file else sys.stdout
    if args.json:
        print(json.dumps({"properties": explain.as_json(results, move)}, indent=2, ensure_ascii=False))
    elif results:
        stream.write(explain.as_text(results, move))
    else:
        stream.write("no properties to check: write `property` blocks in the rule files (see docs/verification.md)\n")
    if any(r.failed for r in results):
        return EXIT_FAILED
    return EXIT_OK
