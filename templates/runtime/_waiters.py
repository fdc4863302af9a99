"""Waiters: poll a job that an operation started until it succeeds, fails or times out.

Static, like `_runtime.py`, and copied into every package; the `..._and_wait` and
`wait_for_...` methods generated for an `x-sdkgen-waiter` call it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from ._runtime import RawResponse, dump, lazy_asyncio, logger
from .errors import (
    APIConnectionError,
    InternalServerError,
    JobFailedError,
    RateLimitError,
    ResponseValidationError,
    WaitTimeoutError,
)

T = TypeVar("T")


DEFAULT_WAIT_TIMEOUT: Final = 300.0
DEFAULT_POLL_INTERVAL: Final = 1.0
MAX_POLL_INTERVAL: Final = 15.0  # the interval grows by half each poll, up to this
MIN_POLL_TIMEOUT: Final = 0.05  # a poll at the deadline still gets this long to answer
_MISSING: Final = object()


def pointer_value(data: Any, pointer: str) -> Any:
    """The value at a JSON pointer (`/job/id`, `/items/0/status`) in dumped data, or _MISSING."""
    node = dump(data)
    for raw in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def job_id(started: RawResponse[Any], pointer: str) -> str:
    """The id of the job a create call started, read at `pointer` in its response; an error
    carrying that response (the job may have been started and paid for) when it is absent."""
    value = pointer_value(started.parsed, pointer)
    if value is _MISSING or value is None or value == "":
        path = "$" + "".join(f".{part}" for part in pointer.strip("/").split("/") if part)
        message = "the response names no job id"
        raise ResponseValidationError(message, path=path, response=started.http_response)
    return str(value)


@dataclasses.dataclass(frozen=True)
class Waiter:
    """How to tell a finished job: where its status is and which values are final."""

    status_pointer: str
    success: tuple[str, ...]
    failure: tuple[str, ...]

    def done(self, job: str, last: Any) -> bool:
        """True on success; raises JobFailedError on failure; False while pending."""
        status = pointer_value(last, self.status_pointer)
        if status in self.failure:
            raise JobFailedError(job, status, last)
        return status in self.success


def _next_poll(interval: float, deadline: float, job: str, timeout: float, last: Any) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise WaitTimeoutError(job, timeout, last)
    return min(interval, remaining)


# Poll failures that say nothing about the job: waiters poll again (until the deadline).
TRANSIENT: Final = (APIConnectionError, InternalServerError, RateLimitError)


def wait_sync(
    poll: Callable[[float], T], waiter: Waiter, job: str, *, timeout: float, poll_interval: float
) -> T:
    """Poll until the job succeeds (its last status response), fails (JobFailedError) or the
    deadline passes (WaitTimeoutError); the interval grows by half up to MAX_POLL_INTERVAL.
    `poll` gets the time left as its request timeout and makes no retries of its own: a failed
    poll (connection, timeout, 429, 5xx) is simply followed by the next one, so the deadline
    holds."""
    deadline, interval = time.monotonic() + timeout, poll_interval
    last: T | None = None  # the last status response, for the errors
    while True:
        try:
            result = poll(max(deadline - time.monotonic(), MIN_POLL_TIMEOUT))
        except TRANSIENT as exc:  # the job is not known to have failed: poll again
            if time.monotonic() >= deadline:
                raise WaitTimeoutError(job, timeout, last) from exc
            logger.debug("poll of job %s failed (%s); polling again", job, type(exc).__name__)
        else:
            last = result
            if waiter.done(job, result):
                return result
        time.sleep(_next_poll(interval, deadline, job, timeout, last))
        interval = min(interval * 1.5, max(MAX_POLL_INTERVAL, poll_interval))


async def wait_async(
    poll: Callable[[float], Awaitable[T]],
    waiter: Waiter,
    job: str,
    *,
    timeout: float,
    poll_interval: float,
) -> T:
    """`wait_sync` for the async client; cancelling the task stops the polling."""
    deadline, interval = time.monotonic() + timeout, poll_interval
    last: T | None = None  # the last status response, for the errors
    while True:
        try:
            result = await poll(max(deadline - time.monotonic(), MIN_POLL_TIMEOUT))
        except TRANSIENT as exc:  # the job is not known to have failed: poll again
            if time.monotonic() >= deadline:
                raise WaitTimeoutError(job, timeout, last) from exc
            logger.debug("poll of job %s failed (%s); polling again", job, type(exc).__name__)
        else:
            last = result
            if waiter.done(job, result):
                return result
        await lazy_asyncio().sleep(_next_poll(interval, deadline, job, timeout, last))
        interval = min(interval * 1.5, max(MAX_POLL_INTERVAL, poll_interval))
