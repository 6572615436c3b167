"""The semantic diff: every change in decisions between two versions of the rules.

Both versions are compiled to formulas over one space (the uses both
accept). A change is a pair (old decision, new decision), each an outcome
with its reasons; the uses it happens to are described as a few cubes (see
cubes.py). A cube is read "the uses here that the old rules decided X are
now decided Y": the old decision does part of the describing, so a cube
names only what it must.

Changes in outcome are listed first, then changes in reasons alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3

from .. import ir
from ..explain.words import condition_text
from .covering import DESCRIBING, Cover, cover
from .cubes import Cube
from .encode import OUTCOMES, Decisions, encode
from .processes import Workers
from .solve import DEFAULT_TIMEOUT, Solver, Verdict, verdict
from .space import Space, Term

# At most this many regions are listed for one change.
CUBES_PER_CHANGE = 6
# At most this many changes are listed.
DEFAULT_LIMIT = 100


@dataclass
class Change:
    """Uses whose outcome goes from `old.outcome` to `new.outcome`, losing the reasons
    `old.reasons` and gaining `new.reasons` (all of them when the outcome changes)."""

    old: Verdict
    new: Verdict
    cubes: list[Cube] = field(default_factory=list)
    more: bool = False  # more uses change this way than the cubes listed
    # A ruleset that only one version has: every decision it makes there changes, listed as one change.
    ruleset: str | None = None

    @property
    def outcome_changed(self) -> bool:
        return self.old.outcome != self.new.outcome

    def describe(self) -> str:
        if self.ruleset is not None:
            if self.old.outcome == "not_applicable":
                return f"not applicable → decided by {self.ruleset} (a ruleset added)"
            return f"decided by {self.ruleset} → not applicable (a ruleset removed)"
        if self.outcome_changed:
            return f"{self.old.describe()} → {self.new.describe()}"
        removed, added = ", ".join(self.old.reasons), ", ".join(self.new.reasons)
        if removed and added:
            return f"{self.old.outcome} ({removed} → {added})"
        return f"{self.old.outcome} (+{added})" if added else f"{self.old.outcome} (−{removed})"


@dataclass
class VocabularyChange:
    what: str  # "data", "purpose", "region", "fact", "choice"
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass
class Diff:
    old: ir.Program
    new: ir.Program
    space: Space
    changes: list[Change] = field(default_factory=list)
    vocabulary: list[VocabularyChange] = field(default_factory=list)
    obligations: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    parameters: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # ruleset.parameter, regions
    truncated: bool = False
    seconds: float = 0.0
    questions: int = 0
    outcomes_only: bool = False  # changes of reasons only were not looked for

    @property
    def unchanged(self) -> bool:
        return not self.changes and not self.obligations


def _keys(old: Decisions, new: Decisions) -> list[tuple[str, str]]:
    return list(dict.fromkeys([*old.reasons, *new.reasons]))


def _reason(decisions: Decisions, key: tuple[str, str]) -> Term:
    return decisions.reasons.get(key, z3.BoolVal(False))


def _change_at(model: Any, old: Decisions, new: Decisions) -> Change:
    """The change a model shows: outcomes, the reasons lost and the reasons gained.

    Each label is read from the model once (`verdict`): reading hundreds of
    them twice was a fifth of the time spent finding the changes.
    """
    before, after = verdict(model, old), verdict(model, new)
    had, has = set(before.reasons), set(after.reasons)
    names = [".".join(key) for key in _keys(old, new)]
    lost = tuple(name for name in names if name in had and name not in has)
    gained = tuple(name for name in names if name in has and name not in had)
    return Change(Verdict(before.outcome, lost), Verdict(after.outcome, gained))


def _class(old: Decisions, new: Decisions, change: Change) -> tuple[Term, Term]:
    """(the uses that change exactly so, the uses the old rules decided so).

    When the outcome changes, the old decision is the whole of it (its outcome
    and all its reasons, every one of them lost); when only reasons change, it
    is the outcome, which stays, and the reasons lost, whatever else it has.
    """
    lost, gained = set(change.old.reasons), set(change.new.reasons)
    before = [old.outcome[change.old.outcome]]
    parts = [new.outcome[change.new.outcome]]
    if not change.outcome_changed:  # uses whose outcome stays
        before.append(parts.pop())
    for key in _keys(old, new):
        name = ".".join(key)
        was, now = _reason(old, key), _reason(new, key)
        if name in lost:
            before.append(was)
            parts.append(z3.Not(now))
        elif name in gained:
            parts += [now, z3.Not(was)]
        else:
            parts.append(was == now)
            if change.outcome_changed:
                before.append(z3.Not(was))
    return _all([*before, *parts]), _all(before)


def _all(terms: list[Term]) -> Term:
    """`z3.And(*terms)` without its checks of every term's sort: for the hundreds of terms of a
    change's class, they took longer than making the term."""
    context = terms[0].ctx
    array = (z3.Ast * len(terms))(*(term.as_ast() for term in terms))
    return z3.BoolRef(z3.Z3_mk_and(context.ref(), len(terms), array), context)


