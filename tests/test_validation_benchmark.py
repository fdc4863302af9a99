"""The validation benchmark's own measurement (the benchmark itself is outside the suite)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks.validation import REPO, document, measure


def test_the_peak_is_the_childs_own_not_the_parents(tmp_path: Path) -> None:
    """ru_maxrss survives exec on Linux: a child reported the benchmark's own peak (383 MB)."""
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"x" * len(range(0, len(ballast), 4096))  # touched: resident
    spec = tmp_path / "doc.json"
    spec.write_text(json.dumps(document(0.05, "3.1", invalid=True)), encoding="utf-8")
    found = measure(spec, REPO, timeout=120)
    assert found["errors"] == 3
    assert 5 < found["peak_mb"] < 200, found
    del ballast
