"""Long fuzzing campaigns for privlex: `python -m fuzz --hours N` (from the project's root).

The generators, the reference interpreter and the oracle live in `tests/`
(`fuzz_*.py`), where pytest runs a quick profile of them on every run; this
package runs them for hours, in worker processes, and keeps every failure as
a regression fixture under `tests/fuzz_crashers/`, which
`tests/test_fuzz_crashers.py` replays. See docs/security.md, "Fuzzing".
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
CRASHERS = TESTS / "fuzz_crashers"


def use_test_modules() -> None:
    """Make the generators of tests/ importable (as pytest does, through its rootdir)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
