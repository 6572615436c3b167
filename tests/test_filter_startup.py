"""`privlex filter` starts without the compiler: what a run imports, checked in a fresh interpreter.

The compiler (lark, jinja2, the passes), pandas and the solver cost more than a
second of CPU at start-up; a filter run with a current package needs none of
them. Each case runs the command in a new process and lists which of those
modules ended up in `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXED_DAY

REPOSITORY = Path(__file__).resolve().parents[1]
HEAVY = ("lark", "jinja2", "pandas", "z3", "privlex.pipeline", "privlex.cli.compile_cmd", "privlex.verify")

_PROBE = """
import json, sys
from privlex.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY_ROOTS
                                                  and any(m == h or m.startswith(h + ".") for h in HEAVY))}))
"""


def loaded_by(*args: str | Path, cwd: Path) -> tuple[int, list[str]]:
    """Run `privlex ARGS` in a new interpreter: its exit code and the heavy modules it imported."""
    roots = sorted({name.split(".")[0] for name in HEAVY})
    probe = f"HEAVY = {HEAVY!r}\nHEAVY_ROOTS = {roots!r}\n" + _PROBE
    done = subprocess.run(
        [sys.executable, "-c", probe, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], report["loaded"]


@pytest.fixture
def rows(tmp_path: Path) -> dict[str, Path]:
    """The same rows as Parquet (with a null and an invalid row) and as JSONL."""
    records = [
        {"region": "DE", "data": "content.chat", "purpose": "ai.training", "date": "2026-01-01"},
        {"region": "US-CA", "data": "content.audio", "purpose": "ai.training", "date": None},
        {"region": "nowhere", "data": "content.chat", "purpose": "ai.training", "date": "2026-01-01"},
    ]
    parquet = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return {"parquet": parquet, "jsonl": jsonl}


@pytest.mark.slow  # a subprocess each
@pytest.mark.parametrize("kind", ["parquet", "jsonl"])
@pytest.mark.parametrize("log", [None, "log.parquet"])
def test_a_filter_run_with_a_named_package_imports_no_compiler_and_no_pandas(
    kind: str, log: str | None, rows: dict[str, Path], tmp_path: Path
) -> None:
    logging = ["--decisions", tmp_path / log, "--id-column", "region"] if log else []
    code, loaded = loaded_by(
        "filter", rows[kind], "--out", tmp_path / f"kept.{kind}", "--package", "privlex_rules",
        "--today", FIXED_DAY.isoformat(), "--quiet", *logging, cwd=tmp_path,
    )  # fmt: skip
    assert code == 1  # the row of an unknown region is invalid: the run did decide every row
    assert loaded == []
    if log:  # the log built through Arrow's buffers holds what pa.array built
        written = pq.read_table(tmp_path / log)
        assert written.column("id").to_pylist() == ["DE", "US-CA", "nowhere"]
        assert written.column("outcome").type == pa.dictionary(pa.int32(), pa.string())
        assert written.column("outcome").to_pylist()[2] == "invalid"
        assert written.column("field").to_pylist()[2] == "region"
        assert written.column("row").to_pylist() == [1, 2, 3] == written.column("line").to_pylist()
        assert all(isinstance(d, list) for d in written.column("deciding").to_pylist())


@pytest.mark.slow  # a subprocess
def test_a_filter_run_in_a_project_with_a_current_package_imports_no_compiler(
    rows: dict[str, Path], tmp_path: Path
) -> None:
    # The repository is such a project: `privlex compile --check` keeps generated/ current.
    code, loaded = loaded_by(
        "filter", rows["parquet"], "--out", tmp_path / "kept.parquet", "--today", FIXED_DAY.isoformat(), "--quiet",
        cwd=REPOSITORY,
    )  # fmt: skip
    assert code == 1
    assert loaded == []


@pytest.mark.slow  # a subprocess
def test_filter_help_imports_no_compiler(tmp_path: Path) -> None:
    code, loaded = loaded_by("filter", "--help", cwd=tmp_path)
    assert code == 0
    assert loaded == []


@pytest.mark.slow  # a subprocess
def test_compile_still_imports_the_compiler(tmp_path: Path) -> None:
    """The probe can see an import: a command that compiles does load the compiler."""
    _, loaded = loaded_by("compile", "--help", cwd=tmp_path)
    assert "privlex.cli.compile_cmd" in loaded
    assert "privlex.pipeline" in loaded
