"""What unions cost when decoding (issue 13, item 6), and what they cost models without them.

    .venv/bin/python tests/benchmarks/union_decoding.py [--before-rev REV] [--reps N] [--parses N]

1. `from_dict` of models without unions, this checkout's runtime against the runtime of
   `--before-rev` (default `main`; `git show REV:templates/runtime/...`), both with the models
   this checkout generates (their code is the same with either generator for such models),
   lenient and strict. Target: within 1.2x.
2. `from_dict` of the same page of results whose item is a union of three models: with a
   discriminator, and without one (the structural rule), against the page whose item is a
   plain model.
Each measurement runs in `--worker` subprocesses, repetitions interleaved; medians of ops/s.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RUNTIME = ("_models.py", "_runtime.py")


def _schemas() -> dict[str, Any]:
    def kind(tag: str, extra: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["kind", "id"],
            "properties": {
                "kind": {"type": "string"},
                "id": {"type": "string"},
                "size": {"type": "integer"},
                "score": {"type": "number", "nullable": True},
                "tags": {"type": "array", "items": {"type": "string"}},
                extra: {"type": "string"},
            },
        }

    ref = "#/components/schemas/"
    variants = [{"$ref": ref + n} for n in ("Cat", "Dog", "Bird")]
    return {
        "Cat": kind("cat", "meow"),
        "Dog": kind("dog", "bark"),
        "Bird": kind("bird", "song"),
        "Tagged": {
            "oneOf": variants,
            "discriminator": {
                "propertyName": "kind",
                "mapping": {"cat": ref + "Cat", "dog": ref + "Dog", "bird": ref + "Bird"},
            },
        },
        "Shaped": {"oneOf": variants},
        **{
            f"{name}Page": {
                "type": "object",
                "required": ["items"],
                "properties": {
                    "total": {"type": "integer"},
                    "next": {"type": "string", "nullable": True},
                    "items": {"type": "array", "items": {"$ref": ref + item}},
                },
            }
            for name, item in (("Plain", "Dog"), ("Tagged", "Tagged"), ("Shaped", "Shaped"))
        },
    }


def _spec(pages: tuple[str, ...]) -> dict[str, Any]:
    paths = {
        f"/{name.lower()}": {
            "get": {
                "operationId": f"get{name}",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{name}Page"}
                            }
                        },
                    }
                },
            }
        }
        for name in pages
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bench", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {"schemas": _schemas()},
    }


def payload(kinds: tuple[str, ...]) -> dict[str, Any]:
    extra = {"cat": "meow", "dog": "bark", "bird": "song"}
    items = [
        {
            "kind": kinds[i % len(kinds)],
            "id": f"id-{i}",
            "size": i,
            "score": i / 3,
            "tags": ["a", "b"],
            extra[kinds[i % len(kinds)]]: "x" * 8,
        }
        for i in range(20)
    ]
    return {"total": 20, "next": None, "items": items}


def worker(project: str, model: str, kinds: str, strict: bool, parses: int) -> None:
    sys.path.insert(0, project)
    models = importlib.import_module("bench.models")
    cls = getattr(models, model)
    data = payload(tuple(kinds.split(",")))
    cls.from_dict(data, strict=strict)  # warm up, and fail loudly on a bad payload
    started = time.perf_counter()
    for _ in range(parses):
        cls.from_dict(data, strict=strict)
    print(json.dumps(parses / (time.perf_counter() - started)))


def _generate(where: Path, pages: tuple[str, ...]) -> Path:
    """A client of the pages named (PlainPage alone: no union, so the old runtime runs it)."""
    from click.testing import CliRunner

    from generator.cli import main
    from tests.conftest import write_spec

    where.mkdir()
    spec = write_spec(where, _spec(pages))
    result = CliRunner().invoke(main, ["generate", str(spec), "-o", str(where / "out"), "-q"])
    if result.exit_code != 0:
        sys.exit(result.output)
    return where / "out"


def _old_runtime(plain: Path, rev: str, where: Path) -> Path:
    import shutil

    old = where / "old"
    shutil.copytree(plain, old)
    for name in RUNTIME:
        text = subprocess.run(
            ["git", "show", f"{rev}:templates/runtime/{name}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (old / "bench" / name).write_text(text, encoding="utf-8")
    return old


def _measure(project: Path, model: str, kinds: str, strict: bool, parses: int) -> float:
    argv = [sys.executable, __file__, "--worker", str(project), model, kinds, str(strict)]
    done = subprocess.run([*argv, str(parses)], capture_output=True, text=True, check=True)
    return float(done.stdout)


def _compare(
    runs: dict[str, tuple[Path, str, str, bool]], reps: int, parses: int
) -> dict[str, float]:
    samples: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(reps):
        for key, (project, model, kinds, strict) in runs.items():
            samples[key].append(_measure(project, model, kinds, strict, parses))
    return {k: statistics.median(v) for k, v in samples.items()}


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        project, model, kinds, strict_text, parses = sys.argv[2:7]
        worker(project, model, kinds, strict_text == "True", int(parses))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--before-rev", default="main")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--parses", type=int, default=3000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = _generate(Path(tmp) / "plain", ("Plain",))
        new = _generate(Path(tmp) / "all", ("Plain", "Tagged", "Shaped"))
        old = _old_runtime(plain, args.before_rev, Path(tmp))
        print(f"| measurement (medians of {args.reps}, ops/s) | before | after | ratio |")
        print("|---|---:|---:|---:|")
        for strict in (False, True):
            mode = "strict" if strict else "lenient"
            runs = {
                "before": (old, "PlainPage", "dog", strict),
                "after": (plain, "PlainPage", "dog", strict),
            }
            ops = _compare(runs, args.reps, args.parses)
            ratio = ops["before"] / ops["after"]
            print(
                f"| no union, {mode}: page of 20 models | {ops['before']:,.0f} "
                f"| {ops['after']:,.0f} | {ratio:.2f}x time |"
            )
        for strict in (False, True):
            mode = "strict" if strict else "lenient"
            runs = {
                "plain": (new, "PlainPage", "dog", strict),
                "tagged": (new, "TaggedPage", "cat,dog,bird", strict),
                "shaped": (new, "ShapedPage", "cat,dog,bird", strict),
            }
            ops = _compare(runs, args.reps, args.parses)
            for key, label in (("tagged", "discriminator"), ("shaped", "structural rule")):
                ratio = ops["plain"] / ops[key]
                print(
                    f"| union of 3 models ({label}), {mode} vs plain model | "
                    f"{ops['plain']:,.0f} | {ops[key]:,.0f} | {ratio:.2f}x time |"
                )


if __name__ == "__main__":
    main()
