"""An explanation as text, for the person who reads the decision: what decided, why, and what would change it."""

from __future__ import annotations

from typing import Any

OUTCOME_WORDS = {
    "permit": "permit: the rules allow this use",
    "deny": "deny: the rules do not allow this use",
    "not_applicable": "not applicable: no ruleset applies to this use",
}
WIDTH = 100


def _cites(citations: list[str]) -> str:
    return "cites " + "; ".join(citations) if citations else "no citation"


def _condition(lines: list[str], condition: dict[str, Any], pad: str) -> None:
    why = f", because {', '.join(condition['because'])}" if condition["because"] else ""
    lines.append(f"{pad}{condition['text']}: {condition['value']}{why}")
    for definition in condition["definitions"]:
        why = f", because {', '.join(definition['because'])}" if definition["because"] else ""
        lines.append(f"{pad}  {definition['name']}: {definition['value']}{why}")
        lines.append(f'{pad}    ("{definition["title"]}": {definition["text"]}; {definition["source"]})')
    if condition["facts"]:
        read = ", ".join(f"{path} = {_value(value)}" for path, value in condition["facts"].items())
        lines.append(f"{pad}  reads {read}")


def _value(value: Any) -> str:
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _node(lines: list[str], node: dict[str, Any], depth: int) -> None:
    pad = "  " * depth
    word = {"rule": "rule", "exception": "unless", "exclusion": "exclusion", "default": "otherwise"}[node["kind"]]
    name = f"{node['effect']}" if node["kind"] == "default" else node["id"].rsplit(".", 1)[-1]
    state = node["state"]
    if node["kind"] == "exclusion":
        state = {"decides": "holds: the law does not apply", "does not match": "does not hold"}.get(state, state)
    elif state == "decides":
        state = f"decides: {node['effect']}"
    lines.append(f'{pad}{word} {name} "{node["title"]}" -- {state}')
    if state == "not considered":
        return
    inner = pad + "    "
    lines.append(f"{inner}{node['source']}; {_cites(node['citations'])}")
    for note in node["notes"]:
        lines.append(f"{inner}# {note}")
    for why in node["why_not"]:
        if not why.startswith("its condition"):
            lines.append(f"{inner}{why}")
    if node["condition"] is not None:
        _condition(lines, node["condition"], inner)
    for obligation in node["obligations"]:
        lines.append(f"{inner}obligation {obligation['id']}: {obligation['text']}")
    considered = [e for e in node["exceptions"] if e["considered"]]
    for exception in node["exceptions"]:
        if considered:
            _node(lines, exception, depth + 1)


def _ruleset(lines: list[str], ruleset: dict[str, Any]) -> None:
    head = f"{ruleset['ruleset']}: {ruleset['title']}"
    if not ruleset["applies"]:
        lines.append(f"{head} -- does not apply: {ruleset['why_not']}")
        return
    effect = ruleset["effect"]
    how = {"exclusion": "an exclusion holds", "default": "no rule matches, so the default decides", "rules": ""}
    verb = {"permit": "permits", "deny": "denies"}[effect]
    lines.append(f"{head} -- {verb}" + (f" ({how[ruleset['decided_by']]})" if how[ruleset["decided_by"]] else ""))
    if ruleset["law"]:
        lines.append(f"  law: {ruleset['law']} ({ruleset['source']})")
    dates = f"from {ruleset['from'] or '...'} until {ruleset['until'] or '...'}"
    lines.append(f"  applies: {ruleset['use_region']} is in {', '.join(ruleset['covers'])}; in force {dates}")
    if ruleset["applies_when"] is not None:
        _condition(lines, ruleset["applies_when"], "  ")
    for obligation in ruleset["obligations"]:
        when = obligation.get("when")
        if when is None:
            lines.append(f"  obligation {obligation['id']} (every permit): {obligation['text']}")
            continue
        lines.append(
            f"  obligation {obligation['id']} (every permit, when its condition is true): {obligation['text']}"
        )
        if when["value"] is not None:
            _condition(lines, when, "    ")
    for node in (*ruleset["exclusions"], *ruleset["rules"], ruleset["default"]):
        _node(lines, node, 1)


def render(explanation: dict[str, Any]) -> str:
    lines: list[str] = []
    use = explanation["use"]
    lines.append(OUTCOME_WORDS[explanation["outcome"]])
    core = f"{use.get('region')}, {use.get('data')}, {use.get('purpose')} on {use.get('date')}"
    others = [f"{k} {_value(v)}" for k, v in use.items() if k not in ("region", "data", "purpose", "date")]
    lines.append(f"  use: {core}" + (f"; {', '.join(others)}" if others else ""))
    lines.append(f"  decided with {explanation['package']} ({explanation['source_hash'][:19]})")
    lines.append("")
    if explanation["paths"]:
        lines.append("Decided by:")
        for path in explanation["paths"]:
            steps = " > ".join(f'{s["id"].rsplit(".", 1)[-1]} "{s["title"]}"' for s in path["steps"])
            lines.append(f"  {path['ruleset']}: {steps} ({path['effect']})")
            why = f"because {', '.join(path['because'])}; " if path["because"] else ""
            lines.append(f"      {why}{path['steps'][-1]['source']}")
        lines.append("")
    if explanation["outcome"] == "deny":
        lines.append("Obligations: none (a deny carries none)")
        lines.append("")
    if explanation["outcome"] == "permit":
        lines.append("Obligations:" if explanation["obligations"] else "Obligations: none")
        for obligation in explanation["obligations"]:
            carrier = obligation["rule"] or "every permit of the ruleset"
            if "when" in obligation:
                carrier += f", {obligation['when']}"
            lines.append(f"  {obligation['ruleset']} {obligation['id']}: {obligation['text']} (from {carrier})")
        lines.append("")
    if explanation["would_change"]:
        verb = "Would permit if" if explanation["outcome"] == "deny" else "Would be decided if"
        lines.append(f"{verb}:")
        for alternative in explanation["would_change"]:
            by = ", ".join(alternative["rulesets"])
            extra = "" if explanation["outcome"] == "deny" else f" ({alternative['outcome']}, by {by})"
            lines.append(f"  - {alternative['text']}{extra}")
        lines.append("")
    elif explanation["outcome"] in ("deny", "not_applicable"):
        lines.append("No change of one to three facts the rules read would change the outcome.")
        lines.append("")
    lines.append("Rule by rule:")
    for ruleset in explanation["rulesets"]:
        lines.append("")
        _ruleset(lines, {**ruleset, "use_region": use.get("region")})
    return "\n".join(lines) + "\n"
