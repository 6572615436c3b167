"""Structure-aware mutations of the shipped rulesets (or any unit), and what a mutant must never cause.

A mutation knows the language's structure: it swaps a token for another of
the same kind (a name for a declared name, a region for a region, a number
for a boundary number, a date for an impossible one, a text for a hostile
one), moves, copies, deletes or re-indents whole blocks (a rule with its
exceptions, a test), flips effects and negates conditions. Most mutants are
still valid; the others must be answered with diagnostics.

For a mutant the compiler accepts, the generated package must import, its
own tests must run (they may fail: the rules changed), and `check`,
`permits`, `evaluate` and the batch evaluator must agree on random uses.
There is no reference here: the mutant's meaning is not known.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from pathlib import Path
from typing import Any

from fuzz_choice import Chooser, RandomChooser
from fuzz_hostile import PAYLOADS
from fuzz_model import quoted
from fuzz_oracle import Run, _batch, imported, well_formed, write_unit
from fuzz_uses import Drawn
from privlex import ir
from privlex.pipeline import compile_paths, generate
from privlex.runtime import InvalidUse
from privlex.testrunner import run_tests

SHIPPED = Path(__file__).resolve().parents[1] / "rulesets"
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\d{4}-\d{2}-\d{2}|\d+|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)?|[a-z_][a-z0-9_.]*|\S')
BOUNDARY_NUMBERS = ["0", "1", "12", "13", "16", "130", "131", "999999999999999999", "9" * 19]
ODD_DATES = ["2024-02-29", "2023-02-29", "2023-02-30", "0001-01-01", "9999-12-31", "2018-05-25", "2026-01-01"]


def _kind(token: str) -> str:
    if token.startswith('"'):
        return "text"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", token):
        return "date"
    if token.isdigit():
        return "number"
    if re.fullmatch(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)?", token):
        return "region"
    if re.fullmatch(r"[a-z_][a-z0-9_.]*", token):
        return "name"
    return "mark"


def _block(lines: list[str], start: int) -> int:
    """The end (exclusive) of the block that starts at line `start`: its deeper-indented lines."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return end


def _blocks(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if re.match(r"\s*(rule|unless|exclusion|test|parameter|group)\s", line)]


def _swap_token(c: Chooser, lines: list[str], pool: dict[str, list[str]]) -> None:
    index = c.integer(0, len(lines) - 1)
    tokens = _TOKEN.findall(lines[index].split("#")[0] if '"' not in lines[index] else lines[index])
    if not tokens:
        return
    old = c.choice(tokens)
    kind = _kind(old)
    if kind == "text":
        new = quoted(c.choice(PAYLOADS) if c.boolean() else c.text())
    elif kind == "number":
        new = c.choice(BOUNDARY_NUMBERS + pool["number"])
    elif kind == "date":
        new = c.choice(ODD_DATES + pool["date"])
    elif kind in pool and pool[kind]:
        new = c.choice(pool[kind])
    else:
        return
    lines[index] = lines[index].replace(old, new, 1)


def _move_block(c: Chooser, lines: list[str]) -> None:
    starts = _blocks(lines)
    if not starts:
        return
    start = c.choice(starts)
    end = _block(lines, start)
    block = lines[start:end]
    action = c.integer(0, 3)
    if action == 0:  # delete
        del lines[start:end]
    elif action == 1:  # copy, under a new id half the time
        copy = [re.sub(r"^(\s*\w+\s+)(\w+)", lambda m: m.group(1) + m.group(2) + "_copy", block[0])] + block[1:]
        lines[end:end] = copy if c.boolean() else block
    elif action == 2:  # nest one level deeper, or less deep
        shift = "    " if c.boolean() else ""
        lines[start:end] = [shift + line if shift else line.removeprefix("    ") for line in block]
    else:  # move elsewhere
        del lines[start:end]
        target = c.integer(0, len(lines))
        lines[target:target] = block


def _flip(c: Chooser, lines: list[str]) -> None:
    candidates = [i for i, line in enumerate(lines) if re.match(r"\s*(permit|deny)\b", line)]
    if not candidates:
        return
    index = c.choice(candidates)
    line = lines[index]
    if c.boolean():
        lines[index] = line.replace("permit", "deny", 1) if "permit" in line else line.replace("deny", "permit", 1)
    elif " when " in line:
        head, _, condition = line.partition(" when ")
        lines[index] = f"{head} when not ({condition.split('#')[0].rstrip()})"


