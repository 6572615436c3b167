"""`privlex filter` end to end, through a subprocess, on JSONL, CSV and Parquet."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import privlex_rules
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXED_DAY, costly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex import InvalidUse
from privlex.data.filter import Options, Report
from privlex.data.filter import run as filter_rows

ROOTS = {"region", "data", "purpose", "date", "legal_basis", "subject", "consent", "processing"}


def privlex_filter(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "privlex", "filter", *map(str, args), "--today", FIXED_DAY.isoformat()]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def _whole(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return int(value) if type(value) is float and value.is_integer() else value


def permitted(record: dict[str, Any]) -> bool:
    """What privlex.check says about the use a record describes.

    Payload keys are left out, and an integral float counts as an integer.
    """
    use: dict[str, Any] = {}
    for key, value in _whole(record).items():
        group, dot, name = key.partition(".")
        if group not in ROOTS:
            continue
        if dot:
            use.setdefault(group, {})[name] = value
        else:
            use[key] = value if not isinstance(value, dict) else {**use.get(key, {}), **value}
    try:
        return privlex_rules.check(use, today=FIXED_DAY).outcome == "permit"
    except InvalidUse:
        return False


def random_record(rng: random.Random, row: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": row,
        "region": rng.choice(["DE", "FR", "IE", "US-CA", "JP", "BR", "de", "XX"]),
        "data": rng.choice(["content.chat", "content.audio", "service.telemetry", "sensitive.health"]),
        "purpose": rng.choice(["ai.training", "product.improvement", "analytics"]),
        "text": rng.choice(["plain", 'üñî "quoted" \\ back', "line\nbreak", ""]),
    }
    consent = {k: rng.choice([True, False]) for k in ("given", "bundled", "withdrawn") if rng.random() < 0.6}
    if consent:
        record["consent"] = consent
    if rng.random() < 0.3:
        record["subject"] = {"age": rng.choice([12, 15, 30, 14.0, None])}
    if rng.random() < 0.3:
        record["processing.disclosed"] = rng.random() < 0.5
    if rng.random() < 0.2:
        record["legal_basis"] = rng.choice(["consent", "contract", "legitimate_interest"])
    return record


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[bytes]]:
    rng = random.Random(20_000)
    folder = tmp_path_factory.mktemp("big")
    lines = [json.dumps(random_record(rng, row), ensure_ascii=row % 2 == 0).encode() + b"\n" for row in range(20_000)]
    lines[6] = b'{"id": 6, "region": "DE", "data": "content.chat", "purpose": "ai.training", "subject": {"age": "x"}}\n'
    lines[9] = b'{"id": 9, "region": "DE", broken\n'
    path = folder / "rows.jsonl"
    path.write_bytes(b"".join(lines))
    return path, lines


@pytest.mark.slow  # a subprocess
def test_jsonl_keeps_exactly_the_rows_check_permits(big_jsonl: tuple[Path, list[bytes]], tmp_path: Path) -> None:
    source, lines = big_jsonl
    result = privlex_filter(
        source, "--out", tmp_path / "kept.jsonl", "--decisions", tmp_path / "log.jsonl", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr  # some rows are invalid
    expected = [line for line in lines if line.startswith(b"{") and _parses(line) and permitted(json.loads(line))]
    assert (tmp_path / "kept.jsonl").read_bytes() == b"".join(expected)
    assert 1000 < len(expected) < 19_000
    assert "invalid: line 7, field subject.age: expected a whole number, got 'x'" in result.stderr
    assert "invalid: line 10: malformed JSON" in result.stderr
    assert "invalid rows in all)" in result.stderr and "rules that denied most:" in result.stderr
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal
    log = (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(log[0])
    assert header["source_hash"] == f"sha256:{privlex_rules.SOURCE_HASH}" and header["today"] == "2025-06-01"
    records = [json.loads(line) for line in log[1:-1]]
    summary = json.loads(log[-1])
    assert summary["summary"] is True and summary["rows"] == 20_000 and summary["outcomes"]["invalid"] >= 2
    assert len(records) == 20_000 and [r["row"] for r in records[:3]] == [1, 2, 3]
    assert sum(r["outcome"] == "permit" for r in records) == len(expected)
    assert records[6]["outcome"] == "invalid" and records[6]["line"] == 7 and records[6]["field"] == "subject.age"
    denied = next(r for r in records if r["outcome"] == "deny")
    assert denied["deciding"] and all(i.count(".") >= 1 for i in denied["deciding"])


def _parses(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


@pytest.mark.slow  # a subprocess
def test_an_unreadable_input_writes_nothing(tmp_path: Path) -> None:
    for source in (tmp_path / "missing.jsonl", tmp_path):
        result = privlex_filter(source, "--out", tmp_path / "kept.jsonl", "--format", "jsonl", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "cannot read" in result.stderr
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    result = privlex_filter(broken, "--out", tmp_path / "kept.parquet", cwd=tmp_path)
    assert result.returncode == 2 and "Parquet" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.parquet"]


@pytest.mark.slow  # a subprocess
def test_a_schema_error_stops_the_run_before_anything_is_written(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("region,data,purpose,consent.givn\nDE,content.chat,ai.training,true\n")
    result = privlex_filter(source, "--out", tmp_path / "kept.csv", "--decisions", tmp_path / "log.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert "'consent.givn' is not a fact; did you mean consent.given?" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    for bad in (["--map", "region=nation"], ["--set", "consent.gvn=true"], ["--map", "region"]):
        result = privlex_filter(source, "--out", tmp_path / "kept.csv", *bad, cwd=tmp_path)
        assert result.returncode == 2, (bad, result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


CSV = (
    "\ufeffid,region,data,purpose,consent.given,subject.age,note\r\n"
    '1,DE,content.chat,ai.training,true,,"multi\r\nline, with comma"\r\n'
    "2,DE,content.chat,ai.training,1,12,x\r\n"
    "3,DE,content.chat\r\n"
    '4,FR,content.chat,ai.training,TRUE,17.0,"""quoted"""\r\n'
    "5,DE,content.chat,ai.training,yes,,x\r\n"
    "6,AQ,content.chat,ai.training,false,,x\r\n"
    "7,US-CA,service.telemetry,analytics,0,,last"
)


@pytest.mark.slow  # a subprocess
def test_csv_records_are_copied_byte_for_byte_with_line_numbers(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(CSV.encode("utf-8"))
    result = privlex_filter(source, "--out", tmp_path / "kept.csv", "--decisions", tmp_path / "log.jsonl", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = CSV.encode("utf-8").split(b"\r\n")
    # header (with its BOM), row 1 (two lines: the header is line 1), row 4
    assert (tmp_path / "kept.csv").read_bytes() == b"\r\n".join([lines[0], lines[1], lines[2], lines[5]]) + b"\r\n"
    assert "invalid: line 5: expected 7 fields, found 3" in result.stderr
    assert "invalid: line 7, field consent.given: expected true or false, got 'yes'" in result.stderr
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()[1:-1]]
    assert [(r["row"], r["line"], r["outcome"]) for r in log] == [
        (1, 2, "permit"),
        (2, 4, "deny"),
        (3, 5, "invalid"),
        (4, 6, "permit"),
        (5, 7, "invalid"),
        (6, 8, "not_applicable"),
        (7, 9, "deny"),
    ]
    lenient = privlex_filter(source, "--out", tmp_path / "all.csv", "--allow-uncovered", cwd=tmp_path)
    assert b"6,AQ" in (tmp_path / "all.csv").read_bytes()
    assert "(kept: --allow-uncovered)" in lenient.stderr


@pytest.mark.slow  # a subprocess
def test_map_and_set_override_columns(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "country,region,data,purpose,ok\nDE,JP,content.chat,ai.training,true\nFR,JP,content.chat,ai.training,false\n"
    )
    result = privlex_filter(
        source, "--out", tmp_path / "kept.csv", "--map", "region=country", "--map", "consent.given=ok", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kept.csv").read_text().splitlines()[1:] == ["DE,JP,content.chat,ai.training,true"]
    assert "region <- country" in result.stderr and "consent.given <- ok" in result.stderr
    result = privlex_filter(
        source, "--out", tmp_path / "kept.csv", "--map", "region=country", "--set", "consent.given=true", cwd=tmp_path
    )
    assert result.returncode == 0 and len((tmp_path / "kept.csv").read_text().splitlines()) == 3


@pytest.mark.slow  # a subprocess
def test_parquet_keeps_schema_metadata_and_order(tmp_path: Path) -> None:
    consent = pa.array(
        [{"given": True}, {"given": False}, None, {"given": True}, {"given": True}], pa.struct([("given", pa.bool_())])
    )
    table = pa.table(
        {
            "id": pa.array([1, 2, 3, 4, 5], pa.int32()),
            "region": ["DE", "DE", "AQ", "XX", "FR"],
            "data": pa.array(["content.chat"] * 5).dictionary_encode(),
            "purpose": ["ai.training"] * 5,
            "consent": consent,
            "text": [["a"], [], None, ["d"], ["e", "f"]],
        }
    ).replace_schema_metadata({"source": "unit test"})
    source = tmp_path / "in.parquet"
    pq.write_table(table, source, row_group_size=2, compression="zstd")
    result = privlex_filter(source, "--out", tmp_path / "kept.parquet", "--allow-uncovered", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "invalid: row 4, field region: 'XX' is not a known region" in result.stderr
    assert "consent.given (field of struct consent)" in result.stderr
    kept = pq.ParquetFile(tmp_path / "kept.parquet")
    assert kept.schema_arrow == table.schema and kept.schema_arrow.metadata[b"source"] == b"unit test"
    assert kept.read().column("id").to_pylist() == [1, 3, 5]
    assert kept.metadata.row_group(0).column(0).compression == "ZSTD"


@pytest.mark.slow  # a subprocess
def test_a_failed_run_leaves_no_partial_output(tmp_path: Path) -> None:
    table = pa.table(
        {
            "region": ["DE"] * 40_000,
            "data": ["content.chat"] * 40_000,
            "purpose": ["ai.training"] * 40_000,
            "consent.given": [True] * 40_000,
        }
    )
    source = tmp_path / "in.parquet"
    pq.write_table(table, source, row_group_size=10_000, compression="none")
    data = bytearray(source.read_bytes())
    middle = len(data) * 3 // 4
    data[middle : middle + 2000] = os.urandom(2000)  # a later row group is damaged
    source.write_bytes(bytes(data))
    result = privlex_filter(source, "--out", tmp_path / "kept.parquet", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


@pytest.mark.slow  # a subprocess
def test_an_interrupted_run_leaves_no_partial_output(tmp_path: Path) -> None:
    line = b'{"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"given": true}}\n'
    source = tmp_path / "in.jsonl"
    source.write_bytes(line * 400_000)
    command = [sys.executable, "-m", "privlex", "filter", str(source), "--out", str(tmp_path / "kept.jsonl")]
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".partial") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert process.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# ---------------------------------------------------------------- never crash

KEYS = st.sampled_from(
    [
        "region",
        "data",
        "purpose",
        "date",
        "legal_basis",
        "consent",
        "subject",
        "processing",
        "consent.given",
        "subject.age",
        "text",
        "region.x",
        "consent.colour",
    ]
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.sampled_from(["DE", "US-CA", "content.chat", "ai.training", "2024-01-01", "\udcff", "eu"]),
)
INNER_KEYS = st.sampled_from(["given", "age", "x", "disclosed"])
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(INNER_KEYS, inner, max_size=3)),
    max_leaves=6,
)
LINES = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=6).map(lambda d: json.dumps(d).encode()), st.binary(max_size=20)
)
CELLS = st.one_of(
    st.sampled_from(["DE", "true", "1", "", "x", "content.chat", "ai.training", '"q"', "a,b", "12.0"]),
    st.text(max_size=4),
)


def run_in_process(source: Path, folder: Path) -> Report:
    report = filter_rows(
        Options(input=source, out=folder / f"kept{source.suffix}", decisions=folder / "log.jsonl", today=FIXED_DAY)
    )
    records = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    assert len(records) == report.rows + 2 and records[-1]["summary"]
    return report


# Each example filters a whole file: five of each kind in the quick run (`costly`).
@settings(max_examples=costly(300), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=8))
def test_any_jsonl_input_is_filtered_without_crashing(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "in.jsonl"
        source.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines))
        run_in_process(source, folder)


@settings(max_examples=costly(300), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=6), st.binary(max_size=10))
def test_any_csv_input_is_filtered_without_crashing(rows: list[list[str]], junk: bytes) -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["region", "data", "purpose", "consent.given", "subject.age", "note"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "in.csv"
        source.write_bytes(text.getvalue().encode("utf-8", "surrogatepass") + junk)
        report = run_in_process(source, folder)
        assert report.kept <= report.counts["permit"]
