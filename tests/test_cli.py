"""The `privlex` command end to end, through `python -m privlex` in a subprocess."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import privlex
import privlex_rules
import pytest
from conftest import ROOT, TESTS

RULESETS = ROOT / "rulesets"
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


def privlex_cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "privlex", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(prefix))


def test_version() -> None:
    done = privlex_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"privlex {privlex.__version__}"


def test_no_command_prints_the_help() -> None:
    done = privlex_cli()
    assert done.returncode == 0
    assert "usage: privlex" in done.stdout and "examples:" in done.stdout


# -------------------------------------------------------------------------- decide


def test_decide_the_zoom_bundled_consent() -> None:
    done = privlex_cli("decide", *ZOOM_B)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.split()[0] == "deny"
    assert "consent.bundled" in out and "GDPR Art. 7(4)" in out
    assert f"rulesets/gdpr.rules:{line_of(RULESETS / 'gdpr.rules', 'unless bundled ')}" in out


@pytest.mark.parametrize(
    ("extra", "outcome"),
    [([], "deny"), (["--set", "consent.bundled=false"], "permit"), (["--region", "AQ"], "not_applicable")],
    ids=["deny", "permit", "not_applicable"],
)
def test_decide_exits_0_for_every_outcome_and_json_mirrors_the_decision(extra: list[str], outcome: str) -> None:
    done = privlex_cli("decide", *ZOOM_B, *extra, "--json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
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


def decided(*sets: str, region: str = "DE") -> tuple[str, list[str]]:
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
    done = privlex_cli(*args)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    return printed["outcome"], [r["rule"] for r in printed["reasons"]]


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
def test_set_values_are_parsed_by_the_fact_type(sets: list[str], outcome: str, rules: list[str]) -> None:
    assert decided(*sets) == (outcome, rules)


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
def test_invalid_input_exits_2_naming_the_field(args: list[str], shown: list[str]) -> None:
    base = {"--region": "DE", "--data": "content.chat", "--purpose": "ai.training"}
    pairs = dict(base)
    rest: list[str] = []
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in pairs:
            pairs[flag] = value
        else:
            rest += [flag, value]
    done = privlex_cli("decide", *[x for kv in pairs.items() for x in kv], *rest)
    assert done.returncode == 2
    assert done.stdout == ""
    for text in shown:
        assert text in done.stderr


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        ("consent.givn=true", "did you mean consent.given?"),
        ("subjects.age=3", "did you mean subject.age?"),
        ("consent=true", "consent"),
        ("nonsense", "FACT=VALUE"),
    ],
)
def test_an_unknown_set_fact_exits_2(item: str, shown: str) -> None:
    done = privlex_cli("decide", "--region", "DE", "--data", "content.chat", "--purpose", "ai.training", "--set", item)
    assert done.returncode == 2
    assert shown in done.stderr


# ------------------------------------------------------------------------- compile


@pytest.fixture
def compiled(tmp_path: Path) -> Path:
    done = privlex_cli("compile", RULESETS, "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    package = tmp_path / "privlex_rules"
    assert {p.name for p in package.iterdir()} >= {"__init__.py", "_vocabulary.py", "gdpr.py", "ccpa.py"}
    return tmp_path


def check_stale(out: Path) -> subprocess.CompletedProcess[str]:
    return privlex_cli("compile", RULESETS, "--out", out, "--check")


def test_compile_then_check_is_up_to_date(compiled: Path) -> None:
    done = check_stale(compiled)
    assert done.returncode == 0, done.stderr


def test_an_edited_module_is_stale(compiled: Path) -> None:
    with (compiled / "privlex_rules" / "gdpr.py").open("a", encoding="utf-8") as module:
        module.write("# edited by hand\n")
    done = check_stale(compiled)
    assert done.returncode == 1 and "gdpr.py" in done.stderr


def test_a_deleted_module_is_stale(compiled: Path) -> None:
    (compiled / "privlex_rules" / "ccpa.py").unlink()
    done = check_stale(compiled)
    assert done.returncode == 1 and "ccpa.py" in done.stderr


def test_an_extra_module_is_stale(compiled: Path) -> None:
    (compiled / "privlex_rules" / "coppa.py").write_text("# left over\n", encoding="utf-8")
    done = check_stale(compiled)
    assert done.returncode == 1 and "coppa.py" in done.stderr


def test_check_writes_nothing(tmp_path: Path) -> None:
    done = check_stale(tmp_path)
    assert done.returncode == 1
    assert list(tmp_path.iterdir()) == []


def test_a_misspelt_key_fails_with_a_caret_and_a_suggestion(tmp_path: Path) -> None:
    copy = tmp_path / "rulesets"
    shutil.copytree(RULESETS, copy)
    ccpa = copy / "ccpa.rules"
    ccpa.write_text(ccpa.read_text(encoding="utf-8").replace("content.chat", "content.chta"), encoding="utf-8")
    done = privlex_cli("compile", copy, "--out", tmp_path / "out")
    assert done.returncode == 1
    err = done.stderr
    assert "error[E201]" in err and "content.chta" in err and "did you mean content.chat?" in err
    line = line_of(ccpa, "data content.chta")
    column = ccpa.read_text(encoding="utf-8").splitlines()[line - 1].index("content.chta") + 1
    assert re.search(rf"--> (\S*/)?ccpa\.rules:{line}:{column}\n", err), err
    assert re.search(r"\n\s*\d*\s*\|\s+\^{12}\n", err), err  # a caret under all of content.chta
    assert not (tmp_path / "out").exists()


def test_a_missing_path_fails_with_a_message(tmp_path: Path) -> None:
    done = privlex_cli("compile", tmp_path / "nope", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "nope" in done.stderr and "does not exist" in done.stderr


def test_a_missing_path_is_an_io_error(tmp_path: Path) -> None:
    assert privlex_cli("compile", tmp_path / "nope", "--out", tmp_path / "out").returncode == 2


def test_an_empty_folder_fails_with_a_message(tmp_path: Path) -> None:
    done = privlex_cli("compile", tmp_path, "--out", tmp_path / "out")
    assert done.returncode == 2 and "no .rules files" in done.stderr


def test_a_file_that_is_not_text_fails_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "bad.rules").write_bytes(b"\xff\xfe\x00 not utf-8")
    done = privlex_cli("compile", tmp_path / "bad.rules", "--out", tmp_path / "out")
    assert done.returncode == 2 and "cannot read" in done.stderr and "bad.rules" in done.stderr


def test_an_unwritable_output_is_an_io_error(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    done = privlex_cli("compile", RULESETS, "--out", tmp_path / "a_file" / "below")
    assert done.returncode == 2 and "cannot write" in done.stderr


# ---------------------------------------------------------------------------- test


def test_the_shipped_tests_pass_with_full_coverage() -> None:
    done = privlex_cli("test", RULESETS, "--require-coverage")
    report = done.stdout + done.stderr  # the human-readable report: stdout today, stderr by DESIGN
    assert done.returncode == 0, report
    assert re.search(r"\b[1-9]\d* passed, 0 failed", report), report


def test_a_failing_test_names_itself_and_its_line(tmp_path: Path) -> None:
    for source in (TESTS / "semantics" / "g_dates").glob("*.rules"):
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
    done = privlex_cli("test", tmp_path)
    report = done.stdout + done.stderr
    assert done.returncode == 1
    assert "wrong_on_purpose" in report and f"dated.rules:{line}" in report
    assert "dated.window" in report  # what it got instead
    as_json = json.loads(privlex_cli("test", tmp_path, "--json").stdout)
    [failure] = as_json["failed"]
    assert failure["test"] == "wrong_on_purpose" and failure["source"].endswith(f"dated.rules:{line}")


def test_coverage_can_be_required(tmp_path: Path) -> None:
    for source in (TESTS / "semantics" / "g_dates").glob("*.rules"):
        shutil.copy(source, tmp_path)
    assert privlex_cli("test", tmp_path).returncode == 0  # no tests at all, nothing fails
    done = privlex_cli("test", tmp_path, "--require-coverage")
    assert done.returncode == 1 and "window.grace" in done.stdout + done.stderr
