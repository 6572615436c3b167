"""An explanation as data (the JSON of `privlex explain --json`), built from an interpreter run."""

from __future__ import annotations

import datetime
from typing import Any

from .. import ir
from .changes import Alternative
from .evaluate import NodeResult, RulesetRun, Run, Trace
from .words import because, condition_text, definitions_used, facts_read, truth_text, value_text


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def condition_report(trace: Trace, prefix: str = "") -> dict[str, Any]:
    """A condition: its text, its value, the facts it read, the definitions it used, and why."""
    return {
        "text": prefix + condition_text(trace.condition),
        "value": truth_text(trace.value),
        "because": because(trace),
        "facts": {path: _plain(value) for path, value in facts_read(trace).items()},
        "definitions": [definition_report(d) for d in definitions_used(trace)],
    }


def definition_report(trace: Trace) -> dict[str, Any]:
    defined = trace.condition
    assert isinstance(defined, ir.Defined)
    inner = trace.parts[0]
    return {
        "name": defined.name,
        "title": defined.title,
        "citations": list(defined.citations),
        "source": defined.source,
        "text": condition_text(defined.condition),
        "value": truth_text(trace.value),
        "because": because(inner),
    }


def _state(found: NodeResult) -> str:
    if not found.considered:
        return "not considered"
    if found.node.kind == "default":
        return "decides" if found.decides else "not needed"
    if found.decides:
        return "decides"
    return "matches" if found.matches else "does not match"


def _why_not(found: NodeResult) -> list[str]:
    """Why a considered node does not match: the first thing that fails, in the words of the rule file."""
    node = found.node
    reasons: list[str] = []
    if found.data is False:
        reasons.append(f"data is not in {', '.join(node.data or ())}")
    if found.purpose is False:
        reasons.append(f"purpose is not in {', '.join(node.purposes or ())}")
    if found.dated is False:
        reasons.append(f"it is dated {node.start or '...'} to {node.end or '...'}")
    if found.condition is not None and found.condition.value is not True:
        why = ", ".join(because(found.condition))
        reasons.append(f"its condition is {truth_text(found.condition.value)}, because {why}")
    return reasons


def node_report(found: NodeResult) -> dict[str, Any]:
    node = found.node
    word = {"rule": "when", "exception": "when", "exclusion": "when", "default": ""}[node.kind]
    prefix = f"{node.effect} {word} " if node.kind in ("rule", "exception") else f"{word} " if word else ""
    return {
        "id": node.id,
        "kind": node.kind,
        "title": node.title,
        "effect": node.effect,
        "citations": list(node.citations),
        "source": node.span.location,
        "notes": list(node.notes),
        "state": _state(found),
        "considered": found.considered,
        "matches": found.matches,
        "decides": found.decides,
        "scope": {
            "data": None if node.data is None else {"keys": list(node.data), "matches": found.data},
            "purpose": None if node.purposes is None else {"keys": list(node.purposes), "matches": found.purpose},
            "dates": None
            if node.start is None and node.end is None
            else {"from": _plain(node.start), "until": _plain(node.end), "matches": found.dated},
        },
        "condition": condition_report(found.condition, prefix) if found.condition is not None else None,
        "why_not": _why_not(found) if found.considered and not found.matches and node.kind != "default" else [],
        "obligations": [
            {"id": o.id, "text": o.text, "citations": list(o.citations), "source": o.span.location}
            for o in node.obligations
        ],
        "exceptions": [node_report(inner) for inner in found.exceptions],
    }


def _why_not_applied(run: RulesetRun, region: str, day: datetime.date) -> str | None:
    ruleset = run.ruleset
    if not run.covered:
        return f"region {region} is not in {', '.join(ruleset.covers)}"
    if run.before_start:
        return f"{day.isoformat()} is before {_plain(ruleset.start)}, when it takes effect"
    if run.after_end:
        return f"{day.isoformat()} is after {_plain(ruleset.end)}, when it ceased to apply"
    if run.applies is not None and run.applies.value is not True:
        return (
            f"its condition `applies when {condition_text(run.applies.condition)}` is "
            f"{truth_text(run.applies.value)}, because {', '.join(because(run.applies))}"
        )
    return None


