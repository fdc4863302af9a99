"""The generated client's overhead (issue 7, item 4), measured against raw httpx.

    .venv/bin/python tests/benchmarks/client_overhead.py [--calls N] [--reps N] [--items N]
        [--parses N] [--import-runs N] [--no-opc] [--json out.json]

1. Call overhead: `client.variations.get(id=...)` of the generated Leonardo client against
   `httpx.Client(transport=same).get(url).json()`, both on one in-process `httpx.MockTransport`
   returning a fixed JSON status body, in one process, repetitions interleaved; median time per
   call and the ratio (target <= 1.10x). openapi-python-client's client is measured the same way,
   for reference.
2. Import time of the generated package against `import httpx`, each in fresh interpreters
   (target <= 1.3x).
3. Parsing throughput: `from_dict` of the generated models against openapi-python-client's attrs
   models on the same payload (target: ours >= theirs).

Generated code is imported from a temporary directory; openapi-python-client's client runs in the
benchmark venv (`tests/benchmarks/.venv`, created by run.py), which has attrs. The measuring code
runs as `--worker` subprocesses of this same file, so both sides use the same code and the same
interpreter version.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BENCH_VENV = HERE / ".venv"
LEONARDO = ROOT.parent / "shared" / "specs" / "leonardo-ai-variation-openapi.json"
BASE_URL = "https://bench.invalid/api/rest/v1"
JOB_ID = "5b2a1c3e-8f4d-4e6a-9b7c-1d2e3f4a5b6c"

TARGET_CALL = 1.10
TARGET_IMPORT = 1.3
TARGET_PARSE = 1.0


def payload(items: int) -> dict[str, Any]:
    """A realistic `GET /variations/{id}` body: a status with `items` variations."""
    statuses = ("COMPLETE", "PENDING", "FAILED")
    kinds = ("UPSCALE", "UNZOOM", "NOBG", "OUTPAINT", "INPAINT")
    return {
        "generated_image_variation_generic": [
            {
                "createdAt": f"2026-05-25T12:{i:02d}:07.123Z",
                "id": JOB_ID[:-2] + f"{i:02d}",
                "status": statuses[i % len(statuses)],
                "transformType": kinds[i % len(kinds)],
                "url": f"https://cdn.leonardo.ai/users/0b1c/generations/{JOB_ID}/variations/{i}.jpg",
            }
            for i in range(items)
        ]
    }


# -- the worker: runs inside the interpreter that has the client's dependencies ----------------


def timed(fn: Callable[[], object], n: int) -> float:
    """Seconds per call of `fn`, over `n` calls."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def atimed(fn: Callable[[], Any], n: int) -> float:
    async def loop() -> float:
        start = time.perf_counter()
        for _ in range(n):
            await fn()
        return (time.perf_counter() - start) / n

    return asyncio.run(loop())


def load_package(pkg_dir: str, pkg: str) -> Any:
    sys.path.insert(0, pkg_dir)
    return importlib.import_module(pkg)


