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

The generated checkers read a record of the use's facts (privlex.runtime.
records): `use_from` builds it with the use; a use built by
`DataUse.from_input` gets it at its first decision, which the best round
does not see, so its cost is a row of its own.
"""

from __future__ import annotations

import argparse
import gc
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
    fast_uses = [package._validate.use_from(use) for use in nested]
    build_record = type(uses[0])._record.func  # what the first read of `_record` runs
    return [
        ("hand-written function (dict in)", grid.hand_written, dicts),
        ("permits (validated DataUse in)", package.permits, uses),
        ("permits (DataUse built by use_from in)", package.permits, fast_uses),
        ("check (validated DataUse in)", package.check, uses),
        ("check (dict in, validation included)", package.check, nested),
        ("permits (dict in, validation included)", package.permits, nested),
        ("use_from (the generated validator)", package._validate.use_from, nested),
        ("DataUse.from_input (pydantic)", package.DataUse.from_input, nested),
        ("the record of a use from_input built (once per use)", build_record, uses),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rows = contenders(args.requests)
    # The set-up's inputs (hundreds of thousands of dicts and uses) live through every round: frozen,
    # the collector does not traverse them again in each contender's rounds, which would charge the
    # contenders that allocate for the size of the set-up rather than for their own work.
    gc.collect()
    gc.freeze()
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
