"""Batch evaluation over Arrow: exactly what `check` says about each row's use."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from unittest import mock

import numpy as np
import privlex_rules
import pyarrow as pa
import pytest
from conftest import FIXED_DAY, ROOT, TESTS, compile_unit, costly, imported_package
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex import InvalidUse, ir
from privlex.batch import SchemaError, check_batch, permits_batch
from privlex.data import encode as batch_encode

# The vocabulary privlex_rules was generated from (test_codegen checks it is current), read from the package
# rather than compiled when this module is imported.
VOCABULARY = ir.load_program("privlex_rules").vocabulary
FACTS = {fact.path: fact for fact in VOCABULARY.facts}
GROUPS = sorted({path.split(".")[0] for path in FACTS if "." in path})
DAYS = st.dates(datetime.date(2017, 1, 1), datetime.date(2030, 12, 31))
PLACES = ["DE", "de", "US-CA", "FR", "IE", "JP", "BR", "GB", "IS"]


def text_values(path: str) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    """Values the vocabulary knows, and values it does not."""
    fact = FACTS.get(path)
    if path in ("region", "processing.transfer_to"):
        good = PLACES
    elif path in ("data", "purpose"):
        good = sorted(k.key for k in (VOCABULARY.data if path == "data" else VOCABULARY.purposes) if not k.abstract)
    elif fact is not None and fact.kind == "basis":
        good = sorted(name for name, _ in VOCABULARY.bases)
    else:
        good = sorted(fact.choices) if fact is not None else ["x"]
    return st.sampled_from(good), st.sampled_from(["EU", "XX", "US-ZZ", "sensitive", "chatt", ""])


# Per kind of fact: the Arrow types a column may have (the likely ones more
# often), and the values each may hold; None is drawn besides.
REPRESENTATIONS: dict[str, list[tuple[pa.DataType, st.SearchStrategy[Any] | None, st.SearchStrategy[Any] | None]]] = {
    "text": [
        (pa.string(), None, None),
        (pa.dictionary(pa.int8(), pa.string()), None, None),
        (pa.large_string(), None, None),
    ],
    "boolean": [
        *[(pa.bool_(), st.booleans(), None)] * 4,
        (pa.int64(), st.integers(0, 1), None),
        (pa.string(), st.sampled_from(["true", "false"]), None),
    ],
    "integer": [
        *[(pa.int64(), st.integers(0, 130), st.sampled_from([-1, 131, 140]))] * 2,
        (pa.float64(), st.integers(0, 30).map(float), st.sampled_from([12.5, math.nan, 1e300])),
        (pa.uint8(), st.integers(0, 130), st.integers(131, 255)),
        (pa.string(), st.sampled_from(["12", "x"]), None),
    ],
    "date": [
        (pa.date32(), DAYS, None),
        (pa.string(), DAYS.map(datetime.date.isoformat), st.sampled_from(["2024-02-30", "soon"])),
        (pa.timestamp("s"), st.datetimes(datetime.datetime(2020, 1, 1), datetime.datetime(2026, 1, 1)), None),
    ],
}
# How a column's cells are drawn: only good values, with nulls, or with bad values too.
QUALITIES = ["clean", "clean", "nulls", "mixed"]


def kind_of(path: str) -> str:
    if path == "date":
        return "date"
    fact = FACTS.get(path)
    if fact is None or fact.kind not in ("boolean", "integer", "date"):
        return "text"
    return fact.kind


@st.composite
def tables(draw: st.DrawFn) -> tuple[pa.Table, list[dict[str, Any]]]:
    """A table of uses, and for each row the use `check` should be asked about."""
    rows = draw(st.integers(0, 24))
    optional = [p for p in FACTS if p not in ("region", "data", "purpose")]
    chosen = draw(st.lists(st.sampled_from([*optional, "date"]), unique=True, max_size=6))
    paths = ["region", "data", "purpose", *chosen]
    for likely in ("consent.given", "processing.disclosed"):  # the facts that most often permit
        if likely not in paths and draw(st.booleans()):
            paths.append(likely)
    columns: dict[str, tuple[pa.DataType, list[Any]]] = {}
    for path in paths:
        arrow_type, good, bad = draw(st.sampled_from(REPRESENTATIONS[kind_of(path)]))
        if good is None:
            good, bad = text_values(path)
        required = path in ("region", "data", "purpose")
        quality = draw(st.sampled_from(QUALITIES + ["clean"] * 6 * required))
        cells = {
            "clean": good,
            "nulls": st.one_of(good, st.none()),
            "mixed": st.one_of(good, st.none(), *([bad] if bad is not None else [])),
        }[quality]
        columns[path] = (arrow_type, [draw(cells) for _ in range(rows)])
    arrays: dict[str, pa.Array] = {}
    absent: dict[str, list[bool]] = {}
    for group in GROUPS:
        inner = [p for p in paths if p.startswith(group + ".")]
        if inner and draw(st.booleans()):  # a struct column, some of whose rows are null
            mask = [draw(st.integers(0, 4)) == 0 for _ in range(rows)]
            children = [pa.array(columns[p][1], columns[p][0]) for p in inner]
            arrays[group] = pa.StructArray.from_arrays(
                children, [p.split(".", 1)[1] for p in inner], mask=pa.array(mask, pa.bool_())
            )
            absent.update({p: mask for p in inner})
    for path in paths:
        if path.split(".")[0] not in arrays:
            arrays[path] = pa.array(columns[path][1], columns[path][0])
    arrays["payload"] = pa.array([[i] for i in range(rows)], pa.list_(pa.int64()))
    table = pa.table(arrays)
    uses: list[dict[str, Any]] = []
    for row in range(rows):
        use: dict[str, Any] = {}
        for path in paths:
            value = columns[path][1][row]
            if absent.get(path, [False] * rows)[row]:
                continue
            if type(value) is float and value.is_integer():
                value = int(value)
            group, dot, name = path.partition(".")
            (use.setdefault(group, {}) if dot else use)[name if dot else path] = value
        uses.append(use)
    return table, uses


def expected(use: dict[str, Any], package: ModuleType = privlex_rules) -> tuple[str, tuple[str, ...], str | None]:
    try:
        decision = package.check(use, today=FIXED_DAY)
    except InvalidUse as error:
        return "invalid", (), str(error)
    return str(decision.outcome), tuple(f"{r.ruleset}.{r.rule}" for r in decision.reasons), None


def assert_agrees(table: pa.Table, uses: list[dict[str, Any]], package: ModuleType) -> None:
    result = check_batch(table, today=FIXED_DAY, package=package)
    outcomes, deciding, errors = result.outcome.to_pylist(), result.deciding.to_pylist(), result.error.to_pylist()
    mask = permits_batch(table, today=FIXED_DAY, package=package)
    lenient = permits_batch(table, allow_uncovered=True, today=FIXED_DAY, package=package)
    assert len(result) == len(uses) == len(mask)
    for row, use in enumerate(uses):
        outcome, ids, error = expected(use, package)
        assert (outcomes[row], tuple(deciding[row]), errors[row]) == (outcome, ids, error), (row, use)
        assert mask[row] == (outcome == "permit")
        assert lenient[row] == (outcome in ("permit", "not_applicable"))


# The tables below are drawn from the shipped vocabulary. Both runs decide them with the shipped package, which
# the run imports anyway; the full run also with a package of two of its rulesets, the GDPR and the CCPA,
# generated for the test. (The quick run used that one: its tables cost about a quarter less to decide, but
# generating and importing the package cost more than all of them.)
LAW_SUBSET = ("vocabulary", "regions", "gdpr", "ccpa")


@pytest.fixture(scope="module", params=[pytest.param("gdpr and ccpa", marks=pytest.mark.slow), "shipped"])
def package(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    if request.param == "shipped":
        yield privlex_rules
        return
    compilation = compile_unit(*(ROOT / "rulesets" / f"{name}.rules" for name in LAW_SUBSET))
    assert compilation.program is not None and compilation.program.vocabulary == VOCABULARY
    yield imported_package(compilation.program)


@settings(max_examples=costly(300), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables())
def test_row_and_batch_evaluation_agree(package: ModuleType, case: tuple[pa.Table, list[dict[str, Any]]]) -> None:
    assert_agrees(*case, package)


@settings(max_examples=costly(300), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables())
def test_they_agree_when_keys_are_densified_and_hashed(
    package: ModuleType, case: tuple[pa.Table, list[dict[str, Any]]]
) -> None:
    with mock.patch.object(batch_encode, "_KEY_LIMIT", 8), mock.patch.object(batch_encode, "_TABLE_LIMIT", 2):
        assert_agrees(*case, package)


@settings(max_examples=costly(300), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables(), st.integers(1, 5))
def test_they_agree_over_chunks_and_record_batches(
    package: ModuleType, case: tuple[pa.Table, list[dict[str, Any]]], size: int
) -> None:
    table, uses = case
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=size), table.schema)
    assert_agrees(chunked, uses, package)
    if table.num_rows:
        batch = table.combine_chunks().to_batches()[0]
        assert (
            check_batch(batch, today=FIXED_DAY, package=package).outcome.to_pylist()
            == check_batch(table, today=FIXED_DAY, package=package).outcome.to_pylist()
        )


BASE = {"region": ["DE"], "data": ["content.chat"], "purpose": ["ai.training"]}


def outcomes(table: Any, **options: Any) -> list[str]:
    return check_batch(table, today=FIXED_DAY, **options).outcome.to_pylist()


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({**BASE, "consent.colour": [True]}, "'consent.colour' is not a fact"),
        ({**BASE, "consent": pa.array([{"given": True, "colur": 1}])}, "'consent.colur' is not a fact"),
        ({**BASE, "consent": pa.array([{"given": True}]), "consent.given": [True]}, "consent.given is given twice"),
        ({**BASE, "consent": ["yes"]}, "must be a struct"),
        ({**BASE, "region.code": ["DE"]}, "'region.code' is not a fact"),
        ({"data": ["content.chat"], "purpose": ["ai.training"]}, "required fact region"),
        ({**BASE, "region": pa.array([{"code": "DE"}])}, "is a struct"),
    ],
)
def test_schema_errors(columns: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        check_batch(pa.table(columns))


def test_payload_columns_are_never_read() -> None:
    table = pa.table({**BASE, "text": [["anything", None]], "consent_note": [{"x": 1}], "regionx": [1]})
    assert outcomes(table) == ["deny"]


def test_a_null_struct_means_every_fact_in_it_is_absent() -> None:
    consent = pa.StructArray.from_arrays([pa.array([True, True])], ["given"], mask=pa.array([False, True]))
    table = pa.table(
        {"region": ["DE", "DE"], "data": ["content.chat"] * 2, "purpose": ["ai.training"] * 2, "consent": consent}
    )
    assert outcomes(table) == ["permit", "deny"]


def test_a_null_required_fact_makes_the_row_invalid() -> None:
    table = pa.table({"region": ["DE", None], "data": ["content.chat"] * 2, "purpose": ["ai.training"] * 2})
    result = check_batch(table, today=FIXED_DAY)
    assert result.outcome.to_pylist() == ["deny", "invalid"]
    assert result.field.to_pylist() == [None, "region"]
    assert "required" in result.error.to_pylist()[1]


def test_integral_floats_are_integers_and_dates_come_as_date32_or_text() -> None:
    table = pa.table(
        {
            "region": ["DE"] * 4,
            "data": ["content.chat"] * 4,
            "purpose": ["ai.training"] * 4,
            "consent.given": [True] * 4,
            "subject.age": [12.0, 17.0, 12.5, None],
            "date": pa.array([datetime.date(2025, 1, 1)] * 4),
        }
    )
    assert outcomes(table) == ["deny", "permit", "invalid", "permit"]
    text_dates = table.set_column(5, "date", pa.array(["2018-05-24", "2025-01-01", "2025-01-01", "24/05/2018"]))
    assert outcomes(text_dates) == ["not_applicable", "permit", "invalid", "invalid"]


def test_a_column_map_and_fixed_values_override_the_columns() -> None:
    table = pa.table(
        {
            "country": ["DE", "US-CA"],
            "region": ["AQ", "AQ"],
            "data": ["content.chat"] * 2,
            "purpose": ["ai.training"] * 2,
            "ok": [True, False],
        }
    )
    assert outcomes(table) == ["not_applicable"] * 2
    mapped = outcomes(table, columns={"region": "country", "consent.given": "ok"})
    assert mapped == ["permit", "deny"]
    fixed = outcomes(table, columns={"region": "country"}, values={"consent.given": True, "region": "FR"})
    assert fixed == ["permit", "permit"]
    with pytest.raises(SchemaError, match="no column 'nation'"):
        check_batch(table, columns={"region": "nation"})


def test_a_group_can_be_mapped_to_another_struct_column() -> None:
    table = pa.table({**BASE, "agreement": pa.array([{"given": True}])})
    assert outcomes(table, columns={"consent": "agreement"}) == ["permit"]


def test_results_per_row_and_summaries() -> None:
    table = pa.table(
        {
            "region": ["DE", "DE", "AQ", "XX"],
            "data": ["content.chat"] * 4,
            "purpose": ["ai.training"] * 4,
            "consent.given": [True, False, True, True],
        }
    )
    result = check_batch(table, today=FIXED_DAY)
    assert result.counts() == {"permit": 1, "deny": 1, "not_applicable": 1, "invalid": 1}
    assert result.deciding.to_pylist() == [["gdpr.consent"], ["gdpr.default"], [], []]
    assert result.to_table().column_names == ["outcome", "deciding", "error", "field"]
    assert result.verdict(0).decision is not None and result.verdict(0).decision.reasons[0].citations
    assert result.permitted_rows().tolist() == [0] and result.invalid_rows().tolist() == [3]
    assert isinstance(permits_batch(table), np.ndarray)


def test_an_empty_table_has_no_rows_but_its_schema_is_checked() -> None:
    empty = pa.table({k: pa.array([], pa.string()) for k in BASE})
    assert len(check_batch(empty)) == 0 and permits_batch(empty).tolist() == []
    with pytest.raises(SchemaError):
        check_batch(pa.table({"data": pa.array([], pa.string())}))


def test_any_generated_package_and_its_own_fact_roots(unit_package: Any) -> None:
    package = unit_package(TESTS / "semantics" / "a_two_rulesets")
    table = pa.table(
        {
            "region": ["DE", "DE"],
            "data": ["content.chat"] * 2,
            "purpose": ["ai.training"] * 2,
            "flag": pa.array([{"alpha_permit": True}, {"alpha_deny": True}]),
        }
    )
    result = check_batch(table, package=package, today=FIXED_DAY)
    assert result.outcome.to_pylist() == ["permit", "deny"]
    with pytest.raises(SchemaError, match="flag.alpha_permt"):
        check_batch(pa.table({**BASE, "flag.alpha_permt": [True]}), package=package)


def test_many_rows_few_combinations() -> None:
    rng = np.random.default_rng(7)
    rows = 50_000
    table = pa.table(
        {
            "region": pa.array(np.array(["DE", "US-CA", "JP", "XX"])[rng.integers(0, 4, rows)]),
            "data": pa.array(np.array(["content.chat", "service.telemetry"])[rng.integers(0, 2, rows)]),
            "purpose": pa.array(["ai.training"] * rows),
            "consent.given": pa.array(rng.integers(0, 2, rows).astype(bool)),
            "subject.age": pa.array(rng.integers(10, 20, rows)),
        }
    )
    result = check_batch(table, today=FIXED_DAY)
    assert len(result.verdicts) <= 4 * 2 * 2 * 10
    sample = rng.integers(0, rows, 200)
    for row in sample.tolist():
        use = {
            "region": table["region"][row].as_py(),
            "data": table["data"][row].as_py(),
            "purpose": "ai.training",
            "consent": {"given": table["consent.given"][row].as_py()},
            "subject": {"age": table["subject.age"][row].as_py()},
        }
        verdict = result.verdict(row)
        assert (verdict.outcome, verdict.deciding, verdict.error) == expected(use)
