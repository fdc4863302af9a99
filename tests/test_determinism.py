"""Byte-identical output whatever the hash seed, the cache and the worker processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_golden import GOLDEN, tree

SDKGEN = Path(sys.executable).parent / "sdkgen"


def _generate(spec: Path, out: Path, **env: str) -> dict[str, bytes]:
    subprocess.run(
        [str(SDKGEN), "generate", str(spec), "-o", str(out), "-q"],
        env={**os.environ, **env},
        check=True,
        cwd=REPO,
    )
    return tree(out)


@pytest.mark.parametrize("spec", ["petstore", "edge_cases", "leonardo"])
def test_runs_are_byte_identical_across_seeds_caches_and_workers(
    spec: str, tmp_path: Path, leonardo_spec: Path
) -> None:
    path = leonardo_spec if spec == "leonardo" else GOLDEN / spec / "spec.yaml"
    cache = str(tmp_path / "cache")
    runs = [
        # seed 1, forked workers, an empty cache (fills it)
        _generate(
            path, tmp_path / "a", PYTHONHASHSEED="1", SDKGEN_WORKERS="1", SDKGEN_CACHE_DIR=cache
        ),
        # another seed, no workers, no cache
        _generate(
            path, tmp_path / "b", PYTHONHASHSEED="4242", SDKGEN_WORKERS="0", SDKGEN_CACHE_DIR="off"
        ),
        # everything from the cache: the whole result and the checks
        _generate(
            path, tmp_path / "c", PYTHONHASHSEED="7", SDKGEN_WORKERS="1", SDKGEN_CACHE_DIR=cache
        ),
    ]
    for namespace in ("generate", "check", "format"):
        assert any((tmp_path / "cache" / namespace).rglob("*")), f"no {namespace} entries"
    shutil.rmtree(tmp_path / "cache" / "generate")
    # built and rendered again, formatted files from the cache
    runs.append(_generate(path, tmp_path / "d", SDKGEN_WORKERS="0", SDKGEN_CACHE_DIR=cache))
    assert runs[0] == runs[1] == runs[2] == runs[3]
    assert not any(
        b"/tmp" in content or str(tmp_path).encode() in content for content in runs[0].values()
    )


def test_a_corrupt_cache_entry_is_a_miss(tmp_path: Path, leonardo_spec: Path) -> None:
    cache = tmp_path / "cache"
    clean = _generate(leonardo_spec, tmp_path / "a", SDKGEN_CACHE_DIR=str(cache))
    entries = [
        entry
        for namespace in ("generate", "check", "format")
        for entry in (cache / namespace).rglob("*")
        if entry.is_file()
    ]
    assert len(entries) > 3
    for number, entry in enumerate(entries):  # truncated, edited, or not even text
        damaged = entry.read_bytes()[:-10] if number % 2 else entry.read_bytes() + b"# edited\n"
        entry.write_bytes(damaged if number % 3 else b"\xff\xfe")
    again = _generate(leonardo_spec, tmp_path / "b", SDKGEN_CACHE_DIR=str(cache))
    assert again == clean


def test_no_cache_neither_reads_nor_writes_the_cache(tmp_path: Path, leonardo_spec: Path) -> None:
    cache = tmp_path / "cache"
    subprocess.run(
        [
            str(SDKGEN),
            "generate",
            str(leonardo_spec),
            "-o",
            str(tmp_path / "out"),
            "-q",
            "--no-cache",
        ],
        env={**os.environ, "SDKGEN_CACHE_DIR": str(cache)},
        check=True,
        cwd=REPO,
    )
    assert not cache.exists()


# An invalid document whose findings the validator produces in hash-seed order: duplicate enum
# values in several properties (its meta-schema check stops at the first it meets, walking a
# set), a `required` naming several undefined properties (listed from a set), and patterns.
INVALID = """\
openapi: 3.0.3
info: {title: Invalid, version: "1"}
tags: [{name: a}, {name: a}]
paths:
  /e:
    get:
      operationId: getEnums
      parameters:
        - {name: q, in: query, schema: {type: string, pattern: "(?i)x", minLength: -1}}
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Enums"}}
        default: {description: error}
components:
  schemas:
    Enums:
      type: object
      properties:
        dup_strings: {type: string, enum: [a, a, b, a]}
        dup_ints: {type: integer, enum: [1, 1, 2]}
        dup_mixed_case: {type: string, enum: [a, A, a]}
        name: {type: string, pattern: "^\\\\p{L}+$", default: 5}
    Combined:
      allOf: [{$ref: "#/components/schemas/Enums"}]
      required: [zeta, alpha, mid, beta, gamma, delta]
"""


def _check(spec: Path, *args: str, **env: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [str(SDKGEN), *args, str(spec)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=spec.parent,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])  # 3.1: duplicate enum values are allowed
@pytest.mark.parametrize("command", ["validate", "generate"])
def test_diagnostics_of_an_invalid_document_are_identical_across_seeds_caches_and_workers(
    command: str, version: str, tmp_path: Path
) -> None:
    spec = tmp_path / "invalid.yaml"
    spec.write_text(INVALID.replace("3.0.3", version), encoding="utf-8")
    cache = str(tmp_path / "cache")
    settings = [
        {"PYTHONHASHSEED": str(seed), "SDKGEN_WORKERS": workers, "SDKGEN_CACHE_DIR": where}
        for seed, workers, where in [
            (1, "1", cache),
            (2, "0", "off"),
            (3, "1", cache),  # from the cache
            (4, "0", "off"),
            (5, "1", "off"),
            (6, "0", cache),
        ]
    ]
    texts = {_check(spec, command, **env) for env in settings}
    jsons = {_check(spec, command, "--format", "json", **env) for env in settings[:3]}
    assert len(texts) == 1, texts
    assert len(jsons) == 1, jsons
    code, _, stderr = texts.pop()
    assert code == 1
    assert stderr.count("ERROR SDK013") >= (5 if version == "3.0.3" else 3), stderr
    assert "WARNING SDK015" in stderr
