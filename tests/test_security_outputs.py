"""`privlex compile` writes only into folders of its own, atomically, one run at a time (issue 15).

Each test is the reproducer of a finding of the security review; see
docs/security.md, "How outputs are written".
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, TESTS
from privlex.build import outputs
from privlex.cli import main

UNIT = TESTS / "good" / "dated_parameters.rules"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one rule file and no pyproject.toml, as the current folder."""
    shutil.copy(UNIT, tmp_path / "unit.rules")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def compile_into(out: str, package: str, *extra: str) -> int:
    return main(["compile", "unit.rules", "--out", out, "--package", package, *extra])


def package_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ------------------------------------------------------------ whose folder


def test_compile_into_a_source_package_deletes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Finding: `--out proj/src --package mylib` deleted every *.py privlex had not generated."""
    mylib = project / "src" / "mylib"
    mylib.mkdir(parents=True)
    (mylib / "__init__.py").write_text("from .core import answer\n", encoding="utf-8")
    (mylib / "core.py").write_text("answer = 42\n", encoding="utf-8")
    (mylib / "data.json").write_text("{}\n", encoding="utf-8")
    before = package_files(mylib)
    assert compile_into("src", "mylib") == 2
    message = capsys.readouterr().err
    assert "src/mylib holds files privlex did not generate (__init__.py, core.py, data.json)" in message
    assert "Traceback" not in message
    assert package_files(mylib) == before


def test_compile_into_privlex_itself_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding: `--out compiler --package privlex` in a clone deleted privlex's own modules."""
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "compiler", clone / "compiler", ignore=shutil.ignore_patterns("__pycache__"))
    # Any unit will do: the refusal is about where the package goes, not what it holds.
    shutil.copy(TESTS / "good" / "nested_exceptions.rules", clone / "small.rules")
    before = sorted(p.relative_to(clone).as_posix() for p in (clone / "compiler").rglob("*"))
    monkeypatch.chdir(clone)
    assert main(["compile", "small.rules", "--out", "compiler", "--package", "privlex"]) == 2
    assert sorted(p.relative_to(clone).as_posix() for p in (clone / "compiler").rglob("*")) == before


def test_a_package_folder_of_its_own_is_updated(project: Path) -> None:
    assert compile_into("out", "pkg") == 0
    folder = project / "out" / "pkg"
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "ages.cpython-311.pyc").write_bytes(b"\0")
    (folder / "ages.py").write_text((folder / "ages.py").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (folder / "old_ruleset.py").write_text(outputs.HEADER_LINE.decode() + "x = 1\n", encoding="utf-8")
    assert compile_into("out", "pkg") == 0
    assert "old_ruleset.py" not in package_files(folder)  # a generated file no longer generated goes
    assert "# edited" not in (folder / "ages.py").read_text(encoding="utf-8")
    assert main(["compile", "unit.rules", "--out", "out", "--package", "pkg", "--check"]) == 0


@pytest.mark.parametrize("flag", [None, "--check", "--diff"])
def test_a_hand_written_file_in_the_package_folder_is_refused_in_every_mode(
    project: Path, flag: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert compile_into("out", "pkg") == 0
    folder = project / "out" / "pkg"
    (folder / "helpers.py").write_text("def helper() -> int:\n    return 1\n", encoding="utf-8")
    capsys.readouterr()
    assert compile_into("out", "pkg", *([flag] if flag else [])) == 2
    assert "holds files privlex did not generate (helpers.py)" in capsys.readouterr().err
    assert (folder / "helpers.py").exists()


def test_a_symlink_in_the_package_folder_is_not_replaced(project: Path) -> None:
    """Finding: --out replaced a symlink with a regular file (and would write through to its target)."""
    assert compile_into("out", "pkg") == 0
    folder = project / "out" / "pkg"
    target = project / "precious.py"
    target.write_text("precious = True\n", encoding="utf-8")
    (folder / "ages.py").unlink()
    (folder / "ages.py").symlink_to(target)
    assert compile_into("out", "pkg") == 2
    assert (folder / "ages.py").is_symlink()
    assert target.read_text(encoding="utf-8") == "precious = True\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_device_like_file_in_the_package_folder_is_not_replaced(project: Path) -> None:
    """Finding: --out replaced a device node with a regular file; a named pipe stands in for the device."""
    folder = project / "out" / "pkg"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "__init__.py")
    assert compile_into("out", "pkg") == 2
    assert stat.S_ISFIFO((folder / "__init__.py").lstat().st_mode)


def test_a_package_path_that_is_a_file_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "out").mkdir()
    (project / "out" / "pkg").write_text("not a folder\n", encoding="utf-8")
    assert compile_into("out", "pkg") == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert (project / "out" / "pkg").read_text(encoding="utf-8") == "not a folder\n"


