"""`privlex filter` on Parquet folders, in process: read file after file, as one table."""

from __future__ import annotations

from pathlib import Path

import privlex_rules
import pyarrow as pa
import pyarrow.parquet as pq
from conftest import FIXED_DAY
from privlex import InvalidUse
from privlex.data.filter import Options
from privlex.data.filter import run as filter_rows

REGIONS = ["DE", "FR", "US-CA", "XX", "BR", "DE"]
GIVEN = [True, False, True, True, None, True]


def permitted(region: str, given: bool | None) -> bool:
    use = {"region": region, "data": "content.chat", "purpose": "ai.training", "consent": {"given": given}}
    try:
        return privlex_rules.check(use, today=FIXED_DAY).outcome == "permit"
    except InvalidUse:
        return False


def expected_ids() -> list[int]:
    return [i for i, (region, given) in enumerate(zip(REGIONS, GIVEN, strict=True)) if permitted(region, given)]


def rows(ids: range) -> pa.Table:
    return pa.table(
        {
            "id": list(ids),
            "region": [REGIONS[i] for i in ids],
            "data": ["content.chat"] * len(ids),
            "purpose": ["ai.training"] * len(ids),
            "consent.given": [GIVEN[i] for i in ids],
            "text": [f"row {i}" for i in ids],
        }
    )


def test_a_folder_of_files_is_filtered_as_one_table_in_the_first_files_schema(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    first = rows(range(3))
    pq.write_table(first, folder / "part-0.parquet")
    # the second file: its columns in another order, without the payload column, a region dictionary-encoded
    second = rows(range(3, 6)).drop_columns(["text"])
    second = second.select(["consent.given", "purpose", "data", "region", "id"])
    second = second.set_column(3, "region", second.column("region").dictionary_encode())
    pq.write_table(second, folder / "part-1.parquet")
    report = filter_rows(Options(input=folder, out=tmp_path / "kept.parquet", today=FIXED_DAY))
    kept = pq.read_table(tmp_path / "kept.parquet")
    assert kept.schema == first.schema
    assert kept.column("id").to_pylist() == expected_ids() and report.rows == 6
    assert kept.column("text").to_pylist() == [f"row {i}" if i < 3 else None for i in expected_ids()]
    assert report.counts["invalid"] == 1 and report.invalid[0][0] == 4  # XX, the first row of the second file


def test_a_hive_partitioned_folder_reads_its_partition_columns(tmp_path: Path) -> None:
    table = rows(range(6))
    for region in sorted(set(REGIONS)):
        part = tmp_path / "in" / f"region={region}"
        part.mkdir(parents=True)
        mask = pa.array([r == region for r in REGIONS])
        pq.write_table(table.filter(mask).drop_columns(["region"]), part / "rows.parquet")
    report = filter_rows(Options(input=tmp_path / "in", out=tmp_path / "kept.parquet", today=FIXED_DAY))
    kept = pq.read_table(tmp_path / "kept.parquet")
    assert sorted(kept.column("id").to_pylist()) == expected_ids() and report.rows == 6
    assert "region" in kept.schema.names
