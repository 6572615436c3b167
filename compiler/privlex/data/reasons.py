"""Verdicts from columnar outcomes: one `Verdict` (with its `Decision`) per distinct set of reasons.

The rows of a batch fall into few distinct verdicts: the outcome, the nodes
that are its reasons, the rulesets that applied, or the invalid row's
message. Rows are grouped by those with integer arithmetic (`encode.combine_flags`),
and each group's verdict is built once, from the program, exactly as the
runtime builds a `Decision` (`runtime.decision.settle` and `combine`):
reasons in ruleset order then source order, obligations collected along the
permitting paths, deduplicated by (ruleset, id) and ordered by ruleset id
then source order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ir
from ..runtime import Decision, Obligation, Outcome, Reason
from .deciding import Outcomes
from .encode import combine_flags
from .program import DENY, INVALID, NOT_APPLICABLE, PERMIT, Program
from .validate import Validated
from .verdicts import Verdict

_OUTCOME = {PERMIT: Outcome.PERMIT, DENY: Outcome.DENY, NOT_APPLICABLE: Outcome.NOT_APPLICABLE}


class Explainer:
    """Builds and keeps the verdicts of one program: a verdict is made once per distinct key."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.reasons: list[Reason] = []
        self.carried: list[tuple[Obligation, ...]] = []
        for ruleset, node, path in program.nodes:
            self.reasons.append(node.reason(ruleset.id))
            self.carried.append(_carried(ruleset, node, path))
        self.duties = [obligation.carried(ruleset.id, "") for ruleset, obligation in program.duties]
        self.verdicts: dict[Any, Verdict] = {}

    def verdict(
        self, code: int, leaves: tuple[int, ...], rulesets: tuple[str, ...], duties: tuple[int, ...] = ()
    ) -> Verdict:
        key = (code, leaves, rulesets, duties)
        found = self.verdicts.get(key)
        if found is not None:
            return found
        reasons = [self.reasons[number] for number in leaves]
        obligations: dict[tuple[str, str], Obligation] = {}
        if code == PERMIT:
            carried = [o for number in leaves for o in self.carried[number]]
            carried += [self.duties[number] for number in duties]
            for obligation in carried:
                kept = obligations.get((obligation.ruleset, obligation.id))
                if kept is None or obligation.order < kept.order:
                    obligations[(obligation.ruleset, obligation.id)] = obligation
        ordered = sorted(obligations.values(), key=lambda o: (o.ruleset, o.order))
        decision = Decision(_OUTCOME[code], reasons, ordered, list(rulesets))
        deciding = tuple(f"{r.ruleset}.{r.rule}" for r in reasons)
        found = Verdict(str(decision.outcome), deciding, None, None, decision)
        if len(self.verdicts) < 1 << 16:
            self.verdicts[key] = found
        return found

    def verdicts_of(self, outcomes: Outcomes, valid: Validated) -> tuple[list[Verdict], np.ndarray]:
        """The distinct verdicts of a batch, and per row the position of its verdict among them."""
        rows = valid.rows
        assert outcomes.leaves is not None and outcomes.applied is not None
        messages = valid.messages or []
        errors = valid.errors if valid.errors is not None else np.full(rows, -1, np.int32)
        applied = [(name, where) for name, where in outcomes.applied if len(where)]
        leaves = [(number, where) for number, where in outcomes.leaves if len(where)]
        duties = [(number, where) for number, where in outcomes.duties or () if len(where)]
        # one code per row for the outcome and the error, then a flag per ruleset, leaf and duty
        code = outcomes.codes.astype(np.int64) * (len(messages) + 1) + (errors.astype(np.int64) + 1)
        flags = [where for _, where in applied] + [where for _, where in leaves] + [where for _, where in duties]
        inverse, codes, matrix = combine_flags(code, 4 * (len(messages) + 1), flags)
        # The flags each distinct verdict has: the columns of its row of the matrix that are set, in order
        # (its rulesets, then its leaves, then its duties).
        count = len(codes)
        at, which = np.nonzero(matrix)
        bounds = np.searchsorted(at, np.arange(count + 1)).tolist()
        which_list = which.tolist()
        first_leaf, first_duty = len(applied), len(applied) + len(leaves)
        names_of = [name for name, _ in applied]
        numbers = [-1] * first_leaf + [number for number, _ in leaves] + [number for number, _ in duties]
        verdicts: list[Verdict] = []
        outcome_of, error_of = np.divmod(codes, len(messages) + 1)
        for index, (outcome, error) in enumerate(zip(outcome_of.tolist(), error_of.tolist(), strict=True)):
            if outcome == INVALID:
                message, field = messages[error - 1]
                verdicts.append(Verdict("invalid", (), message, field))
                continue
            set_flags = which_list[bounds[index] : bounds[index + 1]]
            names = tuple(sorted(names_of[f] for f in set_flags if f < first_leaf))
            chosen = tuple(sorted(numbers[f] for f in set_flags if first_leaf <= f < first_duty))
            held = tuple(numbers[f] for f in set_flags if f >= first_duty)
            verdicts.append(self.verdict(outcome, chosen, names, held))
        return verdicts, inverse.astype(np.int32)


def _carried(ruleset: ir.Ruleset, node: ir.Node, path: tuple[ir.Node, ...]) -> tuple[Obligation, ...]:
    """The obligations a permitting leaf carries: the ruleset's own (not on exclusions: there the law
    does not apply), then those of every permitting node on its path, in order."""
    if node.effect != "permit":
        return ()
    carried: list[Obligation] = []
    seen: set[tuple[str, str]] = set()
    carriers: list[tuple[str, tuple[ir.Obligation, ...]]] = []
    if node.kind != "exclusion":
        # the conditional ones come per row, where they hold (`Outcomes.duties`)
        carriers.append(("", tuple(o for o in ruleset.obligations if o.condition is None)))
    carriers += [(step.id, step.obligations) for step in path if step.effect == "permit"]
    for carrier, obligations in carriers:
        for obligation in obligations:
            if (carrier, obligation.id) in seen:
                continue
            seen.add((carrier, obligation.id))
            carried.append(obligation.carried(ruleset.id, carrier))
    return tuple(carried)
