"""Independent stages in a forked worker process: the checks (validation, lint) run while the
IR is built, rendered and formatted.

Two workers, forked (Linux) in milliseconds when work is first submitted, so they start with
everything imported so far; where fork is not available, or `SDKGEN_WORKERS=0`, the work runs
inline, in order. Arguments, results (and `Fatal` errors) travel pickled; the output is the
same either way.

Once every task submitted so far is done, the workers exit (`_release`): each holds private
copies of the pages of the document it read (reading an object writes its reference count, so
a forked page is copied), about the document's size again, which would otherwise stay until
sdkgen exits, through rendering and formatting, when the parent needs the most memory.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:  # imported when first used: 30 ms that a cached run does not need
    from concurrent.futures import Future, ProcessPoolExecutor

MAX_WORKERS = 2  # validation and lint: the machines this runs on have two cores or more
T = TypeVar("T")
P = ParamSpec("P")


_INHERITED: dict[int, Any] = {}


class Shared(Generic[T]):
    """A value the workers inherit when they are forked, instead of receiving it pickled (a
    large document costs 30-50 ms each way). Make it before the first `submit`: the workers
    are forked then, with everything the parent has."""

    def __init__(self, value: T) -> None:
        self.key = id(value)
        _INHERITED[self.key] = value

    def get(self) -> T:
        return _INHERITED[self.key]  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[Callable[[int], Shared[T]], tuple[int]]:
        return _reattach, (self.key,)


def _reattach(key: int) -> Shared[Any]:
    if key not in _INHERITED:
        raise RuntimeError("a Shared value was made after the workers were forked")
    return Shared(_INHERITED[key])


def enabled() -> bool:
    import multiprocessing

    return os.environ.get("SDKGEN_WORKERS", "") != "0" and (
        "fork" in multiprocessing.get_all_start_methods()
    )


_PENDING: list[Future[Any]] = []
_LOCK = threading.Lock()


@functools.cache
def _executor() -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(MAX_WORKERS, mp_context=multiprocessing.get_context("fork"))


def submit(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
    """Start `fn(*args, **kwargs)`; the returned function waits for and returns its result."""
    if not enabled():
        return lambda: fn(*args, **kwargs)
    with _LOCK:
        future: Future[T] = _executor().submit(fn, *args, **kwargs)
        _PENDING.append(future)
    future.add_done_callback(_release)
    return future.result


def _release(_: Future[Any]) -> None:
    """When every submitted task is done, let the workers exit (see the module docstring); a
    later `submit` forks new ones. Shut down from a thread of its own: this callback runs in
    the executor's manager thread, which the shutdown waits for."""
    with _LOCK:
        if not all(f.done() for f in _PENDING):
            return
        _PENDING.clear()
        executor = _executor()
        _executor.cache_clear()
    threading.Thread(target=executor.shutdown, name="sdkgen-workers-exit").start()
