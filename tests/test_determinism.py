"""Two runs, different hash seeds, byte-identical trees; and the atomic write keeps old output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_golden import GOLDEN, tree

SDKGEN = Path(sys.executable).parent / "sdkgen"


def _generate_with_seed(spec: Path, out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [str(SDKGEN), "generate", str(spec), "-o", str(out), "-q"], env=env, check=True, cwd=REPO
    )
    return tree(out)


@pytest.mark.parametrize("spec", ["petstore", "edge_cases", "leonardo"])
def test_two_runs_with_different_hash_seeds_are_byte_identical(
    spec: str, tmp_path: Path, leonardo_spec: Path
) -> None:
    path = leonardo_spec if spec == "leonardo" else GOLDEN / spec / "spec.yaml"
    first = _generate_with_seed(path, tmp_path / "a", "1")
    second = _generate_with_seed(path, tmp_path / "b", "4242")
    assert first == second
    assert not any(
        b"/tmp" in content or str(tmp_path).encode() in content for content in first.values()
    )