def _hostile_exception(c: Chooser, lines: list[str]) -> None:
    candidates = [i for i, line in enumerate(lines) if re.match(r"\s*rule\s", line)]
    if not candidates:
        return
    index = c.choice(candidates)
    indent = " " * (len(lines[index]) - len(lines[index].lstrip()) + 4)
    effect = c.choice(["permit", "deny"])
    lines[_block(lines, index) : _block(lines, index)] = [
        f"{indent}unless {c.name()} {quoted(c.text())}:",
        f"{indent}    cites {quoted(c.text())}",
        f"{indent}    {effect}",
    ]


MUTATIONS = [_swap_token, _swap_token, _swap_token, _move_block, _flip, _hostile_exception]


def mutate_shipped(seed: int) -> dict[str, str]:
    """The shipped rule files with one to four mutations in one of them."""
    return mutate_unit(SHIPPED, seed)


def mutate_unit(folder: Path, seed: int) -> dict[str, str]:
    """The folder's rule files (one unit) with one to four mutations in one of them."""
    c = RandomChooser(seed)
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rules"))}
    name = c.choice(sorted(files))
    lines = files[name].split("\n")
    pool: dict[str, list[str]] = {"number": [], "date": [], "region": [], "name": []}
    for text in files.values():
        for token in _TOKEN.findall(text):
            if _kind(token) in pool:
                pool[_kind(token)].append(token)
    for kind in pool:
        pool[kind] = sorted(set(pool[kind]))
    for _ in range(c.integer(1, 4)):
        mutation = c.choice(MUTATIONS)
        if mutation is _swap_token:
            _swap_token(c, lines, pool)
        else:
            mutation(c, lines)  # type: ignore[call-arg]
        if not lines:
            break
    files[name] = "\n".join(lines)
    return files


def _value(c: Chooser, fact: ir.Fact, vocabulary: ir.Vocabulary) -> Any:
    if fact.kind == "boolean":
        return c.boolean()
    if fact.kind == "integer":
        return c.integer(fact.minimum or 0, min(fact.maximum or 0, 200))
    if fact.kind == "date":
        return c.day().isoformat()
    if fact.kind == "region":
        return c.choice(sorted(vocabulary.within) or ["XX"])
    if fact.kind == "basis":
        return c.choice([name for name, _ in vocabulary.bases] or ["x"])
    return c.choice(list(fact.choices) or ["x"])


def _use(c: Chooser, vocabulary: ir.Vocabulary) -> dict[str, Any]:
    """A use drawn from a compiled vocabulary: valid values mostly, so that rules are reached."""
    use: dict[str, Any] = {
        "region": c.choice(sorted(vocabulary.within) or ["XX"]),
        "data": c.choice([k.key for k in vocabulary.data] or ["x"]),
        "purpose": c.choice([k.key for k in vocabulary.purposes] or ["x"]),
        "date": c.day(datetime.date(2015, 1, 1), datetime.date(2030, 12, 31)).isoformat(),
    }
    for fact in vocabulary.facts:
        if c.chance(3):
            continue
        value = _value(c, fact, vocabulary)
        group, dot, name = fact.path.partition(".")
        if dot:
            use.setdefault(group, {})[name] = value
        else:
            use[fact.path] = value
    return use


def check_mutant(files: dict[str, str], seed: int, run: Run, workdir: Path | None = None) -> None:
    """Diagnostics for a rejected mutant; for an accepted one, import, tests and agreement."""
    c = RandomChooser(seed + 1)
    with tempfile.TemporaryDirectory(prefix="privlex-mutant-", dir=workdir) as scratch:
        compilation = compile_paths([write_unit(Path(scratch) / "rulesets", files)])
        well_formed(compilation)
        if compilation.program is None:
            run.counts.rejected += 1
            return
        name = f"mutant_{seed}"
        today = c.day()
        with imported(generate(compilation.program, name), Path(scratch), name) as package:
            report = run_tests(compilation.program, today)
            run.counts.tests += len(report.passed) + len(report.failures)
            drawn: list[Drawn] = []
            answers: list[Any] = []
            for _ in range(20):
                use = _use(c, compilation.program.vocabulary)
                try:
                    decision = package.check(use, today=today)
                except InvalidUse as exc:
                    answers.append(exc)
                    drawn.append(Drawn(use, False, None, True))
                    for call in (package.permits, package.evaluate):
                        try:
                            call(use, today=today)
                        except InvalidUse:
                            continue
                        raise AssertionError(f"{call.__name__} accepted what check rejected: {use!r}") from None
                    continue
                answers.append(decision)
                drawn.append(Drawn(use, True, None, True))
                assert package.permits(use, today=today) is (str(decision.outcome) == "permit"), use
            run.counts.rows += _batch(package, drawn, answers, today)
            run.counts.uses += len(drawn)
    run.counts.mutants += 1
