"""The benchmark dataset: rows shaped like a real training set, with very many distinct combinations of facts.

    python benchmarks/dataset.py rows.parquet --rows 1000000 [--invalid 0.05] [--jsonl rows.jsonl]

As a new user's data looks: ~60 regions (EU and EEA members, US states,
other countries), every data category and purpose of the shipped
vocabulary, ages 0-99 with nulls, dates over ten years, random consent and
processing flags, a lawful basis or none, an id and a text payload. A
million rows hold several hundred thousand distinct combinations of facts
(the number is printed). With `--invalid`, that share of rows gets one bad
value (an unknown region or key, an age out of range, a malformed date, a
contradiction), as real exports do.
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REGIONS = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO "
    "GB CH US US-CA US-NY US-TX US-VA US-CO US-WA US-FL US-IL CA CA-QC BR CN JP KR IN AU NZ SG "
    "ZA MX AR AE IL TR UA"
).split()
BAD = {
    "region": ["EU", "XX", "Germany"],
    "data": ["sensitive", "content.chatt", "text"],
    "purpose": ["ai", "training", "ai.trainning"],
    "legal_basis": ["consent_", "legit"],
}
START = datetime.date(2016, 1, 1)


def keys(kind: str) -> list[str]:
    import privlex_rules

    vocabulary = privlex_rules.VOCABULARY
    return sorted(vocabulary.data if kind == "data" else vocabulary.purposes)


def table(rows: int, invalid: float = 0.0, seed: int = 12) -> pa.Table:
    """`rows` rows; a share `invalid` of them has one bad value."""
    rng = np.random.default_rng(seed)

    def pick(values: list[Any], nulls: float = 0.0) -> np.ndarray:
        out = np.array(values, dtype=object)[rng.integers(0, len(values), rows)]
        if nulls:
            out[rng.random(rows) < nulls] = None
        return out

    def flag(share: float) -> np.ndarray:
        return rng.random(rows) < share

    region = pick(REGIONS)
    data = pick(keys("data"))
    purpose = pick(keys("purpose"))
    basis = pick([None, None, "consent", "contract", "legitimate_interest", "legal_obligation"])
    ages = rng.integers(0, 100, rows).astype(object)
    ages[rng.random(rows) < 0.3] = None
    days = rng.integers(0, 3653, rows)
    date = np.array([START + datetime.timedelta(int(d)) for d in range(3653)], dtype=object)[days]
    consent = {
        "given": flag(0.6),
        "explicit": flag(0.3),
        "bundled": flag(0.1),
        "withdrawn": flag(0.05),
        "by_guardian": flag(0.05),
    }
    consent["given"] |= consent["explicit"] | consent["by_guardian"]  # as validation implies
    processing = {
        "disclosed": flag(0.5),
        "opt_out_offered": flag(0.5),
        "li_assessment": flag(0.4),
        "identifiability": pick(["identified", "identified", "pseudonymised", "anonymised"]),
    }
    subject = {"objected": flag(0.1), "opted_out_of_sale": flag(0.1), "age": ages}
    if invalid:
        bad = np.flatnonzero(rng.random(rows) < invalid)
        kinds = rng.integers(0, 6, len(bad))
        for row, kind in zip(bad.tolist(), kinds.tolist(), strict=True):
            if kind < 3:
                name = ("region", "data", "purpose")[kind]
                target = {"region": region, "data": data, "purpose": purpose}[name]
                target[row] = BAD[name][row % len(BAD[name])]
            elif kind == 3:
                ages[row] = 140 + row % 10
            elif kind == 4:
                consent["given"][row] = False  # explicit implies given: a contradiction
                consent["explicit"][row] = True
            else:
                basis[row] = BAD["legal_basis"][row % 2]
    columns: dict[str, Any] = {
        "id": pa.array(np.arange(rows)),
        "region": pa.array(region, pa.string()),
        "data": pa.array(data, pa.string()),
        "purpose": pa.array(purpose, pa.string()),
        "date": pa.array(date, pa.date32()),
        "legal_basis": pa.array(basis, pa.string()),
        "consent": pa.StructArray.from_arrays([pa.array(v) for v in consent.values()], list(consent)),
        "processing": pa.StructArray.from_arrays([pa.array(v) for v in processing.values()], list(processing)),
        "subject": pa.StructArray.from_arrays(
            [pa.array(subject["objected"]), pa.array(subject["opted_out_of_sale"]), pa.array(ages, pa.int64())],
            ["objected", "opted_out_of_sale", "age"],
        ),
        "text": pa.array([f"training example {i}: a few words of payload" for i in range(rows)]),
    }
    return pa.table(columns)


def distinct_combinations(data: pa.Table) -> int:
    facts = data.drop_columns(["id", "text"]).flatten()
    return len(facts.group_by(facts.column_names).aggregate([]))


def write_jsonl(data: pa.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for batch in data.to_batches(max_chunksize=65536):
            for row in batch.to_pylist():
                if row["date"] is not None:
                    row["date"] = row["date"].isoformat()
                out.write(json.dumps(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--invalid", type=float, default=0.0)
    parser.add_argument("--jsonl", type=Path)
    args = parser.parse_args()
    data = table(args.rows, args.invalid)
    pq.write_table(data, args.out, row_group_size=131_072)
    if args.jsonl:
        write_jsonl(data, args.jsonl)
    print(f"{args.rows:,} rows, {distinct_combinations(data):,} distinct combinations of facts -> {args.out}")


if __name__ == "__main__":
    main()
