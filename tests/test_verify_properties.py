"""Properties: written in the language, proved for every use, or refuted with a checked counterexample."""

from __future__ import annotations

import datetime
import json
import shlex
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import ROOT, TESTS, compile_unit, compiled_package, diagnostics_text, quick_or_slow
from privlex.cli import main

pytest.importorskip("z3")

import z3  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from privlex.verify.properties import check_properties  # noqa: E402
from privlex.verify.solve import Symbolic  # noqa: E402

UNIT = TESTS / "verify" / "properties"
DAY = datetime.date(2025, 6, 1)


def results(unit: Path = UNIT) -> dict[str, Any]:
    with compiled_package(unit) as (package, program):
        found = check_properties(program, lambda: package, timeout=30, today=DAY)
    return {r.prop.name: r for r in found}


def test_properties_are_built_top_level_and_inside_rulesets() -> None:
    program = compile_unit(UNIT).program
    assert program is not None
    found = {p.name: (p.ruleset, p.claim, p.effect, p.citations) for p in program.properties}
    assert found == {
        "eu.child_needs_parent": ("eu", "never", "permit", ("Policy 1",)),
        "eu.danish_teenagers": ("eu", "always", "permit", ("Policy 2",)),
        "no_training_on_contract": (None, "never", "permit", ("Policy 3",)),
        "health_needs_consent": (None, "always", "deny", ("Policy 4",)),
        "contract_never_trains": (None, "never", "permit", ("Policy 3",)),
    }


def test_holding_properties_hold() -> None:
    found = results()
    assert found["eu.child_needs_parent"].status == "holds"
    assert found["no_training_on_contract"].status == "holds"
    assert found["contract_never_trains"].status == "holds"  # through a definition


def test_a_failing_property_has_a_counterexample_the_checker_agrees_with() -> None:
    found = results()["eu.danish_teenagers"]
    assert found.status == "fails" and found.message == ""
    use = found.use
    assert use is not None and use["region"] == "DK" and use["subject"]["age"] >= 14
    # The plainest breaking use: the date preferred, facts left out where they can be.
    assert use["date"] == DAY.isoformat()
    assert found.solver is not None and found.solver.outcome == "deny"
    assert str(found.decision.effect) == "deny"  # the ruleset's own result from the generated code


def test_always_deny_is_broken_by_a_use_no_ruleset_decides() -> None:
    found = results()["health_needs_consent"]
    assert found.status == "fails"
    assert found.solver is not None and found.solver.outcome == "not_applicable"
    assert str(found.decision.outcome) == "not_applicable"


@pytest.mark.slow  # every shipped property through the solver; the Denmark counterexample is the quick run's
def test_the_shipped_properties_hold() -> None:
    found = results(ROOT / "rulesets")
    assert len(found) >= 5
    assert {name: r.status for name, r in found.items()} == {name: "holds" for name in found}


# Denmark raised its age of consent from 13 to 15 in 2024: in the small regime (the quick run) and in the
# shipped GDPR with the shipped vocabulary (the full run).
DENMARK = {
    "small": [UNIT / "vocabulary.rules", UNIT / "rules.rules"],
    "shipped": [ROOT / "rulesets" / f"{name}.rules" for name in ("vocabulary", "regions", "gdpr")],
}


@pytest.mark.parametrize("regime", quick_or_slow(DENMARK, {"small"}))
def test_the_denmark_counterexample_is_the_2024_change(tmp_path: Path, regime: str) -> None:
    """A property stating the old Danish age (13) fails from 2024 with a 13- or 14-year-old."""
    rules = tmp_path / "promise.rules"
    rules.write_text(
        'property danish_age "In Denmark a 13-year-old may consent":\n'
        '    cites "Databeskyttelsesloven s.6(2) (before 2024)"\n'
        "    never deny when (region in DK and purpose in ai.training and legal_basis is consent\n"
        "                     and consent.given and subject.age >= 13 and data in content)\n",
        encoding="utf-8",
    )
    for path in DENMARK[regime]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    found = results(tmp_path)["danish_age"]
    assert found.status == "fails"
    assert found.use is not None and found.use["subject"]["age"] in (13, 14)
    assert found.use["date"] >= "2024-01-01"
    assert [r.rule for r in found.decision.reasons] == ["consent.child"]


