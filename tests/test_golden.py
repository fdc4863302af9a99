"""Golden trees: small specs written for sdkgen, generated and compared file by file.

The static runtime (`_runtime.py`, `errors.py`) is not kept in the golden trees: a generated
tree must hold it byte for byte as `templates/runtime/` has it, which is checked instead.

Regenerate the expected trees after an intended change with:

    .venv/bin/python tests/test_golden.py --update
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if __package__ in (None, ""):  # run as a script: make `tests` and `generator` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.render import RUNTIME_FILES
from tests.conftest import REPO, generate

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").is_file())


def tree(root: Path, *, runtime: bool = True) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and ".mypy_cache" not in p.parts
        and (runtime or p.name not in RUNTIME_FILES)
    }


def add_runtime(project: Path, package: str) -> None:
    for name in RUNTIME_FILES:
        shutil.copyfile(REPO / "templates" / "runtime" / name, project / package / name)


@pytest.mark.parametrize("case", CASES)
def test_golden_tree(case: str, tmp_path: Path) -> None:
    out = generate(GOLDEN / case / "spec.yaml", tmp_path / case, "--package-name", case)
    expected = tree(GOLDEN / case / "expected")
    actual = tree(out, runtime=False)
    assert sorted(actual) == sorted(expected)
    for name in RUNTIME_FILES:
        runtime = (REPO / "templates" / "runtime" / name).read_bytes()
        assert (out / case / name).read_bytes() == runtime
    for name, content in expected.items():
        assert actual[name] == content, (
            f"{name} differs; after an intended change run tests/test_golden.py --update"
        )


@pytest.mark.parametrize("case", CASES)
def test_golden_tree_type_checks_and_lints(case: str, tmp_path: Path) -> None:
    """The committed trees are what users get: mypy --strict and ruff clean, smoke test green.
    Checked in a copy outside the repository, so no repository configuration applies."""
    expected = tmp_path / case
    shutil.copytree(GOLDEN / case / "expected", expected)
    add_runtime(expected, case)
    bin_dir = Path(sys.executable).parent
    mypy = subprocess.run(
        [
            str(bin_dir / "mypy"),
            "--strict",
            "--no-incremental",
            "--cache-dir",
            "/dev/null",
            case,
            "tests",
        ],
        cwd=expected,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = subprocess.run(
        [str(bin_dir / "ruff"), "check", "--no-cache", "."],
        cwd=expected,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    smoke = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", "tests"],
        cwd=expected,
        capture_output=True,
        text=True,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr


def update() -> None:
    for case in CASES:
        target = GOLDEN / case / "expected"
        shutil.rmtree(target, ignore_errors=True)
        generate(GOLDEN / case / "spec.yaml", target, "--package-name", case)
        for name in RUNTIME_FILES:
            (target / case / name).unlink()
        print(f"updated {target.relative_to(REPO)}")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    update()
