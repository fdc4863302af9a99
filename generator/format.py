"""Stage 6, format: black, in-process, with a mode fixed here (never the user's configuration),
so the output does not depend on what is installed or configured around it.

Results are cached by content (see `generator.cache`), so an unchanged file is not formatted
twice; black is imported only when something must be formatted. Files passed as `verbatim`
(the static runtime, already formatted in the repository with this mode, which a test checks)
are copied as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from importlib.metadata import version
from pathlib import PurePosixPath
from typing import Any

from generator import workers
from generator.cache import Cache
from generator.diagnostics import Fatal, error

LINE_LENGTH = 100
TARGET = "PY310"


def black_mode() -> Any:
    from black.mode import Mode, TargetVersion

    return Mode(target_versions={TargetVersion[TARGET]}, line_length=LINE_LENGTH)


def format_files(
    files: dict[PurePosixPath, str],
    cache: Cache | None = None,
    verbatim: Collection[PurePosixPath] = (),
) -> Callable[[], dict[PurePosixPath, str]]:
    """Start formatting `files`; the returned function waits for and returns the result.
    Cache misses are split in two halves by size: one goes to a worker, one is done here."""
    cache = cache or Cache(None)
    key = ("black", version("black"), TARGET, str(LINE_LENGTH))
    done, todo = {}, {}
    for path, text in files.items():
        if path.suffix != ".py" or path in verbatim:
            done[path] = text
        elif (hit := cache.get("format", *key, text)) is not None:
            done[path] = hit
        else:
            todo[path] = text
    largest = sorted(todo, key=lambda p: len(todo[p]), reverse=True)
    elsewhere = workers.submit(_black_all, {p: todo[p] for p in largest[::2]})
    done |= _black_all({p: todo[p] for p in largest[1::2]})

    def result() -> dict[PurePosixPath, str]:
        formatted = done | elsewhere()
        for path, text in todo.items():
            cache.put("format", formatted[path], *key, text)
        return {path: formatted[path] for path in files}

    return result


def _black_all(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    return {path: _black(path, text) for path, text in files.items()}


def _black(path: PurePosixPath, text: str) -> str:
    from black import format_str
    from black.parsing import InvalidInput

    try:
        return format_str(text, mode=black_mode())
    except InvalidInput as exc:  # a generator bug, never the user's: say where
        raise Fatal([error("SDK900", "#", f"generated {path} does not parse: {exc}")]) from None
