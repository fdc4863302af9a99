"""The format stage against `ruff format` itself, run by the test with the documented options:
the same text, files not formatted when they should not be, the cache keyed by content, and a
generator bug (code that does not parse) reported as SDK900 naming the file."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

import pytest

from generator import format as fmt
from generator.cache import Cache
from generator.diagnostics import Fatal

MESSY = {
    PurePosixPath("pkg/a.py"): "x = {  'a':1,\n'b' : [1,2,3]}\ndef f( a,b ):\n  return a+b\n",
    PurePosixPath("pkg/b.py"): "class  C :\n    y=( 1 ,)\n",
}


def ruff_itself(text: str) -> str:
    done = subprocess.run(
        [*fmt.ruff_command(), "-"], input=text, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_files_are_formatted_as_ruff_formats_them() -> None:
    out = fmt.format_files(dict(MESSY))
    assert out == {path: ruff_itself(text) for path, text in MESSY.items()}
    assert out[PurePosixPath("pkg/a.py")].startswith('x = {"a": 1, "b": [1, 2, 3]}\n')


def test_other_files_and_verbatim_ones_are_left_as_they_are() -> None:
    files = {
        PurePosixPath("README.md"): "x=1\n",
        PurePosixPath("pkg/_runtime.py"): "x=1\n",
        **MESSY,
    }
    out = fmt.format_files(files, verbatim={PurePosixPath("pkg/_runtime.py")})
    assert out[PurePosixPath("README.md")] == "x=1\n"
    assert out[PurePosixPath("pkg/_runtime.py")] == "x=1\n"
    assert out[PurePosixPath("pkg/b.py")] == ruff_itself(MESSY[PurePosixPath("pkg/b.py")])
    assert list(out) == list(files)  # in the order given


def test_the_cache_is_keyed_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path)
    first = fmt.format_files(dict(MESSY), cache)

    def no_ruff(files: object) -> object:
        raise AssertionError("ruff ran although every file is cached")

    monkeypatch.setattr(fmt, "_ruff_format", no_ruff)
    assert fmt.format_files(dict(MESSY), cache) == first
    assert first[PurePosixPath("pkg/a.py")] != first[PurePosixPath("pkg/b.py")]


def test_code_that_does_not_parse_is_sdk900_naming_the_file() -> None:
    with pytest.raises(Fatal) as caught:
        fmt.format_files({**MESSY, PurePosixPath("pkg/models.py"): "def (:\n"})
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.pointer) == ("SDK900", "#")
    assert diagnostic.message.startswith("generated code does not format: ")
    assert "pkg/models.py" in diagnostic.message
    assert "f2.py" not in diagnostic.message
