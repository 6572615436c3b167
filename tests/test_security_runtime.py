"""No permit for input that could not be validated, through any API of the runtime (issue 15).

Each test is the reproducer of a finding of the security review; see
docs/security.md, "The promise to a caller".
"""

from __future__ import annotations

import copy
import datetime
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import privlex_rules
import pytest
from conftest import FIXED_DAY
from privlex.cli import main
from privlex.runtime import InvalidUse, UseGroup, UseModel, implication_closure
from privlex.runtime.text import boolean_text, date_text, integer_text
from privlex_rules import DataUse
from privlex_rules._vocabulary import ConsentFacts, ProcessingFacts
from pydantic import BaseModel

BASE: dict[str, Any] = {"region": "DE", "data": "content.chat", "purpose": "ai.training", "legal_basis": "consent"}


def decided(use: Any) -> str:
    return str(privlex_rules.check(use, today=FIXED_DAY).outcome)


# ------------------------------------------------------------ group instances


@pytest.mark.parametrize(
    ("group", "facts"),
    [
        ("consent", {"implied": True, "given": True}),
        ("consent", {"implied": True, "explicit": True}),
        ("consent", {"explicit": True, "given": False}),
        ("processing", {"sale": True, "third_party": False}),
        ("processing", {"sharing_only": True, "sale": False}),
    ],
)
def test_a_group_instance_gets_the_checks_of_the_same_facts_as_a_dict(group: str, facts: dict[str, bool]) -> None:
    """Finding: ConsentFacts(implied=True, given=True) was permitted; the same facts as a dict are rejected."""
    model = {"consent": ConsentFacts, "processing": ProcessingFacts}[group]
    with pytest.raises(InvalidUse) as as_dict:
        decided({**BASE, group: facts})
    with pytest.raises(InvalidUse) as as_instance:
        decided(DataUse(**BASE, **{group: model(**facts)}))
    with pytest.raises(InvalidUse):
        decided({**BASE, group: model(**facts)})
    assert str(as_instance.value) == str(as_dict.value)


def test_a_group_instance_gets_its_implications() -> None:
    use = DataUse(**BASE, consent=ConsentFacts(explicit=True), processing=ProcessingFacts(sharing_only=True))
    assert use.consent.given and use.processing.sale and use.processing.third_party
    assert use == DataUse(**BASE, consent={"explicit": True}, processing={"sharing_only": True})


def test_a_group_of_another_kind_is_read_as_its_facts() -> None:
    with pytest.raises(InvalidUse, match="consent.sale: unknown fact"):
        DataUse(**BASE, consent=ProcessingFacts(sale=True))


# ------------------------------------------------ pydantic's other constructors


