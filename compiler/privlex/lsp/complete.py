"""Completion: what the grammar accepts at the cursor, and the names that fit there.

The file is parsed up to the word being typed with the compiler's own
parser; the terminals it would accept next say whether a keyword, a name or
a region may come. Which names (keys, facts, values, rule ids) follow from
the tokens before the cursor on its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lark import Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput
from lark.indenter import DedentError
from lark.lexer import PatternStr

from .. import ir
from ..syntax import nodes as n
from ..syntax.grammar import parser
from .analysis import Analysis

_WORD = re.compile(r"[A-Za-z0-9_.\-]*\Z")
_LAYOUT = {"_NL", "_INDENT", "_DEDENT"}
_VALUE_AFTER = {"IS", "COMPARISON", "IN", "LBRACE", "COMMA", "NOT"}


@dataclass(frozen=True)
class Item:
    label: str
    kind: str  # keyword, key, fact, region, value, parameter, node, obligation
    detail: str = ""


@cache
def _keywords() -> dict[str, str]:
    """Terminal name -> the keyword it stands for (only words: punctuation is not offered)."""
    found: dict[str, str] = {}
    for terminal in parser().terminals:
        pattern = terminal.pattern
        if isinstance(pattern, PatternStr) and pattern.value.isalpha():
            found[terminal.name] = pattern.value
    return found


def word_start(text: str, offset: int) -> int:
    match = _WORD.search(text[:offset])
    return offset - len(match.group()) if match else offset


def _state(text: str, offset: int) -> tuple[list[Token], set[str]] | None:
    """The tokens of the cursor's line before the word being typed, and the terminals accepted there."""
    start = word_start(text, offset)
    # Parse what comes before the word, then a character no token can hold: the parser stops
    # there, in the state the word would be read in (the lines after the cursor must not count).
    interactive = parser().parse_interactive(text[:start] + "\x00")
    line: list[Token] = []
    try:
        for token in interactive.iter_parse():
            line = [] if token.type in _LAYOUT else [*line, token]
    except UnexpectedInput as exc:
        stopped = exc.pos_in_stream if isinstance(exc, UnexpectedCharacters) else getattr(exc, "pos_in_stream", -1)
        if stopped != start:
            return None  # a mistake before the cursor: no completion rather than a wrong one
    except (LarkError, DedentError):
        return None
    try:
        accepted: set[str] = interactive.accepts()  # type: ignore[no-untyped-call]
        return line, accepted
    except LarkError:
        return None


def _enclosing_ruleset(text: str, offset: int) -> str | None:
    for line in reversed(text[:offset].split("\n")):
        match = re.match(r"ruleset\s+([a-z_][a-z0-9_.]*)", line)
        if match:
            return match.group(1)
        if line and not line[0].isspace() and not line.startswith("#"):
            return None
    return None


def _fact_before(line: list[Token]) -> str | None:
    """The fact a value is compared with: the last name before the operator."""
    for token in reversed(line):
        if token.type in ("PATH", "DATA", "PURPOSE", "REGION_KW", "DATE") or token.value in ("region", "date"):
            if token.type not in _VALUE_AFTER:
                return str(token.value)
    return None


