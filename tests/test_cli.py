"""The `privlex` command end to end: in-process through `privlex.cli.main`, and a few smoke tests in a subprocess."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import privlex
import privlex_rules
import pytest
from conftest import ROOT, TESTS, Ran
from privlex.cli import main

Cli = Callable[..., Ran]

RULESETS = ROOT / "rulesets"
# Small units, where the behaviour does not depend on the unit: quicker than the shipped rulesets.
SMALL_UNIT = TESTS / "semantics" / "g_dates"
TWO_RULESETS = TESTS / "semantics" / "a_two_rulesets"  # compiles to alpha.py and zeta.py
ZOOM_B = [
    "--region",
    "DE",
    "--data",
    "content.chat",
    "--purpose",
    "ai.training",
    "--date",
    "2025-06-01",
    "--set",
    "legal_basis=consent",
    "--set",
    "consent.given=true",
    "--set",
    "consent.explicit=true",
    "--set",
    "consent.bundled=true",
]


def python_m_privlex(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m privlex ARGS...` in a fresh interpreter: for the smoke tests only."""
    done = subprocess.run(
        [sys.executable, "-m", "privlex", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(prefix))


# ------------------------------------------------------------- smoke tests: a real process


@pytest.mark.slow
def test_python_m_privlex_runs_and_reports_its_version() -> None:
    done = python_m_privlex("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"privlex {privlex.__version__}"


@pytest.mark.slow
def test_python_m_privlex_decides_the_zoom_case() -> None:
    done = python_m_privlex("decide", *ZOOM_B)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "deny" and "GDPR Art. 7(4)" in done.stdout


@pytest.mark.slow
def test_python_m_privlex_reports_bad_input_on_stderr_with_exit_2() -> None:
    done = python_m_privlex("decide", "--region", "DE", "--data", "content.vidoe", "--purpose", "ai.training")
    assert done.returncode == 2 and done.stdout == ""
    assert "did you mean content.video?" in done.stderr


@pytest.mark.slow
def test_python_m_privlex_compiles_then_finds_nothing_stale(tmp_path: Path) -> None:
    assert python_m_privlex("compile", RULESETS, "--out", tmp_path).returncode == 0
    done = python_m_privlex("compile", RULESETS, "--out", tmp_path, "--check")
    assert done.returncode == 0, done.stderr


# ----------------------------------------------------------------------- in-process


def test_version(cli: Cli) -> None:
    ran = cli("--version")
    assert ran.code == 0
    assert ran.out.strip() == f"privlex {privlex.__version__}"


def test_no_command_prints_the_help(cli: Cli) -> None:
    ran = cli()
    assert ran.code == 0
    assert "usage: privlex" in ran.out and "examples:" in ran.out


# -------------------------------------------------------------------------- decide


def test_decide_the_zoom_bundled_consent(cli: Cli) -> None:
    ran = cli("decide", *ZOOM_B)
    assert ran.code == 0, ran.err
    out = ran.out
    assert out.split()[0] == "deny"
    assert "consent.bundled" in out and "GDPR Art. 7(4)" in out
    assert f"rulesets/gdpr.rules:{line_of(RULESETS / 'gdpr.rules', 'unless bundled ')}" in out


@pytest.mark.parametrize(
    ("extra", "outcome"),
    [([], "deny"), (["--set", "consent.bundled=false"], "permit"), (["--region", "AQ"], "not_applicable")],
    ids=["deny", "permit", "not_applicable"],
)
def test_decide_exits_0_for_every_outcome_and_json_mirrors_the_decision(
    cli: Cli, extra: list[str], outcome: str
) -> None:
    ran = cli("decide", *ZOOM_B, *extra, "--json")
    assert ran.code == 0, ran.err
    printed = json.loads(ran.out)
    assert set(printed) == {"package", "source_hash", "outcome", "reasons", "obligations", "rulesets"}
    assert printed.pop("package") == "privlex_rules"
    assert printed.pop("source_hash") == f"sha256:{privlex_rules.SOURCE_HASH}"
    assert printed["outcome"] == outcome
    use = {
        "region": "DE",
        "data": "content.chat",
        "purpose": "ai.training",
        "date": "2025-06-01",
        "legal_basis": "consent",
        "consent": {"given": True, "explicit": True, "bundled": True},
    }
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if flag == "--region":
            use["region"] = value
        else:
            use["consent"]["bundled"] = False  # type: ignore[index]
    assert printed == privlex.check(use).to_dict()
    for reason in printed["reasons"]:
        assert set(reason) == {"ruleset", "rule", "kind", "effect", "title", "citations", "source"}


def decided(cli: Cli, *sets: str, region: str = "DE") -> tuple[str, list[str]]:
    args = [
        "decide",
        "--region",
        region,
        "--data",
        "content.chat",
        "--purpose",
        "ai.training",
        "--date",
        "2025-06-01",
        "--json",
    ]
    for item in sets:
        args += ["--set", item]
    ran = cli(*args)
    assert ran.code == 0, ran.err
    printed = json.loads(ran.out)
    return printed["outcome"], [r["rule"] for r in printed["reasons"]]


@pytest.mark.parametrize("word", ["yes", "no", "on", "y"])
def test_set_takes_booleans_as_a_dataset_cell_does(cli: Cli, word: str) -> None:
    """true/false/1/0 in any case, and nothing else: `yes` in a CSV cell is invalid, so it is here too."""
    ran = cli(
        "decide",
        "--region",
        "DE",
        "--data",
        "content.chat",
        "--purpose",
        "ai.training",
        "--set",
        f"consent.given={word}",
    )
    assert ran.code == 2
    assert f"consent.given: expected true or false, got {word!r}" in ran.err


@pytest.mark.parametrize(
    ("sets", "outcome", "rules"),
    [
        (["legal_basis=consent", "consent.given=true"], "permit", ["consent"]),
        (["legal_basis=consent", "consent.given=1"], "permit", ["consent"]),
        (["legal_basis=consent", "consent.given=false"], "deny", ["consent.not_given"]),
        (["legal_basis=consent", "consent.given=FALSE"], "deny", ["consent.not_given"]),
        (["legal_basis=consent", "consent.given=0"], "deny", ["consent.not_given"]),
        (["legal_basis=consent", "consent.given=true", "subject.age=15"], "deny", ["consent.child"]),
        (["legal_basis=consent", "consent.given=true", "subject.age=16"], "permit", ["consent"]),
        (["consent.given=true", "processing.transfer_to=us"], "deny", ["transfer"]),
        (["consent.given=true", "processing.transfer_to=uk"], "permit", ["consent"]),
        (["processing.identifiability=anonymised"], "permit", ["anonymous"]),
    ],
)
def test_set_values_are_parsed_by_the_fact_type(cli: Cli, sets: list[str], outcome: str, rules: list[str]) -> None:
    assert decided(cli, *sets) == (outcome, rules)


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["--data", "content.vidoe"], ["data", "content.vidoe", "did you mean content.video?"]),
        (["--region", "EU"], ["region", "group"]),
        (["--region", "XX"], ["region", "XX"]),
        (["--set", "subject.age=twelve"], ["subject.age", "twelve"]),
        (["--set", "subject.age=131"], ["subject.age", "131"]),
        (["--set", "consent.given=maybe"], ["consent.given", "maybe"]),
        (["--set", "consent.given=yes"], ["consent.given", "expected true or false", "'yes'"]),
        (["--set", "legal_basis=consnet"], ["legal_basis", "did you mean consent?"]),
        (["--set", "consent.explicit=true", "--set", "consent.given=false"], ["consent.given"]),
        (["--date", "2025-13-01"], ["date", "2025-13-01"]),
    ],
)
def test_invalid_input_exits_2_naming_the_field(cli: Cli, args: list[str], shown: list[str]) -> None:
    base = {"--region": "DE", "--data": "content.chat", "--purpose": "ai.training"}
    pairs = dict(base)
    rest: list[str] = []
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in pairs:
            pairs[flag] = value
        else:
            rest += [flag, value]
    ran = cli("decide", *[x for kv in pairs.items() for x in kv], *rest)
    assert ran.code == 2
    assert ran.out == ""
    for text in shown:
        assert text in ran.err


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        ("consent.givn=true", "did you mean consent.given?"),
        ("subjects.age=3", "did you mean subject.age?"),
        ("consent=true", "consent"),
        ("nonsense", "FACT=VALUE"),
    ],
)
def test_an_unknown_set_fact_exits_2(cli: Cli, item: str, shown: str) -> None:
    ran = cli("decide", "--region", "DE", "--data", "content.chat", "--purpose", "ai.training", "--set", item)
    assert ran.code == 2
    assert shown in ran.err


