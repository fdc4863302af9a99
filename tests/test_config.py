"""The default job's pin, through the command line: every source of the pinned spec (the local
file, a mirror, the URL) is checked against the whole sha256, and a malformed pin is refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_cli

SPEC = """\
openapi: 3.0.3
info: {title: Shop, version: "1.0"}
paths:
  /items:
    get:
      operationId: listItems
      responses: {"200": {description: ok}}
"""
DIGEST = hashlib.sha256(SPEC.encode()).hexdigest()


def project(root: Path, pin: str, *, mirror: bool = False) -> None:
    """A project whose [tool.sdkgen] pins specs/shop.yaml (or finds it in a mirror)."""
    (root / "pyproject.toml").write_text(
        "[tool.sdkgen]\n"
        'spec = "specs/shop.yaml"\n'
        f'spec-sha256 = "{pin}"\n'
        + ('mirrors = ["mirror"]\n' if mirror else "")
        + 'output = "out"\npackage-name = "shop"\n',
        encoding="utf-8",
    )
    folder = root / ("mirror" if mirror else "specs")
    folder.mkdir(exist_ok=True)
    (folder / "shop.yaml").write_text(SPEC, encoding="utf-8")


@pytest.mark.parametrize("mirror", [False, True], ids=["local", "mirror"])
def test_the_pinned_spec_is_used_when_its_digest_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: bool
) -> None:
    project(tmp_path, DIGEST.upper(), mirror=mirror)  # case does not matter
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "shop" / "_client.py").is_file()


@pytest.mark.parametrize("mirror", [False, True], ids=["local", "mirror"])
def test_a_spec_that_differs_from_the_pin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: bool
) -> None:
    project(tmp_path, DIGEST, mirror=mirror)
    folder = tmp_path / ("mirror" if mirror else "specs")
    (folder / "shop.yaml").write_text(SPEC.replace("Shop", "Shoq"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    assert f"ERROR SDK022 {folder / 'shop.yaml'}#: sha256 " in result.output
    assert f"does not match the pinned {DIGEST}" in result.output
    assert not (tmp_path / "out").exists()


def test_the_whole_digest_is_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    last = "0" if DIGEST[-1] != "0" else "1"
    project(tmp_path, DIGEST[:-1] + last)  # all but the last digit agree
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    assert "ERROR SDK022" in result.output


@pytest.mark.parametrize("pin", [DIGEST[:32], DIGEST + "0", "sha256:" + DIGEST, "z" * 64])
def test_a_malformed_pin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pin: str
) -> None:
    project(tmp_path, pin)
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    assert "ERROR SDK020" in result.output
    assert "spec-sha256 must be 64 hexadecimal digits" in result.output
