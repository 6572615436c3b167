"""The `privlex` command: compile, test and decide."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .diagnostics import render_all
from .outputs import compare, write_package
from .pipeline import Compilation, compile_paths, generate

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_PACKAGE = "privlex_rules"


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


def project_root(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return here


def _report(compilation: Compilation) -> None:
    text = render_all(compilation.diagnostics, compilation.sources)
    if text:
        sys.stderr.write(text)


def _compile(paths: Sequence[str]) -> Compilation:
    targets = [Path(p) for p in paths] or [project_root() / "rulesets"]
    compilation = compile_paths(targets)
    _report(compilation)
    return compilation


def cmd_compile(args: argparse.Namespace) -> int:
    compilation = _compile(args.paths)
    if compilation.program is None:
        return EXIT_FAILED
    out = Path(args.out) if args.out else project_root() / "generated"
    folder = out / args.package
    files = generate(compilation.program, args.package)
    if args.check:
        difference = compare(folder, files)
        if difference.stale:
            for label, names in (("changed", difference.changed), ("missing", difference.missing),
                                 ("no longer generated", difference.extra)):
                for name in names:
                    sys.stderr.write(f"stale: {folder / name} ({label})\n")
            sys.stderr.write("generated code is out of date: run `privlex compile`\n")
            return EXIT_FAILED
        sys.stderr.write(f"{folder} is up to date\n")
        return EXIT_OK
    try:
        difference = write_package(folder, files)
    except OSError as exc:
        raise UsageError(f"cannot write {folder}: {exc.strerror or exc}") from exc
    touched = len(difference.changed) + len(difference.missing) + len(difference.extra)
    sys.stderr.write(f"compiled {len(compilation.program.rulesets)} rulesets into {folder} "
                     f"({touched} file{'s' * (touched != 1)} changed)\n")
    return EXIT_OK


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a date written YYYY-MM-DD") from exc


def cmd_test(args: argparse.Namespace) -> int:
    from .testing import as_json, describe_case, run_tests

    compilation = _compile(args.paths)
    if compilation.program is None:
        return EXIT_FAILED
    today = _parse_date(args.today) if args.today else datetime.datetime.now(datetime.UTC).date()
    report = run_tests(compilation.program, today)
    if args.json:
        print(json.dumps(as_json(report), indent=2))
    else:
        for case, problem in report.failures:
            print(f"FAIL {describe_case(case)} ({case.span.location}): {case.title}\n     {problem}")
        if report.unexercised:
            print("\nNot exercised by any test:")
            for ruleset, node in report.unexercised:
                print(f"  {ruleset}.{node.id} ({node.kind}, {node.span.location}): {node.title}")
        print(f"\n{len(report.passed)} passed, {len(report.failures)} failed")
    if report.failures or (args.require_coverage and report.unexercised):
        return EXIT_FAILED
    return EXIT_OK


def _fact_value(raw: str, annotation: Any) -> Any:
    text = str(annotation)
    if "bool" in text:
        lowered = raw.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        return raw
    if "int" in text:
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def build_use(args: argparse.Namespace) -> dict[str, Any]:
    """The use described by decide's options; values are parsed by each fact's type."""
    from privlex_rules import DataUse

    from .runtime.validation import closest

    use: dict[str, Any] = {"region": args.region, "data": args.data, "purpose": args.purpose}
    if args.date:
        use["date"] = args.date
    for item in args.set or ():
        path, equals, raw = item.partition("=")
        path = path.strip()
        if not equals or not path:
            raise UsageError(f"--set takes FACT=VALUE, got {item!r}")
        group, _, name = path.rpartition(".")
        model = DataUse
        if group:
            field = DataUse.model_fields.get(group)
            model = field.annotation if field is not None else None  # type: ignore[assignment]
        fields = getattr(model, "model_fields", {})
        if name not in fields or (not group and name in {"subject", "consent", "processing"}):
            candidates = [f"{g}.{f}" for g, info in DataUse.model_fields.items()
                          for f in getattr(info.annotation, "model_fields", {})]
            candidates += list(DataUse.model_fields)
            hint = closest(path, candidates)
            raise UsageError(f"unknown fact {path!r}" + (f"; did you mean {hint}?" if hint else ""))
        value = _fact_value(raw, fields[name].annotation)
        (use.setdefault(group, {}) if group else use)[name] = value
    return use


def _print_decision(decision: Any) -> None:
    print(f"{decision.outcome}" + (f"  (rulesets: {', '.join(decision.rulesets)})" if decision.rulesets else
                                   "  (no shipped ruleset covers this use)"))
    for reason in decision.reasons:
        print(f"  {reason.ruleset} {reason.rule}: {reason.title}")
        print(f"      {reason.kind}, {reason.effect}; cites {'; '.join(reason.citations)}")
        print(f"      at {reason.source}")
    if decision.obligations:
        print("obligations:")
        for obligation in decision.obligations:
            print(f"  {obligation.ruleset} {obligation.id}: {obligation.text}  (from {obligation.rule})")


def cmd_decide(args: argparse.Namespace) -> int:
    from .runtime import InvalidUse

    try:
        import privlex_rules
    except ImportError as exc:
        raise UsageError("the shipped checkers are not generated yet: run `privlex compile`") from exc
    try:
        decision = privlex_rules.check(build_use(args))
    except InvalidUse as exc:
        sys.stderr.write(f"privlex: invalid use: {exc}\n")
        return EXIT_USAGE
    if args.json:
        print(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_decision(decision)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="privlex", description="A compiler for privacy law.")
    main.add_argument("--version", action="version", version=f"privlex {__version__}")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compile_ = commands.add_parser("compile", help="check rule files and generate checker modules")
    compile_.add_argument("paths", nargs="*", metavar="PATH", help="rule files or folders (default: rulesets/)")
    compile_.add_argument("--out", metavar="DIR", help="output folder (default: generated/)")
    compile_.add_argument("--package", default=DEFAULT_PACKAGE, help=f"package name (default: {DEFAULT_PACKAGE})")
    compile_.add_argument("--check", action="store_true", help="write nothing; exit 1 when the output is stale")
    compile_.set_defaults(run=cmd_compile)

    test = commands.add_parser("test", help="run the tests written in the rule files")
    test.add_argument("paths", nargs="*", metavar="PATH", help="rule files or folders (default: rulesets/)")
    test.add_argument("--today", metavar="DATE", help="the date for tests without `on` (default: today, UTC)")
    test.add_argument("--require-coverage", action="store_true",
                      help="fail when a rule, exception, exclusion or default is exercised by no test")
    test.add_argument("--json", action="store_true", help="print the report as JSON")
    test.set_defaults(run=cmd_test)

    decide = commands.add_parser("decide", help="decide one use with the shipped rulesets")
    decide.add_argument("--region", required=True, help="where the person is, e.g. DE or US-CA")
    decide.add_argument("--data", required=True, help="data category, e.g. content.chat")
    decide.add_argument("--purpose", required=True, help="purpose, e.g. ai.training")
    decide.add_argument("--date", help="date of the use, YYYY-MM-DD (default: today, UTC)")
    decide.add_argument("--set", action="append", metavar="FACT=VALUE",
                        help="another fact, e.g. consent.given=true or subject.age=14 (repeatable)")
    decide.add_argument("--json", action="store_true", help="print the decision as JSON")
    decide.set_defaults(run=cmd_decide)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        sys.stderr.write(f"privlex: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
