"""`privlex filter`: keep the rows of a dataset whose use the rules permit.

The input is read in chunks (bounded memory whatever its size), each chunk's
rows are decided by distinct combination of facts, and the kept rows are
written in the input's format, in order. Outputs go to temporary files beside
their targets and are moved into place only when the whole run succeeded, so
a failed or interrupted run leaves no partial file. See docs/datasets.md.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..runtime import Reason
from .facts import load_package
from .formats import Chunk, ParquetReader, ReadError, Settings, log_header, open_reader
from .verdicts import OUTCOMES, decider

SHOWN_INVALID = 10


@dataclass
class Options:
    input: Path
    out: Path
    decisions: Path | None = None
    format: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    allow_uncovered: bool = False
    package: str | None = None
    today: datetime.date | None = None
    progress: bool = False


@dataclass
class Report:
    """What a run did: counts, the rules that denied most, the invalid rows shown, the facts read."""

    counts: Counter[str] = field(default_factory=Counter)
    kept: int = 0
    denials: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, Reason] = field(default_factory=dict)
    invalid: list[tuple[int, str | None, str]] = field(default_factory=list)  # line, field, error
    facts: list[str] = field(default_factory=list)
    format: str = ""
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def add(self, chunk: Chunk, keep: np.ndarray, columns: Mapping[str, str]) -> None:
        per_verdict = np.bincount(chunk.index, minlength=len(chunk.verdicts)).tolist()
        for verdict, count in zip(chunk.verdicts, per_verdict, strict=True):
            if not count:
                continue
            self.counts[verdict.outcome] += count
            if verdict.outcome == "deny" and verdict.decision is not None:
                for reason in verdict.decision.reasons:
                    qualified = f"{reason.ruleset}.{reason.rule}"
                    self.denials[qualified] += count
                    self.reasons.setdefault(qualified, reason)
        self.kept += int(keep.sum())
        if len(self.invalid) < SHOWN_INVALID:
            bad = np.flatnonzero(np.array([v.outcome == "invalid" for v in chunk.verdicts])[chunk.index])
            for row in bad[: SHOWN_INVALID - len(self.invalid)].tolist():
                verdict = chunk.verdicts[chunk.index[row]]
                where, error = verdict.field, verdict.error or "invalid"
                if where and error.startswith(f"{where}: "):
                    error = error[len(where) + 2 :]
                if where and where in columns:
                    where = f"{columns[where]} ({where})"
                self.invalid.append((int(chunk.lines[row]), where, error))


class Output:
    """A file written under a temporary name beside its target, moved into place by commit()."""

    def __init__(self, target: Path) -> None:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        self.target = target
        self.temporary = Path(name)
        self.stream: IO[bytes] = os.fdopen(handle, "wb", buffering=1 << 20)

    def commit(self) -> None:
        self.stream.close()
        os.replace(self.temporary, self.target)

    def discard(self) -> None:
        self.stream.close()
        self.temporary.unlink(missing_ok=True)


def _check_paths(options: Options) -> None:
    for label, path in (("--out", options.out), ("--decisions", options.decisions)):
        if path is None:
            continue
        if path.exists() and options.input.exists() and path.resolve() == options.input.resolve():
            raise ReadError(f"{label} {path} is the input file: write the kept rows elsewhere")
        if not path.parent.is_dir():
            raise ReadError(f"{label} {path}: the folder {path.parent} does not exist")
        if path.is_dir():
            raise ReadError(f"{label} {path} is a folder")
    if options.decisions is not None and options.decisions.resolve() == options.out.resolve():
        raise ReadError("--decisions and --out name the same file")


class Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, enabled: bool, total: int, unit: str) -> None:
        self.enabled, self.total, self.unit = enabled, total, unit
        self.shown = 0.0

    def update(self, done: int, rows: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.shown < 0.2:
            return
        self.shown = now
        share = f"{100 * done / self.total:5.1f}% " if self.total else ""
        sys.stderr.write(f"\r\033[Kprivlex filter: {share}{rows:,} rows")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled and self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _log_lines(chunk: Chunk, first_row: int) -> bytes:
    """One decisions-log record per row: row, line, outcome, deciding ids, error, field."""
    tails = [verdict.log_tail() for verdict in chunk.verdicts]
    rows = range(first_row, first_row + len(chunk.index))
    lines = [
        f'{{"row": {row}, "line": {line}, {tails[slot]}\n'
        for row, line, slot in zip(rows, chunk.lines.tolist(), chunk.index.tolist(), strict=True)
    ]
    return "".join(lines).encode("utf-8")


def run(options: Options) -> Report:
    """Filter one file; raises ReadError (nothing written) for usage, I/O and schema errors."""
    started = time.perf_counter()
    _check_paths(options)
    try:
        package = load_package(options.package)
    except ImportError as exc:
        raise ReadError(f"cannot import the checkers {options.package or 'privlex_rules'}: {exc}") from exc
    settings = Settings(package, decider(package, options.today), options.mapping, options.constants)
    reader = open_reader(options.input, options.format, settings)
    report = Report(format=reader.format)
    outputs: list[Output] = []
    try:
        kept = Output(options.out)
        outputs.append(kept)
        log = Output(options.decisions) if options.decisions else None
        if log is not None:
            outputs.append(log)
            log.stream.write(log_header(settings, reader, options.input, options.allow_uncovered))
        columns = {fact: name for fact, name in options.mapping.items()}
        reader.write_header(kept.stream)
        total = reader.total if isinstance(reader, ParquetReader) else options.input.stat().st_size
        progress = Progress(options.progress, total, "rows")
        for chunk in reader.chunks():
            allowed = np.array([v.allowed(options.allow_uncovered) for v in chunk.verdicts] or [False])
            keep = allowed[chunk.index] if len(chunk.index) else np.zeros(0, np.bool_)
            reader.write(kept.stream, chunk, keep)
            if log is not None:
                log.stream.write(_log_lines(chunk, report.rows + 1))
            report.add(chunk, keep, columns)
            progress.update(reader.position(), report.rows)
        progress.clear()
        if isinstance(reader, ParquetReader):
            reader.finish()
        report.facts = reader.describe()
        for output in outputs:
            output.commit()
        outputs.clear()
    except (OSError, ValueError) as exc:
        raise ReadError(f"cannot read {options.input}: {exc}") from exc
    finally:
        for output in outputs:
            output.discard()
        reader.close()
    report.seconds = time.perf_counter() - started
    return report


def render(report: Report, options: Options) -> str:
    """The summary printed at the end of a run (stderr)."""
    lines: list[str] = []
    invalid = report.counts["invalid"]
    for line, where, error in report.invalid:
        place = "row" if report.format == "parquet" else "line"
        lines.append(f"invalid: {place} {line}" + (f", field {where}" if where else "") + f": {error}")
    if invalid > len(report.invalid):
        lines.append(f"invalid: ... and {invalid - len(report.invalid):,} more ({invalid:,} invalid rows in all)")
    rate = report.rows / report.seconds if report.seconds else 0.0
    lines.append(
        f"privlex filter: {report.rows:,} rows from {options.input} in {report.seconds:.2f} s ({rate:,.0f} rows/s)"
    )
    labels = {"permit": "permitted", "deny": "denied", "not_applicable": "not applicable", "invalid": "invalid"}
    lines.append(f"  kept            {report.kept:>12,}  -> {options.out}")
    for outcome in OUTCOMES:
        note = ""
        if outcome == "not_applicable":
            note = (
                "  (kept: --allow-uncovered)"
                if options.allow_uncovered
                else "  (excluded; --allow-uncovered keeps them)"
            )
        if outcome == "invalid" and invalid:
            note = "  (excluded)"
        lines.append(f"  {labels[outcome]:<15} {report.counts[outcome]:>12,}{note}")
    if report.denials:
        lines.append("rules that denied most:")
        for qualified, count in report.denials.most_common(5):
            reason = report.reasons[qualified]
            lines.append(f"  {count:>12,}  {qualified}: {reason.title} ({'; '.join(reason.citations)})")
    lines.append("facts read: " + (", ".join(report.facts) or "none"))
    if options.decisions:
        lines.append(f"decisions: {options.decisions}")
    return "\n".join(lines) + "\n"


__all__: Sequence[str] = ["Options", "ReadError", "Report", "render", "run"]
