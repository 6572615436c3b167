"""The fact list of docs/language.md is generated from the shipped vocabulary and kept current.

The section between the fact-list markers lists every fact, data category,
purpose and lawful basis of rulesets/vocabulary.rules with its meaning, what
absence means, the notes from the law, and which shipped rulesets read it.
`pytest --update-golden` rewrites the section; nothing else of the file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import ROOT
from privlex import ir
from shipped_unit import shipped_program

LANGUAGE_DOC = ROOT / "docs" / "language.md"
START = (
    "<!-- fact list: start. Generated from rulesets/vocabulary.rules by tests/test_fact_list.py;"
    " `python -m pytest tests/test_fact_list.py --update-golden` rewrites it. -->"
)
END = "<!-- fact list: end -->"
GROUP_ORDER = ["", "subject", "consent", "processing", "organisation", "ai_system", "bias_detection"]

INTRO = """\
Every fact a use can carry, as the shipped vocabulary (`rulesets/vocabulary.rules`)
declares it. A fact that is not given is false (a boolean), its default, or
unknown; "read by" names the shipped rulesets whose rules or applicability
test it. The notes are the `#` comments above the declaration: which law
needs the fact and why. `region`, `data`, `purpose` and `date` are built in
(section 2.7). Facts added after v0.1 say in their title what absence means,
and their default leaves every earlier outcome unchanged."""


def condition_facts(condition: ir.Condition | None) -> Iterator[str]:
    if condition is None:
        return
    if isinstance(condition, ir.Not):
        yield from condition_facts(condition.operand)
    elif isinstance(condition, ir.Defined):
        yield from condition_facts(condition.condition)
    elif isinstance(condition, (ir.And, ir.Or)):
        for operand in condition.operands:
            yield from condition_facts(operand)
    else:
        yield condition.fact.path


def readers(program: ir.Program) -> dict[str, list[str]]:
    """Fact path -> the rulesets that test it, sorted."""
    found: dict[str, set[str]] = {}
    for ruleset in program.rulesets:
        paths = set(condition_facts(ruleset.applies))
        for node, _ in ruleset.walk():
            paths.update(condition_facts(node.condition))
        for obligation in ruleset.obligations:
            paths.update(condition_facts(obligation.condition))
        for path in paths:
            found.setdefault(path, set()).add(ruleset.id)
    return {path: sorted(names) for path, names in found.items()}


def escape(text: str) -> str:
    return text.replace("|", "\\|")


def fact_type(fact: ir.Fact) -> str:
    if fact.kind == "integer":
        text = f"integer {fact.minimum} to {fact.maximum}"
    elif fact.kind == "enum":
        text = "one of " + ", ".join(fact.choices)
    else:
        text = fact.kind
    extras = [f"implies `{p}`" for p in fact.implies] + [f"excludes `{p}`" for p in fact.excludes]
    return text + (" (" + "; ".join(extras) + ")" if extras else "")


def when_absent(fact: ir.Fact) -> str:
    if fact.kind == "boolean":
        return "false"
    return f"`{fact.default}`" if fact.default is not None else "unknown"


def notes_list(items: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    lines = [f"- `{name}`: {escape(' '.join(notes))}" for name, notes in items if notes]
    return ["", "Notes:", "", *lines] if lines else []


def render(program: ir.Program) -> str:
    vocabulary = program.vocabulary
    read = readers(program)
    lines = ["## Part 4 — The shipped vocabulary", "", INTRO, "", "### Facts"]
    groups: dict[str, list[ir.Fact]] = {}
    for fact in vocabulary.facts:
        groups.setdefault(fact.group or "", []).append(fact)
    order = [g for g in GROUP_ORDER if g in groups] + sorted(set(groups) - set(GROUP_ORDER))
    for group in order:
        lines += ["", f"#### {f'`{group}`' if group else 'Top-level facts'}", ""]
        lines += ["| fact | type | when not given | meaning | read by |", "|---|---|---|---|---|"]
        for fact in groups[group]:
            who = ", ".join(read.get(fact.path, [])) or "none"
            lines.append(
                f"| `{fact.path}` | {escape(fact_type(fact))} | {when_absent(fact)} | {escape(fact.title)} | {who} |"
            )
        lines += notes_list([(f.path, f.notes) for f in groups[group]])
    for heading, keys in (("Data categories", vocabulary.data), ("Purposes", vocabulary.purposes)):
        lines += ["", f"### {heading}", "", "| key | meaning | below |", "|---|---|---|"]
        for key in keys:
            below = ", ".join(f"`{p}`" for p in key.parents) or ""
            abstract = " (abstract: a grouping only)" if key.abstract else ""
            lines.append(f"| `{key.key}` | {escape(key.title)}{abstract} | {below} |")
        lines += notes_list([(k.key, k.notes) for k in keys])
    lines += ["", "### Lawful bases (values of `legal_basis`)", "", "| basis | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {escape(title)} |" for name, title in vocabulary.bases]
    return "\n".join(lines) + "\n"


def split(text: str) -> tuple[str, str, str]:
    if START not in text or END not in text:
        pytest.fail(f"{LANGUAGE_DOC} has no fact-list markers: add {START!r} and {END!r}")
    head, rest = text.split(START, 1)
    body, tail = rest.split(END, 1)
    return head, body, tail


def test_the_fact_list_in_the_language_doc_is_current(update_golden: bool) -> None:
    head, body, tail = split(LANGUAGE_DOC.read_text(encoding="utf-8"))
    generated = "\n" + render(shipped_program())
    if update_golden:
        LANGUAGE_DOC.write_text(head + START + generated + END + tail, encoding="utf-8")
        return
    assert body == generated, f"the fact list of {LANGUAGE_DOC} is stale: run pytest --update-golden"


def test_every_fact_key_and_basis_is_listed() -> None:
    _, body, _ = split(LANGUAGE_DOC.read_text(encoding="utf-8"))
    vocabulary = shipped_program().vocabulary
    names = [f.path for f in vocabulary.facts] + [k.key for k in vocabulary.data + vocabulary.purposes]
    names += [name for name, _ in vocabulary.bases]
    assert [name for name in names if f"| `{name}` |" not in body] == []


def test_read_by_follows_the_conditions() -> None:
    read = readers(shipped_program())
    assert read["subject.universal_opt_out"] == ["ccpa", "cpa"]
    assert read["processing.intra_provincial"] == ["pipeda"]
    assert "gdpr" in read["consent.several_purposes"] and "uk_gdpr" in read["consent.several_purposes"]