# ---------------------------------------------------------------- writing


def test_outputs_are_regular_files_with_the_umask(project: Path) -> None:
    """Finding: outputs were mode 0600 whatever the umask."""
    previous = os.umask(0o022)
    try:
        assert compile_into("out", "pkg") == 0
    finally:
        os.umask(previous)
    for path in (project / "out" / "pkg").iterdir():
        mode = path.lstat().st_mode
        assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o644, path


def test_temporary_files_of_a_killed_run_are_swept(project: Path) -> None:
    assert compile_into("out", "pkg") == 0
    folder = project / "out" / "pkg"
    left = [folder / ".privlex-tmp-0123456789abcdef-ages.py", folder / ".ages.py.k2j4_x9a.tmp"]
    for path in left:
        path.write_text("half a file", encoding="utf-8")
    assert compile_into("out", "pkg") == 0
    assert not [p for p in left if p.exists()]


def _fail_writes(monkeypatch: pytest.MonkeyPatch, error: int) -> None:
    real_open = os.open

    def refusing_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT and ".privlex-tmp-" in str(path):
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)


@pytest.mark.parametrize(
    ("error", "words"), [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")]
)
def test_a_disk_that_refuses_writes_gives_one_clear_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: int, words: str
) -> None:
    """Finding: a full disk gave a traceback and the wrong message, and left temporary files behind."""
    assert compile_into("out", "pkg") == 0
    folder = project / "out" / "pkg"
    (folder / "ages.py").write_text(outputs.HEADER_LINE.decode() + "# stale\n", encoding="utf-8")
    before = package_files(folder)
    capsys.readouterr()
    _fail_writes(monkeypatch, error)
    assert compile_into("out", "pkg") == 2
    err = capsys.readouterr().err
    assert err == f"privlex: cannot write out/pkg: {words}\n"
    assert package_files(folder) == before  # nothing changed, nothing left behind


