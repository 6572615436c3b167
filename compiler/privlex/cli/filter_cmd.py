"""`privlex filter`: keep the rows of a JSONL, CSV or Parquet dataset whose use the rules permit."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from .basics import EXIT_FAILED, EXIT_OK, UsageError, examples, parse_date


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "filter",
        help="keep the rows of a dataset whose use the rules permit",
        description="Keep the rows of a JSONL, CSV or Parquet dataset whose use the rules permit. "
        "Exit 0: done, no invalid rows; 1: done, some rows invalid (excluded and reported); "
        "2: usage, I/O or schema error (nothing written). Decides with the project's rules, like decide. "
        "Needs privlex's arrow extra (pyarrow, numpy, tqdm).",
        epilog=examples(
            ("privlex filter chats.jsonl --out kept.jsonl --set purpose=ai.training", "keep the permitted rows"),
            (
                "privlex filter calls.parquet --out kept.parquet --map region=country --decisions log.parquet",
                "read the region from column country; log every row's decision",
            ),
            ("privlex filter rows.csv --out kept.csv --rules privlex:shipped/gdpr", "decide with one shipped ruleset"),
        ),
    )
    command.add_argument(
        "input",
        metavar="INPUT",
        help="the dataset: .jsonl, .csv or .parquet (also .gz or .zst), a folder or glob of Parquet files, "
        "or - for standard input",
    )
    command.add_argument(
        "--out", required=True, metavar="KEPT", help="where the kept rows go (same format; - for stdout)"
    )
    command.add_argument(
        "--decisions",
        metavar="LOG",
        help="log every row's decision: Parquet if LOG ends in .parquet, else JSON lines (.gz, .zst compressed; "
        "- for stdout)",
    )
    command.add_argument(
        "--id-column", metavar="COLUMN", help="copy this column (a business key) into the decisions log"
    )
    command.add_argument("--summary-json", metavar="FILE", help="write the run's summary (counts, reasons) as JSON")
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
        "--format", choices=("jsonl", "csv", "parquet"), help="the input's format (default: from its name)"
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
    shown = command.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="no progress bar and no summary, only errors")
    shown.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is no terminal")
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


def _bar(enabled: bool) -> Any:
    """A tqdm progress bar on stderr with rate and ETA (tqdm: small, no dependencies, handles terminals)."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=None, unit=" rows", unit_scale=True, file=sys.stderr, desc="privlex filter", leave=False)


def run(args: argparse.Namespace) -> int:
    from .. import collector

    with collector.paused():  # the data path's modules, imported once and kept: nothing to collect
        from ..data.facts import load_package, package_catalog, parse_assignments
        from ..data.filter import Options, ReadError, WriteError, render
        from ..data.filter import run as filter_rows
        from ..data.validate import Facts

    if args.package is None:
        from .common import project_checkers  # the build: only when no --package names the checkers

        args.package = project_checkers(args, args.rules).__name__
    try:
        package = load_package(args.package)
        catalog = package_catalog(package)
    except ImportError as exc:
        raise UsageError(f"cannot import the checkers {args.package or 'privlex_rules'}: {exc}") from exc
    try:
        constants = parse_assignments(args.set, catalog)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    facts = Facts(package)
    for fact, value in constants.items():  # one usage error, not one invalid row per row
        _, problem = facts.probe(fact, value)
        if problem is not None:
            raise UsageError(f"--set {fact}={value}: {problem.render()}")
    bar = _bar(not args.quiet and (args.progress or sys.stderr.isatty()))

    def progress(rows: int, position: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
            bar.unit, bar.unit_scale, bar.unit_divisor = ("B", True, 1024) if total != rows else (" rows", True, 1000)
        bar.n = position if total is not None else rows
        bar.set_postfix_str(f"{rows:,} rows", refresh=False)
        bar.refresh()

    options = Options(
        input=args.input,
        out=args.out,
        decisions=args.decisions,
        format=args.format,
        mapping=_mapping(args.map),
        constants=constants,
        allow_uncovered=args.allow_uncovered,
        package=args.package,
        today=parse_date(args.today) if args.today else None,
        id_column=args.id_column,
        summary_json=args.summary_json,
        progress=progress if bar is not None else None,
    )
    if args.input == "-" and args.format is None:
        raise UsageError("reading standard input needs --format jsonl or csv")
    handlers = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        report = filter_rows(options)
    except (ReadError, WriteError) as exc:
        raise UsageError(str(exc)) from exc
    finally:
        for sig, previous in handlers.items():
            signal.signal(sig, previous)
        if bar is not None:
            bar.close()
    if not args.quiet:
        sys.stderr.write(render(report, options))
    return EXIT_FAILED if report.counts["invalid"] else EXIT_OK


__all__ = ["Path", "register", "run"]
