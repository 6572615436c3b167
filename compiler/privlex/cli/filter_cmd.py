"""`privlex filter`: keep the rows of a JSONL, CSV or Parquet dataset whose use the rules permit."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from .common import EXIT_FAILED, EXIT_OK, UsageError, parse_date, project_checkers


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "filter",
        help="keep the rows of a dataset whose use the rules permit",
        description="Keep the rows of a JSONL, CSV or Parquet file whose use the rules permit. "
        "Exit 0: done, no invalid rows; 1: done, some rows invalid (excluded and reported); "
        "2: usage, I/O or schema error (nothing written).",
    )
    command.add_argument("input", metavar="INPUT", help="the dataset: .jsonl, .csv or .parquet")
    command.add_argument("--out", required=True, metavar="KEPT", help="where the kept rows go (same format)")
    command.add_argument("--decisions", metavar="LOG", help="write one JSON line per row: outcome, rules, error")
    command.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FACT=COLUMN",
        help="read a fact from another column, e.g. region=country (repeatable)",
    )
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FACT=VALUE",
        help="fix a fact for every row, overriding any column, e.g. purpose=ai.training",
    )
    command.add_argument(
        "--allow-uncovered", action="store_true", help="keep rows that no ruleset covers (not applicable)"
    )
    command.add_argument(
        "--format", choices=("jsonl", "csv", "parquet"), help="the input's format (default: from its extension)"
    )
    command.add_argument(
        "--package",
        help="an importable generated package to decide with (default: the project's package, compiled when "
        "stale; outside any project, the shipped privlex_rules)",
    )
    command.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="PATH",
        help="decide with these rule files or folders, or privlex:shipped[/NAME], instead of the project's sources",
    )
    command.add_argument("--config", metavar="FILE", help="the pyproject.toml of the project (default: the nearest)")
    command.add_argument("--today", metavar="DATE", help="the date of rows without one (default: today, UTC)")
    command.set_defaults(run=run)


def _mapping(items: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items:
        fact, equals, column = item.partition("=")
        if not equals or not fact.strip() or not column:
            raise UsageError(f"--map takes FACT=COLUMN, got {item!r}")
        mapping[fact.strip()] = column
    return mapping


def _terminate(signum: int, frame: FrameType | None) -> Any:
    raise KeyboardInterrupt  # unwinds through the run, which removes its partial outputs


def run(args: argparse.Namespace) -> int:
    from ..data.facts import load_package, package_catalog, parse_assignments
    from ..data.filter import Options, ReadError, render
    from ..data.filter import run as filter_rows

    if args.package is None:
        args.package = project_checkers(args, args.rules).__name__
    try:
        catalog = package_catalog(load_package(args.package))
    except ImportError as exc:
        raise UsageError(f"cannot import the checkers {args.package or 'privlex_rules'}: {exc}") from exc
    try:
        constants = parse_assignments(args.set, catalog)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    options = Options(
        input=Path(args.input),
        out=Path(args.out),
        decisions=Path(args.decisions) if args.decisions else None,
        format=args.format,
        mapping=_mapping(args.map),
        constants=constants,
        allow_uncovered=args.allow_uncovered,
        package=args.package,
        today=parse_date(args.today) if args.today else None,
        progress=sys.stderr.isatty(),
    )
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        report = filter_rows(options)
    except ReadError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.stderr.write(render(report, options))
    return EXIT_FAILED if report.counts["invalid"] else EXIT_OK
