"""Lints that need the solver: nodes that never match or never decide, defaults never used.

Each is a warning with its own code (W6xx), found by asking whether some
use makes the node match or decide; "never" here means for no use at all
in the space (see space.py), not just for the tests written.
"""

from __future__ import annotations

import z3

from .. import ir
from ..diagnostics import Diagnostic, warning
from .encode import RulesetTerms
from .solve import Solver, Symbolic
from .space import Term


def lint_ruleset(solver: Solver, terms: RulesetTerms) -> list[Diagnostic]:
    ruleset = terms.ruleset
    found: list[Diagnostic] = []
    if not solver.holds(terms.applies):
        found.append(
            warning(
                "W605",
                f"ruleset {ruleset.id} can never apply: no use lies in its regions and dates and meets its "
                "applicability condition",
                ruleset.span,
                help="check `covers`, `from`, `until` and `applies when`",
            )
        )
        return found
    silent: set[str] = set()  # nodes under one that never matches: reported once, at the top
    for node, parents in ruleset.walk():
        if node.kind == "default" or any(p.id in silent for p in parents):
            continue
        # A node that decides some use matches, fires and is not overridden there: one question
        # clears it of every lint below, and clears almost every node of a sound ruleset.
        if solver.holds(terms.decides[node.id]):
            continue
        if not solver.holds(terms.matches[node.id]):
            silent.add(node.id)
            where = f"under {parents[-1].id}" if parents else "in the ruleset"
            found.append(
                warning(
                    "W601",
                    f"{node.kind} {node.id} can never match: no use meets its scope, dates and condition {where}",
                    node.span,
                    help="the conditions of a node and of the nodes enclosing it must all hold at once; "
                    "an exclusion that holds also keeps every rule from matching",
                )
            )
            continue
        if node.kind == "exclusion":
            continue
        if node.exceptions and not solver.holds(terms.fires[node.id]):
            always = [e.id for e in node.exceptions if not solver.holds(terms.matches[node.id], _unmatched(terms, e))]
            culprit = f"exception {always[0]} matches" if always else "one of its exceptions matches"
            found.append(
                warning(
                    "W602",
                    f"{node.kind} {node.id} can never decide itself: whenever it matches, {culprit}",
                    node.span,
                    help="narrow the exception, or write its effect on the node itself",
                )
            )
            continue
        if node.effect == "permit" and solver.holds(terms.fires[node.id]):  # fires, and never decides
            found.append(
                warning(
                    "W603",
                    f"{node.kind} {node.id} can never permit: whenever it would, a deny of ruleset "
                    f"{ruleset.id} overrides it",
                    node.span,
                    help="a deny always overrides a permit; make the permit an exception of the deny it is "
                    "meant to lift",
                )
            )
    if not solver.holds(terms.decides[ruleset.default.id]):
        found.append(
            warning(
                "W604",
                f"the default of ruleset {ruleset.id} is never used: some rule or exclusion decides every use "
                "the ruleset applies to",
                ruleset.default.span,
                help="remove the rule that decides everything, or narrow it",
            )
        )
    return found


def _unmatched(terms: RulesetTerms, exception: ir.Node) -> Term:
    return z3.Not(terms.matches[exception.id])


def lint_program(symbolic: Symbolic) -> list[Diagnostic]:
    """Every solver lint of every ruleset, in source order.

    Each ruleset is asked on a solver of its own holding the space's
    constraints alone: the lints read a ruleset's own formulas, never the
    labels of the whole program's decision, and `symbolic.solver`'s
    definitions of those labels made each question about four times slower
    (issue 14; the answers are the same, the definitions only name formulas).
    """
    found: list[Diagnostic] = []
    for ruleset in symbolic.program.rulesets:
        solver = Solver(symbolic.space, symbolic.solver.timeout)
        found += lint_ruleset(solver, symbolic.decisions.rulesets[ruleset.id])
    return sorted(found, key=lambda d: (d.span.file, d.span.line, d.span.column) if d.span else ("", 0, 0))
