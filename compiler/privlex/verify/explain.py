"""Property results for people (text) and for tools (JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ..diagnostics.render import visible
from .properties import PropertyResult
from .uses import decide_flags

# A path as the compiler shows it (relative to the project) -> as this run shows it (relative to
# the current folder), as `privlex test` and the diagnostics show paths (cli.common.rebaser).
Move = Callable[[str], str]


def _moved(location: str, move: Move) -> str:
    """`file:line` with the file moved."""
    file, _, line = location.rpartition(":")
    return f"{move(file)}:{line}" if file else location


def claim(result: PropertyResult) -> str:
    prop = result.prop
    return f"{prop.claim} {prop.effect}"


def _decision_dict(decision: Any, move: Move) -> dict[str, Any]:
    if decision is None:
        return {}
    found: dict[str, Any]
    if hasattr(decision, "to_dict"):
        found = decision.to_dict()
    else:  # one ruleset's own result (a property inside a ruleset)
        found = {
            "outcome": str(decision.effect),
            "reasons": [r.to_dict() for r in decision.reasons],
            "obligations": [o.to_dict() for o in decision.obligations],
            "rulesets": [decision.ruleset],
        }
    for reason in found["reasons"]:
        reason["source"] = _moved(reason["source"], move)
    return found


def _decision_lines(decision: Any, ruleset: str | None, move: Move) -> list[str]:
    if ruleset is not None:
        # A property inside a ruleset is about that ruleset's decision, which `privlex decide`
        # (combining every ruleset) may not show: say whose decision this is, and where to see it.
        aside = "(privlex decide combines every ruleset; privlex explain shows each)"
        if decision is None:
            return [f"     decided by {ruleset} alone: not applicable, {ruleset} does not apply {aside}"]
        lines = [f"     decided by {ruleset} alone: {str(decision.effect).replace('_', ' ')} {aside}"]
    elif decision is None:
        return ["     decided: not applicable (no ruleset applies)"]
    else:
        found = _decision_dict(decision, move)
        rulesets = ", ".join(found.get("rulesets", ()))
        lines = [
            f"     decided: {found['outcome'].replace('_', ' ')}" + (f" (rulesets: {rulesets})" if rulesets else "")
        ]
    found = _decision_dict(decision, move)
    for reason in found["reasons"]:
        lines.append(f"       {reason['ruleset']} {reason['rule']}: {reason['title']}")
        lines.append(f"           {reason['kind']}, {reason['effect']}; cites {'; '.join(reason['citations'])}")
        lines.append(f"           at {reason['source']}")
    for obligation in found["obligations"]:
        lines.append(f"       obligation {obligation['ruleset']} {obligation['id']}: {obligation['text']}")
    return lines


def result_lines(result: PropertyResult, move: Move = str) -> list[str]:
    """One property's result as `as_text` shows it: its head line, then what held or the counterexample."""
    prop = result.prop
    head = f"{prop.name} ({_moved(prop.span.location, move)}): {prop.title}"
    seconds = f"{result.seconds:.2f} s"
    if result.status == "holds":
        return [f"ok   {head}", f"     {claim(result)}: holds for every use ({seconds})"]
    if result.status == "timeout":
        return [f"??   {head}", f"     {claim(result)}: undecided, {result.message} (raise --timeout)"]
    out = [f"FAIL {head}", f"     {claim(result)}: a use breaks it ({seconds})"]
    if result.use is not None:
        out.append(f"     counterexample: {decide_flags(result.use)}")
        out.append(f"     as JSON: {json.dumps(result.use, ensure_ascii=False)}")
        out += _decision_lines(result.decision, prop.ruleset, move)
    if result.message:
        out.append(f"     {result.message}")
    return out


def as_text(results: Sequence[PropertyResult], move: Move = str) -> str:
    out = [line for result in results for line in result_lines(result, move)]
    held = sum(1 for r in results if r.status == "holds")
    failed = sum(1 for r in results if r.status == "fails" or r.status == "error")
    undecided = sum(1 for r in results if r.status == "timeout")
    total = f"\n{len(results)} propert{'ies' if len(results) != 1 else 'y'}: {held} held, {failed} failed"
    if undecided:
        total += f", {undecided} undecided"
    # A title written with control characters is refused (E105); shown safely all the same.
    return visible("\n".join(out) + total) + "\n"


def as_json(results: Sequence[PropertyResult], move: Move = str) -> list[dict[str, Any]]:
    found = []
    for result in results:
        prop = result.prop
        item: dict[str, Any] = {
            "property": prop.name,
            "title": prop.title,
            "citations": list(prop.citations),
            "claim": claim(result),
            "source": _moved(prop.span.location, move),
            "status": result.status,
            "seconds": round(result.seconds, 4),
        }
        if result.use is not None:
            item["counterexample"] = result.use
            item["decide"] = decide_flags(result.use)
            item["decision"] = _decision_dict(result.decision, move) if result.decision is not None else None
        if result.message:
            item["message"] = result.message
        found.append(item)
    return found
