"""The wheel carries the templates and the static runtime: a plain (non-editable) install
generates a client."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO
from tests.test_golden import GOLDEN


def test_wheel_contains_templates_and_generates(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("sdkgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "generator/_templates/runtime/_runtime.py" in names
    assert "generator/_templates/runtime/errors.py" in names
    assert "generator/_templates/package/_client.py.jinja" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the editable install
    script = (
        "import sys, generator.render as r; from generator.cli import main;"
        "assert r.templates_dir().name == '_templates', r.templates_dir();"
        f"sys.argv = ['sdkgen', 'generate', {str(GOLDEN / 'petstore' / 'spec.yaml')!r},"
        f" '-o', {str(out)!r}, '-q'];"
        "main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "mini_pet_store" / "_runtime.py").is_file()
