"""`privlex decide`: decide one use with the shipped rulesets."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..runtime.text import boolean_text, integer_text
from .common import EXIT_OK, EXIT_USAGE, UsageError


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("decide", help="decide one use with the shipped rulesets")
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
    command.add_argument("--json", action="store_true", help="print the decision as JSON")
    command.set_defaults(run=run)


def _fact_value(raw: str, annotation: Any) -> Any:
    """A --set value read by the fact's type, with the spellings every text input shares.

    Booleans are true/false/1/0 and numbers are ASCII digits (privlex.runtime.text);
    any other text is passed on as text, for validation to reject with its message.
    """
    text = str(annotation)
    if "bool" in text:
        truth = boolean_text(raw)
        return raw if truth is None else truth
    if "int" in text:
        number = integer_text(raw)
        return raw if number is None else number
    return raw


def build_use(args: argparse.Namespace) -> dict[str, Any]:
    """The use described by decide's options; values are parsed by each fact's type."""
    from privlex_rules import DataUse

    from ..runtime.suggest import closest

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
            candidates = [
                f"{g}.{f}"
                for g, info in DataUse.model_fields.items()
                for f in getattr(info.annotation, "model_fields", {})
            ]
            candidates += list(DataUse.model_fields)
            hint = closest(path, candidates)
            raise UsageError(f"unknown fact {path!r}" + (f"; did you mean {hint}?" if hint else ""))
        value = _fact_value(raw, fields[name].annotation)
        (use.setdefault(group, {}) if group else use)[name] = value
    return use


def _print_decision(decision: Any) -> None:
    print(
        f"{decision.outcome}"
        + (
            f"  (rulesets: {', '.join(decision.rulesets)})"
            if decision.rulesets
            else "  (no shipped ruleset covers this use)"
        )
    )
    for reason in decision.reasons:
        print(f"  {reason.ruleset} {reason.rule}: {reason.title}")
        print(f"      {reason.kind}, {reason.effect}; cites {'; '.join(reason.citations)}")
        print(f"      at {reason.source}")
    if decision.obligations:
        print("obligations:")
        for obligation in decision.obligations:
            print(f"  {obligation.ruleset} {obligation.id}: {obligation.text}  (from {obligation.rule})")


def run(args: argparse.Namespace) -> int:
    from ..runtime import InvalidUse

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
