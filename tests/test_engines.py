"""The batch function, unchanged, in pandas, polars, Hugging Face datasets and Dask."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXED_DAY
from privlex.batch import check_batch, permits_batch

# polars is imported by the tests that use it: every xdist worker imports each test module to collect it,
# and polars costs about 0.25 s of CPU to import.


def keep(batch: Any) -> np.ndarray:
    return permits_batch(batch, today=FIXED_DAY)


@pytest.fixture(scope="module")
def rows() -> pa.Table:
    rng = random.Random(4)
    count = 2_000
    return pa.table(
        {
            "id": list(range(count)),
            "region": [rng.choice(["DE", "FR", "US-CA", "JP", "XX"]) for _ in range(count)],
            "data": [rng.choice(["content.chat", "service.telemetry"]) for _ in range(count)],
            "purpose": [rng.choice(["ai.training", "analytics"]) for _ in range(count)],
            "consent.given": [rng.choice([True, False, None]) for _ in range(count)],
            "subject.age": [rng.choice([12, 15, 30, None]) for _ in range(count)],
            "processing.disclosed": [rng.random() < 0.5 for _ in range(count)],
            "text": [f"row {i}" for i in range(count)],
        }
    )


@pytest.fixture(scope="module")
def kept_ids(rows: pa.Table) -> list[int]:
    mask = keep(rows)
    ids = [i for i, k in zip(rows.column("id").to_pylist(), mask.tolist(), strict=True) if k]
    assert 100 < len(ids) < len(mask)
    return ids


def test_pandas(rows: pa.Table, kept_ids: list[int]) -> None:
    frame = rows.to_pandas()  # ages with gaps become float64 with NaN
    assert frame["subject.age"].dtype == np.float64
    assert frame[keep(frame)]["id"].tolist() == kept_ids
    assert frame[keep(pa.Table.from_pandas(frame))]["id"].tolist() == kept_ids


def test_polars(rows: pa.Table, kept_ids: list[int]) -> None:
    import polars as pl

    frame = pl.from_arrow(rows)
    assert isinstance(frame, pl.DataFrame)
    assert frame.filter(pl.Series(keep(frame)))["id"].to_list() == kept_ids
    assert frame.filter(pl.Series(keep(frame.to_arrow())))["id"].to_list() == kept_ids
    lazy = frame.lazy().map_batches(lambda part: part.filter(pl.Series(keep(part)))).collect()
    assert lazy["id"].to_list() == kept_ids


@pytest.mark.slow  # datasets with num_proc=2: worker processes
def test_hugging_face_filter_as_written(rows: pa.Table) -> None:
    """`ds.filter(permits_batch, batched=True)` on the default (python) format: a LazyBatch comes in."""
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset(rows)
    expected = [i for i, k in zip(rows.column("id").to_pylist(), permits_batch(rows).tolist(), strict=True) if k]
    assert dataset.filter(permits_batch, batched=True)["id"] == expected
    kept = dataset.filter(permits_batch, batched=True, batch_size=300, fn_kwargs={"today": FIXED_DAY}, num_proc=2)
    assert kept["id"] == [i for i, k in zip(rows.column("id").to_pylist(), keep(rows).tolist(), strict=True) if k]


def test_annotate_in_pandas_and_polars(rows: pa.Table) -> None:
    import polars as pl
    from privlex.batch import annotate

    expected = check_batch(rows, today=FIXED_DAY).outcome.to_pylist()
    frame = annotate(rows.to_pandas(), today=FIXED_DAY)
    assert list(frame["privlex_outcome"].astype(str)) == expected and "text" in frame.columns
    polars_frame = annotate(pl.from_arrow(rows), today=FIXED_DAY)
    assert isinstance(polars_frame, pl.DataFrame) and polars_frame["privlex_outcome"].cast(str).to_list() == expected


@pytest.mark.slow  # importing datasets alone takes about a second; the quick run annotates in pandas and polars
def test_annotate_in_datasets(rows: pa.Table) -> None:
    from privlex.batch import annotate

    datasets = pytest.importorskip("datasets")
    expected = check_batch(rows, today=FIXED_DAY).outcome.to_pylist()
    annotated = datasets.Dataset(rows).map(annotate, batched=True, fn_kwargs={"today": FIXED_DAY})
    assert annotated["privlex_outcome"] == expected


@pytest.mark.slow
def test_hugging_face_datasets(rows: pa.Table, kept_ids: list[int]) -> None:
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset(rows)
    kept = dataset.with_format("arrow").filter(keep, batched=True, batch_size=300)
    assert kept.with_format(None)["id"] == kept_ids
    verdicts = dataset.with_format("arrow").map(
        lambda batch: check_batch(batch, today=FIXED_DAY).to_table(), batched=True, batch_size=300
    )
    assert verdicts.column_names == ["outcome", "deciding", "error", "field"]
    outcomes = verdicts.with_format(None)["outcome"]
    assert [i for i, o in zip(dataset["id"], outcomes, strict=True) if o == "permit"] == kept_ids


@pytest.mark.slow
def test_dask_on_a_local_cluster(rows: pa.Table, kept_ids: list[int], tmp_path: Path) -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    folder = tmp_path / "parts"
    folder.mkdir()
    for part, start in enumerate(range(0, rows.num_rows, 500)):
        pq.write_table(rows.slice(start, 500), folder / f"part-{part}.parquet")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        frame = dd.read_parquet(str(folder))
        kept = frame.map_partitions(lambda part: part[keep(part)], meta=frame._meta)
        assert sorted(kept.compute()["id"].tolist()) == kept_ids
        assert len(client.scheduler_info()["workers"]) == 2


DASK_RECIPE = """
import sys
import dask.dataframe as dd
from dask.distributed import Client, LocalCluster
from privlex.batch import permits_batch

