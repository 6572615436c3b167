"""`privlex diff`: the decisions that change between two versions, as readable regions of uses."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, compile_unit, git, needs_git, quick_or_slow
from privlex.cli import main

z3 = pytest.importorskip("z3")

from privlex.verify.describe import describe_cube  # noqa: E402
from privlex.verify.diff import Diff, _class, diff_programs  # noqa: E402
from privlex.verify.encode import encode  # noqa: E402
from privlex.verify.report import render  # noqa: E402
from privlex.verify.solve import Solver  # noqa: E402

RULESETS = ROOT / "rulesets"
# The GDPR and the CCPA with the shipped vocabulary: two regimes make every kind of change,
# and the solver answers in seconds (the whole library is the benchmark's, benchmarks/verify.py).
UNIT = ("vocabulary.rules", "regions.rules", "gdpr.rules", "ccpa.rules")
DENMARK_2024 = "        DK: 13 until 2023-12-31\n        DK: 15 from 2024-01-01\n"
# One small regime (its own vocabulary, three countries): what does not depend on the shipped law's
# size is checked on it in the quick run, on the GDPR and CCPA in the full run.
SMALL = TESTS / "verify" / "properties"


def copy_rules(target: Path, edit: dict[str, list[tuple[str, str]]] | None = None) -> Path:
    """The shipped GDPR and CCPA in `target`, each file edited by (old, new) replacements."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(RULESETS / name for name in UNIT):
        text = path.read_text(encoding="utf-8")
        for old, new in (edit or {}).get(path.name, []):
            assert old in text, (path.name, old)
            text = text.replace(old, new)
        (target / path.name).write_text(text, encoding="utf-8")
    return target


def copy_small(target: Path, edit: list[tuple[str, str]]) -> Path:
    """The small regime in `target`, its rules edited by (old, new) replacements."""
    shutil.copytree(SMALL, target)
    rules = target / "rules.rules"
    text = rules.read_text(encoding="utf-8")
    for old, new in edit:
        assert old in text, old
        text = text.replace(old, new)
    rules.write_text(text, encoding="utf-8")
    return target


def denmark_stays_13(tmp_path: Path) -> Path:
    return copy_rules(tmp_path / "old", {"gdpr.rules": [(DENMARK_2024, "        DK: 13\n")]})


def diff_of(old: Path | tuple[Path, ...], new: Path | tuple[Path, ...], jobs: int = 1) -> Diff:
    """The diff of two units, each a folder or its files."""
    before = compile_unit(*old if isinstance(old, tuple) else (old,)).program
    after = compile_unit(*new if isinstance(new, tuple) else (new,)).program
    assert before is not None and after is not None
    return diff_programs(before, after, timeout=60, jobs=jobs)


def unsound_regions(diff: Diff) -> list[str]:
    """The regions of which either is false: every use inside that the old rules decided as the change
    says gets the new decision; the change happens at some use inside."""
    before, after = encode(diff.space, 0), encode(diff.space, 1)
    solver = Solver(diff.space, 60, [before, after])
    found = []
    for change in diff.changes:
        if change.ruleset is not None:
            continue
        happens, was = _class(before, after, change)
        for cube in change.cubes:
            inside = cube.term(diff.space)
            if solver.holds(inside, was, z3.Not(happens)) or not solver.holds(inside, happens):
                found.append(f"{describe_cube(diff.space, diff.new.vocabulary, cube)}: {change.describe()}")
    return found


