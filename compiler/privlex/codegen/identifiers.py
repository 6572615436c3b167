"""Which names from rule files may become Python identifiers in generated code."""

from __future__ import annotations

import keyword
import re

from pydantic import BaseModel

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

# Names a generated model or module cannot take without clashing with Python,
# pydantic or the generated package's own modules.
_RESERVED = (
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {name for name in dir(BaseModel) if not name.startswith("__")}
    | {"vocabulary", "runtime", "default", "use", "day", "self", "cls"}
)


def identifier_problem(name: str) -> str | None:
    """Why `name` cannot be one part of an identifier, or None if it can."""
    if not _NAME.match(name):
        return "a name starts with a lowercase letter and holds only a-z, 0-9 and _"
    if name in _RESERVED or name.startswith("model_"):
        return f"{name!r} is reserved in generated Python code"
    if "__" in name or name.endswith("_"):
        return "a name may not hold a double underscore or end with one"
    return None
