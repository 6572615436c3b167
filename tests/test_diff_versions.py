"""`privlex diff` reading its two versions: git revisions and folders that are odd or hostile."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import TESTS, git, needs_git
from privlex.cli import main

pytest.importorskip("z3")

UNIT = TESTS / "verify" / "properties"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git project (in a folder whose name has a space) with the fixture unit committed once."""
    folder = tmp_path / "a project"
    shutil.copytree(UNIT, folder / "rules")
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.privlex]\nsources = ["rules"]\n', encoding="utf-8"
    )
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "v1")
    monkeypatch.chdir(folder)
    return folder


@needs_git
@pytest.mark.parametrize("target", ["/etc/hostname", "../../outside.rules"])
def test_a_committed_link_out_of_the_project_is_refused_not_a_traceback(
    project: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(target, project / "rules" / "linked.rules")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "a link")
    assert main(["diff", "HEAD", "HEAD~1"]) == 2
    err = capsys.readouterr().err
    assert "rules/linked.rules" in err and "link" in err and "Traceback" not in err


@needs_git
def test_a_source_beside_the_project_in_the_repository_is_read_from_the_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A monorepo: the project's pyproject.toml in a subfolder, one of its sources in `../common-rules`."""
    repository = tmp_path / "repository"
    shutil.copytree(UNIT, repository / "common-rules")
    (repository / "project").mkdir()
    (repository / "project" / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.privlex]\nsources = ["../common-rules"]\n', encoding="utf-8"
    )
    git(repository, "init", "-q")
    git(repository, "add", ".")
    git(repository, "commit", "-q", "-m", "v1")
    rules = repository / "common-rules" / "rules.rules"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("DK: 15 from 2024-01-01", "DK: 16 from 2024-01-01"), encoding="utf-8")
    monkeypatch.chdir(repository / "project")
    assert main(["diff", "HEAD", "--outcomes-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("privlex diff HEAD → working tree: 1 change of outcome"), out


@needs_git
def test_a_source_outside_the_repository_is_a_usage_error(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(UNIT, tmp_path / "elsewhere")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.privlex]\nsources = ["../elsewhere"]\n', encoding="utf-8"
    )
    assert main(["diff", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert "outside the git repository" in err and "Traceback" not in err


def test_hostile_folder_names_stay_inside_markdown_and_annotations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "a`b\n## injected ::error::x %0A"
    shutil.copytree(UNIT, tmp_path / hostile)
    monkeypatch.chdir(tmp_path)
    assert main(["diff", hostile, str(UNIT), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("### privlex diff ``a`b ## injected ::error::x %0A`` → `")
    assert "\n## injected" not in markdown
    assert main(["diff", hostile, str(UNIT), "--format", "github"]) == 0
    notices = capsys.readouterr().out.splitlines()
    assert notices and all(line.startswith("::notice ") for line in notices)
    assert "a`b%0A## injected ::error::x %250A →" in notices[0]  # the message part escapes %, CR, LF


def test_a_version_that_does_not_compile_is_exit_2_not_a_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --exit-code, 1 means that decisions changed: a broken version must not read as one."""
    broken = tmp_path / "broken"
    shutil.copytree(UNIT, broken)
    with (broken / "rules.rules").open("a", encoding="utf-8") as rules:
        rules.write("\nrule stray\n")
    assert main(["diff", str(UNIT), str(broken), "--exit-code"]) == 2
    err = capsys.readouterr().err
    assert "does not compile" in err and "error[E101]" in err
    assert "broken/rules.rules:" in err  # named as from the current folder, not from the version's own


@needs_git
def test_annotations_name_files_from_the_current_folder_as_the_diagnostics_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A workflow runs in the repository's top folder; the project's pyproject.toml is in a subfolder."""
    repository = tmp_path / "repository"
    shutil.copytree(UNIT, repository / "project" / "rules")
    (repository / "project" / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.privlex]\nsources = ["rules"]\n', encoding="utf-8"
    )
    git(repository, "init", "-q")
    git(repository, "add", ".")
    git(repository, "commit", "-q", "-m", "v1")
    rules = repository / "project" / "rules" / "rules.rules"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("DK: 15 from 2024-01-01", "DK: 16 from 2024-01-01"), encoding="utf-8")
    monkeypatch.chdir(repository)
    assert main(["diff", "HEAD", "--config", "project/pyproject.toml", "--format", "github"]) == 0
    notices = capsys.readouterr().out.splitlines()
    assert notices and all(line.startswith("::notice file=project/rules/rules.rules,line=") for line in notices)


def firm_project(tmp_path: Path, covers: str) -> tuple[Path, str]:
    """A project on the shipped GDPR and its own `rules/`, a firm's policy covering `covers`, and the policy's
    text; `old-rules/` holds the policy before its age of 18 became 17."""
    project = tmp_path / "project"
    (project / "rules").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.privlex]\nsources = ["privlex:shipped/gdpr", "rules"]\n', encoding="utf-8"
    )
    policy = (
        f'ruleset firm "Firm policy":\n    law "Policy"\n    covers {covers}\n'
        '    otherwise permit "Fine" cites "s.1"\n\n'
        '    rule young "Young people":\n        cites "s.2"\n        purpose ai.training\n'
        "        deny when subject.age < 18\n"
    )
    (project / "rules" / "policy.rules").write_text(policy, encoding="utf-8")
    shutil.copytree(project / "rules", project / "old-rules")
    (project / "rules" / "policy.rules").write_text(policy.replace("< 18", "< 17"), encoding="utf-8")
    return project, policy


def test_a_folder_of_rules_on_the_shipped_law_is_compared_with_the_shipped_law(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`privlex diff old-rules/ rules/` in a project whose sources are the shipped GDPR and its own folder."""
    # The firm's rules cover Denmark alone: the GDPR decides with them there, in fewer regions than the EEA's.
    project, policy = firm_project(tmp_path, "DK")
    monkeypatch.chdir(project)
    assert main(["diff", "old-rules", "rules", "--outcomes-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("privlex diff old-rules → rules: "), out
    assert all("subject.age 17" in line and "deny (firm.young) → permit" in line for line in out.splitlines()[1:])
    assert "gdpr.consent)" in out  # the shipped GDPR decides with the firm's rules
    # A folder that does not compile either way shows the errors of the reading with fewer.
    (project / "old-rules" / "policy.rules").write_text(policy.replace("DK", "DKK"), encoding="utf-8")
    assert main(["diff", "old-rules", "rules"]) == 2
    err = capsys.readouterr().err
    assert "unknown region DKK" in err and "unknown fact subject.age" not in err


def test_markdown_cells_are_literal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`a.*, b.*` in a Markdown cell would render as `a., b.` with italics between: the stars pair up."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    keys = "".join(f'data {key} "{key}"\n' for key in ("a", "a.x", "b", "b.y", "c", "d", "e", "f"))
    (old / "vocabulary.rules").write_text(keys + 'purpose p "P"\ncountry DK "Denmark"\n', encoding="utf-8")
    ruleset = 'ruleset r "R":\n    law "R"\n    covers DK\n    otherwise permit "Fine" cites "s.1"\n'
    (old / "r.rules").write_text(ruleset, encoding="utf-8")
    shutil.copytree(old, new)
    rule = '\n    rule no_ab "Not a or b":\n        cites "s.2"\n        data a, b\n        deny\n'
    (new / "r.rules").write_text(ruleset + rule, encoding="utf-8")
    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| a.")]
    assert rows == ["| a.\\*, b.\\* | permit (r.default) | deny (r.no_ab) |"]


def test_outcomes_only_does_not_claim_that_no_decision_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deny rule added where another denies already: the reasons change, the outcome does not."""
    new = tmp_path / "new"
    shutil.copytree(UNIT, new)
    rules = new / "rules.rules"
    health = '    rule health "Health data":\n'
    also = (
        '    rule also "Health data again":\n        cites "Art. 9"\n'
        "        data health\n        deny when not consent.given\n\n"
    )
    rules.write_text(rules.read_text(encoding="utf-8").replace(health, also + health), encoding="utf-8")
    assert main(["diff", str(UNIT), str(new), "--exit-code"]) == 1
    assert "no decision changed" not in capsys.readouterr().out
    assert main(["diff", str(UNIT), str(new), "--exit-code", "--outcomes-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("privlex diff ") and ": no outcome changed (" in out and "no decision changed" not in out


def test_a_fact_of_another_kind_cannot_be_compared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "new"
    shutil.copytree(UNIT, new)
    vocabulary, rules = new / "vocabulary.rules", new / "rules.rules"
    text = vocabulary.read_text(encoding="utf-8")
    text = text.replace("boolean implies consent.given", "integer from 0 to 3")
    vocabulary.write_text(text, encoding="utf-8")
    text = rules.read_text(encoding="utf-8").replace("not consent.by_guardian", "consent.by_guardian < 1")
    rules.write_text(text.replace("when consent.by_guardian\n", "when consent.by_guardian > 0\n"), encoding="utf-8")
    assert main(["diff", str(UNIT), str(new)]) == 2
    assert (
        "the versions cannot be compared: fact consent.by_guardian is a boolean in one version "
        "and an integer in the other"
    ) in capsys.readouterr().err


# A project on the shipped GDPR, compiled and described twice: the quick run checks the annotation of a
# shipped location in test_formats, and the diff's annotations of the project's own files above.
@pytest.mark.slow
def test_annotations_on_the_shipped_law_name_it_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change that a shipped rule helps decide is annotated without `file=privlex:shipped/...`, which GitHub
    cannot attach; the project's own rules keep their file and line."""
    project, _ = firm_project(tmp_path, "EEA")
    monkeypatch.chdir(project)
    assert main(["diff", "old-rules", "rules", "--outcomes-only", "--format", "github"]) == 0
    notices = capsys.readouterr().out.splitlines()
    assert notices and all(line.startswith("::notice ") for line in notices)
    assert not [line for line in notices if "file=privlex" in line]
    shipped = [line for line in notices if not line.startswith("::notice file=")]
    assert shipped and all("::privlex:shipped/gdpr.rules:" in line for line in shipped)
    assert [line for line in notices if line.startswith("::notice file=rules/policy.rules,line=")]


def test_a_diff_that_runs_out_of_time_exits_2_as_it_could_not_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding: it exited 1, which `--exit-code` documents as "decisions changed"."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(UNIT, old)
    shutil.copytree(UNIT, new)
    rules = new / "rules.rules"
    rules.write_text(rules.read_text(encoding="utf-8").replace("DK: 15 from", "DK: 16 from"), encoding="utf-8")
    for exit_code in ([], ["--exit-code"]):
        assert main(["diff", str(old), str(new), "--timeout", "0.001", *exit_code]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "privlex diff could not finish: the solver found no answer within 0.001 s" in captured.err
        assert "raise --timeout" in captured.err


def test_a_diff_whose_worker_failed_exits_2_as_it_could_not_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from privlex.verify import diff
    from privlex.verify.processes import WorkerFailed

    def failing(*args: object, **kwargs: object) -> None:
        raise WorkerFailed("the worker ended unexpectedly")

    monkeypatch.setattr(diff, "diff_programs", failing)
    assert main(["diff", str(UNIT), str(UNIT), "--exit-code"]) == 2
    assert "privlex diff could not finish: a worker process failed" in capsys.readouterr().err
