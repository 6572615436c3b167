"""`use_from`, the generated plain-Python validator, gives exactly what `DataUse.from_input` gives.

`check` and `permits` validate a dict with the package's `use_from`: plain
Python for the usual input, pydantic (`from_input`) for everything else. Both
must agree on every input: the same use (fields, given facts, implied facts)
or the same InvalidUse, message and suggestion.
"""

from __future__ import annotations

import datetime
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, TESTS, compile_unit, compiled_package, quick_or_slow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex import InvalidUse, ir
from privlex.runtime import RecordBase, UseModel, places
from use_strategies import uses

UNITS = {
    "shipped": ROOT / "rulesets",
    "benchmark": ROOT / "benchmarks" / "policy",
    "hazards": TESTS / "codegen" / "hazards.rules",
    "names": TESTS / "codegen" / "names",
    **{path.stem: path for path in sorted((TESTS / "good").glob("*.rules"))},
    **{folder.name: folder for folder in sorted((TESTS / "semantics").iterdir()) if folder.is_dir()},
}
# The quick run draws uses for two small units (names has implications and exclusions, the benchmark's
# policy many facts); the shipped one is compiled and drawn for in the full run, while the quick run's
# odd-input and implication tests below check the shipped package's fast validation on chosen uses.
QUICK = {"benchmark", "names"}


@pytest.fixture(
    scope="module",
    params=quick_or_slow(sorted(UNITS), QUICK),
)
def unit(request: pytest.FixtureRequest) -> Iterator[tuple[types.ModuleType, ir.Program]]:
    with compiled_package(UNITS[request.param]) as found:
        yield found


def given_facts(use: UseModel) -> dict[str, Any]:
    """The facts named when the use was built, group by group."""
    found: dict[str, Any] = {}
    for name in sorted(use.model_fields_set):
        value = getattr(use, name)
        found[name] = sorted(value.model_fields_set) if hasattr(value, "model_fields_set") else True
    return found


def result(validate: Any, use: Any) -> tuple[Any, ...]:
    try:
        valid = validate(use)
    except InvalidUse as error:
        problems = [(p.path, repr(p.value), p.message, p.suggestion) for p in error.problems]
        return ("invalid", str(error), problems)
    return ("valid", type(valid).__name__, valid.model_dump(), given_facts(valid), repr(valid), valid)


def record_facts(record: RecordBase) -> dict[str, Any]:
    """A record's slots as a dict, a group's record as a dict of its own."""
    found = {name: getattr(record, name) for name in record.__slots__}
    return {name: record_facts(v) if isinstance(v, RecordBase) else v for name, v in found.items()}


def assert_record_holds_the_facts(package: types.ModuleType, valid: UseModel) -> None:
    """The record the checkers read holds the use's own fields, and the places of its region."""
    expected = {**valid.model_dump(), "here": places(valid.region, package.VOCABULARY.within)}
    assert record_facts(valid._record) == expected


def assert_same(package: types.ModuleType, use: Any) -> None:
    expected = result(package.DataUse.from_input, use)
    got = result(package._validate.use_from, use)
    assert got == expected, use
    if got[0] == "valid":
        valid = got[-1]
        assert type(valid) is package.DataUse
        assert hash(valid) == hash(expected[-1])
        assert package.DataUse.from_input(valid.given_facts()) == valid  # a use rebuilt from its facts
        assert_record_holds_the_facts(package, valid)  # built by use_from
        assert_record_holds_the_facts(package, expected[-1])  # built at the first read


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_use_from_agrees_with_from_input_on_every_use(unit: tuple[types.ModuleType, ir.Program], data: Any) -> None:
    package, program = unit
    covered = tuple(region for ruleset in program.rulesets for region in ruleset.covers)
    assert_same(package, data.draw(uses(program.vocabulary, covered=covered)))


class UncomparableName:
    """A fact name that is not text, hashed as `region` and failing every comparison."""

    def __hash__(self) -> int:
        return hash("region")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("compared")

    def __repr__(self) -> str:  # the test's id, the same in every worker
        return "UncomparableName()"


ODD_INPUTS: list[Any] = [
    {"region": "DE", "data": "content.chat", "purpose": "ai.training"},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": None, "date": None},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {}},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"explicit": None}},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"explicit": 1}},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"explicit": True, "typo": True}},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": ["explicit"]},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {1: True}},
    {"region": "de", "data": "content.chat", "purpose": "ai.training"},
    {"region": "UK", "data": "content.chat", "purpose": "ai.training"},
    {"region": "EU", "data": "content.chat", "purpose": "ai.training"},
    {"region": "DE", "data": "content", "purpose": "ai.training"},
    {"region": "DE", "data": "content.chat"},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "date": "2025-02-30"},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "date": "2025-06-01"},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "date": datetime.date(2025, 6, 1)},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "date": datetime.datetime(2025, 6, 1)},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", "colour": "blue"},
    {"region": "DE", "data": "content.chat", "purpose": "ai.training", 7: "seven"},
    {UncomparableName(): "DE", "data": "content.chat", "purpose": "ai.training"},  # InvalidUse, not RuntimeError
    [("region", "DE")],
    "DE",
    None,
]


@pytest.mark.parametrize("use", ODD_INPUTS, ids=repr)
def test_use_from_agrees_on_odd_inputs(use: Any) -> None:
    import privlex_rules

    assert_same(privlex_rules, use)


