"""The row path's targets, measured side by side in one process (issue 12): `permits` and `check` per use.

    python benchmarks/row_path.py [--requests 100000] [--rounds 7]

The peer policy (benchmarks/policy) and the requests of the grid, as in
benchmarks/run.py; but here every contender runs in the same process, in
interleaved rounds, and each keeps its best round (CPU time of the process).
On a shared machine whose load changes from one minute to the next, this is
what keeps the ratios to the hand-written function honest: every contender
meets the same load. Prints µs per decision and the ratio to the
hand-written function; the targets are `permits` (a validated DataUse in)
within 2x and `check` from a dict within 3 µs on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engines  # noqa: E402
import grid  # noqa: E402


def contenders(count: int) -> list[tuple[str, Callable[[Any], object], list[Any]]]:
    package = engines.privlex_package()
    sample = grid.requests(count)
    dicts = [grid.as_dict(r) for r in sample]
    nested = [grid.as_privlex(r) for r in sample]
    uses = [package.DataUse.from_input(use) for use in nested]
    return [
        ("hand-written function (dict in)", grid.hand_written, dicts),
        ("permits (validated DataUse in)", package.permits, uses),
        ("check (validated DataUse in)", package.check, uses),
        ("check (dict in, validation included)", package.check, nested),
        ("permits (dict in, validation included)", package.permits, nested),
        ("use_from (the generated validator)", package._validate.use_from, nested),
        ("DataUse.from_input (pydantic)", package.DataUse.from_input, nested),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rows = contenders(args.requests)
    best = {name: float("inf") for name, _, _ in rows}
    for _ in range(args.rounds):
        for name, decide, items in rows:
            start = time.process_time()
            for item in items:
                decide(item)
            best[name] = min(best[name], (time.process_time() - start) / len(items) * 1e6)
    hand = best[rows[0][0]]
    print(f"| contender (CPU, best of {args.rounds} interleaved rounds) | µs per use | ratio to hand-written |")
    print("|---|---:|---:|")
    for name, _, _ in rows:
        print(f"| {name} | {best[name]:.3f} | {best[name] / hand:.1f}x |")
    print(f"\nload {os.getloadavg()[0]:.2f} at the end, {args.requests:,} requests")


if __name__ == "__main__":
    main()
