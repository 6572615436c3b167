"""The input grid of BENCHMARK.md, the sample of requests, and the hand-written function.

A request is a tuple in the grid's own words: (region, data, purpose,
explicit, bundled, opted_out). Each engine converts it to its native input.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

REGIONS = ("EU", "US-CA", "BR", "CN", "JP")
DATA = ("chat", "audio", "video", "telemetry", "diagnostics", "health", "biometric")
PURPOSES = ("ai_training", "product_improvement", "analytics")
GRID: list[tuple[str, str, str, bool, bool, bool]] = list(
    itertools.product(REGIONS, DATA, PURPOSES, (True, False), (True, False), (True, False))
)
PERMITTED_IN_GRID = 211
SEED = 20240601

# privlex names: the vocabulary of benchmarks/policy (DE stands for the EU).
PRIVLEX_REGION = {"EU": "DE", "US-CA": "US-CA", "BR": "BR", "CN": "CN", "JP": "JP"}
PRIVLEX_DATA = {
    "chat": "content.chat",
    "audio": "content.audio",
    "video": "content.video",
    "telemetry": "service.telemetry",
    "diagnostics": "service.diagnostics",
    "health": "sensitive.health",
    "biometric": "sensitive.biometric",
}
PRIVLEX_PURPOSE = {"ai_training": "ai.training", "product_improvement": "product.improvement", "analytics": "analytics"}


def requests(count: int, seed: int = SEED) -> list[tuple[str, str, str, bool, bool, bool]]:
    """`count` requests drawn from the grid with a fixed seed: the same for every engine."""
    rng = random.Random(seed)
    return [rng.choice(GRID) for _ in range(count)]


def as_dict(request: tuple[str, str, str, bool, bool, bool]) -> dict[str, Any]:
    region, data, purpose, explicit, bundled, opted_out = request
    return {
        "region": region,
        "data": data,
        "purpose": purpose,
        "explicit": explicit,
        "bundled": bundled,
        "opted_out": opted_out,
    }


def as_privlex(request: tuple[str, str, str, bool, bool, bool]) -> dict[str, Any]:
    region, data, purpose, explicit, bundled, opted_out = request
    return {
        "region": PRIVLEX_REGION[region],
        "data": PRIVLEX_DATA[data],
        "purpose": PRIVLEX_PURPOSE[purpose],
        "consent": {"explicit": explicit, "bundled": bundled},
        "subject": {"objected": opted_out},
    }


SPECIAL = frozenset(("health", "biometric"))
CONTENT = frozenset(("chat", "audio", "video"))


def hand_written(request: dict[str, Any]) -> bool:
    """The policy as a person would write it in Python, on a dict request."""
    purpose = request["purpose"]
    opted_out = request["opted_out"]
    if opted_out and purpose == "ai_training":  # 1
        return False
    region = request["region"]
    data = request["data"]
    if region == "EU":
        if data in SPECIAL:  # 2
            return request["explicit"]
        if data in CONTENT:  # 3
            return request["explicit"] and (purpose != "ai_training" or not request["bundled"])
        return not opted_out  # 4: telemetry, diagnostics
    if region == "US-CA":
        if data == "health":  # 5
            return request["explicit"] and not opted_out
        return not opted_out  # 6
    if region == "BR":
        if data in SPECIAL:  # 7
            return request["explicit"] and not opted_out
        if purpose == "ai_training":  # 8
            return request["explicit"]
        return not opted_out  # 9
    return False  # 10: CN, JP
