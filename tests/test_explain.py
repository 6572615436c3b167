"""Explanations: the interpreter over the IR decides exactly as the generated code, and says why in words."""

from __future__ import annotations

import datetime
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import privlex
import pytest
from conftest import (
    FIXED_DAY,
    ROOT,
    TESTS,
    assert_golden,
    compile_unit,
    compiled_package,
    imported_package,
    quick_or_slow,
)
from hypothesis import given
from hypothesis import strategies as st
from privlex import InvalidUse, ir
from privlex.explain import explain, interpret
from privlex.pipeline import generate
from use_strategies import DAYS, uses

UNITS = {
    "shipped": ROOT / "rulesets",
    "hazards": TESTS / "codegen" / "hazards.rules",
    **{path.stem: path for path in sorted((TESTS / "good").glob("*.rules"))},
    **{folder.name: folder for folder in sorted((TESTS / "semantics").iterdir()) if folder.is_dir()},
}
ZOOM = {
    "region": "DE",
    "data": "content.chat",
    "purpose": "ai.training",
    "date": "2025-06-01",
    "legal_basis": "consent",
    "consent": {"given": True, "explicit": True, "bundled": True},
}


# The shipped unit (every written test interpreted) only in the full run; the fixture units in both.
@pytest.fixture(
    scope="module",
    params=quick_or_slow(sorted(UNITS), set(UNITS) - {"shipped"}),
)
def unit(request: pytest.FixtureRequest) -> Iterator[tuple[types.ModuleType, ir.Program]]:
    with compiled_package(UNITS[request.param]) as found:
        yield found


def agree(package: types.ModuleType, program: ir.Program, valid: Any, today: datetime.date) -> None:
    """The interpreter's decision is the generated code's: outcome, reasons, obligations (with their carriers)."""
    decision = package.check(valid, today=today)
    interpreted = interpret(program, valid, valid.date or today).decision
    assert interpreted.outcome == decision.outcome
    assert interpreted.reasons == decision.reasons
    assert interpreted.obligations == decision.obligations
    assert [o.rule for o in interpreted.obligations] == [o.rule for o in decision.obligations]
    assert interpreted.rulesets == decision.rulesets


def test_the_interpreter_decides_every_written_test_as_check_does(
    unit: tuple[types.ModuleType, ir.Program],
) -> None:
    package, program = unit
    for case in program.tests:
        agree(package, program, package.DataUse.from_input(case.use), case.day or FIXED_DAY)


@pytest.mark.slow
@given(data=st.data())
def test_the_interpreter_decides_as_check_does(unit: tuple[types.ModuleType, ir.Program], data: Any) -> None:
    package, program = unit
    covered = tuple(region for ruleset in program.rulesets for region in ruleset.covers)
    use = data.draw(uses(program.vocabulary, covered=covered, extras=False))
    today = data.draw(DAYS)
    try:
        valid = package.DataUse.from_input(use)
    except InvalidUse:
        return
    agree(package, program, valid, today)


@pytest.mark.slow
@given(data=st.data())
def test_every_decision_explains_itself(unit: tuple[types.ModuleType, ir.Program], data: Any) -> None:
    package, program = unit
    covered = tuple(region for ruleset in program.rulesets for region in ruleset.covers)
    use = data.draw(uses(program.vocabulary, covered=covered, extras=False))
    today = data.draw(DAYS)
    try:
        decision = package.check(use, today=today)
    except InvalidUse:
        return
    explained = decision.explain(changes=False)
    assert explained.outcome == str(decision.outcome)
    assert explained.to_dict()["decision"] == decision.to_dict()
    text = str(explained)
    assert text.startswith(str(decision.outcome).replace("_", " "))
    for reason in decision.reasons:
        assert reason.source in text


# ------------------------------------------------------------- the shipped rules


def test_zoom_chat_is_denied_by_bundled_consent_and_would_be_permitted_without_it() -> None:
    explained = privlex.check(ZOOM).explain()
    data = explained.to_dict()
    assert data["outcome"] == "deny"
    (path,) = data["paths"]
    assert [step["id"] for step in path["steps"]] == ["consent", "consent.bundled"]
    assert [step["title"] for step in path["steps"]][0] == "Consent of the person"
    assert path["because"] == ["consent.bundled is true"]
    assert "consent.bundled were false" in [a["text"] for a in data["would_change"]]
    assert all(len(a["changes"]) == 1 for a in data["would_change"]), "only the smallest sets are listed"
    gdpr = next(r for r in data["rulesets"] if r["ruleset"] == "gdpr")
    consent = next(rule for rule in gdpr["rules"] if rule["id"] == "consent")
    assert consent["state"] == "matches" and consent["notes"]
    assert consent["condition"]["value"] == "true"
    assert consent["condition"]["facts"] == {"legal_basis": "consent", "consent.given": True}
    bundled = next(e for e in consent["exceptions"] if e["id"] == "consent.bundled")
    assert bundled["decides"] and bundled["citations"] == ["GDPR Art. 7(4)", "GDPR Rec. 43"]
    ccpa = next(r for r in data["rulesets"] if r["ruleset"] == "ccpa")
    assert ccpa["why_not"] == "region DE is not in US-CA"
    text = str(explained)
    assert "Would permit if:\n  - " in text and "consent.bundled were false" in text
    assert 'consent "Consent of the person" > bundled' in text


