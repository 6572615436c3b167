"""The hatchling build hook `privlex`, on the downstream example project, built offline in a temporary folder.

Wheels are built with `pip wheel --no-build-isolation --no-deps --no-index`: the
build runs in this environment, which has hatchling (the `test` extra) and
privlex (installed with its `hatch` entry point), so nothing is downloaded.
Fresh venvs get this environment's packages through a `.pth` file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from conftest import ROOT

EXAMPLE = ROOT / "examples" / "downstream"
GENERATED = ("__init__.py", "_validate.py", "_vocabulary.py", "notes.py", "py.typed")


def _environment(**extra: str) -> dict[str, str]:
    """This environment, offline, without a skip variable the caller did not ask for."""
    environ = dict(os.environ)
    environ.pop("PRIVLEX_SKIP_BUILD_HOOK", None)
    environ.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return environ


def test_the_hook_is_registered_with_hatch() -> None:
    found = [ep for ep in entry_points(group="hatch") if ep.name == "privlex"]
    assert found, "privlex is installed without its `hatch` entry point: reinstall it (pip install -e '.[test]')"
    assert found[0].value == "privlex.build.hatch_hook"
    module = found[0].load()
    hook = module.hatch_register_build_hook()
    assert hook.PLUGIN_NAME == "privlex"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of examples/downstream, without anything generated."""
    target = tmp_path / "acme-notes"
    skipped = shutil.ignore_patterns("acme_notes_rules", "__pycache__", "dist", "*.egg-info")
    shutil.copytree(EXAMPLE, target, ignore=skipped)
    return target


def build_wheel(project: Path, out: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-build-isolation",
        "--no-deps",
        "--no-index",
        "--wheel-dir",
        str(out),
        str(project),
    ]
    return subprocess.run(command, capture_output=True, text=True, env=_environment(**environ), timeout=300)


def wheel_names(folder: Path) -> list[str]:
    (wheel,) = folder.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def fresh_venv(folder: Path) -> Path:
    """A new venv that also sees this environment's packages (tests run offline)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    lines = "".join(f"import site; site.addsitedir({path!r})\n" for path in sorted(ours))
    (Path(purelib) / "_outer_environment.pth").write_text(lines, encoding="utf-8")
    return python


def pip_into(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", *args]
    return subprocess.run(command, capture_output=True, text=True, env=_environment(), timeout=300)


CALL_THE_CHECKER = """
import acme_notes, acme_notes_rules
print(acme_notes_rules.__file__)
print(acme_notes.may_train_on_note("DE", opted_in=True, age=30))
print(acme_notes.may_train_on_note("FR", opted_in=True, age=15))
decision = acme_notes_rules.check({"region": "US", "data": "note", "purpose": "ai.training"})
print(decision.outcome, decision.reasons[0].rule, decision.reasons[0].source)
print(acme_notes_rules.check({"region": "FR", "data": "note", "purpose": "ai.training",
                              "consent": {"given": True}, "subject": {"age": 15}}).reasons[0].title)
