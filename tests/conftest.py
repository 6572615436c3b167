"""How the test suite is organised, and the fixtures every test module shares.

Two runs, both shared among pytest-xdist workers (`-n auto` is in
pyproject.toml's addopts: a worker for each idle core, or one process when at
most one core is free or test files are named; `-n auto` on the command line
takes every core; `-n 0` runs one process; `pytest_xdist_auto_num_workers`
below):

- `pytest -q -m "not slow"`, the quick run, for every edit (issue 7 asks for
  well under 30 s: the figures, and where the time goes, are in
  docs/performance.md, "The quick test run");
- `pytest -q -n auto --dist worksteal`, everything (an idle worker takes tests
  queued for a busy one, since a few slow tests take minutes), as .ci/run
  does, with `--hypothesis-profile=ci`.

Every test can run in any xdist worker: files go under `tmp_path`, nothing
listens on a port, and what is kept for a session (the parsed files below,
compiled units in `compile_unit`, generated packages in `imported_package`) is
kept per worker process. A unit is compiled, and its generated package
generated and imported, once per process, keyed by the unit hash (the paths
and bytes of its files, which decide the program: the compiler takes no
options), so a test must not change a compilation's program or a package's
module state except through `monkeypatch`.

A test is marked `@pytest.mark.slow` (a whole module: `pytestmark =
pytest.mark.slow`) when it takes seconds: fuzz campaigns, subprocesses, wheel
and sdist builds, pre-commit, the dask, datasets and spark engines. A test that
is slow because of its input has a quick twin on a smaller one, and only the
big input is slow: the quick run edits, misspells, mutates and draws tables and
uses for small fixture units (or the shipped package, which the run imports
anyway, in test_batch; structure-aware mutants of tests/good units in
test_fuzz), the full run for the shipped unit and the other units too.

Hypothesis runs the `quick` profile unless told otherwise
(`--hypothesis-profile=ci` or `HYPOTHESIS_PROFILE=ci`). Property tests leave
`max_examples` to the profile, so that the ci run is the thorough one (a test
whose every example is costly caps it with `at_most`, and one whose every
example compiles, formats or decides a whole table draws five in the quick run
with `costly`). No profile has a deadline or the too_slow health check: speed
targets belong in benchmarks/, not in tests.

What the run keeps alive (test modules, the parse memo, imported packages) is
large, so CPython's full garbage collections are made rarer and what
collection built is frozen out of them (`pytest_configure`,
`pytest_collection_finish` below), as is each unit's compilation and package
kept for the session (`_kept_to_the_end`); after the last test, one full
collection, then everything is frozen (`pytest_sessionfinish`).

The command line is tested in-process through `privlex.cli.main(argv)` with the
`cli` fixture; only a few smoke tests start `python -m privlex`.

Most tests compile the same rule files again and again (the shipped unit alone
a hundred times, under three names: `rulesets/gdpr.rules`, `gdpr.rules`,
`privlex:shipped/gdpr.rules`, and copies under `tmp_path`); the compiler keeps
each file's syntax per path and text (`privlex.syntax.read`) and lark's tree of
each text that parsed (`privlex.syntax.parse`), so a text is parsed once
whatever name it is read under. The tests of parsing itself (test_passes,
test_recovery, test_messages, the fuzz tests) call `privlex.syntax.parse`
directly: their texts are new or have syntax errors, whose recovery is never
memoised.
"""

from __future__ import annotations

import datetime
import gc
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

# hypothesis runs the hypothesis plugins of every installed package when it is imported: trio's,
# which the test extra brings in and no test uses, imports trio and ssl (about 0.15 s of CPU in each of
# xdist's three processes). None of the suite's properties needs a plugin.
os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")
from hypothesis import HealthCheck, settings  # noqa: E402 (after the variable above)

# privlex is imported where it is used, not here: pytest-xdist's controller process imports this file
# but runs no test, and the workers start only once it is ready (privlex's import is about 1 s of CPU
# when no bytecode is written). The test modules import privlex in the workers anyway.
if TYPE_CHECKING:
    from privlex import ir
    from privlex.compilation import Compilation

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SCENARIOS_DIR = TESTS / "scenarios"

# ------------------------------------------------------------------ the two runs