def test_use_from_agrees_on_implications_and_contradictions() -> None:
    """The shipped vocabulary: `consent.explicit` implies `consent.given`; `consent.implied` excludes it."""
    import privlex_rules

    base = {"region": "DE", "data": "content.chat", "purpose": "ai.training"}
    for consent in (
        {"explicit": True},
        {"explicit": True, "given": True},
        {"explicit": True, "given": False},
        {"explicit": False, "given": False},
        {"implied": True, "given": True},
        {"implied": True, "explicit": True},
        {"implied": True},
    ):
        assert_same(privlex_rules, {**base, "consent": consent})
    for processing in ({"sale": True}, {"sale": True, "third_party": False}, {"disclosed": True}):
        assert_same(privlex_rules, {**base, "processing": processing})
    implied = privlex_rules._validate.use_from({**base, "consent": {"explicit": True}})
    assert implied.consent.given and implied.consent.model_fields_set == {"explicit", "given"}


def test_a_plainly_valid_dict_is_decided_without_pydantic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of `use_from`: the usual use never reaches `from_input`; an unusual one does."""
    import privlex_rules

    reached: list[object] = []
    full = privlex_rules.DataUse.from_input

    def counted(data: Any) -> Any:
        reached.append(data)
        return full(data)

    monkeypatch.setattr(privlex_rules.DataUse, "from_input", counted)
    use = {"region": "FR", "data": "content.chat", "purpose": "ai.training", "consent": {"explicit": True}}
    decision = privlex_rules.check(use, today=datetime.date(2025, 6, 1))
    privlex_rules.permits(use, today=datetime.date(2025, 6, 1))
    assert reached == []
    assert decision == privlex_rules.check(full(use), today=datetime.date(2025, 6, 1))
    privlex_rules.check({**use, "region": "fr"}, today=datetime.date(2025, 6, 1))
    assert len(reached) == 1


def test_groups_with_the_same_facts_share_one_instance() -> None:
    import privlex_rules

    base = {"region": "DE", "data": "content.chat", "purpose": "ai.training"}
    first = privlex_rules._validate.use_from({**base, "consent": {"explicit": True, "bundled": False}})
    second = privlex_rules._validate.use_from({**base, "consent": {"explicit": True, "bundled": False}})
    other = privlex_rules._validate.use_from({**base, "consent": {"explicit": True}})
    assert first.consent is second.consent
    assert other.consent is not first.consent and other.consent.model_fields_set == {"explicit", "given"}
    assert first.model_copy(update={"consent": {"explicit": False}}).consent.explicit is False
    assert first.consent.explicit is True
    assert first.consent._record is second.consent._record  # shared with the group


def test_a_use_keeps_its_record_out_of_its_value_and_through_copies() -> None:
    import copy
    import pickle

    import privlex_rules

    facts = {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"explicit": True}}
    fast = privlex_rules._validate.use_from(facts)
    slow = privlex_rules.DataUse.from_input(facts)
    assert "_record" in vars(fast) and "_record" not in vars(slow)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert dict(fast) == dict(slow) and fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    for twin in (pickle.loads(pickle.dumps(fast)), copy.deepcopy(fast), copy.copy(fast), fast.model_copy()):
        assert twin == fast
        assert record_facts(twin._record) == record_facts(fast._record)
        assert privlex_rules.check(twin) == privlex_rules.check(fast)
    changed = fast.model_copy(update={"region": "FR"})
    assert changed._record.region == "FR" and "FR" in changed._record.here


CROSSING = """\
data content "Content"
data content.chat "Chat"
purpose ai "AI"
purpose ai.training "Training"
fact minor "A minor": boolean implies consent.given
fact adult "An adult": boolean excludes minor
fact consent.given "Given": boolean
fact consent.explicit "Explicit": boolean implies consent.given implies audit.logged
fact consent.implied "Implied": boolean excludes audit.logged
fact audit.logged "Logged": boolean
fact audit.age "An age": integer from 0 to 130
fact audit.since "Since": date
fact audit.kind "Kind": one of plain, fancy default plain
country DE "Germany"

ruleset crossing "Crossing implications":
    covers DE
    otherwise deny "No" cites "s.0"

    rule ok "Yes":
        cites "s.1"
        permit when consent.given and audit.logged
"""


def test_implications_across_groups_go_to_the_full_validation(tmp_path: Path, unit_package: Any) -> None:
    (tmp_path / "crossing.rules").write_text(CROSSING, encoding="utf-8")
    package = unit_package(tmp_path)
    program = compile_unit(tmp_path).program
    assert program is not None
    base = {"region": "DE", "data": "content.chat", "purpose": "ai.training"}
    for use in (
        {**base, "minor": True},
        {**base, "minor": True, "consent": {"given": False}},
        {**base, "minor": True, "adult": True},
        {**base, "consent": {"explicit": True}},
        {**base, "consent": {"explicit": True}, "audit": {"logged": False}},
        {**base, "consent": {"implied": True}, "audit": {"logged": True}},
        {**base, "audit": {"age": 131, "since": "2025-01-01", "kind": "fancy"}},
        {**base, "audit": {"age": 13, "since": "2025-01-01", "kind": "fancy"}},
    ):
        assert_same(package, use)

    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(uses(program.vocabulary, covered=("DE",)))
    def agree(use: dict[str, Any]) -> None:
        assert_same(package, use)

    agree()