def test_verify_command_exit_codes_and_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(UNIT), "--today", "2025-06-01", "--no-lints"]) == 1
    out = capsys.readouterr().out
    assert "ok   eu.child_needs_parent" in out and "holds for every use" in out
    assert "FAIL eu.danish_teenagers" in out
    flags = next(line for line in out.splitlines() if "counterexample: privlex decide" in line)
    assert "--region DK" in flags and "--set subject.age=" in flags
    shlex.split(flags.split("counterexample: ", 1)[1])  # a command line a shell can run
    assert "5 properties: 3 held, 2 failed" in out
    assert main(["verify", str(UNIT), "--property", "eu.child_needs_parent", "--no-lints"]) == 0
    capsys.readouterr()
    assert main(["verify", str(UNIT), "--property", "nope"]) == 2


def test_the_checkers_are_made_only_to_re_decide_a_counterexample() -> None:
    with compiled_package(UNIT) as (package, program):
        asked: list[str] = []

        def checkers() -> ModuleType:
            asked.append("checkers")
            return package

        holding = check_properties(program, checkers, timeout=30, today=DAY, only=["no_training_on_contract"])
        assert [r.status for r in holding] == ["holds"] and asked == []
        failing = check_properties(program, checkers, timeout=30, today=DAY, only=["eu.danish_teenagers"])
        assert [r.status for r in failing] == ["fails"] and asked == ["checkers"]
        assert str(failing[0].decision.effect) == "deny"  # decided again by the generated code


def test_verify_generates_no_checkers_when_every_property_holds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import privlex.testrunner

    made: list[object] = []
    real = privlex.testrunner.GeneratedPackage

    def counted(program: object) -> object:
        made.append(program)
        return real(program)  # type: ignore[arg-type]

    monkeypatch.setattr(privlex.testrunner, "GeneratedPackage", counted)
    assert main(["verify", str(UNIT), "--property", "eu.child_needs_parent"]) == 0
    assert made == []
    assert main(["verify", str(UNIT), "--property", "eu.danish_teenagers", "--today", "2025-06-01"]) == 1
    assert len(made) == 1
    assert "decided by eu alone: deny" in capsys.readouterr().out


def test_verify_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    main(["verify", str(UNIT), "--json", "--no-lints", "--today", "2025-06-01"])
    report = json.loads(capsys.readouterr().out)
    by_name = {p["property"]: p for p in report["properties"]}
    failing = by_name["eu.danish_teenagers"]
    assert failing["status"] == "fails" and failing["claim"] == "always permit"
    assert failing["citations"] == ["Policy 2"]
    assert failing["counterexample"]["region"] == "DK"
    assert failing["decision"]["outcome"] == "deny"
    assert failing["decide"].startswith("privlex decide --region DK")
    assert by_name["no_training_on_contract"]["status"] == "holds"


def test_privlex_test_checks_properties_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(UNIT), "--today", "2025-06-01"]) == 1
    out = capsys.readouterr().err
    assert "FAIL eu.danish_teenagers" in out and "3 held, 2 failed" in out


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('property p "P":\n    cites "x"\n', "E207"),
        ('property p "P":\n    never permit when consent.given\n    never deny when consent.given\n', "E206"),
        ('property p "P":\n    never permit when consent.gvien\n', "E201"),
        ('property p.q "P":\n    never permit when consent.given\n', "E205"),
    ],
)
def test_bad_properties_are_reported(tmp_path: Path, text: str, code: str) -> None:
    (tmp_path / "vocabulary.rules").write_bytes((UNIT / "vocabulary.rules").read_bytes())
    (tmp_path / "bad.rules").write_text(text, encoding="utf-8")
    compilation = compile_unit(tmp_path)
    assert code in [d.code for d in compilation.diagnostics], diagnostics_text(compilation)
    assert compilation.program is None


def test_a_timeout_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(UNIT), "--timeout", "0"]) == 2
    assert "--timeout" in capsys.readouterr().err


def test_verify_and_diff_share_one_timeout_default() -> None:
    from privlex.cli import verify_cmd
    from privlex.verify import solve

    assert verify_cmd.DEFAULT_TIMEOUT == solve.DEFAULT_TIMEOUT


