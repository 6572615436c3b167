"""The hooks of .pre-commit-hooks.yaml, run by pre-commit itself on temporary git repositories.

pre-commit installs a `language: python` hook repository with pip. To do that
offline, pip gets PIP_NO_INDEX=1 and PIP_FIND_LINKS=<wheelhouse>, a folder of
wheels for hatchling and privlex's dependencies that `.ci/run` builds into
`.venv/wheelhouse` (or name another one with PRIVLEX_WHEELHOUSE). The hook
repository is a git repository made from this working tree, so the hooks under
test are the ones in it, not a published release.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from pre_commit.clientlib import load_config

EXAMPLE = ROOT / "examples" / "downstream"
WHEELHOUSE = Path(os.environ.get("PRIVLEX_WHEELHOUSE") or ROOT / ".venv" / "wheelhouse")
# What `pip install .` of privlex needs from the hook repository: its build and its package.
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "compiler", "generated", "grammar")


def _wheelhouse() -> Path:
    if WHEELHOUSE.is_dir() and any(WHEELHOUSE.glob("hatchling-*.whl")):
        return WHEELHOUSE
    reason = (
        f"needs the offline wheelhouse that .ci/run builds ({WHEELHOUSE} has no hatchling wheel); "
        "run .ci/run once, or set PRIVLEX_WHEELHOUSE to a folder made with "
        "`pip wheel --wheel-dir DIR . hatchling`"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def test_manifest_declares_the_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert set(hooks) == {"privlex-compile", "privlex-check", "privlex-fmt"}
    assert hooks["privlex-fmt"]["entry"] == "privlex fmt"
    assert hooks["privlex-compile"]["entry"].startswith("privlex compile")
    assert hooks["privlex-check"]["entry"] == "privlex check"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False  # a unit is compiled whole


def test_the_contributors_config_is_valid_and_runs_ruff_and_mypy_offline() -> None:
    """.pre-commit-config.yaml, for work on privlex itself: the checks of .ci/run, with the venv's tools."""
    config = load_config(str(ROOT / ".pre-commit-config.yaml"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "mypy"} <= set(hooks)
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to download
    for hook in hooks.values():
        tool = hook["entry"].split()[0]
        assert tool.startswith(".venv/bin/"), hook["id"]
    assert hooks["mypy"]["pass_filenames"] is False  # files and strictness from [tool.mypy]


def git(folder: Path, *args: str) -> str:
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


@pytest.fixture(scope="module")
def environ(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    wheelhouse = _wheelhouse()
    cache = tmp_path_factory.mktemp("pre-commit-home")
    values = {
        **os.environ,
        "PRE_COMMIT_HOME": str(cache / "pre-commit"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUALENV_OVERRIDE_APP_DATA": str(cache / "virtualenv"),
        "PRE_COMMIT_COLOR": "never",
    }
    values.pop("PRIVLEX_SKIP_BUILD_HOOK", None)
    return values


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, environ: dict[str, str]) -> tuple[Path, str]:
    """A git repository holding this working tree's privlex, as a hook repository at one commit."""
    repo = tmp_path_factory.mktemp("privlex-hooks")
    skipped = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=skipped)
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "privlex")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture
def consumer(tmp_path: Path, hook_repo: tuple[Path, str], environ: dict[str, str]) -> Path:
    """A repository that commits its generated checkers and uses both hooks."""
    repo = tmp_path / "consumer"
    shutil.copytree(EXAMPLE / "rules", repo / "rules")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "acme"\n\n[tool.privlex]\nsources = ["rules"]\nout = "generated"\n', encoding="utf-8"
    )
    path, rev = hook_repo
    config = {"repos": [{"repo": str(path), "rev": rev, "hooks": [{"id": "privlex-compile"}, {"id": "privlex-check"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    compiled = subprocess.run([sys.executable, "-m", "privlex", "compile"], cwd=repo, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "rules and their checkers")
    return repo


def pre_commit(repo: Path, environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
    )


@pytest.mark.slow
def test_a_current_repository_passes_both_hooks(consumer: Path, environ: dict[str, str]) -> None:
    result = pre_commit(consumer, environ)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "privlex compile" in output and "privlex check" in output
    assert output.count("Passed") == 2, output


@pytest.mark.slow
def test_compile_regenerates_and_fails_when_files_changed(consumer: Path, environ: dict[str, str]) -> None:
    rules = consumer / "rules" / "notes.rules"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("Never the notes of minors", "No notes of minors"), encoding="utf-8"
    )
    git(consumer, "add", "rules/notes.rules")
    result = pre_commit(consumer, environ, "privlex-compile")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output
    assert "updated: generated/acme_rules/notes.py" in output
    assert "No notes of minors" in (consumer / "generated" / "acme_rules" / "notes.py").read_text(encoding="utf-8")
    git(consumer, "add", "-A")
    again = pre_commit(consumer, environ, "privlex-compile")
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.slow
def test_check_reports_diagnostics_and_writes_nothing(consumer: Path, environ: dict[str, str]) -> None:
    rules = consumer / "rules" / "notes.rules"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("        data note\n", "        data notes\n"), encoding="utf-8"
    )
    git(consumer, "add", "rules/notes.rules")
    before = {p.name: p.read_bytes() for p in (consumer / "generated" / "acme_rules").iterdir()}
    result = pre_commit(consumer, environ, "privlex-check")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "error[E201]: unknown data key notes" in output
    assert "--> rules/notes.rules:17:14" in output
    assert "did you mean note?" in output
    assert "Traceback" not in output
    assert {p.name: p.read_bytes() for p in (consumer / "generated" / "acme_rules").iterdir()} == before
