"""The data path's targets, measured side by side: batch evaluation, `privlex filter`, a polars peer.

    python benchmarks/data_path.py [--rows 1000000] [--big 10000000] [--parts batch,peer,filter] [--quick]
                                   [--before TREE]

1. `permits_batch` and `check_batch` (reasons per row) on the benchmark
   dataset (`dataset.py`: ~1 M distinct combinations in 1 M rows), clean and
   with 5% invalid rows, as string columns and as dictionary columns (how
   Parquet stores them, and how `privlex filter` reads them).
2. The peer policy of BENCHMARK.md on 1 M rows of its grid: `permits_batch`
   against a hand-written polars expression of the same policy.
3. `privlex filter` end to end, in a new process each: Parquet -> Parquet
   and JSONL -> JSONL on 1 M rows (clean and 5% invalid), and Parquet on
   `--big` rows for the peak memory (the process's maximum resident size).
   With `--before TREE` (a checkout or `git archive` of other privlex code),
   each run is made twice in a row, that code first, then this one: the
   two side by side under the same load.

Prints one JSON object; `run.py` lays it out in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import dataset  # noqa: E402
import grid  # noqa: E402

DAY = datetime.date(2025, 6, 1)


def timed(function: Callable[[], Any], repeats: int = 3) -> float:
    """Median CPU seconds of the process (all its threads) over `repeats` calls, after one warm-up.

    CPU time, not wall clock: the benchmark machine is shared, and under load
    a wall clock measures the neighbours. `run.py` reports the load as well.
    """
    function()
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def dictionary_columns(table: Any) -> Any:
    import pyarrow as pa

    names = [f.name for f in table.schema if pa.types.is_string(f.type) and f.name != "text"]
    for name in names:
        position = table.schema.get_field_index(name)
        table = table.set_column(position, name, table.column(name).dictionary_encode())
    return table


def batch_rates(rows: int, repeats: int) -> list[dict[str, Any]]:
    from privlex.batch import check_batch, permits_batch

    results = []
    for invalid in (0.0, 0.05):
        table = dataset.table(rows, invalid)
        combinations = dataset.distinct_combinations(table)
        for columns, data in (("string columns", table), ("dictionary columns", dictionary_columns(table))):
            for name, function in (
                ("permits_batch", lambda d=data: permits_batch(d, today=DAY)),
                ("check_batch", lambda d=data: check_batch(d, today=DAY).to_table()),
            ):
                seconds = timed(function, repeats)
                results.append(
                    {
                        "function": name,
                        "columns": columns,
                        "invalid": invalid,
                        "rows": rows,
                        "combinations": combinations,
                        "seconds": seconds,
                        "rows_per_s": rows / seconds,
                    }
                )
    return results


def polars_policy(frame: Any) -> Any:
    """The peer policy of BENCHMARK.md as one polars expression, written by hand (grid names, as privlex reads them)."""
    import polars as pl

    region, data, purpose = pl.col("region"), pl.col("data"), pl.col("purpose")
    explicit, bundled, objected = pl.col("consent.explicit"), pl.col("consent.bundled"), pl.col("subject.objected")
    special = data.is_in(["sensitive.health", "sensitive.biometric"])
    content = data.is_in(["content.chat", "content.audio", "content.video"])
    training = purpose == "ai.training"
    eu = pl.when(special).then(explicit).when(content).then(explicit & (~training | ~bundled)).otherwise(~objected)
    ca = pl.when(data == "sensitive.health").then(explicit & ~objected).otherwise(~objected)
    br = pl.when(special).then(explicit & ~objected).when(training).then(explicit).otherwise(~objected)
    decision = (
        pl.when(objected & training)
        .then(False)
        .when(region == "DE")
        .then(eu)
        .when(region == "US-CA")
        .then(ca)
        .when(region == "BR")
        .then(br)
        .otherwise(False)
    )
    return frame.select(decision.alias("permitted"))["permitted"]


def peer_rates(rows: int, repeats: int) -> list[dict[str, Any]]:
    import engines
    import polars as pl
    import pyarrow as pa
    from privlex.batch import permits_batch

    package = engines.privlex_package()
    sample = grid.requests(rows)
    columns = list(
        zip(
            *[(grid.PRIVLEX_REGION[r[0]], grid.PRIVLEX_DATA[r[1]], grid.PRIVLEX_PURPOSE[r[2]], *r[3:]) for r in sample],
            strict=True,
        )
    )
    names = ("region", "data", "purpose", "consent.explicit", "consent.bundled", "subject.objected")
    table = pa.table({name: pa.array(values) for name, values in zip(names, columns, strict=True)})
    frame = pl.from_arrow(table)
    mask = permits_batch(table, package=package)
    assert mask.tolist() == polars_policy(frame).to_list(), "privlex and the polars expression disagree"
    encoded = dictionary_columns(table)
    results = []
    for label, function in (
        ("privlex permits_batch (string columns)", lambda: permits_batch(table, package=package)),
        (
            "privlex permits_batch (dictionary columns)",
            lambda: permits_batch(encoded, package=package),
        ),
        ("hand-written polars expression", lambda: polars_policy(frame)),
    ):
        seconds = timed(function, repeats)
        results.append({"engine": label, "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds})
    return results


# Runs the command it is given and reports that child's CPU seconds and peak resident size. The
# benchmark process holds the dataset (a gigabyte and more); a child started from it directly
# inherits its high-water mark across exec, and its ru_maxrss then measures the benchmark, not
# privlex. Started from this small process instead, the child's peak is its own.
_MEASURE = """
import json, resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "cpu_s": used.ru_utime + used.ru_stime, "peak_mb": used.ru_maxrss / 1024}))
"""


def filter_run(source: Path, out: Path, extra: list[str], tree: Path | None = None) -> dict[str, Any]:
    """One `privlex filter` process: this privlex, or the one in the source tree `tree` (its
    `compiler/` and `generated/` first on the path)."""
    command = [sys.executable, "-m", "privlex", "filter", str(source), "--out", str(out), "--today", DAY.isoformat()]
    command += [*extra, "--quiet"]
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(str(tree / part) for part in ("compiler", "generated"))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    measured = json.loads(done.stdout)
    assert measured["code"] in (0, 1), done.stderr[-2000:]
    return {"wall_s": wall, "cpu_s": measured["cpu_s"], "peak_mb": measured["peak_mb"]}


def filter_runs(source: Path, out: Path, extra: list[str], before: Path | None) -> list[dict[str, Any]]:
    """The run with this code, preceded by the same run with the code in `before` when given."""
    trees: list[tuple[str, Path | None]] = [("before", before)] if before is not None else []
    return [{"code": code, **filter_run(source, out, extra, tree)} for code, tree in [*trees, ("this", None)]]


def filter_rates(rows: int, big: int, jsonl: bool = True, before: Path | None = None) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    folder = Path(tempfile.mkdtemp(prefix="privlex-data-path-"))
    results = []
    for invalid in (0.0, 0.05):
        data = dataset.table(rows, invalid)
        parquet = folder / f"rows-{invalid}.parquet"
        pq.write_table(data, parquet, row_group_size=131_072)
        if jsonl:
            dataset.write_jsonl(data, folder / f"rows-{invalid}.jsonl")
        for label, source, out, extra in (
            ("Parquet -> Parquet", parquet, folder / "kept.parquet", []),
            (
                "Parquet -> Parquet, decisions log (Parquet)",
                parquet,
                folder / "kept.parquet",
                ["--decisions", str(folder / "log.parquet")],
            ),
            ("JSONL -> JSONL", folder / f"rows-{invalid}.jsonl", folder / "kept.jsonl", []),
        ):
            if not jsonl and label.startswith("JSONL"):
                continue
            for measured in filter_runs(source, out, extra, before):
                results.append(
                    {
                        "case": label,
                        "invalid": invalid,
                        "rows": rows,
                        **measured,
                        "rows_per_s": rows / measured["wall_s"],
                        "rows_per_cpu_s": rows / measured["cpu_s"],
                    }
                )
    if big:
        import shutil

        source = folder / "big"
        source.mkdir()
        for part in range(big // rows):  # the 1 M-row file, copied: the same memory behaviour as new rows
            shutil.copy(folder / "rows-0.0.parquet", source / f"part-{part:03}.parquet")
        big = rows * (big // rows)
        for measured in filter_runs(source, folder / "kept-big.parquet", [], before):
            results.append(
                {
                    "case": "Parquet folder -> Parquet",
                    "invalid": 0.0,
                    "rows": big,
                    **measured,
                    "rows_per_s": big / measured["wall_s"],
                    "rows_per_cpu_s": big / measured["cpu_s"],
                }
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, no big file: a check that it works")
    parser.add_argument("--parts", default="batch,peer,filter", help="which measurements to run (comma-separated)")
    parser.add_argument("--no-jsonl", action="store_true", help="filter Parquet only (JSONL takes minutes a run)")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="TREE",
        help="also run each filter case with the privlex of this source tree, just before this one's",
    )
    args = parser.parse_args()
    if args.quick:
        args.rows, args.big, args.repeats = 100_000, 0, 1
    parts = set(args.parts.split(","))
    # the load average: on a shared machine it says how far the wall clocks can be trusted
    found: dict[str, Any] = {"load_before": os.getloadavg()}
    if "batch" in parts:
        found["batch"] = batch_rates(args.rows, args.repeats)
    if "peer" in parts:
        found["peer"] = peer_rates(args.rows, args.repeats)
    if "filter" in parts:
        found["filter"] = filter_rates(args.rows, args.big, jsonl=not args.no_jsonl, before=args.before)
    found["load_after"] = os.getloadavg()
    print(json.dumps(found, indent=1))


if __name__ == "__main__":
    main()
