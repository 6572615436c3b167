"""`privlex test`: run the tests written beside the rules, and report coverage."""

from __future__ import annotations

import argparse
import datetime
import json

from .common import (
    EXIT_FAILED,
    EXIT_OK,
    add_report_arguments,
    add_unit_arguments,
    check_stdout_free,
    compile_and_report,
    parse_date,
    resolve_settings,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("test", help="run the tests written in the rule files")
    add_unit_arguments(command)
    command.add_argument("--today", metavar="DATE", help="the date for tests without `on` (default: today, UTC)")
    command.add_argument(
        "--require-coverage",
        action="store_true",
        help="fail when a rule, exception, exclusion or default is exercised by no test",
    )
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    add_report_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..testrunner import as_json, describe_case, run_tests
    from ..verify.run import check_properties

    if args.json:
        check_stdout_free(args, "--json")
    compilation = compile_and_report(args, resolve_settings(args))
    if compilation.program is None:
        return EXIT_FAILED
    today = parse_date(args.today) if args.today else datetime.datetime.now(datetime.UTC).date()
    report = run_tests(compilation.program, today)
    properties = check_properties(compilation.program, today)
    if args.json:
        print(json.dumps({**as_json(report), **({"properties": properties.json} if properties else {})}, indent=2))
    else:
        for case, problem in report.failures:
            print(f"FAIL {describe_case(case)} ({case.span.location}): {case.title}\n     {problem}")
        if report.unexercised:
            print("\nNot exercised by any test:")
            for ruleset, node in report.unexercised:
                print(f"  {ruleset}.{node.id} ({node.kind}, {node.span.location}): {node.title}")
        print(f"\n{len(report.passed)} passed, {len(report.failures)} failed")
        if properties:
            print("\n" + properties.text, end="")
    if report.failures or (properties and properties.failed) or (args.require_coverage and report.unexercised):
        return EXIT_FAILED
    return EXIT_OK
