"""Shared fixtures: where the repository and the shared specs are, and generating into tmp."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

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


def generate(spec: Path, out: Path, *extra: str) -> Path:
    """Generate `spec` into `out` and return `out`; fails the test on a non-zero exit."""
    result = run_cli("generate", str(spec), "-o", str(out), "-q", *extra)
    assert result.exit_code == 0, result.output
    return out
