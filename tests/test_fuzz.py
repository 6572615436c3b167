"""The fuzzing harness, quick profile (issue 15): whatever a rule file holds, the compiler answers
with diagnostics, never a traceback; and every valid unit it accepts decides as the language says.

- random text and mutated shipped files: diagnostics, never exceptions;
- VALID units generated from the grammar's constructs (`fuzz_units`): the compiler accepts them,
  the generated package imports, the tests written in them pass, and `check`, `permits`,
  `evaluate`, the batch evaluator and the reference interpreter (`fuzz_reference`) agree on
  every drawn use (`fuzz_oracle`);
- hostile names in every slot of a unit, and hostile texts in every string (`fuzz_hostile`);
- structure-aware mutations of the shipped rulesets (`fuzz_mutations`).

The tests marked `slow` run the same checks longer; `python -m fuzz --hours N` runs campaigns.
"""

from __future__ import annotations

import datetime
import re
import shutil
import string
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, at_most
from fuzz_choice import RandomChooser
from fuzz_hostile import CLASHING, POOL, REFUSED_OR_CLASHING
from fuzz_mutations import check_mutant, mutate_shipped, mutate_unit
from fuzz_oracle import Run, check_unit, imported
from fuzz_units import units
from fuzz_uses import uses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex.codegen.identifiers import identifier_problem
from privlex.diagnostics import render_all
from privlex.pipeline import Compilation, compile_paths, generate
from privlex.syntax.grammar import grammar_text
from privlex.testrunner import run_tests

SHIPPED = ROOT / "rulesets"
SHIPPED_FILES = sorted(SHIPPED.glob("*.rules"))
KEYWORDS = sorted(set(re.findall(r'"([a-z]+)"', grammar_text())))
SNIPPETS = [
    "content",
    "content.chat",
    "ai.training",
    "consent.given",
    "subject.age",
    "consent_age",
    "DE",
    "EU",
    "US-CA",
    '"A title"',
    '"GDPR Art. 6(1)"',
    "2024-01-01",
    "2024-02-30",
    "16",
    "0",
    ":",
    ",",
    "(",
    ")",
    "{",
    "}",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "!=",
    "#",
    '"',
    "\\",
    "&&",
    "-",
]
INDENTS = ["", "", "    ", "        ", "            ", "  ", "\t", " \t"]
# Example counts come from the hypothesis profile (tests/conftest.py); the quick tests cap
# theirs, since each example compiles a unit, and their `_long` twins are marked slow.
FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
FUZZ_SHIPPED = settings(parent=FUZZ, max_examples=at_most(6))  # each compiles every shipped file
# Each example compiles all fifteen shipped regimes (seconds): the suite runs a sample, and
# `python -m fuzz --hours N` runs campaigns of any length.
FUZZ_SHIPPED_LONG = settings(parent=FUZZ, max_examples=30)


def assert_well_formed(compilation: Compilation) -> None:
    """Diagnostics render, point into the files, and decide whether a program was produced."""
    render_all(compilation.diagnostics, compilation.sources)
    for diagnostic in compilation.diagnostics:
        span = diagnostic.span
        if span is None:
            continue
        source = compilation.sources[span.file]
        assert 1 <= span.line <= max(1, len(source.text.splitlines()) + 1), diagnostic
        assert span.column >= 1, diagnostic
    assert (compilation.program is None) == compilation.failed


# ------------------------------------------------------------ random text

word = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(SNIPPETS),
    st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=8),
    st.text(alphabet=string.printable, max_size=4),
)
line = st.builds(lambda indent, words: indent + " ".join(words), st.sampled_from(INDENTS), st.lists(word, max_size=8))
text = st.one_of(
    st.lists(line, max_size=20).map("\n".join),
    st.text(alphabet=string.printable, max_size=300),
)


@FUZZ
@given(text=text)
def test_random_text_gives_diagnostics_not_exceptions(tmp_path: Path, text: str) -> None:
    path = tmp_path / "random.rules"
    path.write_text(text, encoding="utf-8")
    compilation = compile_paths([path])
    assert_well_formed(compilation)


# ----------------------------------------------- mutations of shipped files


