"""Run the `sdkgen` command line with one fault at the Nth file-system step, from outside the
generator: no hook in the product, the steps are the `os` calls every write goes through.

    FAULT=kill|term|int|ENOSPC|EACCES|... FAULT_AT=N python -m tests.support.faulty ARGS...

Before the Nth call to one of `STEPS`, the process sends itself SIGKILL, SIGTERM or SIGINT,
or the call raises OSError with that errno. The number of steps the run took is written to
`$FAULT_COUNT` at exit, so a test knows when N has passed the last step; with `FAULT_LOG`,
each step is appended to that file.
"""

from __future__ import annotations

import atexit
import errno
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

STEPS = ("mkdir", "fsync", "link", "replace", "rename", "unlink", "rmdir")
SIGNALS = {"kill": signal.SIGKILL, "term": signal.SIGTERM, "int": signal.SIGINT}

_count = [0]  # file-system steps so far


def _faulty(name: str, fault: str, at: int) -> Callable[..., Any]:
    real = getattr(os, name)

    def step(*args: Any, **kwargs: Any) -> Any:
        _count[0] += 1
        if "FAULT_LOG" in os.environ:
            with open(os.environ["FAULT_LOG"], "a", encoding="utf-8") as log:
                log.write(f"{_count[0]} {name} {args[0] if args else ''}\n")
        if _count[0] == at:
            if fault in SIGNALS:
                os.kill(os.getpid(), SIGNALS[fault])
            else:
                code = getattr(errno, fault)
                where = args[0] if args and not isinstance(args[0], int) else None  # not an fd
                raise OSError(code, os.strerror(code), None if where is None else str(where))
        return real(*args, **kwargs)

    return step


def _record() -> None:
    with open(os.environ["FAULT_COUNT"], "w", encoding="utf-8") as handle:
        handle.write(str(_count[0]))


def main() -> None:
    fault, at = os.environ["FAULT"], int(os.environ["FAULT_AT"])
    for name in STEPS:
        setattr(os, name, _faulty(name, fault, at))
    atexit.register(_record)
    from generator.cli import main as sdkgen

    sys.argv = ["sdkgen", *sys.argv[1:]]
    sdkgen()


if __name__ == "__main__":
    main()
