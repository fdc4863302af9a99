"""Benchmark sdkgen against openapi-python-client and OpenAPI Generator on the spec ladder.

    .venv/bin/python tests/benchmarks/run.py [--runs N] [--warmup N] [--specs a,b]
        [--peers opc,oag] [--repeat-unchanged] [--timeout S] [--json out.json]

On first use it creates `tests/benchmarks/.venv` (git-ignored) and installs the two peers there
from PyPI: openapi-python-client and openapi-generator-cli (whose wheel bundles the OpenAPI
Generator jar; it runs on the `java` found on PATH). Every tool runs as a whole process, as a
user runs it, into a fresh output directory; the tools alternate run by run so that a noisy
neighbour slows all of them alike. See README.md beside this file for what each number means.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import venv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BENCH_VENV = HERE / ".venv"
# sdkgen as users install it: a wheel built from this checkout (templates precompiled), in its
# own venv, reinstalled on every benchmark run; never the editable install under test.
SDKGEN_VENV = HERE / ".venv-sdkgen"
SPECS = ROOT.parent / "shared" / "specs"
LEONARDO = SPECS / "leonardo-ai-variation-openapi.json"
PUBLIC = SPECS / "public"

# The peers, pinned: the versions the issue measured.
PEER_PINS = ("openapi-python-client==0.29.1", "openapi-generator-cli==7.26.0")
PEERS = ("opc", "oag")
TOOL_LABEL = {
    "sdkgen": "sdkgen",
    "opc": "openapi-python-client",
    "oag": "OpenAPI Generator (python)",
}
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
ERROR_LINE = re.compile(r"\b(error|errors|exception|fatal|traceback|failed)\b", re.IGNORECASE)
JVM_FATAL = re.compile(r'Exception in thread "main" (?:[\w$]+\.)*([\w$]+(?:: .*)?)')
DETAIL = re.compile(r"^\s*-\s*(\S.*)")
OPC_FATAL = re.compile(r"^Error\(s\) encountered")
SDKGEN_ERROR = re.compile(r"^ERROR ")
PY_EXCEPTION = re.compile(r"^[\w.]*(?:Error|Exception|Exit|Interrupt)\b")

# Targets of issue 7 (ratios are sdkgen / peer).
TARGET_VS_OPC = 0.5
TARGET_VS_OAG = 0.1
TARGET_REPEAT_VS_OPC = 0.2
TARGET_SCALING = 1.5
TARGET_PEAK_MB = 500.0


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str
    path: Path
    operations: int
    public: bool


@dataclasses.dataclass
class Run:
    seconds: float
    exit_code: int | None  # None: killed at the timeout
    peak_mb: float  # the largest single process (wait4's ru_maxrss, as /usr/bin/time -v)
    # The peak of the whole process tree: the largest sampled sum of PSS over the process group
    # (4 samples a second), and never less than `peak_mb`.
    tree_mb: float = 0.0
    error: str = ""
    files: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclasses.dataclass
class Series:
    """All timed runs of one tool on one spec (the warm-up is kept apart)."""

    tool: str
    spec: str
    warmup: list[Run] = dataclasses.field(default_factory=list)
    runs: list[Run] = dataclasses.field(default_factory=list)
    status: str = "ok"  # ok | failed: <first error line> | timeout

    @property
    def stopped(self) -> bool:
        return self.status != "ok"

    def record(self, run: Run, timeout: float) -> None:
        if run.exit_code is None:
            self.status = f"timeout (> {timeout:g} s)"
        elif not run.ok:
            self.status = f"failed: {run.error}" if run.error else f"failed: exit {run.exit_code}"

    def times(self) -> list[float]:
        return [r.seconds for r in self.runs if r.ok]

    def median(self) -> float | None:
        t = self.times()
        return statistics.median(t) if t and not self.stopped else None

    def peak_mb(self) -> float | None:
        peaks = [r.peak_mb for r in [*self.warmup, *self.runs] if r.ok]
        return max(peaks) if peaks else None

    def tree_mb(self) -> float | None:
        peaks = [r.tree_mb for r in [*self.warmup, *self.runs] if r.ok]
        return max(peaks) if peaks else None


# -- the benchmark's own environment ------------------------------------------------------------


def bench_bin(name: str) -> Path:
    return BENCH_VENV / "bin" / name


def ensure_peers() -> dict[str, str]:
    """Create the benchmark venv and install the pinned peers, once; return their versions."""
    marker = BENCH_VENV / "pins.txt"
    wanted = "\n".join(PEER_PINS) + "\n"
    if not (marker.is_file() and marker.read_text() == wanted):
        print(f"setting up {BENCH_VENV.relative_to(ROOT)} with {', '.join(PEER_PINS)} ...")
        venv.EnvBuilder(with_pip=True, clear=True).create(BENCH_VENV)
        subprocess.run(
            [str(bench_bin("python")), "-m", "pip", "install", "-q", *PEER_PINS], check=True
        )
        marker.write_text(wanted)
    if shutil.which("java") is None:
        print("warning: no `java` on PATH; OpenAPI Generator will fail", file=sys.stderr)
    return peer_versions()


def install_sdkgen() -> None:
    """Build and install this checkout into SDKGEN_VENV (dependencies once, sdkgen each run)."""
    python = SDKGEN_VENV / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(SDKGEN_VENV)
    print(f"installing this checkout into {SDKGEN_VENV.relative_to(ROOT)} ...", flush=True)
    pip = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, str(ROOT)], check=True)  # the dependencies, when they change
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(ROOT)], check=True)


def sdkgen_bin() -> Path:
    return SDKGEN_VENV / "bin" / "sdkgen"


def peer_versions() -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json; print(json.dumps({n: m.version(n) for n in "
        "('openapi-python-client', 'openapi-generator-cli', 'ruff')}))"
    )
    out = subprocess.run(
        [str(bench_bin("python")), "-c", code], capture_output=True, text=True, check=True
    ).stdout
    versions: dict[str, str] = json.loads(out)
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    first = (java.stderr or java.stdout).splitlines()
    versions["java"] = first[0] if first else "?"
    return versions


# -- the ladder ----------------------------------------------------------------------------------


def count_operations(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        doc: Any = json.loads(text)
    else:
        import yaml

        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    paths = doc.get("paths") or {}
    return sum(
        1
        for item in paths.values()
        if isinstance(item, dict)
        for key in item
        if key in HTTP_METHODS
    )


def ladder(selected: Sequence[str] | None) -> list[Spec]:
    specs = [Spec("leonardo", LEONARDO, count_operations(LEONARDO), public=False)]
    public = [
        Spec(p.stem, p, count_operations(p), public=True)
        for p in sorted(PUBLIC.iterdir())
        if p.suffix in {".json", ".yaml", ".yml"}
    ]
    specs += sorted(public, key=lambda s: (s.operations, s.name))
    if selected:
        unknown = set(selected) - {s.name for s in specs}
        if unknown:
            names = ", ".join(s.name for s in specs)
            raise SystemExit(f"unknown spec(s) {', '.join(sorted(unknown))}; choose from {names}")
        specs = [s for s in specs if s.name in selected]
    return specs


# -- running one process ---------------------------------------------------------------------------


def command(
    tool: str, spec: Path, out: Path, opc_config: Path, oag_extra: Sequence[str] = ()
) -> list[str]:
    """The command line a user types (validation on, as shipped)."""
    argv: dict[str, list[str]] = {
        "sdkgen": [str(sdkgen_bin()), "generate", str(spec)],
        "opc": [str(bench_bin("openapi-python-client")), "generate", "--path", str(spec)],
        "oag": [str(bench_bin("openapi-generator-cli")), "generate", "-i", str(spec)],
    }
    options: dict[str, list[str]] = {
        "sdkgen": ["-o", str(out), "--package-name", "bench_client", "-q"],
        "opc": ["--output-path", str(out), "--overwrite", "--config", str(opc_config)],
        "oag": ["-g", "python", "-o", str(out), *oag_extra],
    }
    return [*argv[tool], *options[tool]]


def first_error_line(*texts: str) -> str:
    """The line that says why a run failed: a JVM's uncaught exception (with its first detail
    line), openapi-python-client's verdict, sdkgen's first ERROR diagnostic, a Python traceback's
    last line; else the first line that names an error; else the last non-empty line."""
    lines = [line.rstrip() for text in texts for line in text.splitlines()]
    for i, line in enumerate(lines):
        if m := JVM_FATAL.search(line):
            details = (DETAIL.match(d) for d in lines[i + 1 : i + 12])
            detail = next((d.group(1) for d in details if d), "")
            head = m.group(1).split(". ")[0]  # the JVM's advice follows the first sentence
            return clip(f"{head} ({detail})" if detail else head)
    if found := next((line for line in lines if OPC_FATAL.match(line)), None):
        # its post-hook's (ruff's) own complaint, when that is what failed
        hook = next((line for line in lines if line.startswith("error: ")), "")
        return clip(f"{found} ({hook})" if hook else found)
    if found := next((line for line in lines if SDKGEN_ERROR.match(line)), None):
        return clip(found)
    traceback = any(line.startswith("Traceback") for line in lines)
    last_exception = (line for line in reversed(lines) if PY_EXCEPTION.match(line))
    if traceback and (found := next(last_exception, None)):
        return clip(found)
    if found := next((line for line in lines if ERROR_LINE.search(line)), None):
        return clip(found)
    return clip(next((line for line in reversed(lines) if line.strip()), ""))


def clip(line: str, limit: int = 240) -> str:
    line = " ".join(line.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def count_files(out: Path) -> int:
    return sum(1 for p in out.rglob("*") if p.is_file()) if out.exists() else 0


def group_pss_mb(pgid: int) -> float:
    """The summed proportional set size (PSS) of the processes in group `pgid`: the memory the
    tree uses, with pages shared by forked workers counted once in all."""
    total_kb = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[2]) != pgid:
                continue
            for line in Path(entry.path, "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return total_kb / 1024


def sample_tree(pgid: int, done: threading.Event, peak: list[float], every: float = 0.25) -> None:
    while not done.wait(every):
        peak[0] = max(peak[0], group_pss_mb(pgid))


def run_process(argv: list[str], env: dict[str, str], timeout: float, logs: Path) -> Run:
    """Run one whole process; wall time around it, its peak RSS from wait4 (the largest of the
    process and its waited-for descendants: the JVM under openapi-generator-cli's wrapper, ruff
    under openapi-python-client), and the sampled peak of the whole tree's PSS (sdkgen's forked
    workers run beside it). A process still running at `timeout` is killed with its group."""
    out_log, err_log = logs / "stdout.log", logs / "stderr.log"
    with out_log.open("wb") as out, err_log.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )
        result: list[tuple[int, Any, float]] = []
        finished, tree = threading.Event(), [0.0]
        sampler = threading.Thread(target=sample_tree, args=(proc.pid, finished, tree), daemon=True)
        sampler.start()

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            result.append((status, usage, time.perf_counter()))

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        waiter.join(timeout)
        timed_out = waiter.is_alive()
        if timed_out:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            waiter.join()
        finished.set()
        sampler.join()
    status, usage, end = result[0]
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped above; keep Popen quiet
    stderr = err_log.read_text(errors="replace")
    stdout = out_log.read_text(errors="replace")
    code = None if timed_out else proc.returncode
    error = "" if code == 0 else first_error_line(stderr, stdout)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    return Run(end - start, code, peak, tree_mb=max(tree[0], peak), error=error)


@dataclasses.dataclass
class Bench:
    workdir: Path
    timeout: float
    opc_config: Path
    oag_extra: tuple[str, ...] = ()
    counter: int = 0

    def env(self, cache: Path) -> dict[str, str]:
        env = dict(os.environ)
        # openapi-python-client's post-hooks run `ruff` from PATH: its own, from the bench venv.
        env["PATH"] = f"{BENCH_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env.pop("VIRTUAL_ENV", None)
        # As on a user's machine, modules run from bytecode once the warm-up run wrote it (this
        # sandbox sets PYTHONDONTWRITEBYTECODE=1, which would recompile sdkgen on every run).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # A cold cache per run unless the caller keeps one: sdkgen's ($SDKGEN_CACHE_DIR, else
        # $XDG_CACHE_HOME/sdkgen) and any other tool's that follows XDG.
        env["SDKGEN_CACHE_DIR"] = str(cache / "sdkgen")
        env["XDG_CACHE_HOME"] = str(cache)
        return env

    def fresh(self, prefix: str) -> Path:
        self.counter += 1
        path = self.workdir / f"{prefix}-{self.counter}"
        path.mkdir()
        return path

    def once(
        self, tool: str, spec: Spec, out: Path | None = None, cache: Path | None = None
    ) -> Run:
        """One run; a fresh output directory and a fresh cache unless given."""
        scratch = self.fresh(tool)
        target = out or scratch / "out"
        run = run_process(
            command(tool, spec.path, target, self.opc_config, self.oag_extra),
            self.env(cache or scratch / "cache"),
            self.timeout,
            scratch,
        )
        run.files = count_files(target)
        shutil.rmtree(scratch, ignore_errors=True)  # outside the timed region; bounds disk use
        return run


def measure_spec(
    bench: Bench, spec: Spec, tools: Sequence[str], runs: int, warmup: int
) -> dict[str, Series]:
    series = {tool: Series(tool, spec.name) for tool in tools}
    for phase, count in (("warmup", warmup), ("runs", runs)):
        for i in range(count):
            for tool in tools:
                s = series[tool]
                if s.stopped:
                    continue
                run = bench.once(tool, spec)
                getattr(s, phase).append(run)
                s.record(run, bench.timeout)
                state = "ok" if run.ok else s.status
                print(
                    f"  {spec.name:<32} {tool:<6} {phase} {i + 1}/{count}: "
                    f"{run.seconds:7.2f} s {run.tree_mb:6.0f} MB {state}",
                    flush=True,
                )
    return series


def measure_repeat(bench: Bench, spec: Spec, runs: int) -> Series:
    """sdkgen's second and later runs on an unchanged spec into the same output directory, with
    the cache the first run filled (the release pipeline's common case)."""
    s = Series("sdkgen-repeat", spec.name)
    keep = bench.fresh("repeat")
    out, cache = keep / "out", keep / "cache"
    first = bench.once("sdkgen", spec, out=out, cache=cache)
    s.warmup.append(first)
    s.record(first, bench.timeout)
    for i in range(runs):
        if s.stopped:
            break
        run = bench.once("sdkgen", spec, out=out, cache=cache)
        s.runs.append(run)
        s.record(run, bench.timeout)
        print(
            f"  {spec.name:<32} repeat {i + 1}/{runs}: {run.seconds:7.2f} s "
            f"{run.tree_mb:6.0f} MB {'ok' if run.ok else s.status}",
            flush=True,
        )
    shutil.rmtree(keep, ignore_errors=True)
    return s


# -- the report ----------------------------------------------------------------------------------


def fmt_seconds(s: Series | None) -> str:
    if s is None:
        return "-"
    m = s.median()
    return f"{m:.2f}" if m is not None else clip(s.status, 100).replace("|", "\\|")


def fmt_ratio(a: Series | None, b: Series | None) -> str:
    if a is None or b is None:
        return "-"
    ma, mb = a.median(), b.median()
    return f"{ma / mb:.2f}x" if ma is not None and mb is not None else "-"


def ms_per_op(s: Series, spec: Spec) -> float | None:
    m = s.median()
    return m * 1000 / spec.operations if m is not None and spec.operations else None


def machine_line() -> str:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Machine: {cpus} CPUs (nproc), {model}, Python {platform.python_version()} "
        f"({platform.system()} {platform.release()}); date {date}"
    )


