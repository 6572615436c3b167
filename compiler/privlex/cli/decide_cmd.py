"""`privlex decide`: decide one use with the project's rules (the shipped ones outside any project)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from types import ModuleType
from typing import Any

from .basics import EXIT_OK, EXIT_USAGE, Finished, UsageError, examples

GROUPS = ("subject", "consent", "processing")
EXIT_BY_OUTCOME = {"permit": 0, "deny": 1, "not_applicable": 3}

EXAMPLES = examples(
    (
        "privlex decide --region DE --data content.chat --purpose ai.training --set legal_basis=consent "
        "--set consent.given=true --set consent.bundled=true",
        "the Zoom case: consent made the price of staying in the meeting",
    ),
    ("privlex decide --region US-CA --data content.audio --purpose ai.training --json", "the decision as JSON"),
    (
        "privlex decide --exit-code --region FR --data account.contact --purpose analytics && echo permitted",
        "in a script: exit 0 permit, 1 deny, 3 not applicable",
    ),
    ("privlex decide privlex:shipped/gdpr --region DE --data content.chat --purpose ai.training", "one ruleset"),
)


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
        help="another fact, e.g. consent.given=true or subject.age=14 (repeatable); booleans are "
        "true/false or 1/0, in any case, as in a CSV cell",
    )
    command.add_argument("--json", action="store_true", help="print the result as JSON")
    command.add_argument(
        "--exit-code",
        action="store_true",
        help="exit by the outcome, for scripts: 0 permit, 1 deny, 3 not applicable (2 stays a usage error)",
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "decide",
        help="decide one use with the project's rules",
        description="Decide one use with the rules of the project (its [tool.privlex] `sources`, compiled "
        "on the fly when its package is stale), or of PATHS; outside any project, with the shipped rules. "
        "Prints the outcome (permit, deny or not_applicable), the rules that decided it with their citations, "
        "and the obligations. `privlex explain` takes the same options and says why. Exit 0 for any outcome "
        "(with --exit-code: 0 permit, 1 deny, 3 not applicable); 1 when the rules have errors; 2 for an "
        "invalid use or a usage error.",
        epilog=EXAMPLES,
    )
    add_use_arguments(command)
    command.set_defaults(run=run)


def build_use(args: argparse.Namespace, package: ModuleType | None = None) -> dict[str, Any]:
    """The use described by the options; values are parsed by each fact's type in the package's DataUse."""
    from ..data.facts import catalog, parse_text
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
        value = parse_text(catalog(data_use).facts[path], raw)
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
    from .common import project_checkers  # the build: imported once the command runs, not for --help

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
    return EXIT_BY_OUTCOME[str(decision.outcome)] if args.exit_code else EXIT_OK
