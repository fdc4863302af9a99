"""A timeline of one `sdkgen` run: when each stage starts and ends, in which process.

    .venv/bin/python tests/benchmarks/trace.py generate SPEC -o /tmp/out -q

Run it with the Python of the sdkgen to trace (the benchmark's `tests/benchmarks/.venv-sdkgen`
for the installed wheel). It wraps the stage functions, then runs the command line as `sdkgen`
does; each line is `milliseconds since start  pid  > or <  stage`, on stderr. Not part of the
test suite. The workers are forked, so their lines carry their own pid.
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
import time
from collections.abc import Callable
from typing import Any

START = time.perf_counter()


def log(event: str) -> None:
    ms = (time.perf_counter() - START) * 1000
    sys.stderr.write(f"{ms:7.0f} ms  {os.getpid():>7}  {event}\n")


def traced(module: Any, name: str) -> None:
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        log(f"> {module.__name__.removeprefix('generator.')}.{name}")
        try:
            return original(*args, **kwargs)
        finally:
            log(f"< {module.__name__.removeprefix('generator.')}.{name}")

    setattr(module, name, wrapper)


def main() -> None:
    log("start")
    from generator import cli

    log("generator.cli imported")
    # Imported here only to wrap them; a real run imports them later, some in the workers.
    from generator import build, format, lint, render, validate, write

    for module, name in [
        (cli, "prepare"),
        (cli, "start_checks"),
        (validate, "validate"),
        (lint, "lint"),
        (build, "build"),
        (render, "render"),
        (format, "format_files"),
        (write, "write"),
    ]:
        traced(module, name)
    atexit.register(log, "exit")
    sys.argv[0] = "sdkgen"
    cli.main()


if __name__ == "__main__":
    main()
