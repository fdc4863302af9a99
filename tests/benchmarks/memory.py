"""Memory of `sdkgen generate` on a large document, whole and stage by stage (issue 15),
outside the pass/fail suite.

The document is `validation.py`'s valid 3.0 document (one component schema and one operation
per 0.9 KB; `--mb 48.9` gives 48.5 MB and 56,950 operations). Two measurements, each in a fresh
process:

- `tree`: `sdkgen generate` as users run it (workers on, no cache), its process tree sampled
  every 20 ms from /proc: the peak of the parent's RSS, of each worker's, of their sum (shared
  pages counted once per process) and of their PSS (shared pages split between the processes
  sharing them: what the tree really holds);
- `stages`: the pipeline inline in one process (`SDKGEN_WORKERS=0`), the RSS after each stage
  and the peak (VmHWM) reached during it, with what each stage's result holds.

    .venv/bin/python tests/benchmarks/memory.py --mb 48.9
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.validation import REPO, document

STAGES = """
import json, sys, time
from pathlib import Path, PurePosixPath

def status(key):
    return next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith(key))

marks = []
started = time.perf_counter()
def mark(stage):
    marks.append({"stage": stage, "rss_mb": status("VmRSS"), "peak_mb": status("VmHWM"),
                  "s": round(time.perf_counter() - started, 1)})
    print(json.dumps(marks[-1]), file=sys.stderr, flush=True)

mark("start")
from generator import __version__, build, load, lint, render, validate, write
from generator.cache import Cache
from generator.format import format_files
mark("imports")
document = load.load(sys.argv[1])
mark("load")
found = validate.validate(document.data)
mark("validate")
found += lint.lint(document.data)
mark("lint")
api, _ = build.build(document.data, package_name="big", env_prefix="BIG", include_unused=False)
mark("build IR")
rendered = render.render(api, generator_version=__version__, spec_sha256=document.sha256,
    overlays=(), spec_files=document.files, version=None, layout="project", cache_root=None)
text = sum(len(t) for t in rendered.values())
mark("render")
files = format_files(rendered, Cache(None), render.runtime_paths(api.package_name, "project"))
mark("format")
del rendered
mark("drop the unformatted text")
print(json.dumps({"marks": marks, "files": len(files), "text_mb": text / 2**20}))
"""


def tree_peak(argv: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Run `argv`, sampling its process tree; the peaks in MB and the wall time."""
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stderr=subprocess.PIPE)
    peaks = {"parent": 0.0, "python workers": 0.0, "ruff": 0.0, "sum_rss": 0.0, "sum_pss": 0.0}
    while process.poll() is None:
        pids = _tree(process.pid)
        rss = {pid: _kb(pid, "status", "VmRSS:") / 1024 for pid in pids}
        for pid, value in rss.items():
            kind = "parent" if pid == process.pid else _kind(pid)
            peaks[kind] = max(peaks[kind], value)
        peaks["sum_rss"] = max(peaks["sum_rss"], sum(rss.values()))
        pss = sum(_kb(pid, "smaps_rollup", "Pss:") for pid in pids) / 1024
        peaks["sum_pss"] = max(peaks["sum_pss"], pss)
        time.sleep(0.02)
    peaks["seconds"] = time.monotonic() - started
    peaks["exit"] = float(process.returncode)
    return peaks


def _kind(pid: int) -> str:
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "python workers"
    return "ruff" if name == "ruff" else "python workers"


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        todo.extend(int(c) for c in children.split())
    return found


def _kb(pid: int, name: str, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=48.9)
    parser.add_argument("--only", choices=["tree", "stages"])
    args = parser.parse_args()
    env = {"PYTHONPATH": str(REPO), "PATH": os.environ["PATH"], "SDKGEN_CACHE_DIR": "off"}
    with tempfile.TemporaryDirectory(prefix="sdkgen-memory-") as tmp:
        spec = Path(tmp) / "big.json"
        doc = document(args.mb, "3.0", invalid=False)
        operations = len(doc["paths"])
        spec.write_text(json.dumps(doc), encoding="utf-8")
        del doc
        size = spec.stat().st_size / 2**20
        print(f"document: {size:.1f} MB, {operations} operations", flush=True)
        if args.only != "stages":
            cli = "from generator.cli import main; main()"
            argv = [sys.executable, "-c", cli, "generate", str(spec), "-o", "out", "-q"]
            peaks = tree_peak(argv, Path(tmp), env)
            print("tree: " + json.dumps({k: round(v) for k, v in peaks.items()}), flush=True)
        if args.only != "tree":
            code = [sys.executable, "-c", STAGES, str(spec)]
            done = subprocess.run(
                code,
                cwd=tmp,
                env={**env, "SDKGEN_WORKERS": "0"},
                capture_output=True,
                text=True,
                check=False,
            )
            print(done.stderr, end="")
            print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "failed")


if __name__ == "__main__":
    main()
