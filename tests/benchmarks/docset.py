"""Several documents, one client: generating the five Twilio documents together against
generating them one by one (issue 14: together must cost no more).

    .venv/bin/python tests/benchmarks/docset.py [--runs N] [--no-install]

sdkgen runs as users install it (a wheel of this checkout in tests/benchmarks/.venv-sdkgen, as
`run.py` does), each run a whole process (one by one: five processes, one after the other),
with an empty cache and a fresh output directory; the two ways alternate, one warm-up round
first, and the medians and their ratio are printed. Outside the pass/fail suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script: the repository's root

from tests.benchmarks.run import install_sdkgen, sdkgen_bin  # noqa: E402

TWILIO = HERE.parents[2] / "shared" / "specs" / "public" / "twilio-multi"
NAMES = ("lookups_v1", "lookups_v2", "pricing_v1", "pricing_v2", "verify_v2")


def run(args: list[str], workdir: Path) -> float:
    """Seconds of one `sdkgen generate`, with a cache of its own that starts empty."""
    cache = Path(tempfile.mkdtemp(dir=workdir))
    env = {**os.environ, "SDKGEN_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    command = [str(sdkgen_bin()), "generate", *args, "-q"]
    subprocess.run(command, env=env, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def together(specs: list[Path], workdir: Path) -> float:
    out = Path(tempfile.mkdtemp(dir=workdir)) / "twilio"
    return run([*map(str, specs), "-o", str(out), "--package-name", "twilio"], workdir)


def one_by_one(specs: list[Path], workdir: Path) -> float:
    total = 0.0
    for spec in specs:
        out = Path(tempfile.mkdtemp(dir=workdir)) / spec.stem
        total += run([str(spec), "-o", str(out), "--package-name", spec.stem], workdir)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-install", action="store_true", help="use the installed wheel")
    options = parser.parse_args()
    specs = [TWILIO / f"twilio_{name}.json" for name in NAMES]
    missing = [str(s) for s in specs if not s.is_file()]
    if missing:
        sys.exit(f"missing: {', '.join(missing)}")
    if not options.no_install:
        install_sdkgen()
    times: dict[str, list[float]] = {"together": [], "one by one": []}
    with tempfile.TemporaryDirectory(prefix="sdkgen-docset-") as where:
        workdir = Path(where)
        together(specs, workdir), one_by_one(specs, workdir)  # warm-up: bytecode written
        for _ in range(options.runs):
            times["together"].append(together(specs, workdir))
            times["one by one"].append(one_by_one(specs, workdir))
    medians = {way: statistics.median(found) for way, found in times.items()}
    print(f"| way | median s ({options.runs} runs) | min s | max s |")
    print("|---|---:|---:|---:|")
    for way, found in times.items():
        print(f"| {way} | {medians[way]:.2f} | {min(found):.2f} | {max(found):.2f} |")
    ratio = medians["together"] / medians["one by one"]
    print(f"\ntogether / one by one: {ratio:.2f}x ({'PASS' if ratio <= 1 else 'FAIL'}: at most 1x)")


if __name__ == "__main__":
    main()
