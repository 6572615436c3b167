"""The compiler pauses CPython's garbage collector while it compiles, and leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from privlex import pipeline
from privlex.collector import paused
from privlex.pipeline import compile_paths, generate

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "benchmarks" / "policy"


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_compiling_runs_with_the_collector_off_and_turns_it_back_on(
    collector_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    original = pipeline.PASSES[0]

    def watching(unit: pipeline.Unit) -> list[pipeline.Diagnostic]:
        seen.append(gc.isenabled())
        return original(unit)

    monkeypatch.setattr(pipeline, "PASSES", (watching, *pipeline.PASSES[1:]))
    gc.enable()
    compilation = compile_paths([POLICY])
    assert compilation.program is not None
    assert seen == [False]
    assert gc.isenabled()
    files = generate(compilation.program, "peer_rules")
    assert "peer.py" in files
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off(collector_restored: None) -> None:
    gc.disable()
    compilation = compile_paths([POLICY])
    assert compilation.program is not None
    generate(compilation.program, "peer_rules")
    assert not gc.isenabled()


def test_the_collector_is_back_on_after_an_error(collector_restored: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(unit: pipeline.Unit) -> list[pipeline.Diagnostic]:
        raise RuntimeError("a pass that crashed")

    monkeypatch.setattr(pipeline, "PASSES", (failing,))
    gc.enable()
    with pytest.raises(RuntimeError, match="crashed"):
        compile_paths([POLICY])
    assert gc.isenabled()
    with pytest.raises(KeyError), paused():
        raise KeyError("inside")
    assert gc.isenabled()
