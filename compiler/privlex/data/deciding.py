"""Outcomes over a batch: which rules decide each row, with the semantics of the generated `check`.

A node matches when its scope, dates, condition and its parent match; it
decides when none of its exceptions match; deny overrides permit within a
ruleset, the default decides when nothing matches, exclusions permit, and
across rulesets deny overrides permit.

Each ruleset is decided on the rows it applies to only (`Batch.part`): a
dataset's rows spread over the regions of the world, and most rulesets
cover a few percent of them, so deciding every node of every ruleset on
every row did fifteen times the work. A ruleset that applies to most rows
is decided on the whole batch (taking its rows would cost more than it
saves).

`Outcomes.leaves` holds, per row, the deciding nodes that are the reasons of
its outcome, so that a verdict (reasons, obligations, rulesets) is built once
per distinct set of them (`privlex.data.reasons`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np

from .. import ir
from .conditions import Batch
from .lookup import between, spread
from .program import DENY, INVALID, NOT_APPLICABLE, PERMIT, Program, days
from .validate import Validated

# A ruleset applying to more than this share of a batch's rows is decided on the whole batch.
_PART_SHARE = 0.6


@dataclass
class Outcomes:
    """Per row: the outcome code (PERMIT, DENY, NOT_APPLICABLE, INVALID), and on request the reasons.

    Reasons, rulesets and duties whose rows are empty are left out."""

    codes: np.ndarray  # int8
    # Rows are positions in the batch, ascending: a ruleset's leaves are set on few rows, and
    # `reasons` groups rows by them touching those rows only.
    leaves: list[tuple[int, np.ndarray]] | None = None  # (node number, rows where it is a reason)
    applied: list[tuple[str, np.ndarray]] | None = None  # (ruleset id, rows where it applies)
    # (duty number, rows whose permit carries it): conditional ruleset obligations that hold
    duties: list[tuple[int, np.ndarray]] | None = None


@dataclass
class _Ruleset:
    """One ruleset decided on its rows: `where` (None: every row of the batch) and the arrays over them."""

    ruleset: ir.Ruleset
    batch: Batch
    where: np.ndarray | None
    applies: np.ndarray  # over the whole batch
    nodes: list[tuple[ir.Node, np.ndarray]] = field(default_factory=list)  # exclusions, then deciding leaves
    excluded: np.ndarray | None = None
    denied: np.ndarray | None = None

    def whole(self, part: np.ndarray, rows: int) -> np.ndarray:
        """An array over the ruleset's rows, as one over the whole batch (False elsewhere)."""
        if self.where is None:
            return part
        found = np.zeros(rows, np.bool_)
        found[self.where[part]] = True
        return found

    def positions(self, part: np.ndarray) -> np.ndarray:
        """The rows of the batch (ascending) where an array over the ruleset's rows is true."""
        return np.flatnonzero(part) if self.where is None else self.where[part]


class _Regions:
    """A batch's region codes, its valid rows, and where rulesets' dates hold."""

    def __init__(self, batch: Batch, invalid: np.ndarray) -> None:
        self.batch = batch
        self.valid = ~invalid
        self.codes = batch.columns["region"].codes
        self.rows = batch.rows
        # by a ruleset's (start, end), shared by the rulesets in force over the same days (never changed)
        self._dated: dict[tuple[datetime.date | None, datetime.date | None], np.ndarray] = {}
        self._undated: np.ndarray | None = None  # the rows without a date (None: not looked for yet)

    def dated(self, ruleset: ir.Ruleset) -> np.ndarray | None:
        """Where the day lies within the ruleset's dates (None: everywhere). A date column coded by
        arithmetic is compared by its codes on the whole batch (one or two comparisons, no per-row day
        numbers); its null code, the last, is a row without a date: today."""
        start, end = ruleset.start, ruleset.end
        if start is None and end is None:
            return None
        batch, col = self.batch, self.batch.columns["date"]
        if col.codes is None or col.base is None:
            day = batch.day
            within = np.ones(self.rows, np.bool_)
            if start is not None:
                within &= day >= days(start)
            if end is not None:
                within &= day <= days(end)
            return within
        found = self._dated.get((start, end))
        if found is not None:
            return found
        null = len(col.entries) - 1
        first = 0 if start is None else max(days(start) - col.base, 0)
        last = null - 1 if end is None else min(days(end) - col.base, null - 1)
        found = between(col.codes, first, last) if first <= last else np.zeros(self.rows, np.bool_)
        if (start is None or start <= batch.today) and (end is None or batch.today <= end):
            if self._undated is None:
                self._undated = col.codes == null
            found |= self._undated
        self._dated[(start, end)] = found
        return found


def _rows_of(batch: Batch, ruleset: ir.Ruleset, regions: _Regions) -> Batch | np.ndarray | None:
    """The valid rows the ruleset applies to: its regions' rows, where it is in force. Either the batch of
    those rows (`Batch.part`, positions ascending), or (when they are most of the batch) a mask over the
    batch; None: no row."""
    covered = np.array(batch.covered(ruleset), np.bool_)
    if not covered.any():
        return None
    # The regions' rows by comparing the region codes (a few runs of codes; see `lookup.spread`), and
    # their positions by one scan of that mask: cheaper than sorting the rows by region. The ruleset's
    # dates are compared on the whole batch's date codes; its `applies` condition on its rows only.
    mask = regions.valid.copy() if regions.codes is None else spread(regions.codes, covered) & regions.valid
    dated = regions.dated(ruleset)
    if dated is not None:
        mask &= dated  # `dated` is shared: not changed in place
    share = np.count_nonzero(mask)  # counting a mask costs a twentieth of counting the rows by region
    if share > batch.rows * _PART_SHARE:  # most rows: deciding on a mask over the whole batch costs less
        holds = batch.holds(ruleset)
        if holds is not None:
            mask &= holds
        return mask if mask.any() else None
    where = np.flatnonzero(mask)
    if not len(where):
        return None
    part = batch.part(where)
    holds = part.holds(ruleset)
    if holds is not None and not holds.all():
        if not holds.any():
            return None
        part = part.keep(holds)  # the columns `applies` read are narrowed, not taken again
    return part


