"""sdkgen's cache, through the command line: damaged entries of every kind are replaced, no
temporary file outlives a run, the size bound evicts the least recently used entries, and an
edit to sdkgen's own code or templates is a new key."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli, write_spec


def spec(operations: int) -> dict[str, object]:
    paths = {
        f"/items{i}": {
            "get": {
                "operationId": f"listItems{i}",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/Item{i}"}
                            }
                        },
                    }
                },
            }
        }
        for i in range(operations)
    }
    schemas = {
        f"Item{i}": {"type": "object", "properties": {"name": {"type": "string"}}}
        for i in range(operations)
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Shop {operations}", "version": "1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    return root


def generate(operations: int, out: str = "out") -> dict[str, bytes]:
    path = write_spec(Path(), spec(operations), f"spec{operations}.yaml")
    result = run_cli("generate", str(path), "-o", out, "--package-name", "shop", "-q")
    assert result.exit_code == 0, result.output
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in Path(out).rglob("*.py")}


def entries(root: Path) -> dict[Path, float]:
    """Every entry of the cache with its mtime (temporary files excluded)."""
    return {
        p: p.lstat().st_mtime
        for p in root.glob("*/*/*")
        if not p.name.startswith(".tmp-") and not p.name.endswith(".tmp")
    }


def temporary_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".tmp-") or p.name.endswith(".tmp")]


def is_valid(entry: Path) -> bool:
    import hashlib

    digest, _, value = entry.read_bytes().partition(b"\n")
    return hashlib.sha256(value).hexdigest().encode() == digest


@pytest.mark.parametrize("damage", ["directory", "truncated", "foreign", "empty"])
def test_a_damaged_entry_is_replaced_and_nothing_leaks(cache: Path, damage: str) -> None:
    expected = generate(2)
    sdkgen_entries = [p for p in entries(cache) if p.parts[-3] in ("generate", "format")]
    assert sdkgen_entries
    for entry in sdkgen_entries:
        data = entry.read_bytes()
        entry.unlink()
        if damage == "directory":
            entry.mkdir()
            (entry / "inside").write_text("x")
        elif damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "foreign":
            entry.write_bytes(b"not an entry\nat all")
        else:
            entry.write_bytes(b"")
    for _ in range(2):  # the first run repairs; the second must not leak either
        shutil.rmtree("out")
        assert generate(2) == expected
        assert temporary_files(cache) == []
    for entry in sdkgen_entries:
        assert entry.is_file() and is_valid(entry), entry


def test_a_hit_marks_its_entries_used(cache: Path) -> None:
    generate(1)
    old = time.time() - 3600
    for entry in entries(cache):
        os.utime(entry, (old, old))
    generate(1)
    used = [p for p, mtime in entries(cache).items() if mtime > old + 1800]
    assert any(p.parts[-3] == "generate" for p in used), used


def test_the_bound_evicts_the_least_recently_used_entries(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = time.time() - 10_000
    for age, operations in enumerate((3, 2, 1)):  # oldest first
        before = set(entries(cache))
        generate(operations, out=f"out{operations}")
        for entry in set(entries(cache)) - before:
            os.utime(entry, (start + age * 100, start + age * 100))
    oldest = min(entries(cache), key=lambda p: entries(cache)[p])
    oldest.unlink()
    oldest.mkdir()  # a damaged entry is evicted like any other
    (oldest / "inside").write_text("x" * 100)
    os.utime(oldest, (start - 100, start - 100))
    stale = cache / "format" / "00" / ".tmp-killed-run"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("x")
    os.utime(stale, (start, start))
    fresh = cache / "format" / "00" / ".tmp-running"
    fresh.write_text("x")
    existing = entries(cache)
    total = sum(p.lstat().st_size for p in existing)
    monkeypatch.setenv("SDKGEN_CACHE_MAX_MB", str(total / 1024 / 1024))
    generate(4, out="out4")  # adds entries: the oldest must go to stay within the bound
    after = entries(cache)
    assert sum(p.lstat().st_size for p in after) <= total
    evicted = [p for p in existing if p not in after]
    kept = [p for p in existing if p in after]
    assert evicted
    assert max(existing[p] for p in evicted) <= min(existing[p] for p in kept)
    assert oldest in evicted and not oldest.exists()
    assert not stale.exists()
    assert fresh.exists()


def test_temporary_files_of_killed_runs_go_even_when_nothing_is_evicted(cache: Path) -> None:
    generate(1)
    folder = cache / "format" / "00"
    folder.mkdir(parents=True, exist_ok=True)
    hour_and_more = time.time() - 3700
    planted = {}
    for name, old in ((".tmp-ours", True), ("__jinja2_x.cache1234.tmp", True), (".tmp-now", False)):
        (folder / name).write_text("x")
        if old:
            os.utime(folder / name, (hour_and_more, hour_and_more))
        planted[name] = old
    before = set(entries(cache))
    generate(2)  # writes to the cache, far below the bound
    assert before <= set(entries(cache))
    assert {name: (folder / name).exists() for name in planted} == {
        name: not old for name, old in planted.items()
    }


def test_the_default_bound_is_named_in_the_readme() -> None:
    from generator.cache import DEFAULT_MAX_MB, max_bytes

    assert max_bytes() == DEFAULT_MAX_MB * 1024 * 1024 or "SDKGEN_CACHE_MAX_MB" in os.environ
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"SDKGEN_CACHE_MAX_MB` (default {DEFAULT_MAX_MB})" in readme


@pytest.mark.parametrize("edited", ["templates/package/README.md.jinja", "generator/naming.py"])
def test_an_edit_to_sdkgens_code_or_templates_is_a_new_key(tmp_path: Path, edited: str) -> None:
    """A copy of the checkout, run twice with one cache: the second run, after an edit,
    must show the edit (a stale hit would give the first run's output)."""
    copy = tmp_path / "checkout"
    for part in ("generator", "templates"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    write_spec(tmp_path, spec(1), "spec.yaml")
    env = {**os.environ, "PYTHONPATH": str(copy), "SDKGEN_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "generator", "generate", "spec.yaml", "-q"]

    def run(out: str) -> str:
        done = subprocess.run(
            [*command, "-o", out, "--package-name", "shop"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        name = "README.md" if edited.endswith(".jinja") else "shop/_client.py"
        return (tmp_path / out / name).read_text(encoding="utf-8")

    first = run("one")
    target = copy / edited
    if edited.endswith(".jinja"):
        target.write_text(target.read_text() + "\nEDITED BY THE TEST\n", encoding="utf-8")
        assert "EDITED BY THE TEST" in run("two")
    else:  # a change of naming rules: the generated method name changes
        wrapper = (
            "\n\n_snake = snake\n\n\n"
            "def snake(text: str, fallback: str = 'x') -> str:\n"
            "    return 'renamed_' + _snake(text, fallback)\n"
        )
        target.write_text(target.read_text(encoding="utf-8") + wrapper, encoding="utf-8")
        second = run("two")
        assert second != first and "renamed_" in second


@pytest.mark.parametrize(
    ("env", "where"),
    [
        ({"SDKGEN_CACHE_DIR": "{tmp}/mine"}, "mine"),
        ({"XDG_CACHE_HOME": "{tmp}/xdg"}, "xdg/sdkgen"),
        ({"HOME": "{tmp}/home"}, "home/.cache/sdkgen"),
        ({"SDKGEN_CACHE_DIR": "off", "HOME": "{tmp}/home"}, None),
        ({"SDKGEN_CACHE_DIR": "OFF", "HOME": "{tmp}/home"}, None),
        ({"SDKGEN_CACHE_DIR": "0", "HOME": "{tmp}/home"}, None),
        ({"SDKGEN_CACHE_DIR": "None", "HOME": "{tmp}/home"}, None),
    ],
    ids=["explicit", "xdg", "home", "off", "OFF", "0", "None"],
)
def test_where_the_cache_lives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], where: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SDKGEN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    generate(1)
    made = sorted(
        str(p.parent.relative_to(tmp_path))
        for p in tmp_path.rglob("generate")
        if p.is_dir() and "out" not in p.parts
    )
    assert made == ([where] if where else [])
    if where:
        assert list((tmp_path / where / "generate").glob("*/*"))


@pytest.mark.parametrize(
    ("value", "limit"),
    [("", 256 * 2**20), ("1.5", 3 * 2**19), ("x", 256 * 2**20), ("-1", 0), ("0", 0)],
)
def test_the_bound_setting(monkeypatch: pytest.MonkeyPatch, value: str, limit: int) -> None:
    from generator.cache import max_bytes

    monkeypatch.setenv("SDKGEN_CACHE_MAX_MB", value)
    assert max_bytes() == limit
