"""The rules as the report shows them: rulesets, their nodes, parameters and tests, as plain data.

Everything here is JSON-ready (it is written to report.json as it is) and
built from the checked program alone; the tests' results come from a run of
the generated code (`tests_of`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from .. import ir
from .conditions import condition_text, value_text

FOREVER = datetime.date(9999, 12, 31)


def anchor(ruleset: str, node: str) -> str:
    return f"{ruleset}--{node}"


def citations_of(node: ir.Node) -> list[str]:
    return list(node.citations)


def node_data(ruleset: str, node: ir.Node) -> dict[str, Any]:
    """A deciding node with everything a reader needs, its exceptions nested."""
    return {
        "id": node.id,
        "name": node.id.rsplit(".", 1)[-1],
        "kind": node.kind,
        "effect": node.effect,
        "title": node.title,
        "citations": citations_of(node),
        "notes": list(node.notes),
        "data": list(node.data) if node.data is not None else None,
        "purposes": list(node.purposes) if node.purposes is not None else None,
        "from": node.start.isoformat() if node.start else None,
        "until": node.end.isoformat() if node.end else None,
        "condition": condition_text(node.condition) if node.condition is not None else None,
        "obligations": [
            {"id": o.id, "text": o.text, "citations": list(o.citations), "source": o.span.location}
            for o in node.obligations
        ],
        "source": node.span.location,
        "anchor": anchor(ruleset, node.id),
        "exceptions": [node_data(ruleset, inner) for inner in node.exceptions],
    }


def _period(start: datetime.date, end: datetime.date, value: object) -> dict[str, Any]:
    return {
        "from": start.isoformat(),
        "until": None if end >= FOREVER else end.isoformat(),
        "value": value_text(value),
    }


def parameter_data(parameter: ir.Parameter) -> dict[str, Any]:
    """The parameter's values by region and date; places with the same timeline share a row."""
    rows: dict[tuple[tuple[str, str | None, str], ...], list[str]] = {}
    for region, timeline in sorted(parameter.timeline.items()):
        periods = tuple(
            (p["from"], p["until"], p["value"]) for p in (_period(start, end, value) for start, end, value in timeline)
        )
        rows.setdefault(periods, []).append(region)
    return {
        "name": parameter.name,
        "title": parameter.title,
        "kind": parameter.kind,
        "citations": list(parameter.citations),
        "notes": list(parameter.notes),
        "source": parameter.span.location,
        "rows": [
            {"regions": regions, "periods": [{"from": f, "until": u, "value": v} for f, u, v in periods]}
            for periods, regions in sorted(rows.items(), key=lambda item: item[1][0])
        ],
    }


def flat_facts(use: dict[str, object], prefix: str = "") -> dict[str, str]:
    """A use's facts as dotted names and their values in the rule language."""
    flat: dict[str, str] = {}
    for name, value in use.items():
        if isinstance(value, dict):
            flat.update(flat_facts(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value_text(value)
    return flat


def expectation_text(expectation: ir.Expectation) -> str:
    text = expectation.outcome.replace("_", " ")
    if expectation.by:
        text += " by " + ", ".join(expectation.by)
    if expectation.obligations is not None:
        text += " with " + (
            "obligations " + ", ".join(expectation.obligations) if expectation.obligations else "no obligations"
        )
    return text


def test_data(case: ir.TestCase, problem: str | None, exercised: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    return {
        "id": case.id,
        "title": case.title,
        "ruleset": case.ruleset,
        "source": case.span.location,
        "on": case.day.isoformat() if case.day else None,
        "given": flat_facts(case.use),
        "expect": [expectation_text(e) for e in case.expectations],
        "passed": problem is None,
        "problem": problem,
        "exercised": {ruleset: sorted(set(nodes)) for ruleset, nodes in sorted(exercised.items())},
    }


def ruleset_data(
    ruleset: ir.Ruleset,
    places: list[str],
    tests: list[dict[str, Any]],
    exercised: set[str],
) -> dict[str, Any]:
    """`tests`: the ruleset's own tests; `exercised`: its nodes that any test of the unit reaches."""
    obligations = [
        {
            "id": o.id,
            "text": o.text,
            "citations": list(o.citations),
            "node": None,  # the ruleset's own: every permit of its rules, exceptions and default carries it
            "anchor": None,
            "source": o.span.location,
            # a conditional one only where its condition is true
            "when": condition_text(o.condition) if o.condition is not None else None,
        }
        for o in ruleset.obligations
    ]
    obligations += [
        {
            "id": o.id,
            "text": o.text,
            "citations": list(o.citations),
            "node": node.id,
            "anchor": anchor(ruleset.id, node.id),
            "source": o.span.location,
            "when": None,
        }
        for node, _ in ruleset.walk()
        for o in node.obligations
    ]
    return {
        "id": ruleset.id,
        "title": ruleset.title,
        "law": ruleset.law,
        "notes": list(ruleset.notes),
        "source": ruleset.span.location,
        "covers": list(ruleset.covers),
        "places": places,
        "from": ruleset.start.isoformat() if ruleset.start else None,
        "until": ruleset.end.isoformat() if ruleset.end else None,
        "applies": condition_text(ruleset.applies) if ruleset.applies is not None else None,
        "default": node_data(ruleset.id, ruleset.default),
        "parameters": [parameter_data(p) for p in ruleset.parameters],
        "exclusions": [node_data(ruleset.id, n) for n in ruleset.exclusions],
        "rules": [node_data(ruleset.id, n) for n in ruleset.rules],
        "obligations": obligations,
        "tests": tests,
        "unexercised": [node.id for node, _ in ruleset.walk() if node.id not in exercised],
    }


def _fact_type(fact: ir.Fact) -> str:
    if fact.kind == "integer":
        return f"integer from {fact.minimum} to {fact.maximum}"
    if fact.kind == "enum":
        return "one of " + ", ".join(fact.choices)
    return fact.kind


def _keys(keys: tuple[ir.Key, ...]) -> list[dict[str, Any]]:
    return [
        {
            "key": k.key,
            "title": k.title,
            "abstract": k.abstract,
            "parents": list(k.parents),
            "notes": list(k.notes),
            "depth": k.key.count("."),
        }
        for k in sorted(keys, key=lambda k: k.key)
    ]


def vocabulary_data(vocabulary: ir.Vocabulary) -> dict[str, Any]:
    regions = sorted(vocabulary.regions, key=lambda r: (r.kind != "group", r.code))
    return {
        "data": _keys(vocabulary.data),
        "purposes": _keys(vocabulary.purposes),
        "bases": [{"name": name, "title": title} for name, title in vocabulary.bases],
        "facts": [
            {
                "path": f.path,
                "title": f.title,
                "type": _fact_type(f),
                "default": f.default if f.default is not None else ("false" if f.kind == "boolean" else "unknown"),
                "implies": list(f.implies),
                "excludes": list(f.excludes),
                "notes": list(f.notes),
            }
            for f in [*ir.BUILTIN_FACTS.values(), *vocabulary.facts]
        ],
        "regions": [
            {"code": r.code, "title": r.title, "kind": r.kind, "members": list(r.members), "notes": list(r.notes)}
            for r in regions
        ],
    }