def _quietly(build: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return build()


BAD = {**BASE, "data": "sensitive"}  # an abstract key: never a valid use


def _paths() -> list[tuple[str, Callable[[], Any]]]:
    good = DataUse(**BASE)
    return [
        ("model_construct", lambda: DataUse.model_construct(**BAD)),
        ("model_construct fields_set", lambda: DataUse.model_construct(set(), **BAD)),
        ("construct", lambda: _quietly(lambda: DataUse.construct(**BAD))),
        ("model_copy update", lambda: good.model_copy(update={"data": "sensitive"})),
        ("model_copy update deep", lambda: good.model_copy(update={"data": "sensitive"}, deep=True)),
        ("copy.replace", lambda: good.__replace__(data="sensitive")),
        ("copy", lambda: _quietly(lambda: good.copy(update={"data": "sensitive"}))),
        ("model_validate", lambda: DataUse.model_validate(BAD)),
        ("model_validate lax", lambda: DataUse.model_validate({**BASE, "consent": {"given": "yes"}}, strict=False)),
        ("model_validate attributes", lambda: DataUse.model_validate(type("U", (), BAD)(), from_attributes=True)),
        ("model_validate_json", lambda: DataUse.model_validate_json('{"region": "DE", "data": "sensitive"}')),
        ("model_validate_strings", lambda: DataUse.model_validate_strings({**BASE, "consent": {"given": "yes"}})),
        ("parse_obj", lambda: _quietly(lambda: DataUse.parse_obj(BAD))),
        ("validate", lambda: _quietly(lambda: DataUse.validate(BAD))),
        ("group model_construct", lambda: DataUse(**BASE, consent=ConsentFacts.model_construct(given="yes"))),
        (
            "group model_copy",
            lambda: DataUse(**BASE, consent=ConsentFacts(implied=True).model_copy(update={"given": True})),
        ),
    ]


@pytest.mark.parametrize(("name", "build"), _paths(), ids=[name for name, _ in _paths()])
def test_no_constructor_path_skips_validation(name: str, build: Callable[[], Any]) -> None:
    """Finding: model_copy(update=...) and model_construct skipped validation (`data="sensitive"` permitted)."""
    with pytest.raises((InvalidUse, TypeError)) as raised:
        use = build()
        privlex_rules.permits(use, today=FIXED_DAY)
    assert "validation error" not in str(raised.value)  # not pydantic's ValidationError


def test_every_constructor_of_basemodel_is_covered() -> None:
    """A pydantic upgrade that adds a way to build a model must be looked at here."""
    builders = {
        name
        for name in dir(BaseModel)
        if name.startswith(("model_validate", "model_construct", "model_copy", "construct", "copy", "parse", "from_"))
        or name in ("validate", "__replace__", "__copy__", "__deepcopy__")
    }
    assert builders == {
        "construct",
        "copy",
        "from_orm",
        "model_construct",
        "model_copy",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "validate",
        "__copy__",
        "__deepcopy__",
        "__replace__",
    }
    closed = (
        "model_construct",
        "model_copy",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "copy",
    )
    base = UseModel.__mro__[1]
    assert base is not BaseModel and issubclass(UseGroup, base)  # uses and groups share the validating base
    for name in closed:
        assert vars(base)[name] is not vars(BaseModel)[name], name  # each one overridden


def test_valid_uses_still_build_through_every_path() -> None:
    use = DataUse(**BASE, consent={"explicit": True})
    assert DataUse.model_validate({**BASE, "consent": {"explicit": True}}) == use
    assert DataUse.model_construct(**BASE, consent={"explicit": True}) == use
    assert use.model_copy() == use and copy.copy(use) == use and copy.deepcopy(use) == use
    moved = use.model_copy(update={"region": "FR"})
    assert moved.region == "FR" and moved.consent.given
    text = '{"region": "DE", "data": "content.chat", "purpose": "ai.training", "legal_basis": "consent",'
    assert DataUse.model_validate_json(text + ' "consent": {"explicit": true}}') == use


def test_model_validate_raises_invalid_use_with_the_field() -> None:
    """Finding: DataUse.model_validate raised pydantic's ValidationError instead of InvalidUse."""
    with pytest.raises(InvalidUse) as raised:
        DataUse.model_validate({**BASE, "consent": {"givn": True}})
    assert raised.value.path == "consent.givn" and raised.value.suggestion == "consent.given"


def test_a_json_use_naming_a_fact_twice_is_invalid() -> None:
    text = '{"region": "US-NY", "data": "content.chat", "purpose": "ai.training", "region": "DE"}'
    with pytest.raises(InvalidUse, match="region: given twice"):
        DataUse.model_validate_json(text)


def test_json_nested_too_deeply_is_invalid_not_a_recursion_error() -> None:
    with pytest.raises(InvalidUse, match="nested too deeply"):
        DataUse.model_validate_json('{"region": ' + "[" * 100_000 + "]" * 100_000 + "}")


def test_a_target_given_as_garbage_is_not_overwritten_by_an_implication() -> None:
    with pytest.raises(InvalidUse) as raised:
        decided({**BASE, "consent": {"explicit": True, "given": "garbage"}})
    assert raised.value.path == "consent.given"


# --------------------------------------------------- implications, transitively


def test_implications_reach_a_fixed_point(tmp_path: Path, unit_package: Any) -> None:
    """Finding: `a implies b`, `b implies c`: c stayed false when only a was given."""
    unit = tmp_path / "chain.rules"
    unit.write_text(
        """data content "Content"
purpose ai "AI"
fact flags.a "A": boolean implies flags.b
fact flags.b "B": boolean implies flags.c
fact flags.c "C": boolean
country DE "Germany"

ruleset demo "Demo":
    covers DE
    otherwise permit "Allowed" cites "Art. 1"

    rule on_c "Denied when c holds":
        cites "Art. 2"
        deny when flags.c

    test only_a "Only a is given: c follows":
        given region DE, data content, purpose ai, flags.a
        expect deny by on_c
""",
        encoding="utf-8",
    )
    package = unit_package(unit)
    use = {"region": "DE", "data": "content", "purpose": "ai", "flags": {"a": True}}
    assert package.DataUse(**use).flags.c is True
    assert package.check(use).outcome == "deny"
    assert package.permits(use) is False
    with pytest.raises(InvalidUse, match="flags.c: given as false, but flags.a is true"):
        package.check({**use, "flags": {"a": True, "c": False}})


def test_the_runtime_closes_implications_itself() -> None:
    assert implication_closure((("a", "b"), ("b", "c"), ("c", "d"))) == (
        ("a", "b"),
        ("a", "c"),
        ("a", "d"),
        ("b", "c"),
        ("b", "d"),
        ("c", "d"),
    )
    assert set(implication_closure((("a", "b"), ("b", "a")))) == {("a", "b"), ("b", "a")}


# ----------------------------------------------------------- today, dates, regions


@pytest.mark.parametrize("today", ["2025-06-01", 20250601, datetime.datetime(2025, 6, 1, 12, 0)])
@pytest.mark.parametrize("call", ["check", "permits", "evaluate"])
def test_today_of_the_wrong_type_is_a_clear_type_error(today: object, call: str) -> None:
    """Finding: `today=` of the wrong type gave a bare TypeError from deep inside a ruleset."""
    with pytest.raises(TypeError, match=r"today= takes a datetime.date \(or None for the current UTC date\), got"):
        getattr(privlex_rules, call)(BASE, today=today)


@pytest.mark.parametrize(
    "text", ["2025-W23-1", "2025-153", "20250601", "2025-06-01T00:00", "２０２５-06-01", " 2025-06-01"]
)
def test_only_yyyy_mm_dd_is_a_date(text: str) -> None:
    """Finding: `2025-W23-1` was accepted as a date (Python's fromisoformat reads ISO week dates)."""
    with pytest.raises(InvalidUse, match="is not a date written YYYY-MM-DD"):
        DataUse(**BASE, date=text)
    assert date_text(text) is None


@pytest.mark.parametrize("code", ["ıt", "İT", "ＤＥ", "de\u3000", "\u00a0de", "dĖ"])
@pytest.mark.parametrize("where", ["region", "processing.transfer_to"])
def test_region_codes_are_ascii(code: str, where: str) -> None:
    """Finding: Unicode case folding turned `ıt` into IT."""
    use = {**BASE, "region": code} if where == "region" else {**BASE, "processing": {"transfer_to": code}}
    with pytest.raises(InvalidUse) as raised:
        DataUse(**use)
    assert raised.value.path == where and "ASCII" in str(raised.value)


# -------------------------------------------------------- one spelling of text


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("TRUE", True), (" 1 ", True), ("false", False), ("0", False), ("False", False)],
)
def test_the_boolean_spellings(text: str, value: bool) -> None:
    assert boolean_text(text) is value


