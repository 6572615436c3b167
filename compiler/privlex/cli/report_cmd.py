"""`privlex report`: a static HTML site of what the rules decide, for the people who sign them off."""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

from .common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_report_arguments,
    add_unit_arguments,
    compile_and_report,
    examples,
    parse_date,
    project_checkers,
    resolve_settings,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "report",
        help="write an HTML report of what the rules decide",
        description="Decide every region, data category and purpose under a baseline and named scenarios, and "
        "write a static site (no server, no network): a matrix per purpose, a page per ruleset, the vocabulary, "
        "an explanation behind every cell, and report.json with everything shown.",
    )
    command.epilog = examples(
        ("privlex report --out report", "the site for the project's rules, to open in a browser"),
        ("privlex report privlex:shipped --date 2027-06-01 --out law-2027", "the shipped law as of a day"),
    )
    add_unit_arguments(command)
    command.add_argument(
        "--out", metavar="DIR", default="report", help="the folder to write the site to (default: report)"
    )
    command.add_argument("--date", metavar="DATE", help="decide as of this day, YYYY-MM-DD (default: today, UTC)")
    add_report_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..report.build import build_report
    from ..report.site import SiteError, render_site, write_site

    started = time.perf_counter()
    day = parse_date(args.date) if args.date else datetime.datetime.now(datetime.UTC).date()
    compilation = compile_and_report(args, resolve_settings(args))
    if compilation.program is None:
        return EXIT_FAILED
    # The project's own package decides its own rules (explanations name it); rules named by PATHS are
    # compiled into a private temporary package, leaving the project's package as it is.
    package = None if args.paths else project_checkers(args, [])
    report = build_report(compilation.program, day, compilation.sources, package=package)
    files = render_site(report, compilation.sources)
    out = Path(args.out)
    try:
        write_site(files, out)
    except SiteError as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from exc
    cells = sum(len(row["cells"]) for m in report["matrices"] for t in m["tables"] for row in t["rows"])
    failing = [t for r in report["rulesets"] for t in r["tests"] if not t["passed"]]
    sys.stderr.write(
        f"wrote {len(files)} files to {out}/ ({out / 'index.html'}): {len(report['matrices'])} purposes, "
        f"{len(report['scenarios'])} scenarios, {len(report['region_classes'])} groups of places, {cells} cells, "
        f"{len(report['explanations'])} explanations, as of {day.isoformat()}, "
        f"in {time.perf_counter() - started:.1f} s\n"
    )
    if failing:
        sys.stderr.write(f"privlex: {len(failing)} test(s) of the rules fail; the report shows them\n")
    return EXIT_OK
