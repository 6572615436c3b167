"""Generated code an auditor can follow (issue 7): citations at each decision, no noise, stable files."""

from __future__ import annotations

import ast
import re
import shutil
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, compile_unit, diagnostics_text, quick_or_slow
from import_graph import MODULES, first_cycle, imports
from privlex import ir
from privlex.codegen.decisions import pointer
from privlex.codegen.identifiers import constant_stem, node_stem
from privlex.codegen.literals import escape
from privlex.codegen.package import render_package

UNITS = {
    "shipped": ROOT / "rulesets",
    "hazards": TESTS / "codegen" / "hazards.rules",
    "names": TESTS / "codegen" / "names",
    **{folder.name: folder for folder in sorted((TESTS / "semantics").iterdir()) if folder.is_dir()},
}


def _compile(path: Path) -> tuple[ir.Program, dict[str, str]]:
    compilation = compile_unit(path)
    assert compilation.program is not None, diagnostics_text(compilation)
    return compilation.program, render_package(compilation.program, "audited")


# The quick run audits the two units made for the code generator (hazards: every escape, notes and nested
# exceptions; names: names that collide); the full run the shipped unit (a second of rendering and parsing its
# fifteen modules) and the semantics fixtures too.
QUICK = {"hazards", "names"}


@cache
def _compiled_unit(name: str) -> tuple[ir.Program, dict[str, str]]:
    """A fixture unit's program and files, once per process: the tests read them, none changes them."""
    return _compile(UNITS[name])


@pytest.fixture(
    scope="module", params=[n if n in QUICK else pytest.param(n, marks=pytest.mark.slow) for n in sorted(UNITS)]
)
def unit(request: pytest.FixtureRequest) -> tuple[ir.Program, dict[str, str]]:
    return _compiled_unit(request.param)


@cache
def _module(source: str) -> ast.Module:
    """A generated module's syntax tree, parsed once per process: several audits walk the same module."""
    return ast.parse(source)


def _function(source: str, name: str) -> str:
    start = source.index(f"\ndef {name}(")
    end = source.find("\n\n\ndef ", start + 1)
    return source[start : end if end > 0 else None]


def _comments(source: str) -> str:
    """The text of the comments of a piece of code, without white space (comments are wrapped)."""
    return "".join("".join(line.strip()[1:].split()) for line in source.splitlines() if line.strip().startswith("#"))


def _words(text: str) -> str:
    """Text as a comment shows it (escaped), without white space."""
    return "".join(escape(text).split())


def test_every_decision_point_carries_its_citations_and_source_line(unit: tuple[ir.Program, dict[str, str]]) -> None:
    program, files = unit
    for ruleset in program.rulesets:
        evaluate = _comments(_function(files[f"{ruleset.id}.py"], "evaluate"))
        for node, _ in ruleset.walk():
            assert _words(pointer(node)) in evaluate, (ruleset.id, node.id)


@pytest.mark.parametrize("name", quick_or_slow(["hazards", "shipped"], quick={"hazards"}))
def test_the_fast_path_points_to_the_rules_without_repeating_their_notes(name: str) -> None:
    program, files = _compiled_unit(name)
    assert any(node.notes for ruleset in program.rulesets for node, _ in ruleset.walk()), "a unit with notes"
    for ruleset in program.rulesets:
        permitted = _comments(_function(files[f"{ruleset.id}.py"], "permitted"))
        for node in ruleset.rules:
            assert _words(pointer(node)) in permitted, node.id
        for node, _ in ruleset.walk():
            note = " ".join(node.notes)  # one line each: a short last line alone proves nothing
            assert not note or _words(note) not in permitted, (node.id, note)


def _guards(node: ast.AST) -> list[str]:
    """`X is not None` tests inside an expression, as source."""
    return [
        ast.unparse(n.left)
        for n in ast.walk(node)
        if isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.IsNot) and ast.unparse(n.comparators[0]) == "None"
    ]


def test_no_guard_is_repeated_inside_one_conjunction(unit: tuple[ir.Program, dict[str, str]]) -> None:
    _, files = unit
    for name, source in files.items():
        if not name.endswith(".py"):
            continue
        for node in ast.walk(_module(source)):
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
                known: set[str] = set()
                for value in node.values:
                    repeated = set(_guards(value)) & known
                    assert not repeated, (name, ast.unparse(node))
                    if isinstance(value, ast.Compare):
                        known |= set(_guards(value))


