"""Hostile names and texts for every slot of a rule file.

Names are the identifiers the language allows (lowercase, no `__`, not
reserved) with a share of those that collide with what generated code is
made of: Python builtins, module and function names of the generated
package, pydantic's and the runtime's names. Texts (titles, citations, law
names, obligation texts, notes) hold quotes, backslashes, code, template and
format syntax, control characters, line separators Python might honour,
right-to-left marks and long words: every one of them must come out of the
generated code exactly as written, and change nothing else.
"""

from __future__ import annotations

import builtins
import random

from privlex.codegen.identifiers import identifier_problem
from privlex.syntax.characters import FORBIDDEN

PLAIN = ["alpha", "beta", "gamma", "delta", "consent", "subject", "processing", "chat", "audio", "child", "guardian"]
# Names that generated code, Python or the runtime also use. A name the compiler
# rejects (E205) is filtered out here: `rejected_names` tests those separately.
CLASHING = [
    "check",
    "evaluate",
    "permits",
    "permitted",
    "datetime",
    "today",
    "here",
    "denied",
    "leaf",
    "leaves",
    "valid",
    "verdict",
    "applies",
    "combine",
    "settle",
    "excluded",
    "places",
    "within",
    "typing",
    "field",
    "pydantic",
    "privlex",
    "annotations",
    "str",
    "int",
    "bool",
    "list",
    "tuple",
    "object",
    "type",
    "print",
    "len",
    "none",
    "true",
    "false",
    "os",
    "sys",
    "re",
    "rulesets",
    "source_hash",
    "decision",
    "reason",
    "obligation",
    "outcome",
    "effect",
    "mapping",
    "any",
    "classvar",
    "use_group",
    "use_model",
    "invalid_use",
    "data_use",
    "a1b",
    "a_1b",
    "x1",
    "x_1",
    "_private",
    "known",
    "unknown",
    "int",
    "bool",
    "type",
]
# Names the code generator reserves, or the language reads as its own words: the compiler
# refuses them with E205 (test_fuzz checks that it does, and that it never crashes on them).
REFUSED_OR_CLASHING: frozenset[str] = frozenset(
    {
        "applies", "bool", "check", "classmethod", "combine", "datetime", "denied", "evaluate",
        "here", "int", "permits", "permitted", "settle", "str", "today", "tuple", "type", "valid",
        "verdict", "excluded", "excluded_by", "places", "parameter_value", "within",
        "a1b", "a_1b", "x1", "x_1",  # two names, one Python name (A1bFacts) unless kept apart
        "true", "false", "known", "unknown",
    }
)  # fmt: skip
RESERVED_FACT_NAMES = {"region", "data", "purpose", "date"}
# Python's builtins a generated module could shadow, and names like its own locals.
_BUILTINS = frozenset(name for name in dir(builtins) if name.islower() and not name.startswith("_"))


def _allowed(name: str) -> bool:
    """Every name the compiler accepts is drawn, builtins and the generated code's names included."""
    return name not in RESERVED_FACT_NAMES and identifier_problem(name) is None


POOL = [name for name in dict.fromkeys(PLAIN + CLASHING + sorted(_BUILTINS)) if _allowed(name)]


def _generated(count: int) -> list[str]:
    """Plain identifiers of every shape the language allows (a fixed list: drawing from it is fast)."""
    chooser = random.Random(15)
    letters, tail = "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz0123456789"
    found: list[str] = []
    while len(found) < count:
        name = chooser.choice(letters) + "".join(chooser.choice(tail) for _ in range(chooser.randint(0, 7)))
        if chooser.random() < 0.3:
            name += "_" + "".join(chooser.choice(tail) for _ in range(chooser.randint(1, 4)))
        if _allowed(name) and name not in found:
            found.append(name)
    return found


# Every name a generator draws: the hostile ones often, plain generated ones otherwise.
NAME_LIST = POOL * 4 + _generated(400)
PLAIN_CHARACTERS = "abcdefgh ().,-Art"
_ALL_PAYLOADS = [
    '"',
    '\\"',
    "\\",
    "\\\\",
    "'",
    "'''",
    '"""',
    '"""; import os; os.system(\'echo pwned\') #',
    "'; raise SystemExit(3) #",
    "{{ config }}",
    "{% raw %}",
    "{# comment #}",
    "{0}",
    "{name!r}",
    "%s %d %(x)s",
    "\\N{BULLET}",
    "\\u0041\\x41\\0",
    ">>> import os",
    "# comment",
    "#   rulesets/evil.py",
    "\r",
    "x\rimport os",
    "\x0b\x0c",
    "\x1c\x1d\x1e",
    "\x85",
    "\u2028\u2029",
    "\x00",
    "\x7f",
    "\u202e\u2066rtl",
    "\ufeff",
    "\U0001f600 emoji",
    "Åland Islands — “quoted”",
    "a" * 300,
    "word " * 40,
    " leading and trailing ",
    "",
    "$(touch /tmp/pwned)",
    "`id`",
    "<script>alert(1)</script>",
    "\t tab",
]
# Texts privlex refuses in a rule file (E105: control characters, a carriage
# return inside a line, bidirectional controls), and the ones that must come out
# of the generated code exactly as written.
REFUSED_PAYLOADS = [p for p in _ALL_PAYLOADS if FORBIDDEN.search(f'"{p}"')]
PAYLOADS = [p for p in _ALL_PAYLOADS if p not in REFUSED_PAYLOADS]