def _decide_ruleset(batch: Batch, ruleset: ir.Ruleset, rows_of: Batch | np.ndarray) -> _Ruleset:
    """A ruleset's exclusions and deciding leaves, on the rows it applies to (`_rows_of`)."""
    if isinstance(rows_of, np.ndarray):
        state = _Ruleset(ruleset, batch, None, rows_of)
        within = rows_of
    else:
        where = rows_of.where
        applies = np.zeros(batch.rows, np.bool_)
        applies[where] = True
        state = _Ruleset(ruleset, rows_of, where, applies)
        within = np.ones(len(where), np.bool_)
    part = state.batch
    count = part.rows
    excluded = np.zeros(count, np.bool_)
    for node in ruleset.exclusions:
        hit = part.matches(node, within)
        state.nodes.append((node, hit))
        excluded |= hit
    live = within & ~excluded
    deciding: list[tuple[ir.Node, np.ndarray]] = []

    def visit(node: ir.Node, within: np.ndarray) -> np.ndarray:
        """Where `node` matches; its deciding leaves go to `deciding`, in source order."""
        hit = part.matches(node, within)
        at = len(deciding)
        deciding.append((node, hit))
        if node.exceptions:
            caught = np.zeros(count, np.bool_)
            for inner in node.exceptions:
                caught |= visit(inner, hit)
            deciding[at] = (node, hit & ~caught)
        return hit

    for rule in ruleset.rules:
        visit(rule, live)
    denied = np.zeros(count, np.bool_)
    permitted = np.zeros(count, np.bool_)
    for node, hit in deciding:
        if node.effect == "deny":
            denied |= hit
        else:
            permitted |= hit
    fallback = live & ~denied & ~permitted
    deciding.append((ruleset.default, fallback))
    if ruleset.default.effect == "deny":
        denied |= fallback
    state.nodes += deciding
    state.excluded = excluded
    state.denied = denied
    return state


def decide(program: Program, valid: Validated, today: datetime.date, reasons: bool) -> Outcomes:
    """The outcome of every row, and (when `reasons`) the nodes that are its reasons."""
    batch = Batch.of(program, valid, today)
    rows = valid.rows
    any_deny = np.zeros(rows, np.bool_)
    any_applies = np.zeros(rows, np.bool_)
    states: list[_Ruleset] = []
    regions = _Regions(batch, valid.invalid)
    for ruleset in program.rulesets:
        batch.ruleset = ruleset.id
        rows_of = _rows_of(batch, ruleset, regions)
        if rows_of is None:
            continue
        state = _decide_ruleset(batch, ruleset, rows_of)
        any_applies |= state.applies
        assert state.denied is not None
        any_deny |= state.whole(state.denied, rows)
        states.append(state)
    codes = np.full(rows, NOT_APPLICABLE, np.int8)
    codes[any_applies] = PERMIT
    codes[any_deny] = DENY
    codes[valid.invalid] = INVALID
    if not reasons:
        return Outcomes(codes)
    leaves: list[tuple[int, np.ndarray]] = []
    applied: list[tuple[str, np.ndarray]] = []
    duties: list[tuple[int, np.ndarray]] = []
    for state in states:
        ruleset = state.ruleset
        assert state.excluded is not None and state.denied is not None
        applied.append((ruleset.id, np.flatnonzero(state.applies) if state.where is None else state.where))
        other_deny = any_deny if state.where is None else any_deny[state.where]
        exclusion_count = len(ruleset.exclusions)
        for position, (node, hit) in enumerate(state.nodes):
            if position < exclusion_count:
                reason = hit & ~other_deny
            elif node.effect == "deny":
                reason = hit
            else:
                reason = hit & ~state.denied & ~other_deny & ~state.excluded
            if reason.any():
                leaves.append((program.number[(ruleset.id, node.id)], state.positions(reason)))
        duties += _duties(program, state, ~state.excluded & ~state.denied & ~other_deny)
    return Outcomes(codes, leaves, applied, duties)


def _duties(program: Program, state: _Ruleset, permits: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Where each conditional obligation of the ruleset comes with the permit: the ruleset permits by a
    rule, an exception or the default (not by an exclusion), no ruleset denies, and its condition is true."""
    found: list[tuple[int, np.ndarray]] = []
    for number, (ruleset, obligation) in enumerate(program.duties):
        if ruleset is not state.ruleset:
            continue
        assert obligation.condition is not None
        state.batch.ruleset = ruleset.id  # the batch may be the whole one, shared by every ruleset
        held = permits & state.batch.condition(obligation.condition).true
        if state.where is None:
            held = held & state.applies
        if held.any():
            found.append((number, state.positions(held)))
    return found
