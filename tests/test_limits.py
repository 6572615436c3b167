"""privlex's limits on rule files: a diagnostic at the limit, never a traceback (issue 15).

docs/security.md ("Limits") lists them: conditions and
exceptions nest at most 32 levels, keys and region groups at most 32 levels,
whole numbers have at most 18 digits, and implications may not form a cycle.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import compile_unit, diagnostics_text
from privlex import ir
from privlex.passes.hierarchy import MAX_NESTING
from privlex.syntax.limits import MAX_CONDITION_DEPTH, MAX_EXCEPTION_DEPTH, MAX_INTEGER_DIGITS

HEAD = """data content "Content"
purpose ai "AI"
fact subject.age "Age": integer from 0 to 130
fact consent.given "Given": boolean
country DE "Germany"
"""
RULESET = """ruleset demo "Demo":
    covers {covers}
    otherwise permit "Allowed" cites "Art. 1"
"""


def unit(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "unit.rules"
    path.write_text(text, encoding="utf-8")
    return path


def codes(tmp_path: Path, text: str) -> list[str]:
    compilation = compile_unit(unit(tmp_path, text))
    diagnostics_text(compilation)  # renders
    return [d.code for d in compilation.diagnostics]


def with_rule(condition: str) -> str:
    return HEAD + RULESET.format(covers="DE") + f'    rule r "R":\n        cites "A"\n        deny when {condition}\n'


def nested_nots(depth: int) -> str:
    return "not " * depth + "consent.given"


def nested_mix(depth: int) -> str:
    condition = "consent.given"
    for level in range(depth):
        condition = ("not {c}", "(subject.age < 5 and {c})", "(subject.age > 90 or {c})")[level % 3].format(c=condition)
    return condition


def nested_exceptions(depth: int) -> str:
    text = HEAD + RULESET.format(covers="DE") + '    rule r "R":\n        cites "A"\n        deny\n'
    indent = "        "
    for level in range(depth):
        effect = "permit" if level % 2 == 0 else "deny"
        text += f'{indent}unless e{level} "E":\n{indent}    cites "A"\n'
        text += f"{indent}    {effect} when subject.age < {level}\n"
        indent += "    "
    return text


@pytest.mark.parametrize("build", [nested_nots, nested_mix], ids=["not", "mixed"])
def test_conditions_nest_up_to_the_limit(tmp_path: Path, build: object) -> None:
    assert codes(tmp_path, with_rule(build(MAX_CONDITION_DEPTH))) == []  # type: ignore[operator]


# Thousands deep (past Python's recursion limit, where the findings were) is a large input: the full run's.
# The quick run nests one level past each limit.
@pytest.mark.parametrize("depth", [MAX_CONDITION_DEPTH + 1, pytest.param(3000, marks=pytest.mark.slow)])
@pytest.mark.parametrize("build", [nested_nots, nested_mix], ids=["not", "mixed"])
def test_conditions_nested_too_deeply_are_e103(tmp_path: Path, depth: int, build: object) -> None:
    """Finding: conditions nested thousands deep gave a RecursionError."""
    assert codes(tmp_path, with_rule(build(depth))) == ["E103"]  # type: ignore[operator]


def test_exceptions_nest_up_to_the_limit_and_the_output_imports(tmp_path: Path, unit_package: object) -> None:
    package = unit_package(unit(tmp_path, nested_exceptions(MAX_EXCEPTION_DEPTH)))  # type: ignore[operator]
    assert package.check({"region": "DE", "data": "content", "purpose": "ai", "subject": {"age": 1}}).outcome


@pytest.mark.parametrize("depth", [MAX_EXCEPTION_DEPTH + 1, 200])
def test_exceptions_nested_too_deeply_are_e103(tmp_path: Path, depth: int) -> None:
    assert codes(tmp_path, nested_exceptions(depth)) == ["E103"]


@pytest.mark.slow  # a large input: the deepest unit compiled, imported and decided
def test_the_deepest_allowed_unit_compiles_loads_and_decides(tmp_path: Path, unit_package: object) -> None:
    """Conditions and exceptions both at their limits: generated code imports and its program loads quickly."""
    text = HEAD + RULESET.format(covers="DE")
    text += f'    rule r "R":\n        cites "A"\n        deny when {nested_mix(MAX_CONDITION_DEPTH)}\n'
    indent = "        "
    for level in range(MAX_EXCEPTION_DEPTH):
        effect = "permit" if level % 2 == 0 else "deny"
        condition = nested_mix(MAX_CONDITION_DEPTH - level % 5)
        text += f'{indent}unless e{level} "E":\n{indent}    cites "A"\n{indent}    {effect} when {condition}\n'
        indent += "    "
    compilation = compile_unit(unit(tmp_path, text))
    assert compilation.program is not None, diagnostics_text(compilation)
    again = ir.Program.model_validate_json(ir.dump_program(compilation.program))  # was exponential in the depth
    assert again == compilation.program
    package = unit_package(tmp_path / "unit.rules")  # type: ignore[operator]
    assert package.check({"region": "DE", "data": "content", "purpose": "ai", "subject": {"age": 3}}).outcome


def group_chain(depth: int) -> str:
    groups = "".join(f'group G{i} "Group {i}":\n    {"DE" if i == 0 else f"G{i - 1}"}\n' for i in range(depth))
    return HEAD + groups + RULESET.format(covers=f"G{depth - 1}")


def test_region_groups_nest_up_to_the_limit(tmp_path: Path) -> None:
    assert codes(tmp_path, group_chain(MAX_NESTING)) == []


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, pytest.param(2000, marks=pytest.mark.slow)])
def test_region_groups_nested_too_deeply_are_e103(tmp_path: Path, depth: int) -> None:
    """Finding: a 2,000-deep chain of groups gave a RecursionError."""
    assert codes(tmp_path, group_chain(depth)) == ["E103"]


def key_chain(depth: int) -> str:
    keys = "".join(f'data k{"".join(f".k{j}" for j in range(1, i + 1))} "Level {i}"\n' for i in range(depth + 1))
    return HEAD + keys + RULESET.format(covers="DE")


def test_keys_nest_up_to_the_limit(tmp_path: Path) -> None:
    assert codes(tmp_path, key_chain(MAX_NESTING)) == []


def test_keys_nested_too_deeply_are_e103(tmp_path: Path) -> None:
    assert codes(tmp_path, key_chain(MAX_NESTING + 1)) == ["E103"]


@pytest.mark.parametrize("length", [MAX_NESTING + 8, pytest.param(1000, marks=pytest.mark.slow)])
def test_key_cycles_through_in_links_of_any_length_are_e204(tmp_path: Path, length: int) -> None:
    keys = "".join(f'data k{i} "Key {i}" in k{(i + 1) % length}\n' for i in range(length))
    assert "E204" in codes(tmp_path, HEAD + keys + RULESET.format(covers="DE"))


@pytest.mark.parametrize("where", ["range", "comparison", "parameter", "test"])
@pytest.mark.parametrize("digits", [MAX_INTEGER_DIGITS + 1, 4301, 50_000])
def test_numbers_with_too_many_digits_are_e104(tmp_path: Path, where: str, digits: int) -> None:
    """Finding: integer literals over 4,300 digits gave a traceback (Python's int() limit)."""
    number = "9" * digits
    text = {
        "range": HEAD.replace("to 130", f"to {number}") + RULESET.format(covers="DE"),
        "comparison": with_rule(f"subject.age < {number}"),
        "parameter": HEAD
        + RULESET.format(covers="DE")
        + f'    parameter limit "Limit": integer\n        cites "A"\n        DE: {number}\n',
        "test": HEAD
        + RULESET.format(covers="DE")
        + f'    test t "T":\n        given region DE, data content, purpose ai, subject.age {number}\n'
        + "        expect permit by default\n",
    }[where]
    assert codes(tmp_path, text) == ["E104"]


def test_numbers_up_to_the_limit_are_taken(tmp_path: Path) -> None:
    text = HEAD.replace("to 130", "to " + "9" * MAX_INTEGER_DIGITS) + RULESET.format(covers="DE")
    assert codes(tmp_path, text) == []


# ------------------------------------------------------------------ implications


def implications(lines: str) -> str:
    return HEAD + lines + RULESET.format(covers="DE")


def test_implications_are_closed_in_the_program(tmp_path: Path) -> None:
    text = implications(
        'fact flags.a "A": boolean implies flags.b\n'
        'fact flags.b "B": boolean implies flags.c\n'
        'fact flags.c "C": boolean implies flags.d\n'
        'fact flags.d "D": boolean\n'
    )
    compilation = compile_unit(unit(tmp_path, text))
    assert compilation.program is not None, diagnostics_text(compilation)
    implied = {fact.path: fact.implies for fact in compilation.program.vocabulary.facts}
    assert implied["flags.a"] == ("flags.b", "flags.c", "flags.d")
    assert implied["flags.b"] == ("flags.c", "flags.d")
    assert implied["flags.d"] == ()


@pytest.mark.parametrize(
    "lines",
    [
        'fact flags.a "A": boolean implies flags.a\n',
        'fact flags.a "A": boolean implies flags.b\nfact flags.b "B": boolean implies flags.a\n',
        'fact flags.a "A": boolean implies flags.b\nfact flags.b "B": boolean implies flags.c\n'
        'fact flags.c "C": boolean implies flags.a\n',
    ],
    ids=["itself", "two", "three"],
)
def test_an_implication_cycle_is_e204_with_a_span(tmp_path: Path, lines: str) -> None:
    compilation = compile_unit(unit(tmp_path, implications(lines)))
    found = [d for d in compilation.diagnostics if d.code == "E204"]
    assert len(found) == 1 and compilation.program is None
    assert "the implications form a cycle: flags.a implies" in found[0].message
    assert found[0].span is not None and found[0].span.line == HEAD.count("\n") + 1
    assert "flags." in diagnostics_text(compilation)
