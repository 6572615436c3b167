"""Acme Meetings: decide, with the law and the company's own policy, whether a recording may train a model."""

from __future__ import annotations

from acme_meetings_rules import check

__all__ = ["may_train_on"]


def may_train_on(region: str, data: str, *, opted_in: bool, bundled: bool = False) -> bool:
    """True when the GDPR, the CCPA (where they apply) and Acme's policy all permit training on this data."""
    use = {
        "region": region,
        "data": data,
        "purpose": "ai.training",
        "consent": {"given": opted_in, "bundled": bundled},
    }
    return check(use).outcome == "permit"