def _differ(old: Decisions, new: Decisions) -> tuple[Term, Term]:
    """(the outcome differs, some reason differs)."""
    outcome = z3.Or(*(z3.And(old.outcome[o], z3.Not(new.outcome[o])) for o in OUTCOMES))
    reasons = z3.Or(*(_reason(old, k) != _reason(new, k) for k in _keys(old, new)))
    return outcome, reasons


def _vocabulary_changes(old: ir.Vocabulary, new: ir.Vocabulary) -> list[VocabularyChange]:
    found: list[VocabularyChange] = []

    def compare(what: str, before: set[str], after: set[str]) -> None:
        if before != after:
            found.append(VocabularyChange(what, tuple(sorted(after - before)), tuple(sorted(before - after))))

    compare("data", {k.key for k in old.data if not k.abstract}, {k.key for k in new.data if not k.abstract})
    compare("purpose", {k.key for k in old.purposes if not k.abstract}, {k.key for k in new.purposes if not k.abstract})
    compare("region", set(old.within), set(new.within))
    compare("fact", {f.path for f in old.facts}, {f.path for f in new.facts})
    compare("basis", {b for b, _ in old.bases}, {b for b, _ in new.bases})
    return found


def _obligations(program: ir.Program) -> dict[str, tuple[str, ...]]:
    """Each permitting node's obligations (its own and those of the permitting nodes above it), and
    each ruleset's own (`ID (every permit)`: a conditional one as `id when condition`)."""
    found: dict[str, tuple[str, ...]] = {}
    for ruleset in program.rulesets:
        found[f"{ruleset.id} (every permit)"] = tuple(
            o.id if o.condition is None else f"{o.id} when {condition_text(o.condition)}" for o in ruleset.obligations
        )
        for node, parents in ruleset.walk():
            if node.effect != "permit":
                continue
            path = [p for p in (*parents, node) if p.effect == "permit"]
            found[f"{ruleset.id}.{node.id}"] = tuple(o.id for p in path for o in p.obligations)
    return found


def _obligation_changes(old: ir.Program, new: ir.Program) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    before, after = _obligations(old), _obligations(new)
    return [(name, before[name], after[name]) for name in after if name in before and before[name] != after[name]]


def _parameter_changes(old: ir.Program, new: ir.Program) -> list[tuple[str, tuple[str, ...]]]:
    """Region parameters whose values changed, with the regions they changed for."""
    before = {(r.id, p.name): p.timeline for r in old.rulesets for p in r.parameters}
    found = []
    for ruleset in new.rulesets:
        for parameter in ruleset.parameters:
            was = before.get((ruleset.id, parameter.name))
            if was is None or was == parameter.timeline:
                continue
            regions = sorted(c for c in {*was, *parameter.timeline} if was.get(c) != parameter.timeline.get(c))
            found.append((f"{ruleset.id}.{parameter.name}", tuple(regions)))
    return found


def _rulesets_alone(old: Decisions, new: Decisions) -> list[tuple[Change, Term, Term]]:
    """For each ruleset only one version has: the uses it alone decides, which the other leaves undecided.

    Listed as one change each rather than one per decision the ruleset makes.
    """
    found = []
    for first, second, added in ((old, new, True), (new, old, False)):
        for ruleset, terms in second.rulesets.items():
            if ruleset in first.rulesets:
                continue
            others = [z3.Not(t.applies) for r, t in second.rulesets.items() if r != ruleset]
            happens = z3.And(first.outcome["not_applicable"], terms.applies, *others)
            decided = Verdict("decided", (ruleset,))
            none = Verdict("not_applicable", ())
            change = Change(none, decided, ruleset=ruleset) if added else Change(decided, none, ruleset=ruleset)
            found.append((change, happens, first.outcome["not_applicable"]))
    return found


