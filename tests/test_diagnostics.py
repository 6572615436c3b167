"""Each file in tests/bad/ holds one mistake; its diagnostics must read exactly as in NAME.expected.

A bad file names the code it must produce on its first line: `# expect: E402`.
Run `pytest --update-golden` to rewrite the .expected files, then review the
diff as the author of a rule file would read it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import TESTS, assert_golden, compile_unit, diagnostics_text
from privlex.diagnostics import CODES, Severity

BAD = TESTS / "bad"
BAD_FILES = sorted(BAD.glob("*.rules"))
_EXPECT = re.compile(r"# expect: ([EW]\d{3})\s*\n")


def expected_code(path: Path) -> str:
    match = _EXPECT.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} must start with a line `# expect: CODE`"
    return match.group(1)


def test_there_are_bad_files() -> None:
    assert len(BAD_FILES) >= 25


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_diagnostics_match_golden(path: Path, update_golden: bool) -> None:
    compilation = compile_unit(path)
    assert_golden(path.with_suffix(".expected"), diagnostics_text(compilation), update_golden)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_file_reports_its_mistake(path: Path) -> None:
    code = expected_code(path)
    compilation = compile_unit(path)
    codes = [d.code for d in compilation.diagnostics]
    assert code in codes, diagnostics_text(compilation)
    if code.startswith("E"):
        assert compilation.failed and compilation.program is None
    else:
        assert all(d.severity is Severity.WARNING for d in compilation.diagnostics)
        assert compilation.program is not None, "warnings alone must not fail a run"


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_every_diagnostic_points_into_the_file(path: Path) -> None:
    compilation = compile_unit(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    for diagnostic in compilation.diagnostics:
        span = diagnostic.span
        assert span is not None and span.file == f"tests/bad/{path.name}"
        assert 1 <= span.line <= len(lines)
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1


def test_every_golden_file_has_its_rule_file() -> None:
    stray = [p.name for p in BAD.glob("*.expected") if not p.with_suffix(".rules").exists()]
    assert not stray


def test_bad_files_exercise_every_code() -> None:
    found = {expected_code(path) for path in BAD_FILES}
    for path in BAD_FILES:
        found |= {d.code for d in compile_unit(path).diagnostics}
    # E001 needs a missing or non-UTF-8 file (test_passes); E002 a bad pyproject.toml (test_config);
    # W6xx come from `privlex verify`, not the compiler (test_verify_lints).
    outside_rule_files = {"E001", "E002"} | {code for code in CODES if code.startswith("W6")}
    assert set(CODES) - outside_rule_files <= found


def test_five_mistakes_are_all_reported_in_one_run() -> None:
    compilation = compile_unit(BAD / "five_mistakes.rules")
    by_code = {d.code: d for d in compilation.diagnostics}
    assert set(by_code) == {"E303", "E201", "E301", "E401", "E402", "E501"}
    assert by_code["E303"].message == "2018-02-30 is not a date in the calendar"
    assert by_code["E201"].help == "did you mean content.chat?"
    assert "cannot be compared with the name sixteen" in by_code["E301"].message
    assert "rule teenager" in by_code["E401"].message
    assert "exception adult.young can never match" in by_code["E402"].message
    assert by_code["E501"].help == "did you mean chats?"
    assert [d.span.line for d in compilation.diagnostics if d.span] == [19, 24, 30, 32, 38, 45]


def test_a_syntax_error_leaves_out_only_its_declaration(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text((BAD / "syntax_missing_colon.rules").read_text(encoding="utf-8"), encoding="utf-8")
    other = tmp_path / "other.rules"
    # `content` is declared in the file with the syntax error, outside the broken rule: still known here
    other.write_text('data content.chat "Chats"\ndata content.chta "Typo" in nowhere\n', encoding="utf-8")
    codes = sorted(d.code for d in compile_unit(broken, other).diagnostics)
    assert codes == ["E101", "E201"]