def test_the_places_of_a_fact_are_computed_once_per_function(unit: tuple[ir.Program, dict[str, str]]) -> None:
    _, files = unit
    for name, source in files.items():
        if not name.endswith(".py"):
            continue
        for function in (n for n in ast.walk(_module(source)) if isinstance(n, ast.FunctionDef)):
            calls = [
                ast.unparse(n.args[0])
                for n in ast.walk(function)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "places"
            ]
            assert len(calls) == len(set(calls)), (name, function.name, calls)


_SCOPE = re.compile(r"^# (data|purpose) (.*) and every key below\n(_\w+) = ", re.MULTILINE)


def test_constants_are_named_after_what_they_hold(unit: tuple[ir.Program, dict[str, str]]) -> None:
    program, files = unit
    node_names = {node_stem(node) for ruleset in program.rulesets for node, _ in ruleset.walk()}
    for ruleset in program.rulesets:
        source = files[f"{ruleset.id}.py"]
        for kind, keys, name in _SCOPE.findall(source):
            by_keys = f"_{kind.upper()}_IN_{constant_stem('_'.join(keys.split(', ')))}"
            owner = name.removesuffix("_DATA").removesuffix("_PURPOSES").lstrip("_")
            assert name == by_keys or owner in node_names, (ruleset.id, name)
    assert "_PURPOSE_IN_AI_TRAINING_PRODUCT_IMPROVEMEN " not in "".join(files.values())


def test_flags_are_named_after_their_node(unit: tuple[ir.Program, dict[str, str]]) -> None:
    program, files = unit
    for ruleset in program.rulesets:
        source = files[f"{ruleset.id}.py"]
        stems = {node_stem(node).lower() for node, _ in ruleset.walk()}
        flags = set(re.findall(r"^\s+(\w+)_(?:excepted|matches) = ", source, re.MULTILINE))
        assert flags <= stems, flags - stems
        assert not re.search(r"excepted_\d", source)


def _compile_copy(folder: Path) -> dict[str, str]:
    return _compile(folder)[1]


def _retitle(old: str, new: str) -> object:
    return lambda text: text.replace(old, new)


def _add_a_first_line(text: str) -> str:
    return "# A comment that moves every line down.\n" + text


# The quick run edits the small names unit (a vocabulary and two rulesets); the full run the shipped one.
@pytest.mark.parametrize(
    ("folder", "edited", "edit"),
    [
        pytest.param(TESTS / "codegen" / "names", "zz_plain", _retitle('"Deny"', '"Deny it"'), id="a title"),
        pytest.param(TESTS / "codegen" / "names", "zz_plain", _add_a_first_line, id="the line numbers"),
        pytest.param(
            ROOT / "rulesets",
            "gdpr",
            _retitle('"Consent of the person"', '"Consent of the data subject"'),
            id="a title, shipped",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            ROOT / "rulesets", "gdpr", _add_a_first_line, id="the line numbers, shipped", marks=pytest.mark.slow
        ),
    ],
)
def test_an_edit_to_one_rule_file_rewrites_only_its_module(
    tmp_path: Path, folder: Path, edited: str, edit: object
) -> None:
    unit = tmp_path / "rulesets"
    shutil.copytree(folder, unit)
    before = _compile_copy(unit)
    rules = unit / f"{edited}.rules"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(edit(text), encoding="utf-8")  # type: ignore[operator]
    assert rules.read_text(encoding="utf-8") != text, "the edit must change the file"
    after = _compile_copy(unit)
    assert before.keys() == after.keys()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {f"{edited}.py", "__init__.py", ir.PROGRAM_FILE}


def test_the_unit_hash_and_file_list_live_in_the_package_init(unit: tuple[ir.Program, dict[str, str]]) -> None:
    program, files = unit
    init = files["__init__.py"]
    assert f'SOURCE_HASH = "{program.source_hash}"' in init
    for name, text in files.items():
        if name.endswith(".py"):
            assert text.startswith("# Generated by privlex"), name
            if name != "__init__.py":
                assert program.source_hash not in text, name
    for ruleset in program.rulesets:
        header = files[f"{ruleset.id}.py"].split("\n\n", 1)[0]
        assert header.splitlines()[1:] == [f"#   {ruleset.span.file}"]


def test_the_code_generator_has_no_import_cycle() -> None:
    """Its modules import one another in one direction only (not even under TYPE_CHECKING, nor in a function)."""
    inside = "privlex.codegen."
    graph = {  # only the code generator's modules are read
        module.removeprefix(inside): {
            other.removeprefix(inside)
            for other in imports(module, path, deferred=True)
            if other.startswith(inside) and other != module
        }
        for module, path in MODULES.items()
        if module.startswith(inside)
    }
    cycle = first_cycle(graph)
    assert not cycle, " -> ".join(cycle)
    assert "ruleset" not in graph["fast_path"]
