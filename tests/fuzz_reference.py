"""A reference interpreter: the semantics of docs/language.md part 3, on the fuzzer's own model.

It reads nothing the compiler built (no IR, no generated code), so a
disagreement between it and a generated package is a bug in one of the two,
found without trusting either. It is written for clarity, not speed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from fuzz_model import Condition, Node, Ruleset, Unit

ALIASES = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True)
class Leaf:
    ruleset: str
    rule: str  # the reason id: rule, rule.exception, exclusion id, or "default"
    effect: str
    obligations: tuple[tuple[str, int], ...]  # (obligation id, source position) on its path


@dataclass(frozen=True)
class Result:
    ruleset: str
    effect: str
    leaves: tuple[Leaf, ...]

    @property
    def obligations(self) -> list[str]:
        return [oid for oid, _ in _obligations(self.leaves)] if self.effect == "permit" else []


@dataclass(frozen=True)
class Decision:
    outcome: str
    reasons: tuple[tuple[str, str], ...]  # (ruleset, reason id)
    obligations: tuple[tuple[str, str], ...]  # (ruleset, obligation id)
    rulesets: tuple[str, ...]


def _obligations(leaves: tuple[Leaf, ...]) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for leaf in leaves:
        for oid, order in leaf.obligations:  # an id carried twice: its first place in the source
            seen[oid] = min(order, seen.get(oid, order))
    return sorted(seen.items(), key=lambda item: item[1])


class Reference:
    """Decides uses of one unit. A use is {"region", "data", "purpose", "date", path: value …}, normalised."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.regions = {r.code: r for r in unit.regions}
        self.parents: dict[str, set[str]] = {r.code: set() for r in unit.regions}
        for region in unit.regions:
            if region.kind == "subdivision":
                self.parents[region.code].add(region.code.split("-")[0])
            for member in region.members:
                self.parents[member].add(region.code)
        self.below = {
            "data": self._below(unit.data),
            "purpose": self._below(unit.purposes),
        }
        self.facts = {f.path: f for f in unit.facts}
        self.order: dict[tuple[int, str], int] = {}  # (node, obligation id) -> position in the ruleset
        self.numbered: set[str] = set()

    @staticmethod
    def _below(keys: list[Any]) -> dict[str, set[str]]:
        parents = {k.key: ({k.key.rsplit(".", 1)[0]} if "." in k.key else set()) | set(k.also_in) for k in keys}
        below: dict[str, set[str]] = {k: {k} for k in parents}
        changed = True
        while changed:
            changed = False
            for key, ups in parents.items():
                for up in ups:
                    if not below[key] <= below[up]:
                        below[up] |= below[key]
                        changed = True
        return below

    def places(self, code: str) -> set[str]:
        if code not in self.regions:
            return self.places(code.split("-")[0]) | {code}
        found, pending = {code}, [code]
        while pending:
            for parent in self.parents[pending.pop()]:
                if parent not in found:
                    found.add(parent)
                    pending.append(parent)
        return found

    def depth(self, code: str) -> int:
        """How many regions lie above a region (its most specific ancestors are the deepest)."""
        return len(self.places(code))

    # ------------------------------------------------------------- conditions

    def value(self, path: str, use: dict[str, Any], day: datetime.date) -> Any:
        if path == "date":
            return day
        return use.get(path)

    def param(self, ruleset: Ruleset, name: str, use: dict[str, Any], day: datetime.date) -> Any:
        parameter = next(p for p in ruleset.parameters if p.id == name)
        places = self.places(use["region"])
        candidates = [
            (self.depth(region), value)
            for region, value, start, end in parameter.values
            if region in places and (start is None or start <= day) and (end is None or day <= end)
        ]
        assert candidates, f"no value of {name} for {use['region']} on {day}"
        deepest = max(depth for depth, _ in candidates)
        values = {repr(value) for depth, value in candidates if depth == deepest}
        assert len(values) == 1, f"ambiguous {name} for {use['region']}"
        return next(value for depth, value in candidates if depth == deepest)

    def hierarchy(self, path: str) -> str | None:
        if path in ("data", "purpose"):
            return path
        if path == "region" or (path in self.facts and self.facts[path].kind == "region"):
            return "region"
        return None

    def holds(self, condition: Condition, ruleset: Ruleset, use: dict[str, Any], day: datetime.date) -> bool | None:
        kind = condition[0]
        if kind == "not":
            inner = self.holds(condition[1], ruleset, use, day)
            return None if inner is None else not inner
        if kind in ("and", "or"):
            results = [self.holds(c, ruleset, use, day) for c in condition[1]]
            decisive = kind == "or"  # true decides an or, false decides an and
            if decisive in results:
                return decisive
            return None if None in results else not decisive
        value = self.value(condition[1], use, day)
        if kind == "known":
            return (value is not None) == condition[2]
        if value is None:
            return None
        if kind == "truth":
            return value is True
        if kind == "compare":
            other = condition[3]
            if isinstance(other, tuple):
                other = self.param(ruleset, other[1], use, day)
            return {
                "<": value < other,
                "<=": value <= other,
                ">": value > other,
                ">=": value >= other,
                "=": value == other,
                "!=": value != other,
            }[condition[2]]
        if kind == "is":
            return (value == condition[3]) != condition[2]
        if kind == "in":
            hierarchy = self.hierarchy(condition[1])
            if hierarchy == "region":
                inside = bool(self.places(value) & set(condition[3]))
            elif hierarchy is not None:
                inside = any(value in self.below[hierarchy][key] for key in condition[3])
            else:
                inside = value in condition[3]
            return inside != condition[2]
        raise AssertionError(condition)

    # ---------------------------------------------------------------- nodes

    def in_scope(self, node: Node, use: dict[str, Any], day: datetime.date) -> bool:
        for keys, name in ((node.data, "data"), (node.purposes, "purpose")):
            if keys is not None and not any(use[name] in self.below[name][key] for key in keys):
                return False
        return (node.start is None or node.start <= day) and (node.end is None or day <= node.end)

    def matches(self, node: Node, ruleset: Ruleset, use: dict[str, Any], day: datetime.date) -> bool:
        if not self.in_scope(node, use, day):
            return False
        return node.condition is None or self.holds(node.condition, ruleset, use, day) is True

    def leaves(
        self,
        node: Node,
        path: str,
        carried: tuple[tuple[str, int], ...],
        ruleset: Ruleset,
        use: dict[str, Any],
        day: Any,
    ) -> list[Leaf]:
        """The matching leaves below a matching node, each with the obligations of the permitting nodes above it."""
        own = tuple((o.id, self.order[(id(node), o.id)]) for o in node.obligations) if node.effect == "permit" else ()
        carried = carried + own
        found: list[Leaf] = []
        for exception in node.exceptions:
            if self.matches(exception, ruleset, use, day):
                found.extend(self.leaves(exception, f"{path}.{exception.id}", carried, ruleset, use, day))
        return found or [Leaf(ruleset.id, path, node.effect, carried)]

    def _number_obligations(self, ruleset: Ruleset) -> None:
        position = 0

        def visit(node: Node) -> None:
            nonlocal position
            for obligation in node.obligations:
                position += 1
                self.order[(id(node), obligation.id)] = position
            for exception in node.exceptions:
                visit(exception)

        for node in (*ruleset.exclusions, *ruleset.rules):
            visit(node)

    def evaluate(self, ruleset: Ruleset, use: dict[str, Any], day: datetime.date) -> Result | None:
        if not any(covered in self.places(use["region"]) for covered in ruleset.covers):
            return None
        if (ruleset.start and day < ruleset.start) or (ruleset.end and day > ruleset.end):
            return None
        if ruleset.applies is not None and self.holds(ruleset.applies, ruleset, use, day) is not True:
            return None
        if ruleset.id not in self.numbered:
            self._number_obligations(ruleset)
            self.numbered.add(ruleset.id)
        excluded = [
            Leaf(ruleset.id, node.id, "permit", tuple((o.id, self.order[(id(node), o.id)]) for o in node.obligations))
            for node in ruleset.exclusions
            if self.matches(node, ruleset, use, day)
        ]
        if excluded:
            return Result(ruleset.id, "permit", tuple(excluded))
        denied: list[Leaf] = []
        permitted: list[Leaf] = []
        for rule in ruleset.rules:
            if not self.matches(rule, ruleset, use, day):
                continue
            leaves = self.leaves(rule, rule.id, (), ruleset, use, day)
            effect = "deny" if any(leaf.effect == "deny" for leaf in leaves) else "permit"
            (denied if effect == "deny" else permitted).extend(leaf for leaf in leaves if leaf.effect == effect)
        if denied:
            return Result(ruleset.id, "deny", tuple(denied))
        if permitted:
            return Result(ruleset.id, "permit", tuple(permitted))
        return Result(ruleset.id, ruleset.default_effect, (Leaf(ruleset.id, "default", ruleset.default_effect, ()),))

    def decide(self, use: dict[str, Any], day: datetime.date) -> Decision:
        results = [r for r in (self.evaluate(rs, use, day) for rs in self.unit.rulesets) if r is not None]
        results.sort(key=lambda r: r.ruleset)
        names = tuple(r.ruleset for r in results)
        if not results:
            return Decision("not_applicable", (), (), ())
        denying = [r for r in results if r.effect == "deny"]
        if denying:
            return Decision("deny", tuple((leaf.ruleset, leaf.rule) for r in denying for leaf in r.leaves), (), names)
        reasons = tuple((leaf.ruleset, leaf.rule) for r in results for leaf in r.leaves)
        obligations = tuple((r.ruleset, oid) for r in results for oid, _ in _obligations(r.leaves))
        return Decision("permit", reasons, obligations, names)