def test_a_ruleset_propertys_counterexample_says_whose_decision_it_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`privlex decide` combines every ruleset: a ruleset's own decision is labelled as that ruleset's alone."""
    for name in ("vocabulary.rules", "rules.rules"):
        (tmp_path / name).write_bytes((UNIT / name).read_bytes())
    with (tmp_path / "rules.rules").open("a", encoding="utf-8") as rules:
        rules.write(
            '\nruleset us "US Act":\n    law "US Act"\n    covers US\n    otherwise permit "Fine" cites "s.1"\n'
        )
        rules.write('\n    property everywhere "Permits in Denmark too":\n        always permit when region in DK\n')
    assert main(["verify", str(tmp_path), "--today", "2025-06-01", "--no-lints"]) == 1
    out = capsys.readouterr().out
    assert "     decided by eu alone: deny (privlex decide combines every ruleset" in out
    assert "     decided by us alone: not applicable, us does not apply (" in out
    assert "decided: deny (rulesets: eu)" not in out


def test_control_characters_in_a_title_are_refused_and_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "vocabulary.rules").write_bytes((UNIT / "vocabulary.rules").read_bytes())
    (tmp_path / "p.rules").write_text(
        'property p "Red \x1b[31mtext\x1b[0m\r, bell\x07":\n    never permit when consent.given\n', encoding="utf-8"
    )
    assert main(["verify", str(tmp_path), "--no-lints"]) == 1
    out, err = capsys.readouterr()
    assert "E105" in err and "U+001B (escape), and 3 more on this line:" in err
    assert not any(c in out + err for c in "\x1b\r\x07")


def test_a_parameter_in_a_top_level_property_is_explained(tmp_path: Path) -> None:
    for name in ("vocabulary.rules", "rules.rules"):
        (tmp_path / name).write_bytes((UNIT / name).read_bytes())
    (tmp_path / "p.rules").write_text(
        'property young "Young":\n    never permit when subject.age < consent_age\n', encoding="utf-8"
    )
    compilation = compile_unit(tmp_path)
    text = diagnostics_text(compilation)
    assert "E301" in text and "region parameters belong to a ruleset: write the property inside the ruleset" in text


def test_locations_are_shown_from_the_current_folder_as_privlex_test_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(UNIT, tmp_path / "my rules")
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "my rules", "--today", "2025-06-01", "--no-lints"]) == 1
    out = capsys.readouterr().out
    assert "FAIL eu.danish_teenagers (my rules/rules.rules:" in out
    assert "           at my rules/rules.rules:" in out  # the reasons of the counterexample's decision
    main(["verify", "my rules", "--today", "2025-06-01", "--no-lints", "--json"])
    by_name = {p["property"]: p for p in json.loads(capsys.readouterr().out)["properties"]}
    failing = by_name["eu.danish_teenagers"]
    assert failing["source"].startswith("my rules/rules.rules:")
    assert all(r["source"].startswith("my rules/") for r in failing["decision"]["reasons"])
    main(["test", "my rules", "--today", "2025-06-01"])
    assert "FAIL eu.danish_teenagers (my rules/rules.rules:" in capsys.readouterr().err


def test_a_bad_date_is_refused_before_the_lints_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(UNIT), "--today", "2025-13-01"]) == 2
    out, err = capsys.readouterr()
    assert "is not a date written YYYY-MM-DD" in err and "warning[" not in out + err


@pytest.fixture(scope="module")
def fresh_uses() -> list[dict[str, Any] | None]:
    """Each property's counterexample (or None) from a fresh solver: once for every example drawn below."""
    return [r.use for r in results().values()]


@settings(deadline=None)
@given(warm_up=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=12))
def test_a_counterexample_does_not_depend_on_what_the_solver_was_asked_before(
    fresh_uses: list[dict[str, Any] | None], warm_up: list[tuple[int, int]]
) -> None:
    """The same use for a failing property, whether its solver is fresh or has answered other questions."""
    with compiled_package(UNIT) as (package, program):
        symbolic = Symbolic.of(program, 30)
        dimensions = symbolic.space.dimensions()
        for which, value in warm_up:
            var = dimensions[which % len(dimensions)]
            if var.kind == "boolean":
                symbolic.solver.model(var.value if value % 2 else z3.Not(var.value))
            else:
                symbolic.solver.model(var.value == var.low + value % (var.high - var.low + 1))
        warmed = check_properties(program, lambda: package, timeout=30, today=DAY, symbolic=symbolic)
    assert [r.use for r in warmed] == fresh_uses
    assert any(fresh_uses)


