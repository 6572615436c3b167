"""Going on after a syntax error: every broken declaration reported, the rest checked, no cascades."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, compile_unit, costly, diagnostics_text
from hypothesis import given, settings
from hypothesis import strategies as st
from privlex.pipeline import Compilation, compile_paths
from privlex.source import SourceFile
from privlex.syntax.parse import MAX_SYNTAX_ERRORS, parse, parse_recovering

THREE = TESTS / "bad" / "three_syntax_errors.rules"


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_three_syntax_errors_in_three_rules_are_all_reported() -> None:
    compilation = compile_unit(THREE)
    found = [(d.code, d.span.line) for d in compilation.diagnostics if d.span]
    assert found == [
        ("E101", line_of(THREE, "permit if consent.given")),
        ("E101", line_of(THREE, "&&")),
        ("E101", line_of(THREE, 'rule child "Children below 16"')),
        ("E201", line_of(THREE, "data content.chta")),  # the rule without a syntax error is still checked
    ], diagnostics_text(compilation)
    assert compilation.program is None


def shipped_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets", folder)
    return folder


@pytest.mark.slow
def test_a_broken_vocabulary_line_is_one_error_not_hundreds(tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    vocabulary = folder / "vocabulary.rules"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8").replace('data content "', 'data content = "', 1), encoding="utf-8"
    )
    compilation = compile_paths([folder])
    assert [d.code for d in compilation.diagnostics] == ["E101"], diagnostics_text(compilation)


@pytest.mark.slow
def test_a_broken_rule_hides_only_the_tests_that_name_it(tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    gdpr = folder / "gdpr.rules"
    text = gdpr.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("    rule consent "))
    gdpr.write_text(text.replace(header, header.rstrip(":"), 1), encoding="utf-8")
    vocabulary = folder / "vocabulary.rules"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + 'data content.chat "again"\n', encoding="utf-8")
    compilation = compile_paths([folder])
    codes = sorted(d.code for d in compilation.diagnostics)
    assert codes == ["E101", "E202"], diagnostics_text(compilation)  # and no E501 for tests `by consent...`


def test_an_unclosed_parenthesis_leaves_out_its_own_rule(tmp_path: Path) -> None:
    rules = tmp_path / "unit.rules"
    text = THREE.read_text(encoding="utf-8").replace(
        "        permit when consent.given\n", "        permit when (consent.given and not consent.bundled\n"
    )
    rules.write_text(
        text
        + '\n    rule later "A later rule":\n        cites "Demo Art. 10"\n        purpose ai.trainig\n        deny\n',
        encoding="utf-8",
    )
    compilation = compile_paths([rules])
    found = [(d.code, d.span.line) for d in compilation.diagnostics if d.span]
    assert found[:3] == [(code, line) for code, line in found if code == "E101"][:3]
    assert ("E201", line_of(rules, "purpose ai.trainig")) in found, diagnostics_text(compilation)
    assert [code for code, _ in found].count("E101") == 4, diagnostics_text(compilation)
    [unclosed] = [d for d in compilation.diagnostics if d.message == 'this "(" is never closed']
    assert unclosed.span is not None
    assert (unclosed.span.line, unclosed.span.column) == (line_of(rules, "permit when (consent.given"), 21)


@pytest.mark.slow
def test_a_broken_ruleset_header_hides_what_depends_on_the_ruleset(tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    ccpa = folder / "ccpa.rules"
    text = ccpa.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("ruleset ccpa "))
    ccpa.write_text(text.replace(header, header.replace("ruleset ccpa", "ruleset ccpa ccpa"), 1), encoding="utf-8")
    compilation = compile_paths([folder])
    assert [d.code for d in compilation.diagnostics] == ["E101"], diagnostics_text(compilation)


# The same three breakages in a small unit, in the quick run (the shipped unit's fifteen regimes, in the
# full run above, take a few tenths of a second each). Without recovery's filter each of them cascades here
# too: E203 for the keys below a broken key, E501 for the tests that name a broken rule or ruleset.
NESTED = TESTS / "good" / "nested_exceptions.rules"
TOP_LEVEL_TEST = """
test top_level "A test of the whole unit names a rule of the ruleset":
    on 2025-06-01
    given region DE, data content.chat, purpose ai.training, consent.given, subject.age 30
    expect permit by nested.consent
"""


def small_unit(tmp_path: Path, edit: Callable[[str], str]) -> Compilation:
    rules = tmp_path / "nested.rules"
    rules.write_text(edit(NESTED.read_text(encoding="utf-8")), encoding="utf-8")
    return compile_paths([rules])


def test_a_broken_vocabulary_line_is_one_error_in_a_small_unit(tmp_path: Path) -> None:
    compilation = small_unit(tmp_path, lambda text: text.replace('data content "', 'data content = "', 1))
    assert [d.code for d in compilation.diagnostics] == ["E101"], diagnostics_text(compilation)


def test_a_broken_rule_hides_only_the_tests_that_name_it_in_a_small_unit(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        header = next(line for line in text.splitlines() if line.startswith("    rule consent "))
        return text.replace(header, header.rstrip(":"), 1) + 'data content.chat "again"\n'

    compilation = small_unit(tmp_path, edit)
    codes = sorted(d.code for d in compilation.diagnostics)
    assert codes == ["E101", "E202"], diagnostics_text(compilation)  # and no E501 for tests `by consent...`


def test_a_broken_ruleset_header_hides_what_depends_on_the_ruleset_in_a_small_unit(tmp_path: Path) -> None:
    assert small_unit(tmp_path, lambda text: text + TOP_LEVEL_TEST).diagnostics == []  # the test passes unbroken
    compilation = small_unit(
        tmp_path, lambda text: text.replace("ruleset nested ", "ruleset nested nested ", 1) + TOP_LEVEL_TEST
    )
    assert [d.code for d in compilation.diagnostics] == ["E101"], diagnostics_text(compilation)


def test_parse_still_returns_no_tree_with_errors_and_every_error() -> None:
    source = SourceFile(path="three.rules", text=THREE.read_text(encoding="utf-8"), data=b"")
    tree, diagnostics = parse(source)
    assert tree is None and len(diagnostics) == 3
    parsed = parse_recovering(source)
    assert parsed.tree is not None and [d.kind for d in parsed.dropped] == ["rule", "rule", "rule"]
    assert [d.name for d in parsed.dropped] == ["consent", "bundled", "child"]


def test_garbage_ends_after_a_bounded_number_of_errors() -> None:
    text = "".join(f"%%% {n} ((\n    ] ) {n}\n" for n in range(200))
    parsed = parse_recovering(SourceFile(path="garbage.rules", text=text, data=b""))
    assert 1 <= len(parsed.diagnostics) <= MAX_SYNTAX_ERRORS


CORPUS = THREE.read_text(encoding="utf-8").splitlines(keepends=True)


@settings(max_examples=costly(40), deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(CORPUS) - 1), st.sampled_from(["", "(", ")", ":", "&&", '"', "    ", "rule x"])),
        max_size=4,
    )
)
def test_any_mangling_is_reported_inside_the_file_without_a_crash(edits: list[tuple[int, str]]) -> None:
    lines = list(CORPUS)
    for index, text in edits:
        lines[index] = text + lines[index] if text else "\n"
    source = SourceFile(path="mangled.rules", text="".join(lines), data=b"")
    parsed = parse_recovering(source)
    count = len(source.text.split("\n"))
    for diagnostic in parsed.diagnostics:
        assert diagnostic.span is not None and 1 <= diagnostic.span.line <= count
