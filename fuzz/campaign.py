"""A fuzzing campaign: workers in a loop until the time is up, failures kept as regression fixtures.

    python -m fuzz --hours 2                 # from the project's root
    python -m fuzz --hours 0.1 --workers 4 --seed 1000 --mutants 0.2

Every `--batch` seeds a worker process (`fuzz.worker`) is started afresh.
One batch in `1/--mutants` mutates the shipped rulesets instead of
generating units. A failure (a traceback, a disagreement between
evaluators, a valid unit rejected, a hang) is written to
`tests/fuzz_crashers/<mode>-<seed>/`: the rule files, and `case.json` with
the seed, the uses and the error; `tests/test_fuzz_crashers.py` then replays
it on every test run. The running totals are kept in `--state` (a JSON
file), so that campaigns spread over days add up.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import CRASHERS, ROOT

WORKER_TIMEOUT = 3600


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, required=True, help="how long to run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes at a time")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="first seed (default: the clock)")
    parser.add_argument("--batch", type=int, default=200, help="seeds per worker process")
    parser.add_argument("--mutants", type=float, default=0.1, help="share of batches that mutate the shipped rules")
    parser.add_argument(
        "--tests-every", type=int, default=5, help="run a unit's own tests with `privlex test` for every n-th unit"
    )
    parser.add_argument("--state", type=Path, default=ROOT / ".fuzz" / "totals.json", help="running totals")
    parser.add_argument("--crashers", type=Path, default=CRASHERS, help="where failures are kept")
    return parser.parse_args(argv)


def _load(path: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    except (OSError, ValueError):
        return {"counts": {}, "failures": 0, "hours": 0.0, "campaigns": 0}


def _save(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


def keep(failure: dict[str, Any], crashers: Path) -> Path:
    """Write a failure as a fixture: its rule files and case.json."""
    folder = crashers / f"{failure['mode']}-{failure['seed']}"
    (folder / "rulesets").mkdir(parents=True, exist_ok=True)
    for name, text in failure.pop("files").items():
        (folder / "rulesets" / name).write_text(text, encoding="utf-8", newline="\n")
    (folder / "case.json").write_text(json.dumps(failure, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return folder


def _start(mode: str, first: int, step: int, count: int, every: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "fuzz.worker", mode, str(first), str(step), str(count), str(every)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop as on Ctrl-C: workers killed, totals saved


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    signal.signal(signal.SIGTERM, _stop)
    state = _load(args.state)
    deadline = time.monotonic() + args.hours * 3600
    started = time.monotonic()
    running: list[tuple[subprocess.Popen[str], float]] = []
    batch_number = 0
    failures = 0
    mutant_every = max(1, round(1 / args.mutants)) if args.mutants > 0 else 0
    try:
        while time.monotonic() < deadline or running:
            while time.monotonic() < deadline and len(running) < args.workers:
                mode = "mutants" if mutant_every and batch_number % mutant_every == mutant_every - 1 else "units"
                first = args.seed + batch_number * args.batch
                running.append((_start(mode, first, 1, args.batch, args.tests_every), time.monotonic()))
                batch_number += 1
            for process, since in list(running):
                if process.poll() is None and time.monotonic() - since < WORKER_TIMEOUT:
                    continue
                if process.poll() is None:
                    process.kill()
                output, _ = process.communicate()
                running.remove((process, since))
                for line in output.splitlines():
                    record = json.loads(line)
                    if "failure" in record:
                        failures += 1
                        folder = keep(record["failure"], args.crashers)
                        sys.stderr.write(f"failure kept in {folder}\n")
                    elif "counts" in record:
                        for key, value in record["counts"].items():
                            state["counts"][key] = state["counts"].get(key, 0) + value
                if process.returncode not in (0, None) and not output:
                    sys.stderr.write(f"a worker died with exit code {process.returncode}\n")
                _save(args.state, state)
            _report(state, failures, started)
            time.sleep(1)
    except KeyboardInterrupt:
        sys.stderr.write("stopped\n")
    finally:
        for process, _ in running:
            process.kill()
        state["failures"] = state.get("failures", 0) + failures
        state["hours"] = round(state.get("hours", 0.0) + (time.monotonic() - started) / 3600, 3)
        state["campaigns"] = state.get("campaigns", 0) + 1
        _save(args.state, state)
        _report(state, failures, started, final=True)
    return 1 if failures else 0


_LAST = [0.0]


def _report(state: dict[str, Any], failures: int, started: float, final: bool = False) -> None:
    now = time.monotonic()
    if not final and now - _LAST[0] < 60:
        return
    _LAST[0] = now
    counts = ", ".join(f"{key} {value}" for key, value in sorted(state["counts"].items()))
    minutes = (now - started) / 60
    sys.stderr.write(f"[{minutes:.0f} min] totals: {counts}; failures this campaign: {failures}\n")
    sys.stderr.flush()