@pytest.mark.slow
def test_a_counterexample_on_the_shipped_library_is_the_same_alone_after_the_lints_and_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lawyer reruns one property (`--property`) and sees the counterexample of the full run."""
    library = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets", library)
    (library / "promises.rules").write_text(
        'property art9 "No Art. 9 data without explicit consent in the EEA":\n'
        '    cites "GDPR Art. 9(1)"\n'
        "    never permit when (region in EEA and data in {sensitive.political, sensitive.sex_life}\n"
        "                       and processing.identifiability not in {anonymised, aggregated}\n"
        "                       and not consent.explicit)\n",
        encoding="utf-8",
    )
    found = []
    for options in ([], ["--no-lints"], ["--property", "art9"]):
        capsys.readouterr()
        assert main(["verify", str(library), "--json", "--today", "2025-06-01", *options]) == 1
        (art9,) = [p for p in json.loads(capsys.readouterr().out)["properties"] if p["property"] == "art9"]
        found.append(art9["counterexample"])
    assert found[0] == found[1] == found[2]


def test_privlex_test_annotates_each_failing_property_for_github(capsys: pytest.CaptureFixture[str]) -> None:
    """Finding: with `--output-format github` a failing property failed the run without any annotation."""
    assert main(["test", str(UNIT), "--today", "2025-06-01", "--output-format", "github"]) == 1
    annotations = [line for line in capsys.readouterr().err.splitlines() if "title=privlex property failed" in line]
    rules = (UNIT / "rules.rules").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(rules, 1) if "property danish_teenagers" in text)
    assert len(annotations) == 2
    assert annotations[0].startswith(f"::error file={UNIT.relative_to(ROOT).as_posix()}/rules.rules,line={line},")
    head = "::eu.danish_teenagers: A Danish 14-year-old's own consent is enough%0Aalways permit: a use breaks"
    assert head in annotations[0]
    assert "%0Acounterexample: privlex decide --region DK " in annotations[0]


@pytest.mark.slow
def test_a_shipped_property_a_project_breaks_is_annotated_without_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A project's permissive ruleset on the shipped law breaks shipped properties: their annotations name
    `privlex:shipped/properties.rules` in the message, as GitHub cannot attach them to a file of the repository."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.privlex]\nsources = ["privlex:shipped", "rules"]\n', encoding="utf-8"
    )
    (tmp_path / "rules" / "firm.rules").write_text(
        'ruleset firm "Firm policy":\n    law "Policy"\n    covers EEA\n    otherwise permit "Fine" cites "s.1"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["test", "--output-format", "github"]) == 1
    annotations = [line for line in capsys.readouterr().err.splitlines() if line.startswith("::")]
    assert annotations and all(
        line.startswith("::error title=privlex property failed::privlex:shipped/properties.rules:")
        for line in annotations
    )
    assert any(": no_use_without_a_gdpr_basis: " in line for line in annotations)


@pytest.mark.parametrize(
    ("condition", "age"),
    [
        ("subject.age < 13", 12),  # an upper bound: the greatest age below it
        ("subject.age >= 16", 16),  # a lower bound: the least age from it
        ("subject.age >= 16 and subject.age < 18", 16),  # both: the lower one, as before
        ("(subject.age < 13 or subject.age > 60)", 0),  # no one boundary: the least age, as before
    ],
)
def test_a_forced_number_is_the_one_next_to_the_boundary_the_promise_states(
    tmp_path: Path, condition: str, age: int
) -> None:
    """Finding: a promise about children under 13 showed `subject.age=0`; the boundary (12) tells a lawyer more."""
    (tmp_path / "vocabulary.rules").write_bytes((UNIT / "vocabulary.rules").read_bytes())
    (tmp_path / "r.rules").write_text(
        'ruleset r "R":\n    law "R"\n    covers DE\n    otherwise permit "Fine" cites "s.1"\n\n'
        f'    property p "P":\n        never permit when {condition}\n',
        encoding="utf-8",
    )
    found = results(tmp_path)["r.p"]
    assert found.status == "fails" and found.use is not None
    assert found.use["subject"]["age"] == age
