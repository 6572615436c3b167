"""The situations the report decides every cell for: a baseline and named scenarios.

Each scenario is a set of facts added to a use's region, data category,
purpose and date. Facts the unit's vocabulary does not declare are left out
(and the report says so), so that the same scenarios serve any unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ir

ADULT = {"subject.age": 30}


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    description: str
    facts: dict[str, Any]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "baseline",
        "Baseline",
        "An adult; no lawful basis named, no consent; the purpose was disclosed at collection; no way to object "
        "or opt out was offered; nothing else special.",
        {**ADULT, "processing.disclosed": True},
    ),
    Scenario(
        "zoom_a",
        "Zoom (a): legitimate interest, no way to object",
        "Zoom 2023: the terms said service data could be used for any purpose; the person only accepted the "
        "terms; a legitimate-interest assessment exists; no way to object or opt out was offered.",
        {
            **ADULT,
            "legal_basis": "legitimate_interest",
            "consent.implied": True,
            "processing.li_assessment": True,
            "processing.disclosed": True,
        },
    ),
    Scenario(
        "zoom_b",
        "Zoom (b): consent as the price of joining",
        "Zoom 2023: the participant consented to training, explicitly, but as the price of joining the meeting "
        '("agree or leave").',
        {
            **ADULT,
            "legal_basis": "consent",
            "consent.given": True,
            "consent.explicit": True,
            "consent.bundled": True,
            "processing.disclosed": True,
        },
    ),
    Scenario(
        "zoom_c",
        "Zoom (c): valid explicit, separate consent",
        "The participant gave explicit consent, asked separately for this purpose, free to refuse and not withdrawn.",
        {
            **ADULT,
            "legal_basis": "consent",
            "consent.given": True,
            "consent.explicit": True,
            "consent.separate": True,
            "processing.disclosed": True,
        },
    ),
    Scenario(
        "zoom_d",
        "Zoom (d): given to another company",
        "The data is given to another organisation, on the person's explicit consent to this purpose, with no "
        "separate consent to the disclosure.",
        {
            **ADULT,
            "legal_basis": "consent",
            "consent.given": True,
            "consent.explicit": True,
            "processing.disclosed": True,
            "processing.third_party": True,
        },
    ),
    Scenario(
        "li_ready",
        "Legitimate interest, assessed, with an opt-out",
        "Legitimate interest relied on, with a documented assessment, the purpose disclosed at collection and "
        "an easy way to object offered; the person did not object.",
        {
            **ADULT,
            "legal_basis": "legitimate_interest",
            "processing.li_assessment": True,
            "processing.disclosed": True,
            "processing.opt_out_offered": True,
        },
    ),
)


def _fits(fact: ir.Fact, value: Any, vocabulary: ir.Vocabulary) -> bool:
    if fact.kind == "boolean":
        return isinstance(value, bool)
    if fact.kind == "integer":
        low = fact.minimum if fact.minimum is not None else value
        high = fact.maximum if fact.maximum is not None else value
        return isinstance(value, int) and low <= value <= high
    if fact.kind == "basis":
        return value in {name for name, _ in vocabulary.bases}
    if fact.kind == "enum":
        return value in fact.choices
    return False


def usable(scenario: Scenario, vocabulary: ir.Vocabulary) -> tuple[dict[str, Any], list[str]]:
    """The scenario's facts this vocabulary declares (with values it accepts), and the ones left out."""
    facts = {fact.path: fact for fact in vocabulary.facts}
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for path, value in scenario.facts.items():
        fact = facts.get(path)
        if fact is not None and _fits(fact, value, vocabulary):
            kept[path] = value
        else:
            dropped.append(path)
    return kept, dropped


def nested(facts: dict[str, Any]) -> dict[str, Any]:
    """Dotted facts as the nested input of `check`: {"consent.given": True} -> {"consent": {"given": True}}."""
    use: dict[str, Any] = {}
    for path, value in facts.items():
        group, _, name = path.rpartition(".")
        (use.setdefault(group, {}) if group else use)[name] = value
    return use
