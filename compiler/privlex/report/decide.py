"""Deciding the report's cells with the generated code, and explaining each distinct decision once.

A matrix is one purpose under one scenario: a row per region class, a
column per data category. Every cell is decided by the generated package's
`evaluate` (each ruleset's own result) combined as `check` combines them.
Cells that decide alike for the same reasons share one explanation.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .. import ir
from ..explain import explain_valid
from ..runtime import InvalidUse, RulesetResult, combine
from ..runtime.validation import UseModel
from .conditions import condition_text
from .nodes import anchor, node_data
from .regions import RegionClass
from .scenarios import Scenario, nested, usable

Evaluate = Callable[..., Mapping[str, RulesetResult | None]]


def categories(vocabulary: ir.Vocabulary) -> list[str]:
    return sorted(k.key for k in vocabulary.data if not k.abstract)


def purposes(vocabulary: ir.Vocabulary) -> list[str]:
    return sorted(k.key for k in vocabulary.purposes if not k.abstract)


def _path(ruleset: ir.Ruleset, node_id: str) -> list[ir.Node]:
    for node, parents in ruleset.walk():
        if node.id == node_id:
            return [*parents, node]
    return []


def _brief(ruleset: str, node: ir.Node) -> dict[str, Any]:
    data = node_data(ruleset, node)
    data.pop("exceptions")
    return data


def _not_applied(ruleset: ir.Ruleset, within: tuple[str, ...], day: datetime.date) -> str:
    if not set(within).intersection(ruleset.covers):
        return f"it does not cover this place (it covers {', '.join(ruleset.covers)})"
    if ruleset.start is not None and day < ruleset.start:
        return f"its duties apply from {ruleset.start.isoformat()}"
    if ruleset.end is not None and day > ruleset.end:
        return f"its duties ended on {ruleset.end.isoformat()}"
    if ruleset.applies is not None:
        return f"its applicability condition does not hold: {condition_text(ruleset.applies)}"
    return "it does not apply"  # pragma: no cover - one of the above always holds


@dataclass
class Explanations:
    """Each distinct decision of a scenario, explained once; cells refer to it by id."""

    program: ir.Program
    day: datetime.date
    explain: Callable[[Any], Any] | None = None  # a valid use -> privlex.explain.Explanation
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (scenario, each ruleset's result) -> (outcome, key): results are immutable and shared
    _seen: dict[tuple[str, tuple[tuple[RulesetResult | None, tuple[str, ...]], ...]], tuple[str, str]] = field(
        default_factory=dict
    )

    def decided(
        self,
        scenario: Scenario,
        valid: Any,
        results: Mapping[str, RulesetResult | None],
    ) -> tuple[str, str]:
        """The outcome of the use, and the id of its explanation."""
        # the conditional duties that held tell apart results with the same leaves
        seen_key = (scenario.id, tuple((r, r.duty_ids if r is not None else ()) for r in results.values()))
        seen = self._seen.get(seen_key)
        if seen is not None:
            self.by_key[seen[1]]["cells"] += 1
            return seen
        decision = combine(list(results.values()))
        summary = {
            name: None
            if result is None
            else [str(result.effect), [leaf.reason.rule for leaf in result.leaves], list(result.duty_ids)]
            for name, result in sorted(results.items())
        }
        key_text = json.dumps([scenario.id, summary], sort_keys=True)
        key = "e" + hashlib.sha256(key_text.encode("utf-8")).hexdigest()[:12]
        entry = self.by_key.get(key)
        if entry is None:
            entry = self._entry(key, scenario, valid, results, decision.to_dict())
            self.by_key[key] = entry
        entry["cells"] += 1
        self._seen[seen_key] = (str(decision.outcome), key)
        return str(decision.outcome), key

    def _entry(
        self,
        key: str,
        scenario: Scenario,
        valid: Any,
        results: Mapping[str, RulesetResult | None],
        decision: dict[str, Any],
    ) -> dict[str, Any]:
        use = _Uses.raw(valid)
        region = str(use["region"])
        within = self.program.vocabulary.within.get(region, (region,))
        rulesets: list[dict[str, Any]] = []
        for ruleset in self.program.rulesets:
            result = results.get(ruleset.id)
            if result is None:
                rulesets.append({"id": ruleset.id, "applied": False, "why": _not_applied(ruleset, within, self.day)})
                continue
            rulesets.append(
                {
                    "id": ruleset.id,
                    "applied": True,
                    "effect": str(result.effect),
                    "decided_by": [
                        [_brief(ruleset.id, node) for node in _path(ruleset, leaf.reason.rule)]
                        for leaf in result.leaves
                    ],
                }
            )
        return {
            "id": key,
            "scenario": scenario.id,
            "outcome": decision["outcome"],
            "example": {"region": region, "data": use["data"], "purpose": use["purpose"], "date": use["date"]},
            "cells": 0,
            "rulesets": rulesets,
            "reasons": [dict(r, anchor=anchor(r["ruleset"], r["rule"])) for r in decision["reasons"]],
            "obligations": [dict(o, anchor=anchor(o["ruleset"], o["rule"])) for o in decision["obligations"]],
            **self._explained(valid),
        }

    def _explained(self, valid: Any) -> dict[str, Any]:
        """`privlex explain` of the example use: its text, and its data."""
        if self.explain is None:
            return {}
        explanation = self.explain(valid)
        return {"explain_text": str(explanation), "explain": explanation.to_dict()}


class _Uses:
    """Valid uses, validated once per region and scenario: data category and purpose vary alone."""

    def __init__(self, model: type[UseModel], day: datetime.date, facts: dict[str, dict[str, Any]]) -> None:
        self.model = model
        self.day = day
        self.facts = facts
        self.bases: dict[tuple[str, str], Any] = {}  # validated uses of the package's DataUse
        self.checked: set[tuple[str, str, str]] = set()  # (scenario, field, value)

    def _validated(self, scenario: str, region: str, data: str, purpose: str) -> UseModel:
        use = {"region": region, "data": data, "purpose": purpose, "date": self.day.isoformat()}
        return self.model.from_input({**use, **nested(self.facts[scenario])})

    def use(self, scenario: str, region: str, data: str, purpose: str) -> Any:
        base: Any = self.bases.get((scenario, region))
        if base is None:
            base = self.bases[scenario, region] = self._validated(scenario, region, data, purpose)
        # Each category and each purpose is validated once with this base; then only the keys change.
        for key in ((scenario, "data", data), (scenario, "purpose", purpose)):
            if key not in self.checked:
                if key[1] == "data":
                    self._validated(scenario, region, data, str(base.purpose))
                else:
                    self._validated(scenario, region, str(base.data), purpose)
                self.checked.add(key)
        return base.model_copy(update={"data": data, "purpose": purpose})

    @staticmethod
    def raw(use: Any) -> dict[str, Any]:
        return {"region": use.region, "data": use.data, "purpose": use.purpose, "date": str(use.date)}


def decide_matrices(
    program: ir.Program,
    package: ModuleType,
    scenarios: tuple[Scenario, ...],
    classes: list[RegionClass],
    day: datetime.date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The matrices (purpose x scenario), the explanations, and the scenarios as used.

    `package` is the unit's generated package: its `evaluate` decides, its
    `DataUse` validates, and `privlex.explain` explains each distinct decision.
    """
    explanations = Explanations(program, day, lambda valid: explain_valid(package, valid, day))
    model: type[UseModel] = package.DataUse
    evaluate: Evaluate = package.evaluate
    columns = categories(program.vocabulary)
    used: list[dict[str, Any]] = []
    facts_of: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        facts, dropped = usable(scenario, program.vocabulary)
        facts_of[scenario.id] = facts
        used.append(
            {
                "id": scenario.id,
                "title": scenario.title,
                "description": scenario.description,
                "facts": {path: _shown(value) for path, value in facts.items()},
                "left_out": dropped,
            }
        )
    matrices: list[dict[str, Any]] = []
    valid = _Uses(model, day, facts_of)
    for purpose in purposes(program.vocabulary):
        tables: list[dict[str, Any]] = []
        for scenario in scenarios:
            rows: list[dict[str, Any]] = []
            for region_class in classes:
                cells: dict[str, str] = {}
                for category in columns:
                    try:
                        use = valid.use(scenario.id, region_class.representative, category, purpose)
                    except InvalidUse as exc:
                        cells[category] = f"invalid: {exc}"
                        continue
                    outcome, key = explanations.decided(scenario, use, evaluate(use, today=day))
                    cells[category] = f"{outcome} {key}"
                rows.append({"class": region_class.id, "cells": cells})
            tables.append({"scenario": scenario.id, "rows": rows})
        matrices.append({"purpose": purpose, "tables": tables})
    ordered = sorted(explanations.by_key.values(), key=lambda e: e["id"])
    return matrices, ordered, used


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
