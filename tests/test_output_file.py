"""`--output-file` reports are written whole or not at all (privlex check, test, verify, diff)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from privlex.cli import main

UNIT = "tests/formats/unit"  # one error: check exits 1 and writes its report

COMMANDS = {
    "check": ["check", UNIT, "--output-format", "json"],
    "test": ["test", "tests/verify/properties", "--output-format", "json"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_failed_write_leaves_the_previous_report_and_no_temporary_file(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    target.write_text("the previous report\n", encoding="utf-8")

    def full_disk(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert main([*COMMANDS[command], "--output-file", str(target)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_report_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    main([*COMMANDS["check"], "--output-file", str(target)])
    assert '"E' in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_report_gets_the_users_umask(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    previous = os.umask(0o027)
    try:
        main([*COMMANDS["check"], "--output-file", str(target)])
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "check.json"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    main([*COMMANDS["check"], "--output-file", str(link)])
    assert link.is_symlink()
    assert '"E' in real.read_text(encoding="utf-8")


def test_a_device_is_written_to_not_replaced() -> None:
    """`--output-file /dev/null` (or /dev/stdout) must never rename a file over the device."""
    assert main([*COMMANDS["check"], "--output-file", os.devnull]) == 1
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
