"""`privlex filter`: keep the rows of a dataset whose use the rules permit.

The input is read in chunks (bounded memory whatever its size), each chunk's
rows are decided by the columnar evaluator, and the kept rows are written in
the input's format, in order. Outputs are written beside their targets and
moved into place only when the whole run succeeded (`outputs`), so a failed
or interrupted run leaves no partial file. See docs/datasets.md.
"""

from __future__ import annotations

import datetime
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import collector
from ..runtime import Reason
from .batch import Evaluator
from .facts import load_package
from .formats import open_reader
from .log import DecisionsLog
from .outputs import Output, WriteError
from .read_parquet import ParquetReader
from .reading import Chunk, Settings
from .schema import Plan
from .sources import STDIO, ReadError, compression_of, format_of, is_glob, parquet_files, reads_into
from .verdicts import OUTCOMES

SHOWN_INVALID = 10


@dataclass
class Options:
    input: Path | str
    out: Path | str
    decisions: Path | str | None = None
    format: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    allow_uncovered: bool = False
    package: str | None = None
    today: datetime.date | None = None
    id_column: str | None = None
    summary_json: Path | str | None = None
    # called after every chunk with (rows decided so far, input position, input size or None)
    progress: Callable[[int, int, int | None], None] | None = None


@dataclass
class Report:
    """What a run did: counts, the rules that denied most, the invalid rows shown and why, the facts read."""

    counts: Counter[str] = field(default_factory=Counter)
    kept: int = 0
    denials: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, Reason] = field(default_factory=dict)
    invalid: list[tuple[int, str | None, str]] = field(default_factory=list)  # line, field, error
    invalid_by_reason: Counter[str] = field(default_factory=Counter)
    facts: list[str] = field(default_factory=list)
    format: str = ""
    seconds: float = 0.0
    input_hash: str = ""

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
            if verdict.outcome == "invalid":
                self.invalid_by_reason[_reason(verdict.error, verdict.field)] += count
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

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "kept": self.kept,
            "outcomes": {outcome: self.counts[outcome] for outcome in OUTCOMES},
            "invalid_by_reason": dict(self.invalid_by_reason.most_common()),
            "denied_by": dict(self.denials.most_common()),
            "seconds": round(self.seconds, 3),
            "input_sha256": self.input_hash,
        }


def _reason(error: str | None, where: str | None) -> str:
    """An invalid row's reason without the value at fault: rows broken down by it in the summary."""
    if not error:
        return "invalid"
    first = error.split("; ")[0]
    if where and first.startswith(f"{where}: "):
        text = first[len(where) + 2 :]
        if text.startswith("'") or text.startswith('"'):
            text = "value" + text[text.find(text[0], 1) + 1 :] if text.find(text[0], 1) > 0 else text
        return f"{where}: {text.split('; did you mean')[0]}"
    return first.split(":")[0] if first.startswith("malformed JSON") else first


def _input_files(name: str) -> set[Path]:
    """The files a Parquet folder or glob input reads (none for other inputs: they are checked as one file)."""
    if name == STDIO or not (is_glob(name) or Path(name).is_dir()):
        return set()
    try:
        return {Path(found).resolve() for found in parquet_files(name)}
    except (OSError, ReadError):  # reported when the input is opened
        return set()


def _check_paths(options: Options, kind: str | None) -> None:
    inputs = _input_files(str(options.input))
    for label, name in (
        ("--out", options.out),
        ("--decisions", options.decisions),
        ("--summary-json", options.summary_json),
    ):
        if name is None or str(name) == STDIO:
            continue
        path = Path(name)
        if str(options.input) != STDIO and path.exists() and Path(options.input).exists():
            if path.resolve() == Path(options.input).resolve():
                raise ReadError(f"{label} {path} is the input file: write elsewhere")
        if path.exists() and path.resolve() in inputs:  # replaced by the kept rows once the run ends
            raise ReadError(f"{label} {path} is one of the input's files: write elsewhere")
        if kind == "parquet" and reads_into(str(options.input), path):  # only Parquet reads folders and globs
            raise ReadError(
                f"{label} {path} is inside the input {options.input}: the next run over it would read it as input;"
                " write elsewhere"
            )
        if not path.parent.is_dir():
            raise ReadError(f"{label} {path}: the folder {path.parent} does not exist")
        if path.is_dir():
            raise ReadError(f"{label} {path} is a folder")
    names = [
        str(n) for n in (options.out, options.decisions, options.summary_json) if n is not None and str(n) != STDIO
    ]
    if len({str(Path(n).resolve()) for n in names}) != len(names):
        raise ReadError("--out, --decisions and --summary-json must name different files")
    outs = [n for n in (options.out, options.decisions) if n is not None and str(n) == STDIO]
    if len(outs) > 1:
        raise ReadError("only one output can go to standard output (-)")


