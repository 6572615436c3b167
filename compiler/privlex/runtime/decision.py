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


@dataclass(frozen=True, slots=True)
class Reason:
    """A node that decided: a rule, an exception, an exclusion or a default.

    Instances are shared between decisions: treat them as read-only.
    """

    ruleset: str
    rule: str
    kind: str
    effect: Effect
    title: str
    citations: list[str]
    source: str

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "id": self.id,
            "text": self.text,
            "rule": self.rule,
            "citations": list(self.citations),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Leaf:
    """A deciding node with the obligations collected on its path (permits only)."""

    reason: Reason
    obligations: tuple[Obligation, ...] = ()


@dataclass(frozen=True, slots=True)
class RulesetResult:
    """One applicable ruleset's own decision."""

    ruleset: str
    effect: Effect
    leaves: tuple[Leaf, ...]

    @property
    def reasons(self) -> list[Reason]:
        return [leaf.reason for leaf in self.leaves]

    @property
    def obligations(self) -> list[Obligation]:
        if self.effect is Effect.DENY:
            return []
        return _collect_obligations(self.leaves)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the rules decide about one use, and why."""

    outcome: Outcome
    reasons: list[Reason]
    obligations: list[Obligation]
    rulesets: list[str]

    @property
    def permitted(self) -> bool:
        return self.outcome is Outcome.PERMIT

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "obligations": [obligation.to_dict() for obligation in self.obligations],
            "rulesets": list(self.rulesets),
        }


NOT_APPLICABLE = Decision(Outcome.NOT_APPLICABLE, [], [], [])


def settle(
    ruleset: str, default: Leaf, denied: list[Leaf], permitted: list[Leaf]
) -> RulesetResult:
    """Within a ruleset: deny overrides permit; with no matching leaf, the default."""
    if denied:
        return RulesetResult(ruleset, Effect.DENY, tuple(denied))
    if permitted:
        return RulesetResult(ruleset, Effect.PERMIT, tuple(permitted))
    return RulesetResult(ruleset, default.reason.effect, (default,))


def excluded(ruleset: str, leaves: list[Leaf]) -> RulesetResult:
    return RulesetResult(ruleset, Effect.PERMIT, tuple(leaves))


def _collect_obligations(leaves: Iterable[Leaf]) -> list[Obligation]:
    seen: dict[tuple[str, str], Obligation] = {}
    for leaf in leaves:
        for obligation in leaf.obligations:
            seen.setdefault((obligation.ruleset, obligation.id), obligation)
    return sorted(seen.values(), key=lambda o: (o.ruleset, o.order))


def combine(results: Sequence[RulesetResult | None]) -> Decision:
    """Across rulesets: deny overrides permit; none applicable is not_applicable."""
    applied = sorted((r for r in results if r is not None), key=lambda r: r.ruleset)
    if not applied:
        return Decision(Outcome.NOT_APPLICABLE, [], [], [])
    names = [result.ruleset for result in applied]
    denying = [result for result in applied if result.effect is Effect.DENY]
    if denying:
        reasons = [leaf.reason for result in denying for leaf in result.leaves]
        return Decision(Outcome.DENY, reasons, [], names)
    leaves = [leaf for result in applied for leaf in result.leaves]
    return Decision(
        Outcome.PERMIT,
        [leaf.reason for leaf in leaves],
        _collect_obligations(leaves),
        names,
    )
