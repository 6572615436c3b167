"""Helpers of the formatter's tests: compiling texts, and rule files laid out at random.

`scramble` writes a file's statements back with random indentation, spacing,
line breaks inside brackets, blank lines, clause order and extra comments:
every layout the grammar accepts, for the property that formatting never
changes what a file compiles to.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

from lark import Token
from privlex.fmt.layout import Block, Statement, read_layout
from privlex.pipeline import compile_paths

WORDLESS = {"COMMA", "COLON", "LPAR", "RPAR", "LBRACE", "RBRACE"}


LOCATIONS = {"span", "source"}  # where a node is written (a span, or `file:line`), not what it means


def _without_spans(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_spans(v) for k, v in value.items() if k not in LOCATIONS}
    if isinstance(value, list):
        return [_without_spans(v) for v in value]
    return value


def compiled(files: dict[str, str]) -> tuple[Any, list[str]]:
    """What a unit of rule files compiles to: its program apart from spans, and its diagnostic codes."""
    with tempfile.TemporaryDirectory(prefix="privlex-fmt-") as folder:
        for name, text in files.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        compilation = compile_paths([Path(folder)])
    codes = sorted(d.code for d in compilation.diagnostics)
    if compilation.program is None:
        return None, codes
    dump = compilation.program.model_dump(mode="json", exclude={"source_hash", "files"})
    return _without_spans(dump), codes


class _Scrambler:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.unit = self.random.choice([" ", "  ", "   ", "    ", "        ", "\t"])
        self.lines: list[str] = []

    def comment(self) -> str:
        return "#" + self.random.choice(["", " ", "  "]) + self.random.choice(["note", "# banner #", "a: b", "x"])

    def gap(self, depth: int) -> None:
        for _ in range(self.random.choice([0, 0, 0, 1, 2])):
            if self.random.random() < 0.5:
                self.lines.append("")
            else:
                self.lines.append(" " * self.random.randint(0, 12) + self.comment())

    def tokens(self, tokens: list[Token], depth: int) -> str:
        parts: list[str] = []
        brackets = 0
        for index, token in enumerate(tokens):
            if index:
                words = token.type not in WORDLESS and tokens[index - 1].type not in WORDLESS
                if brackets > 0 and self.random.random() < 0.3:
                    if self.random.random() < 0.3:
                        parts.append("  " + self.comment())
                    parts.append("\n" + " " * self.random.randint(0, 14))
                else:
                    parts.append(" " * self.random.randint(1 if words else 0, 3))
            parts.append(str(token.value))
            if token.type in ("LPAR", "LBRACE"):
                brackets += 1
            elif token.type in ("RPAR", "RBRACE"):
                brackets -= 1
        return "".join(parts)

    def block(self, block: Block, depth: int) -> None:
        statements = list(block.statements)
        if self.random.random() < 0.3:
            self.random.shuffle(statements)
        for statement in statements:
            self.statement(statement, depth)

    def statement(self, statement: Statement, depth: int) -> None:
        self.gap(depth)
        line = self.unit * depth + self.tokens(statement.tokens, depth)
        if self.random.random() < 0.2:
            line += " " * self.random.randint(1, 3) + self.comment()
        self.lines.append(line)
        if statement.body is not None:
            self.block(statement.body, depth + 1)


def scramble(text: str, seed: int) -> str:
    """The file's statements, with their tokens unchanged, in a random layout the grammar accepts."""
    scrambler = _Scrambler(seed)
    scrambler.block(read_layout(text).block, 0)
    scrambler.gap(0)
    return "\n".join(scrambler.lines) + scrambler.random.choice(["\n", "", "\n\n"])
