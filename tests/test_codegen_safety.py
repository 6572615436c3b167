"""Generated code under attack and at the limits (issue 15): no code from names, no clash, always importable."""

from __future__ import annotations

import ast
import datetime
import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS, costly, diagnostics_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex import InvalidUse, ir
from privlex.codegen.identifiers import RESERVED, class_name
from privlex.codegen.package import render_package
from privlex.pipeline import compile_paths
from privlex.runtime import RecordBase
from privlex.syntax.limits import MAX_EXCEPTION_DEPTH

NAMES = TESTS / "codegen" / "names"
PLAIN = (NAMES / "zz_plain.rules").read_text(encoding="utf-8")


def _render(*paths: Path, package: str = "probe") -> dict[str, str]:
    compilation = compile_paths(list(paths))
    assert compilation.program is not None, diagnostics_text(compilation)
    return render_package(compilation.program, package)


@pytest.fixture
def importer(tmp_path: Path) -> Iterator[Any]:
    """Write a generated package under tmp_path and import it: `importer(files, name)`."""
    imported: list[str] = []

    def load(files: dict[str, str], name: str) -> Any:
        folder = tmp_path / "packages" / name
        folder.mkdir(parents=True)
        for file_name, text in files.items():
            (folder / file_name).write_text(text, encoding="utf-8")
        imported.append(name)
        importlib.invalidate_caches()
        return importlib.import_module(name)

    sys.path.insert(0, str(tmp_path / "packages"))
    yield load
    sys.path.remove(str(tmp_path / "packages"))
    for module in [m for m in sys.modules if any(m == n or m.startswith(n + ".") for n in imported)]:
        del sys.modules[module]


# ------------------------------------------------------------------ file names


def test_a_rule_file_name_with_line_breaks_stays_a_comment(tmp_path: Path, importer: Any) -> None:
    unit = tmp_path / "unit"
    unit.mkdir()
    shutil.copy(NAMES / "vocabulary.rules", unit / "vocabulary.rules")
    hostile = "z\nraise SystemExit(77)\n#.rules"
    (unit / hostile).write_text(PLAIN, encoding="utf-8")
    files = _render(unit, package="probe_file_name")
    try:
        package = importer(files, "probe_file_name")
    except SystemExit as stop:  # the name ran as code
        pytest.fail(f"importing the package ran code from a file name (exit {stop.code})")
    assert hostile in package.SOURCES
    assert package.zz_plain.evaluate.__module__ == "probe_file_name.zz_plain"
    header = files["zz_plain.py"].split("\n\n", 1)[0]
    assert header.splitlines()[1] == "#   z\\nraise SystemExit(77)\\n#.rules"


NAME_CHARACTERS = st.characters(codec="utf-8", exclude_characters="/\x00", exclude_categories=("Cs",))