if __name__ == "__main__":  # worker processes import this file: start the cluster only here
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
        frame = dd.read_parquet(sys.argv[1])
        kept = frame.map_partitions(lambda part: part[permits_batch(part, today=TODAY)], meta=frame._meta)
        kept.to_parquet(sys.argv[2])
"""


@pytest.mark.slow
def test_dask_recipe_as_a_script(rows: pa.Table, kept_ids: list[int], tmp_path: Path) -> None:
    """The recipe of docs/datasets.md, run as a script: with processes, the __main__ guard is needed."""
    import subprocess
    import sys

    pytest.importorskip("dask.distributed")
    folder = tmp_path / "parts"
    folder.mkdir()
    for part, start in enumerate(range(0, rows.num_rows, 500)):
        pq.write_table(rows.slice(start, 500), folder / f"part-{part}.parquet")
    script = tmp_path / "recipe.py"
    script.write_text(DASK_RECIPE.replace("TODAY", repr(FIXED_DAY)).replace("import sys", "import datetime, sys"))
    done = subprocess.run(
        [sys.executable, str(script), str(folder), str(tmp_path / "kept")], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(pq.read_table(tmp_path / "kept").column("id").to_pylist()) == kept_ids


@pytest.mark.slow
def test_spark_map_in_arrow_in_local_mode(rows: pa.Table, kept_ids: list[int], tmp_path: Path) -> None:
    """The recipe of docs/datasets.md on a local session (.ci/run installs Java and the `spark` extra)."""
    import os
    import shutil
    import sys

    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .getOrCreate()
    )
    try:
        # Spark reads dots in column names as struct access: give the groups as structs.
        nested = rows.select(["id", "region", "data", "purpose"])
        for group, name in (("consent", "given"), ("subject", "age"), ("processing", "disclosed")):
            inner = rows.column(f"{group}.{name}").combine_chunks()
            nested = nested.append_column(group, pa.StructArray.from_arrays([inner], [name]))
        pq.write_table(nested, tmp_path / "rows.parquet")
        frame = spark.read.parquet(str(tmp_path / "rows.parquet"))

        day = FIXED_DAY

        def keep_batches(batches: Any) -> Any:  # runs in Spark's Python workers: import there
            import pyarrow
            from privlex.batch import permits_batch

            for batch in batches:
                yield batch.filter(pyarrow.array(permits_batch(batch, today=day)))

        kept = frame.mapInArrow(keep_batches, frame.schema).select("id").collect()
        assert sorted(row.id for row in kept) == kept_ids
    finally:
        spark.stop()