@pytest.mark.parametrize("text", ["yes", "no", "on", "off", "y", "t", "", "truE ish", "１"])
def test_other_boolean_spellings_are_not_booleans(text: str) -> None:
    assert boolean_text(text) is None


@pytest.mark.parametrize(
    ("text", "value"), [("14", 14), (" 14 ", 14), ("+3", 3), ("-2", -2), ("1_4", None), ("١٤", None), ("1" * 19, None)]
)
def test_the_integer_spelling(text: str, value: int | None) -> None:
    assert integer_text(text) == value


def test_decide_rejects_yes_as_the_dataset_path_does(capsys: pytest.CaptureFixture[str]) -> None:
    """Finding: `decide --set consent.given=yes` was accepted while a dataset cell `yes` was rejected."""
    argv = ["decide", "--region", "DE", "--data", "content.chat", "--purpose", "ai.training", "--date", "2025-06-01"]
    assert main([*argv, "--set", "consent.given=yes"]) == 2
    assert "consent.given: expected true or false, got 'yes'" in capsys.readouterr().err
    assert main([*argv, "--set", "consent.given=TRUE", "--set", "legal_basis=consent"]) == 0
    assert capsys.readouterr().out.startswith("permit")


def test_a_cli_date_is_yyyy_mm_dd_only(capsys: pytest.CaptureFixture[str]) -> None:
    """`privlex test --today 2025-W23-1` was read as a date, as the runtime did."""
    assert main(["test", "--today", "2025-W23-1"]) == 2
    assert "'2025-W23-1' is not a date written YYYY-MM-DD" in capsys.readouterr().err
