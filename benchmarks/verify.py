"""`privlex verify` and `privlex diff` on the shipped library: time against the targets.

    python benchmarks/verify.py [--runs N] [--only verify|diff] [--jobs N]

1. verify: the shipped rulesets with ten properties (those of
   rulesets/properties.rules and as many of those written below as make
   ten), every property proved
   or refuted; in process (solver time) and as `privlex verify` in a new
   process (wall clock, start-up and the solver lints included).
2. diff: the shipped library against an earlier version of it made by five
   edits (Denmark's and Slovenia's ages of consent, Brazil's adequacy, the
   CCPA's rule on message contents, the CCPA's minor age), against itself
   after a refactor, and against the library without the COPPA; in process and
   as `privlex diff` in a new process, both describing the changes in
   `--jobs` processes (default: privlex diff's, one per core up to 4). CPU
   time counts the worker processes too.

Needs the `verify` extra. Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULESETS = ROOT / "rulesets"

MORE_PROPERTIES = """
property no_special_category_without_explicit_consent "No use of Art. 9 data without explicit consent in the EEA":
    cites "GDPR Art. 9(1)"
    never permit when (region in EEA and data in {sensitive.racial_ethnic, sensitive.political, sensitive.religious,
                                                  sensitive.sex_life, sensitive.union}
                       and processing.identifiability not in {anonymised, aggregated}
                       and not consent.explicit)

property bundled_consent_is_no_basis "Consent made the price of a service never permits in the EEA":
    cites "GDPR Art. 7(4)"
    never permit when (region in EEA and legal_basis is consent and consent.bundled
                       and processing.identifiability not in {anonymised, aggregated})

property no_training_on_contract "A contract never covers training in the EEA":
    cites "GDPR Art. 6(1)(b)"
    never permit when (region in EEA and legal_basis is contract and purpose in ai.training
                       and processing.identifiability not in {anonymised, aggregated})

property minors_sale_needs_opt_in "No sale of a 13-15-year-old Californian's data without their opt-in":
    cites "Cal. Civ. Code 1798.120(c)"
    never permit when (region in US-CA and processing.sale and not processing.sharing_only
                       and subject.age >= 13 and subject.age < 16 and not consent.given
                       and processing.identifiability in {identified, pseudonymised}
                       and not processing.publicly_available)
"""

EARLIER = {
    "gdpr.rules": [
        ("        DK: 13 until 2023-12-31\n        DK: 15 from 2024-01-01\n", "        DK: 13\n"),
        ("        SI: 16 until 2023-01-25\n        SI: 15 from 2023-01-26\n", "        SI: 16\n"),
        ("            or (processing.transfer_to in BR and date >= 2026-01-26)\n", ""),
    ],
    "ccpa.rules": [
        (
            "        data content.chat\n        from 2023-01-01\n",
            "        data content.chat\n        from 2030-01-01\n",
        ),
        (
            "            and subject.age >= 13\n            and subject.age < 16\n",
            "            and subject.age >= 13\n            and subject.age < 15\n",
        ),
    ],
}

# Edits that change the text and no decision.
REFACTOR = {
    "gdpr.rules": [
        (
            "            consent.explicit\n"
            "            and not consent.withdrawn\n"
            "            and not consent.bundled\n",
            "            not (not consent.explicit or consent.withdrawn or consent.bundled)\n",
        ),
        ("date >= 2019-01-23", "date > 2019-01-22"),
        ("        DE: 16\n", ""),  # the EEA's default is 16
    ],
}


def copy(target: Path, edits: dict[str, list[tuple[str, str]]], skip: tuple[str, ...] = ()) -> Path:
    target.mkdir(parents=True)
    for path in sorted(RULESETS.glob("*.rules")):
        if path.name in skip:
            continue
        text = path.read_text(encoding="utf-8")
        for old, new in edits.get(path.name, []):
            text = _edited(path.name, text, old, new)
        (target / path.name).write_text(text, encoding="utf-8")
    return target


def _edited(name: str, text: str, old: str, new: str) -> str:
    """The text with one edit made; the edit's target must occur exactly once (the rules change over time)."""
    found = text.count(old)
    if found != 1:
        raise SystemExit(f"benchmark edit no longer applies to {name} (found {found} times, not once): {old!r}")
    return text.replace(old, new)


def _without_spans(value: object) -> object:
    """A ruleset's IR as plain data, without source positions (which move when any line does)."""
    if isinstance(value, dict):
        return {k: _without_spans(v) for k, v in value.items() if k != "span"}
    if isinstance(value, list | tuple):
        return [_without_spans(v) for v in value]
    return value


def check_edits_change_rules(scratch: Path) -> None:
    """Each edit of EARLIER alone changes its ruleset's IR: an edit that no longer changes anything
    would make the diff benchmark measure less than it claims."""
    from privlex.pipeline import compile_paths

    def ruleset_ir(name: str, text: str, folder: Path) -> object:
        folder.mkdir(parents=True)
        for shared in ("vocabulary.rules", "regions.rules"):
            shutil.copy(RULESETS / shared, folder / shared)
        (folder / name).write_text(text, encoding="utf-8")
        program = compile_paths([folder]).program
        if program is None:
            raise SystemExit(f"benchmark edit of {name} does not compile")
        return [_without_spans(r.model_dump()) for r in program.rulesets]

    for name, edits in EARLIER.items():
        text = (RULESETS / name).read_text(encoding="utf-8")
        before = ruleset_ir(name, text, scratch / f"{name}.before")
        for number, (old, new) in enumerate(edits):
            after = ruleset_ir(name, _edited(name, text, old, new), scratch / f"{name}.{number}")
            if after == before:
                raise SystemExit(f"benchmark edit of {name} changes no rule: {old!r}")


