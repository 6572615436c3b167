"""The command line as a person meets it: help, flag suggestions, completion, exit codes for scripts, colour."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, quick_or_slow
from privlex.cli import COMMANDS, main, parser
from privlex.diagnostics.formats import use_color

DE_CHAT = ["--region", "DE", "--data", "content.chat", "--purpose", "ai.training", "--date", "2025-06-01"]


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_privlex_alone_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    assert out.startswith("usage: privlex")
    for command in COMMANDS:
        assert command in out


def subcommands() -> dict[str, object]:
    for action in parser()._actions:
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict):
            return choices
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_and_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    command_parser = subcommands()[command]
    assert getattr(command_parser, "description", None), f"privlex {command} --help has no description"
    assert "\nexamples:\n" in out
    examples = out.split("\nexamples:\n", 1)[1]
    assert f"privlex {command}" in examples


def test_abbreviated_flags_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--output-form", "json")
    assert code == 2 and out == ""
    assert "usage: privlex check" in err
    assert "unrecognized argument --output-form; did you mean --output-format?" in err


@pytest.mark.parametrize(
    ("argv", "usage", "hint"),
    [
        (["decide", "--regoin", "DE", "--data", "x", "--purpose", "y"], "privlex decide", "--region"),
        (["test", "--require-coverag"], "privlex test", "--require-coverage"),
        (["filter", "in.jsonl", "--out", "x", "--allow-uncoverd"], "privlex filter", "--allow-uncovered"),
        (["compile", "--chek"], "privlex compile", "--check"),
    ],
)
def test_an_unknown_flag_names_the_nearest_flag_of_its_command(
    argv: list[str], usage: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert f"usage: {usage}" in err, "the command's own usage, not privlex's"
    assert f"did you mean {hint}?" in err


def test_an_unknown_command_names_the_nearest_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compil")
    assert code == 2 and "'compil' is not a privlex command; did you mean compile?" in err


def test_a_flag_far_from_every_flag_points_at_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--zzzzzz")
    assert code == 2 and "unrecognized argument --zzzzzz" in err and "privlex check --help" in err


@pytest.mark.parametrize(
    ("extra", "code", "outcome"),
    [
        (["--set", "legal_basis=consent", "--set", "consent.given=true"], 0, "permit"),
        ([], 1, "deny"),
    ],
)
def test_decide_exit_code_follows_the_outcome(
    extra: list[str], code: int, outcome: str, capsys: pytest.CaptureFixture[str]
) -> None:
    done, out, _ = run(capsys, "decide", *DE_CHAT, *extra, "--exit-code", "--json")
    assert done == code and json.loads(out)["outcome"] == outcome
    assert run(capsys, "decide", *DE_CHAT, *extra)[0] == 0, "without --exit-code every outcome exits 0"


def test_decide_exit_code_3_when_no_ruleset_applies(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--region", "AQ", "--data", "content.chat", "--purpose", "ai.training", "--date", "2025-06-01"]
    code, out, _ = run(capsys, "decide", *args, "--exit-code")
    assert code == 3 and out.startswith("not_applicable")
    assert run(capsys, "explain", *args, "--exit-code")[0] == 3


def test_an_invalid_use_stays_exit_2_with_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "decide", *DE_CHAT, "--set", "consent.given=yes", "--exit-code")
    assert code == 2 and "consent.given: expected true or false, got 'yes'" in err


# ---------------------------------------------------------------- booleans

WORDS = {"true": True, "TRUE": True, "1": True, "false": False, "False": False, "0": False}
REFUSED = ["yes", "no", "on", "y", "t"]
# Each word is decided once and filtered twice: the quick run takes a word of each kind (a case, a digit,
# a word and a letter refused), the full run every word.
QUICK_WORDS = {"TRUE", "0", "yes", "t"}


@pytest.mark.parametrize("word", quick_or_slow([*WORDS, *REFUSED], QUICK_WORDS))
def test_booleans_read_alike_in_set_and_csv(word: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A text boolean means the same in `decide --set`, `filter --set` and a CSV cell (docs/datasets.md)."""
    decided, _, _ = run(capsys, "decide", *DE_CHAT, "--set", f"consent.given={word}", "--json")
    rows = tmp_path / "rows.csv"
    rows.write_text(f"region,data,purpose,date,consent.given\nDE,content.chat,ai.training,2025-06-01,{word}\n")
    summary = tmp_path / "summary.json"
    filtered = main(["filter", str(rows), "--out", str(tmp_path / "kept.csv"), "--summary-json", str(summary)])
    capsys.readouterr()
    invalid_in_csv = json.loads(summary.read_text(encoding="utf-8"))["outcomes"]["invalid"] == 1
    fixed = main(["filter", str(rows), "--out", str(tmp_path / "k2.csv"), "--set", f"consent.given={word}"])
    capsys.readouterr()
    if word in WORDS:
        assert decided == 0 and filtered == 0 and fixed == 0 and not invalid_in_csv
    else:
        assert decided == 2 and filtered == 1 and fixed == 2 and invalid_in_csv


# ------------------------------------------------------------------ colour


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environ", "stream", "colour"),
    [
        ({}, io.StringIO(), False),
        ({}, Terminal(), True),
        ({"CLICOLOR_FORCE": "1"}, io.StringIO(), True),
        ({"CLICOLOR_FORCE": "0"}, io.StringIO(), False),
        ({"FORCE_COLOR": "1"}, io.StringIO(), True),
        ({"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, Terminal(), False),
        ({"CLICOLOR": "0"}, Terminal(), False),
        ({"TERM": "dumb"}, Terminal(), False),
    ],
)
def test_colour_follows_the_environment(environ: dict[str, str], stream: io.StringIO, colour: bool) -> None:
    assert use_color("auto", stream, environ) is colour
    assert use_color("never", stream, {"CLICOLOR_FORCE": "1"}) is False
    assert use_color("always", stream, {"NO_COLOR": "1"}) is True


def test_clicolor_force_colours_diagnostics_in_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    _, _, err = run(capsys, "check", "tests/bad/three_syntax_errors.rules")
    assert "\x1b[1;31merror[E101]" in err


# --------------------------------------------------------------- completion


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_every_command_and_flag(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, script, _ = run(capsys, "completion", shell)
    assert code == 0
    for command in COMMANDS:
        assert command in script
    for flag in ("output-format", "require-coverage", "exit-code", "warnings-as-errors"):
        assert flag in script
    executable = shutil.which(shell)
    if executable is not None:  # the shell checks the script's syntax
        done = subprocess.run([executable, "-n"], input=script, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


def complete(script: str, *words: str) -> list[str]:
    """What bash offers after `privlex WORDS...` (the last word being completed)."""
    quoted = " ".join(f"'{w}'" for w in ("privlex", *words))
    program = (
        f"{script}\nCOMP_WORDS=({quoted}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=(); _privlex\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_flags_and_choices(capsys: pytest.CaptureFixture[str]) -> None:
    _, script, _ = run(capsys, "completion", "bash")
    assert complete(script, "co") == ["compile", "completion"]
    assert complete(script, "test", "--output-format", "") == ["full", "concise", "json", "sarif", "github", "junit"]
    assert complete(script, "check", "--output-format", "s") == ["sarif"]
    assert complete(script, "decide", "--exit") == ["--exit-code"]
    assert complete(script, "completion", "") == ["bash", "zsh", "fish"]
