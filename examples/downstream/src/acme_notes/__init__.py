"""Acme Notes: decide, with the checkers privlex generated from rules/, whether a note may train a model."""

from __future__ import annotations

from acme_notes_rules import check

__all__ = ["may_train_on_note"]


def may_train_on_note(region: str, *, opted_in: bool, age: int | None = None) -> bool:
    """True when Acme's data policy permits training on a note of this person."""
    use = {
        "region": region,
        "data": "note",
        "purpose": "ai.training",
        "consent": {"given": opted_in},
        "subject": {"age": age},
    }
    return check(use).outcome == "permit"
