"""`privlex filter` under attack and failure (issue 15): no smuggled rows, no traceback, nothing left behind."""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from conftest import FIXED_DAY
from privlex.cli import main

PERMITTED = '{"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"given": true}}'


def run(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["filter", *map(str, args), "--today", FIXED_DAY.isoformat()])
    return code, capsys.readouterr().err


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_csv_cell_over_131072_characters_smuggles_no_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hidden = "DE,content.chat,ai.training,true,smuggled"
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["region", "data", "purpose", "consent.given", "note"])
    writer.writerow(["XX", "content.chat", "ai.training", "true", "x" * 140_000 + "\n" + hidden + "\n" + "y" * 10])
    writer.writerow(["FR", "content.chat", "ai.training", "true", "real"])
    source = tmp_path / "in.csv"
    source.write_text(text.getvalue())
    code, err = run(source, "--out", tmp_path / "kept.csv", capsys=capsys)
    assert code == 1, err  # the first row is invalid (XX), the second permitted
    kept = (tmp_path / "kept.csv").read_text()
    assert "smuggled" not in kept and kept.splitlines()[-1] == "FR,content.chat,ai.training,true,real"


def test_a_cell_over_the_limit_stops_the_run_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text('region,data,purpose,note\nDE,content.chat,ai.training,"' + "x" * 5000 + '"\n')
    previous = csv.field_size_limit(1000)
    try:
        code, err = run(source, "--out", tmp_path / "kept.csv", capsys=capsys)
    finally:
        csv.field_size_limit(previous)
    assert code == 2 and "line 2" in err and "field larger than field limit" in err
    assert names(tmp_path) == ["in.csv"]


def test_duplicate_keys_make_a_jsonl_line_invalid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    twice = '{"region": "US-NY", "data": "content.chat", "purpose": "ai.training", "region": "DE"}'
    inner = (
        '{"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"given": false, "given": true}}'
    )
    source.write_text("\n".join([twice, inner, PERMITTED]) + "\n")
    code, err = run(source, "--out", tmp_path / "kept.jsonl", "--decisions", tmp_path / "log.jsonl", capsys=capsys)
    assert code == 1
    assert (tmp_path / "kept.jsonl").read_text() == PERMITTED + "\n"
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()[1:-1]]
    assert [r["outcome"] for r in log] == ["invalid", "invalid", "permit"]
    assert "'region' is given twice" in log[0]["error"] and "'given' is given twice" in log[1]["error"]


def test_a_deeply_nested_jsonl_line_is_an_invalid_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = '{"region": "DE", "data": "content.chat", "purpose": "ai.training", "x": ' + "[" * 100_000 + "]" * 100_000
    source = tmp_path / "in.jsonl"
    source.write_text(deep + "}\n" + PERMITTED + "\n")
    code, err = run(source, "--out", tmp_path / "kept.jsonl", capsys=capsys)
    assert code == 1 and "nested too deeply" in err
    assert (tmp_path / "kept.jsonl").read_text() == PERMITTED + "\n"


def _jsonl(tmp_path: Path, rows: int = 10) -> Path:
    source = tmp_path / "in.jsonl"
    source.write_text((PERMITTED + "\n") * rows)
    return source


def test_a_full_disk_is_one_clear_error_and_leaves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    class Full(io.RawIOBase):
        """A file on a disk with no room left: every write fails with ENOSPC."""

        def __init__(self, handle: int, *args: object, **kwargs: object) -> None:
            self.handle = handle

        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            if not self.closed:
                os.close(self.handle)
            super().close()

    with mock.patch("os.fdopen", Full):
        code, err = run(source, "--out", out / "kept.jsonl", "--decisions", out / "log.jsonl", capsys=capsys)
    assert code == 2 and "no space left on the device" in err and "cannot write" in err
    assert "cannot read" not in err and "Traceback" not in err
    assert names(out) == []


def test_an_output_folder_that_cannot_be_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path)
    real_open = os.open

    def refuse(path: str | Path, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".partial"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode)

    with mock.patch("os.open", refuse):
        code, err = run(source, "--out", tmp_path / "kept.jsonl", capsys=capsys)
    assert code == 2 and f"cannot write {tmp_path / 'kept.jsonl'}: permission denied" in err
    assert "cannot read" not in err and names(tmp_path) == ["in.jsonl"]


