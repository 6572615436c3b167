"""One project, every command: a folder anywhere on disk that builds on the shipped GDPR with its own ruleset.

`compile`, `check`, `test`, `decide`, `explain` and `filter` all read the same
`[tool.privlex]` (found from any subfolder, or named with --config) and decide
with the project's own package, compiled on the fly into a cache when stale.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from privlex.build.config import load
from privlex.build.library import Shipped, shipped_files, shipped_rulesets
from privlex.build.project import generated_hash, package_for
from privlex.cli import main

PACKAGE = "acme_policy_rules"
POLICY = """\
# Acme's own policy, on top of the shipped GDPR.
data content.meeting_notes "Notes taken in a meeting"

define opted_in "The person opted in to training in the app":
    consent.given and not consent.bundled

ruleset acme "Acme data policy":
    law "Acme data policy, version 1"
    covers EEA
    from 2024-01-01
    obligation log_runs "Log every training run that used the data" cites "Policy s.2"
    otherwise permit "Nothing in the policy stands in the way" cites "Policy s.1"

    rule meeting_notes "Meeting notes only with an opt-in":
        cites "Policy s.3"
        data content.meeting_notes
        purpose ai.training
        deny when not opted_in

    test notes_without_opt_in "Meeting notes of someone who did not opt in":
        on 2025-06-01
        given region DE, data content.meeting_notes, purpose ai.training
        expect deny by meeting_notes

    test notes_opted_in "Meeting notes of someone who opted in":
        on 2025-06-01
        given region DE, data content.meeting_notes, purpose ai.training, consent.given
        expect permit by default with obligations log_runs

test both "The GDPR and the policy both apply in Germany":
    on 2025-06-01
    given region DE, data content.meeting_notes, purpose ai.training, consent.given, legal_basis consent
    expect permit by gdpr.consent, acme.default
"""
USE = ["--region", "DE", "--data", "content.meeting_notes", "--purpose", "ai.training", "--date", "2025-06-01"]


def write_project(root: Path) -> Path:
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "acme.rules").write_text(POLICY, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "acme-policy"\n\n[tool.privlex]\nsources = ["privlex:shipped/gdpr", "rules"]\nout = "src"\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = write_project(tmp_path / "somewhere" / "acme-policy")
    monkeypatch.setenv("PRIVLEX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    yield root
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def compiled_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's package as `privlex compile` writes it, compiled once for the tests that start from it."""
    root = write_project(tmp_path_factory.mktemp("compiled") / "acme-policy")
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as err:
        patch.setenv("PRIVLEX_CACHE_DIR", str(root.parent / "cache"))
        patch.chdir(root)
        assert main(["compile"]) == 0, err.getvalue()
    return root / "src"


@pytest.fixture
def compiled(project: Path, compiled_once: Path) -> Path:
    """The project, compiled: a fresh copy of `compiled_once` for one test to make stale."""
    shutil.copytree(compiled_once, project / "src")
    return project


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_library_is_the_shipped_rule_files() -> None:
    assert {"gdpr", "ccpa"} <= set(shipped_rulesets())
    names = [p.name for p in shipped_files(Shipped("gdpr"))]
    assert "gdpr.rules" in names and "vocabulary.rules" in names and "regions.rules" in names
    assert "ccpa.rules" not in names


