"""The docs stay true to the code: every diagnostic code is documented."""

from __future__ import annotations

from conftest import ROOT
from privlex.diagnostics import CODES


def test_every_diagnostic_code_is_documented() -> None:
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"| {code} |" not in text]
    assert not missing, f"document these codes in docs/diagnostics.md: {missing}"
