"""Compile a fuzzed unit, import its package, run its tests, and hold every evaluator to one answer.

For each unit: the compiler must accept it (it is valid by construction)
and render every diagnostic; the generated package must import; the tests
written into the unit (their expectations come from the reference
interpreter) must pass under `privlex test`; and for every drawn use,

- `check` raises InvalidUse exactly when the use is invalid by construction,
- `check` decides what `fuzz_reference` decides (outcome, reasons in order,
  obligations in order, rulesets), with every title, citation and obligation
  text exactly as written in the unit,
- `permits` (both ways of treating uncovered uses) and `evaluate` agree with it,
- `privlex.batch.check_batch` gives every row the same outcome and deciding
  nodes, and marks exactly the invalid rows invalid.

Any exception other than an AssertionError naming the disagreement is a
crash of privlex.
"""

from __future__ import annotations

import datetime
import importlib
import itertools
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fuzz_model import Node, Test, Unit, render
from fuzz_reference import Decision, Reference
from fuzz_uses import Drawn, day_of
from privlex.diagnostics import render_all
from privlex.pipeline import Compilation, compile_paths, generate
from privlex.runtime import InvalidUse
from privlex.testrunner import run_tests

_NAMES = itertools.count()


@dataclass
class Counts:
    units: int = 0  # generated units compiled, imported and checked
    mutants: int = 0  # mutants of the shipped rulesets the compiler accepted, imported and checked
    rejected: int = 0  # mutants refused by the compiler with diagnostics
    uses: int = 0
    tests: int = 0
    batches: int = 0
    rows: int = 0

    def add(self, other: Counts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Run:
    counts: Counts = field(default_factory=Counts)
    run_tests_every: int = 1  # run the unit's own tests through `privlex test` for every n-th unit


def write_unit(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    return folder


def well_formed(compilation: Compilation) -> str:
    """Diagnostics render and point into the files; the program exists exactly when nothing failed."""
    text = render_all(compilation.diagnostics, compilation.sources)
    for diagnostic in compilation.diagnostics:
        if diagnostic.span is not None:
            source = compilation.sources[diagnostic.span.file]
            assert 1 <= diagnostic.span.line <= source.text.count("\n") + 2, diagnostic
    assert (compilation.program is None) == compilation.failed
    return text


@contextmanager
def imported(files: dict[str, str], folder: Path, name: str) -> Iterator[ModuleType]:
    package = folder / name
    write_unit(package, files)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


# ------------------------------------------------------------------- tests


def qualified(decision: Decision) -> tuple[list[str], list[str]]:
    return [f"{r}.{n}" for r, n in decision.reasons], [f"{r}.{o}" for r, o in decision.obligations]


def add_tests(unit: Unit, reference: Reference, drawn: list[Drawn], today: datetime.date) -> None:
    """Tests beside the rules, expecting what the reference decides; they run under `privlex test`."""
    number = 0
    for item in drawn:
        if not item.valid or item.normal is None:
            continue
        number += 1
        day = day_of(item, today)
        given = [(k, v) for k, v in item.normal.items() if k != "date" and v is not None and v is not False]
        if number % 2 and unit.rulesets:
            ruleset = unit.rulesets[number % len(unit.rulesets)]
            result = reference.evaluate(ruleset, item.normal, day)
            outcome = result.effect if result else "not_applicable"
            by = [leaf.rule for leaf in result.leaves] if result else []
            obligations = result.obligations if result else []
            ruleset.tests.append(Test(f"fuzz_{number}", "a drawn use", day, given, outcome, by, obligations))
        else:
            decision = reference.decide(item.normal, day)
            by, obligations = qualified(decision)
            unit.tests.append(Test(f"fuzz_{number}", "a drawn use", day, given, decision.outcome, by, obligations))


# -------------------------------------------------------------------- uses


def _node(unit: Unit, ruleset_id: str, rule: str) -> Node | None:
    ruleset = next(r for r in unit.rulesets if r.id == ruleset_id)
    if rule == "default":
        return None
    parts = rule.split(".")
    nodes = [*ruleset.exclusions, *ruleset.rules]
    node = next(n for n in nodes if n.id == parts[0])
    for part in parts[1:]:
        node = next(n for n in node.exceptions if n.id == part)
    return node


def _compare(unit: Unit, package: ModuleType, drawn: Drawn, today: datetime.date, reference: Reference) -> Any:
    """Check, permits and evaluate on one use; returns the decision (or the InvalidUse)."""
    try:
        decision = package.check(drawn.use, today=today)
    except InvalidUse as exc:
        assert not drawn.valid, f"valid use rejected: {drawn.use!r}: {exc}"
        for call in (package.permits, package.evaluate):
            try:
                call(drawn.use, today=today)
            except InvalidUse:
                continue
            raise AssertionError(f"{call.__name__} accepted what check rejected: {drawn.use!r}") from None
        return exc
    assert drawn.valid and drawn.normal is not None, f"invalid use accepted: {drawn.use!r} -> {decision.outcome}"
    expected = reference.decide(drawn.normal, day_of(drawn, today))
    got = Decision(
        str(decision.outcome),
        tuple((r.ruleset, r.rule) for r in decision.reasons),
        tuple((o.ruleset, o.id) for o in decision.obligations),
        tuple(decision.rulesets),
    )
    assert got == expected, f"use {drawn.use!r} on {today}:\n  check     {got}\n  reference {expected}"
    for reason in decision.reasons:
        node = _node(unit, reason.ruleset, reason.rule)
        ruleset = next(r for r in unit.rulesets if r.id == reason.ruleset)
        title = node.title if node else ruleset.default_title
        citations = node.citations if node else ruleset.default_citations
        assert (reason.title, list(reason.citations)) == (title, citations), reason
    permitted = str(decision.outcome) == "permit"
    assert package.permits(drawn.use, today=today) is permitted
    uncovered = str(decision.outcome) == "not_applicable"
    assert package.permits(drawn.use, today=today, allow_uncovered=True) is (permitted or uncovered)
    assert package.check(package.DataUse(**drawn.use), today=today) == decision
    return decision


def _batch(package: ModuleType, drawn: list[Drawn], answers: list[Any], today: datetime.date) -> int:
    """check_batch on the uses a dataset can hold (every value of its fact's type); returns the rows."""
    import pyarrow as pa  # the batch evaluator's own dependency
    from privlex.batch import check_batch

    rows = [(d, a) for d, a in zip(drawn, answers, strict=True) if d.typed]
    if not rows:
        return 0
    flat: list[dict[str, Any]] = []
    for item, _ in rows:
        record: dict[str, Any] = {}
        for key, value in item.use.items():
            if isinstance(value, dict):
                record.update({f"{key}.{name}": inner for name, inner in value.items()})
            else:
                record[key] = value
        flat.append({k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in record.items()})
    columns = sorted({key for record in flat for key in record} | {"region", "data", "purpose"})
    try:
        table = pa.table({c: [record.get(c) for record in flat] for c in columns})
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return 0  # a column mixing kinds of values: not a dataset
    result = check_batch(table, package=package, today=today)
    for row, (item, answer) in enumerate(rows):
        verdict = result.verdict(row)
        if isinstance(answer, InvalidUse):
            assert verdict.outcome == "invalid", f"batch decided an invalid row {item.use!r}: {verdict}"
            continue
        assert verdict.outcome == str(answer.outcome), f"batch {verdict} != check {answer.outcome} for {item.use!r}"
        deciding = [f"{r.ruleset}.{r.rule}" for r in answer.reasons]
        assert list(verdict.deciding) == deciding, f"batch deciding {verdict.deciding} != check {deciding}"
    return len(rows)


def check_unit(
    unit: Unit, drawn: list[Drawn], today: datetime.date, run: Run, workdir: Path | None = None
) -> Compilation:
    """Everything above, for one unit; raises AssertionError on any disagreement."""
    reference = Reference(unit)
    add_tests(unit, reference, drawn[: max(1, len(drawn) // 3)], today)
    with tempfile.TemporaryDirectory(prefix="privlex-fuzz-", dir=workdir) as scratch:
        folder = write_unit(Path(scratch) / "unit", render(unit))
        compilation = compile_paths([folder])
        well_formed(compilation)
        errors = [d for d in compilation.diagnostics if d.is_error]
        assert compilation.program is not None, "a valid unit was rejected:\n" + render_all(errors, compilation.sources)
        number = next(_NAMES)
        name = f"fuzzpkg_{os.getpid()}_{number}"
        files = generate(compilation.program, name)
        with imported(files, Path(scratch), name) as package:
            if number % run.run_tests_every == 0:
                report = run_tests(compilation.program, today, package)  # the package imported above, not a second copy
                assert not report.failures, "\n".join(f"{c.id}: {problem}" for c, problem in report.failures)
                run.counts.tests += len(report.passed)
            answers = [_compare(unit, package, item, today, reference) for item in drawn]
            run.counts.rows += _batch(package, drawn, answers, today)
            run.counts.batches += 1
    run.counts.units += 1
    run.counts.uses += len(drawn)
    return compilation