"""


@pytest.mark.slow
def test_wheel_carries_the_generated_checker_and_it_runs(project: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = build_wheel(project, dist)
    assert result.returncode == 0, result.stdout + result.stderr
    names = wheel_names(dist)
    assert "acme_notes/__init__.py" in names
    for name in GENERATED:
        assert f"acme_notes_rules/{name}" in names, names
    # the hook wrote what `privlex compile` writes, even though .gitignore ignores it
    assert "/src/acme_notes_rules/" in (project / ".gitignore").read_text(encoding="utf-8")
    compiled = subprocess.run(
        [sys.executable, "-m", "privlex", "compile", "--check"], cwd=project, capture_output=True, text=True
    )
    assert compiled.returncode == 0, compiled.stderr

    python = fresh_venv(tmp_path / "venv")
    installed = pip_into(python, str(next(dist.glob("*.whl"))))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    called = subprocess.run([str(python), "-c", CALL_THE_CHECKER], capture_output=True, text=True, cwd=tmp_path)
    assert called.returncode == 0, called.stderr
    where, adult, minor, default, title = called.stdout.splitlines()
    assert Path(where).is_relative_to(tmp_path / "venv")  # the wheel's copy, not the project's
    assert (adult, minor) == ("True", "False")
    assert default == "deny default rules/notes.rules:7"
    assert title == "Never the notes of minors"


@pytest.mark.slow
def test_a_wrong_rule_file_fails_the_build_with_its_diagnostics(project: Path, tmp_path: Path) -> None:
    rules = project / "rules" / "notes.rules"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("        data note\n", "        data notes\n"), encoding="utf-8"
    )
    result = build_wheel(project, tmp_path / "dist")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "error[E201]: unknown data key notes" in output
    assert "--> rules/notes.rules:17:14" in output
    assert "did you mean note?" in output
    assert "the rule files have errors" in output
    assert "Traceback" not in output
    assert not list((tmp_path / "dist").glob("*.whl"))


@pytest.mark.slow
def test_the_skip_variable_skips_the_hook(project: Path, tmp_path: Path) -> None:
    rules = project / "rules" / "notes.rules"
    rules.write_text(rules.read_text(encoding="utf-8") + "\nthis is not a rule\n", encoding="utf-8")
    result = build_wheel(project, tmp_path / "dist", PRIVLEX_SKIP_BUILD_HOOK="1")
    assert result.returncode == 0, result.stdout + result.stderr
    names = wheel_names(tmp_path / "dist")
    assert "acme_notes/__init__.py" in names
    assert not [n for n in names if n.startswith("acme_notes_rules/")]
    assert not (project / "src" / "acme_notes_rules").exists()


@pytest.mark.slow
def test_a_bad_hook_option_names_the_key(project: Path, tmp_path: Path) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace("[tool.hatch.build.hooks.privlex]\n", '[tool.hatch.build.hooks.privlex]\nsourcez = ["rules"]\n'),
        encoding="utf-8",
    )
    result = build_wheel(project, tmp_path / "dist")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "tool.hatch.build.hooks.privlex.sourcez is not a privlex setting" in output
    assert "did you mean sources?" in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_hook_options_override_tool_privlex(project: Path, tmp_path: Path) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace(
            "[tool.hatch.build.hooks.privlex]\n", '[tool.hatch.build.hooks.privlex]\npackage = "acme_policy"\n'
        ),
        encoding="utf-8",
    )
    result = build_wheel(project, tmp_path / "dist")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "acme_policy/notes.py" in wheel_names(tmp_path / "dist")


@pytest.mark.slow
def test_sdist_carries_rules_and_generated_code(project: Path, tmp_path: Path) -> None:
    dist = tmp_path / "sdist"
    build = "import sys, hatchling.build as b; print(b.build_sdist(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-c", build, str(dist)],
        cwd=project,
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with tarfile.open(dist / result.stdout.strip().splitlines()[-1]) as archive:
        names = archive.getnames()
    assert "acme_notes-1.0.0/rules/notes.rules" in names
    for name in GENERATED:
        assert f"acme_notes-1.0.0/src/acme_notes_rules/{name}" in names, names


@pytest.mark.slow
def test_editable_install_imports_the_project_folder(project: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    installed = pip_into(python, "--no-build-isolation", "--editable", str(project))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    generated = project / "src" / "acme_notes_rules"
    assert (generated / "notes.py").is_file()
    show = "import acme_notes_rules as r; print(r.__file__); print(r.RULESETS)"
    first = subprocess.run([str(python), "-c", show], capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert Path(first.stdout.splitlines()[0]).parent == generated
    # recompiling the project is seen at once: the install points at the project folder
    rules = project / "rules" / "notes.rules"
    rules.write_text(rules.read_text(encoding="utf-8").replace("ruleset notes ", "ruleset house "), encoding="utf-8")
    compiled = subprocess.run([sys.executable, "-m", "privlex", "compile"], cwd=project, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    second = subprocess.run([str(python), "-c", show], capture_output=True, text=True, cwd=tmp_path)
    assert second.stdout.splitlines()[1] == "('house',)"
