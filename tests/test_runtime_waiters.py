"""The waiters of the static runtime (`templates/runtime/_waiters.py`), on a fake clock: the
poll schedule, the deadline, what the errors carry, JSON pointers into a job, the log line of a
failed poll. The generated client's waiters run against a real server in
`test_client_faults.py`; these pin the arithmetic a real clock leaves loose."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from templates.runtime import _waiters
from templates.runtime._runtime import RawResponse
from templates.runtime.errors import (
    APIConnectionError,
    JobFailedError,
    ResponseValidationError,
    WaitTimeoutError,
)

WAITER = _waiters.Waiter("/status", success=("DONE",), failure=("FAILED",))
REQUEST = httpx.Request("GET", "https://api.example.com/jobs/j1")


class FakeClock:
    """`time.monotonic` and `time.sleep` of `_waiters`: sleeping moves the clock; each poll
    takes `poll_cost` seconds."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self.poll_timeouts: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds
        assert len(self.sleeps) < 1000, "the wait does not end"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(_waiters, "time", fake)

    async def asleep(seconds: float) -> None:
        fake.sleep(seconds)

    monkeypatch.setattr(
        _waiters, "lazy_asyncio", lambda: type("A", (), {"sleep": staticmethod(asleep)})
    )
    yield fake


def poller(clock: FakeClock, *replies: Any, cost: float = 0.0) -> Any:
    """A poll returning (or raising) `replies` in turn, the last one for ever."""
    queue = list(replies)

    def poll(timeout: float) -> Any:
        clock.poll_timeouts.append(round(timeout, 6))
        assert len(clock.poll_timeouts) < 1000, "the wait does not end"
        clock.now += cost
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    return poll


def run(mode: str, poll: Any, **options: Any) -> Any:
    if mode == "sync":
        return _waiters.wait_sync(poll, WAITER, "j1", **options)

    async def apoll(timeout: float) -> Any:
        return poll(timeout)

    return asyncio.run(_waiters.wait_async(apoll, WAITER, "j1", **options))


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


@MODES
def test_the_interval_grows_by_half_up_to_the_maximum(clock: FakeClock, mode: str) -> None:
    pending = {"status": "PENDING"}
    with pytest.raises(WaitTimeoutError) as err:
        run(mode, poller(clock, pending), timeout=60.0, poll_interval=4.0)
    # 4, 6, 9, 13.5, then 15 (MAX_POLL_INTERVAL) ..., the last sleep cut at the deadline
    assert clock.sleeps == [4.0, 6.0, 9.0, 13.5, 15.0, 12.5]
    assert err.value.job_id == "j1"
    assert err.value.timeout == 60.0
    assert err.value.last == pending


@MODES
def test_a_poll_interval_above_the_maximum_is_kept(clock: FakeClock, mode: str) -> None:
    with pytest.raises(WaitTimeoutError):
        run(mode, poller(clock, {"status": "PENDING"}), timeout=70.0, poll_interval=20.0)
    assert clock.sleeps == [20.0, 20.0, 20.0, 10.0]


@MODES
def test_each_poll_gets_the_time_left_as_its_timeout(clock: FakeClock, mode: str) -> None:
    with pytest.raises(WaitTimeoutError):
        run(mode, poller(clock, {"status": "PENDING"}, cost=1.0), timeout=10.0, poll_interval=2.0)
    # polls at 0, 3, 7, 10 s: 10 s left, then 7 and 3, then MIN_POLL_TIMEOUT at the deadline
    assert clock.poll_timeouts == [10.0, 7.0, 3.0, _waiters.MIN_POLL_TIMEOUT]


@MODES
def test_failed_polls_until_the_deadline_leave_no_last_response(
    clock: FakeClock, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    failure = APIConnectionError("refused", request=REQUEST)
    with pytest.raises(WaitTimeoutError) as err:
        run(mode, poller(clock, failure), timeout=3.0, poll_interval=1.0)
    assert err.value.job_id == "j1"
    assert err.value.last is None
    assert isinstance(err.value.__cause__, APIConnectionError)
    lines = [r.getMessage() for r in caplog.records if r.name == "templates.runtime"]
    assert lines[0] == "poll of job j1 failed (APIConnectionError); polling again"


@MODES
def test_the_last_status_survives_later_failed_polls(clock: FakeClock, mode: str) -> None:
    pending = {"status": "PENDING"}
    failure = APIConnectionError("refused", request=REQUEST)
    with pytest.raises(WaitTimeoutError) as err:
        run(mode, poller(clock, pending, failure), timeout=3.0, poll_interval=1.0)
    assert err.value.last == pending


@MODES
def test_success_and_failure_end_the_wait(clock: FakeClock, mode: str) -> None:
    done = {"status": "DONE"}
    assert run(mode, poller(clock, {"status": "PENDING"}, done), timeout=9, poll_interval=1) == done
    with pytest.raises(JobFailedError) as err:
        run(mode, poller(clock, {"status": "FAILED"}), timeout=9.0, poll_interval=1.0)
    assert (err.value.job_id, err.value.status) == ("j1", "FAILED")


def test_next_poll_at_the_deadline_times_out(clock: FakeClock) -> None:
    assert _waiters._next_poll(5.0, clock.now + 1.0, "j", 9.0, None) == 1.0
    assert _waiters._next_poll(0.5, clock.now + 1.0, "j", 9.0, None) == 0.5
    with pytest.raises(WaitTimeoutError):
        _waiters._next_poll(1.0, clock.now, "j", 9.0, None)  # no time left


DATA = {"a/b": {"~c": [10, 20], "~1": "tilde-one"}, "x": 1, "X": 2, "Xy": 3}


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", DATA),
        ("/", DATA),
        ("/x", 1),
        ("x", 1),
        ("/X", 2),  # a key that is a letter the pointer's own characters are not stripped of
        ("/Xy", 3),
        ("/a~1b/~0c/1", 20),
        ("/a~1b/~0c/2", _waiters._MISSING),
        ("/a~1b/~0c/-1", _waiters._MISSING),
        ("/x/0", _waiters._MISSING),
        ("/a~1b/~01", "tilde-one"),  # `~01` is `~1` itself: `~1` is decoded before `~0`
        ("/missing", _waiters._MISSING),
    ],
)
def test_pointer_value_follows_rfc_6901(pointer: str, expected: Any) -> None:
    assert _waiters.pointer_value(DATA, pointer) == expected


@pytest.mark.parametrize("started", [{"X": {"id": ""}}, {"X": {"id": None}}, {"X": {}}, {}])
def test_a_response_without_a_job_id_is_an_error_at_its_path(started: dict[str, Any]) -> None:
    response = httpx.Response(200, json=started, request=REQUEST)
    with pytest.raises(ResponseValidationError) as err:
        _waiters.job_id(RawResponse(started, response), "/X/id")
    assert err.value.path == "$.X.id"
    assert str(err.value) == "$.X.id: the response names no job id"
    assert err.value.response is response


def test_a_job_id_is_read_as_text() -> None:
    response = httpx.Response(200, json={}, request=REQUEST)
    assert _waiters.job_id(RawResponse({"job": {"id": 7}}, response), "/job/id") == "7"
