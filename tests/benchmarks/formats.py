"""What typed formats cost `from_dict` (issue 13, item 2): outside the pass/fail suite.

1. Models without date fields: `from_dict` with this checkout's runtime against the runtime of
   an earlier revision (default `1ecd379`, before formats), on the same generated models and
   payload; subprocesses alternate, medians of ops/s (target: within 1.2x).
2. The cost of one date-time (and one date) field: `from_dict` of a model whose ten fields are
   all `format: date-time` against the same model with plain strings, same payload; the
   difference per field, and `parse_date_time` alone.

    .venv/bin/python tests/benchmarks/formats.py [--rounds 7] [--base REV]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIELDS = 10


def spec(dates: bool) -> dict[str, Any]:
    def model(kind: dict[str, Any]) -> dict[str, Any]:
        props = {f"f{i}": kind for i in range(FIELDS)}
        return {"type": "object", "required": list(props), "properties": props}

    item = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "count": {"type": "integer"},
            "price": {"type": "number"},
            "active": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "state": {"type": "string", "enum": ["on", "off"]},
            "note": {"type": "string", "nullable": True},
            "child": {"type": "object", "properties": {"x": {"type": "integer"}}},
        },
    }
    page = {"type": "object", "properties": {"items": {"type": "array", "items": item}}}
    schemas = {
        "Page": page,
        "Plain": model({"type": "string"}),
    }
    if dates:  # an earlier runtime has no date converters
        schemas["Dated"] = model({"type": "string", "format": "date-time"})
        schemas["Day"] = model({"type": "string", "format": "date"})
    paths = {
        f"/{name.lower()}": {
            "get": {
                "operationId": f"get{name}",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                        },
                    }
                },
            }
        }
        for name in schemas
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "bench", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


PAGE = {
    "items": [
        {
            "id": f"id{i}",
            "name": "name",
            "count": i,
            "price": 1.5,
            "active": True,
            "tags": ["a", "b"],
            "state": "on",
            "note": None,
            "child": {"x": 1},
        }
        for i in range(50)
    ]
}
STAMPS = {f"f{i}": "2024-01-31T12:34:56.789Z" for i in range(FIELDS)}
DAYS = {f"f{i}": "2024-01-31" for i in range(FIELDS)}


def timed(fn: Any, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def worker(pkg_dir: str, what: str, n: int) -> float:
    sys.path.insert(0, pkg_dir)
    from bench import models  # type: ignore[import-not-found]

    cls, data = {
        "page": ("Page", PAGE),
        "plain": ("Plain", STAMPS),
        "dated": ("Dated", STAMPS),
        "day": ("Day", DAYS),
        "day_plain": ("Plain", DAYS),
    }[what]
    cls = getattr(models, cls)
    parse = cls.from_dict
    timed(lambda: parse(data), n // 10)
    return timed(lambda: parse(data), n)


def generate(where: Path, dates: bool) -> Path:
    spec_path = where / f"bench-{dates}.json"
    spec_path.write_text(json.dumps(spec(dates)), encoding="utf-8")
    out = where / ("dated" if dates else "new")
    sdkgen = str(ROOT / ".venv/bin/sdkgen")
    subprocess.run(
        [sdkgen, "generate", str(spec_path), "-o", str(out), "-q", "--package-name", "bench"],
        check=True,
        capture_output=True,
    )
    return out


def old_copy(new: Path, base: str, where: Path) -> Path:
    """The same generated package with the runtime files of revision `base`."""
    old = where / "old"
    shutil.copytree(new, old)
    (old / "bench" / "_formats.py").unlink()
    for name in ("_models.py", "_runtime.py", "_wire.py", "errors.py", "_waiters.py"):
        text = subprocess.run(
            ["git", "show", f"{base}:templates/runtime/{name}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (old / "bench" / name).write_text(text, encoding="utf-8")
    return old


def run(pkg: Path, what: str, n: int) -> float:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(pkg), what, str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--base", default="1ecd379")
    parser.add_argument("--worker", nargs=3)
    args = parser.parse_args()
    if args.worker:
        print(worker(args.worker[0], args.worker[1], int(args.worker[2])))
        return 0
    with tempfile.TemporaryDirectory(prefix="sdkgen-formats-") as tmp:
        new = generate(Path(tmp), dates=False)
        old = old_copy(new, args.base, Path(tmp))
        dated = generate(Path(tmp), dates=True)
        times: dict[str, list[float]] = {}
        for _ in range(args.rounds):  # alternating, so load changes hit both sides alike
            times.setdefault("old page", []).append(run(old, "page", 2000))
            times.setdefault("new page", []).append(run(new, "page", 2000))
            for what in ("plain", "dated", "day_plain", "day"):
                times.setdefault(what, []).append(run(dated, what, 20000))
    med = {k: statistics.median(v) for k, v in times.items()}
    old_rate, new_rate = 1 / med["old page"], 1 / med["new page"]
    ratio = med["new page"] / med["old page"]
    print(f"page of 50 items, no dates: {old_rate:,.0f}/s before, {new_rate:,.0f}/s now")
    print(f"time now/before: {ratio:.3f}x")
    for label, plain, typed in (
        ("date-time", med["plain"], med["dated"]),
        ("date", med["day_plain"], med["day"]),
    ):
        per = (typed - plain) / FIELDS * 1e6
        print(
            f"{FIELDS} str fields {plain * 1e6:.2f} us, {FIELDS} {label} fields "
            f"{typed * 1e6:.2f} us: +{per:.2f} us per {label} field"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
