"""Syntax messages are for lawyers: no grammar-internal name ever reaches them.

Every syntax error of tests/bad, and of a corpus made by mutating every rule
file privlex has (deleting, repeating, indenting and cutting lines, dropping
words and signs), is parsed; no message or help may show `__anon`, `_NL`,
`_INDENT`, `_DEDENT`, `$END` or the capitalised name of a terminal.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, TESTS
from privlex.source import SourceFile
from privlex.syntax.grammar import parser
from privlex.syntax.parse import parse

# The quick run mutates the smallest fixture that has rules, an exception, obligations, a default and tests
# (64 lines: a mutation is parsed up to a few lines past it, so cost grows with length), on a few of its
# lines; the full run every rule file privlex has (this one too), conditional_duties with its define,
# exclusion and when lines among them.
QUICK = [TESTS / "good" / "nested_exceptions.rules"]
SLOW = sorted(
    {
        *(TESTS / "good").glob("*.rules"),
        *(TESTS / "bad").glob("*.rules"),
        *(ROOT / "rulesets").glob("*.rules"),
        *(ROOT / "examples").rglob("*.rules"),
    }
    - set(QUICK)
)
INTERNAL = re.compile(r"__anon|__ANON|\b_NL\b|_INDENT|_DEDENT|\$END|__IGNORE")


def terminal_names() -> set[str]:
    return {t.name for t in parser().terminals} - {"_NL", "_INDENT", "_DEDENT"}


def mutations(text: str, rng: random.Random, lines_mutated: int = 12) -> Iterator[str]:
    lines = text.split("\n")
    code = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    for index in sorted(rng.sample(code, min(len(code), lines_mutated))):
        # Parsing stops at the first error: what follows a few lines later does not matter.
        lines = text.split("\n")[: index + 8]
        line = lines[index]
        words = line.split()
        variants = [
            lines[:index] + lines[index + 1 :],  # a line deleted
            lines[: index + 1] + [line] + lines[index + 1 :],  # a line repeated
            lines[:index] + ["    " + line] + lines[index + 1 :],  # indented too far
            lines[:index] + [line.lstrip()] + lines[index + 1 :],  # indented too little
            lines[:index] + [line.replace(":", "", 1)] + lines[index + 1 :],  # a colon lost
            lines[:index] + [line.replace('"', "", 1)] + lines[index + 1 :],  # a quote lost
            lines[:index] + [line.replace("(", "", 1)] + lines[index + 1 :],  # a parenthesis lost
            lines[:index] + [line + " and"] + lines[index + 1 :],  # a condition left open
            lines[:index],  # the file cut short
        ]
        if len(words) > 1:
            dropped = rng.randrange(len(words))
            indent = line[: len(line) - len(line.lstrip())]
            variants.append(
                lines[:index] + [indent + " ".join(w for i, w in enumerate(words) if i != dropped)] + lines[index + 1 :]
            )
            swapped = list(words)
            swapped[0], swapped[-1] = swapped[-1], swapped[0]
            variants.append(lines[:index] + [indent + " ".join(swapped)] + lines[index + 1 :])
        for variant in variants:
            yield "\n".join(variant)


def syntax_messages(text: str) -> list[str]:
    _, diagnostics = parse(SourceFile(path="mutated.rules", text=text, data=text.encode("utf-8")))
    return [f"{d.message} | {d.help or ''}" for d in diagnostics]


def check(text: str, names: set[str]) -> int:
    """How many syntax errors the text has, after checking that none of their messages shows a grammar name."""
    shown_all = syntax_messages(text)
    for shown in shown_all:
        assert not INTERNAL.search(shown), shown
        leaked = {name for name in names if re.search(rf"\b{re.escape(name)}\b", shown) and name not in text}
        assert not leaked, f"{shown} (names {leaked})"
    return len(shown_all)


@pytest.mark.parametrize("path", sorted((TESTS / "bad").glob("syntax_*.rules")), ids=lambda p: p.stem)
def test_every_syntax_error_of_tests_bad_is_in_plain_words(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert syntax_messages(text), "a syntax_ file must have a syntax error"
    check(text, terminal_names())


# Each mutated line gives about eleven texts, each parsed with recovery: the quick run mutates five lines of its
# file (about 55 texts), the full run twelve lines of every file, the quick run's file included.
QUICK_LINES = 5


@pytest.mark.parametrize(
    ("path", "lines_mutated"),
    [
        *(pytest.param(p, QUICK_LINES, id=f"{p.parent.name}/{p.stem}-{QUICK_LINES}") for p in QUICK),
        *(pytest.param(p, 12, id=f"{p.parent.name}/{p.stem}", marks=pytest.mark.slow) for p in sorted({*QUICK, *SLOW})),
    ],
)
def test_no_mutation_of_a_rule_file_shows_a_grammar_name(path: Path, lines_mutated: int) -> None:
    names = terminal_names()
    rng = random.Random(path.name)
    found = 0
    for text in mutations(path.read_text(encoding="utf-8"), rng, lines_mutated):
        found += bool(check(text, names))
    assert found, "the mutations must produce syntax errors"


def test_the_expected_words_name_keywords_as_written() -> None:
    _, (diagnostic,) = parse(SourceFile(path="u", text='fact a.b "t": \n', data=b""))
    assert diagnostic.help is not None
    assert '"date"' in diagnostic.help and '"region"' in diagnostic.help and "anon" not in diagnostic.help