def main_table(
    specs: Sequence[Spec],
    results: dict[str, dict[str, Series]],
    repeats: dict[str, Series],
) -> list[str]:
    head = [
        "spec",
        "operations",
        "sdkgen median s",
        "opc median s",
        "oag median s",
        "sdkgen/opc",
        "sdkgen/oag",
        "sdkgen ms per operation",
        "sdkgen peak MB",
    ]
    if repeats:
        head += ["sdkgen repeat median s", "repeat/opc"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for spec in specs:
        row = results[spec.name]
        sd, opc, oag = row.get("sdkgen"), row.get("opc"), row.get("oag")
        per_op = ms_per_op(sd, spec) if sd else None
        peak = sd.tree_mb() if sd else None
        cells = [
            spec.name,
            str(spec.operations),
            fmt_seconds(sd),
            fmt_seconds(opc),
            fmt_seconds(oag),
            fmt_ratio(sd, opc),
            fmt_ratio(sd, oag),
            f"{per_op:.1f}" if per_op is not None else "-",
            f"{peak:.0f}" if peak is not None else "-",
        ]
        if repeats:
            rep = repeats.get(spec.name)
            cells += [fmt_seconds(rep), fmt_ratio(rep, opc)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def detail_table(results: dict[str, dict[str, Series]], repeats: dict[str, Series]) -> list[str]:
    lines = [
        "| spec | tool | runs | min s | median s | max s | largest process MB | tree MB | files "
        "| status |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    every = [s for row in results.values() for s in row.values()] + list(repeats.values())
    for s in every:
        t = s.times()
        peak, tree = s.peak_mb(), s.tree_mb()
        files = max((r.files for r in [*s.warmup, *s.runs]), default=0)
        cells = [
            s.spec,
            s.tool,
            str(len(s.runs)),
            f"{min(t):.2f}" if t else "-",
            f"{statistics.median(t):.2f}" if t else "-",
            f"{max(t):.2f}" if t else "-",
            f"{peak:.0f}" if peak is not None else "-",
            f"{tree:.0f}" if tree is not None else "-",
            str(files),
            s.status.replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def target_lines(
    specs: Sequence[Spec], results: dict[str, dict[str, Series]], repeats: dict[str, Series]
) -> list[str]:
    lines: list[str] = []
    for spec in specs:
        row = results[spec.name]
        sd = row.get("sdkgen")
        if sd is None or sd.median() is None:
            continue
        for peer, target in (("opc", TARGET_VS_OPC), ("oag", TARGET_VS_OAG)):
            p = row.get(peer)
            mp = p.median() if p else None
            ms = sd.median()
            if mp is not None and ms is not None:
                r = ms / mp
                ok = verdict(r <= target)
                lines.append(f"- {spec.name}: sdkgen/{peer} {r:.2f}x (target <= {target}x) {ok}")
        rep = repeats.get(spec.name)
        opc = row.get("opc")
        mr, mo = (rep.median() if rep else None), (opc.median() if opc else None)
        if mr is not None and mo is not None:
            r = mr / mo
            lines.append(
                f"- {spec.name}: repeated run/opc {r:.2f}x (target <= {TARGET_REPEAT_VS_OPC}x) "
                f"{verdict(r <= TARGET_REPEAT_VS_OPC)}"
            )
    public = [s for s in specs if s.public]
    per_op = {
        s.name: ms_per_op(results[s.name]["sdkgen"], s)
        for s in public
        if "sdkgen" in results[s.name]
    }
    measured = [s for s in public if per_op.get(s.name) is not None]
    if len(measured) >= 2:
        small, large = measured[0], measured[-1]
        a, b = per_op[small.name], per_op[large.name]
        assert a is not None and b is not None
        ratio = b / a
        listing = ", ".join(f"{s.name} {per_op[s.name]:.1f}" for s in measured)
        lines.append(
            f"- scaling: sdkgen ms per operation {listing}; largest/smallest public spec "
            f"({large.name} / {small.name}) {ratio:.2f}x (target <= {TARGET_SCALING}x) "
            f"{verdict(ratio <= TARGET_SCALING)}"
        )
    if public:
        largest = public[-1]
        sd = results[largest.name].get("sdkgen")
        peak, single = (sd.tree_mb(), sd.peak_mb()) if sd else (None, None)
        if peak is not None:
            lines.append(
                f"- memory: sdkgen peak on the largest public spec ({largest.name}) {peak:.0f} MB "
                f"for the process tree, {single:.0f} MB its largest process "
                f"(target < {TARGET_PEAK_MB:.0f} MB) {verdict(peak < TARGET_PEAK_MB)}"
            )
    return lines


def as_json(
    specs: Sequence[Spec],
    results: dict[str, dict[str, Series]],
    repeats: dict[str, Series],
    meta: dict[str, Any],
) -> dict[str, Any]:
    def series(s: Series) -> dict[str, Any]:
        return {
            "status": s.status,
            "median_s": s.median(),
            "peak_mb": s.peak_mb(),
            "tree_mb": s.tree_mb(),
            "warmup": [dataclasses.asdict(r) for r in s.warmup],
            "runs": [dataclasses.asdict(r) for r in s.runs],
        }

    return {
        **meta,
        "specs": [
            {
                "name": spec.name,
                "path": str(spec.path),
                "operations": spec.operations,
                "public": spec.public,
                "tools": {t: series(s) for t, s in results[spec.name].items()},
                "repeat": series(repeats[spec.name]) if spec.name in repeats else None,
            }
            for spec in specs
        ],
    }


# -- main ------------------------------------------------------------------------------------------


def describe_sdkgen() -> str:
    """sdkgen's version and the checkout it runs from: `sdkgen, version 0.1.0 (git 9a7f955+)`,
    `+` meaning uncommitted changes in generator/ or templates/."""
    version = subprocess.run(
        [str(sdkgen_bin()), "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return version or "sdkgen"
    dirty = "+" if git("status", "--porcelain", "--", "generator", "templates") else ""
    return f"{version or 'sdkgen'} (git {commit}{dirty})"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="timed runs per tool and spec (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument("--specs", default="", help="comma-separated spec names (default: all)")
    p.add_argument("--peers", default="opc,oag", help="opc,oag (default), one of them, or none")
    p.add_argument(
        "--repeat-unchanged",
        action="store_true",
        help="also time sdkgen's repeated run (same spec, same output dir, warm cache)",
    )
    p.add_argument(
        "--oag-skip-validate-spec",
        action="store_true",
        help="pass --skip-validate-spec to OpenAPI Generator (it refuses the GitHub document)",
    )
    p.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is killed")
    p.add_argument("--json", type=Path, help="also write every run to this JSON file")
    p.add_argument(
        "--setup-only", action="store_true", help="only set up the benchmark venv and stop"
    )
    return p.parse_args(argv)


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sdkgen-bench-") as tmp:
        yield Path(tmp)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.setup_only:
        print(json.dumps(ensure_peers()))
        return 0
    peers = [p for p in args.peers.split(",") if p and p != "none"]
    if bad := set(peers) - set(PEERS):
        raise SystemExit(f"unknown peer(s) {', '.join(sorted(bad))}; choose from opc, oag")
    specs = ladder([s for s in args.specs.split(",") if s] or None)
    versions = ensure_peers() if peers else {}
    install_sdkgen()
    tools = ["sdkgen", *peers]
    sdkgen_version = describe_sdkgen()
    results: dict[str, dict[str, Series]] = {}
    repeats: dict[str, Series] = {}
    with workspace() as tmp:
        opc_config = tmp / "opc-config.yaml"
        opc_config.write_text("literal_enums: true\n")
        oag_extra = ("--skip-validate-spec",) if args.oag_skip_validate_spec else ()
        bench = Bench(tmp, args.timeout, opc_config, oag_extra)
        for spec in specs:
            print(f"{spec.name} ({spec.operations} operations)", flush=True)
            results[spec.name] = measure_spec(bench, spec, tools, args.runs, args.warmup)
            if args.repeat_unchanged and not results[spec.name]["sdkgen"].stopped:
                repeats[spec.name] = measure_repeat(bench, spec, args.runs)

    command_line = "python tests/benchmarks/run.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    tool_line = "; ".join(
        [sdkgen_version or "sdkgen"]
        + [f"{k} {v}" for k, v in versions.items() if k != "java"]
        + ([versions["java"]] if "java" in versions else [])
    )
    report = [
        "",
        f"Command: `{command_line.strip()}` "
        f"({args.runs} runs after {args.warmup} warm-up, medians)",
        "",
        *main_table(specs, results, repeats),
        "",
        machine_line(),
        f"Tools: {tool_line}",
        "",
        "Targets:",
        *target_lines(specs, results, repeats),
        "",
        "Details:",
        "",
        *detail_table(results, repeats),
    ]
    print("\n".join(report))
    if args.json:
        meta = {
            "command": command_line.strip(),
            "machine": machine_line(),
            "versions": {"sdkgen": sdkgen_version, **versions},
            "runs": args.runs,
            "warmup": args.warmup,
        }
        args.json.write_text(json.dumps(as_json(specs, results, repeats, meta), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
