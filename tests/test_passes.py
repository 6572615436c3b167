"""Focused tests of the front-end passes: parse, build_ast, resolve and typecheck.

The semantic passes (parameters, constraints and checks, testcases) are in
test_passes_semantics.py. Each test compiles a few lines of rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from passes_helpers import VOCABULARY, codes, compile_text, ruleset, top_rule
from privlex import ir
from privlex.pipeline import compile_paths
from privlex.source import SourceFile, Span
from privlex.syntax import nodes as n
from privlex.syntax.build_ast import build_ast
from privlex.syntax.error_messages import (
    HINT_CITATIONS,
    HINT_COLON,
    HINT_EFFECT,
    HINT_OPERATORS,
    HINT_OUTSIDE_RULESET,
    HINT_TITLE,
    HINT_WHEN,
)
from privlex.syntax.node_builder import comment_notes, unquote
from privlex.syntax.parse import parse


def source(text: str) -> SourceFile:
    return SourceFile(path="unit.rules", text=text, data=text.encode("utf-8"))


def text_at(text: str, span: Span) -> str:
    assert span.line == span.end_line
    return text.split("\n")[span.line - 1][span.column - 1 : span.end_column - 1]


# -------------------------------------------------------------------- parse

RULE = 'ruleset r "t":\n    rule a "t":\n'
SYNTAX_HINTS = [
    ('rule a "t":\n', HINT_OUTSIDE_RULESET),
    ('data a "t"\nrule a "t":\n', HINT_OUTSIDE_RULESET),
    ('# a comment\nunless a "t":\n', HINT_OUTSIDE_RULESET),
    ('fact a "t": boolean\nparameter a "t": integer\n', HINT_OUTSIDE_RULESET),
    ('ruleset a "t"\n    covers DE\n', HINT_COLON),
    ('ruleset r "t":\n    rule a "t"\n        cites "x"\n', HINT_COLON),
    (RULE + '        permit\n        unless b "t"\n            deny\n', HINT_COLON),
    ("ruleset a:\n", HINT_TITLE),
    (RULE.replace('a "t"', "a"), HINT_TITLE),
    ("data content\n", HINT_TITLE),
    ("purpose ai\n", HINT_TITLE),
    (RULE + "        permit if x\n", HINT_WHEN),
    (RULE + "        deny if x\n", HINT_WHEN),
    (RULE + "        permit when x && y\n", HINT_OPERATORS["&"]),
    (RULE + "        permit when x || y\n", HINT_OPERATORS["|"]),
    (RULE + "        permit when !x\n", HINT_OPERATORS["!"]),
    (RULE + "        permit when x == 1\n", HINT_OPERATORS["="]),
    (RULE + "        allow\n", HINT_EFFECT),
    ('ruleset r "t":\n    otherwise allow "t" cites "c"\n', HINT_EFFECT),
    (RULE + "        cites GDPR\n", HINT_CITATIONS),
    (RULE + '        cites "a" "b"\n', HINT_CITATIONS),
]


@pytest.mark.parametrize(("text", "hint"), SYNTAX_HINTS)
def test_typical_syntax_mistakes_get_their_hint(text: str, hint: str) -> None:
    tree, diagnostics = parse(source(text))
    assert tree is None
    assert [(d.code, d.help) for d in diagnostics] == [("E101", hint)]


def test_a_correct_file_parses_without_diagnostics() -> None:
    tree, diagnostics = parse(source(VOCABULARY))
    assert tree is not None and diagnostics == []


def test_syntax_error_points_at_the_offending_word() -> None:
    _, (diagnostic,) = parse(source(RULE + "        cites Demo Art. 6\n"))
    assert diagnostic.message == 'unexpected "Demo"'
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (3, 15, 19)


def test_other_mistakes_list_what_was_expected() -> None:
    _, (diagnostic,) = parse(source(RULE + "        purpose\n"))
    assert diagnostic.message == "this line ends too early"
    assert diagnostic.help == "expected a name"
    _, (keyword,) = parse(source(RULE + '        citing "x"\n'))
    assert keyword.message == 'unexpected "citing"'
    assert keyword.help is not None and '"cites", "data", "deny"' in keyword.help


def test_empty_block_points_at_its_header() -> None:
    _, (diagnostic,) = parse(source(RULE + '\n    # nothing here\n    rule b "t":\n        deny\n'))
    assert diagnostic.message == 'this line ends with ":" but nothing is indented below it'
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 15)


def test_indentation_errors() -> None:
    _, (deeper,) = parse(source(RULE + '        deny\n            cites "c"\n'))
    assert (deeper.code, deeper.span.line, deeper.span.column) == ("E102", 4, 13)
    _, (between,) = parse(source(RULE + '        deny\n      cites "c"\n'))
    assert (between.code, between.span.line, between.span.column) == ("E102", 4, 7)


def test_line_breaks_inside_parentheses_ignore_indentation() -> None:
    tree, diagnostics = parse(source(RULE + '        cites "c"\n        deny when (x\n  and y) or (\n z)\n'))
    assert tree is not None and diagnostics == []


def test_unclosed_text_and_invisible_characters() -> None:
    _, (unclosed,) = parse(source(RULE + '        cites "GDPR\n'))
    assert unclosed.message == "this text has no closing double quote on its line"
    _, (invisible,) = parse(source('data content "C"\u00a0\n'))
    assert invisible.message == "unexpected invisible character U+00A0 (no-break space)"
    assert (invisible.span.line, invisible.span.column) == (1, 17)


def test_columns_count_code_points_and_form_feeds_do_not_end_lines() -> None:
    _, (diagnostic,) = parse(source('data content "Übermittlung" oops\n'))
    assert diagnostic.span.column == len('data content "Übermittlung" ') + 1
    tree, diagnostics = parse(source('data a "A"\n\f\ndata b "B\fB"\n'))
    assert tree is not None and diagnostics == []


def test_comment_notes_attach_to_the_declaration_below() -> None:
    text = '# Art. 7\n#   (4) freely given\ndata a "A"\n\n# detached\n\ndata b "B"  # trailing\n# last\ndata c "C"\n'
    assert comment_notes(text) == {3: ("Art. 7", "(4) freely given"), 9: ("last",)}


def test_notes_reach_rules_exceptions_parameters_and_tests(tmp_path: Path) -> None:
    body = """
    # Which age counts.
    parameter age "Age": integer
        EEA: 16
    # Consent is a basis.
    # Art. 6(1)(a).
    rule consent "Consent":
        cites "c"
        permit
        # Children cannot consent alone.
        unless child "Child":
            cites "c"
            deny when subject.age < age
    # A worked case.
    test adult "Adult":
        given region DE, data content, purpose ai
        expect permit by consent
