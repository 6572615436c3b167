"""Shared test fixtures: golden files and compiling small rule units."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from privlex.diagnostics import render_all
from privlex.pipeline import Compilation, compile_paths
from privlex.testrunner import GeneratedPackage

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SHARED = ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files (expected diagnostics, generated code, decisions) from the current output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def assert_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file, or rewrite it under --update-golden."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"golden file {path} is missing: run pytest --update-golden")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} differs: run pytest --update-golden and review the diff"


def compile_unit(*paths: Path) -> Compilation:
    return compile_paths(list(paths))


def diagnostics_text(compilation: Compilation) -> str:
    return render_all(compilation.diagnostics, compilation.sources)


@pytest.fixture
def unit_package() -> Iterator[object]:
    """Compile rule files and import the generated package: `with unit_package(path) as pkg`."""
    opened: list[GeneratedPackage] = []

    def open_unit(*paths: Path) -> ModuleType:
        compilation = compile_unit(*paths)
        assert compilation.program is not None, diagnostics_text(compilation)
        package = GeneratedPackage(compilation.program)
        opened.append(package)
        return package.__enter__()

    yield open_unit
    for package in reversed(opened):
        package.__exit__(None, None, None)


FIXED_DAY = datetime.date(2025, 6, 1)
