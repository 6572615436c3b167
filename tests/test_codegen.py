"""Generated code: golden files, determinism, escaping, and the lint/type contract."""

from __future__ import annotations

import ast
import doctest
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, assert_golden, compile_unit, diagnostics_text
from hypothesis import given
from hypothesis import strategies as st
from privlex.codegen import GENERATED_MARK, layout
from privlex.codegen.literals import chunks, comment, docstring, escape, scalar, string, text_literal
from privlex.codegen.package import render_package

HAZARDS = TESTS / "codegen" / "hazards.rules"
GOLDEN = TESTS / "codegen" / "expected"
PACKAGE = "hazard_rules"


def generated(*paths: Path, package: str = PACKAGE) -> dict[str, str]:
    compilation = compile_unit(*paths)
    assert compilation.program is not None, diagnostics_text(compilation)
    return render_package(compilation.program, package)


@pytest.fixture(scope="module")
def hazard_files() -> dict[str, str]:
    return generated(HAZARDS)


@pytest.mark.parametrize("name", ["__init__.py", "_vocabulary.py", "hazards.py"])
def test_generated_code_matches_golden(hazard_files: dict[str, str], name: str, update_golden: bool) -> None:
    assert_golden(GOLDEN / f"{name}.txt", hazard_files[name], update_golden)


def test_generated_modules_parse_and_hold_no_eval_or_exec(hazard_files: dict[str, str]) -> None:
    for name, text in hazard_files.items():
        if not name.endswith(".py"):
            continue
        tree = ast.parse(text)
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not called & {"eval", "exec", "compile", "__import__"}, name
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert imported <= {"datetime", "functools", "typing", "collections.abc", "pydantic", "privlex.runtime"}, (
            name,
            imported,
        )


def test_texts_from_rule_files_arrive_unchanged(unit_package: object) -> None:
    package = unit_package(HAZARDS)  # type: ignore[operator]
    decision = package.check(
        {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"given": True}},
        today=__import__("datetime").date(2024, 1, 1),
    )
    reason = decision.reasons[0]
    assert reason.title == 'Consent """ rule \\'
    assert reason.citations == ['Art. 6(1)(a) """', "{{ cite }}", "{% endfor %}"]
    assert decision.obligations[0].text == 'Keep proof: """; os.system(\'x\') \\'
    assert reason.source == "tests/codegen/hazards.rules:29"
    child = package.check(
        {
            "region": "FR",
            "data": "content.chat",
            "purpose": "ai.training",
            "consent": {"given": True},
            "subject": {"age": 15},
        },
        today=__import__("datetime").date(2019, 1, 1),
    )
    assert [r.title for r in child.reasons] == ["Child — enfant — 子供"]
    assert child.reasons[0].citations == ["Art. 8(1) ''' \\'"]


def test_output_is_deterministic_across_runs_and_folders(tmp_path: Path) -> None:
    first = generated(HAZARDS)
    assert generated(HAZARDS) == first
    project = tmp_path / "elsewhere"
    copy = project / "tests" / "codegen" / "hazards.rules"
    copy.parent.mkdir(parents=True)
    shutil.copy(HAZARDS, copy)
    (project / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        second = generated(copy)
    finally:
        os.chdir(cwd)
    assert first == second


def test_shipped_generated_package_is_current() -> None:
    files = generated(ROOT / "rulesets", package="privlex_rules")
    folder = ROOT / "generated" / "privlex_rules"
    suffixes = (".py", ".typed", ".json")
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.suffix in suffixes}
    assert on_disk == files, "generated/ is stale: run `privlex compile`"


def test_headers_mark_the_files_as_generated_with_no_time_or_absolute_path(hazard_files: dict[str, str]) -> None:
    for name, text in hazard_files.items():
        if name.endswith(".py"):
            assert text.startswith(GENERATED_MARK), name
            assert str(ROOT) not in text and "/tmp" not in text
    assert "SOURCE_HASH = " in hazard_files["__init__.py"]


def _write(tmp_path: Path, files: dict[str, str], package: str) -> Path:
    folder = tmp_path / package
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


COMMANDS = {
    "ruff": ["ruff", "check", "--isolated", "--select", "E,F,W,I,UP,B"],
    "ruff format": ["ruff", "format", "--isolated", "--check"],
    "mypy": ["mypy", "--strict", "--no-incremental"],
}


@pytest.mark.parametrize("tool", ["ruff", "ruff format", pytest.param("mypy", marks=pytest.mark.slow)])
def test_generated_code_passes_ruff_ruff_format_and_mypy_strict(
    tmp_path: Path, hazard_files: dict[str, str], tool: str
) -> None:
    """The golden units and the shipped package, as written: lint clean, format clean, strictly typed."""
    folders = [
        _write(tmp_path, hazard_files, PACKAGE),
        _write(tmp_path, generated(TESTS / "codegen" / "names", package="names_rules"), "names_rules"),
        ROOT / "generated" / "privlex_rules",
    ]
    command = [sys.executable, "-m", *COMMANDS[tool]]
    if tool == "mypy":
        command += ["--cache-dir", str(tmp_path / "cache")]
    result = subprocess.run([*command, *map(str, folders)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@given(TEXT, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=12))
def test_string_literals_round_trip_and_fit_their_lines(text: str, indent: int, prefix: int) -> None:
    assert ast.literal_eval(string(text)) == text
    value = text_literal(text, indent, prefix)
    statement = " " * indent + "x" * prefix + layout.value(value, indent, prefix)
    assert ast.literal_eval(statement.strip()[prefix:]) == text
    assert all(len(line) <= 88 or " " not in line.strip() for line in statement.splitlines())


@given(TEXT, st.integers(min_value=0, max_value=40))
def test_docstrings_cannot_be_closed_early(text: str, indent: int) -> None:
    literal = docstring(text, indent)
    value = ast.literal_eval(literal)
    assert isinstance(value, str)
    assert "".join(value.split()) == "".join(text.replace(">>>", ">> >").split())


@given(TEXT, st.integers(min_value=0, max_value=40))
def test_comments_stay_comments(text: str, indent: int) -> None:
    lines = comment(text, indent)
    assert all(line.startswith("#") and len(line) + indent <= 88 for line in lines)
    module = "\n".join(["x = 1", *lines, "y = 2"]) + "\n"
    assert len(ast.parse(module).body) == 2


@given(TEXT, st.integers(min_value=1, max_value=30))
def test_escaped_text_is_cut_between_escapes(text: str, width: int) -> None:
    escaped = escape(text, '"')
    pieces = chunks(escaped, width)
    assert "".join(pieces) == escaped
    assert all(len(piece) <= width for piece in pieces if "\\" not in piece[:1])
    assert "".join(ast.literal_eval(f'"{piece}"') for piece in pieces) == text


@pytest.mark.parametrize(
    "value", [0, -7, 130, True, 10**5000, -(10**5000)], ids=["0", "-7", "130", "True", "huge", "-huge"]
)
def test_numbers_of_any_size_are_literals_python_reads_back(value: int) -> None:
    assert ast.literal_eval(scalar(value)) == value


def test_a_note_that_looks_like_a_doctest_is_not_one() -> None:
    value = ast.literal_eval(docstring("Title.\n\n>>> raise SystemExit(3)\n  >>> 1/0", 4))
    assert doctest.DocTestParser().get_examples(value) == []
    assert "raise SystemExit(3)" in value
