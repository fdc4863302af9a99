"""Independent stages in forked worker processes: validation runs while the IR is built,
rendered and formatted.

Workers are forked (Linux), so they start in milliseconds with everything already imported;
where fork is not available, or `SDKGEN_WORKERS=0`, the work runs inline, in order. Results
(and `Fatal` errors) come back pickled; the output is the same either way.
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
MAX_WORKERS = 2


def enabled() -> bool:
    return os.environ.get("SDKGEN_WORKERS", "") != "0" and (
        "fork" in multiprocessing.get_all_start_methods()
    )


@functools.cache
def _executor() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(MAX_WORKERS, mp_context=multiprocessing.get_context("fork"))


def submit(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
    """Start `fn(*args, **kwargs)`; the returned function waits for and returns its result."""
    if not enabled():
        return lambda: fn(*args, **kwargs)
    future: Future[T] = _executor().submit(fn, *args, **kwargs)
    return future.result
