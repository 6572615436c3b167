"""No traceback for what is not a bug: a closed pipe, Ctrl-C, a missing optional dependency."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from privlex import cli

ZOOM = "--region DE --data content.chat --purpose ai.training --date 2025-06-01 --set legal_basis=consent"
ZOOM += " --set consent.given=true --set consent.explicit=true --set consent.bundled=true"
COMMANDS = {
    "compile": "compile --out {tmp}/generated",
    "compile_diff": "compile --diff --out {tmp}/generated",
    "check": "check",
    "test": "test",
    "decide": f"decide {ZOOM}",
    "explain": f"explain {ZOOM}",
    "filter": "filter {tmp}/rows.jsonl --out {tmp}/kept.jsonl --today 2025-06-01",
}
# Each command's stdout into `head -c1`, into a reader that is already gone, and its stderr likewise.
PIPES = {
    "stdout_head": "{command} 2>{tmp}/err | head -c1 >/dev/null",
    "stdout_closed": "{command} 2>{tmp}/err | true",
    "stderr_closed": "{command} 2>&1 >{tmp}/err | true",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_closed_pipe_ends_quietly(name: str, tmp_path: Path) -> None:
    row = '{"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"given": true}}\n'
    (tmp_path / "rows.jsonl").write_text(row * 50, encoding="utf-8")
    privlex = f"{shlex.quote(sys.executable)} -m privlex"
    command = f"{privlex} {COMMANDS[name].format(tmp=tmp_path)}"
    for label, pipe in PIPES.items():
        script = f"{pipe.format(command=command, tmp=tmp_path)}; echo ${{PIPESTATUS[0]}} > {tmp_path}/rc"
        subprocess.run(["bash", "-c", script], cwd=ROOT, timeout=300, check=True)
        code = int((tmp_path / "rc").read_text())
        shown = (tmp_path / "err").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in shown and "Exception ignored" not in shown, f"{label}: {shown}"
        finished = 1 if name == "compile_diff" else 0  # --diff into an empty folder: stale, exit 1
        assert code in (finished, cli.EXIT_CLOSED_PIPE), f"{label}: exit {code}: {shown}"


def test_a_closed_pipe_in_process_is_exit_141_without_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def closed(*args: object, **kwargs: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    from privlex.cli import decide_cmd

    monkeypatch.setattr(decide_cmd, "run", closed)
    assert cli.main(["decide", "--region", "DE", "--data", "content.chat", "--purpose", "ai.training"]) == 141
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err


def test_ctrl_c_is_exit_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    from privlex.cli import check_cmd

    monkeypatch.setattr(check_cmd, "run", interrupted)
    assert cli.main(["check"]) == cli.EXIT_INTERRUPTED
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(("missing", "rows"), [("numpy", "rows.jsonl"), ("pyarrow", "rows.parquet")])
def test_filter_without_its_optional_dependencies_says_which_extra(
    missing: str, rows: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in [m for m in sys.modules if m.startswith("privlex.data.") and m != "privlex.data.facts"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)  # `import numpy` now raises ModuleNotFoundError
    monkeypatch.chdir(tmp_path)
    (tmp_path / rows).write_text("{}\n", encoding="utf-8")
    code = cli.main(["filter", rows, "--out", "kept" + Path(rows).suffix])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"privlex filter: this needs {missing}, which is not installed: pip install 'privlex[arrow]'\n"


def test_a_missing_module_that_is_not_optional_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> int:
        raise ModuleNotFoundError("No module named 'lark'", name="lark")

    from privlex.cli import check_cmd

    monkeypatch.setattr(check_cmd, "run", broken)
    with pytest.raises(ModuleNotFoundError):
        cli.main(["check"])
