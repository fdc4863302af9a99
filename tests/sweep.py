"""The public-spec sweep (issue 6): generate every document in ../shared/specs/public/ and the
Leonardo spec, count operations, type-check each client with `mypy --strict`, print a table.

    .venv/bin/python tests/sweep.py                # every spec
    .venv/bin/python tests/sweep.py --only box     # the specs whose file name contains "box"
    .venv/bin/python tests/sweep.py --fuzz 300     # then the fuzz test with 300 examples
    .venv/bin/python tests/sweep.py --big 50       # then time a generated 50 MB document

Columns: operations in the document (every method under every path), operations in the
client (as `sdkgen generate --format json` reports them from the IR, and as methods of the
generated resource classes), models and enums, seconds to generate (a fresh process, no cache),
and the mypy result with its time. Exits 1 if any spec fails to generate, drops an operation,
or fails mypy (or the fuzz run fails).
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

if __package__ in (None, ""):  # run as a script: make `tests` and `generator` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.checks import (
    SDKGEN,
    document_operations,
    generated_operations,
    import_in_subprocess,
    mypy_strict,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "specs"
LEONARDO_OVERLAY = REPO / "specs" / "leonardo-variation.overlay.yaml"


def specs() -> list[tuple[Path, list[str]]]:
    """(document, extra generate arguments): the public specs, smallest first, then Leonardo
    with the project's overlay."""
    public = SHARED / "public"
    if not public.is_dir():
        sys.exit(f"missing {public}: the repository must sit beside shared/")
    found: list[tuple[Path, list[str]]] = [
        (p, []) for p in sorted(public.glob("*.json"), key=lambda p: p.stat().st_size)
    ]
    leonardo = SHARED / "leonardo-ai-variation-openapi.json"
    if leonardo.is_file():
        found.append((leonardo, ["--overlay", str(LEONARDO_OVERLAY)]))
    return found


def sweep_one(spec: Path, extra: list[str], where: Path) -> dict[str, object]:
    project = where / spec.stem
    env = {**os.environ, "SDKGEN_CACHE_DIR": "off"}
    command = [str(SDKGEN), "generate", str(spec), "-o", str(project), "--format", "json"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, "--package-name", "swept", *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=where,
        check=False,
    )
    seconds = time.monotonic() - started
    in_document = document_operations(json.loads(spec.read_text(encoding="utf-8")))
    row: dict[str, object] = {"spec": spec.name, "doc_ops": in_document, "gen_s": seconds}
    if done.returncode != 0:
        row["failure"] = (done.stderr or done.stdout).strip().splitlines()[-1:]
        return row
    result = json.loads(done.stdout)["result"]
    row.update(
        ir_ops=result["operations"],
        methods=generated_operations(project, "swept"),
        models=result["models"],
        enums=result["enums"],
    )
    imported = import_in_subprocess(project, "swept", timeout=300)
    row["imports"] = "ok" if imported.clean else "FAILED"
    checked = mypy_strict([project / "swept"], timeout=3600)
    row["mypy"] = checked.summary()
    row["mypy_ok"] = checked.returncode == 0
    return row


def table(rows: list[dict[str, object]]) -> str:
    header = (
        "| spec | operations in doc | operations generated (IR / methods) | models | enums "
        "| generate s | imports | mypy --strict |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        if "failure" in row:
            lines.append(f"| {row['spec']} | {row['doc_ops']} | FAILED: {row['failure']} |||||")
            continue
        lines.append(
            f"| {row['spec']} | {row['doc_ops']} | {row['ir_ops']} / {row['methods']} "
            f"| {row['models']} | {row['enums']} | {row['gen_s']:.1f} | {row['imports']} "
            f"| {row['mypy']} |"
        )
    return "\n".join(lines)


def failed(row: dict[str, object]) -> bool:
    return (
        "failure" in row
        or row["doc_ops"] != row["ir_ops"]
        or row["doc_ops"] != row["methods"]
        or row["imports"] != "ok"
        or not row["mypy_ok"]
    )


def big_document_timing(megabytes: float) -> str:
    from tests.support.documents import big_document

    with tempfile.TemporaryDirectory(prefix="sdkgen-big-") as where:
        spec = Path(where) / "big.json"
        spec.write_text(big_document(megabytes), encoding="utf-8")
        size = spec.stat().st_size / 1024 / 1024
        started = time.monotonic()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", str(SDKGEN), "generate", str(spec), "-o", "out", "-q"],
            cwd=where,
            capture_output=True,
            text=True,
            env={**os.environ, "SDKGEN_CACHE_DIR": "off"},
            check=False,
        )
        seconds = time.monotonic() - started
    peak = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "?"
    outcome = "generated" if done.returncode == 0 else f"exit {done.returncode}"
    return f"{size:.1f} MB document: {outcome} in {seconds:.1f} s, peak RSS {peak} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="only the specs whose file name contains this")
    parser.add_argument("--fuzz", type=int, metavar="N", help="then run the fuzz test, N examples")
    parser.add_argument("--big", type=float, metavar="MB", help="then time an MB-sized document")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="sdkgen-sweep-") as where:
        for spec, extra in specs():
            if args.only and args.only not in spec.name:
                continue
            print(f"{spec.name} ...", file=sys.stderr, flush=True)
            rows.append(sweep_one(spec, extra, Path(where)))
    print(table(rows))
    status = 1 if any(failed(r) for r in rows) else 0
    if args.big:
        print(big_document_timing(args.big))
    if args.fuzz:
        env = {**os.environ, "SDKGEN_FUZZ_EXAMPLES": str(args.fuzz)}
        started = time.monotonic()
        fuzz = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-W", "error", "tests/test_fuzz.py"],
            cwd=REPO,
            env=env,
            check=False,
        )
        outcome = "passed" if fuzz.returncode == 0 else "FAILED"
        print(f"fuzz: {args.fuzz} examples {outcome} in {time.monotonic() - started:.0f} s")
        status = status or fuzz.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
