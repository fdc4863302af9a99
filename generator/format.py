"""Stage 6, format: black, in-process, with a mode fixed here (never the user's configuration),
so the output does not depend on what is installed or configured around it."""

from __future__ import annotations

from pathlib import PurePosixPath

from generator.diagnostics import Fatal, error

LINE_LENGTH = 100


def format_files(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    # imported here: the CLI's other commands do not pay for black
    from black import format_str
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    mode = Mode(
        target_versions={TargetVersion.PY310}, line_length=LINE_LENGTH, magic_trailing_comma=False
    )
    formatted = {}
    for path, text in files.items():
        if path.suffix != ".py":
            formatted[path] = text
            continue
        try:
            formatted[path] = format_str(text, mode=mode)
        except InvalidInput as exc:  # a generator bug, never the user's: say where
            raise Fatal([error("SDK900", "#", f"generated {path} does not parse: {exc}")]) from None
    return formatted
