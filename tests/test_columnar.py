"""The columnar evaluator agrees with the row checker exactly: outcome, reasons, obligations, rulesets, errors.

For the shipped package and every fixture unit (tests/good, tests/semantics),
hypothesis draws tables whose cells are the values that matter to that
unit's rules: every key and region it names, the boundaries of every age
and date it compares (one below, at, one above), parameter change days,
nulls, values the vocabulary does not know and values of the wrong type, in
the Arrow types a dataset may hold them in (plain, dictionary, struct
fields). Each row is then decided by `check` and by `check_batch`.

The quick run draws a few tables for each of four fixture units, chosen for
what the columnar path does differently from the row checker (every form of
condition, unknown facts in three-valued logic, parameters by region and
date, exceptions nested three deep); the full run draws for every unit, the
shipped one included, and the `ci` profile that .ci/run selects draws several
hundred tables per unit (tests/conftest.py).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import privlex_rules
import pyarrow as pa
import pytest
from conftest import FIXED_DAY, ROOT, TESTS, compile_unit, costly, imported_package, quick_or_slow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex import InvalidUse, ir
from privlex.batch import annotate, check_batch, permits_batch

UNITS = [ROOT / "rulesets", *sorted((TESTS / "good").glob("*.rules")), *sorted((TESTS / "semantics").iterdir())]
UNITS = {u.stem: u for u in UNITS if u.suffix == ".rules" or u.is_dir()}
QUICK = {"every_operator", "f_unknown_facts", "e_parameters", "b_nested_exceptions"}


def _walk_conditions(condition: ir.Condition | None) -> list[ir.Condition]:
    if condition is None:
        return []
    if isinstance(condition, ir.Not):
        return _walk_conditions(condition.operand)
    if isinstance(condition, ir.And | ir.Or):
        return [c for inner in condition.operands for c in _walk_conditions(inner)]
    return [condition]


class Values:
    """What to draw for each fact of a program: the values its rules care about, and bad ones."""

    def __init__(self, program: ir.Program) -> None:
        vocabulary = program.vocabulary
        self.facts = {f.path: f for f in (*ir.BUILTIN_FACTS.values(), *vocabulary.facts)}
        numbers: dict[str, set[int]] = {}
        days: set[datetime.date] = {FIXED_DAY}
        regions: set[str] = set()
        for ruleset in program.rulesets:
            regions.update(ruleset.covers)
            days.update(d for d in (ruleset.start, ruleset.end) if d)
            for parameter in ruleset.parameters:
                regions.update(parameter.timeline)
                for pieces in parameter.timeline.values():
                    for start, end, value in pieces:
                        days.update((start, end))
                        if isinstance(value, int) and not isinstance(value, bool):
                            numbers.setdefault("*", set()).add(value)
                        if isinstance(value, datetime.date):
                            days.add(value)
            nodes = [n for n, _ in ruleset.walk()]
            conditions = [ruleset.applies] + [n.condition for n in nodes]
            days.update(d for n in nodes for d in (n.start, n.end) if d)
            for condition in conditions:
                for atom in _walk_conditions(condition):
                    values = [getattr(atom, "value", None), *getattr(atom, "values", ())]
                    for value in values:
                        if isinstance(value, datetime.date):
                            days.add(value)
                        elif isinstance(value, int) and not isinstance(value, bool):
                            numbers.setdefault(atom.fact.path, set()).add(value)
                        elif isinstance(value, str) and atom.fact.kind == "region":
                            regions.add(value)
        self.days = sorted({d + datetime.timedelta(k) for d in days for k in (-1, 0, 1) if 1 < d.year < 9999})
        self.numbers = numbers
        places = sorted(vocabulary.within)
        inside = sorted({code for code, within in vocabulary.within.items() if set(within) & regions})
        groups = [r.code for r in vocabulary.regions if r.kind == "group"]
        self.regions = sorted(
            set(inside + places[:6] + [c.lower() for c in inside[:2]] + [f" {c} " for c in inside[-1:]])
        )
        self.bad_regions = [*groups[:2], "XX", "", "U S"] + ([f"{inside[0].split('-')[0]}-ZZ"] if inside else [])
        self.data = sorted(k.key for k in vocabulary.data if not k.abstract)
        self.purposes = sorted(k.key for k in vocabulary.purposes if not k.abstract)
        abstract = [k.key for k in (*vocabulary.data, *vocabulary.purposes) if k.abstract]
        self.bad_keys = [*abstract[:2], "nonsense", "content.chatt"]
        self.bases = sorted(name for name, _ in vocabulary.bases)

    def good(self, fact: ir.Fact) -> list[Any]:
        kind = fact.kind
        if kind == "region":
            return self.regions
        if kind == "data":
            return self.data
        if kind == "purpose":
            return self.purposes
        if kind == "basis":
            return self.bases
        if kind == "enum":
            return sorted(fact.choices)
        if kind == "boolean":
            return [True, False]
        if kind == "date":
            return self.days
        low = fact.minimum if fact.minimum is not None else -5
        high = fact.maximum if fact.maximum is not None else 200
        picked = {low, high}
        for n in self.numbers.get(fact.path, set()) | self.numbers.get("*", set()):
            picked.update((n - 1, n, n + 1))
        return sorted(v for v in picked if low <= v <= high)

    def bad(self, fact: ir.Fact) -> list[Any]:
        kind = fact.kind
        if kind == "region":
            return self.bad_regions
        if kind in ("data", "purpose"):
            return self.bad_keys
        if kind in ("basis", "enum"):
            return ["nonsense", "Consent"]
        if kind == "boolean":
            return ["yes", "true"]
        if kind == "date":
            return ["2024-02-30", "soon", "2025-W23-1"]
        low = fact.minimum if fact.minimum is not None else 0
        high = fact.maximum if fact.maximum is not None else 130
        return [low - 1, high + 1, "12"]


@st.composite
def tables(draw: st.DrawFn, values: Values) -> tuple[pa.Table, list[dict[str, Any]]]:
    rows = draw(st.integers(1, 30))
    optional = [p for p in values.facts if p not in ("region", "data", "purpose")]
    chosen = draw(st.lists(st.sampled_from(optional), unique=True, max_size=8)) if optional else []
    paths = ["region", "data", "purpose", *chosen]
    columns: dict[str, tuple[pa.DataType | None, list[Any]]] = {}
    for path in paths:
        fact = values.facts[path]
        good, bad = values.good(fact), values.bad(fact)
        quality = draw(st.sampled_from(["clean", "clean", "nulls", "mixed"]))
        cells = st.sampled_from(good)
        if quality != "clean":
            cells = st.one_of(cells, st.none())
        if quality == "mixed":
            cells = st.one_of(cells, st.sampled_from(bad))
        drawn = [draw(cells) for _ in range(rows)]
        kinds = {type(v) for v in drawn if v is not None}
        arrow: pa.DataType | None = None
        if kinds <= {str} and draw(st.booleans()):
            arrow = pa.dictionary(pa.int32(), pa.string())
        elif len(kinds) > 1:
            drawn = [v if v is None or isinstance(v, str) else _text(v) for v in drawn]
        elif kinds == {int} and draw(st.booleans()):
            drawn = [None if v is None else float(v) for v in drawn]
        columns[path] = (arrow, drawn)
    arrays: dict[str, Any] = {}
    absent: dict[str, list[bool]] = {}
    groups = sorted({p.split(".")[0] for p in paths if "." in p})
    for group in groups:
        inner = [p for p in paths if p.startswith(group + ".")]
        if draw(st.booleans()):
            mask = [draw(st.integers(0, 5)) == 0 for _ in range(rows)]
            children = [pa.array(columns[p][1], columns[p][0]) for p in inner]
            names = [p.split(".", 1)[1] for p in inner]
            arrays[group] = pa.StructArray.from_arrays(children, names, mask=pa.array(mask, pa.bool_()))
            absent.update({p: mask for p in inner})
    for path in paths:
        if path.split(".")[0] not in arrays:
            arrays[path] = pa.array(columns[path][1], columns[path][0])
    arrays["payload"] = pa.array([f"row {i}" for i in range(rows)])
    uses: list[dict[str, Any]] = []
    for row in range(rows):
        use: dict[str, Any] = {}
        for path in paths:
            if absent.get(path, [False] * rows)[row]:
                continue
            value = columns[path][1][row]
            if type(value) is float and value.is_integer():
                value = int(value)
            group, dot, name = path.partition(".")
            (use.setdefault(group, {}) if dot else use)[name if dot else path] = value
        uses.append(use)
    return pa.table(arrays), uses


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value).lower()


def expected(package: ModuleType, use: dict[str, Any]) -> tuple[Any, ...]:
    try:
        decision = package.check(use, today=FIXED_DAY)
    except InvalidUse as error:
        return ("invalid", str(error), error.path or None)
    return ("decided", decision.to_dict())


def assert_agree(package: ModuleType, table: pa.Table, uses: list[dict[str, Any]]) -> None:
    result = check_batch(table, package=package, today=FIXED_DAY)
    mask = permits_batch(table, package=package, today=FIXED_DAY).tolist()
    lenient = permits_batch(table, True, package=package, today=FIXED_DAY).tolist()
    for row, use in enumerate(uses):
        verdict = result.verdict(row)
        if verdict.outcome == "invalid":
            got: tuple[Any, ...] = ("invalid", verdict.error, verdict.field)
        else:
            assert verdict.decision is not None
            got = ("decided", verdict.decision.to_dict())
        want = expected(package, use)
        assert got == want, (row, use)
        outcome = want[1]["outcome"] if want[0] == "decided" else "invalid"
        assert mask[row] == (outcome == "permit")
        assert lenient[row] == (outcome in ("permit", "not_applicable"))


class Packages:
    """Each unit's package and values, compiled when a test first asks (once per process: `compile_unit`)."""

    def __init__(self) -> None:
        self.found: dict[Path, tuple[ModuleType, Values]] = {}

    def __getitem__(self, unit: Path) -> tuple[ModuleType, Values]:
        if unit not in self.found:
            program = compile_unit(unit).program
            assert program is not None, unit
            package = privlex_rules if unit == ROOT / "rulesets" else imported_package(program)
            self.found[unit] = (package, Values(program))
        return self.found[unit]


