"""Python source for values and conditions in generated code.

A condition is compiled to two plain boolean expressions, "is true" and "is
false" (Kleene logic without a third value at run time): a comparison on an
unknown fact is neither, `not` swaps them, and a condition holds only when
its "is true" expression does.
"""

from __future__ import annotations

import datetime
import re
import textwrap

from .. import ir

_INVERSE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def string(value: str, indent: int, width: int = 88, *, prefix: int = 0) -> str:
    """A str literal for code at `indent`, split into implicit concatenation if long.

    `repr` escapes quotes, backslashes, newlines and every non-printable
    character, so no text from a rule file can end the literal.
    """
    whole = repr(value)
    if indent + prefix + len(whole) <= width - 2:
        return whole
    room = max(width - indent - 8, 20)
    pieces: list[str] = []
    current = ""
    for word in re.findall(r"\S+\s*|\s+", value):
        while len(repr(current + word)) > room and current:
            pieces.append(current)
            current = ""
        if len(repr(word)) > room:
            for char in word:
                if len(repr(current + char)) > room:
                    pieces.append(current)
                    current = ""
                current += char
        else:
            current += word
    if current:
        pieces.append(current)
    pad = " " * (indent + 4)
    inner = "\n".join(pad + repr(piece) for piece in pieces)
    return "(\n" + inner + "\n" + " " * indent + ")"


def docstring(text: str, width: int = 84) -> str:
    """A triple-quoted docstring literal holding `text`, long lines wrapped.

    Backslashes, non-printable characters, any run of quotes that could
    close the literal and a closing quote at the end are escaped.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        lead = line[: len(line) - len(stripped)]
        wrapped = textwrap.wrap(
            stripped,
            width,
            initial_indent=lead,
            subsequent_indent=lead + "  ",
            break_long_words=True,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [""])
    out: list[str] = []
    for char in "\n".join(lines):
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\n")
        elif char == '"' and out and out[-1] in ('"', '\\"'):
            out.append('\\"')
        elif not char.isprintable() or char in "\u2028\u2029":
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    body = "".join(out)
    # A quote at the end would close the literal early unless it is escaped,
    # that is, preceded by an odd number of backslashes.
    if body.endswith('"') and (len(body) - 1 - len(body[:-1].rstrip("\\"))) % 2 == 0:
        body = body[:-1] + '\\"'
    return '"""' + body + '"""'


def comment(text: str, indent: int, width: int = 88) -> list[str]:
    """`# ...` lines for code at `indent`, wrapped to the line length, one line per source line."""
    lines: list[str] = []
    for line in text.split("\n"):
        clean = "".join(c if c.isprintable() else " " for c in line)
        wrapped = textwrap.wrap(clean, max(width - indent - 2, 30), break_on_hyphens=False)
        lines.extend(f"# {part}" for part in wrapped or [""])
    return [line.rstrip() for line in lines]


def date(value: datetime.date) -> str:
    return f"datetime.date({value.year}, {value.month}, {value.day})"


def frozenset_literal(values: list[str] | tuple[str, ...], indent: int = 4, prefix: int = 0) -> str:
    """A frozenset of strings, one item per line when it would not fit on one.

    `prefix` is the width of what precedes the literal on its line (`NAME = `).
    """
    items = ", ".join(repr(v) for v in sorted(values))
    one_line = f"frozenset({{{items}}})" if values else "frozenset()"
    if indent + len(one_line) < 80 and indent + prefix + len(one_line) <= 88:
        return one_line
    pad = " " * (indent + 8)
    rows = "".join(f"{pad}{v!r},\n" for v in sorted(values))
    return f"frozenset(\n{' ' * (indent + 4)}{{\n{rows}{' ' * (indent + 4)}}}\n{' ' * indent})"


class Constants:
    """Module-level constants that conditions refer to, named once, in order."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, str]] = {}  # name -> (expression, comment)
        self._by_expression: dict[str, str] = {}

    def add(self, stem: str, expression: str, comment: str = "") -> str:
        if expression in self._by_expression:
            return self._by_expression[expression]
        name = stem
        counter = 2
        while name in self.items:
            name = f"{stem}_{counter}"
            counter += 1
        self.items[name] = (expression, comment)
        self._by_expression[expression] = name
        return name