# ------------------------------------------------------------------------- compile


@pytest.fixture(scope="module")
def compiled_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compiled")
    assert main(["compile", str(TWO_RULESETS), "--out", str(out)]) == 0
    package = out / "privlex_rules"
    assert {p.name for p in package.iterdir()} >= {"__init__.py", "_vocabulary.py", "alpha.py", "zeta.py"}
    return out


@pytest.fixture
def compiled(compiled_once: Path, tmp_path: Path) -> Path:
    """A fresh copy of a unit compiled by `privlex compile`, for one test to spoil."""
    shutil.copytree(compiled_once, tmp_path, dirs_exist_ok=True)
    return tmp_path


def check_stale(cli: Cli, out: Path) -> Ran:
    return cli("compile", TWO_RULESETS, "--out", out, "--check")


def test_compile_then_check_is_up_to_date(cli: Cli, compiled: Path) -> None:
    ran = check_stale(cli, compiled)
    assert ran.code == 0, ran.err


def test_an_edited_module_is_stale(cli: Cli, compiled: Path) -> None:
    with (compiled / "privlex_rules" / "alpha.py").open("a", encoding="utf-8") as module:
        module.write("# edited by hand\n")
    ran = check_stale(cli, compiled)
    assert ran.code == 1 and "alpha.py" in ran.err


