"""Focused tests of the semantic passes: parameters, constraints and checks, testcases.

The front-end passes (parse, build_ast, resolve, typecheck) are in test_passes.py.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from passes_helpers import codes, compile_text, ruleset, top_rule, unless
from privlex import ir
from privlex.passes.testcases import node_ids
from privlex.pipeline import Compilation

DAY = datetime.date


def timeline(compilation: Compilation, region: str) -> list[tuple[str, str, object]]:
    assert compilation.program is not None, codes(compilation)
    (parameter,) = compilation.program.rulesets[0].parameters
    return [(str(start), str(end), value) for start, end, value in parameter.timeline[region]]


def with_parameter(values: str, clauses: str = 'covers EEA\notherwise deny "No basis" cites "Art. 1"') -> str:
    lines = "\n".join(f"    {line.strip()}" for line in values.strip().splitlines())
    body = f'parameter age "Age of consent": integer\n    cites "Art. 8"\n{lines}\n'
    return ruleset(body + top_rule("deny when subject.age < age"), clauses)


# --------------------------------------------------------------- parameters


def test_the_most_specific_region_wins(tmp_path: Path) -> None:
    compilation = compile_text(tmp_path, with_parameter("EEA: 16\nEU: 15\nDE: 14"))
    assert [timeline(compilation, code)[0][2] for code in ("DE", "FR", "NO")] == [14, 15, 16]


def test_subdivisions_inherit_from_their_country(tmp_path: Path) -> None:
    clauses = 'covers US\notherwise permit "Allowed" cites "Art. 1"'
    compilation = compile_text(tmp_path, with_parameter("US: 13", clauses))
    assert timeline(compilation, "US-CA") == [("0001-01-01", "9999-12-31", 13)]


def test_undeclared_subdivisions_get_their_own_timeline(tmp_path: Path) -> None:
    """`CC-XXX` of a declared country is a valid region: a value for it, or covering it, must resolve."""
    covering = compile_text(tmp_path, with_parameter("US: 13", 'covers US-TX\notherwise permit "Allowed" cites "c"'))
    assert timeline(covering, "US-TX") == [("0001-01-01", "9999-12-31", 13)]
    valued = compile_text(tmp_path, with_parameter("EEA: 16\nDE-BY: 14"))
    assert timeline(valued, "DE-BY")[0][2] == 14 and timeline(valued, "DE")[0][2] == 16


def test_dated_values_fall_back_to_the_enclosing_region(tmp_path: Path) -> None:
    clauses = 'covers EEA\nfrom 2018-05-25\notherwise deny "No basis" cites "Art. 1"'
    compilation = compile_text(tmp_path, with_parameter("EEA: 16\nDE: 13 from 2020-01-01 until 2020-12-31", clauses))
    assert timeline(compilation, "DE") == [
        ("2018-05-25", "2019-12-31", 16),
        ("2020-01-01", "2020-12-31", 13),
        ("2021-01-01", "9999-12-31", 16),
    ]
    assert timeline(compilation, "FR") == [("2018-05-25", "9999-12-31", 16)]


def test_consecutive_periods_with_one_value_merge(tmp_path: Path) -> None:
    compilation = compile_text(tmp_path, with_parameter("EEA: 16\nDE: 16 until 2020-12-31\nDE: 16 from 2021-01-01"))
    assert timeline(compilation, "DE") == [("0001-01-01", "9999-12-31", 16)]


def test_gaps_are_reported_with_their_dates(tmp_path: Path) -> None:
    clauses = 'covers DE, FR, NO\nfrom 2018-05-25\notherwise deny "No basis" cites "Art. 1"'
    values = "DE: 13 from 2021-01-01\nFR: 13 until 2020-12-31\nFR: 14 from 2022-01-01\nNO: 16"
    compilation = compile_text(tmp_path, with_parameter(values, clauses))
    (gap,) = compilation.diagnostics
    assert gap.code == "E405"
    assert gap.message == "parameter age has no value for DE until 2020-12-31, FR from 2021-01-01 until 2021-12-31"


def test_a_region_without_any_value(tmp_path: Path) -> None:
    compilation = compile_text(tmp_path, with_parameter("EU: 16"))
    assert [(d.code, d.message) for d in compilation.diagnostics] == [("E405", "parameter age has no value for NO")]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            "EEA: 16\nDE: 13 until 2024-12-31\nDE: 15 from 2024-01-01",
            "parameter age has two values for DE from 2024-01-01: this one and the one on line 31",
        ),
        ("EEA: 16\nEEA: 15", "parameter age has two values for EEA: this one and the one on line 30"),
    ],
)
def test_overlapping_values_for_one_region(tmp_path: Path, values: str, message: str) -> None:
    compilation = compile_text(tmp_path, with_parameter(values))
    assert [(d.code, d.message) for d in compilation.diagnostics] == [("E406", message)]


def test_unrelated_regions_giving_a_value_are_ambiguous(tmp_path: Path) -> None:
    extra = 'group NORDIC "Nordic":\n    NO, DE\n'
    compilation = compile_text(tmp_path, extra + with_parameter("EU: 16\nNORDIC: 13\nNO: 13"))
    (ambiguous,) = compilation.diagnostics
    assert ambiguous.code == "E406"
    assert "two values for DE, from EU and from NORDIC" in ambiguous.message


def test_parameter_values_are_checked(tmp_path: Path) -> None:
    values = "EEA: true\nDE: 13 from 2021-02-30\nZZ: 1\nFR: 1 from 2021-01-01 until 2020-01-01"
    found = codes(compile_text(tmp_path, with_parameter(values)))
    assert sorted(found) == ["E201", "E301", "E303", "E405", "E407"]


# ------------------------------------------------------- constraints/checks


def checked(tmp_path: Path, parent: str, child: str, child_effect: str = "permit", scope: str = "") -> list[str]:
    rule = top_rule(f"deny when {parent}", unless("inner", *([scope] if scope else []), f"{child_effect} when {child}"))
    return codes(compile_text(tmp_path, ruleset(rule)))


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        ("subject.age < 16", "subject.age < 13"),
        ("subject.age < 16", "subject.age >= 13"),
        ("subject.age >= 16", "subject.age is unknown or subject.age < 13"),
        ("processing.kind in {a, b}", "processing.kind not in {a}"),
        ("region in EU", "region is DE"),
        ("region in EEA", "region in EU"),
        ("data in content", "data is content.chat"),
        ("consent.given", "consent.bundled"),
        ("legal_basis is unknown", "not consent.given"),
        ("date >= 2020-01-01", "date < 2021-01-01"),
        ("subject.age >= 13 and subject.age <= 14", "subject.age != 13"),
        ("subject.age in {12, 20}", "subject.age >= 16"),
    ],
)
def test_exceptions_that_can_match_are_not_flagged(tmp_path: Path, parent: str, child: str) -> None:
    assert checked(tmp_path, parent, child) == []


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        ("subject.age >= 16", "subject.age < 13"),
        ("subject.age < 13", "subject.age = 13"),
        ("subject.age >= 16", "subject.age in {12, 13}"),
        ("subject.age >= 13 and subject.age <= 14", "subject.age not in {13, 14}"),
        ("processing.kind in {a}", "processing.kind not in {a}"),
        ("processing.kind is a", "processing.kind is b"),
        ("region in EU", "region is NO"),
        ("region in EU", "region in {US}"),
        ("data in content", "data in sensitive"),
        ("consent.given", "not consent.given"),
        ("not (consent.given or consent.bundled)", "consent.bundled"),
        ("subject.age is unknown", "subject.age < 13"),
        ("subject.age is known", "subject.age is unknown"),
        ("date >= 2021-01-01", "date < 2020-06-01"),
    ],
)
def test_exceptions_contradicting_their_parent_are_errors(tmp_path: Path, parent: str, child: str) -> None:
    assert checked(tmp_path, parent, child) == ["E402"]


@pytest.mark.parametrize(
    "condition",
    [
        "subject.age < 13 and subject.age > 20",
        "not processing.kind in {a} and processing.kind in {a}",
        "consent.given and not consent.given",
        "region in EU and region is NO",
        "subject.age is unknown and subject.age >= 16",
        "processing.kind is unknown and processing.kind not in {a}",
    ],
)
def test_conditions_contradicting_themselves_are_errors(tmp_path: Path, condition: str) -> None:
    compilation = compile_text(tmp_path, ruleset(top_rule(f"deny when {condition}")))
    assert [(d.code, d.message) for d in compilation.diagnostics][0][0] == "E402"
    assert "its own conditions" in compilation.diagnostics[0].message


@pytest.mark.parametrize(
    "condition",
    [
        "consent.given or not consent.given",
        "subject.age < 13 or subject.age > 20",
        "not (consent.given and consent.bundled)",
    ],
)
def test_disjunctions_are_not_mistaken_for_contradictions(tmp_path: Path, condition: str) -> None:
    assert codes(compile_text(tmp_path, ruleset(top_rule(f"deny when {condition}")))) == []


def test_parameters_count_with_their_whole_range(tmp_path: Path) -> None:
    values = 'parameter age "Age": integer\n    EEA: 16\n    FR: 13\n'
    possible = top_rule("deny when subject.age < age", unless("teen", "permit when subject.age >= 14"))
    impossible = top_rule("deny when subject.age < age", unless("old", "permit when subject.age >= 16"))
    assert codes(compile_text(tmp_path, ruleset(values + possible))) == []
    assert codes(compile_text(tmp_path, ruleset(values + impossible))) == ["E402"]


def test_scopes_of_exceptions(tmp_path: Path) -> None:
    inside = checked(tmp_path, "consent.given", "consent.bundled", scope="data content.chat")
    assert inside == []
    rule = top_rule("permit", "data content.chat", unless("inner", "data content", "deny"))
    assert codes(compile_text(tmp_path, ruleset(rule))) == ["E403"]
    rule = top_rule("permit", "purpose analytics", unless("inner", "purpose ai", "deny"))
    assert codes(compile_text(tmp_path, ruleset(rule))) == ["E402"]


def test_a_contradiction_names_the_enclosing_node_it_comes_from(tmp_path: Path) -> None:
    rule = top_rule(
        "permit when subject.age >= 16",
        unless("middle", "deny when consent.bundled"),
        unless("inner", "permit when subject.age < 13", depth=2),
    )
    (found,) = compile_text(tmp_path, ruleset(rule)).diagnostics
    assert found.code == "E402"
    assert found.message.endswith("its condition on subject.age contradicts the condition of top")


def test_same_effect_is_a_warning_and_obligations_on_denials_are_errors(tmp_path: Path) -> None:
    assert checked(tmp_path, "consent.given", "consent.bundled", child_effect="deny") == ["W401"]
    rule = top_rule("deny when consent.given", 'obligation tell "Tell the person" cites "c"')
    assert codes(compile_text(tmp_path, ruleset(rule))) == ["E404"]


def test_dates_of_nodes(tmp_path: Path) -> None:
    clauses = 'covers EEA\nfrom 2020-01-01\nuntil 2030-12-31\notherwise deny "No basis" cites "Art. 1"'
    early = top_rule("permit", "until 2019-12-31")
    late = top_rule("permit", "from 2031-01-01")
    backwards = top_rule("permit", "from 2025-01-01", "until 2024-01-01")
    assert codes(compile_text(tmp_path, ruleset(early, clauses))) == ["W402"]
    assert codes(compile_text(tmp_path, ruleset(late, clauses))) == ["W402"]
    assert codes(compile_text(tmp_path, ruleset(backwards, clauses))) == ["E407"]


# ---------------------------------------------------------------- testcases


def with_test(*lines: str, at_top: bool = False) -> str:
    rule = top_rule(
        "permit when consent.given",
        'obligation keep "Keep proof" cites "c"',
        unless("bundled", "deny when consent.bundled"),
    )
    body = "\n".join(f"    {line}" for line in ("given region DE, data content, purpose ai", *lines))
    if at_top:
        return ruleset(rule) + f'test example "Example":\n{body}\n'
    return ruleset(rule + f'test example "Example":\n{body}\n')


def test_node_ids_include_nested_exceptions_and_the_default(tmp_path: Path) -> None:
    compilation = compile_text(tmp_path, with_test("expect permit by top"))
    assert compilation.program is not None, codes(compilation)
    assert node_ids(compilation.program.rulesets[0]) == ["top", "top.bundled", "default"]
    (case,) = compilation.program.tests
    assert case.use == {"region": "DE", "data": "content", "purpose": "ai"}
    assert case.expectations[0] == ir.Expectation(
        outcome="permit", by=("top",), obligations=None, span=case.expectations[0].span
    )


@pytest.mark.parametrize(
    ("lines", "at_top", "found"),
    [
        (["expect permit by tpo"], False, [("E501", "did you mean top?")]),
        (["expect deny by top.bundle"], False, [("E501", "did you mean top.bundled?")]),
        (["expect permit by top with obligations kept"], False, [("E501", "did you mean keep?")]),
        (["expect permit by r.top with obligations r.keep", "expect deny by r.default"], True, []),
        (["expect permit by top"], True, [("E501", "did you mean r.top?")]),
        (["expect deny by default"], False, []),
        (
            ["given subject.age"],
            False,
            [("E502", "write `subject.age VALUE`"), ("E207", "add a line such as `expect deny by consent.bundled`")],
        ),
        (["given consent.given, consent.given", "expect permit"], False, [("E502", None)]),
        (
            ["given region EU", "expect permit"],
            False,
            [("E302", "name one country or subdivision inside EU, such as DE")],
        ),
        (
            ["on 2024-02-30", "expect permit"],
            False,
            [("E303", "write dates as YYYY-MM-DD, with a month from 01 to 12 and a day that month has")],
        ),
        (["on 2024-01-01", "on 2024-01-02", "expect permit"], False, [("E206", None)]),
    ],
)
def test_test_cases(tmp_path: Path, lines: list[str], at_top: bool, found: list[tuple[str, str | None]]) -> None:
    compilation = compile_text(tmp_path, with_test(*lines, at_top=at_top))
    assert [(d.code, d.help) for d in compilation.diagnostics] == found
