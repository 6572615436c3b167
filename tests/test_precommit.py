"""The hooks of .pre-commit-hooks.yaml, run by pre-commit itself on temporary git repositories.

pre-commit installs a `language: python` hook repository with pip. To do that
offline, pip gets PIP_NO_INDEX=1 and PIP_FIND_LINKS=<wheelhouse>, a folder of
wheels for hatchling and privlex's dependencies that `.ci/run` builds into
`.venv/wheelhouse` (or name another one with PRIVLEX_WHEELHOUSE). The hook
repository is a git repository made from this working tree and tagged
`vVERSION`, as a release is, and the projects pin that tag: the hooks under test
are the ones in this tree, installed as a user who has only a Git URL would.

Two recipes, as docs/build.md shows them: `privlex-compile` for a project that
commits its generated checkers, `privlex-check` for one that git-ignores them
(the hatch hook builds them). Each diagnostic is printed once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, git
from pre_commit.clientlib import load_config
from privlex import __version__

EXAMPLE = ROOT / "examples" / "downstream"
WHEELHOUSE = Path(os.environ.get("PRIVLEX_WHEELHOUSE") or ROOT / ".venv" / "wheelhouse")
# The hook repository holds the working tree's files as git sees them: tracked, or new and not ignored.
LISTED = ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"]


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


pytestmark = pytest.mark.slow
TAG = f"v{__version__}"


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
def hook_repo(tmp_path_factory: pytest.TempPathFactory, environ: dict[str, str]) -> Path:
    """A git repository holding this working tree's privlex, with a release tag, as a hook repository."""
    repo = tmp_path_factory.mktemp("privlex-hooks")
    listed = subprocess.run(LISTED, cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "privlex")
    git(repo, "tag", "-a", TAG, "-m", f"privlex {__version__}")
    git(repo, "commit", "-q", "--allow-empty", "-m", "after the release")  # the tag, not the branch's tip, is used
    return repo


def _config(hook_repo: Path, hook: str) -> str:
    return yaml.safe_dump({"repos": [{"repo": str(hook_repo), "rev": TAG, "hooks": [{"id": hook}]}]})


def _project(repo: Path, hook_repo: Path, hook: str, *, ignored: bool) -> Path:
    shutil.copytree(EXAMPLE / "rules", repo / "rules")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "acme"\n\n[tool.privlex]\nsources = ["rules"]\nout = "generated"\n', encoding="utf-8"
    )
    (repo / ".pre-commit-config.yaml").write_text(_config(hook_repo, hook), encoding="utf-8")
    if ignored:
        (repo / ".gitignore").write_text("/generated/\n", encoding="utf-8")
    else:
        compiled = subprocess.run(
            [sys.executable, "-m", "privlex", "compile"], cwd=repo, capture_output=True, text=True
        )
        assert compiled.returncode == 0, compiled.stderr
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "rules" + ("" if ignored else " and their checkers"))
    return repo


@pytest.fixture
def committed(tmp_path: Path, hook_repo: Path) -> Path:
    """A project that commits its generated checkers, with the privlex-compile hook."""
    return _project(tmp_path / "committed", hook_repo, "privlex-compile", ignored=False)


@pytest.fixture
def ignored(tmp_path: Path, hook_repo: Path) -> Path:
    """A project that git-ignores its generated checkers, with the privlex-check hook."""
    return _project(tmp_path / "ignored", hook_repo, "privlex-check", ignored=True)


def pre_commit(repo: Path, environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
    )


def _misspell(repo: Path) -> None:
    rules = repo / "rules" / "notes.rules"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("        data note\n", "        data notes\n"), encoding="utf-8"
    )
    git(repo, "add", "rules/notes.rules")


def _reported_once(output: str) -> None:
    assert output.count("error[E201]: unknown data key notes") == 1, output
    assert "--> rules/notes.rules:17:14" in output
    assert "did you mean note?" in output
    assert "Traceback" not in output


def test_the_hook_repository_is_pinned_by_its_release_tag(hook_repo: Path) -> None:
    assert git(hook_repo, "describe", "--tags", "--exact-match", f"{TAG}^{{commit}}") == TAG
    assert git(hook_repo, "rev-parse", f"{TAG}^{{commit}}") != git(hook_repo, "rev-parse", "HEAD")


def test_committed_code_a_current_repository_passes(committed: Path, environ: dict[str, str]) -> None:
    result = pre_commit(committed, environ)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "privlex compile" in output and output.count("Passed") == 1, output


def test_committed_code_compile_regenerates_and_fails_when_files_changed(
    committed: Path, environ: dict[str, str]
) -> None:
    rules = committed / "rules" / "notes.rules"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("Never the notes of minors", "No notes of minors"), encoding="utf-8"
    )
    git(committed, "add", "rules/notes.rules")
    result = pre_commit(committed, environ)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output
    assert "updated: generated/acme_rules/notes.py" in output
    assert "No notes of minors" in (committed / "generated" / "acme_rules" / "notes.py").read_text(encoding="utf-8")
    git(committed, "add", "-A")
    again = pre_commit(committed, environ)
    assert again.returncode == 0, again.stdout + again.stderr


def test_committed_code_an_error_is_reported_once(committed: Path, environ: dict[str, str]) -> None:
    _misspell(committed)
    before = {p.name: p.read_bytes() for p in (committed / "generated" / "acme_rules").iterdir()}
    result = pre_commit(committed, environ)
    assert result.returncode == 1, result.stdout + result.stderr
    _reported_once(result.stdout + result.stderr)
    assert {p.name: p.read_bytes() for p in (committed / "generated" / "acme_rules").iterdir()} == before


def test_ignored_code_check_passes_and_writes_nothing(ignored: Path, environ: dict[str, str]) -> None:
    result = pre_commit(ignored, environ)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "privlex check" in output and output.count("Passed") == 1, output
    assert not (ignored / "generated").exists()


def test_ignored_code_an_error_is_reported_once(ignored: Path, environ: dict[str, str]) -> None:
    _misspell(ignored)
    result = pre_commit(ignored, environ)
    assert result.returncode == 1, result.stdout + result.stderr
    _reported_once(result.stdout + result.stderr)


def test_compile_hook_does_not_fail_on_ignored_generated_code(ignored: Path, environ: dict[str, str]) -> None:
    """privlex-compile in a project that git-ignores its output writes it, and does not ask to add it."""
    (ignored / ".pre-commit-config.yaml").write_text(_config(ignored_hook_repo(ignored), "privlex-compile"), "utf-8")
    git(ignored, "add", ".pre-commit-config.yaml")
    result = pre_commit(ignored, environ)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output  # pre-commit shows a passing hook's own words only with --verbose
    assert (ignored / "generated" / "acme_rules" / "__init__.py").is_file()


def ignored_hook_repo(project: Path) -> Path:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return Path(config["repos"][0]["repo"])