"""
    compilation = compile_text(tmp_path, ruleset(body))
    assert compilation.program is not None, codes(compilation)
    (rules,) = compilation.program.rulesets
    assert rules.rules[0].notes == ("Consent is a basis.", "Art. 6(1)(a).")
    assert rules.rules[0].exceptions[0].notes == ("Children cannot consent alone.",)
    assert rules.parameters[0].notes == ("Which age counts.",)
    tree, _ = parse(source(ruleset(body)))
    assert tree is not None
    (built,) = [d for d in build_ast(source(ruleset(body)), tree).declarations if isinstance(d, n.Ruleset)]
    assert built.tests[0].notes == ("A worked case.",)


# ---------------------------------------------------------------- build_ast


def test_unquote_reads_only_quote_and_backslash_escapes() -> None:
    assert unquote(r'"say \"no\" to C:\\temp\n"') == 'say "no" to C:\\temp\\n'
    assert unquote('""') == ""


def test_spans_are_one_based_and_point_at_the_text() -> None:
    text = 'data content "C"\nfact subject.age "Age": integer from 0 to 130\n' + (
        'ruleset r "t":\n    rule child "Child \\"under\\" 16":\n        deny when subject.age < 16\n'
    )
    tree, _ = parse(source(text))
    assert tree is not None
    file = build_ast(source(text), tree)
    key, fact, rules = file.declarations
    assert isinstance(key, n.KeyDecl) and isinstance(fact, n.FactDecl) and isinstance(rules, n.Ruleset)
    assert (key.span.line, key.span.column) == (1, 1)
    assert text_at(text, key.key.span) == "content"
    assert text_at(text, fact.path.span) == "subject.age"
    rule = rules.rules[0]
    assert rule.title == 'Child "under" 16'
    assert text_at(text, rule.id.span) == "child"
    condition = rule.effects[0].condition
    assert isinstance(condition, n.Compare)
    assert text_at(text, condition.span) == "subject.age < 16"
    assert text_at(text, condition.value.span) == "16"


def test_conditions_build_the_right_nodes() -> None:
    text = RULE + "        deny when not (a or b) and c in {x, y} and d not in e and f is unknown\n"
    tree, _ = parse(source(text))
    assert tree is not None
    (rules,) = build_ast(source(text), tree).declarations
    assert isinstance(rules, n.Ruleset)
    condition = rules.rules[0].effects[0].condition
    assert isinstance(condition, n.And)
    negation, braced, bare, unknown = condition.operands
    assert isinstance(negation, n.Not) and isinstance(negation.operand, n.Or)
    assert isinstance(braced, n.Member) and braced.braced and not braced.negated and len(braced.values) == 2
    assert isinstance(bare, n.Member) and not bare.braced and bare.negated
    assert isinstance(unknown, n.Known) and not unknown.known


# ------------------------------------------------------------------ resolve


def test_keys_cover_their_descendants_and_extra_parents(tmp_path: Path) -> None:
    extra = 'data recordings "Recordings"\ndata voice "Voice" in recordings, content\n'
    compilation = compile_text(tmp_path, VOCABULARY + extra)
    assert compilation.program is not None, codes(compilation)
    vocabulary = compilation.program.vocabulary
    assert vocabulary.data_below["content"] == ("content", "content.audio", "content.chat", "voice")
    assert vocabulary.data_below["recordings"] == ("recordings", "voice")
    assert vocabulary.purposes_below["ai"] == ("ai", "ai.training")


def test_regions_lie_within_their_groups_and_countries(tmp_path: Path) -> None:
    compilation = compile_text(tmp_path, VOCABULARY)
    assert compilation.program is not None
    within = compilation.program.vocabulary.within
    assert within["DE"] == ("DE", "EEA", "EU")
    assert within["NO"] == ("EEA", "NO")
    assert within["US-CA"] == ("US", "US-CA")
    assert "EU" not in within  # a group is not a place a use can be


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('subdivision XX-YY "Nowhere"\n', "E203"),
        ('data media.audio "Audio"\n', "E203"),
        ('data a "A" in b\ndata b "B" in a\n', "E204"),
        ('group AA "A":\n    BB\ngroup BB "B":\n    AA\n', "E204"),
        ('group AA "A":\n    AA\n', "E204"),
        ('data content "Again"\n', "E202"),
        ('country DEU "Germany"\n', "E205"),
        ('fact subject.age.years "Years": integer from 0 to 9\n', "E205"),
        ('fact region "Again": region\n', "E202"),
        ('fact consent "Both a fact and a group": boolean\n', "E202"),
        ('fact x.y "Y": boolean implies x.z\n', "E201"),
        ('group AA "A":\n    ZZ\n', "E201"),
    ],
)
def test_vocabulary_mistakes(tmp_path: Path, text: str, code: str) -> None:
    assert code in codes(compile_text(tmp_path, VOCABULARY + text))


def test_a_cycle_is_reported_once_and_the_rest_still_resolves(tmp_path: Path) -> None:
    compilation = compile_text(tmp_path, VOCABULARY + 'data a "A" in b\ndata b "B" in a\ndata b.c "C"\n')
    assert codes(compilation) == ["E204"]
    assert compilation.diagnostics[0].message == "the data keys form a cycle: a -> b -> a"


# ---------------------------------------------------------------- typecheck


def condition_of(tmp_path: Path, condition: str) -> ir.Condition | None:
    compilation = compile_text(tmp_path, ruleset(top_rule(f"deny when {condition}")))
    assert not compilation.failed, codes(compilation)
    assert compilation.program is not None
    return compilation.program.rulesets[0].rules[0].condition


def test_comparisons_get_their_types(tmp_path: Path) -> None:
    age = condition_of(tmp_path, "subject.age < 16")
    assert isinstance(age, ir.Compare) and age.value == 16 and age.fact.kind == "integer" and age.fact.nullable
    basis = condition_of(tmp_path, "legal_basis is consent")
    assert isinstance(basis, ir.OneOf) and basis.values == ("consent",)
    region = condition_of(tmp_path, "region in EU")
    assert isinstance(region, ir.Within) and region.values == ("EU",)
    exact = condition_of(tmp_path, "region is not DE")
    assert isinstance(exact, ir.Not) and isinstance(exact.operand, ir.OneOf)
    falsity = condition_of(tmp_path, "consent.given is false")
    assert isinstance(falsity, ir.Not) and isinstance(falsity.operand, ir.Truth)
    day = condition_of(tmp_path, "date >= 2024-02-29")
    assert isinstance(day, ir.Compare) and str(day.value) == "2024-02-29" and not day.fact.nullable
    category = condition_of(tmp_path, "data in sensitive")
    assert isinstance(category, ir.Within) and category.fact.kind == "data"


def test_parameter_references_are_typed(tmp_path: Path) -> None:
    body = 'parameter age "Age": integer\n    EEA: 16\n' + top_rule("deny when subject.age < age")
    compilation = compile_text(tmp_path, ruleset(body))
    assert compilation.program is not None, codes(compilation)
    condition = compilation.program.rulesets[0].rules[0].condition
    assert isinstance(condition, ir.Compare) and condition.value == ir.ParamRef(name="age")


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ("consent.given < 3", "E302"),
        ("subject.age is 2020-01-01", "E301"),
        ("subject.age", "E301"),
        ("subject.age < 131", "E304"),
        ("legal_basis is contract", "E201"),
        ("processing.kind is c", "E201"),
        ("data is sensitive", "E408"),
        ("region is EU", "E302"),
        ("region in ZZ", "E201"),
        ("consent.given is unknown", "E302"),
        ("consent.given in {true}", "E302"),
        ("data in {DE}", "E301"),
        ("date < 2023-02-29", "E303"),
        ("subject.age < cutoff", "E201"),
        ("subject.age < opens", "E301"),
    ],
)
def test_type_errors(tmp_path: Path, condition: str, code: str) -> None:
    body = (
        'parameter cutof "Cut-off": integer\n    EEA: 16\n'
        'parameter opens "Opening day": date\n    EEA: 2020-01-01\n' + top_rule(f"deny when {condition}")
    )
    assert codes(compile_text(tmp_path, ruleset(body))) == [code]


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    missing = compile_paths([tmp_path / "nowhere.rules"])
    assert codes(missing) == ["E001"] and missing.diagnostics[0].span is None
    latin1 = tmp_path / "latin1.rules"
    latin1.write_bytes('data a "Übermittlung"\n'.encode("latin-1"))
    unreadable = compile_paths([latin1])
    assert codes(unreadable) == ["E001"]
    assert "it is not UTF-8 text" in unreadable.diagnostics[0].message
