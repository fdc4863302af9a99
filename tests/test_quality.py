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


def test_static_runtime_is_already_in_the_generators_black_style() -> None:
    """The runtime files are copied without formatting, so they must already be formatted."""
    from black import format_str

    from generator.format import black_mode
    from generator.render import RUNTIME_FILES, templates_dir

    for name in RUNTIME_FILES:
        text = (templates_dir() / "runtime" / name).read_text(encoding="utf-8")
        assert format_str(text, mode=black_mode()) == text, f"run black on templates/runtime/{name}"