def lines(diff: Diff) -> list[tuple[str, str]]:
    return [
        (describe_cube(diff.space, diff.new.vocabulary, cube), change.describe())
        for change in diff.changes
        for cube in change.cubes
    ]


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The GDPR and CCPA as shipped."""
    return copy_rules(tmp_path_factory.mktemp("current"))


@dataclass(frozen=True)
class Regime:
    """Where Denmark raised its age of consent from 13 to 15 in 2024, and the names the diff shows."""

    rules: Path  # the file that holds the ruleset
    ruleset: str
    guardian: str  # the exception for a parent's consent
    reasons_only: tuple[str, ...]  # the changes of reasons alone, besides the guardian's


REGIMES = {
    # The small regime in the quick run; the GDPR (and the CCPA) as shipped in the full run.
    "small": Regime(SMALL / "rules.rules", "eu", "parent", ()),
    "shipped": Regime(RULESETS / "gdpr.rules", "gdpr", "guardian", ("deny (+gdpr.consent.child)",)),
}


@pytest.fixture(scope="module", params=quick_or_slow(REGIMES, {"small"}))
def regime(request: pytest.FixtureRequest) -> Regime:
    return REGIMES[request.param]


@pytest.fixture(scope="module")
def denmark(tmp_path_factory: pytest.TempPathFactory, regime: Regime) -> Diff:
    """Denmark's age of consent raised in 2024, diffed against a copy in which it stays 13."""
    folder = tmp_path_factory.mktemp("denmark")
    if regime.ruleset == "eu":
        return diff_of(copy_small(folder / "old", [(DENMARK_2024, "        DK: 13\n")]), SMALL)
    # The new version is the shipped files themselves, whose compilation other tests share (conftest's compile_unit).
    return diff_of(denmark_stays_13(folder), tuple(RULESETS / name for name in UNIT))


def test_denmark_raising_its_age_of_consent(denmark: Diff, regime: Regime) -> None:
    found = lines(denmark)
    consent, child = f"{regime.ruleset}.consent", f"{regime.ruleset}.consent.child"
    guardian = f"permit ({consent} → {child}.{regime.guardian})"
    # The change of outcome, exactly as a reviewer reads it (the one change of outcome:
    # duties that hold under a condition are no rules, so they multiply no changes).
    assert (
        "DK · subject.age 13–14 · not consent.by_guardian · from 2024-01-01",
        f"permit ({consent}) → deny ({child})",
    ) in found
    described = [c.describe() for c in denmark.changes]
    assert guardian in described
    for change in regime.reasons_only:
        assert change in described
    for change in described:
        assert change.endswith(f"→ deny ({child})") or change in (*regime.reasons_only, guardian), change
    # Every region is Denmark's 13- and 14-year-olds from 2024 on, and nothing else changed.
    for where, _ in found:
        assert where.startswith("DK · ") and "subject.age 13–14" in where, where
        assert where.rsplit("from ", 1)[1] >= "2024-01-01", where
    assert denmark.parameters == [(f"{regime.ruleset}.consent_age", ("DK",))]
    assert not denmark.truncated and not denmark.obligations


def test_every_region_is_exact(denmark: Diff) -> None:
    assert unsound_regions(denmark) == []


def same_in_two_processes(here: Diff, in_two: Diff) -> None:
    documents = [json.loads(render(diff, "json", "old", "new")) for diff in (here, in_two)]
    for document in documents:
        assert document.pop("seconds") >= 0
    assert documents[0] == documents[1]
    assert [c.more for c in in_two.changes] == [c.more for c in here.changes]


def test_the_regions_do_not_depend_on_the_number_of_processes(tmp_path: Path) -> None:
    # Each change is described in a fresh solver context, wherever and after whatever: the changes
    # of a small regime, described here and in two worker processes.
    new = copy_small(tmp_path / "new", [("DK: 15 from 2024-01-01", "DK: 16 from 2024-01-01")])
    here = diff_of(SMALL, new)
    assert len(here.changes) >= 2  # one for each worker
    same_in_two_processes(here, diff_of(SMALL, new, jobs=2))


@pytest.mark.slow  # the Denmark diff again, in two processes; a small regime's is the quick run's
@pytest.mark.parametrize("regime", ["shipped"], indirect=True)
def test_the_regions_of_the_shipped_law_do_not_depend_on_the_number_of_processes(
    tmp_path: Path, current: Path, denmark: Diff, regime: Regime
) -> None:
    same_in_two_processes(denmark, diff_of(denmark_stays_13(tmp_path), current, jobs=2))


