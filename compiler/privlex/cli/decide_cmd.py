"""`privlex decide`: decide one use with the project's rules (the shipped ones outside any project)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from types import ModuleType
from typing import Any

from .common import EXIT_OK, EXIT_USAGE, Finished, UsageError, project_checkers

GROUPS = ("subject", "consent", "processing")


def add_use_arguments(command: argparse.ArgumentParser) -> None:
    """The options that describe one use and the rules to decide it with (decide, explain)."""
    command.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="the rules to decide with: rule files or folders, privlex:shipped or privlex:shipped/NAME "
        "(default: the project's `sources` in [tool.privlex]; outside any project, the shipped rules)",
    )
    command.add_argument(
        "--config", metavar="FILE", help="the pyproject.toml to read [tool.privlex] from (default: the nearest one)"
    )
    command.add_argument("--region", required=True, help="where the person is, e.g. DE or US-CA")
    command.add_argument("--data", required=True, help="data category, e.g. content.chat")
    command.add_argument("--purpose", required=True, help="purpose, e.g. ai.training")
    command.add_argument("--date", help="date of the use, YYYY-MM-DD (default: today, UTC)")
    command.add_argument(
        "--set",
        action="append",
        metavar="FACT=VALUE",
        help="another fact, e.g. consent.given=true or subject.age=14 (repeatable)",
    )
    command.add_argument("--json", action="store_true", help="print the result as JSON")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "decide",
        help="decide one use with the project's rules",
        description="Decide one use with the rules of the project (its [tool.privlex] `sources`, compiled "
        "on the fly when its package is stale), or of PATHS; outside any project, with the shipped rules. "
        "`privlex explain` takes the same options and says why.",
    )
    add_use_arguments(command)
    command.set_defaults(run=run)


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


def build_use(args: argparse.Namespace, package: ModuleType | None = None) -> dict[str, Any]:
    """The use described by the options; values are parsed by each fact's type in the package's DataUse."""
    from ..runtime.suggest import closest

    data_use = (package or importlib.import_module("privlex_rules")).DataUse
    use: dict[str, Any] = {"region": args.region, "data": args.data, "purpose": args.purpose}
    if args.date:
        use["date"] = args.date
    for item in args.set or ():
        path, equals, raw = item.partition("=")
        path = path.strip()
        if not equals or not path:
            raise UsageError(f"--set takes FACT=VALUE, got {item!r}")
        group, _, name = path.rpartition(".")
        model = data_use
        if group:
            field = data_use.model_fields.get(group)
            model = field.annotation if field is not None else None
        fields = getattr(model, "model_fields", {})
        groups = {g for g, info in data_use.model_fields.items() if hasattr(info.annotation, "model_fields")}
        if name not in fields or (not group and name in groups):
            candidates = [
                f"{g}.{f}"
                for g, info in data_use.model_fields.items()
                for f in getattr(info.annotation, "model_fields", {})
            ]
            candidates += [f for f in data_use.model_fields if f not in groups]
            hint = closest(path, candidates)
            raise UsageError(f"unknown fact {path!r}" + (f"; did you mean {hint}?" if hint else ""))
        value = _fact_value(raw, fields[name].annotation)
        (use.setdefault(group, {}) if group else use)[name] = value
    return use


def package_label(package: ModuleType) -> dict[str, str]:
    return {"package": package.__name__, "source_hash": f"sha256:{package.SOURCE_HASH}"}


def _print_decision(decision: Any, package: ModuleType) -> None:
    print(
        f"{decision.outcome}"
        + (
            f"  (rulesets: {', '.join(decision.rulesets)})"
            if decision.rulesets
            else f"  (no ruleset of {package.__name__} covers this use)"
        )
    )
    for reason in decision.reasons:
        print(f"  {reason.ruleset} {reason.rule}: {reason.title}")
        print(f"      {reason.kind}, {reason.effect}; cites {'; '.join(reason.citations)}")
        print(f"      at {reason.source}")
    if decision.obligations:
        print("obligations:")
        for obligation in decision.obligations:
            carrier = obligation.rule or f"every permit of {obligation.ruleset}"
            print(f"  {obligation.ruleset} {obligation.id}: {obligation.text}  (from {carrier})")
    print(f"decided with {package.__name__} (sha256:{package.SOURCE_HASH[:12]}); `privlex explain` says why")


def decide(args: argparse.Namespace) -> tuple[ModuleType, Any, Any]:
    """(package, validated use, decision) for the options; invalid input exits 2."""
    from ..runtime import InvalidUse

    package = project_checkers(args, getattr(args, "paths", None) or ())
    try:
        valid = package.DataUse.from_input(build_use(args, package))
        return package, valid, package.check(valid)
    except InvalidUse as exc:
        sys.stderr.write(f"privlex: invalid use: {exc}\n")
        raise Finished(EXIT_USAGE) from exc


def run(args: argparse.Namespace) -> int:
    package, _, decision = decide(args)
    if args.json:
        print(json.dumps({**package_label(package), **decision.to_dict()}, indent=2, ensure_ascii=False))
    else:
        _print_decision(decision, package)
    return EXIT_OK