def constant_stem(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


# A compiled condition: a Python expression, or a join of parts by "and" / "or".
Expr = str | tuple[str, list["Expr"]]


def flat(expr: Expr) -> str:
    """The expression on one line, compound parts in parentheses."""
    if isinstance(expr, str):
        return expr
    joiner, parts = expr
    return f" {joiner} ".join(f"({flat(p)})" if isinstance(p, tuple) else p for p in parts)


def lay_out(expr: Expr, indent: int, width: int = 88) -> list[str]:
    """The expression's lines inside an open parenthesis at `indent`, black-style."""
    pad = " " * indent
    text = flat(expr)
    if isinstance(expr, str) or indent + len(text) <= width:
        return [pad + text]
    joiner, parts = expr
    lines: list[str] = []
    for index, part in enumerate(parts):
        prefix = "" if index == 0 else f"{joiner} "
        if isinstance(part, tuple):
            one = f"{pad}{prefix}({flat(part)})"
            if len(one) <= width:
                lines.append(one)
            else:
                lines.append(f"{pad}{prefix}(")
                lines.extend(lay_out(part, indent + 4, width))
                lines.append(f"{pad})")
        else:
            lines.append(f"{pad}{prefix}{part}")
    return lines


def statement(keyword: str, expr: Expr, indent: int, width: int = 88) -> list[str]:
    """`if EXPR:` (or another keyword), broken over lines when it is too long."""
    text = f"({flat(expr)})" if keyword.endswith(" not") and isinstance(expr, tuple) else flat(expr)
    one = f"{keyword} {text}:"
    if indent + len(one) <= width:
        return [one]
    return [f"{keyword} (", *lay_out(expr, 4, width - indent), "):"]


def conjunction(parts: list[Expr]) -> Expr | None:
    if not parts:
        return None
    flattened: list[Expr] = []
    for part in parts:
        if isinstance(part, tuple) and part[0] == "and":
            flattened.extend(part[1])
        else:
            flattened.append(part)
    return flattened[0] if len(flattened) == 1 else ("and", flattened)


class Conditions:
    """Compiles IR conditions of one ruleset to Python expressions."""

    def __init__(self, vocabulary: ir.Vocabulary, constants: Constants, parameters: dict[str, str]) -> None:
        self.vocabulary = vocabulary
        self.constants = constants
        self.parameters = parameters  # parameter name -> constant holding its table
        self.locals: set[str] = set()
        self.reads_day = False  # whether any compiled expression reads the date

    # ------------------------------------------------------------ operands

    def access(self, fact: ir.FactRef) -> str:
        if fact.path in ("region", "data", "purpose"):
            self.locals.add(fact.path)
            return fact.path
        if fact.path == "date":
            self.reads_day = True
            return "day"
        group, _, name = fact.path.rpartition(".")
        if group:
            self.locals.add(group)
            return f"{group}.{name}"
        return f"use.{name}"

    def scalar(self, value: ir.Scalar | ir.ParamRef) -> str:
        if isinstance(value, ir.ParamRef):
            self.locals.add("region")
            self.reads_day = True
            return f"parameter_value({self.parameters[value.name]}, region, day)"
        if isinstance(value, datetime.date):
            return self.constants.add(f"_D{value.year:04d}_{value.month:02d}_{value.day:02d}", date(value))
        return repr(value)

    def _set(self, kind: str, values: tuple[str, ...], expanded: list[str]) -> str:
        stem = f"_{kind.upper()}_IN_" + constant_stem("_".join(values))[:30].rstrip("_")
        # room for `NAME_NN = ` before the literal
        literal = frozenset_literal(expanded, 0, prefix=len(stem) + 6)
        return self.constants.add(stem, literal, f"{kind} {', '.join(values)} and every key below")

    def _places(self, fact: ir.FactRef) -> str:
        if fact.path == "region":
            self.locals.add("here")
            return "here"
        return f"places({self.access(fact)}, WITHIN)"

    # ---------------------------------------------------------- conditions

    def true(self, condition: ir.Condition) -> Expr:
        return self._compile(condition, want=True)

    def _guard(self, fact: ir.FactRef, expression: str) -> Expr:
        if not fact.nullable:
            return expression
        return ("and", [f"{self.access(fact)} is not None", expression])

    def _values(self, kind: str, values: list[str]) -> str:
        """A set of literal values, inline when short, else a named constant."""
        inline = "{" + ", ".join(values) + "}"
        if len(values) <= 3 and len(inline) <= 32:
            return inline
        expression = (
            f"frozenset({{{', '.join(values)}}})"
            if len(inline) < 60
            else ("frozenset(\n    {\n" + "".join(f"        {v},\n" for v in values) + "    }\n)")
        )
        return self.constants.add(f"_{kind.upper()}_SET", expression)

    def _compile(self, condition: ir.Condition, want: bool) -> Expr:
        if isinstance(condition, ir.Defined):  # a definition is compiled in place
            return self._compile(condition.condition, want)
        if isinstance(condition, ir.Not):
            return self._compile(condition.operand, not want)
        if isinstance(condition, ir.And | ir.Or):
            joiner = "and" if isinstance(condition, ir.And) == want else "or"
            parts: list[Expr] = []
            for operand in condition.operands:
                part = self._compile(operand, want)
                if isinstance(part, tuple) and part[0] == joiner:
                    parts.extend(part[1])
                else:
                    parts.append(part)
            return (joiner, parts)
        fact = condition.fact
        if isinstance(condition, ir.Within) and fact.kind not in ("data", "purpose"):
            places = self._places(fact)
            if len(condition.values) == 1:
                test = f"{condition.values[0]!r} {'in' if want else 'not in'} {places}"
            else:
                items = self._values("regions", [repr(v) for v in sorted(condition.values)])
                test = f"{'not ' if want else ''}{places}.isdisjoint({items})"
            return self._guard(fact, test)
        access = self.access(fact)
        if isinstance(condition, ir.Truth):
            return access if want else f"not {access}"
        if isinstance(condition, ir.Known):
            return f"{access} is not None" if condition.known == want else f"{access} is None"
        if isinstance(condition, ir.Compare):
            op = condition.op if want else _INVERSE[condition.op]
            return self._guard(fact, f"{access} {op} {self.scalar(condition.value)}")
        if isinstance(condition, ir.OneOf):
            if len(condition.values) == 1:
                test = f"{access} {'==' if want else '!='} {self.scalar(condition.values[0])}"
            else:
                items = self._values("values", [self.scalar(v) for v in sorted(condition.values, key=repr)])
                test = f"{access} {'in' if want else 'not in'} {items}"
            # None never equals a value, so only the "is false" side needs a guard.
            return test if want else self._guard(fact, test)
        assert isinstance(condition, ir.Within)
        below = self.vocabulary.data_below if fact.kind == "data" else self.vocabulary.purposes_below
        expanded = sorted({k for v in condition.values for k in below.get(v, (v,))})
        name = self._set(fact.kind, condition.values, expanded)
        return f"{access} {'in' if want else 'not in'} {name}"

    def scope(self, kind: str, keys: tuple[str, ...]) -> Expr:
        fact = ir.FactRef(path=kind, kind=kind, nullable=False)  # type: ignore[arg-type]
        return self._compile(ir.Within(fact=fact, values=keys), want=True)


def sort_imports(names: set[str]) -> list[str]:
    """isort's order-by-type: CONSTANTS, then Classes, then functions."""

    def key(name: str) -> tuple[int, str]:
        if name.isupper():
            return (0, name)
        return (1 if name[0].isupper() else 2, name)

    return sorted(names, key=key)
