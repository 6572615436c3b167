"""The choices a fuzz generator makes, drawn by hypothesis or by a seeded random generator.

The unit and use generators (`fuzz_units`, `fuzz_uses`) are written once,
against `Chooser`. Under pytest they run on `HypothesisChooser`, so that a
failing unit shrinks to a small one; in a long campaign (`python -m fuzz`)
they run on `RandomChooser`, which makes the same kinds of choices a hundred
times faster, and a failure is kept as the rule files it produced.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any, TypeVar

from fuzz_hostile import NAME_LIST, PAYLOADS, PLAIN_CHARACTERS
from hypothesis import strategies as st
from privlex.syntax.characters import FORBIDDEN_CHARACTERS

T = TypeVar("T")
FIRST_DAY, LAST_DAY = datetime.date(2015, 1, 1), datetime.date(2030, 12, 31)
# Any character but a line break and those privlex refuses in a rule file (E105).
_REFUSED = frozenset("\n\r") | FORBIDDEN_CHARACTERS
_UNICODE = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(sorted(_REFUSED)))
_PLAIN = st.text(st.sampled_from(PLAIN_CHARACTERS), min_size=1, max_size=20)
_TEXT = st.one_of(
    _PLAIN,
    _PLAIN,
    st.sampled_from(PAYLOADS),
    st.text(_UNICODE, max_size=30),
    st.builds(lambda a, b, c: a + b + c, _PLAIN, st.sampled_from(PAYLOADS), _PLAIN),
)
_NAME = st.sampled_from(NAME_LIST)


def comment_text(text: str) -> str:
    """A note: a comment line cannot hold a line break, and notes are stripped."""
    return text.replace("\r", " ").strip() or "note"


class Chooser:
    """Every kind of choice a generator makes."""

    def integer(self, low: int, high: int) -> int:
        raise NotImplementedError

    def choice(self, items: Sequence[T]) -> T:
        return items[self.integer(0, len(items) - 1)]

    def boolean(self) -> bool:
        return self.integer(0, 1) == 1

    def chance(self, one_in: int) -> bool:
        """True once in `one_in` times, roughly."""
        return self.integer(0, one_in - 1) == 0

    def some(self, items: Sequence[T], low: int, high: int) -> list[T]:
        """Between low and high distinct items (fewer when there are not enough)."""
        pool = list(dict.fromkeys(items))
        count = min(len(pool), self.integer(low, high)) if pool else 0
        chosen: list[T] = []
        for _ in range(count):
            item = pool.pop(self.integer(0, len(pool) - 1))
            chosen.append(item)
        return chosen

    def day(self, low: datetime.date = FIRST_DAY, high: datetime.date = LAST_DAY) -> datetime.date:
        return low + datetime.timedelta(days=self.integer(0, (high - low).days))

    def name(self, taken: set[str] | frozenset[str] = frozenset()) -> str:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def comment(self) -> str:
        return comment_text(self.text())


class HypothesisChooser(Chooser):
    def __init__(self, draw: Any) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return int(self.draw(st.integers(low, high)))

    def name(self, taken: set[str] | frozenset[str] = frozenset()) -> str:
        return str(self.draw(_NAME.filter(lambda name: name not in taken) if taken else _NAME))

    def text(self) -> str:
        return str(self.draw(_TEXT))


class RandomChooser(Chooser):
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def name(self, taken: set[str] | frozenset[str] = frozenset()) -> str:
        while True:
            name = self.random.choice(NAME_LIST)
            if name not in taken:
                return name

    def _unicode(self, size: int) -> str:
        characters = []
        while len(characters) < size:
            code = self.random.choice([self.random.randint(0, 0x7F), self.random.randint(0x80, 0x2FFF)])
            code = code if self.random.random() < 0.9 else self.random.randint(0x3000, 0x10FFFF)
            if not 0xD800 <= code <= 0xDFFF and chr(code) not in _REFUSED:
                characters.append(chr(code))
        return "".join(characters)

    def _plain(self) -> str:
        return "".join(self.random.choice(PLAIN_CHARACTERS) for _ in range(self.random.randint(1, 20)))

    def text(self) -> str:
        kind = self.random.randint(0, 4)
        if kind <= 1:
            return self._plain()
        if kind == 2:
            return self.random.choice(PAYLOADS)
        if kind == 3:
            return self._unicode(self.random.randint(0, 30))
        return self._plain() + self.random.choice(PAYLOADS) + self._plain()
