"""The worker processes (`generator/workers.py`): results, and their exit once every task is
done (each holds a private copy of much of the document; issue 15's memory item)."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from generator import workers


def pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


@pytest.fixture(autouse=True)
def with_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_WORKERS", "1")
    if not workers.enabled():
        pytest.skip("no fork here")


def wait_for_no_children(seconds: float = 10) -> list[multiprocessing.process.BaseProcess]:
    deadline = time.monotonic() + seconds
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children()


def test_the_workers_exit_once_every_task_is_done() -> None:
    first = workers.submit(pid_and, 1)
    second = workers.submit(pid_and, 2)
    (pid1, one), (pid2, two) = first(), second()
    assert (one, two) == (2, 4)
    assert os.getpid() not in (pid1, pid2)
    assert wait_for_no_children() == []


def test_work_submitted_after_the_workers_exit_gets_new_ones() -> None:
    before, _ = workers.submit(pid_and, 1)()
    assert wait_for_no_children() == []
    after, value = workers.submit(pid_and, 3)()
    assert value == 6
    assert after != before
    assert wait_for_no_children() == []