def timed(work: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall clock and CPU time (this process and its children) of `runs` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        start, cpu = time.perf_counter(), _cpu()
        result = work()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cli(*args: str) -> Callable[[], object]:
    def run() -> object:
        done = subprocess.run([sys.executable, "-m", "privlex", *args], cwd=ROOT, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(f"privlex {' '.join(args)} failed:\n{done.stderr}")
        return done

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each timing (median; default 3)")
    parser.add_argument("--only", choices=("verify", "diff"), help="time only this command (the diffs take minutes)")
    parser.add_argument("--jobs", type=int, help="processes describing a diff's changes (default: privlex diff's)")
    options = parser.parse_args()
    runs = options.runs

    from privlex.pipeline import compile_paths
    from privlex.testrunner import GeneratedPackage
    from privlex.verify.diff import diff_programs
    from privlex.verify.processes import default_jobs
    from privlex.verify.properties import check_properties

    jobs = options.jobs or default_jobs()
    load = os.getloadavg()[0]
    rows: list[tuple[str, float, float, float, float, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        if options.only != "verify":
            check_edits_change_rules(Path(scratch) / "edits")
        unit = copy(Path(scratch) / "unit", {})
        shipped = compile_paths([unit]).program
        assert shipped is not None
        # The shipped properties, and as many more as make ten.
        more = MORE_PROPERTIES.strip().split("\n\n")
        if not 0 <= 10 - len(shipped.properties) <= len(more):
            raise SystemExit(f"{len(shipped.properties)} shipped properties: write more to make ten")
        extra = "\n\n".join(more[: 10 - len(shipped.properties)])
        (unit / "more_properties.rules").write_text(extra + "\n", encoding="utf-8")
        program = compile_paths([unit]).program
        assert program is not None and len(program.properties) == 10, "ten properties"
        if options.only != "diff":
            with GeneratedPackage(program) as package:
                today = datetime.date(2025, 6, 1)
                seconds, cpu, results = timed(
                    lambda: check_properties(program, lambda: package, timeout=60, today=today), runs
                )
            held = sum(1 for r in results if r.status == "holds")  # type: ignore[attr-defined]
            wall, wall_cpu, _ = timed(cli("verify", str(unit), "--today", "2025-06-01"), runs)
            note = f"{held} of 10 hold"
            rows.append(("verify: 10 properties, all shipped rulesets", seconds, cpu, wall, wall_cpu, note))
        if options.only == "verify":
            _table(rows, runs, load, jobs)
            return

        earlier = copy(Path(scratch) / "earlier", EARLIER)
        refactored = copy(Path(scratch) / "refactored", REFACTOR)
        without_coppa = copy(Path(scratch) / "without_coppa", {}, skip=("coppa.rules",))
        current = compile_paths([RULESETS]).program
        assert current is not None
        for label, folder in (
            ("diff: an earlier version (five edits) → shipped", earlier),
            ("diff: shipped → shipped after a refactor", refactored),
            ("diff: without the COPPA → shipped", without_coppa),
        ):
            other = compile_paths([folder]).program
            assert other is not None
            seconds, cpu, found = timed(lambda other=other: diff_programs(other, current, timeout=60, jobs=jobs), runs)
            changes = len(found.changes)  # type: ignore[attr-defined]
            if (changes == 0) != (folder == refactored):
                raise SystemExit(f"{label}: {changes} changes, which the edits should not give")
            wall, wall_cpu, _ = timed(cli("diff", str(folder), str(RULESETS), "--jobs", str(jobs)), runs)
            note = f"{changes} change{'s' * (changes != 1)}" if changes else "no decision changed"
            rows.append((label, seconds, cpu, wall, wall_cpu, note))
            print(f"({label}: {rows[-1][1:]})", file=sys.stderr, flush=True)
    _table(rows, runs, load, jobs)


def _table(rows: list[tuple[str, float, float, float, float, str]], runs: int, load: float, jobs: int) -> None:
    print("| task | solver, wall s | solver, CPU s | command, wall s | command, CPU s | result |")
    print("|---|---:|---:|---:|---:|---|")
    for label, *numbers, note in rows:
        print(f"| {label} | " + " | ".join(f"{n:.2f}" for n in numbers) + f" | {note} |")
    import z3

    print(
        f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python "
        f"{platform.python_version()}, z3 {z3.get_version_string()}, load {load:.2f} at the start; "
        f"diffs described in {jobs} process{'es' * (jobs != 1)}; "
        f"median of {runs}; {datetime.date.today().isoformat()}."
    )
    if shutil.which("git") is None:
        print("(git not found: revisions not timed)")


if __name__ == "__main__":
    main()
