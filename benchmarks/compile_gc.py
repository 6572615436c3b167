"""Compile time of 1,000 and 10,000 rules under the garbage collector's settings (the issue 12 profile).

    python benchmarks/compile_gc.py [--sizes 1000 10000]

Each setting runs in a fresh process: `default` (privlex pauses the
collector for a compilation, `privlex.collector.paused`);
`collector_on` (that pause switched off: the compiler as it was before);
`freeze` (gc.freeze() once the compiler is imported); `disabled`
(gc.disable() for the whole process); `threshold` (the first generation
collected every 100,000 allocations instead of 700). Prints CPU
seconds per size, and the 10,000/1,000 ratio the target bounds by 10.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import gc, json, sys, time
from pathlib import Path
sys.path.insert(0, {here!r})
import scaling
from privlex.pipeline import compile_paths, generate
setting, folder = sys.argv[1], sys.argv[2]
if setting == "freeze":
    gc.freeze()
elif setting == "disabled":
    gc.disable()
elif setting == "threshold":
    gc.set_threshold(100_000, 50, 100)
elif setting == "collector_on":
    import contextlib
    import privlex.collector
    privlex.collector.paused = contextlib.nullcontext
start = time.process_time()
compilation = compile_paths([Path(folder)])
assert compilation.program is not None
generate(compilation.program, "generated_rules")
print(json.dumps(time.process_time() - start))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--settings", nargs="+", default=["default", "collector_on", "freeze", "disabled", "threshold"])
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import scaling

    results: dict[str, dict[int, float]] = {}
    folders = {}
    try:
        for size in args.sizes:
            folder = Path(tempfile.mkdtemp(prefix="privlex-gc-"))
            shutil.copy(HERE / "policy" / "vocabulary.rules", folder / "vocabulary.rules")
            (folder / "generated.rules").write_text(scaling.generated_rules(size), encoding="utf-8")
            folders[size] = folder
        for setting in args.settings:
            for size, folder in folders.items():
                done = subprocess.run(
                    [sys.executable, "-c", CHILD.format(here=str(HERE)), setting, str(folder)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results.setdefault(setting, {})[size] = json.loads(done.stdout)
    finally:
        for folder in folders.values():
            shutil.rmtree(folder)
    for setting, times in results.items():
        sizes = sorted(times)
        ratio = times[sizes[-1]] / times[sizes[0]] if len(sizes) > 1 else float("nan")
        shown = ", ".join(f"{size:,} rules {seconds:.2f} s" for size, seconds in times.items())
        print(f"{setting:<10} {shown}; ratio {ratio:.1f}x")


if __name__ == "__main__":
    main()
