"""The shipped compilation unit (rulesets/), compiled and its in-language tests run once per test session."""

from __future__ import annotations

import datetime
from functools import cache

from conftest import ROOT, compile_unit, diagnostics_text, imported_package
from privlex import ir
from privlex.testrunner import TestReport, run_tests

# Every shipped test has its own `on`; this day only matters for one that lacks it.
SHIPPED_TODAY = datetime.date(2026, 11, 29)


@cache
def shipped_program() -> ir.Program:
    compilation = compile_unit(ROOT / "rulesets")
    assert compilation.program is not None, diagnostics_text(compilation)
    return compilation.program


@cache
def shipped_report() -> TestReport:
    return run_tests(shipped_program(), SHIPPED_TODAY, imported_package(shipped_program()))
