"""Whatever a rule file holds, the compiler answers with diagnostics, never a traceback."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex.diagnostics import render_all
from privlex.pipeline import Compilation, compile_paths, generate
from privlex.syntax.parse import grammar_text

SHIPPED = ROOT / "rulesets"
SHIPPED_FILES = sorted(SHIPPED.glob("*.rules"))
KEYWORDS = sorted(set(re.findall(r'"([a-z]+)"', grammar_text())))
SNIPPETS = [
    "content",
    "content.chat",
    "ai.training",
    "consent.given",
    "subject.age",
    "consent_age",
    "DE",
    "EU",
    "US-CA",
    '"A title"',
    '"GDPR Art. 6(1)"',
    "2024-01-01",
    "2024-02-30",
    "16",
    "0",
    ":",
    ",",
    "(",
    ")",
    "{",
    "}",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "!=",
    "#",
    '"',
    "\\",
    "&&",
    "-",
]
INDENTS = ["", "", "    ", "        ", "            ", "  ", "\t", " \t"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_well_formed(compilation: Compilation) -> None:
    """Diagnostics render, point into the files, and decide whether a program was produced."""
    render_all(compilation.diagnostics, compilation.sources)
    for diagnostic in compilation.diagnostics:
        span = diagnostic.span
        if span is None:
            continue
        source = compilation.sources[span.file]
        assert 1 <= span.line <= max(1, len(source.text.splitlines()) + 1), diagnostic
        assert span.column >= 1, diagnostic
    assert (compilation.program is None) == compilation.failed


# ------------------------------------------------------------ random text

word = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(SNIPPETS),
    st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=8),
    st.text(alphabet=string.printable, max_size=4),
)
line = st.builds(lambda indent, words: indent + " ".join(words), st.sampled_from(INDENTS), st.lists(word, max_size=8))
text = st.one_of(
    st.lists(line, max_size=20).map("\n".join),
    st.text(alphabet=string.printable, max_size=300),
)


@FUZZ
@given(text=text)
def test_random_text_gives_diagnostics_not_exceptions(tmp_path: Path, text: str) -> None:
    path = tmp_path / "random.rules"
    path.write_text(text, encoding="utf-8")
    compilation = compile_paths([path])
    assert_well_formed(compilation)


# ----------------------------------------------- mutations of shipped files


def _delete(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    return lines[:index] + lines[index + 1 :]


def _duplicate(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    return lines[: index + 1] + lines[index:]


def _swap(lines: list[str], data: st.DataObject) -> list[str]:
    first = data.draw(st.integers(0, len(lines) - 1))
    second = data.draw(st.integers(max(0, first - 3), min(len(lines) - 1, first + 3)))
    swapped = list(lines)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    return swapped


def _reindent(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    changed = list(lines)
    changed[index] = data.draw(st.sampled_from(INDENTS)) + lines[index].lstrip()
    return changed


def _replace_token(lines: list[str], data: st.DataObject) -> list[str]:
    tokens = sorted({t for line in lines for t in re.findall(r'"[^"\n]*"|[\w.-]+|\S', line)})
    index = data.draw(st.integers(0, len(lines) - 1))
    found = re.findall(r'"[^"\n]*"|[\w.-]+|\S', lines[index])
    if not found:
        return lines
    old = data.draw(st.sampled_from(found))
    changed = list(lines)
    changed[index] = lines[index].replace(old, data.draw(st.sampled_from(tokens)), 1)
    return changed


def _insert_characters(lines: list[str], data: st.DataObject) -> list[str]:
    index = data.draw(st.integers(0, len(lines) - 1))
    position = data.draw(st.integers(0, len(lines[index])))
    inserted = data.draw(st.text(alphabet=string.printable, min_size=1, max_size=4))
    changed = list(lines)
    changed[index] = lines[index][:position] + inserted + lines[index][position:]
    return changed


def _truncate(lines: list[str], data: st.DataObject) -> list[str]:
    return lines[: data.draw(st.integers(0, len(lines)))]


MUTATIONS = [_delete, _duplicate, _swap, _reindent, _replace_token, _insert_characters, _truncate]


# Each example compiles the whole shipped unit (fifteen rulesets since 2026):
# minutes, so it runs in the full suite, not the quick one.
@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_mutated_shipped_files_give_diagnostics_not_exceptions(tmp_path: Path, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(SHIPPED_FILES), label="file")
    original = target.read_text(encoding="utf-8")
    lines = original.split("\n")
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        if lines:
            lines = mutation(lines, data)
    mutated = "\n".join(lines)
    folder = tmp_path / "rulesets"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for shipped in SHIPPED_FILES:
        (folder / shipped.name).write_text(
            mutated if shipped == target else shipped.read_text(encoding="utf-8"), encoding="utf-8"
        )
    compilation = compile_paths([folder])
    assert_well_formed(compilation)
    if compilation.program is not None:
        generate(compilation.program, "fuzzed_rules")
    if mutated == original:
        assert not compilation.diagnostics