class _Names:
    def __init__(self, analysis: Analysis | None, ruleset: str | None) -> None:
        self.vocabulary = analysis.vocabulary if analysis else None
        self.rulesets = {r.id: r for r in analysis.rulesets} if analysis else {}
        self.ruleset = ruleset
        self.facts = {f.path: f for f in self.vocabulary.facts} if self.vocabulary else {}
        self.files = list(analysis.files.values()) if analysis else []

    def keys(self, kind: str) -> list[Item]:
        if self.vocabulary is None:
            return []
        keys = self.vocabulary.data if kind == "data" else self.vocabulary.purposes
        return [Item(k.key, "key", k.title) for k in keys]

    def fact_items(self) -> list[Item]:
        facts = [*ir.BUILTIN_FACTS.values(), *self.facts.values()]
        return [Item(f.path, "fact", f"{f.kind}: {f.title}") for f in facts]

    def condition_items(self) -> list[Item]:
        """What a condition can test: facts, and the definitions in scope (the unit's and the ruleset's)."""
        items = self.fact_items()
        for file in self.files:
            for decl in file.declarations:
                if isinstance(decl, n.Definition):
                    items.append(Item(decl.name.text, "definition", decl.title))
                elif isinstance(decl, n.Ruleset) and decl.id.text == self.ruleset:
                    items.extend(Item(d.name.text, "definition", d.title) for d in decl.definitions)
        return items

    def regions(self) -> list[Item]:
        if self.vocabulary is None:
            return []
        return [Item(r.code, "region", r.title) for r in self.vocabulary.regions]

    def parameters(self) -> list[Item]:
        ruleset = self.rulesets.get(self.ruleset or "")
        return [Item(p.name, "parameter", p.title) for p in ruleset.parameters] if ruleset else []

    def values(self, fact: str | None) -> list[Item]:
        declared = self.facts.get(fact or "")
        kind = declared.kind if declared else (ir.BUILTIN_FACTS[fact].kind if fact in ir.BUILTIN_FACTS else None)
        if kind in ("data", "purpose"):
            return self.keys(kind)
        if kind == "basis" and self.vocabulary is not None:
            return [Item(name, "value", title) for name, title in self.vocabulary.bases]
        if kind == "enum" and declared is not None:
            return [Item(choice, "value", f"a value of {fact}") for choice in declared.choices]
        if kind in ("integer", "date"):
            return self.parameters()
        return []

    def nodes(self, qualified: bool) -> list[Item]:
        items: list[Item] = []
        for ruleset in self.rulesets.values():
            if not qualified and ruleset.id != self.ruleset:
                continue
            for node, _ in ruleset.walk():
                label = f"{ruleset.id}.{node.id}" if qualified else node.id
                items.append(Item(label, "node", f"{node.kind}, {node.effect}: {node.title}"))
        return items

    def obligations(self, qualified: bool) -> list[Item]:
        items: dict[str, Item] = {}
        for ruleset in self.rulesets.values():
            if not qualified and ruleset.id != self.ruleset:
                continue
            for node, _ in ruleset.walk():
                for o in node.obligations:
                    label = f"{ruleset.id}.{o.id}" if qualified else o.id
                    items.setdefault(label, Item(label, "obligation", o.text))
        return list(items.values())


def _names(names: _Names, line: list[Token]) -> list[Item]:
    """The names that fit after these tokens of a line."""
    if not line:
        return names.condition_items()  # a name at the start of a line: the condition of a definition
    types = [t.type for t in line]
    first, last = types[0], types[-1]
    if first in ("DATA", "PURPOSE") and "WHEN" not in types:
        return names.keys("data" if first == "DATA" else "purpose")
    if first == "FACT":
        return names.fact_items() if last in ("IMPLIES", "EXCLUDES") else []
    if first == "EXPECT":
        qualified = names.ruleset is None
        if "OBLIGATIONS" in types:
            return names.obligations(qualified)
        return names.nodes(qualified) if "BY" in types else []
    if first == "GIVEN":
        return names.fact_items() if last in ("GIVEN", "COMMA") else names.values(str(line[-1].value))
    if "WHEN" in types or first in ("PATH", "LPAR", "NOT"):  # a condition, after `when` or in a definition
        if last in _VALUE_AFTER and not (last == "NOT" and types[-2:-1] != ["IS"]):
            return names.values(_fact_before(line[: len(line) - 1]))
        return names.condition_items()
    return []


def _regions_fit(names: _Names, line: list[Token]) -> bool:
    """Regions are offered where a region may come, but not as the value of a fact of another kind."""
    types = [t.type for t in line]
    in_condition = "WHEN" in types or types[0] in ("GIVEN", "PATH", "LPAR", "NOT") if types else False
    if not in_condition or types[-1] not in _VALUE_AFTER | {"PATH"}:
        return True
    fact = _fact_before(line[:-1]) if types[-1] != "PATH" else str(line[-1].value)
    kind = (
        names.facts[fact].kind
        if fact in names.facts
        else ir.BUILTIN_FACTS[fact].kind
        if fact in ir.BUILTIN_FACTS
        else None
    )
    return kind in (None, "region")


def complete(analysis: Analysis | None, text: str, offset: int) -> list[Item]:
    """Completion items at a character offset of a rule file."""
    state = _state(text, offset)
    if state is None:
        return []
    line, accepts = state
    keywords = _keywords()
    names = _Names(analysis, _enclosing_ruleset(text, offset))
    items = [Item(keywords[t], "keyword") for t in sorted(accepts) if t in keywords]
    if "PATH" in accepts:
        items.extend(_names(names, line))
    if "REGION" in accepts and _regions_fit(names, line):
        items.extend(names.regions())
    unique: dict[str, Item] = {}
    for item in items:
        unique.setdefault(item.label, item)
    return list(unique.values())