def run(options: Options) -> Report:
    """Filter one input; raises ReadError or WriteError (nothing written) for usage, I/O and schema errors."""
    started = time.perf_counter()
    name = str(options.input)
    kind = options.format or format_of(name)
    _check_paths(options, kind)
    if kind is None:
        raise ReadError(f"cannot tell the format of {name} from its name: give --format jsonl, csv or parquet")
    with collector.paused():  # the checkers and their program: built once, kept to the end
        try:
            package = load_package(options.package)
        except ImportError as exc:
            raise ReadError(f"cannot import the checkers {options.package or 'privlex_rules'}: {exc}") from exc
        today = options.today or datetime.datetime.now(datetime.UTC).date()
        settings = Settings(package, today, options.mapping, options.constants, options.id_column)

        def evaluator_of(resolved: Plan) -> Evaluator:
            return Evaluator(resolved, package, today)

        reader = open_reader(name, kind, settings, evaluator_of)
    with collector.settled():
        return _filter(options, name, kind, settings, reader, started)


def _filter(options: Options, name: str, kind: str, settings: Settings, reader: Any, started: float) -> Report:
    report = Report(format=reader.format)
    outputs: list[Output] = []
    log: DecisionsLog | None = None
    try:
        kept = Output(Path(options.out), compression_of(str(options.out)) if kind != "parquet" else None, outputs)
        if options.decisions is not None:
            target = Path(options.decisions)
            parquet = str(target).lower().endswith(".parquet")
            output = Output(target, None if parquet else compression_of(str(target)), outputs)
            log = DecisionsLog(output, parquet, options.id_column is not None)
            log.start(_header(settings, reader, name, options))
        columns = dict(options.mapping)
        reader.write_header(kept)
        total = reader.total if isinstance(reader, ParquetReader) else _size(name)
        for chunk in reader.chunks():
            allowed = np.array([v.allowed(options.allow_uncovered) for v in chunk.verdicts] or [False])
            keep = allowed[chunk.index] if len(chunk.index) else np.zeros(0, np.bool_)
            reader.write(kept, chunk, keep)
            if log is not None:
                log.add(chunk, report.rows + 1)
            report.add(chunk, keep, columns)
            if options.progress is not None:
                options.progress(report.rows, reader.position(), total)
        if isinstance(reader, ParquetReader):
            reader.finish_writing(kept)
        report.facts = reader.describe()
        report.input_hash = reader.digest
        report.seconds = time.perf_counter() - started
        if log is not None:
            log.finish(report.summary())
        if options.summary_json is not None:
            _write_summary(Path(options.summary_json), report, options, outputs)
        for output in outputs:
            output.commit()
        outputs.clear()
    except WriteError:
        raise
    except OSError as exc:
        raise ReadError(f"cannot read {name}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ReadError(f"cannot read {name}: {exc}") from exc
    finally:
        try:  # first: a Parquet writer still open writes its footer into a file not yet discarded
            reader.close()
            if log is not None:
                log.close()
        finally:
            for output in outputs:
                output.discard()
    return report


def _size(name: str) -> int | None:
    if name == STDIO or compression_of(name):
        return None
    try:
        return Path(name).stat().st_size
    except OSError:
        return None


def _header(settings: Settings, reader: Any, name: str, options: Options) -> dict[str, Any]:
    import privlex

    return {
        "privlex": privlex.__version__,
        "package": settings.package.__name__,
        "source_hash": f"sha256:{settings.package.SOURCE_HASH}",
        "input": name,
        "format": reader.format,
        "today": settings.today.isoformat(),
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "allow_uncovered": options.allow_uncovered,
        "id_column": options.id_column,
        "facts": reader.describe(),
    }


def _write_summary(path: Path, report: Report, options: Options, opened: list[Output]) -> None:
    """The summary as JSON, committed with the run's other outputs (`opened`: discarded with them)."""
    output = Output(path, None, opened)
    body = {"input": str(options.input), "out": str(options.out), **report.summary()}
    output.write((json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


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
    if invalid:
        lines.append("invalid rows by reason:")
        for reason, count in report.invalid_by_reason.most_common(5):
            lines.append(f"  {count:>12,}  {reason}")
    if report.denials:
        lines.append("rules that denied most:")
        for qualified, count in report.denials.most_common(5):
            denied_by = report.reasons[qualified]
            lines.append(f"  {count:>12,}  {qualified}: {denied_by.title} ({'; '.join(denied_by.citations)})")
    lines.append("facts read: " + (", ".join(report.facts) or "none"))
    if options.decisions:
        lines.append(f"decisions: {options.decisions}")
    return "\n".join(lines) + "\n"


__all__: Sequence[str] = ["Options", "ReadError", "Report", "WriteError", "render", "run"]