def diff_programs(
    old: ir.Program,
    new: ir.Program,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    limit: int = DEFAULT_LIMIT,
    regions: int = CUBES_PER_CHANGE,
    outcomes_only: bool = False,
    jobs: int = 1,
) -> Diff:
    """Every change in decisions from `old` to `new`, as changes with cubes.

    The changes are found first, then described (covering.py) in up to
    `jobs` processes; the result does not depend on `jobs`.
    """
    start = time.perf_counter()
    space = Space([old, new])
    before, after = encode(space, 0), encode(space, 1)
    # The finding solver takes the describer's settings too: on the five-edit
    # benchmark diff the same 73 changes, in the same order, in about 0.86 of the
    # CPU time (docs/performance.md, issue 14).
    solver = Solver(space, timeout, [before, after], params=DESCRIBING)
    result = Diff(old, new, space, outcomes_only=outcomes_only)
    result.vocabulary = _vocabulary_changes(old.vocabulary, new.vocabulary)
    result.obligations = _obligation_changes(old, new)
    result.parameters = _parameter_changes(old, new)

    def describe(change: Change) -> Cover:
        """In this process or a worker: the terms are made again from the change, not pickled."""
        happens, was = _terms(before, after, change)
        return cover(space, happens, was, regions, timeout)

    with Workers(describe, jobs) as workers:
        found = _find(solver, before, after, limit, outcomes_only, result, workers.submit)
        for change, described in zip(found, workers.gather(), strict=True):
            change.cubes, change.more = described.rebuilt(space), described.more
            result.questions += described.questions
    result.changes = _in_order(found)
    result.seconds = time.perf_counter() - start
    result.questions += solver.questions
    return result


def _terms(before: Decisions, after: Decisions, change: Change) -> tuple[Term, Term]:
    """(the uses that change so, the uses the old rules decided so)."""
    if change.ruleset is None:
        return _class(before, after, change)
    same = (change.ruleset, change.old)
    return next((h, w) for c, h, w in _rulesets_alone(before, after) if (c.ruleset, c.old) == same)


def _find(
    solver: Solver,
    before: Decisions,
    after: Decisions,
    limit: int,
    outcomes_only: bool,
    result: Diff,
    found_one: Callable[[Change], None],
) -> list[Change]:
    """Each change, in the order found, each given to `found_one` at once; sets `truncated`."""
    found: list[Change] = []
    outcome_differs, reasons_differ = _differ(before, after)
    settled: list[Term] = []
    for change, happens, _ in _rulesets_alone(before, after):
        if solver.holds(happens):
            found.append(change)
            found_one(change)
        settled.append(z3.Not(happens))
    phases = [outcome_differs] if outcomes_only else [outcome_differs, z3.And(reasons_differ, z3.Not(outcome_differs))]
    for phase in phases:
        done = list(settled)
        while True:
            if len(found) >= limit:
                result.truncated = result.truncated or solver.holds(phase, *done)
                break
            model = solver.model(phase, *done)
            if model is None:
                break
            change = _change_at(model, before, after)
            found.append(change)
            found_one(change)
            done.append(z3.Not(_class(before, after, change)[0]))
    return found


def _in_order(changes: list[Change]) -> list[Change]:
    """The rulesets added or removed first, then changes of outcome, then of reasons alone, each
    group in the order of its text."""
    alone = [c for c in changes if c.ruleset is not None]
    rest = [c for c in changes if c.ruleset is None]
    outcome = sorted((c for c in rest if c.outcome_changed), key=lambda c: c.describe())
    reasons = sorted((c for c in rest if not c.outcome_changed), key=lambda c: c.describe())
    return [*alone, *outcome, *reasons]


def changed_nodes(change: Change) -> Sequence[str]:
    """The nodes (`ruleset.node`) the change is about: the reasons lost and gained."""
    return list(dict.fromkeys([*change.new.reasons, *change.old.reasons]))
