"""Generation time of two checkouts side by side (issue 13, item 6: within 1.2x).

    .venv/bin/python tests/benchmarks/generation_ab.py --before DIR [--runs N] [--specs a,b]

DIR is another checkout of sdkgen (say `git archive main | tar -x -C DIR`). Each run is
`python -m generator generate SPEC -o OUT -q` in a fresh process with a cold cache, from the
checkout's own directory (so its `generator` package and templates are the ones imported), with
this venv's Python; runs of the two checkouts alternate. Prints the median wall times and the
ratio, per spec (default: Stripe and GitHub, the ladder's two largest documents).
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

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT.parent / "shared" / "specs" / "public"
SPECS = {
    "stripe": PUBLIC / "stripe-spec3-2022-04.json",
    "github": PUBLIC / "github-api.github.com-2022-06.json",
}


def one_run(checkout: Path, spec: Path) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "SDKGEN_CACHE_DIR": f"{scratch}/cache", "XDG_CACHE_HOME": scratch}
        argv = [sys.executable, "-m", "generator", "generate", str(spec), "-o", f"{scratch}/out"]
        started = time.perf_counter()
        subprocess.run([*argv, "-q"], cwd=checkout, env=env, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--before", type=Path, required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--specs", default="stripe,github")
    args = p.parse_args()
    print(f"| spec | before s | after s | ratio | (medians of {args.runs}, alternating) |")
    print("|---|---:|---:|---:|---|")
    for name in args.specs.split(","):
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.runs):
            times["before"].append(one_run(args.before.resolve(), SPECS[name]))
            times["after"].append(one_run(ROOT, SPECS[name]))
        before, after = (statistics.median(times[k]) for k in ("before", "after"))
        print(f"| {name} | {before:.2f} | {after:.2f} | {after / before:.2f}x | |")


if __name__ == "__main__":
    main()