def test_stale_partial_files_of_killed_runs_are_swept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".kept.jsonl.{int(dead.stdout)}.partial"
    stale.write_text("half a file")
    alive = tmp_path / f".kept.jsonl.{os.getpid()}9.partial"  # not a pid of ours: kept unless its process is gone
    code, _ = run(source, "--out", tmp_path / "kept.jsonl", capsys=capsys)
    assert code == 0 and not stale.exists()
    assert not alive.exists()
    assert names(tmp_path) == ["in.jsonl", "kept.jsonl"]


@pytest.mark.slow  # a subprocess on 400,000 rows
def test_sighup_leaves_no_partial_output(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text((PERMITTED + "\n") * 400_000)
    command = [sys.executable, "-m", "privlex", "filter", str(source), "--out", str(tmp_path / "kept.jsonl")]
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".partial") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGHUP)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert names(tmp_path) == ["in.jsonl"]


def test_two_runs_cannot_write_the_same_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path)
    handle = os.open(tmp_path / ".kept.jsonl.privlex-lock", os.O_WRONLY | os.O_CREAT)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        code, err = run(source, "--out", tmp_path / "kept.jsonl", capsys=capsys)
    finally:
        os.close(handle)
    assert code == 2 and "another privlex filter is writing it" in err
    assert not (tmp_path / "kept.jsonl").exists()


def test_outputs_get_the_users_umask(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path)
    previous = os.umask(0o022)
    try:
        code, _ = run(source, "--out", tmp_path / "kept.jsonl", "--decisions", tmp_path / "log.jsonl", capsys=capsys)
    finally:
        os.umask(previous)
    assert code == 0
    assert (tmp_path / "kept.jsonl").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "log.jsonl").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("column", ["consent_withdrawn", "Consent.withdrawn"])
def test_near_miss_column_names_are_schema_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"region,data,purpose,consent.given,{column}\nDE,content.chat,ai.training,true,true\n")
    code, err = run(source, "--out", tmp_path / "kept.csv", capsys=capsys)
    assert code == 2 and "did you mean consent.withdrawn?" in err
    assert names(tmp_path) == ["in.csv"]
    lines = tmp_path / "in.jsonl"
    lines.write_text(PERMITTED[:-1] + f', "{column}": true}}\n')
    code, err = run(lines, "--out", tmp_path / "kept.jsonl", capsys=capsys)
    assert code == 1 and "did you mean consent.withdrawn?" in err


def test_a_bad_set_or_map_is_one_usage_error_before_any_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path, rows=1000)
    code, err = run(source, "--out", tmp_path / "kept.jsonl", "--set", "region=XX", capsys=capsys)
    assert code == 2 and err.count("'XX' is not a known region") == 1
    csv_source = tmp_path / "in.csv"
    csv_source.write_text("country,data,purpose\nDE,content.chat,ai.training\n")
    code, err = run(csv_source, "--out", tmp_path / "kept.csv", "--map", "region=countyr", capsys=capsys)
    assert code == 2 and err.count("\n") == 1 and "did you mean country?" in err
    assert names(tmp_path) == ["in.csv", "in.jsonl"]


def test_an_interrupt_while_the_summary_is_made_leaves_nothing(tmp_path: Path) -> None:
    """The summary joins the run's outputs before its lock exists, and is committed with them."""
    from privlex.data import outputs
    from privlex.data.filter import Options
    from privlex.data.filter import run as filter_rows

    source = _jsonl(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    real_sweep = outputs.sweep

    def interrupted(target: Path) -> list[Path]:
        if target.name == "summary.json":  # SIGTERM lands once the summary's lock is taken
            raise KeyboardInterrupt
        return real_sweep(target)

    options = Options(input=source, out=out / "kept.jsonl", summary_json=out / "summary.json", today=FIXED_DAY)
    with mock.patch.object(outputs, "sweep", interrupted), pytest.raises(KeyboardInterrupt):
        filter_rows(options)
    assert names(out) == []