def test_a_full_disk_half_way_leaves_the_old_package(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert compile_into("out", "pkg") == 0
    folder = project / "out" / "pkg"
    for path in folder.iterdir():
        path.write_text(path.read_text(encoding="utf-8").replace("privlex", "privlex "), encoding="utf-8")
    before = package_files(folder)
    real_write = os.write
    calls = []

    def filling_write(handle: int, data: bytes) -> int:
        calls.append(handle)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(handle, data)

    monkeypatch.setattr(os, "write", filling_write)
    assert compile_into("out", "pkg") == 2
    assert package_files(folder) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_package_folder_says_it_cannot_write(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Finding: a read-only output folder said "cannot read INPUT"."""
    assert compile_into("out", "pkg") == 0
    folder = project / "out" / "pkg"
    (folder / "ages.py").unlink()
    folder.chmod(0o555)
    try:
        capsys.readouterr()
        assert compile_into("out", "pkg") == 2
        assert capsys.readouterr().err == "privlex: cannot write out/pkg: Permission denied\n"
    finally:
        folder.chmod(0o755)


# ------------------------------------------------------- signals and locks


def _write_with_a_signal(folder: Path, files: dict[str, bytes], when: str, name: str) -> int:
    """Write `files` into `folder` in a copy of this process that sends itself the signal `name` in the
    middle of its first `os.<when>`; the copy's wait status.

    The copy is forked: a fresh interpreter importing privlex to do the same took about 0.4 s of CPU.
    Its signal handlers are set back to a fresh interpreter's, and it never returns into pytest.
    """
    number = getattr(signal, name)
    pid = os.fork()
    if pid == 0:
        survived = 3  # an exception
        try:
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            real = getattr(os, when)

            def hook(*args: object) -> object:
                os.kill(os.getpid(), number)
                setattr(os, when, real)
                return real(*args)

            setattr(os, when, hook)
            outputs.write_package(folder, {file: data.decode() for file, data in files.items()})
            survived = 0
        finally:
            os._exit(survived)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the process writing the package neither finished nor died in 60 s")
        time.sleep(0.005)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP") or not hasattr(os, "fork"), reason="POSIX signals and fork")
@pytest.mark.parametrize(
    ("when", "name"),
    [
        # The quick run sends one signal at one moment, the full run both at both.
        ("replace", "SIGTERM"),
        *(
            pytest.param(w, n, marks=pytest.mark.slow)
            for w, n in [("fsync", "SIGHUP"), ("fsync", "SIGTERM"), ("replace", "SIGHUP")]
        ),
    ],
)
def test_a_signal_while_writing_leaves_no_temporary_files(tmp_path: Path, name: str, when: str) -> None:
    """Finding: SIGHUP/SIGTERM left temporary files behind. Either the old package stays, or the whole new one."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    old = {"__init__.py": outputs.HEADER_LINE + b"x = 1\n", "other.py": outputs.HEADER_LINE + b"y = 1\n"}
    for file, data in old.items():
        (folder / file).write_bytes(data)
    new = {file: data.replace(b"1\n", b"2\n") for file, data in old.items()}
    status = _write_with_a_signal(folder, new, when, name)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == getattr(signal, name), status  # killed by it
    after = package_files(folder)
    assert set(after) == set(old), after  # no temporary file left
    assert after in (old, new)  # never half of each


def test_two_runs_take_turns(tmp_path: Path) -> None:
    """Finding: two runs writing the same output could interleave."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    files = {"__init__.py": outputs.HEADER_LINE.decode() + "x = 1\n"}
    finished = threading.Event()

    def other_run() -> None:
        outputs.write_package(folder, files)
        finished.set()

    with outputs.locked(folder):
        runner = threading.Thread(target=other_run)
        runner.start()
        time.sleep(0.5)
        assert not finished.is_set() and not (folder / "__init__.py").exists()
    runner.join(timeout=30)
    assert finished.is_set() and (folder / "__init__.py").read_text(encoding="utf-8").endswith("x = 1\n")


@pytest.mark.slow
def test_concurrent_compiles_leave_one_whole_package(tmp_path: Path) -> None:
    """Four runs of two different units into one folder: the result is one unit's package, whole."""
    units = []
    sources = [TESTS / "good" / "dated_parameters.rules", TESTS / "good" / "every_operator.rules"]
    for index, source in enumerate(sources):
        unit = tmp_path / f"unit{index}"
        unit.mkdir()
        shutil.copy(source, unit / "unit.rules")
        units.append(unit)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "privlex", "compile", str(units[i % 2] / "unit.rules"), "--out", "out"]
            + ["--package", "pkg"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read() if run.stderr else ""
    result = package_files(tmp_path / "out" / "pkg")
    expected = []
    for unit in units:
        subprocess.run(
            [sys.executable, "-m", "privlex", "compile", "unit.rules", "--out", "alone", "--package", "pkg"],
            cwd=unit,
            check=True,
            capture_output=True,
        )
        expected.append(package_files(unit / "alone" / "pkg"))
    assert result in expected