def _unit_with_rules_named(folder: Path, file_name: str) -> Path:
    shutil.copy(NAMES / "vocabulary.rules", folder / "vocabulary.rules")
    (folder / file_name).write_text(PLAIN, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def plain_shapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The package of the unit with its rules in `plain.rules`, its modules without texts: every example's reference."""
    plain = _render(_unit_with_rules_named(tmp_path_factory.mktemp("plain"), "plain.rules"))
    return {file_name: _shape(text) if file_name.endswith(".py") else "" for file_name, text in plain.items()}


@settings(max_examples=costly(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(NAME_CHARACTERS, min_size=1, max_size=40))
def test_no_file_name_changes_the_generated_code(
    tmp_path_factory: pytest.TempPathFactory, plain_shapes: dict[str, str], name: str
) -> None:
    """The package of a unit is the same program, whatever its files are called."""
    if name in (".", "..") or len(name.encode("utf-8")) > 200:
        return
    hostile = _render(_unit_with_rules_named(tmp_path_factory.mktemp("hostile"), name + ".rules"))
    assert plain_shapes.keys() == hostile.keys()
    for file_name, shape in plain_shapes.items():
        if file_name.endswith(".py"):
            assert _shape(hostile[file_name]) == shape, file_name


def _shape(source: str) -> str:
    """The program without its string constants and comments."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


# -------------------------------------------------------------- reserved names


def _identifiers(source: str) -> set[str]:
    """Every name a module binds or reads."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.alias):
            found.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    "files",
    [
        ("vocabulary.rules", "zz_dated.rules", "zz_plain.rules"),
        ("vocabulary.rules", "zz_plain.rules"),
        ("vocabulary.rules",),
    ],
    ids=["two rulesets", "one ruleset, no dates", "no ruleset"],
)
def test_the_reserved_names_hold_every_name_of_generated_code(files: tuple[str, ...]) -> None:
    """Every template rendered: each name it writes that a rule file could also name is reserved.

    Every name of the unit starts with `zz` (or is a built-in fact, which every
    unit declares); names with a capital letter, a leading or a trailing
    underscore cannot come from a rule file.
    """
    rendered = _render(*(NAMES / f for f in files))
    assert {"__init__.py", "_vocabulary.py"} <= rendered.keys()
    used = set().union(*(_identifiers(text) for name, text in rendered.items() if name.endswith(".py")))
    possible = {name for name in used if name[:1].islower() and name == name.lower() and not name.endswith("_")}
    declared = set(ir.BUILTIN_FACTS)
    missing = sorted(name for name in possible if "zz" not in name and name not in RESERVED | declared)
    assert not missing, f"add to identifiers.RESERVED: {missing}"


UNIT = """\
data content "Content"
purpose ai "AI"
fact {group}.{fact} "A fact": boolean
country DE "Germany"

ruleset {ruleset} "A ruleset":
    covers DE
    otherwise deny "No" cites "s.0"

    rule given "Given":
        cites "s.1"
        permit when {group}.{fact}
"""

CLASHES = ["check", "evaluate", "permits", "datetime", "today", "here", "denied", "permitted", "places", "valid"]


@pytest.mark.parametrize("name", CLASHES)
@pytest.mark.parametrize("slot", ["ruleset", "group", "fact"])
def test_names_of_generated_code_are_refused_in_rule_files(tmp_path: Path, name: str, slot: str) -> None:
    names = {"ruleset": "ok", "group": "consent", "fact": "given", slot: name}
    path = tmp_path / "unit.rules"
    path.write_text(UNIT.format(**names), encoding="utf-8")
    compilation = compile_paths([path])
    assert compilation.program is None
    problems = [d for d in compilation.diagnostics if d.code == "E205"]
    assert problems and name in problems[0].message, diagnostics_text(compilation)


def test_groups_that_differ_by_an_underscore_get_models_of_their_own(tmp_path: Path, importer: Any) -> None:
    assert class_name("a1b") != class_name("a_1b")
    path = tmp_path / "unit.rules"
    path.write_text(
        UNIT.format(ruleset="both", group="a1b", fact="x") + 'fact a_1b.x "Another": boolean\n', encoding="utf-8"
    )
    package = importer(_render(path, package="probe_groups"), "probe_groups")
    use = package.DataUse.from_input({"region": "DE", "data": "content", "purpose": "ai", "a_1b": {"x": True}})
    assert (use.a1b.x, use.a_1b.x) == (False, True)
    assert type(use.a1b) is not type(use.a_1b)
    assert package.check({"region": "DE", "data": "content", "purpose": "ai", "a1b": {"x": True}}).outcome == "permit"
    assert package.check({"region": "DE", "data": "content", "purpose": "ai", "a_1b": {"x": True}}).outcome == "deny"


# The names generated helpers once used for their own locals: a rule file may now take them all.
HELPER_NAMES = ("facts", "field", "item", "present")


@pytest.mark.parametrize("group", HELPER_NAMES)
def test_a_group_or_fact_named_like_a_local_of_generated_code_decides_as_written(
    tmp_path: Path, importer: Any, group: str
) -> None:
    path = tmp_path / "unit.rules"
    others = "".join(f'fact {group}.{name} "Another": boolean\n' for name in HELPER_NAMES if name != group)
    path.write_text(UNIT.format(ruleset="ok", group=group, fact=group) + others, encoding="utf-8")
    name = f"probe_local_{group}"
    package = importer(_render(path, package=name), name)
    for facts in ({group: True}, {group: False}, {name: True for name in HELPER_NAMES}, {"present": True}):
        use = {"region": "DE", "data": "content", "purpose": "ai", group: facts}
        fast = package._validate.use_from(use)
        assert fast == package.DataUse.from_input(use)
        assert fast.model_fields_set == {"region", "data", "purpose", group}
        expected = "permit" if facts.get(group) else "deny"
        assert package.check(use).outcome == expected
        assert package.permits(use) is (expected == "permit")
    # The generated record classes derive from the runtime's, whatever a group is called.
    assert package._vocabulary.UseRecord.__bases__ == (RecordBase,)


# ---------------------------------------------------------------- unusual units


def test_a_unit_without_rulesets_generates_a_working_package(importer: Any) -> None:
    package = importer(_render(NAMES / "vocabulary.rules", package="probe_empty"), "probe_empty")
    use = {"region": "DE", "data": "zz_data.zz_chat", "purpose": "zz_ai"}
    assert package.RULESETS == ()
    assert package.check(use).outcome == "not_applicable"
    assert package.evaluate(use) == {}
    assert package.permits(use) is False
    assert package.permits(use, allow_uncovered=True) is True
    with pytest.raises(InvalidUse, match="region"):
        package.permits({**use, "region": "XX"})


def deep_unit(depth: int) -> str:
    """A rule with a chain of `depth` exceptions, effects alternating: the deepest matching one decides."""
    lines = [
        'data content "Content"',
        'purpose ai "AI"',
        'fact subject.age "Age": integer from 0 to 1000',
        'fact consent.given "Consent": boolean',
        'country DE "Germany"',
        "",
        'ruleset deep "Deep":',
        "    covers DE",
        '    otherwise deny "No" cites "s.0"',
        '    rule r0 "R0":',
        '        cites "s.1"',
        "        permit when consent.given",
    ]
    for level in range(1, depth + 1):
        pad = " " * (4 + 4 * level)
        effect = "deny" if level % 2 else "permit"
        lines += [
            f'{pad}unless e{level} "E{level}":',
            f'{pad}    cites "s.{level + 1}"',
            f"{pad}    {effect} when subject.age < {1000 - level}",
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [8, MAX_EXCEPTION_DEPTH])  # the deepest the language allows (E103)
def test_deeply_nested_exceptions_generate_code_of_bounded_nesting(tmp_path: Path, importer: Any, depth: int) -> None:
    path = tmp_path / "deep.rules"
    path.write_text(deep_unit(depth), encoding="utf-8")
    files = _render(path, package="probe_deep")
    indents = {len(line) - len(line.lstrip(" ")) for line in files["deep.py"].splitlines() if line.strip()}
    assert max(indents) <= 48  # the same for any depth: deep trees are written flat
    package = importer(files, "probe_deep")
    for age in (1000, 999, 998, 950, 901, 900, 10):
        use = {"region": "DE", "data": "content", "purpose": "ai", "consent": {"given": True}, "subject": {"age": age}}
        matched = min(max(999 - age, 0), depth)  # exceptions e1..e(matched) match
        decision = package.check(use, today=datetime.date(2025, 1, 1))
        assert decision.outcome == ("deny" if matched % 2 else "permit"), age
        assert decision.reasons[0].rule == ".".join(["r0", *(f"e{n}" for n in range(1, matched + 1))])
        assert package.permits(use, today=datetime.date(2025, 1, 1)) is (decision.outcome == "permit")