def test_a_deleted_module_is_stale(cli: Cli, compiled: Path) -> None:
    (compiled / "privlex_rules" / "zeta.py").unlink()
    ran = check_stale(cli, compiled)
    assert ran.code == 1 and "zeta.py" in ran.err


def test_an_extra_module_is_stale(cli: Cli, compiled: Path) -> None:
    left_over = "# Generated by privlex from the rule file below; do not edit.\n#   rulesets/coppa.rules\n"
    (compiled / "privlex_rules" / "coppa.py").write_text(left_over, encoding="utf-8")
    ran = check_stale(cli, compiled)
    assert ran.code == 1 and "coppa.py" in ran.err


def test_check_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    ran = cli("compile", SMALL_UNIT, "--out", tmp_path, "--check")
    assert ran.code == 1
    assert list(tmp_path.iterdir()) == []


# The quick run misspells the key of one rule of a one-file fixture; the full run every use of it in the shipped CCPA.
@pytest.mark.parametrize(
    ("unit", "edited", "misspell"),
    [
        pytest.param(
            TESTS / "good" / "conditional_duties.rules",
            "conditional_duties.rules",
            lambda text: text.replace("        data content.chat\n", "        data content.chta\n"),
            id="a rule",
        ),
        pytest.param(
            RULESETS,
            "ccpa.rules",
            lambda text: text.replace("content.chat", "content.chta"),
            id="shipped",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_misspelt_key_fails_with_a_caret_and_a_suggestion(
    cli: Cli, tmp_path: Path, unit: Path, edited: str, misspell: Callable[[str], str]
) -> None:
    copy = tmp_path / "rulesets"
    if unit.is_dir():
        shutil.copytree(unit, copy)
    else:
        copy.mkdir()
        shutil.copy(unit, copy)
    source = copy / edited
    source.write_text(misspell(source.read_text(encoding="utf-8")), encoding="utf-8")
    ran = cli("compile", copy, "--out", tmp_path / "out")
    assert ran.code == 1
    err = ran.err
    assert "error[E201]" in err and "content.chta" in err and "did you mean content.chat?" in err
    line = line_of(source, "data content.chta")
    column = source.read_text(encoding="utf-8").splitlines()[line - 1].index("content.chta") + 1
    assert re.search(rf"--> (\S*/)?{re.escape(edited)}:{line}:{column}\n", err), err
    assert re.search(r"\n\s*\d*\s*\|\s+\^{12}\n", err), err  # a caret under all of content.chta
    assert not (tmp_path / "out").exists()


def test_a_missing_path_fails_with_a_message(cli: Cli, tmp_path: Path) -> None:
    ran = cli("compile", tmp_path / "nope", "--out", tmp_path / "out")
    assert ran.code == 2
    assert "nope" in ran.err and "does not exist" in ran.err


def test_a_missing_path_is_an_io_error(cli: Cli, tmp_path: Path) -> None:
    assert cli("compile", tmp_path / "nope", "--out", tmp_path / "out").code == 2


def test_an_empty_folder_fails_with_a_message(cli: Cli, tmp_path: Path) -> None:
    ran = cli("compile", tmp_path, "--out", tmp_path / "out")
    assert ran.code == 2 and "no .rules files" in ran.err


def test_a_file_that_is_not_text_fails_with_a_message(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.rules").write_bytes(b"\xff\xfe\x00 not utf-8")
    ran = cli("compile", tmp_path / "bad.rules", "--out", tmp_path / "out")
    assert ran.code == 2 and "cannot read" in ran.err and "bad.rules" in ran.err


def test_an_unwritable_output_is_an_io_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    ran = cli("compile", SMALL_UNIT, "--out", tmp_path / "a_file" / "below")
    assert ran.code == 2 and "cannot write" in ran.err


# ---------------------------------------------------------------------------- test


@pytest.mark.slow  # every shipped test through the command; .ci/run also runs `privlex test --require-coverage`
def test_the_shipped_tests_pass_with_full_coverage(cli: Cli) -> None:
    ran = cli("test", RULESETS, "--require-coverage")
    report = ran.out + ran.err  # the human-readable report: stdout today, stderr by DESIGN
    assert ran.code == 0, report
    assert re.search(r"\b[1-9]\d* passed, 0 failed", report), report


def test_a_failing_test_names_itself_and_its_line(cli: Cli, tmp_path: Path) -> None:
    for source in SMALL_UNIT.glob("*.rules"):
        shutil.copy(source, tmp_path)
    rules = tmp_path / "dated.rules"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + (
            '\ntest wrong_on_purpose "March is not permitted":\n'
            "    on 2020-03-01\n"
            "    given region DE, data content.chat, purpose ai.training\n"
            "    expect permit by dated.default\n"
        ),
        encoding="utf-8",
    )
    line = line_of(rules, "test wrong_on_purpose")
    ran = cli("test", tmp_path)
    report = ran.out + ran.err
    assert ran.code == 1
    assert "wrong_on_purpose" in report and f"dated.rules:{line}" in report
    assert "dated.window" in report  # what it got instead
    as_json = json.loads(cli("test", tmp_path, "--json").out)
    [failure] = as_json["failed"]
    assert failure["test"] == "wrong_on_purpose" and failure["source"].endswith(f"dated.rules:{line}")


def test_coverage_can_be_required(cli: Cli, tmp_path: Path) -> None:
    for source in SMALL_UNIT.glob("*.rules"):
        shutil.copy(source, tmp_path)
    assert cli("test", tmp_path).code == 0  # no tests at all, nothing fails
    ran = cli("test", tmp_path, "--require-coverage")
    assert ran.code == 1 and "window.grace" in ran.out + ran.err
