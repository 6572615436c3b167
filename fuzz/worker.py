"""One worker of a campaign: decides `count` seeds, and reports counts and failures as JSON lines.

Run by `fuzz.campaign` as `python -m fuzz.worker MODE FIRST STEP COUNT`. A
worker exits after its seeds, so that the generated packages it imported
(and the classes pydantic built for them) do not pile up over hours.
Each unit gets `UNIT_SECONDS`; a unit that takes longer is reported as a hang.
"""

from __future__ import annotations

import datetime
import json
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

from . import use_test_modules

UNIT_SECONDS = 120


class Hang(Exception):
    """A unit took longer than UNIT_SECONDS."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"no answer within {UNIT_SECONDS} s")


def _jsonable(value: Any) -> Any:
    """A use as JSON holds it: dates as YYYY-MM-DD (which `check` reads the same way)."""
    if isinstance(value, dict):
        return {str(key): _jsonable(inner) for key, inner in value.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _generated(seed: int, scratch: Path, run: Any) -> dict[str, Any] | None:
    from fuzz_choice import RandomChooser
    from fuzz_model import render
    from fuzz_oracle import check_unit
    from fuzz_units import generate_unit
    from fuzz_uses import draw_use

    chooser = RandomChooser(seed)
    unit = generate_unit(chooser)
    today = chooser.day()
    drawn = [draw_use(chooser, unit) for _ in range(chooser.integer(5, 20))]
    try:
        check_unit(unit, drawn, today, run, scratch)
    except Exception:
        return {
            "files": render(unit),
            "today": today.isoformat(),
            "uses": [_jsonable(d.use) for d in drawn],
            "error": traceback.format_exc(limit=-12),
        }
    return None


def _mutated(seed: int, scratch: Path, run: Any) -> dict[str, Any] | None:
    from fuzz_mutations import check_mutant, mutate_shipped

    files = mutate_shipped(seed)
    try:
        check_mutant(files, seed, run, scratch)
    except Exception:
        return {"files": files, "error": traceback.format_exc(limit=-12)}
    return None


def main(argv: list[str]) -> int:
    use_test_modules()
    from fuzz_oracle import Run

    mode, first, step, count = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    every = int(argv[4]) if len(argv) > 4 else 1
    signal.signal(signal.SIGALRM, _alarm)
    run = Run(run_tests_every=every)
    with tempfile.TemporaryDirectory(prefix="privlex-fuzz-worker-") as folder:
        scratch = Path(folder)
        for seed in range(first, first + step * count, step):
            started = time.monotonic()
            signal.alarm(UNIT_SECONDS)
            try:
                found = (_generated if mode == "units" else _mutated)(seed, scratch, run)
                problem = None
            except Hang as exc:
                found, problem = {"files": {}}, str(exc)
            finally:
                signal.alarm(0)
            if found is not None:
                found.setdefault("error", problem)
                found.update(
                    mode=mode,
                    seed=seed,
                    seconds=round(time.monotonic() - started, 2),
                    when=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                )
                print(json.dumps({"failure": found}), flush=True)
    print(json.dumps({"counts": vars(run.counts)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