@pytest.mark.slow  # a solver run over the GDPR and CCPA; the Denmark diff is the quick run's
def test_a_refactor_changes_no_decision(tmp_path: Path, current: Path) -> None:
    refactored = copy_rules(
        tmp_path / "new",
        {
            "gdpr.rules": [
                # De Morgan on booleans, which are never unknown
                (
                    "            consent.explicit\n"
                    "            and not consent.withdrawn\n"
                    "            and not consent.bundled\n"
                    "            and not administrator_consent_only\n",
                    "            not (not consent.explicit or consent.withdrawn or consent.bundled\n"
                    "                 or administrator_consent_only)\n",
                ),
                # the same day written the other way round
                ("date >= 2019-01-23", "date > 2019-01-22"),
                # Denmark's value spelt out as the rest of the EEA's for DE
                ("        DE: 16\n", ""),
                # layout
                ("    rule contract ", "\n\n    rule contract "),
            ],
            "ccpa.rules": [
                (
                    "            and subject.age >= 13\n            and subject.age < 16\n",
                    "            and subject.age < 16\n            and subject.age >= 13\n",
                )
            ],
        },
    )
    diff = diff_of(current, refactored)
    assert diff.changes == [] and diff.unchanged
    assert diff.parameters == [("gdpr.consent_age", ("DE",))] or diff.parameters == []


def test_an_obligation_added_to_a_small_regime_is_a_change(tmp_path: Path) -> None:
    permit = "        permit when legal_basis is contract\n"
    duty = '        obligation tell_people "Tell people" cites "Art. 13"\n'
    diff = diff_of(SMALL, copy_small(tmp_path / "new", [(permit, permit + duty)]))
    assert diff.changes == []
    assert diff.obligations == [("eu.contract", (), ("tell_people",))]
    assert not diff.unchanged


@pytest.mark.slow  # a solver run over the GDPR and CCPA; a small regime's is the quick run's
def test_an_obligation_added_is_a_change(tmp_path: Path, current: Path) -> None:
    edited = copy_rules(
        tmp_path / "new",
        {
            "gdpr.rules": [
                (
                    '        obligation name_the_law "Record',
                    '        obligation tell_people "Tell people" cites "GDPR Art. 13"\n'
                    '        obligation name_the_law "Record',
                )
            ]
        },
    )
    diff = diff_of(current, edited)
    assert diff.changes == []
    assert diff.obligations == [
        ("gdpr.legal_obligation", ("name_the_law",), ("tell_people", "name_the_law")),
    ]
    assert not diff.unchanged


def test_diff_formats(denmark: Diff, regime: Regime) -> None:
    consent, child = f"{regime.ruleset}.consent", f"{regime.ruleset}.consent.child"
    reasons_only = 1 + len(regime.reasons_only)
    text = render(denmark, "text", "old", "new")
    assert text.splitlines()[0].startswith(
        f"privlex diff old → new: 1 change of outcome, {reasons_only} change{'s' * (reasons_only > 1)} of reasons only"
    )
    assert (
        f"DK · subject.age 13–14 · not consent.by_guardian · from 2024-01-01: permit ({consent}) → deny ({child})"
    ) in text.splitlines()
    document = json.loads(render(denmark, "json", "old", "new"))
    change = next(c for c in document["changes"] if c["old"] == {"outcome": "permit", "reasons": [consent]})
    assert change["kind"] == "outcome"
    assert change["old"] == {"outcome": "permit", "reasons": [consent]}
    assert change["new"] == {"outcome": "deny", "reasons": [child]}
    # The region is found by what it says, not by its place: which of the equally correct
    # regions the solver finds first depends on how it searches (docs/performance.md, issue 14).
    where = "DK · subject.age 13–14 · not consent.by_guardian · from 2024-01-01"
    region = next(r for r in change["regions"] if r["text"] == where)
    assert sorted(region["conditions"], key=lambda c: c["fact"]) == [
        {"fact": "consent.by_guardian", "is": False},
        {"fact": "date", "from": "2024-01-01", "until": "2100-12-31"},
        {"fact": "region", "in": ["DK", "DK-*"]},
        {"fact": "subject.age", "from": 13, "to": 14, "unknown": False},
    ]
    assert sorted(c["kind"] for c in document["changes"]) == ["outcome"] + ["reasons"] * reasons_only
    assert document["parameters"] == [{"parameter": f"{regime.ruleset}.consent_age", "regions": ["DK"]}]
    markdown = render(denmark, "markdown", "old", "new")
    assert f"| DK · subject.age 13–14 · not consent.by_guardian · from 2024-01-01 | permit ({consent}) |" in markdown
    notices = render(denmark, "github", "old", "new").splitlines()
    rules = regime.rules.read_text(encoding="utf-8").splitlines()
    child_line = next(i for i, line in enumerate(rules, 1) if 'unless child "' in line)
    assert any(n.startswith("::notice file=") and f"{regime.rules.name},line={child_line}," in n for n in notices)
    parameter = next(i for i, line in enumerate(rules, 1) if "parameter consent_age" in line)
    assert any(f"line={parameter}," in n and f"{regime.ruleset}.consent_age changed for DK" in n for n in notices)


