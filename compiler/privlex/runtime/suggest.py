"""Did-you-mean: the one close name for a misspelt one, shared by the compiler and the runtime."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The one candidate closest to a misspelt value; None when none is close or several tie."""
    # Short codes (DX for DE) share at most one letter: accept a closer call for them.
    cutoff = 0.5 if len(value) <= 3 else 0.6
    matcher = difflib.SequenceMatcher(b=value)
    scored: list[tuple[float, str]] = []
    for candidate in sorted(set(candidates)):
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            score = matcher.ratio()
            if score >= cutoff:
                scored.append((score, candidate))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    winners = [candidate for score, candidate in scored if score == best]
    if len(winners) > 1:
        # USA for US: among equals, the one the misspelling starts with.
        winners = [candidate for candidate in winners if value.startswith(candidate)]
    return winners[0] if len(winners) == 1 else None