# Nothing here depends on the clock (no deadline, no too_slow health check): a
# loaded machine must not fail a test.
UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
QUICK_EXAMPLES = 10
settings.register_profile("quick", max_examples=QUICK_EXAMPLES, **UNTIMED)
settings.register_profile("ci", max_examples=300, print_blob=True, **UNTIMED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


def at_most(examples: int) -> int:
    """The profile's number of examples, capped for a test whose every example is expensive.

    Read when the test module is imported, after the profile is chosen:
    `@settings(max_examples=at_most(100))`.
    """
    return min(examples, settings.default.max_examples)


def costly(examples: int) -> int:
    """`at_most(examples)`, and half the quick profile's examples in the quick run.

    For a property test whose every example compiles, formats, generates or
    decides a whole table (a tenth of a second or more): the quick run still
    draws five examples of it, the ci profile as many as `at_most` allows.
    """
    if settings.default.max_examples <= QUICK_EXAMPLES:
        return min(examples, QUICK_EXAMPLES // 2)
    return at_most(examples)


# The quick run keeps a million objects alive (test modules, the parse memo, imported packages),
# and each of CPython's full collections walks all of them: about 11 s of its CPU time went to
# 25 of them. Full collections are made ten times rarer from the start (collection builds most
# of the heap), and what collection built is frozen out of them once it is done. Frozen objects
# are still freed when their last reference goes; garbage cycles are still collected, only later.
# (The compiler itself turns the collector off while it works: privlex.collector.paused.)
def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(7_000, 10, 100)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.freeze()


# `-n auto` is in addopts (pyproject.toml): the suite, or a folder of it, runs on the machine's free cores.
# - `-n auto` written on the command line (as .ci/run does), or PYTEST_XDIST_AUTO_NUM_WORKERS, gets every core.
# - Named test files or tests run in one process, as `-n 0` would: starting workers that each import privlex
#   and collect everything costs more than such a run saves, and `-s` and breakpoints work as usual there.
# - Only cores that are idle get a worker, and one free core runs one process: on a machine shared with other
#   test suites two workers took more wall clock than one process (docs/performance.md, "The quick test run").
@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: `-p no:xdist -o addopts=` runs without the plugin
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    asked = any(arg.startswith(("-n", "--numprocesses")) for arg in config.invocation_params.args)
    if asked or os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own count: the machine's cores, or the variable's
    if config.args and all(Path(arg.split("::")[0]).is_file() for arg in config.args):
        return 0
    idle = _idle_cores()
    if idle is None:
        return None
    workers = min(round(idle), os.cpu_count() or 1)
    return workers if workers >= 2 else 0


def _idle_cores(seconds: float = 0.2) -> float | None:
    """How many cores were idle over a short sample of /proc/stat (Linux), or None where it cannot be read."""

    def busy_and_total() -> tuple[int, int]:
        ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        idle = ticks[3] + ticks[4]  # idle and iowait
        return sum(ticks) - idle, sum(ticks)

    try:
        busy_before, total_before = busy_and_total()
        time.sleep(seconds)
        busy_after, total_after = busy_and_total()
    except (OSError, ValueError, IndexError):
        return None
    if total_after <= total_before:
        return None
    idle_share = 1 - (busy_after - busy_before) / (total_after - total_before)
    return idle_share * (os.cpu_count() or 1)


# Tests that make git repositories (privlex diff REVISION, the pre-commit hooks) skip where git is missing.
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(folder: Path, *args: str) -> str:
    """Run git in `folder` with a fixed identity and no signing or user settings that could fail a commit."""
    environ = {
        **os.environ,
        "GIT_AUTHOR_NAME": "privlex tests",
        "GIT_AUTHOR_EMAIL": "tests@example.invalid",
        "GIT_COMMITTER_NAME": "privlex tests",
        "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    }
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    )
    return result.stdout.strip()


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


# Every unit compiled in this process, by its hash (the paths and bytes of its files: the compiler takes no
# options, so they decide the compilation). Tests compile the same fixture units again and again (the shipped
# unit in shipped_unit, test_codegen, test_codegen_audit and test_report); each distinct unit is still compiled
# once, and its program is immutable.
_COMPILED: dict[str, Compilation] = {}


def _kept_to_the_end() -> None:
    """What a unit's compilation or import just built, and the process keeps, out of the collector's walks.

    The compiler pauses the collector while it works (privlex.collector), so
    everything it built is young when it is given back: the next young and
    middle collections walk it all, and later full ones again. Frozen here,
    the kept programs and packages are walked by none: the quick run's
    collections took 1.5 s of CPU instead of 3.2 (`gc.callbacks`, one process),
    for 13 MB more at the end (whatever garbage was pending is frozen too).
    """
    gc.freeze()


def compile_unit(*paths: Path) -> Compilation:
    """Compile rule files (files or folders), once per process per unit: a fresh `Compilation` each call."""
    from privlex.pipeline import Compilation, analyse, read_sources
    from privlex.source import unit_hash

    read = read_sources(list(paths))
    if read.failed:
        return read
    key = unit_hash(read.sources.values())
    done = _COMPILED.get(key)
    if done is None:
        done = _COMPILED[key] = analyse(read)
        _kept_to_the_end()
    return Compilation(sources=dict(done.sources), diagnostics=list(done.diagnostics), program=done.program)


def diagnostics_text(compilation: Compilation) -> str:
    from privlex.diagnostics import render_all

    return render_all(compilation.diagnostics, compilation.sources)


# Every generated package imported in this process, by the hash of its unit's files (their paths
# and bytes: the compiler has no options, so they decide the program and its code), and the
# temporary folders they live in, removed when the session ends.
_IMPORTED: dict[str, ModuleType] = {}
_IMPORTED_FOLDERS = ExitStack()


def imported_package(program: ir.Program) -> ModuleType:
    """The program's generated package, generated and imported once per process (per xdist worker).

    Dozens of tests decide with the same fixture unit's checkers; generating
    and importing them again for each test cost seconds of the quick run.
    A test must not change the module's state except through `monkeypatch`.
    """
    from privlex.testrunner import GeneratedPackage

    package = _IMPORTED.get(program.source_hash)
    if package is None:
        package = _IMPORTED[program.source_hash] = _IMPORTED_FOLDERS.enter_context(GeneratedPackage(program))
        _kept_to_the_end()
    return package


def pytest_sessionfinish() -> None:
    _IMPORTED_FOLDERS.close()
    _IMPORTED.clear()
    # After the last test two full collections walk everything the run keeps (about 1.4 s each):
    # pytest's, which reports what finalizers raised, and the interpreter's at exit. One here frees
    # the run's garbage cycles (their finalizers run while pytest still listens), and what is left
    # is frozen, so that the other two have next to nothing to walk.
    gc.collect()
    gc.freeze()


@contextmanager
def compiled_package(*paths: Path) -> Iterator[tuple[ModuleType, ir.Program]]:
    """Compile rule files (they must compile) and give their generated package (imported once per process)."""
    compilation = compile_unit(*paths)
    assert compilation.program is not None, diagnostics_text(compilation)
    yield imported_package(compilation.program), compilation.program


def quick_or_slow(names: Iterable[str], quick: Container[str]) -> list[object]:
    """Fixture params: the names in `quick` run in the quick run, the others only in the full run."""
    return [name if name in quick else pytest.param(name, marks=pytest.mark.slow) for name in names]


@pytest.fixture
def unit_package() -> Iterator[object]:
    """Compile rule files and import the generated package: `with unit_package(path) as pkg`."""
    with ExitStack() as opened:
        yield lambda *paths: opened.enter_context(compiled_package(*paths))[0]


FIXED_DAY = datetime.date(2025, 6, 1)


# -------------------------------------------------------------- the command line


@dataclass(frozen=True)
class Ran:
    """What one `privlex` command did: its exit code and what it printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Ran]:
    """Run `privlex ARGS...` in-process from `cwd` (default: the repository): `cli("decide", ..., cwd=path)`.

    An exception escaping `main` fails the test with its traceback, as a
    traceback printed by the command would.
    """

    from privlex.cli import main

    def run(*args: str | Path, cwd: Path = ROOT) -> Ran:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as stopped:  # argparse: --version, --help and usage errors
            code = stopped.code if isinstance(stopped.code, int) else int(stopped.code is not None)
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run
