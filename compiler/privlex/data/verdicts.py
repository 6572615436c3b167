"""One decision per distinct combination of facts, made by the package's own `check`.

Batch evaluation and `privlex filter` never decide a row themselves: they hand
each distinct combination of fact values to the generated package's `check`
(validation included) and reuse the verdict for every row that has the same
values. Row and batch semantics therefore cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import types
from collections.abc import Mapping
from typing import Any

from ..runtime import Decision, InvalidUse

OUTCOMES = ("permit", "deny", "not_applicable", "invalid")
PERMIT, DENY, NOT_APPLICABLE, INVALID = range(4)
_CODES = {name: code for code, name in enumerate(OUTCOMES)}
_CACHE_LIMIT = 1 << 20


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """What one combination of facts (one row) comes to."""

    outcome: str  # one of OUTCOMES
    deciding: tuple[str, ...] = ()  # qualified ids of the deciding nodes: "gdpr.consent.child"
    error: str | None = None  # why the row is invalid
    field: str | None = None  # the fact (or column) at fault, when one is
    decision: Decision | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def code(self) -> int:
        return _CODES[self.outcome]

    @property
    def obligations(self) -> tuple[str, ...]:
        """The qualified ids of the obligations that come with a permit ("gdpr.keep_proof")."""
        if self.decision is None:
            return ()
        return tuple(f"{o.ruleset}.{o.id}" for o in self.decision.obligations)

    def allowed(self, allow_uncovered: bool = False) -> bool:
        return self.outcome == "permit" or (allow_uncovered and self.outcome == "not_applicable")

    def log_tail(self) -> str:
        """The end of a decisions-log record: `"outcome": ..., "error": ...}`."""
        # ASCII: an error may quote a value that is not valid text (a CSV cell with bad UTF-8)
        return json.dumps(
            {"outcome": self.outcome, "deciding": list(self.deciding), "error": self.error, "field": self.field}
        )[1:]


def invalid(error: str, field: str | None = None) -> Verdict:
    return Verdict("invalid", (), error, field)


def _freeze(value: Any) -> Any:
    """A hashable, type-exact key: True, 1 and 1.0 decide differently, so they must differ."""
    if isinstance(value, Mapping):
        return (dict, tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if isinstance(value, list):
        return (list, tuple(_freeze(v) for v in value))
    return (type(value), value)


class Decider:
    """Decides uses with a package's `check`, once per distinct use."""

    def __init__(self, package: types.ModuleType, today: datetime.date | None = None) -> None:
        self.package = package
        self.today = today or datetime.datetime.now(datetime.UTC).date()
        self._check = package.check
        self._cache: dict[Any, Verdict] = {}
        self._verdicts: dict[tuple[Any, ...], Verdict] = {}

    def decide(self, use: Mapping[str, Any]) -> Verdict:
        """The verdict on one use given as a (nested) mapping of facts."""
        try:
            key = _freeze(use)
            hash(key)
        except TypeError:
            return self._decide(use)
        verdict = self._cache.get(key)
        if verdict is None:
            verdict = self._decide(use)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = verdict
        return verdict

    def decide_values(self, key: tuple[Any, ...], build: Any) -> Verdict:
        """The verdict for a use known by a type-exact key; `build()` makes the use when needed."""
        verdict = self._cache.get(key)
        if verdict is None:
            verdict = self._decide(build())
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = verdict
        return verdict

    def _decide(self, use: Mapping[str, Any]) -> Verdict:
        try:
            decision: Decision = self._check(use, today=self.today)
        except InvalidUse as exc:
            return self._intern(Verdict("invalid", (), str(exc), exc.path or None), ())
        deciding = tuple(f"{reason.ruleset}.{reason.rule}" for reason in decision.reasons)
        return self._intern(Verdict(str(decision.outcome), deciding, None, None, decision), tuple(decision.rulesets))

    def _intern(self, verdict: Verdict, rulesets: tuple[str, ...]) -> Verdict:
        """One Verdict object per distinct verdict (its decision is equal for every use it stands for)."""
        key = (verdict.outcome, verdict.deciding, verdict.error, verdict.field, rulesets)
        found = self._verdicts.get(key)
        if found is None:
            if len(self._verdicts) >= _CACHE_LIMIT:
                self._verdicts.clear()
            found = self._verdicts[key] = verdict
        return found


_DECIDERS: dict[tuple[types.ModuleType, datetime.date], Decider] = {}


def decider(module: types.ModuleType, today: datetime.date | None = None) -> Decider:
    """A Decider shared by calls with the same package and day, so that a dataset
    filtered in many small batches decides each combination of facts once."""
    day = today or datetime.datetime.now(datetime.UTC).date()
    found = _DECIDERS.get((module, day))
    if found is None:
        if len(_DECIDERS) >= 8:
            _DECIDERS.clear()
        found = _DECIDERS[(module, day)] = Decider(module, day)
    return found


class Distinct:
    """Verdicts numbered once each, by identity: rows that decided alike share one Verdict."""

    def __init__(self) -> None:
        self.verdicts: list[Verdict] = []
        self._slots: dict[int, int] = {}

    def slot(self, verdict: Verdict) -> int:
        found = self._slots.get(id(verdict))
        if found is None:
            found = self._slots[id(verdict)] = len(self.verdicts)
            self.verdicts.append(verdict)
        return found
