"""Names in generated code: which names from rule files may become identifiers, and fresh names.

A ruleset id becomes a module (and a name in the package's `__init__`), a fact
group a field, a local variable and (through `class_name`) a class, a fact a
field. None of them may be a name that generated code already uses for
something else: `RESERVED` lists every name the templates and the emitters
write (a test renders every template and checks that the list is complete).
Rule, exception and obligation ids only ever appear inside string literals and
upper-case constant names, but they are held to the same rules, so that one
name is valid everywhere.

Names that generated code gives its own helpers need no reserving when no
rule file can write them: a name with a capital letter, a leading underscore
or a trailing one (`_record`, `UseRecord`, the locals `record_` and
`facts_`). New helper names should take one of those shapes.

The passes call `identifier_problem` to report E205 with the name's span.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

from pydantic import BaseModel

from .. import ir, runtime
from ..runtime import UseGroup, UseModel

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

# Names that generated code uses, by where they come from. Generated constants
# (`_RULE_CONSENT`) and classes (`ConsentFacts`) are not listed: no name from a
# rule file can take their shape. Nor are the built-in facts (`region`, `data`,
# `purpose`, `date`, the locals and fields named after them): every unit
# declares them already, and the passes refuse to declare them again (E202).
_PYTHON = {
    # builtins generated code calls or annotates with
    "bool",
    "classmethod",
    "dict",
    "frozenset",
    "int",
    "object",
    "str",
    "tuple",
    "type",
    "list",
    "set",
    # modules it imports, and what it imports from them
    "cached_property",
    "collections",
    "datetime",
    "functools",
    "pydantic",
    "privlex",
    "typing",
}
# Every lower-case name of privlex.runtime (generated code may import any of them),
# and those it imports from typing and pydantic.
_IMPORTED = {name for name in runtime.__all__ if name.islower()} | {"field_validator"}
_PACKAGE = {
    # package_init.py.j2: functions, their parameters and locals
    "allow_uncovered",
    "applies",
    "check",
    "evaluate",
    "permits",
    "today",
    "use",
    "valid",
    "verdict",
    "day",
    # ruleset.py.j2 and the emitters: functions, parameters and locals
    "permitted",
    "denied",
    "excluded_by",
    "here",
    "permit",
    # vocabulary.py.j2: validator parameters
    "cls",
    "value",
    "self",
    # validate.py.j2: use_from (its locals end with an underscore, as no rule file's name can)
    "use_from",
    # the generated package's own modules and the runtime's modules
    "vocabulary",
    "runtime",
    "default",
}
RESERVED = frozenset(
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {name for name in dir(BaseModel) if not name.startswith("_")}
    | {name for name in dir(UseModel) if not name.startswith("_")}
    | {name for name in dir(UseGroup) if not name.startswith("_")}
    | _PYTHON
    | _IMPORTED
    | _PACKAGE
)


# Words the rule language reads as values wherever a name could stand (`is unknown`, `= true`):
# a key, fact or value so named could not be referred to everywhere.
LANGUAGE_WORDS = frozenset({"true", "false", "known", "unknown"})


def identifier_problem(name: str) -> str | None:
    """Why `name` cannot be one part of an identifier, or None if it can."""
    if not _NAME.match(name):
        return "a name starts with a lowercase letter and holds only a-z, 0-9 and _"
    if name in LANGUAGE_WORDS:
        return f"{name!r} is a word of the rule language (as in `is {name}`) and cannot be a name"
    if name in RESERVED or name.startswith("model_"):
        return f"{name!r} is a name the Python code privlex writes needs for itself: choose another"
    if "__" in name or name.endswith("_"):
        return "a name may not hold a double underscore or end with one"
    return None


def class_name(group: str) -> str:
    """The model class of a fact group: `subject` -> `SubjectFacts`, `a_1b` -> `A_1bFacts`.

    Distinct groups get distinct classes (`a1b` -> `A1bFacts`): a part that
    starts with a digit keeps its underscore, so the class name can be read
    back into the group name.
    """
    parts = group.split("_")
    out = parts[0].capitalize()
    for part in parts[1:]:
        out += ("_" + part) if part[:1].isdigit() else part.capitalize()
    return out + "Facts"


def constant_stem(text: str) -> str:
    """Upper-case words of `text` for a constant name: `ai.training` -> `AI_TRAINING`."""
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def node_stem(node: ir.Node, separator: str = "_") -> str:
    """Upper-case words naming a node after its path (`CONSENT_CHILD`), or its own id when the path is long."""
    path = separator.join(constant_stem(part) for part in node.id.split("."))
    return path if len(path) <= 40 else constant_stem(node.id.rpartition(".")[2])


class Names:
    """Unique names in one namespace of generated code, handed out in a fixed order."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def fresh(self, stem: str) -> str:
        name = stem
        counter = 2
        while name in self.taken:
            name = f"{stem}_{counter}"
            counter += 1
        self.taken.add(name)
        return name


def sort_imports(names: Iterable[str]) -> tuple[str, ...]:
    """Imported names in isort's order by type: CONSTANTS, then Classes, then functions."""

    def key(name: str) -> tuple[int, str]:
        if name.isupper():
            return (0, name)
        return (1 if name[0].isupper() else 2, name)

    return tuple(sorted(names, key=key))
