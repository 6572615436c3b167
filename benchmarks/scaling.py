"""Compile time by ruleset size, and `privlex filter` throughput on a large Parquet file."""

from __future__ import annotations

import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = [
    "content.chat",
    "content.audio",
    "content.video",
    "service.telemetry",
    "service.diagnostics",
    "sensitive.health",
    "sensitive.biometric",
]
PURPOSES = ["ai.training", "product.improvement", "analytics"]
REGIONS = ["EU", "US-CA", "BR", "CN", "JP"]
FLAGS = ["consent.explicit", "consent.bundled", "subject.objected"]


def generated_rules(count: int, seed: int = 7) -> str:
    """A ruleset of `count` rules over the benchmark vocabulary; every fourth has an exception."""
    rng = random.Random(seed)
    lines = [
        f'ruleset generated "A generated ruleset of {count} rules":',
        "    covers GRID",
        '    otherwise deny "Nothing else is permitted" cites "Default"',
        "",
    ]
    for number in range(count):
        effect = "permit" if number % 3 else "deny"
        flag = rng.choice(FLAGS)
        condition = f"region in {rng.choice(REGIONS)} and {'not ' if rng.random() < 0.5 else ''}{flag}"
        lines += [
            f'    rule r{number} "Generated rule {number}":',
            f'        cites "Rule {number}"',
            f"        data {rng.choice(DATA)}",
            f"        purpose {rng.choice(PURPOSES)}",
            f"        {effect} when {condition}",
        ]
        if number % 4 == 1:
            other = "deny" if effect == "permit" else "permit"
            lines += [
                f'        unless e{number} "Exception {number}":',
                f'            cites "Rule {number}(2)"',
                f"            {other} when {rng.choice([f for f in FLAGS if f != flag])}",
            ]
        lines.append("")
    return "\n".join(lines)


def compile_times(sizes: list[int], repeats: int) -> list[dict[str, Any]]:
    """Seconds to compile (parse, check, generate code) a unit with a ruleset of each size."""
    from privlex.pipeline import compile_paths, generate

    results = []
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix="privlex-scale-"))
        try:
            shutil.copy(HERE / "policy" / "vocabulary.rules", folder / "vocabulary.rules")
            (folder / "generated.rules").write_text(generated_rules(size), encoding="utf-8")
            runs, lines = [], 0
            for _ in range(repeats if size < 10_000 else max(1, repeats - 2)):
                start = time.process_time()  # CPU time: the machine is shared
                compilation = compile_paths([folder])
                assert compilation.program is not None, [d.message for d in compilation.diagnostics][:3]
                files = generate(compilation.program, "generated_rules")
                runs.append(time.process_time() - start)
                lines = files["generated.py"].count("\n")
            seconds = statistics.median(runs)
            results.append(
                {"rules": size, "seconds": seconds, "ms_per_rule": seconds / size * 1000, "generated_lines": lines}
            )
        finally:
            shutil.rmtree(folder)
    return results


def write_parquet(path: Path, rows: int, wide: bool, seed: int = 1) -> int:
    """A dataset shaped like a training set: facts (two of them structs) and a text payload.

    `wide` adds the facts that multiply the distinct combinations (lawful
    basis, ages, withdrawal): about 60,000 possible instead of 720. Returns
    the number of distinct combinations of facts in the file.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)

    def pick(values: list[Any]) -> Any:
        return np.array(values, dtype=object)[rng.choice(len(values), rows)]

    consent = {"given": pa.array(rng.random(rows) < 0.6), "bundled": pa.array(rng.random(rows) < 0.1)}
    columns: dict[str, Any] = {
        "id": pa.array(np.arange(rows)),
        "region": pa.array(pick(["DE", "FR", "IE", "IT", "ES", "US-CA", "US-NY", "BR", "JP"]), pa.string()),
        "data": pa.array(
            pick(["content.chat", "content.audio", "content.document", "service.telemetry", "sensitive.health"]),
            pa.string(),
        ),
        "purpose": pa.array(
            pick(["ai.training", "ai.evaluation"] + (["product.improvement"] if wide else [])), pa.string()
        ),
    }
    if wide:
        consent["withdrawn"] = pa.array(rng.random(rows) < 0.05)
        columns["legal_basis"] = pa.array(pick([None, "consent", "legitimate_interest", "contract"]), pa.string())
        columns["subject"] = pa.StructArray.from_arrays(
            [pa.array(pick([None, 12, 15, 17, 25, 40, 67]), pa.int64())], ["age"]
        )
    columns["consent"] = pa.StructArray.from_arrays(list(consent.values()), list(consent))
    columns["processing.disclosed"] = pa.array(rng.random(rows) < 0.5)
    columns["text"] = pa.array([f"training example number {i}" for i in range(rows)])
    table = pa.table(columns)
    pq.write_table(table, path, row_group_size=131_072)
    facts = table.drop_columns(["id", "text"]).flatten()
    return len(facts.group_by(facts.column_names).aggregate([]))


def filter_throughput(rows: int, repeats: int) -> list[dict[str, Any]]:
    """`privlex filter` end to end (a new process each run) on Parquet files of `rows` rows."""
    folder = Path(tempfile.mkdtemp(prefix="privlex-filter-"))
    try:
        results = []
        cases = [
            ("720 possible combinations", False, []),
            ("720 possible combinations, with --decisions log", False, ["--decisions", "log.jsonl"]),
            ("60,480 possible combinations", True, []),
        ]
        for label, wide, extra in cases:
            source = folder / f"rows-{'wide' if wide else 'narrow'}.parquet"
            combinations = write_parquet(source, rows, wide) if not source.exists() else results[-1]["combinations"]
            walls, inner = [], []
            stderr = ""
            for _ in range(repeats):
                command = [
                    sys.executable,
                    "-m",
                    "privlex",
                    "filter",
                    str(source),
                    "--out",
                    "kept.parquet",
                    "--today",
                    "2025-06-01",
                    *extra,
                ]
                start = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
                walls.append(time.perf_counter() - start)
                stderr = done.stderr
                assert done.returncode in (0, 1), done.stderr
                found = re.search(r"rows from .* in ([\d.]+) s", stderr)
                inner.append(float(found.group(1)) if found else float("nan"))
            kept = re.search(r"kept\s+([\d,]+)", stderr)
            results.append(
                {
                    "case": label,
                    "rows": rows,
                    "combinations": combinations,
                    "wall_s": statistics.median(walls),
                    "run_s": statistics.median(inner),
                    "kept": kept.group(1) if kept else "?",
                    "size_mb": source.stat().st_size / 1e6,
                }
            )
        return results
    finally:
        shutil.rmtree(folder)