@pytest.mark.slow
def test_diff_exit_codes(tmp_path: Path, current: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(current), str(current), "--exit-code"]) == 0
    assert "no decision changed" in capsys.readouterr().out
    assert main(["diff", str(denmark_stays_13(tmp_path)), str(current), "--exit-code", "--outcomes-only"]) == 1
    assert capsys.readouterr().out.splitlines()[1].endswith("permit (gdpr.consent) → deny (gdpr.consent.child)")
    assert main(["diff", str(tmp_path / "nowhere"), str(current)]) == 2
    assert "neither a folder nor a git revision" in capsys.readouterr().err


@pytest.mark.slow
@needs_git
def test_diff_of_git_revisions_leaves_the_work_tree_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    copy_rules(project / "rules")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.privlex]\nsources = ["rules"]\nout = "out"\npackage = "demo_rules"\n',
        encoding="utf-8",
    )
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "v1: Denmark at 13")
    gdpr = project / "rules" / "gdpr.rules"
    text = gdpr.read_text(encoding="utf-8")
    gdpr.write_text(text.replace(DENMARK_2024, "        DK: 13\n"), encoding="utf-8")
    git(project, "commit", "-q", "-am", "v2: Denmark stays at 13")
    git(project, "tag", "v2")
    gdpr.write_text(text, encoding="utf-8")  # the working tree: back to 15 from 2024, not committed
    monkeypatch.chdir(project)

    assert main(["diff", "HEAD~1", "v2", "--outcomes-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("privlex diff HEAD~1 → v2: 1 change of outcome")
    assert "permit (gdpr.consent.child) → deny" not in out
    assert "deny (gdpr.consent.child) → permit (gdpr.consent)" in out

    assert main(["diff", "HEAD", "--outcomes-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("privlex diff HEAD → working tree: 1 change of outcome")
    assert "permit (gdpr.consent) → deny (gdpr.consent.child)" in out

    assert main(["diff", "HEAD~1"]) == 0
    assert "no decision changed" in capsys.readouterr().out
    # The work tree is as it was: the uncommitted edit is still there.
    assert gdpr.read_text(encoding="utf-8") == text
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True)
    assert status.stdout.strip() == "M rules/gdpr.rules"


@pytest.mark.slow  # two solver runs over the GDPR and CCPA
def test_a_ruleset_added_or_removed_is_one_change(tmp_path: Path, current: Path) -> None:
    without = tmp_path / "without_ccpa"
    without.mkdir()
    for name in ("vocabulary", "regions", "gdpr"):
        shutil.copy(RULESETS / f"{name}.rules", without)
    added, removed = diff_of(without, current), diff_of(current, without, jobs=3)
    # One change each, over the uses of Californians the CCPA reaches (its thresholds and
    # exemptions make several regions of it).
    assert {change for _, change in lines(added)} == {"not applicable → decided by ccpa (a ruleset added)"}
    assert {change for _, change in lines(removed)} == {"decided by ccpa → not applicable (a ruleset removed)"}
    assert len(added.changes) == len(removed.changes) == 1
    for where, _ in lines(added) + lines(removed):
        assert where.startswith("US-CA · ") and ("from 2020-01-01" in where or "2020-01-01 to" in where), where
