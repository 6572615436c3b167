"""The fast JSONL reading (Arrow, by blocks: `data/jsonl_columns.py`) held to the per-line reading, its definition.

Both readers of one generated file must give every line the same verdict
(outcome, deciding rules, obligations, error and field), the same id and
line number, keep the same bytes and report the same facts read.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import privlex_rules
import pytest
from conftest import FIXED_DAY, costly, quick_or_slow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex.data import jsonl_columns
from privlex.data.batch import Evaluator
from privlex.data.read_jsonl import JsonlReader
from privlex.data.reading import Settings

# fact keys, near misses of them, dotted keys, payload
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
        "region.x",
        "Region",
        "consent_given",
        "country",
        "id",
        "text",
        "reg\u00edon",
    ]
)
INNER_KEYS = st.sampled_from(["given", "explicit", "withdrawn", "age", "objected", "identifiability", "colour", "x"])
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.sampled_from([2**53 + 1, -(2**63) - 1, 10**20, 30.0, 30.5, -0.0, 1e300]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
    st.sampled_from(
        ["DE", "US-CA", "FR", "content.chat", "ai.training", "research", "2024-01-01", "2025-06-01T10:00:00"]
    ),
    st.sampled_from(["consent", "contract", "identified", "anonymised", "\udcff", "\u00e9t\u00e9", "\U0001f600"]),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(INNER_KEYS, inner, max_size=4)),
    max_leaves=8,
)
# objects as a person or a program would write them: keys may repeat, in any spelling JSON allows
OBJECT = st.tuples(
    st.lists(st.tuples(KEYS, VALUES), max_size=7), st.booleans(), st.sampled_from([", ", ",", " ,\t"])
).map(
    lambda parts: (
        "{"
        + parts[2].join(
            f"{json.dumps(k, ensure_ascii=parts[1])}: {json.dumps(v, ensure_ascii=parts[1])}" for k, v in parts[0]
        )
        + "}"
    ).encode("utf-8", "surrogatepass")
)
# a few lines shaped like the benchmark's, so most blocks have rows the fast path reads
TYPICAL = st.fixed_dictionaries(
    {
        "id": st.integers(0, 10**6),
        "region": st.sampled_from(["DE", "FR", "US-CA", "BR"]),
        "data": st.sampled_from(["content.chat", "service"]),
        "purpose": st.sampled_from(["ai.training", "research"]),
        "date": st.sampled_from(["2024-01-01", "2025-05-30"]),
        "consent": st.fixed_dictionaries({"given": st.booleans(), "explicit": st.booleans()}),
        "subject": st.fixed_dictionaries({"age": st.one_of(st.none(), st.integers(0, 99))}),
        "text": st.text(max_size=10),
    }
).map(lambda d: json.dumps(d).encode())
HOSTILE = st.sampled_from(
    [
        b"",
        b"   ",
        b"[1, 2]",
        b"17",
        b'"text"',
        b"null",
        b'{"region": "DE"',
        b'{"region": "DE"}{"region": "FR"}',
        b'{"region": "DE", "region": "FR"}',
        b'{"consent": {"given": true, "given": false}}',
        b'{"region": "DE", "regio\\u006e": "FR"}',
        b'{"text": {"a": 1, "a": 2}}',
        b'{"subject": {"age": NaN}}',
        b'{"subject": {"age": Infinity}}',
        b'{"text": Inf}',
        b'{"text": "\xff"}',
        b'{"text": "\xc0\x80"}',
        b"\xef\xbb\xbf{}",
        b'{"text": "a\x00"}',
        b'{"region": "\\udcff"}',
        b'{"text": ' + b"[" * 1200 + b"]" * 1200 + b"}",
        b'{"text": ' + b"[" * 300 + b"]" * 300 + b"}",
        b'{"subject": {"age": 1E400}}',
        b'{"subject": {"age": 1e5}}',
        b'{"region": null, "consent": null}',
        b'{"consent": 5}',
        b'{"consent": []}',
        b'{"region": {"x": 1}}',
        b'{"Region": null}',
        b'{"reg\\u0069on": null}',
        b"{}",
    ]
)
LINE = st.one_of(TYPICAL, OBJECT, HOSTILE, st.binary(max_size=12))
ENDINGS = st.sampled_from([b"\n", b"\r\n", b"\n\n", b" \n"])
# --map, --set and --id-column of a run
RUNS: dict[str, tuple[Mapping[str, str], Mapping[str, Any], str | None]] = {
    "plain": ({}, {}, None),
    "id": ({}, {}, "id"),
    "map": ({"region": "country"}, {}, "id"),
    "set-group": ({}, {"consent.given": True}, "text"),
    "set": ({}, {"region": "DE", "date": "2025-01-01"}, None),
}


def read(path: Path, columnar: bool, run: tuple[Mapping[str, str], Mapping[str, Any], str | None]) -> Any:
    mapping, constants, id_column = run
    settings = Settings(privlex_rules, FIXED_DAY, mapping, constants, id_column)
    reader = JsonlReader(str(path), settings, lambda plan: Evaluator(plan, privlex_rules, FIXED_DAY), columnar)
    assert (reader.columns is not None) == columnar
    rows = []
    try:
        for chunk in reader.chunks():
            for position, line in enumerate(chunk.lines.tolist()):
                verdict = chunk.verdicts[chunk.index[position]]
                identifier = chunk.ids[position] if chunk.ids is not None else None
                rows.append((line, chunk.records[position], verdict, verdict.obligations, identifier))
        return rows, reader.describe(), reader.digest
    finally:
        reader.close()


# Every example reads and decides a whole file twice: five files per run in the quick run (`costly`), and
# three of the runs (a mapped column, and set facts, in a group and not; ids of three kinds among them).
@pytest.mark.parametrize("run", quick_or_slow(RUNS, {"map", "set-group", "set"}))
@settings(max_examples=costly(300), suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.tuples(LINE, ENDINGS), max_size=24), per_parse=st.sampled_from([1, 3, 2048]))
def test_the_fast_jsonl_reader_agrees_with_the_per_line_reader(
    run: str, lines: list[tuple[bytes, bytes]], per_parse: int
) -> None:
    data = b"".join(line.replace(b"\n", b" ").replace(b"\r", b" ") + ending for line, ending in lines)
    before = jsonl_columns.LINES_PER_PARSE
    jsonl_columns.LINES_PER_PARSE = per_parse  # several parses to a block: the parts are merged
    try:
        with tempfile.TemporaryDirectory() as name:
            path = Path(name) / "in.jsonl"
            path.write_bytes(data[:-1] if data.endswith(b"\n") and len(lines) % 2 else data)
            assert read(path, True, RUNS[run]) == read(path, False, RUNS[run])
    finally:
        jsonl_columns.LINES_PER_PARSE = before


def test_the_fast_reader_reads_typical_lines_as_columns(tmp_path: Path) -> None:
    """Not everything falls back: the lines of a clean file are all read by Arrow."""
    settings = Settings(privlex_rules, FIXED_DAY, {}, {}, None)
    (tmp_path / "in.jsonl").write_bytes(b"")
    reader = JsonlReader(str(tmp_path / "in.jsonl"), settings, lambda plan: Evaluator(plan, privlex_rules, FIXED_DAY))
    line = {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"given": True}, "text": "x"}
    lines = [json.dumps({**line, "id": number}).encode() + b"\n" for number in range(50)]
    lines[7] = b'{"region": "DE", "region": "FR"}\n'
    assert reader.columns is not None
    parts = reader.columns.read(lines)
    assert [row for part in parts for row in part.rows.tolist()] == [n for n in range(50) if n != 7]
    reader.close()