def ruleset_report(run: RulesetRun, region: str, day: datetime.date) -> dict[str, Any]:
    ruleset = run.ruleset
    holding = [found for found in run.exclusions if found.decides]
    decided_by = None
    if run.applied:
        decided_by = "exclusion" if holding else "default" if run.default and run.default.decides else "rules"
    return {
        "ruleset": ruleset.id,
        "title": ruleset.title,
        "law": ruleset.law,
        "source": ruleset.span.location,
        "notes": list(ruleset.notes),
        "applies": run.applied,
        "why_not": _why_not_applied(run, region, day),
        "covers": list(ruleset.covers),
        "covered": run.covered,
        "from": _plain(ruleset.start),
        "until": _plain(ruleset.end),
        "applies_when": condition_report(run.applies, "applies when ") if run.applies is not None else None,
        "effect": str(run.result.effect) if run.result is not None else None,
        "decided_by": decided_by,
        "obligations": [_ruleset_obligation(o, run) for o in ruleset.obligations],
        "exclusions": [node_report(found) for found in run.exclusions],
        "rules": [node_report(found) for found in run.rules],
        "default": node_report(run.default) if run.default is not None else None,
    }


def _ruleset_obligation(obligation: ir.Obligation, run: RulesetRun) -> dict[str, Any]:
    """One of the ruleset's own obligations; a conditional one with its condition (and its value, when
    the rules were considered: the ruleset applied and no exclusion held)."""
    found: dict[str, Any] = {
        "id": obligation.id,
        "text": obligation.text,
        "citations": list(obligation.citations),
        "source": obligation.span.location,
    }
    if obligation.condition is not None:
        traces = [trace for o, trace in run.duties if o is obligation]
        found["when"] = (
            condition_report(traces[0], "when ")
            if traces
            else {"text": "when " + condition_text(obligation.condition), "value": None}
        )
    return found


def _carried(obligation: dict[str, Any], run: Run) -> dict[str, Any]:
    """An obligation the decision carries; a ruleset's conditional duty with the condition that brought it
    (`when`), so that a reader sees why this permit carries it and another may not."""
    if obligation["rule"] == "":
        for ruleset_run in run.rulesets:
            if ruleset_run.ruleset.id != obligation["ruleset"]:
                continue
            for declared in ruleset_run.ruleset.obligations:
                if declared.id == obligation["id"] and declared.condition is not None:
                    return {**obligation, "when": "when " + condition_text(declared.condition)}
    return obligation


def _paths(run: Run) -> list[dict[str, Any]]:
    """For each reason of the decision, the path of titles from the rule down to the deciding node."""
    nodes: dict[tuple[str, str], NodeResult] = {}

    def index(ruleset: str, found: NodeResult) -> None:
        nodes[(ruleset, found.node.id)] = found
        for inner in found.exceptions:
            index(ruleset, inner)

    for ruleset_run in run.rulesets:
        for found in (*ruleset_run.exclusions, *ruleset_run.rules):
            index(ruleset_run.ruleset.id, found)
        if ruleset_run.default is not None:
            index(ruleset_run.ruleset.id, ruleset_run.default)
    paths = []
    for reason in run.decision.reasons:
        found = nodes[(reason.ruleset, reason.rule)]
        steps = [*found.parents, found.node]
        paths.append(
            {
                "ruleset": reason.ruleset,
                "rule": reason.rule,
                "effect": str(reason.effect),
                "steps": [{"id": s.id, "kind": s.kind, "title": s.title, "source": s.span.location} for s in steps],
                "because": because(found.condition) if found.condition is not None else [],
            }
        )
    return paths


def explanation(
    run: Run, use: Any, day: datetime.date, package: str, source_hash: str, alternatives: list[Alternative]
) -> dict[str, Any]:
    decision = run.decision
    written = use.model_dump(exclude_defaults=True)
    given = {k: _plain(v) for k, v in written.items() if not isinstance(v, dict)}
    for group, facts in written.items():
        if isinstance(facts, dict):
            given.update({f"{group}.{k}": _plain(v) for k, v in facts.items()})
    given["date"] = day.isoformat()
    return {
        "package": package,
        "source_hash": f"sha256:{source_hash}",
        "use": given,
        "outcome": str(decision.outcome),
        "decision": decision.to_dict(),
        "paths": _paths(run),
        "obligations": [_carried(o.to_dict(), run) for o in decision.obligations],
        "would_change": [
            {
                "outcome": alternative.outcome,
                "rulesets": list(alternative.rulesets),
                "changes": [{"fact": c.fact, "value": _plain(c.value), "text": c.text} for c in alternative.changes],
                "text": alternative.text,
            }
            for alternative in alternatives
        ],
        "rulesets": [ruleset_report(r, use.region, day) for r in run.rulesets],
    }


__all__ = ["explanation", "value_text"]
