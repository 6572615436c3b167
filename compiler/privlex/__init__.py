"""privlex: a compiler for privacy law.

Legal teams write rules per region in rule files; the compiler checks them and
generates plain Python checkers. `privlex.check(use)` decides a data use under
the shipped rulesets (the generated package `privlex_rules`)::

    import privlex
    decision = privlex.check({"region": "DE", "data": "content.audio",
                              "purpose": "ai.training", "legal_basis": "consent",
                              "consent": {"given": True, "explicit": True}})
    decision.outcome, decision.reasons, decision.obligations
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .runtime import Decision, Effect, InvalidUse, Obligation, Outcome, Problem, Reason

if TYPE_CHECKING:
    from privlex_rules import DataUse, check, permits

__version__ = "0.2.0.dev0"  # the one version source: the build reads it ([tool.hatch.version])

__all__ = [
    "DataUse",
    "Decision",
    "Effect",
    "InvalidUse",
    "Obligation",
    "Outcome",
    "Problem",
    "Reason",
    "__version__",
    "check",
    "permits",
]

# `check`, `permits` and `DataUse` come from the shipped checkers, imported on
# first use: the compiler itself must work before they have been generated.
_SHIPPED = ("check", "permits", "DataUse")


def __getattr__(name: str) -> Any:
    if name in _SHIPPED:
        import privlex_rules

        value = getattr(privlex_rules, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'privlex' has no attribute {name!r}")
