"""`privlex test`: run the tests written beside the rules, and report them for people or for CI."""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import TextIO

from ..diagnostics.formats import destination_is_stdout, use_color
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_report_arguments,
    add_unit_arguments,
    compile_quietly,
    examples,
    parse_date,
    resolve_settings,
)
from .files import write_output_file

EXAMPLES = examples(
    ("privlex test", "run the project's tests; the report and the summary on stderr"),
    ("privlex test --require-coverage", "also fail when a rule, exception or default is exercised by no test"),
    ("privlex test --output-format junit --output-file privlex-tests.xml", "JUnit XML for CI"),
    ("privlex test --output-format github", "annotations at each failing test's line in a GitHub workflow"),
    ("privlex test --output-format sarif > tests.sarif", "diagnostics and failing tests for code scanning"),
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ..testreport import TEST_FORMATS

    command = commands.add_parser(
        "test",
        help="run the tests written in the rule files",
        description="Check the rule files of one compilation unit, run the tests written beside the rules "
        '(`test NAME "title":` blocks) and report the failures, with what each test expected and what the '
        "rules decided, and the rules, exceptions, exclusions and defaults no test exercises. One report holds "
        "the diagnostics and the tests' results: json, sarif and junit on stdout (the summary line on "
        "stderr), the others on stderr. Exit 0: all passed; 1: errors in the rules, a test failed, or a node "
        "is not exercised under --require-coverage; 2: usage or I/O error.",
        epilog=EXAMPLES,
    )
    add_unit_arguments(command)
    command.add_argument("--today", metavar="DATE", help="the date for tests without `on` (default: today, UTC)")
    command.add_argument(
        "--require-coverage",
        action="store_true",
        help="fail when a rule, exception, exclusion or default is exercised by no test",
    )
    command.add_argument("--json", action="store_true", help="the same as --output-format json")
    add_report_arguments(
        command,
        formats=TEST_FORMATS,
        formats_help="full (default), concise, json, sarif (2.1.0), github (workflow annotations) or "
        "junit (JUnit XML: a testsuite per ruleset, a testcase per test)",
    )
    command.set_defaults(run=run)


def _write(args: argparse.Namespace, output_format: str, text: str) -> TextIO:
    """Write the report where it goes; return the stream the summary goes to."""
    if args.output_file:
        write_output_file(args.output_file, text)
        return sys.stderr
    stream = sys.stdout if destination_is_stdout(output_format) else sys.stderr
    stream.write(text)
    stream.flush()
    return sys.stderr


def run(args: argparse.Namespace) -> int:
    from ..testreport import TestRun, format_report, summary
    from ..testrunner import GeneratedPackage, run_tests
    from ..verify.run import check_properties

    output_format = "json" if args.json else args.output_format
    if args.json and args.output_format not in ("full", "json"):
        raise UsageError(f"--json and --output-format {args.output_format} ask for two reports: give one")
    settings = resolve_settings(args)
    today = parse_date(args.today) if args.today else datetime.datetime.now(datetime.UTC).date()
    checked = compile_quietly(args, settings)
    program = checked.program
    report, properties = None, None
    if program is not None:
        # one generated package for the written tests and the properties' counterexamples
        with GeneratedPackage(program) as package:
            report = run_tests(program, today, package)
            properties = check_properties(program, today, package, checked.move)
    test_run = TestRun(checked.diagnostics, checked.sources, report, args.require_coverage, checked.move, properties)
    color = output_format == "full" and not args.output_file and use_color(args.color, sys.stderr)
    text = format_report(output_format, test_run, color=color)
    summary_stream = _write(args, output_format, text)
    if text and output_format in ("full", "concise") and not args.output_file:
        summary_stream.write("\n")
    if program is None and not checked.compilation.failed and output_format == "full":
        summary_stream.write("privlex: warnings are errors in this run (--warnings-as-errors)\n")
    summary_stream.write(summary(test_run))
    if any(d.code == "E001" for d in checked.diagnostics):
        return EXIT_USAGE
    if report is None or report.failures or (args.require_coverage and report.unexercised):
        return EXIT_FAILED
    if properties is not None and properties.failed:
        return EXIT_FAILED
    return EXIT_OK