def _delete(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    return lines[:index] + lines[index + 1 :]


def _duplicate(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    return lines[: index + 1] + lines[index:]


def _swap(lines: list[str], data: st.DataObject) -> list[str]:
    first = data.draw(st.integers(0, len(lines) - 1))
    second = data.draw(st.integers(max(0, first - 3), min(len(lines) - 1, first + 3)))
    swapped = list(lines)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    return swapped


def _reindent(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    changed = list(lines)
    changed[index] = data.draw(st.sampled_from(INDENTS)) + lines[index].lstrip()
    return changed


def _replace_token(lines: list[str], data: st.DataObject) -> list[str]:
    tokens = sorted({t for line in lines for t in re.findall(r'"[^"\n]*"|[\w.-]+|\S', line)})
    index = data.draw(st.integers(0, len(lines) - 1))
    found = re.findall(r'"[^"\n]*"|[\w.-]+|\S', lines[index])
    if not found:
        return lines
    old = data.draw(st.sampled_from(found))
    changed = list(lines)
    changed[index] = lines[index].replace(old, data.draw(st.sampled_from(tokens)), 1)
    return changed


def _insert_characters(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    position = data.draw(st.integers(0, len(lines[index])))
    inserted = data.draw(st.text(alphabet=string.printable, min_size=1, max_size=4))
    changed = list(lines)
    changed[index] = lines[index][:position] + inserted + lines[index][position:]
    return changed


def _truncate(lines: list[str], data: st.DataObject) -> list[str]:
    return lines[: data.draw(st.integers(0, len(lines)))]


MUTATIONS = [_delete, _duplicate, _swap, _reindent, _replace_token, _insert_characters, _truncate]


def _mutated_shipped_files(tmp_path: Path, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(SHIPPED_FILES), label="file")
    original = target.read_text(encoding="utf-8")
    lines = original.split("\n")
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        if lines:
            lines = mutation(lines, data)
    mutated = "\n".join(lines)
    folder = tmp_path / "rulesets"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for shipped in SHIPPED_FILES:
        (folder / shipped.name).write_text(
            mutated if shipped == target else shipped.read_text(encoding="utf-8"), encoding="utf-8"
        )
    compilation = compile_paths([folder])
    assert_well_formed(compilation)
    if compilation.program is not None:
        generate(compilation.program, "fuzzed_rules")
    if mutated == original:
        assert not compilation.diagnostics


# Each example compiles the whole shipped unit (fifteen rulesets): the full suite runs it.
@pytest.mark.slow
@FUZZ_SHIPPED
@given(data=st.data())
def test_mutated_shipped_files_give_diagnostics_not_exceptions(tmp_path: Path, data: st.DataObject) -> None:
    _mutated_shipped_files(tmp_path, data)


@pytest.mark.slow
@FUZZ_SHIPPED_LONG
@given(data=st.data())
def test_mutated_shipped_files_long(tmp_path: Path, data: st.DataObject) -> None:
    _mutated_shipped_files(tmp_path, data)


# ------------------------------------------------------- valid units from the grammar

UNITS = settings(max_examples=at_most(4), suppress_health_check=list(HealthCheck))
UNITS_LONG = settings(max_examples=max(300, settings.default.max_examples), suppress_health_check=list(HealthCheck))


def _decide_drawn_unit(data: st.DataObject, tmp_path: Path) -> Run:
    unit = data.draw(units(), label="unit")
    today = data.draw(st.dates(datetime.date(2015, 1, 1), datetime.date(2030, 12, 31)), label="today")
    drawn = data.draw(st.lists(uses(unit), min_size=1, max_size=12), label="uses")
    run = Run()
    check_unit(unit, drawn, today, run, tmp_path)
    assert run.counts.units == 1 and run.counts.uses == len(drawn)
    return run


@UNITS
@given(data=st.data())
def test_generated_units_compile_import_pass_their_tests_and_agree(tmp_path: Path, data: st.DataObject) -> None:
    _decide_drawn_unit(data, tmp_path)


@pytest.mark.slow
@UNITS_LONG
@given(data=st.data())
def test_generated_units_long(tmp_path: Path, data: st.DataObject) -> None:
    _decide_drawn_unit(data, tmp_path)


@pytest.mark.parametrize("seed", range(3))
def test_seeded_units_as_campaigns_draw_them(tmp_path: Path, seed: int) -> None:
    """The campaign's chooser makes the same kinds of units; a few fixed seeds run every time."""
    from fuzz_units import generate_unit
    from fuzz_uses import draw_use

    chooser = RandomChooser(seed)
    unit = generate_unit(chooser)
    today = chooser.day()
    run = Run()
    check_unit(unit, [draw_use(chooser, unit) for _ in range(15)], today, run, tmp_path)
    assert run.counts.units == 1 and run.counts.uses == 15


# ------------------------------------------------------------- hostile names and texts


def _group(name: str) -> str:
    """A region group's name made from `name` (upper case, letters and digits)."""
    return "G" + re.sub("[^A-Z0-9]", "", name.upper())[:10]


def _slot_unit(name: str) -> str:
    """One name in every slot of a unit: keys, basis, fact group and fact, enum value, region
    parameter, ruleset, exclusion, rule, exception, obligation and test."""
    return f"""data {name} "Data"
data {name}.{name} "Below"
purpose {name} "Purpose"
basis {name} "Basis"
fact {name}.{name} "Fact": boolean
fact {name}.kind "Kind": one of {name}, other default {name}
fact {name}.place "Place": region
fact {name}.moment "Moment": date
fact grp.{name} "Number": integer from 0 to 10
fact grp.place "Place": region
fact {name}_basis "Basis fact": basis
country DE "Germany"
group {_group(name)} "Group":
    DE

ruleset {name} "Ruleset":
    covers {_group(name)}
    otherwise permit "Default" cites "Art. 1"
    parameter {name} "Parameter": integer
        cites "Art. 2"
        DE: 5
    exclusion {name}_x "Exclusion":
        cites "Art. 3"
        when {name}.kind is other
        obligation {name} "Obligation"
    rule {name} "Rule":
        cites "Art. 4"
        data {name}
        purpose {name}
        deny when grp.{name} < {name} and {name}.{name}
        unless {name} "Exception":
            cites "Art. 5"
            permit when {name}_basis is {name}
            obligation {name}_too "Obligation"
    rule {name}_other "Other":
        cites "Art. 6"
        permit when {name}.place in {{DE}} and {name}.moment < 2020-01-01
    test {name} "Test":
        on 2025-01-01
        given region DE, data {name}.{name}, purpose {name}, grp.{name} 3, {name}.{name}
        expect deny by {name}
"""


def _decide_slot_unit(name: str, tmp_path: Path) -> None:
    (tmp_path / "unit.rules").write_text(_slot_unit(name), encoding="utf-8")
    compilation = compile_paths([tmp_path / "unit.rules"])
    assert compilation.program is not None, render_all(compilation.diagnostics, compilation.sources)
    report = run_tests(compilation.program, datetime.date(2025, 1, 1))
    assert not report.failures, report.failures
    package_name = f"slot_{name}_package"
    with imported(generate(compilation.program, package_name), tmp_path, package_name) as package:
        use: dict[str, Any] = {"region": "de", "data": f"{name}.{name}", "purpose": name}
        use.update({"grp": {name: 3}, name: {name: True, "place": "DE", "moment": "2019-12-31"}})
        assert package.check(use, today=datetime.date(2025, 1, 1)).outcome == "deny"
        assert package.permits(use) is False
        use[f"{name}_basis"] = name
        decision = package.check(use, today=datetime.date(2025, 1, 1))
        assert [r.rule for r in decision.reasons] == [f"{name}.{name}", f"{name}_other"]
        assert [o.id for o in decision.obligations] == [f"{name}_too"]


QUICK_NAMES = ["consent", "leaf", "decision", "source_hash", "a_1b"]


@pytest.mark.parametrize("name", QUICK_NAMES)
def test_hostile_names_in_every_slot(tmp_path: Path, name: str) -> None:
    _decide_slot_unit(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in POOL if n not in QUICK_NAMES])
def test_every_hostile_name_in_every_slot(tmp_path: Path, name: str) -> None:
    _decide_slot_unit(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REFUSED_OR_CLASHING | set(CLASHING)))
def test_names_of_the_generated_code_work_in_every_slot_or_are_refused(tmp_path: Path, name: str) -> None:
    """A name generated code also uses either works in every slot or is refused with E205, never a traceback."""
    if identifier_problem(name) is None:
        _decide_slot_unit(name, tmp_path)
        return
    (tmp_path / "unit.rules").write_text(_slot_unit(name), encoding="utf-8")
    compilation = compile_paths([tmp_path / "unit.rules"])
    assert compilation.program is None
    assert "E205" in {d.code for d in compilation.diagnostics}


# ----------------------------------------------------- structure-aware mutations


# The quick run mutates small fixture units (a tenth of a second a mutant); a mutant of the shipped
# unit generates, imports and tests all fifteen regimes afresh (2.5 s), so those run in the full run.
# The seeds give mutants the compiler accepts (imported, their tests run, the evaluators agree) and
# mutants it rejects (diagnostics).
@pytest.mark.parametrize(
    ("unit", "seed"), [("every_operator", 2), ("every_operator", 4), ("conditional_duties", 1), ("dated_parameters", 5)]
)
def test_structure_aware_mutants_of_a_small_unit(tmp_path: Path, unit: str, seed: int) -> None:
    folder = tmp_path / "unit"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "good" / f"{unit}.rules", folder)
    run = Run()
    check_mutant(mutate_unit(folder, seed), seed, run, tmp_path)
    assert run.counts.mutants + run.counts.rejected == 1


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 11])
def test_structure_aware_mutants_of_the_shipped_rules(tmp_path: Path, seed: int) -> None:
    run = Run()
    check_mutant(mutate_shipped(seed), seed, run, tmp_path)
    assert run.counts.mutants + run.counts.rejected == 1


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 140))
def test_structure_aware_mutants_long(tmp_path: Path, seed: int) -> None:
    run = Run()
    check_mutant(mutate_shipped(seed), seed, run, tmp_path)
    assert run.counts.mutants + run.counts.rejected == 1