def worker_call(kind: str, pkg_dir: str, pkg: str, calls: int, reps: int, items: int) -> Any:
    import httpx

    body = json.dumps(payload(items)).encode()
    expected = f"/api/rest/v1/variations/{JOB_ID}"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != expected:  # both sides must send the same request
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    transport = httpx.MockTransport(handler)
    headers = {"Authorization": "Bearer bench-key"}
    raw = httpx.Client(transport=transport, base_url=BASE_URL, headers=headers)
    araw = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)
    mod = load_package(pkg_dir, pkg)
    sync_call: Callable[[], object]
    async_call: Callable[[], Any] | None = None
    if kind == "sdkgen":
        client = mod.Client(api_key="bench-key", base_url=BASE_URL, transport=transport)
        aclient = mod.AsyncClient(api_key="bench-key", base_url=BASE_URL, transport=transport)
        sync_call = lambda: client.variations.get(id=JOB_ID)  # noqa: E731
        async_call = lambda: aclient.variations.get(id=JOB_ID)  # noqa: E731
    else:
        api = importlib.import_module(f"{pkg}.api.variation.get_variation_by_id")
        client = mod.AuthenticatedClient(
            base_url=BASE_URL, token="bench-key", httpx_args={"transport": transport}
        )
        sync_call = lambda: api.sync(JOB_ID, client=client)  # noqa: E731

    def raw_call() -> object:
        response = raw.get(f"/variations/{JOB_ID}")
        response.raise_for_status()
        return response.json()

    async def araw_call() -> object:
        response = await araw.get(f"/variations/{JOB_ID}")
        response.raise_for_status()
        return response.json()

    parsed = sync_call()  # a check and a warm-up
    assert len(parsed.generated_image_variation_generic) == items, parsed
    assert raw_call() == payload(items)
    for _ in range(200):
        sync_call()
        raw_call()
    result: dict[str, list[float]] = {"raw": [], "client": [], "araw": [], "aclient": []}
    for _ in range(reps):
        result["raw"].append(timed(raw_call, calls))
        result["client"].append(timed(sync_call, calls))
        if async_call is not None:
            result["araw"].append(atimed(araw_call, calls // 2))
            result["aclient"].append(atimed(async_call, calls // 2))
    return result


def worker_parse(kind: str, pkg_dir: str, pkg: str, parses: int, reps: int, items: int) -> Any:
    load_package(pkg_dir, pkg)
    models = importlib.import_module(f"{pkg}.models")
    cls = (
        models.GetVariationByIdResponse if kind == "sdkgen" else models.GetVariationByIdResponse200
    )
    data = payload(items)
    first = cls.from_dict(data)
    got = first.generated_image_variation_generic
    assert len(got) == items and got[0].id == data["generated_image_variation_generic"][0]["id"]
    parse = cls.from_dict
    timed(lambda: parse(data), 1000)
    return [1 / timed(lambda: parse(data), parses) for _ in range(reps)]


def worker(args: argparse.Namespace) -> int:
    if args.worker == "call":
        out = worker_call(args.kind, args.pkg_dir, args.pkg, args.calls, args.reps, args.items)
    else:
        out = worker_parse(args.kind, args.pkg_dir, args.pkg, args.parses, args.reps, args.items)
    print(json.dumps(out))
    return 0


# -- the driver --------------------------------------------------------------------------------


def child_env(pythonpath: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # imports run from bytecode, as they do for users
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{BENCH_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # opc runs ruff
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def run_worker(python: str, mode: str, kind: str, pkg_dir: Path, pkg: str, args: Any) -> Any:
    argv = [python, str(Path(__file__).resolve()), "--worker", mode, "--kind", kind]
    argv += ["--pkg-dir", str(pkg_dir), "--pkg", pkg, "--reps", str(args.reps)]
    argv += ["--calls", str(args.calls), "--parses", str(args.parses), "--items", str(args.items)]
    done = subprocess.run(argv, capture_output=True, text=True, env=child_env(), check=False)
    if done.returncode != 0:
        raise SystemExit(f"worker {mode} {kind} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def generate(tmp: Path, with_opc: bool) -> tuple[Path, Path | None, str]:
    sdkgen = Path(sys.executable).parent / "sdkgen"
    ours = tmp / "leo"
    subprocess.run([str(sdkgen), "generate", "-o", str(ours), "-q"], cwd=ROOT, check=True)
    if not with_opc:
        return ours, None, ""
    if not (BENCH_VENV / "bin" / "openapi-python-client").exists():
        subprocess.run([sys.executable, str(HERE / "run.py"), "--setup-only"], cwd=ROOT, check=True)
    config = tmp / "opc.yaml"
    config.write_text("literal_enums: true\n")
    theirs = tmp / "opc"
    argv = [str(BENCH_VENV / "bin" / "openapi-python-client"), "generate", "--path", str(LEONARDO)]
    argv += ["--output-path", str(theirs), "--config", str(config)]
    subprocess.run(argv, cwd=tmp, env=child_env(), check=True, capture_output=True)
    pkg = next(p.parent.name for p in theirs.glob("*/client.py"))
    return ours, theirs, pkg


def import_seconds(python: str, module: str, pythonpath: str) -> float:
    code = (
        "import time; t = time.perf_counter(); import " + module + "; "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=child_env(pythonpath), check=True
    )
    return float(done.stdout)


def import_times(runs: int, targets: Sequence[tuple[str, str, str, str]]) -> dict[str, list[float]]:
    """Fresh interpreters, alternating; one untimed import each first writes the bytecode."""
    for _, python, module, path in targets:
        import_seconds(python, module, path)
    times: dict[str, list[float]] = {label: [] for label, *_ in targets}
    for _ in range(runs):
        for label, python, module, path in targets:
            times[label].append(import_seconds(python, module, path))
    return times


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    args: argparse.Namespace,
    calls: dict[str, dict[str, list[float]]],
    imports: dict[str, list[float]],
    parses: dict[str, list[float]],
) -> list[str]:
    med = statistics.median
    us = {k: {m: med(v) * 1e6 for m, v in d.items() if v} for k, d in calls.items()}
    ms = {k: med(v) * 1e3 for k, v in imports.items()}
    ops = {k: med(v) for k, v in parses.items()}
    lines = [
        f"Command: `python tests/benchmarks/client_overhead.py {' '.join(args.argv)}`".strip(),
        f"({args.reps} repetitions interleaved, medians; payload: {args.items} variations, "
        f"{len(json.dumps(payload(args.items)))} bytes of JSON)",
        "",
        "| measure | generated client | baseline | ratio | target |",
        "|---|---:|---:|---:|---|",
    ]
    s = us["sdkgen"]
    r = s["client"] / s["raw"]
    lines.append(
        f"| sync call, us/call (vs raw httpx, {args.calls} calls) | {s['client']:.1f} | "
        f"{s['raw']:.1f} | {r:.3f}x | <= {TARGET_CALL}x {verdict(r <= TARGET_CALL)} |"
    )
    if "aclient" in s:
        ra = s["aclient"] / s["araw"]
        lines.append(
            f"| async call, us/call (vs raw httpx.AsyncClient, {args.calls // 2} calls) | "
            f"{s['aclient']:.1f} | {s['araw']:.1f} | {ra:.3f}x | (not a target) |"
        )
    if "opc" in us:
        o = us["opc"]
        lines.append(
            f"| openapi-python-client's sync call, us/call (vs raw httpx, same run) | "
            f"{o['client']:.1f} | {o['raw']:.1f} | {o['client'] / o['raw']:.3f}x | (reference) |"
        )
    ri = ms["sdkgen"] / ms["httpx"]
    lines.append(
        f"| import, ms (vs `import httpx`, fresh interpreters, {args.import_runs} each) | "
        f"{ms['sdkgen']:.1f} | {ms['httpx']:.1f} | {ri:.2f}x | "
        f"<= {TARGET_IMPORT}x {verdict(ri <= TARGET_IMPORT)} |"
    )
    if "opc" in ms:
        lines.append(
            f"| openapi-python-client's package import, ms (vs `import httpx`, its venv) | "
            f"{ms['opc']:.1f} | {ms['httpx-bench']:.1f} | {ms['opc'] / ms['httpx-bench']:.2f}x | "
            "(reference) |"
        )
    if "opc" in ops:
        rp = ops["sdkgen"] / ops["opc"]
        lines.append(
            f"| parse `from_dict`, ops/s (vs openapi-python-client's attrs models, "
            f"{args.parses} each) | {ops['sdkgen']:,.0f} | {ops['opc']:,.0f} | {rp:.2f}x | "
            f">= {TARGET_PARSE}x {verdict(rp >= TARGET_PARSE)} |"
        )
    else:
        lines.append(
            f"| parse `from_dict`, ops/s | {ops['sdkgen']:,.0f} | - | - | (no peer measured) |"
        )
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--calls", type=int, default=20_000, help="calls per repetition")
    p.add_argument("--reps", type=int, default=5, help="repetitions (medians are reported)")
    p.add_argument("--items", type=int, default=3, help="variations in the response body (1-10)")
    p.add_argument("--parses", type=int, default=100_000, help="from_dict calls per repetition")
    p.add_argument("--import-runs", type=int, default=10, help="fresh interpreters per import")
    p.add_argument("--no-opc", action="store_true", help="skip openapi-python-client")
    p.add_argument("--json", type=Path, help="also write the raw numbers to this JSON file")
    p.add_argument("--worker", choices=("call", "parse"), help=argparse.SUPPRESS)
    p.add_argument("--kind", choices=("sdkgen", "opc"), help=argparse.SUPPRESS)
    p.add_argument("--pkg-dir", help=argparse.SUPPRESS)
    p.add_argument("--pkg", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    bench_python = str(BENCH_VENV / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="sdkgen-overhead-") as tmp_name:
        tmp = Path(tmp_name)
        ours, theirs, opc_pkg = generate(tmp, with_opc=not args.no_opc)
        pkg = "leonardo_variation"
        calls = {"sdkgen": run_worker(sys.executable, "call", "sdkgen", ours, pkg, args)}
        if theirs is not None:
            calls["opc"] = run_worker(bench_python, "call", "opc", theirs, opc_pkg, args)
        targets = [
            ("httpx", sys.executable, "httpx", ""),
            ("sdkgen", sys.executable, pkg, str(ours)),
        ]
        if theirs is not None:
            targets.append(("httpx-bench", bench_python, "httpx", ""))
            targets.append(("opc", bench_python, opc_pkg, str(theirs)))
        imports = import_times(args.import_runs, targets)
        parses: dict[str, list[float]] = {"sdkgen": [], "opc": []}
        for _ in range(args.reps):  # one repetition per process, alternating
            one = argparse.Namespace(**{**vars(args), "reps": 1})
            parses["sdkgen"] += run_worker(sys.executable, "parse", "sdkgen", ours, pkg, one)
            if theirs is not None:
                parses["opc"] += run_worker(bench_python, "parse", "opc", theirs, opc_pkg, one)
        parses = {k: v for k, v in parses.items() if v}
    print("\n".join(report(args, calls, imports, parses)))
    if args.json:
        data = {"calls": calls, "imports": imports, "parses": parses, "argv": args.argv}
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
