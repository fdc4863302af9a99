"""Independent stages in a forked worker process: the checks (validation, lint) run while the
IR is built, rendered and formatted.

Two workers, forked (Linux) in milliseconds when work is first submitted, so they start with
everything imported so far; where fork is not available, or `SDKGEN_WORKERS=0`, the work runs
inline, in order. Arguments, results (and `Fatal` errors) travel pickled; the output is the
same either way.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:  # imported when first used: 30 ms that a cached run does not need
    from concurrent.futures import Future, ProcessPoolExecutor

MAX_WORKERS = 2  # validation and lint: the machines this runs on have two cores or more
T = TypeVar("T")
P = ParamSpec("P")


def enabled() -> bool:
    import multiprocessing

    return os.environ.get("SDKGEN_WORKERS", "") != "0" and (
        "fork" in multiprocessing.get_all_start_methods()
    )


@functools.cache
def _executor() -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(MAX_WORKERS, mp_context=multiprocessing.get_context("fork"))


def submit(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
    """Start `fn(*args, **kwargs)`; the returned function waits for and returns its result."""
    if not enabled():
        return lambda: fn(*args, **kwargs)
    future: Future[T] = _executor().submit(fn, *args, **kwargs)
    return future.result
