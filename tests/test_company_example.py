"""examples/company: a project that ships the shipped GDPR and CCPA and its own policy, built by the hatch hook."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from privlex.cli import main
from test_build_hook import build_wheel, fresh_venv, pip_into, wheel_names

EXAMPLE = ROOT / "examples" / "company"
PACKAGE = "acme_meetings_rules"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of examples/company, anywhere on disk, without anything generated."""
    target = tmp_path / "acme-meetings"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(PACKAGE, "__pycache__", "dist", "*.egg-info"))
    monkeypatch.setenv("PRIVLEX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(target)
    yield target
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


# Its quick twin: test_project's compile-test-decide of a smaller project on the shipped GDPR and its own rules.
@pytest.mark.slow
def test_the_law_and_the_policy_pass_their_tests(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--warnings-as-errors"]) == 0
    assert main(["test", "--require-coverage"]) == 0
    assert "0 failed" in capsys.readouterr().err
    assert main(["decide", "--region", "DE", "--data", "content.chat", "--purpose", "ai.training", "--json",
                 "--set", "consent.given=true", "--set", "consent.bundled=true"]) == 0  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed["package"] == PACKAGE and printed["outcome"] == "deny"
    assert {r["ruleset"] for r in printed["reasons"]} == {"gdpr", "acme"}


@pytest.mark.slow
def test_the_wheel_built_by_the_hook_carries_law_and_policy(project: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = build_wheel(project, dist)
    assert result.returncode == 0, result.stdout + result.stderr
    names = wheel_names(dist)
    for name in (
        "__init__.py",
        "_validate.py",
        "_vocabulary.py",
        "gdpr.py",
        "ccpa.py",
        "acme.py",
        "_program.json",
        "py.typed",
    ):
        assert f"{PACKAGE}/{name}" in names, names
    with zipfile.ZipFile(next(dist.glob("*.whl"))) as archive:
        header = archive.read(f"{PACKAGE}/__init__.py").decode("utf-8")
    for source in ("privlex:shipped/gdpr.rules", "privlex:shipped/regions.rules", "rules/policy.rules"):
        assert f'    "{source}",\n' in header, header

    python = fresh_venv(tmp_path / "venv")
    installed = pip_into(python, str(next(dist.glob("*.whl"))))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    call = (
        "import acme_meetings, acme_meetings_rules as rules\n"
        "print(acme_meetings.may_train_on('DE', 'content.chat', opted_in=True))\n"
        "print(acme_meetings.may_train_on('DE', 'content.chat', opted_in=True, bundled=True))\n"
        "d = rules.check({'region': 'DE', 'data': 'content.chat', 'purpose': 'ai.training',"
        " 'consent': {'given': True, 'bundled': True}})\n"
        "print(sorted(r.source.rsplit(':', 1)[0] for r in d.reasons))\n"
        "print(d.explain().to_dict()['package'])\n"
    )
    called = subprocess.run([str(python), "-c", call], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert called.returncode == 0, called.stderr
    assert called.stdout.splitlines() == [
        "True",
        "False",
        "['privlex:shipped/gdpr.rules', 'rules/policy.rules']",
        PACKAGE,
    ]


@pytest.mark.slow
def test_privlex_wheel_carries_the_shipped_rule_files(tmp_path: Path) -> None:
    result = build_wheel(ROOT, tmp_path / "dist")
    assert result.returncode == 0, result.stdout + result.stderr
    names = wheel_names(tmp_path / "dist")
    shipped = sorted(p.name for p in (ROOT / "rulesets").glob("*.rules"))
    assert sorted(n.removeprefix("privlex/library/") for n in names if n.startswith("privlex/library/")) == shipped
