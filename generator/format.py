"""Stage 6, format: `ruff format` with options fixed here (never the user's configuration), so
the output does not depend on what is configured around it.

Why ruff and not black (the stack's first choice): measured on this machine, black took 89% of
`sdkgen generate` on the GitHub spec (53 s of 60 s; 0.7 s of 1.5 s on the Leonardo spec), while
`ruff format` gives byte-identical output for our generated code in 1/40th of the time (12 ms
against 506 ms on the Box client's `_client.py`). It runs once per file, through pipes (no temporary
files); the ruff version is part of every cache key.

Results are cached by content (see `generator.cache`). Files passed as `verbatim` (the static
runtime, already formatted in the repository, which a test checks) are copied as they are.
"""

from __future__ import annotations

import subprocess
from collections.abc import Collection
from pathlib import PurePosixPath

from generator.cache import Cache, installed_version
from generator.diagnostics import Fatal, error

LINE_LENGTH = 100
TARGET = "py310"
OPTIONS = (
    "--isolated",
    "--no-cache",
    "--line-length",
    str(LINE_LENGTH),
    "--target-version",
    TARGET,
)


def ruff_command() -> list[str]:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]  # ruff ships no stubs

    return [str(find_ruff_bin()), "format", *OPTIONS]


def format_files(
    files: dict[PurePosixPath, str],
    cache: Cache | None = None,
    verbatim: Collection[PurePosixPath] = (),
) -> dict[PurePosixPath, str]:
    cache = cache or Cache(None)
    key = ("ruff", installed_version("ruff"), *OPTIONS)
    done, todo = {}, {}
    for path, text in files.items():
        if path.suffix != ".py" or path in verbatim:
            done[path] = text
        elif (hit := cache.get("format", *key, text)) is not None:
            done[path] = hit
        else:
            todo[path] = text
    formatted = _ruff_format(todo) if todo else {}
    for path, text in todo.items():
        cache.put("format", formatted[path], *key, text)
    return {path: done[path] if path in done else formatted[path] for path in files}


def _ruff_format(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    """Format every file through ruff's standard input and output, the processes side by
    side: nothing is written to disk, so a killed run leaves no temporary copy behind and a
    file-size limit cannot fail here (measured: +2 ms on Leonardo, +37 ms on GitHub's 4.4 MB
    of code, against one ruff run over a temporary directory)."""
    command = [*ruff_command(), "--stdin-filename"]
    names = {path: f"f{index}.py" for index, path in enumerate(files)}  # neutral: no exclusion
    running = {
        path: subprocess.Popen(
            [*command, name, "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for path, name in names.items()
    }
    done = {}
    try:
        for path, process in running.items():
            out, err = process.communicate(files[path].encode("utf-8"))
            if process.returncode != 0:  # a generator bug, never the user's: say where
                lines = err.decode("utf-8", "replace").strip().splitlines() or ["ruff failed"]
                first = lines[0].replace(names[path], str(path))
                raise Fatal([error("SDK900", "#", f"generated code does not format: {first}")])
            done[path] = out.decode("utf-8")
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return done


def black_format(
    files: dict[PurePosixPath, str],
    cache: Cache | None = None,
    verbatim: Collection[PurePosixPath] = (),
) -> dict[PurePosixPath, str]:
    """`formatter = "black"` in `[tool.sdkgen]`: black itself, in-process, with the same line
    length and target as ruff above and never the user's configuration, for pipelines that
    require black. The generated code is laid out so that both give the same bytes
    (`tests/test_black.py`); black is the slower of the two. It is an optional dependency
    (`sdkgen[black]`)."""
    try:
        import black
        from black.mode import TargetVersion
        from black.parsing import InvalidInput
    except ImportError:
        message = "formatter = \"black\" needs black: pip install 'sdkgen[black]'"
        raise Fatal([error("SDK024", "#", message)]) from None
    mode = black.Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY310})
    cache = cache or Cache(None)
    key = ("black", installed_version("black"), str(LINE_LENGTH), TARGET)
    done = {}
    for path, text in files.items():
        if path.suffix != ".py" or path in verbatim:
            done[path] = text
            continue
        formatted = cache.get("format", *key, text)
        if formatted is None:
            try:
                formatted = black.format_str(text, mode=mode)
            except InvalidInput as exc:  # a generator bug, never the user's: say where
                raise Fatal([error("SDK900", "#", f"{path} does not format: {exc}")]) from None
            cache.put("format", formatted, *key, text)
        done[path] = formatted
    return done