@pytest.fixture(scope="module")
def packages() -> Packages:
    return Packages()


# The shipped package only in the full run: test_batch draws its tables in the quick run.
@pytest.mark.parametrize("name", quick_or_slow(UNITS, QUICK))
def test_row_and_columnar_evaluation_agree(name: str, packages: Packages) -> None:
    package, values = packages[UNITS[name]]

    @settings(
        max_examples=costly(300),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )
    @given(tables(values))
    def agree(case: tuple[pa.Table, list[dict[str, Any]]]) -> None:
        assert_agree(package, *case)

    agree()


def test_annotate_adds_verdict_columns_in_the_tables_own_kind() -> None:
    table = pa.table(
        {
            "region": ["DE", "DE", "XX"],
            "data": ["content.chat"] * 3,
            "purpose": ["ai.training"] * 3,
            "consent.given": [True, False, True],
            "text": ["a", "b", "c"],
        }
    )
    annotated = annotate(table, today=FIXED_DAY)
    assert annotated.column_names[:5] == table.column_names
    assert annotated["privlex_outcome"].to_pylist() == ["permit", "deny", "invalid"]
    assert annotated["privlex_deciding"].to_pylist() == [["gdpr.consent"], ["gdpr.default"], []]
    assert annotated["privlex_obligations"].to_pylist()[0] == ["gdpr.keep_proof", "gdpr.easy_withdrawal"]
    assert annotated["privlex_error"].to_pylist()[2].startswith("region: 'XX'")
    frame = annotate(table.to_pandas(), today=FIXED_DAY)
    assert list(frame["privlex_outcome"]) == ["permit", "deny", "invalid"]
