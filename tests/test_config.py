"""[tool.privlex] in pyproject.toml, and `privlex compile` as a build step: --check, --diff, flags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from privlex.build.config import ConfigError, default_package, find_pyproject, load, settings_for
from privlex.cli import main
from privlex.codegen import GENERATED_MARK

EXAMPLE = ROOT / "examples" / "downstream"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project: the example's rule files, configured to compile into generated/acme_rules."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE / "rules", root / "policy")
    write(
        root / "pyproject.toml", '[project]\nname = "acme"\n\n[tool.privlex]\nsources = ["policy"]\nout = "generated"\n'
    )
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------ finding and reading


def test_privlex_configures_itself() -> None:
    settings = load(ROOT / "pyproject.toml")
    assert settings.sources == (ROOT / "rulesets",)
    assert settings.out == ROOT / "generated"
    assert settings.package == "privlex_rules"


def test_found_from_any_subfolder_like_ruff(project: Path) -> None:
    deep = project / "policy" / "a" / "b"
    deep.mkdir(parents=True)
    # a pyproject.toml without [tool.privlex] on the way up is passed over
    write(project / "policy" / "pyproject.toml", '[project]\nname = "inner"\n')
    assert find_pyproject(deep) == project / "pyproject.toml"
    settings = settings_for(deep)
    assert settings.root == project
    assert settings.sources == (project / "policy",)
    assert settings.package_dir == project / "generated" / "acme_rules"


def test_nearest_pyproject_gives_defaults_when_none_has_the_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "Data-Policy.Web"\n')
    settings = settings_for(tmp_path)
    assert settings.sources == (tmp_path / "rulesets",)
    assert settings.out == tmp_path / "generated"
    assert settings.package == "data_policy_web_rules"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("acme", "acme_rules"), ("Acme-Notes", "acme_notes_rules"), ("a.b_c", "a_b_c_rules"), ("3d", "p3d_rules")],
)
def test_default_package_is_the_project_name(name: str, expected: str) -> None:
    assert default_package(name, Path("/x")) == expected


def test_command_line_overrides_the_file(project: Path) -> None:
    settings = settings_for(project, sources=[project / "other"], out=project / "out", package="mine")
    assert settings.sources == (project / "other",)
    assert settings.package_dir == project / "out" / "mine"


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ('sourcs = ["policy"]', "tool.privlex.sourcs", "did you mean sources?"),
        ("out = 3", "tool.privlex.out", "must be a string"),
        ('sources = "policy"', "tool.privlex.sources", "must be a list of paths"),
        ("sources = []", "tool.privlex.sources", "at least one"),
        ('sources = ["policy", 4]', "tool.privlex.sources[1]", "must be a string"),
        ('package = "1st-rules"', "tool.privlex.package", "not a Python package name"),
        ('package = "class"', "tool.privlex.package", "keyword"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, table: str, key: str, words: str) -> None:
    write(tmp_path / "pyproject.toml", f'[project]\nname = "x"\n\n[tool.privlex]\n{table}\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path / "pyproject.toml")
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "E002"
    assert key in diagnostic.message
    assert words in diagnostic.message + (diagnostic.help or "")
    assert diagnostic.span is not None and diagnostic.span.line == 5


def test_every_bad_key_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.privlex]\nsources = "rules"\nout = 3\ncolour = "red"\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path / "pyproject.toml")
    assert [(d.message.split()[0], d.span.line if d.span else 0) for d in caught.value.diagnostics] == [
        ("tool.privlex.sources", 2),
        ("tool.privlex.out", 3),
        ("tool.privlex.colour", 4),
    ]


def test_invalid_toml_points_at_its_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.privlex]\nsources = ["a"\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path / "pyproject.toml")
    assert "not valid TOML" in caught.value.diagnostic.message
    assert caught.value.diagnostic.span is not None


def test_bad_config_exits_2_with_a_diagnostic(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.privlex]\nsources = ["policy"]\nouts = "generated"\n')
    monkeypatch.chdir(project / "policy")
    code, out, err = run(capsys, "compile")
    assert code == 2
    assert "error[E002]: tool.privlex.outs is not a privlex setting" in err
    assert "--> ../pyproject.toml:3:1" in err
    assert "did you mean out?" in err
    assert "Traceback" not in err and out == ""
    assert not (project / "generated").exists()


# ------------------------------------------------------------ compile as a build step


def test_compile_without_arguments_uses_the_config(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project / "policy")
    code, _, err = run(capsys, "compile")
    assert code == 0, err
    assert sorted(p.name for p in (project / "generated" / "acme_rules").iterdir()) == [
        "__init__.py",
        "_program.json",
        "_validate.py",
        "_vocabulary.py",
        "notes.py",
        "py.typed",
    ]
    assert run(capsys, "compile", "--check")[0] == 0
    code, out, err = run(capsys, "test", "--require-coverage")
    assert code == 0, out + err
    assert "4 passed, 0 failed" in err


def test_flags_override_the_config(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    code, _, err = run(capsys, "compile", "policy", "--out", "elsewhere", "--package", "policy_checks")
    assert code == 0, err
    assert (project / "elsewhere" / "policy_checks" / "notes.py").is_file()
    assert not (project / "generated").exists()
    code, _, err = run(capsys, "compile", "--package", "Not-A-Name")
    assert code == 2 and "--package: 'Not-A-Name' is not a Python package name" in err
    code, _, err = run(capsys, "check", "--config", "missing.toml")
    assert code == 2 and "--config: missing.toml does not exist" in err


def test_paths_take_the_config_of_their_project(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "compile", "project/policy")
    assert code == 0, err
    assert (project / "generated" / "acme_rules" / "notes.py").is_file()
    other = tmp_path / "other"
    shutil.copytree(project, other)
    code, _, err = run(capsys, "compile", "project/policy", "other/policy")
    assert code == 2
    assert "different projects" in err


def test_check_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    code, out, err = run(capsys, "check")
    assert code == 0, err
    assert "checked 2 rule files: no problems" in err
    assert not (project / "generated").exists()


@pytest.fixture
def compiled(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.chdir(project)
    assert run(capsys, "compile")[0] == 0
    return project / "generated" / "acme_rules"


@pytest.mark.parametrize("module", ["__init__.py", "_validate.py", "_vocabulary.py", "notes.py"])
def test_appending_a_line_makes_check_fail(compiled: Path, capsys: pytest.CaptureFixture[str], module: str) -> None:
    with (compiled / module).open("a", encoding="utf-8") as stream:
        stream.write("# edited by hand\n")
    code, _, err = run(capsys, "compile", "--check")
    assert code == 1
    assert f"stale: generated/acme_rules/{module} (changed)" in err
    code, out, _ = run(capsys, "compile", "--diff")
    assert code == 1
    assert f"--- a/generated/acme_rules/{module}\n+++ b/generated/acme_rules/{module}\n" in out
    assert "\n-# edited by hand\n" in out
    assert run(capsys, "compile")[0] == 0
    assert run(capsys, "compile", "--check")[0] == 0
    assert run(capsys, "compile", "--diff")[1] == ""


def test_missing_and_no_longer_generated_files_are_stale(compiled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compiled / "notes.py").unlink()
    (compiled / "retired.py").write_text(f"{GENERATED_MARK}a ruleset that was removed\n", encoding="utf-8")
    code, _, err = run(capsys, "compile", "--check")
    assert code == 1
    assert "stale: generated/acme_rules/notes.py (missing)" in err
    assert "stale: generated/acme_rules/retired.py (no longer generated)" in err
    code, out, _ = run(capsys, "compile", "--diff")
    assert code == 1
    assert "--- /dev/null\n+++ b/generated/acme_rules/notes.py\n" in out
    assert "--- a/generated/acme_rules/retired.py\n+++ /dev/null\n" in out
    assert not (compiled / "notes.py").exists()  # --check and --diff write nothing
    assert run(capsys, "compile")[0] == 0
    assert not (compiled / "retired.py").exists()
    assert run(capsys, "compile", "--check")[0] == 0


def test_a_changed_rule_file_makes_the_output_stale(
    compiled: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = project / "policy" / "notes.rules"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("Never the notes of minors", "No minors"), encoding="utf-8")
    code, out, _ = run(capsys, "compile", "--diff")
    assert code == 1
    removed = [line for line in out.splitlines() if line.startswith("-") and "Never the notes of minors" in line]
    added = [line for line in out.splitlines() if line.startswith("+") and "No minors" in line]
    assert removed and added


def test_exit_non_zero_on_change(compiled: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "compile", "--exit-non-zero-on-change")[0] == 0
    (compiled / "notes.py").unlink()
    code, _, err = run(capsys, "compile", "--exit-non-zero-on-change")
    assert code == 1
    assert "created: generated/acme_rules/notes.py" in err
    assert run(capsys, "compile", "--exit-non-zero-on-change")[0] == 0


def test_output_is_the_same_from_anywhere(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert run(capsys, "compile")[0] == 0
    first = {p.name: p.read_bytes() for p in (project / "generated" / "acme_rules").iterdir()}
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "compile", "--check", "--config", str(project / "pyproject.toml"))[0] == 0
    shutil.rmtree(project / "generated")
    assert run(capsys, "compile", "project/policy")[0] == 0
    assert {p.name: p.read_bytes() for p in (project / "generated" / "acme_rules").iterdir()} == first
    assert str(tmp_path).encode() not in b"".join(first.values())


@pytest.mark.slow  # compiles the shipped rulesets twice
def test_appending_to_any_shipped_module_makes_check_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped = [str(ROOT / "rulesets"), "--out", str(tmp_path)]
    assert run(capsys, "compile", *shipped)[0] == 0
    generated = sorted(p for p in (tmp_path / "privlex_rules").iterdir() if p.suffix in (".py", ".json"))
    assert len(generated) >= 5  # __init__, _program.json, _vocabulary, one module per ruleset
    for module in generated:
        module.write_bytes(module.read_bytes() + b"\n")
    code, _, err = run(capsys, "compile", *shipped, "--check")
    assert code == 1
    assert [m.name for m in generated if f"{m.name} (changed)" not in err] == [], err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_apply_takes_the_diff(compiled: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    with (compiled / "notes.py").open("a", encoding="utf-8") as stream:
        stream.write("# edited by hand\n")
    (compiled / "py.typed").unlink()  # an empty file: only git's headers can create it
    (compiled / "retired.py").write_text(f"{GENERATED_MARK}a ruleset that was removed\nx = 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "compile", "--diff")
    assert code == 1
    (project / "fix.patch").write_text(out, encoding="utf-8")
    applied = subprocess.run(["git", "apply", "fix.patch"], cwd=project, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert run(capsys, "compile", "--check")[0] == 0