@pytest.mark.parametrize(
    ("change", "why_not", "would"),
    [
        ({"region": "AQ"}, "region AQ is not in EEA", "region were in EEA (e.g. AT)"),
        (
            {"date": "2018-05-24"},
            "2018-05-24 is before 2018-05-25, when it takes effect",
            "date were 2018-05-25 or later",
        ),
    ],
    ids=["region", "before_from"],
)
def test_not_applicable_says_why_and_what_would_apply(change: dict[str, str], why_not: str, would: str) -> None:
    data = explain({**ZOOM, **change}).to_dict()
    assert data["outcome"] == "not_applicable" and data["paths"] == []
    gdpr = next(r for r in data["rulesets"] if r["ruleset"] == "gdpr")
    assert gdpr["applies"] is False and gdpr["why_not"] == why_not
    assert would in [a["text"] for a in data["would_change"]]


def test_an_applicability_condition_that_is_unknown_is_named(tmp_path: Path) -> None:
    rules = tmp_path / "coppa.rules"
    rules.write_text(
        'data content "Content"\npurpose ai "AI"\nfact subject.age "Age": integer from 0 to 130\n'
        'country US "United States"\n'
        'ruleset coppa "COPPA":\n    covers US\n    applies when subject.age < 13\n'
        '    otherwise permit "No duty" cites "16 CFR 312.3"\n',
        encoding="utf-8",
    )
    compilation = compile_unit(rules)
    assert compilation.program is not None
    package = imported_package(compilation.program)
    data = explain({"region": "US", "data": "content", "purpose": "ai"}, package=package, today=FIXED_DAY)
    coppa = data.to_dict()["rulesets"][0]
    assert coppa["why_not"] == (
        "its condition `applies when subject.age < 13` is unknown, because subject.age is not given"
    )
    assert [a["text"] for a in data.to_dict()["would_change"]] == ["subject.age were 12"]


def test_definitions_are_shown_by_name_with_their_reason() -> None:
    compilation = compile_unit(TESTS / "good" / "definitions_and_duties.rules")
    assert compilation.program is not None
    use = {"region": "CH", "data": "content.chat", "purpose": "ai.training", "subject": {"age": 12}}
    use["consent"] = {"given": True, "bundled": True}
    package = imported_package(compilation.program)
    explained = explain(use, package=package, today=FIXED_DAY)
    data = explained.to_dict()
    rule = next(r for r in data["rulesets"][0]["rules"] if r["id"] == "children")
    assert rule["condition"]["text"] == "deny when child and not justified"
    shown = {d["name"]: d for d in rule["condition"]["definitions"]}
    assert shown["child"]["value"] == "true"
    assert shown["child"]["because"] == ["subject.age is 12 (discernment_age is 16 here)"]
    assert shown["justified"]["value"] == "false"
    assert shown["valid_consent"]["because"] == ["consent.bundled is true"]
    assert data["outcome"] == "deny"
    assert "valid_consent: false, because consent.bundled is true" in str(explained)


def test_a_hand_made_decision_cannot_explain_itself() -> None:
    with pytest.raises(ValueError, match="generated package"):
        privlex.Decision(privlex.Outcome.NOT_APPLICABLE, [], [], []).explain()


def test_explaining_does_not_change_the_decision() -> None:
    decision = privlex.check(ZOOM)
    assert decision == privlex.check(ZOOM) and decision.to_dict() == privlex.check(ZOOM).to_dict()
    assert datetime.date.fromisoformat(decision.explain(changes=False).to_dict()["use"]["date"]) == datetime.date(
        2025, 6, 1
    )


# ------------------------------------------------------------------ golden files

GOLDEN = TESTS / "explain"
CASES = {
    "deny_child_bundled": {"region": "CH", "data": "content.chat", "purpose": "ai.training", "subject": {"age": 12},
                           "consent": {"given": True, "bundled": True}},
    "permit_default_duties": {"region": "CH", "data": "content.chat", "purpose": "ai.training"},
    "permit_explicit_health": {"region": "CH", "data": "health", "purpose": "ai.training",
                               "consent": {"explicit": True}},
    "exclusion_anonymous": {"region": "CH", "data": "health", "purpose": "ai.training",
                            "processing": {"identifiability": "anonymised"}},
    "not_applicable_before": {"region": "CH", "data": "content.chat", "purpose": "ai.training",
                              "date": "2023-08-31"},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_explanations_read_as_in_their_golden_files(name: str, update_golden: bool) -> None:
    compilation = compile_unit(TESTS / "good" / "definitions_and_duties.rules")
    assert compilation.program is not None
    package = imported_package(compilation.program)
    explained = explain(CASES[name], package=package, today=FIXED_DAY)
    text = str(explained).replace(package.__name__, "PACKAGE").replace(package.SOURCE_HASH[:12], "HASH")
    assert_golden(GOLDEN / f"{name}.txt", text, update_golden)


def test_a_conditional_duty_is_listed_with_the_condition_that_brought_it(update_golden: bool) -> None:
    compilation = compile_unit(TESTS / "good" / "conditional_duties.rules")
    assert compilation.program is not None
    use = {"region": "DE", "data": "health", "purpose": "ai.training", "consent": {"given": True}}
    package = imported_package(compilation.program)
    explained = explain(use, package=package, today=FIXED_DAY)
    text = str(explained).replace(package.__name__, "PACKAGE").replace(package.SOURCE_HASH[:12], "HASH")
    dpia = next(line for line in text.splitlines() if line.startswith("  eu dpia:"))
    assert dpia.endswith(
        "(from every permit of the ruleset, when ai_on_health or (processing.large_scale and purpose in ai))"
    )  # noqa: E501
    assert_golden(GOLDEN / "permit_conditional_duty.txt", text, update_golden)


def test_the_generated_code_of_definitions_and_duties_is_golden(update_golden: bool) -> None:
    compilation = compile_unit(TESTS / "good" / "definitions_and_duties.rules")
    assert compilation.program is not None
    files = generate(compilation.program, "definitions_rules")
    assert_golden(GOLDEN / "fadp.py.txt", files["fadp.py"], update_golden)
