"""The privlex benchmark: one command, one run, one machine (see docs/performance.md).

    python benchmarks/run.py            # the full run (about five minutes)
    python benchmarks/run.py --quick    # a smaller run (about a minute), same tables

1. Every engine decides the 840 inputs of the grid of BENCHMARK.md; the run
   stops unless all agree (211 permitted).
2. Each engine is timed in its own process, one after another, on the same
   requests drawn from the grid with a fixed seed; median of the repetitions.
3. Compile time for generated rulesets of 10 to 10,000 rules.
4. `privlex filter` end to end on a 1M-row Parquet file.

Needs the `bench` extra: pip install -e '.[bench]'. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engines  # noqa: E402
import grid  # noqa: E402
import scaling  # noqa: E402

ORDER = [
    "hand",
    "privlex_permits",
    "privlex_check",
    "privlex_check_dict",
    "privlex_batch",
    "privlex_batch_dict",
    "privlex_batch_reasons",
    "cedar",
    "cedar_batch",
    "rego",
]


def agreement() -> None:
    """All engines on all 840 inputs, before anything is timed."""
    expected = [grid.hand_written(grid.as_dict(r)) for r in grid.GRID]
    assert sum(expected) == grid.PERMITTED_IN_GRID, sum(expected)
    for name in ORDER:
        engine = engines.ENGINES[name]()
        engine.load()
        decided = engine.decide_all(engine.convert_all(grid.GRID))
        wrong = [grid.GRID[i] for i, (a, b) in enumerate(zip(decided, expected, strict=True)) if a != b]
        if wrong:
            sys.exit(f"{name} disagrees with the hand-written function on {len(wrong)} inputs, e.g. {wrong[:3]}")
    print(
        f"agreement: all {len(ORDER)} engines agree on all {len(grid.GRID)} inputs "
        f"({grid.PERMITTED_IN_GRID} permitted)",
        file=sys.stderr,
    )


def timing(name: str, requests: int, repeats: int) -> dict[str, Any]:
    command = [sys.executable, str(HERE / "engines.py"), name, "--requests", str(requests), "--repeats", str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("privlex", "pydantic", "pyarrow", "numpy", "cedarpy", "regopy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load": f"{load:.2f}",
        **versions,
    }


def render(results: dict[str, Any]) -> str:
    rows = results["engines"]
    hand = next(r for r in rows if r["engine"] == "hand")["us"]
    lines = [
        f"Run of {results['date']} (`{results['command']}`): {rows[0]['requests']:,} requests from the grid, "
        f"median of {rows[0]['repeats']}; the privlex batch engines decide {engines.BATCH_FACTOR}x as many "
        "rows in one call (the same requests repeated), with a fresh cache each call.",
        "",
        "| engine | µs per decision (CPU) | ratio to hand-written | with conversion, µs (CPU) | load, ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row['us']:.3f} | {row['us'] / hand:.1f}x | "
            f"{row['us_with_conversion']:.3f} | {row['load_s'] * 1000:.0f} |"
        )
    batch = next(r for r in rows if r["engine"] == "privlex_batch")
    lines += [
        "",
        f"Arrow batch path: {1 / batch['us']:.1f} M rows/s (string columns), "
        f"{1 / next(r for r in rows if r['engine'] == 'privlex_batch_dict')['us']:.1f} M rows/s "
        "(dictionary columns), one core.",
        "",
        "| rules | compile, CPU s | ms per rule | generated lines |",
        "|---:|---:|---:|---:|",
    ]
    for row in results["compile"]:
        lines.append(
            f"| {row['rules']:,} | {row['seconds']:.3f} | {row['ms_per_rule']:.2f} | {row['generated_lines']:,} |"
        )
    lines += [
        "",
        f"| `privlex filter`, {results['filter'][0]['rows']:,} rows of Parquet | distinct fact combinations "
        "| run, s | rows/s | "
        "wall clock incl. start-up, s | rows/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in results["filter"]:
        lines.append(
            f"| {row['case']} | {row['combinations']:,} | {row['run_s']:.2f} | "
            f"{row['rows'] / row['run_s']:,.0f} | {row['wall_s']:.2f} | {row['rows'] / row['wall_s']:,.0f} |"
        )
    lines += ["", "Machine: " + ", ".join(f"{k} {v}" for k, v in results["machine"].items())]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests and rows: a check, not a measurement")
    parser.add_argument("--output", type=Path, help="also write the tables (Markdown) and the results (.json)")
    args = parser.parse_args()
    requests, repeats = (10_000, 3) if args.quick else (100_000, 3)
    agreement()
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "command": "python benchmarks/run.py" + (" --quick" if args.quick else ""),
        "machine": machine(),
        "engines": [],
    }
    for name in ORDER:
        print(f"timing {name} ...", file=sys.stderr)
        result = timing(name, requests, repeats)
        result.pop("grid")
        results["engines"].append(result)
    print("timing compilation ...", file=sys.stderr)
    scaling.compile_times([10], 1)  # warm up: load the grammar
    results["compile"] = scaling.compile_times([10, 100, 1_000] if args.quick else [10, 100, 1_000, 10_000], 3)
    print("timing privlex filter ...", file=sys.stderr)
    results["filter"] = scaling.filter_throughput(200_000 if args.quick else 1_000_000, 1 if args.quick else 3)
    text = render(results)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        args.output.with_suffix(".json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
