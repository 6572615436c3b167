"""A JSON record (one line of a JSONL file) as the use it describes.

The same reading as for Arrow columns, applied per record because JSON lines
have no schema: keys named after a fact root are facts, `consent` holds an
object of consent facts and `consent.given` is one of them, every other key
is payload. What Arrow reports as a schema error is an invalid row here: a
name under a root that is not a fact, or one fact given twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .facts import Catalog, normalize
from .schema import near_miss
from .verdicts import Verdict, invalid

# keys remembered per run; a file whose lines name ever new keys is read without the memo beyond this
_REMEMBERED = 4096


def lookup(record: Mapping[str, Any], name: str) -> Any:
    """A key of the record, or a dotted path into nested objects; None when absent."""
    if name in record:
        return record[name]
    head, dot, rest = name.partition(".")
    inner = record.get(head) if dot else None
    return lookup(inner, rest) if isinstance(inner, Mapping) else None


class RecordReader:
    """Turns records into uses for one run: the catalogue, `--map` and `--set` fixed."""

    def __init__(
        self, facts: Catalog, mapping: Mapping[str, str] | None = None, constants: Mapping[str, Any] | None = None
    ) -> None:
        self.facts = facts
        self.mapping = dict(mapping or {})
        self.constants = dict(constants or {})
        # facts that come from elsewhere: keys named after them are payload
        self.overridden = (
            set(self.constants)
            | {fact for fact in self.mapping if fact not in facts.groups}
            | {f"{group}." for group in self.mapping if group in facts.groups}
        )
        self.seen: set[str] = set()  # the facts read, for the summary
        self.mapped = {name.split(".")[0] for name in self.mapping.values()}
        # per key, remembered for the run: every line of a file names the same few keys
        self._skipped: dict[str, bool] = {}
        self._near: dict[str, str | None] = {}

    def _skip(self, path: str) -> bool:
        found = self._skipped.get(path)
        if found is None:
            found = path in self.overridden or f"{path.split('.', 1)[0]}." in self.overridden
            if len(self._skipped) < _REMEMBERED:
                self._skipped[path] = found
        return found

    def _near_miss(self, key: str) -> str | None:
        if key in self._near:
            return self._near[key]
        found = near_miss(key, self.facts)
        if len(self._near) < _REMEMBERED:
            self._near[key] = found
        return found

    def use(self, record: Mapping[str, Any]) -> dict[str, Any] | Verdict:
        """The nested use a record describes, or an invalid verdict."""
        use: dict[str, Any] = {}
        given: set[str] = set()

        def put(path: str, value: Any) -> Verdict | None:
            if path in given:
                return invalid(f"{path}: given twice (as a field of {path.split('.')[0]} and as {path})", path)
            given.add(path)
            group, dot, name = path.partition(".")
            if dot:
                holder = use.setdefault(group, {})
                if isinstance(holder, dict):
                    holder[name] = normalize(value)
            else:
                use[path] = normalize(value)
            return None

        for key, value in record.items():
            root, dot, _ = key.partition(".")
            if root not in self.facts.roots:
                meant = self._near_miss(key)
                if meant is not None and key not in self.mapped:
                    return invalid(
                        f"{key}: not a fact name, and would be payload, never read; did you mean {meant}?", key
                    )
                continue
            if not dot and root in self.facts.groups:
                if isinstance(value, Mapping):
                    for name, inner in value.items():
                        path = f"{root}.{name}"
                        if not self._skip(path) and (problem := put(path, inner)):
                            return problem
                elif value is not None and not self._skip(f"{root}.x"):
                    use[root] = value  # validation says it is not an object of facts
                continue
            if dot and root in self.facts.scalars:
                return invalid(f"{key}: {self.facts.unknown(key)}", key)
            if not self._skip(key) and (problem := put(key, value)):
                return problem
        self.seen.update(given)
        for fact, name in self.mapping.items():
            value = lookup(record, name)
            if fact in self.facts.groups:
                for inner, inner_value in value.items() if isinstance(value, Mapping) else ():
                    if f"{fact}.{inner}" not in self.constants:
                        put(f"{fact}.{inner}", inner_value)
            elif fact not in self.constants:
                put(fact, value)
        for fact, value in self.constants.items():
            put(fact, value)
        return use
