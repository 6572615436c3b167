"""A small vocabulary and helpers for the focused tests of the compiler's passes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from privlex.pipeline import Compilation, compile_paths

VOCABULARY = """\
data content "Content"
data content.chat "Chats"
data content.audio "Audio"
data sensitive "Sensitive" abstract
data sensitive.health "Health"
purpose ai "AI"
purpose ai.training "Training"
purpose analytics "Analytics"
basis consent "Consent"
fact legal_basis "Basis": basis
fact subject.age "Age": integer from 0 to 130
fact consent.given "Given": boolean
fact consent.bundled "Bundled": boolean
fact processing.kind "Kind": one of a, b
country DE "Germany"
country FR "France"
country NO "Norway"
country US "United States"
subdivision US-CA "California"
group EU "EU":
    DE, FR
group EEA "EEA":
    EU, NO
"""


def ruleset(body: str = "", clauses: str = 'covers EEA\notherwise deny "No basis" cites "Art. 1"') -> str:
    """The vocabulary and a ruleset `r` with these clauses, then this body (dedented, then indented)."""
    inner = textwrap.indent(clauses + "\n" + textwrap.dedent(body).strip("\n"), "    ")
    return f'{VOCABULARY}\nruleset r "R":\n{inner}\n'


def top_rule(effect_line: str, *lines: str) -> str:
    """A rule `top` with a citation and this effect line (and further lines)."""
    body = "\n".join(f"    {line}" for line in ('cites "Art. 2"', effect_line, *lines))
    return f'rule top "Top":\n{body}\n'


def compile_text(tmp_path: Path, text: str, name: str = "unit.rules") -> Compilation:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return compile_paths([path])


def codes(compilation: Compilation) -> list[str]:
    return [d.code for d in compilation.diagnostics]


def unless(name: str, *lines: str, depth: int = 1) -> str:
    """An exception block, to pass as a line of `top_rule` (depth 2 nests it in another exception)."""
    inner = "\n".join(" " * (4 * depth + 4) + line for line in ('cites "Art. 3"', *lines))
    return " " * (4 * depth - 4) + f'unless {name} "{name}":\n{inner}'
