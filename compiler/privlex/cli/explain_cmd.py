"""`privlex explain`: why a use is permitted, denied or not applicable, rule by rule, and what would change it."""

from __future__ import annotations

import argparse
import datetime
import json

from .basics import EXIT_OK, examples
from .decide_cmd import EXIT_BY_OUTCOME, add_use_arguments, decide

EXAMPLES = examples(
    (
        "privlex explain --region DE --data content.chat --purpose ai.training --set legal_basis=consent "
        "--set consent.given=true --set consent.bundled=true",
        "why the Zoom case is denied, and what would change it",
    ),
    ("privlex explain --region DE --data content.chat --purpose ai.training --json", "the explanation as JSON"),
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "explain",
        help="explain the decision on one use, rule by rule",
        description="Decide one use as `privlex decide` does (same options), then explain it: for each ruleset "
        "whether it applied and why not; for each rule and exception its title, citations, source line, "
        "notes, the value of its condition and the facts it read; the deciding path; the obligations; and, "
        "for a deny or not_applicable, the smallest sets of fact changes that would change the outcome.",
        epilog=EXAMPLES,
    )
    add_use_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..explain import explain_valid

    package, valid, _ = decide(args)
    day = valid.date or datetime.datetime.now(datetime.UTC).date()
    explained = explain_valid(package, valid, day)
    if args.json:
        print(json.dumps(explained.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(str(explained), end="")
    return EXIT_BY_OUTCOME[str(explained.outcome)] if args.exit_code else EXIT_OK
