"""The repository holds itself to what it asks of generated code: mypy --strict and ruff."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def test_mypy_strict() -> None:
    done = subprocess.run(
        [str(BIN / "mypy")], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff() -> None:
    done = subprocess.run(
        [str(BIN / "ruff"), "check", "."], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_repository_and_static_runtime_are_formatted() -> None:
    """`ruff format` with the generator's own options changes nothing: the runtime files are
    copied into clients without formatting, so they must already be formatted."""
    from generator.format import ruff_command

    done = subprocess.run(
        [
            *ruff_command(),
            "--check",
            "--exclude",
            "tests/golden",
            "generator",
            "tests",
            "templates/runtime",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