def test_compile_test_decide_explain_with_the_projects_own_package(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "compile")
    assert code == 0, err
    init = (project / "src" / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert '"privlex:shipped/gdpr.rules",' in init and '"rules/acme.rules",' in init
    assert "privlex:shipped/ccpa.rules" not in init

    code, out, err = run(capsys, "test", "--require-coverage")
    assert code == 0, out + err
    assert "0 failed" in err

    (project / "rules" / "deep").mkdir()
    (project / "rules" / "deep" / "README").write_text("a subfolder\n", encoding="utf-8")
    os_chdir = pytest.MonkeyPatch()
    os_chdir.chdir(project / "rules" / "deep")  # found from any subfolder
    try:
        code, out, err = run(capsys, "decide", *USE, "--json")
    finally:
        os_chdir.undo()
    assert code == 0, err
    printed = json.loads(out)
    assert printed["package"] == PACKAGE
    assert printed["source_hash"] == f"sha256:{generated_hash(project / 'src' / PACKAGE)}"
    assert printed["outcome"] == "deny" and printed["rulesets"] == ["acme", "gdpr"]
    assert {(r["ruleset"], r["rule"]) for r in printed["reasons"]} == {("acme", "meeting_notes"), ("gdpr", "default")}
    assert err == "", "a current package is used without a note"

    code, out, err = run(capsys, "explain", *USE, "--set", "consent.given=true", "--set", "legal_basis=consent")
    assert code == 0, err
    assert out.startswith("permit")
    assert "acme log_runs: Log every training run that used the data (from every permit of the ruleset)" in out
    assert "privlex:shipped/gdpr.rules:" in out


def test_a_stale_package_is_compiled_on_the_fly_with_a_note(
    compiled: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = compiled
    policy = project / "rules" / "acme.rules"
    policy.write_text(POLICY.replace("deny when not opted_in", "deny"), encoding="utf-8")
    code, out, err = run(capsys, "decide", *USE, "--set", "consent.given=true", "--json")
    assert code == 0, err
    assert "src/acme_policy_rules is stale" in err and "privlex compile" in err
    assert json.loads(out)["reasons"][0]["rule"] == "meeting_notes", "decided with the rules as they are now"
    assert list((tmp_path / "cache").glob(f"*/{PACKAGE}/_program.json"))
    stale = generated_hash(project / "src" / PACKAGE)
    assert json.loads(out)["source_hash"] != f"sha256:{stale}"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")
def test_a_stale_package_is_never_compiled_into_a_cache_folder_others_can_write_to(
    compiled: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Packages in the cache folder are imported: one that others can write to could hold their code."""
    project = compiled
    (project / "rules" / "acme.rules").write_text(POLICY.replace("deny when not opted_in", "deny"), encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    cache.chmod(0o777)
    kept = sorted(cache.iterdir())
    code, out, err = run(capsys, "decide", *USE, "--set", "consent.given=true")
    assert code == 1 and out == ""  # as for rules with errors: the project cannot give its checkers
    assert f"privlex will not compile the rules into its cache folder: others can write to {cache}" in err
    assert "PRIVLEX_CACHE_DIR" in err and sorted(cache.iterdir()) == kept


def test_filter_and_its_decisions_log_use_the_projects_package(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"region": "DE", "data": "content.meeting_notes", "purpose": "ai.training", "date": "2025-06-01"},
        {
            "region": "DE",
            "data": "content.meeting_notes",
            "purpose": "ai.training",
            "date": "2025-06-01",
            "legal_basis": "consent",
            "consent": {"given": True},
        },
    ]
    (project / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, _, err = run(capsys, "filter", "rows.jsonl", "--out", "kept.jsonl", "--decisions", "log.jsonl")
    assert code == 0, err
    assert "is not generated" in err  # nothing compiled yet: the cache serves
    kept = (project / "kept.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["consent"] for line in kept] == [{"given": True}]
    header = json.loads((project / "log.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert header["package"] == PACKAGE
    assert header["source_hash"] == f"sha256:{sys.modules[PACKAGE].SOURCE_HASH}"


def test_a_name_the_library_declares_is_an_error_naming_both_places(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "rules" / "clash.rules").write_text('data content.chat "Our own chats"\n', encoding="utf-8")
    code, _, err = run(capsys, "check")
    assert code == 1
    assert "error[E202]: data key content.chat is declared twice (first at privlex:shipped/vocabulary.rules:" in err
    assert "--> rules/clash.rules:1:6" in err
    assert "the shipped law (privlex:shipped) declares it already" in err


def test_an_unknown_shipped_ruleset_is_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "privlex:shipped/gdrp", "rules")
    assert code == 2
    assert "privlex:shipped/gdrp is not a shipped ruleset; did you mean privlex:shipped/gdpr?" in err
    (project / "pyproject.toml").write_text(
        '[tool.privlex]\nsources = ["privlex:shipped/cppa", "rules"]\n', encoding="utf-8"
    )
    code, _, err = run(capsys, "check")
    assert code == 2 and "error[E002]" in err and "privlex:shipped/cppa is not a shipped ruleset" in err


def test_paths_outside_any_project_join_the_project_and_two_projects_are_named(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "extra.rules").write_text('data content.whiteboard "Whiteboard photos"\n', encoding="utf-8")
    code, _, err = run(capsys, "check", "privlex:shipped/gdpr", "rules", str(loose))
    assert code == 0, err
    other = tmp_path / "other"
    (other / "rules").mkdir(parents=True)
    (other / "pyproject.toml").write_text("[tool.privlex]\n", encoding="utf-8")
    (other / "rules" / "x.rules").write_text('data x "X"\n', encoding="utf-8")
    code, _, err = run(capsys, "check", "rules", str(other / "rules"))
    assert code == 2
    assert "the paths belong to different projects" in err and "pyproject.toml" in err
    assert "--config FILE" in err


def test_outside_any_project_the_shipped_checkers_decide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load(None, tmp_path)
    assert package_for(settings).__name__ == "privlex_rules"
