"""Validation time and memory against document size (issue 15), outside the pass/fail suite.

Generates OpenAPI documents of about 1 to 50 MB (component schemas that refer to each other,
one operation per schema), valid and invalid (five errors spread through the document: a
default of the wrong type, a negative minLength, duplicate enum values, an operation without
responses, a duplicated operationId), in 3.0 and 3.1, and times the validate stage
(`generator.validate.validate`, as `sdkgen validate` and `generate` run it) in a fresh process
each, with its peak memory. `--before DIR` also times another checkout's generator (say, an
export of an earlier commit) on the same documents.

    .venv/bin/python tests/benchmarks/validation.py --sizes 1,3,10,25,50
    git archive 92b32d5 generator templates | tar -x -C /tmp/before
    .venv/bin/python tests/benchmarks/validation.py --sizes 1,3 --before /tmp/before
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
UNIT_BYTES = 900  # about one schema and its operation, serialised

# Peak memory is the process's own high-water mark (VmHWM). Not ru_maxrss: Linux carries it
# over exec from the forking parent, so every child reported at least this script's own peak
# (383 MB once it had generated a 50 MB document: the "constant 383 MB" of earlier tables).
MEASURE = """
import json, sys, time
started = time.perf_counter()
data = json.load(open(sys.argv[1], "rb"))
loaded = time.perf_counter()
from generator import validate
found = validate.validate(data)
done = time.perf_counter()
print(json.dumps({
    "load_s": loaded - started, "validate_s": done - loaded,
    "errors": sum(d.severity.value == "error" for d in found),
    "peak_mb": next(
        int(line.split()[1]) / 1024
        for line in open("/proc/self/status")
        if line.startswith("VmHWM")
    ),
}))
"""


def schema(i: int, version: str) -> dict[str, Any]:
    nullable = (
        {"type": ["string", "null"]} if version == "3.1" else {"type": "string", "nullable": True}
    )
    return {
        "type": "object",
        "description": f"Model number {i}: a thing with a name, a count, tags and a successor.",
        "required": ["id"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "maxLength": 64, "pattern": "^[a-z][a-z0-9-]*$"},
            "count": {"type": "integer", "minimum": 0, "default": 0},
            "tags": {"type": "array", "items": {"type": "string"}},
            "status": {"type": "string", "enum": ["active", "paused", "closed"]},
            "note": nullable,
            "next": {"$ref": f"#/components/schemas/Model{i // 10 * 10 + (i + 1) % 10}"},
        },
    }


def operation(i: int) -> dict[str, Any]:
    return {
        "get": {
            "operationId": f"getThing{i}",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/Model{i}"}}
                    },
                },
                "default": {"description": "error"},
            },
        }
    }


def document(megabytes: float, version: str, invalid: bool) -> dict[str, Any]:
    n = max(10, int(megabytes * 1024 * 1024 / UNIT_BYTES)) // 10 * 10  # cycles of ten `next`s
    doc: dict[str, Any] = {
        "openapi": "3.1.0" if version == "3.1" else "3.0.3",
        "info": {"title": "Generated", "version": "1.0.0"},
        "paths": {f"/things{i}/{{id}}": operation(i) for i in range(n)},
        "components": {"schemas": {f"Model{i}": schema(i, version) for i in range(n)}},
    }
    if invalid:
        models = doc["components"]["schemas"]
        models[f"Model{n // 5}"]["properties"]["count"]["default"] = "many"
        models[f"Model{n // 3}"]["properties"]["name"]["minLength"] = -1
        models[f"Model{n // 2}"]["properties"]["status"]["enum"] = ["active", "active"]
        del doc["paths"][f"/things{2 * n // 3}/{{id}}"]["get"]["responses"]
        doc["paths"][f"/things{n - 1}/{{id}}"]["get"]["operationId"] = "getThing0"
    return doc


def measure(path: Path, root: Path, timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, str(path)],
            cwd=root,
            env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    except subprocess.CalledProcessError as exc:  # say, killed from outside
        return {"failed": exc.returncode}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def row(label: str, size_mb: float, found: dict[str, Any], before: dict[str, Any] | None) -> str:
    def cell(r: dict[str, Any]) -> str:
        if "failed" in r:
            return f"failed ({r['failed']})"
        return f"> {r['timeout']:.0f}" if "timeout" in r else f"{r['validate_s']:.2f}"

    done = "validate_s" in found
    peak = f"{found['peak_mb']:.0f}" if done else "-"
    errors = str(found["errors"]) if done else "-"
    earlier = cell(before) if before is not None else "-"
    return f"| {label} | {size_mb:.1f} | {cell(found)} | {peak} | {errors} | {earlier} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,3,10,25,50", help="document sizes in MB")
    parser.add_argument("--versions", default="3.0,3.1")
    parser.add_argument("--before", type=Path, help="another checkout's root, timed as well")
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout measured")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--max-3-1-mb", type=float, default=50.0, help="skip larger 3.1 documents")
    args = parser.parse_args()
    print("| document | MB | validate s | peak MB | errors | before s |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="sdkgen-bench-") as tmp:
        for version in args.versions.split(","):
            for size in map(float, args.sizes.split(",")):
                if version == "3.1" and size > args.max_3_1_mb:
                    continue
                for invalid in (False, True):
                    path = Path(tmp) / "doc.json"
                    path.write_text(json.dumps(document(size, version, invalid)), encoding="utf-8")
                    actual = path.stat().st_size / 1024 / 1024
                    found = measure(path, args.root, args.timeout)
                    before = measure(path, args.before, args.timeout) if args.before else None
                    label = f"{version} {'invalid' if invalid else 'valid'}"
                    print(row(label, actual, found, before), flush=True)


if __name__ == "__main__":
    main()
