"""Shared fixtures: where the repository and the shared specs are, and generating into tmp."""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

# In-process CLI runs: no forked workers (the test process has server threads) and a cache of
# the session's own, never the user's. Subprocess tests that want either set them explicitly.
os.environ["SDKGEN_WORKERS"] = "0"
os.environ["SDKGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="sdkgen-test-cache-")


@pytest.fixture(scope="session", autouse=True)
def _a_cache_per_session() -> None:
    """A fresh cache for every pytest session, not only every process: mutmut runs one session
    per mutant in forks of one process, and a cache they shared would hand each mutant what the
    unmutated code had cached (so a broken merge, served from the cache, would pass)."""
    os.environ["SDKGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="sdkgen-test-cache-")


REPO = Path(__file__).resolve().parents[1]
SHARED_SPECS = REPO.parent / "shared" / "specs"
LEONARDO = SHARED_SPECS / "leonardo-ai-variation-openapi.json"
LEONARDO_SHA256 = "148d0b4b5998fcaa5ea467660e0044163efccb06b3e34ca1b8b23df91a694de6"


@pytest.fixture(scope="session")
def leonardo_spec() -> Path:
    """The real Leonardo spec; it is never committed, so the tests read it from shared/."""
    if not LEONARDO.is_file():
        pytest.fail(
            f"the Leonardo spec is missing: expected {LEONARDO}. The repository must sit beside "
            "shared/ (shared/specs/leonardo-ai-variation-openapi.json), as on the team machines "
            "and in CI."
        )
    return LEONARDO


def run_cli(*args: str) -> Result:
    """`sdkgen ARGS` in-process; exceptions propagate so a crash fails the test loudly."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def sdkgen(*args: str) -> Result:
    """`sdkgen ARGS` in-process, for failure cases: whatever the exit code, the output never
    holds a traceback or an internal error."""
    result = run_cli(*args)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result


def generate(spec: Path, out: Path, *extra: str) -> Path:
    """Generate `spec` into `out` and return `out`; fails the test on a non-zero exit."""
    result = run_cli("generate", str(spec), "-o", str(out), "-q", *extra)
    assert result.exit_code == 0, result.output
    return out


def write_spec(directory: Path, spec: dict[str, object], name: str = "spec.yaml") -> Path:
    """Write an inline spec (a dict) as YAML and return its path."""
    import yaml

    path = directory / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def import_generated() -> Iterator[Callable[[Path, str], ModuleType]]:
    """Import a package generated into `project/` under its name; forgotten afterwards."""
    yield from importer()


def generate_and_import(spec: dict[str, object], root: Path, package: str) -> Iterator[ModuleType]:
    """For module-scoped fixtures: generate an inline spec, import it, forget it afterwards."""
    path = write_spec(root, spec)
    result = run_cli(
        "generate", str(path), "-o", str(root / "out"), "-q", "--package-name", package
    )
    assert result.exit_code == 0, result.output
    loading = importer()
    yield next(loading)(root / "out", package)
    next(loading, None)


def importer() -> Iterator[Callable[[Path, str], ModuleType]]:
    added: list[str] = []

    def load(project: Path, package: str) -> ModuleType:
        sys.path.insert(0, str(project))
        added.append(str(project))
        importlib.invalidate_caches()
        return importlib.import_module(package)

    yield load
    for entry in added:
        sys.path.remove(entry)
    for name in [
        m
        for m in sys.modules
        if any(m == p or m.startswith(p + ".") for p in _generated_names(added))
    ]:
        del sys.modules[name]


def _generated_names(projects: list[str]) -> set[str]:
    return {
        p.name
        for project in projects
        for p in Path(project).iterdir()
        if (p / "__init__.py").is_file()
    }
