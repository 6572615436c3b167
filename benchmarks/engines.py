"""Each engine of the peer benchmark: load its policy, convert a request, decide.

Run as a script, it times one engine in its own process and prints JSON:

    python benchmarks/engines.py cedar --requests 100000 --repeats 3
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import grid  # noqa: E402
import privlex.data.verdicts as privlex_verdicts  # noqa: E402

Request = tuple[str, str, str, bool, bool, bool]
# Batch engines decide this many times the requests in one call (1M rows for the
# full run): a table is what they are for, and it amortises the per-call costs.
BATCH_FACTOR = 10


class Engine:
    """A way of deciding requests. `batch` engines decide a whole table in one call."""

    name = ""
    label = ""
    batch = False

    def load(self) -> None:
        """Parse or load the policy (timed separately)."""

    def convert(self, request: Request) -> Any:
        return grid.as_dict(request)

    def decider(self) -> Callable[[Any], bool]:
        raise NotImplementedError

    def convert_all(self, requests: Sequence[Request]) -> Any:
        return [self.convert(r) for r in requests]

    def decide_all(self, natives: Any) -> list[bool]:
        decide = self.decider()
        return [decide(native) for native in natives]


class HandWritten(Engine):
    name, label = "hand", "hand-written Python function (dict in)"

    def decider(self) -> Callable[[Any], bool]:
        return grid.hand_written


def privlex_package() -> Any:
    """Compile benchmarks/policy and import the generated package (once per process)."""
    if "privlex_bench" in sys.modules:
        return sys.modules["privlex_bench"]
    from privlex.codegen.package import render_package
    from privlex.pipeline import compile_paths

    compilation = compile_paths([HERE / "policy"])
    assert compilation.program is not None, "benchmarks/policy does not compile"
    folder = Path(tempfile.mkdtemp(prefix="privlex-bench-")) / "privlex_bench"
    folder.mkdir()
    for name, text in render_package(compilation.program, "privlex_bench").items():
        (folder / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder.parent))
    return importlib.import_module("privlex_bench")


class PrivlexCheck(Engine):
    name, label = "privlex_check", "privlex check, full reasons (validated DataUse in)"

    def load(self) -> None:
        self.package = privlex_package()

    def convert(self, request: Request) -> Any:
        return self.package.DataUse.from_input(grid.as_privlex(request))

    def decider(self) -> Callable[[Any], bool]:
        check = self.package.check
        return lambda use: check(use).outcome == "permit"


class PrivlexCheckDict(PrivlexCheck):
    name, label = "privlex_check_dict", "privlex check, full reasons (dict in, validation included)"

    def convert(self, request: Request) -> Any:
        return grid.as_privlex(request)


class PrivlexPermits(PrivlexCheck):
    name, label = "privlex_permits", "privlex permits, boolean fast path (validated DataUse in)"

    def decider(self) -> Callable[[Any], bool]:
        return self.package.permits  # type: ignore[no-any-return]


class PrivlexBatch(Engine):
    """privlex.batch on an Arrow table: a fresh Decider each call (every combination decided anew)."""

    name, label, batch = "privlex_batch", "privlex permits_batch, Arrow table (string columns)", True
    dictionary = False

    def load(self) -> None:
        import pyarrow

        self.package = privlex_package()
        self.pa = pyarrow
        import privlex.batch

        self.module = privlex.batch

    def convert_all(self, requests: Sequence[Request]) -> Any:
        columns = list(
            zip(
                *[
                    (grid.PRIVLEX_REGION[r[0]], grid.PRIVLEX_DATA[r[1]], grid.PRIVLEX_PURPOSE[r[2]], *r[3:])
                    for r in requests
                ],
                strict=True,
            )
        )
        table = self.pa.table(
            {
                name: self.pa.array(values)
                for name, values in zip(
                    ("region", "data", "purpose", "consent.explicit", "consent.bundled", "subject.objected"),
                    columns,
                    strict=True,
                )
            }
        )
        if self.dictionary:
            table = self.pa.table(
                {
                    name: (column.dictionary_encode() if name in ("region", "data", "purpose") else column)
                    for name, column in zip(table.column_names, table.columns, strict=True)
                }
            )
        return table

    def decide_all(self, natives: Any) -> list[bool]:
        privlex_verdicts._DECIDERS.clear()
        return self.module.permits_batch(natives, package=self.package).tolist()  # type: ignore[no-any-return]


class PrivlexBatchDictionary(PrivlexBatch):
    name, label = "privlex_batch_dict", "privlex permits_batch, Arrow table (dictionary columns)"
    dictionary = True


class PrivlexBatchReasons(PrivlexBatch):
    name, label = "privlex_batch_reasons", "privlex check_batch + to_table: outcome, rule ids, errors per row"

    def decide_all(self, natives: Any) -> list[bool]:
        privlex_verdicts._DECIDERS.clear()
        table = self.module.check_batch(natives, package=self.package).to_table()
        return [o == "permit" for o in table.column("outcome").to_pylist()]


class Cedar(Engine):
    name, label = "cedar", "cedarpy is_authorized (parsed PolicySet)"

    def load(self) -> None:
        import cedarpy

        self.cedarpy = cedarpy
        self.policies = cedarpy.PolicySet.from_str((HERE / "peers" / "policy.cedar").read_text())
        self.entities = cedarpy.Entities.from_json_str("[]")

    def convert(self, request: Request) -> Any:
        return {
            "principal": 'User::"subject"',
            "action": 'Action::"use"',
            "resource": 'Data::"record"',
            "context": grid.as_dict(request),
        }

    def decider(self) -> Callable[[Any], bool]:
        authorize, policies, entities = self.cedarpy.is_authorized, self.policies, self.entities
        return lambda request: authorize(request, policies, entities).allowed  # type: ignore[no-any-return]


class CedarBatch(Cedar):
    name, label, batch = "cedar_batch", "cedarpy is_authorized_batch (parsed PolicySet)", True
    factor = 1  # a list of requests, decided one by one inside: no gain from a longer list

    def decide_all(self, natives: Any) -> list[bool]:
        results = self.cedarpy.is_authorized_batch(natives, self.policies, self.entities)
        return [result.allowed for result in results]


class Rego(Engine):
    name, label = "rego", "regopy, bundle entry point policy/allow"

    def load(self) -> None:
        from regopy import Interpreter

        builder = Interpreter()
        builder.add_module("policy.rego", (HERE / "peers" / "policy.rego").read_text())
        self.bundle = builder.build(None, ["policy/allow"])
        self.interpreter = Interpreter()

    def decider(self) -> Callable[[Any], bool]:
        interpreter, bundle = self.interpreter, self.bundle

        def decide(request: Any) -> bool:
            interpreter.set_input(request)
            return str(interpreter.query_bundle_entrypoint(bundle, "policy/allow")) == '{"expressions":[true]}'

        return decide


ENGINES: dict[str, type[Engine]] = {
    e.name: e
    for e in (
        HandWritten,
        PrivlexCheck,
        PrivlexCheckDict,
        PrivlexPermits,
        PrivlexBatch,
        PrivlexBatchDictionary,
        PrivlexBatchReasons,
        Cedar,
        CedarBatch,
        Rego,
    )
}


def timed(function: Callable[[], Any], repeats: int) -> float:
    """The median of `repeats` runs, in CPU seconds of this process: the machine is shared, and under
    load the wall clock counts the time other processes hold the cores."""
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def measure(name: str, count: int, repeats: int) -> dict[str, Any]:
    engine = ENGINES[name]()
    start = time.perf_counter()
    engine.load()
    load = time.perf_counter() - start
    sample = grid.requests(count)
    on_grid = engine.decide_all(engine.convert_all(grid.GRID))
    if engine.batch:
        sample = sample * getattr(engine, "factor", BATCH_FACTOR)
        count = len(sample)
    natives = engine.convert_all(sample)
    if engine.batch:
        engine.decide_all(natives)  # warm up
        native = timed(lambda: engine.decide_all(natives), repeats)
        converted = timed(lambda: engine.decide_all(engine.convert_all(sample)), repeats)
    else:
        decide, convert = engine.decider(), engine.convert
        for item in natives[:1000]:  # warm up
            decide(item)
        native = timed(lambda: [decide(item) for item in natives], repeats)
        converted = timed(lambda: [decide(convert(request)) for request in sample], repeats)
    return {
        "engine": name,
        "label": engine.label,
        "requests": count,
        "repeats": repeats,
        "load_s": load,
        "us": native / count * 1e6,
        "us_with_conversion": converted / count * 1e6,
        "grid": on_grid,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.engine, args.requests, args.repeats)))


if __name__ == "__main__":
    main()
