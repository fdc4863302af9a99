"""Independent stages in a forked worker process: the checks (validation, lint) run while the
IR is built, rendered and formatted.

One worker, forked (Linux) in milliseconds as the command starts and warmed up by `start`
(imports, while the parent loads the document); `submit`ted work then runs in it in order.
Where fork is not available, or `SDKGEN_WORKERS=0`, the work runs inline, in order, and warming
up is skipped. Arguments, results (and `Fatal` errors) travel pickled; the output is the same
either way.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


def enabled() -> bool:
    return os.environ.get("SDKGEN_WORKERS", "") != "0" and (
        "fork" in multiprocessing.get_all_start_methods()
    )


@functools.cache
def _executor() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))


def start(warm_up: Callable[[], object]) -> None:
    """Fork the worker now and run `warm_up` in it first."""
    if enabled():
        _executor().submit(warm_up)


def submit(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
    """Start `fn(*args, **kwargs)`; the returned function waits for and returns its result."""
    if not enabled():
        return lambda: fn(*args, **kwargs)
    future: Future[T] = _executor().submit(fn, *args, **kwargs)
    return future.result
