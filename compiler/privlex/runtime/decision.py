"""Decisions, their reasons and obligations, and how ruleset results combine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    PERMIT = "permit"
    DENY = "deny"
    NOT_APPLICABLE = "not_applicable"


class Effect(StrEnum):
    PERMIT = "permit"
    DENY = "deny"


# Enum members read through their class cost about 0.1 µs each on Python 3.11: EnumType defines
# `__getattr__`, so such reads are never specialised (as on pydantic models, see records.py). The
# hot paths below read these module constants instead.
_PERMIT = Effect.PERMIT
_DENY = Effect.DENY
_PERMITTED = Outcome.PERMIT
_DENIED = Outcome.DENY
_NOT_APPLICABLE = Outcome.NOT_APPLICABLE
# An effect's outcome (a dictionary keyed by members would hash them in Python: `Enum.__hash__`).
_OUTCOMES = {Effect.PERMIT: Outcome.PERMIT, Effect.DENY: Outcome.DENY}


class Citations(list[str]):
    """A list of citations that cannot change: reasons are shared between decisions."""

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError("citations are read-only: reasons and obligations are shared between decisions")

    append = extend = insert = remove = clear = sort = reverse = _read_only
    pop = __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[Citations], tuple[list[str]]]:
        # A list subclass is copied and unpickled by appending its items, which this one refuses:
        # it is rebuilt from a plain list instead (deepcopy and pickle of a Reason or Decision).
        return Citations, (list(self),)


@dataclass(frozen=True, slots=True)
class Reason:
    """A node that decided: a rule, an exception, an exclusion or a default.

    Instances are shared between decisions, so they and their citations are read-only.
    """

    ruleset: str
    rule: str
    kind: str
    effect: Effect
    title: str
    citations: list[str]
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "citations", Citations(self.citations))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "rule": self.rule,
            "kind": self.kind,
            "effect": str(self.effect),
            "title": self.title,
            "citations": list(self.citations),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Obligation:
    """A duty that comes with a permit; `rule` is the node that carries it."""

    ruleset: str
    id: str
    text: str
    rule: str
    citations: list[str]
    source: str
    order: int = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "citations", Citations(self.citations))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "id": self.id,
            "text": self.text,
            "rule": self.rule,
            "citations": list(self.citations),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, eq=False)
class Leaf:
    """A deciding node with the obligations collected on its path (permits only).

    Leaves are module constants of the generated code, compared and hashed by
    identity, so that results can be cached by the leaves that decided.
    """

    reason: Reason
    obligations: tuple[Obligation, ...] = ()


@dataclass(frozen=True, slots=True)
class RulesetResult:
    """One applicable ruleset's own decision."""

    ruleset: str
    effect: Effect
    leaves: tuple[Leaf, ...]
    # The ruleset's conditional obligations whose condition held for the use:
    # they come with a permit of the ruleset's rules or default (see `settle`).
    # Not compared: results are compared and hashed by their leaves (and tell duties apart by `duty_ids`).
    duties: tuple[Obligation, ...] = field(default=(), compare=False)
    # Derived once, so that combining results builds no more than the Decision.
    _reasons: tuple[Reason, ...] = field(init=False, repr=False, compare=False)
    _obligations: tuple[Obligation, ...] = field(init=False, repr=False, compare=False)
    _outcome: Outcome = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_outcome", _OUTCOMES[self.effect])
        object.__setattr__(self, "_reasons", tuple(leaf.reason for leaf in self.leaves))
        obligations = () if self.effect is _DENY else tuple(_collect_obligations(self.leaves, self.duties))
        object.__setattr__(self, "_obligations", obligations)

    @property
    def reasons(self) -> list[Reason]:
        return list(self._reasons)

    @property
    def duty_ids(self) -> tuple[str, ...]:
        """The ids of the conditional obligations that held."""
        return tuple(duty.id for duty in self.duties)

    @property
    def obligations(self) -> list[Obligation]:
        return list(self._obligations)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the rules decide about one use, and why."""

    outcome: Outcome
    reasons: list[Reason]
    obligations: list[Obligation]
    rulesets: list[str]
    # The validated use and the day it was decided on, for explain(); not part of the decision's value.
    # The dataclass's own __init__ takes them by these names, as `dataclasses.replace` passes them:
    # `check` builds its decisions without __init__ (`_decision` below), so it is off the hot path.
    _use: Any = field(default=None, repr=False, compare=False)
    _day: Any = field(default=None, repr=False, compare=False)

    @property
    def permitted(self) -> bool:
        return self.outcome is _PERMITTED

    def explain(self, *, changes: bool = True) -> Any:
        """Why: a `privlex.explain.Explanation` (print it, or `.to_dict()`), as `privlex explain` shows it.

        Works for a decision that a generated package's `check` returned. For each
        ruleset whether it applied and why not, every rule and exception with the
        value of its condition and the facts it read, the deciding path, the
        obligations, and for a deny or not_applicable the smallest sets of fact
        changes that would change the outcome (`changes=False` skips that search).
        """
        if self._use is None:
            raise ValueError("only a decision returned by a generated package's check() can explain itself")
        import datetime
        import sys

        from ..explain import explain_valid

        package = sys.modules[type(self._use).__module__.rpartition(".")[0]]
        day = self._day or self._use.date or datetime.datetime.now(datetime.UTC).date()
        return explain_valid(package, self._use, day, changes=changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "obligations": [obligation.to_dict() for obligation in self.obligations],
            "rulesets": list(self.rulesets),
        }


NOT_APPLICABLE = Decision(Outcome.NOT_APPLICABLE, [], [], [])


class _Unfrozen:
    """A Decision's slots without its frozen `__setattr__`: filled by plain stores, then made a Decision.

    One Decision is built per check. Filling a frozen instance takes a C call
    per field (about 0.1 µs each); plain stores into these slots cost a few
    nanoseconds, and assigning `__class__` (allowed: the same slots on the
    same base) makes the instance the Decision it would have been.
    """

    __slots__ = Decision.__slots__
    outcome: Outcome
    reasons: list[Reason]
    obligations: list[Obligation]
    rulesets: list[str]
    _use: Any
    _day: Any


def _decision(
    outcome: Outcome, reasons: list[Reason], obligations: list[Obligation], rulesets: list[str], use: Any, day: Any
) -> Decision:
    decision = _Unfrozen()
    decision.outcome = outcome
    decision.reasons = reasons
    decision.obligations = obligations
    decision.rulesets = rulesets
    decision._use = use
    decision._day = day
    decision.__class__ = Decision  # type: ignore[assignment]
    return decision  # type: ignore[return-value]


# Results are immutable and fixed by the leaves that decided (a leaf belongs to
# one ruleset and has one effect) and the conditional duties that held (told
# apart by their order, unique in a ruleset), so each distinct result is built once.
_RESULTS: dict[tuple[tuple[Leaf, ...], tuple[int, ...]], RulesetResult] = {}
_RESULTS_LIMIT = 1 << 16


def _result(
    ruleset: str, effect: Effect, leaves: tuple[Leaf, ...], duties: tuple[Obligation, ...] = ()
) -> RulesetResult:
    key = (leaves, tuple([duty.order for duty in duties]) if duties else ())
    result = _RESULTS.get(key)
    if result is None:
        result = RulesetResult(ruleset, effect, leaves, duties)
        if len(_RESULTS) < _RESULTS_LIMIT:
            _RESULTS[key] = result
    return result


def settle(
    ruleset: str, default: Leaf, denied: list[Leaf], permitted: list[Leaf], duties: Sequence[Obligation] = ()
) -> RulesetResult:
    """Within a ruleset: deny overrides permit; with no matching leaf, the default.

    `duties` are the ruleset's conditional obligations whose condition held: a
    permit carries them (a deny carries none).
    """
    if denied:
        return _result(ruleset, _DENY, tuple(denied))
    if permitted:
        return _result(ruleset, _PERMIT, tuple(permitted), tuple(duties))
    if default.reason.effect is _PERMIT:
        return _result(ruleset, _PERMIT, (default,), tuple(duties))
    return _result(ruleset, _DENY, (default,))


def excluded(ruleset: str, leaves: list[Leaf]) -> RulesetResult:
    return _result(ruleset, _PERMIT, tuple(leaves))


def _ruleset_id(result: RulesetResult) -> str:
    return result.ruleset


def _collect_obligations(leaves: Iterable[Leaf], duties: Iterable[Obligation] = ()) -> list[Obligation]:
    """Each (ruleset, id) once, ordered by ruleset, then source order.

    An obligation written on several nodes that decided is listed at its
    first place in the source, whichever deciding node was met first.
    """
    seen: dict[tuple[str, str], Obligation] = {}
    for carried in (*(leaf.obligations for leaf in leaves), duties):
        for obligation in carried:
            key = (obligation.ruleset, obligation.id)
            kept = seen.get(key)
            if kept is None or obligation.order < kept.order:
                seen[key] = obligation
    return sorted(seen.values(), key=lambda o: (o.ruleset, o.order))


def combine(results: Sequence[RulesetResult | None], use: Any = None, day: Any = None) -> Decision:
    """Across rulesets: deny overrides permit; none applicable is not_applicable.

    `use` and `day` (the validated use and its day) let the decision explain itself.
    """
    # Loops, not comprehensions: on Python 3.11 a comprehension is a function call of its own.
    applied = []
    for result in results:
        if result is not None:
            applied.append(result)
    if len(applied) == 1:
        only = applied[0]
        return _decision(only._outcome, list(only._reasons), list(only._obligations), [only.ruleset], use, day)
    if not applied:
        return _decision(_NOT_APPLICABLE, [], [], [], use, day)
    applied.sort(key=_ruleset_id)
    names = []
    reasons: list[Reason] = []
    denied: list[Reason] = []
    obligations: list[Obligation] = []
    for result in applied:
        names.append(result.ruleset)
        if result.effect is _DENY:
            denied.extend(result._reasons)
        else:
            reasons.extend(result._reasons)
            # Each result's own, already in source order; the results in ruleset order.
            obligations.extend(result._obligations)
    if denied:
        return _decision(_DENIED, denied, [], names, use, day)
    return _decision(_PERMITTED, reasons, obligations, names, use, day)
