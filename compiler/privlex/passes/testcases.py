"""Pass 6: tests written beside the rules -> test cases (inputs and expectations) of the IR."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from .. import ir
from ..diagnostics import Diagnostic, did_you_mean, duplicate, error
from ..source import SHIPPED_PREFIX
from ..syntax import nodes as n
from .typecheck import Typer, check_id, parse_date


def node_ids(ruleset: ir.Ruleset) -> list[str]:
    """Every id a test may name in `by`: nodes, nested exceptions, `default`."""
    return [node.id for node, _ in ruleset.walk()]


def obligation_ids(ruleset: ir.Ruleset) -> set[str]:
    carried = {obligation.id for node, _ in ruleset.walk() for obligation in node.obligations}
    return carried | {obligation.id for obligation in ruleset.obligations}


def _use(test: n.Test, typer: Typer) -> dict[str, object]:
    use: dict[str, object] = {}
    for assignment in test.given:
        fact = typer.fact(assignment.fact)
        if fact is None:
            continue
        value: object
        if assignment.value is None:
            if fact.kind != "boolean":
                typer.report(
                    "E502",
                    f"{fact.path} needs a value here; only a true-or-false fact may stand alone",
                    assignment.span,
                    help=f"write `{fact.path} VALUE`",
                )
                continue
            value = True
        elif fact.kind in ("data", "purpose") and isinstance(assignment.value, n.NameValue):
            value = typer.key(assignment.value, fact.kind, allow_abstract=False)
        elif fact.kind == "region" and isinstance(assignment.value, n.RegionValue):
            value = typer.region(assignment.value.code, assignment.value.span, allow_groups=False)
        else:
            value = typer.scalar(fact, assignment.value, parameters=False)
        if value is None:
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        group, _, name = fact.path.rpartition(".")
        holder = use.setdefault(group, {}) if group else use
        assert isinstance(holder, dict)
        if name in holder:
            typer.report("E502", f"{fact.path} is given twice", assignment.span)
        holder[name] = value
    return use


def _names(ruleset: ir.Ruleset | None, rulesets: Sequence[ir.Ruleset]) -> tuple[list[str], set[str]]:
    """What a test of this ruleset (None: a top-level test) may name: in `by`, and as obligations."""
    if ruleset is not None:
        return node_ids(ruleset), obligation_ids(ruleset)
    known = [f"{r.id}.{i}" for r in rulesets for i in node_ids(r)]
    obligations = {f"{r.id}.{o}" for r in rulesets for o in obligation_ids(r)} | {
        o for r in rulesets for o in obligation_ids(r)
    }
    return known, obligations


def _expectations(
    test: n.Test, ruleset: ir.Ruleset | None, names: tuple[list[str], set[str]], typer: Typer
) -> tuple[ir.Expectation, ...]:
    known, obligations = names
    found: list[ir.Expectation] = []
    for expectation in test.expectations:
        for name in expectation.by or ():
            if name.text not in known:
                where = f"of ruleset {ruleset.id}" if ruleset else "of any ruleset (write ruleset.rule)"
                typer.report(
                    "E501",
                    f"test {test.id.text} expects a decision by {name.text}, which is not a rule, "
                    f"exception or exclusion {where}",
                    name.span,
                    did_you_mean(name.text, known),
                )
        for name in expectation.obligations or ():
            if name.text not in obligations:
                typer.report(
                    "E501",
                    f"test {test.id.text} expects obligation {name.text}, which no node carries",
                    name.span,
                    did_you_mean(name.text, obligations),
                )
        found.append(
            ir.Expectation(
                outcome=expectation.outcome,
                by=tuple(x.text for x in expectation.by) if expectation.by is not None else None,
                obligations=tuple(x.text for x in expectation.obligations)
                if expectation.obligations is not None
                else None,
                span=expectation.span,
            )
        )
    if not found:
        typer.report(
            "E207",
            f"test {test.id.text} expects nothing",
            test.id.span,
            help="add a line such as `expect deny by consent.bundled`",
        )
    return tuple(found)


def build_tests(
    files: Sequence[n.File], rulesets: Sequence[ir.Ruleset], vocabulary: ir.Vocabulary
) -> tuple[list[ir.TestCase], list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    typer = Typer(vocabulary, diagnostics)
    by_id = {r.id: r for r in rulesets}
    cases: list[ir.TestCase] = []
    seen: dict[tuple[str | None, str], n.Name] = {}
    # Walked once per ruleset, not once per test: the shipped rulesets hold hundreds of tests.
    names: dict[str | None, tuple[list[str], set[str]]] = {}
    for file in files:
        # The shipped library's top-level tests describe the shipped unit as a whole; a project
        # that builds on it (and may add rulesets) runs the shipped rulesets' own tests only.
        shipped = file.path.startswith(SHIPPED_PREFIX)
        owned: list[tuple[str | None, n.Test]] = [
            (None, d) for d in file.declarations if isinstance(d, n.Test) and not shipped
        ]
        owned += [(r.id.text, t) for r in file.declarations if isinstance(r, n.Ruleset) for t in r.tests]
        for owner, test in owned:
            if not check_id(test.id, "test", diagnostics):
                continue
            first = seen.get((owner, test.id.text))
            if first is not None:
                diagnostics.append(duplicate(f"test {test.id.text}", first.span, test.id.span))
                continue
            seen[(owner, test.id.text)] = test.id
            ruleset = by_id.get(owner) if owner else None
            if owner and ruleset is None:
                continue  # the ruleset itself failed to build and was reported
            if len(test.dates) > 1:
                diagnostics.append(
                    error("E206", f"test {test.id.text} has more than one `on` date", test.dates[1].span)
                )
            day = parse_date(test.dates[0], diagnostics) if test.dates else None
            if owner not in names:
                names[owner] = _names(ruleset, rulesets)
            cases.append(
                ir.TestCase(
                    id=test.id.text,
                    title=test.title,
                    ruleset=owner,
                    span=test.id.span,
                    day=day,
                    use=_use(test, typer),
                    expectations=_expectations(test, ruleset, names[owner], typer),
                )
            )
    return cases, diagnostics
