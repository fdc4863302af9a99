"""Fault injection through the generated Leonardo client, sync and async (issue 4, items 5 and 6).

A `FaultServer` on 127.0.0.1 plays the Leonardo API badly: 429 with each form of Retry-After,
5xx, an HTML 502 page, resets, refused connections, slow and truncated bodies, non-JSON bodies,
unknown enum values, jobs that complete, fail or never finish, and 1,000 concurrent calls. Each
test checks what the server saw (how many requests; a POST that starts a paid job is never sent
twice unless the server cannot have accepted it), and what the caller got.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import importlib
import inspect
import logging
import math
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, generate
from tests.support.fault_server import (
    FaultServer,
    Reply,
    Step,
    closed_port,
    delay,
    reply,
    reset,
    truncated,
)

PACKAGE = "leonardo_variation"
API_KEY = "sk-fault-test-secret-6f1d2a"
IMAGE_ID = "5a0c6a4e-7b1d-4c2e-9f3a-8b7c6d5e4f3a"
JOB_ID = "0f8d2c4e-5b6a-4c7d-8e9f-1a2b3c4d5e6f"
GET_PATH = f"/variations/{JOB_ID}"
UPSCALE_PATH = "/variations/upscale"
STARTED = {"sdUpscaleJob": {"id": JOB_ID, "apiCreditCost": 5}}
MIN_BACKOFF = 0.5 * 0.75  # INITIAL_BACKOFF less the largest jitter
# A reply delayed this long never comes within a test: the server's shutdown ends the wait, so
# "the client did not wait for it" holds by a margin no load on the machine can eat up.
SLOW = 60.0
NOW = {"Retry-After": "0"}
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"

Action = Callable[[Any], Any]


def job(status: str) -> dict[str, Any]:
    """A `GET /variations/{id}` body reporting the job in `status`."""
    return {
        "generated_image_variation_generic": [
            {
                "id": JOB_ID,
                "status": status,
                "createdAt": "2024-05-01T12:00:00.000Z",
                "transformType": "UPSCALE",
                "url": None,
            }
        ]
    }


def get_job(client: Any) -> Any:
    return client.variations.get(id=JOB_ID)


def upscale(client: Any) -> Any:
    return client.variations.upscale(id=IMAGE_ID)


# name -> (call, method, path, a good response body)
OPS: dict[str, tuple[Action, str, str, dict[str, Any]]] = {
    "get": (get_job, "GET", GET_PATH, job("COMPLETE")),
    "upscale": (upscale, "POST", UPSCALE_PATH, STARTED),
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lv(tmp_path_factory: pytest.TempPathFactory, leonardo_spec: Path) -> Iterator[Any]:
    """The Leonardo client, generated as users get it and imported in-process (then forgotten)."""
    out = generate(
        leonardo_spec,
        tmp_path_factory.mktemp("faults") / PACKAGE,
        "--overlay",
        str(REPO / "specs" / "leonardo-variation.overlay.yaml"),
        "--package-name",
        PACKAGE,
        "--env-prefix",
        "LEONARDO",
    )
    _forget_package()
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        _forget_package()


def _forget_package() -> None:
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture
def srv() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture(params=list(OPS))
def op(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture(autouse=True)
def no_leonardo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LEONARDO_API_KEY", "LEONARDO_BASE_URL", "LEONARDO_LOG"):
        monkeypatch.delenv(name, raising=False)


class Caller:
    """Runs one action against a fresh `Client` or `AsyncClient` pointed at the fault server."""

    def __init__(self, lv: Any, mode: str, srv: FaultServer) -> None:
        self.lv, self.mode, self.srv = lv, mode, srv
        self.elapsed = 0.0

    def __call__(self, action: Action, **client_options: Any) -> Any:
        """`action(client)` (awaited if need be); the client is closed afterwards.
        `elapsed` is the time the action took (building the client not included)."""
        options = {"api_key": API_KEY, "base_url": self.srv.base_url, **client_options}
        if self.mode == "sync":
            with self.lv.Client(**options) as client:
                start = time.monotonic()
                try:
                    return action(client)
                finally:
                    self.elapsed = time.monotonic() - start
        return asyncio.run(self._run_async(action, options))

    async def _run_async(self, action: Action, options: dict[str, Any]) -> Any:
        async with self.lv.AsyncClient(**options) as client:
            start = time.monotonic()
            try:
                result = action(client)
                return await result if inspect.isawaitable(result) else result
            finally:
                self.elapsed = time.monotonic() - start


@pytest.fixture
def call(lv: Any, mode: str, srv: FaultServer) -> Caller:
    return Caller(lv, mode, srv)


def script(srv: FaultServer, op: str, *steps: Step) -> tuple[Action, str, str]:
    """Script `op`'s route and return its call, method and path."""
    action, method, path, _ = OPS[op]
    srv.script(method, path, *steps)
    return action, method, path


def ok(op: str) -> Reply:
    return reply(200, OPS[op][3])


# ------------------------------------------------------------- 1-4: statuses and retries


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The client's debug lines about retries, e.g. `retry 1 of GET /x in 0.05s after 429`."""
    lines = (r.getMessage() for r in caplog.records if r.name.startswith(PACKAGE))
    return [line for line in lines if line.startswith("retry ")]


def waited(line: str) -> float:
    match = re.search(r" in (\d+\.\d+)s after ", line)
    assert match, line
    return float(match.group(1))


Bounds = Callable[[float, float], tuple[float, float]]  # (wall clock before, after) -> wait range


def _retry_after_seconds() -> tuple[dict[str, str], Bounds]:
    return {"Retry-After": "0"}, lambda before, after: (0.0, 0.0)


def _retry_after_http_date() -> tuple[dict[str, str], Bounds]:
    when = math.ceil(time.time() + 0.3)  # whole seconds: HTTP dates have no fraction
    date = email.utils.format_datetime(datetime.fromtimestamp(when, timezone.utc), usegmt=True)
    # The client reads its clock somewhere in the call: the wait it derives lies between `when`
    # less the time after the call and `when` less the time before it, however slow the machine.
    return {"Retry-After": date}, lambda before, after: (max(when - after, 0.0), when - before)


def _retry_after_ms() -> tuple[dict[str, str], Bounds]:
    return {"retry-after-ms": "50"}, lambda before, after: (0.05, 0.05)


@pytest.mark.parametrize(
    "form",
    [_retry_after_seconds, _retry_after_http_date, _retry_after_ms],
    ids=lambda f: f.__name__,
)
def test_429_is_retried_after_the_wait_the_server_asks_for(
    call: Caller,
    srv: FaultServer,
    op: str,
    form: Callable[[], tuple[dict[str, str], Bounds]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=PACKAGE)
    headers, bounds = form()
    action, method, path = script(
        srv, op, reply(429, {"error": "slow down"}, headers=headers), ok(op)
    )
    before = time.time()
    result = call(action)
    low, high = bounds(before, time.time())
    assert result.to_dict() == OPS[op][3]
    assert srv.count(method, path) == 2  # a POST too: a 429 means the job was not accepted
    assert len({r.body for r in srv.requests}) == 1  # the same request, body and all
    [line] = retries(caplog)
    assert line.startswith(f"retry 1 of {method} {path} in ")
    assert low - 0.01 <= waited(line) <= high + 0.01  # the server's wait, not our own backoff
    assert call.elapsed >= waited(line) - 0.01


def test_503_then_200_on_get_is_retried_after_a_backoff(
    call: Caller, srv: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=PACKAGE)
    script(srv, "get", reply(503, {"error": "busy"}), ok("get"))
    assert call(get_job).to_dict() == job("COMPLETE")
    assert srv.count("GET", GET_PATH) == 2
    [line] = retries(caplog)
    assert line.endswith("after 503")
    assert MIN_BACKOFF - 0.01 <= waited(line) <= 0.5  # 0.5 s less up to 25% of jitter
    assert call.elapsed >= waited(line) - 0.01


def test_503_on_post_is_not_retried(lv: Any, call: Caller, srv: FaultServer) -> None:
    script(srv, "upscale", reply(503, {"error": "busy"}, headers=NOW), ok("upscale"))
    with pytest.raises(lv.InternalServerError) as err:
        call(upscale)
    assert err.value.status_code == 503
    assert err.value.body == {"error": "busy"}
    assert srv.count("POST", UPSCALE_PATH) == 1  # the paid job may have started


def test_html_502_page_is_an_internal_server_error_with_the_page_as_body(
    lv: Any, call: Caller, srv: FaultServer, op: str
) -> None:
    action, method, path = script(srv, op, reply(502, HTML_502, content_type="text/html"), ok(op))
    with pytest.raises(lv.InternalServerError) as err:
        call(action, max_retries=0)
    assert err.value.status_code == 502
    assert err.value.body == HTML_502
    assert "502 Bad Gateway" in str(err.value)
    assert srv.count(method, path) == 1


def test_502_html_page_on_get_is_retried(call: Caller, srv: FaultServer) -> None:
    script(srv, "get", reply(502, HTML_502, content_type="text/html", headers=NOW), ok("get"))
    assert call(get_job).to_dict() == job("COMPLETE")
    assert srv.count("GET", GET_PATH) == 2


def test_retry_after_beyond_the_cap_raises_at_once(
    lv: Any, call: Caller, srv: FaultServer, op: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=PACKAGE)
    action, method, path = script(srv, op, reply(429, {}, headers={"Retry-After": "3600"}), ok(op))
    with pytest.raises(lv.RateLimitError) as err:
        call(action)
    assert err.value.response.headers["retry-after"] == "3600"
    assert srv.count(method, path) == 1
    assert retries(caplog) == []


@pytest.mark.parametrize(
    ("client_retries", "call_retries", "requests"),
    [(0, None, 1), (None, 1, 2), (0, 1, 2), (None, None, 3), (5, 0, 1)],
    ids=["client-0", "call-1", "call-1-beats-client-0", "default-2", "call-0-beats-client-5"],
)
def test_max_retries_bounds_the_requests(
    lv: Any,
    call: Caller,
    srv: FaultServer,
    client_retries: int | None,
    call_retries: int | None,
    requests: int,
) -> None:
    script(srv, "get", reply(503, {"error": "busy"}, headers=NOW))
    client_options = {} if client_retries is None else {"max_retries": client_retries}
    call_options = {} if call_retries is None else {"max_retries": call_retries}
    with pytest.raises(lv.InternalServerError):
        call(lambda client: client.variations.get(id=JOB_ID, **call_options), **client_options)
    assert srv.count("GET", GET_PATH) == requests


# ------------------------------------------------------- 5-8: the connection and the body


def test_reset_connection_on_get_is_retried(call: Caller, srv: FaultServer) -> None:
    script(srv, "get", reset(), ok("get"))
    assert call(get_job).to_dict() == job("COMPLETE")
    assert srv.count("GET", GET_PATH) == 2


def test_reset_connection_on_post_is_not_retried(lv: Any, call: Caller, srv: FaultServer) -> None:
    script(srv, "upscale", reset(), ok("upscale"))
    with pytest.raises(lv.APIConnectionError) as err:
        call(upscale)
    assert type(err.value) is lv.APIConnectionError
    assert err.value.request.method == "POST"
    assert srv.count("POST", UPSCALE_PATH) == 1  # the server may have started the job


def test_refused_connection_is_retried_even_for_a_post(
    lv: Any, call: Caller, op: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=PACKAGE)
    action, method, _, _ = OPS[op]
    with pytest.raises(lv.APIConnectionError) as err:
        call(action, base_url=f"http://127.0.0.1:{closed_port()}", max_retries=1)
    assert type(err.value) is lv.APIConnectionError  # not a timeout
    [line] = retries(caplog)  # never sent, so a POST is retried too
    assert line.startswith(f"retry 1 of {method} ")
    assert line.endswith("after ConnectError")
    assert call.elapsed >= MIN_BACKOFF


def test_slow_response_times_out_and_only_get_is_retried(
    lv: Any, call: Caller, srv: FaultServer, op: str
) -> None:
    action, method, path = script(srv, op, delay(SLOW, ok(op)))
    with pytest.raises(lv.APITimeoutError):
        call(action, timeout=0.3, max_retries=1)
    assert srv.count(method, path) == (2 if method == "GET" else 1)
    assert call.elapsed < SLOW / 2  # no attempt waited for the answer


def test_per_call_timeout_overrides_the_clients(lv: Any, call: Caller, srv: FaultServer) -> None:
    script(srv, "get", delay(SLOW, ok("get")))
    with pytest.raises(lv.APITimeoutError) as err:
        call(lambda client: client.variations.get(id=JOB_ID, timeout=0.3, max_retries=0))
    assert "ReadTimeout" in str(err.value)
    assert srv.count("GET", GET_PATH) == 1
    assert call.elapsed < SLOW / 2


def test_truncated_json_is_a_connection_error_and_only_get_is_retried(
    lv: Any, call: Caller, srv: FaultServer, op: str
) -> None:
    body = b'{"generated_image_variation_generic": [' if op == "get" else b'{"sdUpscaleJob": {"id'
    action, method, path = script(srv, op, truncated(200, body))
    with pytest.raises(lv.APIError) as err:  # never a raw httpx or json exception
        call(action, max_retries=1)
    assert type(err.value) is lv.APIConnectionError
    assert "RemoteProtocolError" in str(err.value)
    assert srv.count(method, path) == (2 if method == "GET" else 1)


def test_truncated_json_then_200_on_get_succeeds(call: Caller, srv: FaultServer) -> None:
    script(srv, "get", truncated(200, b'{"generated_image_variation_generic": ['), ok("get"))
    assert call(get_job).to_dict() == job("COMPLETE")
    assert srv.count("GET", GET_PATH) == 2


# ------------------------------------------------------------ 9-10: bodies that surprise


def test_200_with_an_html_body_is_a_response_validation_error(
    lv: Any, call: Caller, srv: FaultServer, op: str
) -> None:
    action, method, path = script(srv, op, reply(200, HTML_502, content_type="text/html"))
    with pytest.raises(lv.ResponseValidationError) as err:
        call(action)
    assert err.value.response.status_code == 200
    assert err.value.response.text == HTML_502  # the body is not lost
    assert "not valid JSON" in str(err.value)
    assert srv.count(method, path) == 1


@pytest.mark.parametrize("body", [b"", b"[]", b'"ok"'], ids=["empty", "array", "string"])
def test_200_whose_body_is_not_an_object_is_a_response_validation_error(
    lv: Any, call: Caller, srv: FaultServer, body: bytes
) -> None:
    srv.script("GET", GET_PATH, reply(200, body, content_type="application/json"))
    with pytest.raises(lv.ResponseValidationError) as err:
        call(get_job)
    assert err.value.response.content == body
    assert srv.count("GET", GET_PATH) == 1


UNKNOWN = {
    "generated_image_variation_generic": [
        {
            "id": JOB_ID,
            "status": "ARCHIVED",
            "createdAt": "2024-05-01T12:00:00.000Z",
            "transformType": "HOLOGRAM",
            "url": "https://cdn.example/x.png",
            "archivedAt": "2025-01-01T00:00:00Z",
            "lineage": {"parents": [IMAGE_ID], "depth": 2},
        }
    ],
    "requestQuota": {"remaining": 41},
}


def test_unknown_enum_values_and_fields_are_kept_and_round_trip(
    lv: Any, call: Caller, srv: FaultServer
) -> None:
    srv.script("GET", GET_PATH, reply(200, UNKNOWN))
    result = call(get_job)
    variation = result.generated_image_variation_generic[0]
    assert variation.status == "ARCHIVED"
    assert type(variation.status) is str
    assert variation.transform_type == "HOLOGRAM"
    assert variation.additional_properties == {
        "archivedAt": "2025-01-01T00:00:00Z",
        "lineage": {"parents": [IMAGE_ID], "depth": 2},
    }
    assert result.additional_properties == {"requestQuota": {"remaining": 41}}
    assert result.to_dict() == UNKNOWN


def test_strict_client_names_the_path_of_an_unknown_enum_value(
    lv: Any, call: Caller, srv: FaultServer
) -> None:
    srv.script("GET", GET_PATH, reply(200, UNKNOWN))
    with pytest.raises(lv.ResponseValidationError) as err:
        call(get_job, strict=True)
    assert err.value.path == "$.generated_image_variation_generic[0].status"
    assert "$.generated_image_variation_generic[0].status" in str(err.value)
    assert "ARCHIVED" in str(err.value)
    assert err.value.response.json() == UNKNOWN
    assert srv.count("GET", GET_PATH) == 1


# ----------------------------------------------------------------------------- 11: waiters


def upscale_and_wait(timeout: float = 5.0) -> Action:
    return lambda c: c.variations.upscale_and_wait(id=IMAGE_ID, timeout=timeout, poll_interval=0.05)


def test_waiter_returns_the_final_status_of_a_job_that_completes(
    lv: Any, call: Caller, srv: FaultServer
) -> None:
    srv.script("POST", UPSCALE_PATH, reply(200, STARTED))
    srv.script("GET", GET_PATH, reply(200, job("PENDING")), reply(200, job("PENDING")), ok("get"))
    result = call(upscale_and_wait())
    assert isinstance(result, lv.models.GetVariationByIdResponse)
    assert result.generated_image_variation_generic[0].status == lv.models.JobStatus.COMPLETE
    assert srv.count("POST", UPSCALE_PATH) == 1
    assert srv.count("GET", GET_PATH) == 3


def test_waiter_polls_through_a_transient_failure(lv: Any, call: Caller, srv: FaultServer) -> None:
    """A 503 or a reset while polling says nothing about the job: the waiter polls again."""
    srv.script("POST", UPSCALE_PATH, reply(200, STARTED))
    srv.script(
        "GET",
        GET_PATH,
        reply(200, job("PENDING")),
        reply(503, "busy"),
        reset(),
        reply(200, job("COMPLETE")),
    )
    result = call(upscale_and_wait())
    assert result.generated_image_variation_generic[0].status == lv.models.JobStatus.COMPLETE
    assert (srv.count("POST", UPSCALE_PATH), srv.count("GET", GET_PATH)) == (1, 4)


def test_waiter_stops_on_an_error_about_the_job(lv: Any, call: Caller, srv: FaultServer) -> None:
    """A 404 for the job is not transient: it is raised, not polled through."""
    srv.script("POST", UPSCALE_PATH, reply(200, STARTED))
    srv.script("GET", GET_PATH, reply(404, {"error": "no such job"}))
    with pytest.raises(lv.NotFoundError):
        call(upscale_and_wait())
    assert srv.count("GET", GET_PATH) == 1


def test_waiter_raises_job_failed_for_a_job_that_fails(
    lv: Any, call: Caller, srv: FaultServer
) -> None:
    srv.script("POST", UPSCALE_PATH, reply(200, STARTED))
    srv.script("GET", GET_PATH, reply(200, job("PENDING")), reply(200, job("FAILED")))
    with pytest.raises(lv.JobFailedError) as err:
        call(upscale_and_wait())
    assert err.value.job_id == JOB_ID
    assert err.value.status == "FAILED"
    assert err.value.last.to_dict() == job("FAILED")
    assert srv.count("POST", UPSCALE_PATH) == 1
    assert srv.count("GET", GET_PATH) == 2


def late_allowance(call: Caller, srv: FaultServer) -> float:
    """How late a deadline may fire on this machine right now: four times the slowest of three
    plain calls (a poll in flight, a scheduler's hiccup), measured, and the server forgotten."""
    srv.script("GET", GET_PATH, ok("get"))
    slowest = 0.0
    for _ in range(3):
        call(get_job)
        slowest = max(slowest, call.elapsed)
    srv.reset()
    return 4 * slowest + 0.1


def test_waiter_raises_wait_timeout_for_a_job_that_never_finishes(
    lv: Any, call: Caller, srv: FaultServer
) -> None:
    late = late_allowance(call, srv)
    srv.script("POST", UPSCALE_PATH, reply(200, STARTED))
    srv.script("GET", GET_PATH, reply(200, job("PENDING")))
    with pytest.raises(lv.WaitTimeoutError) as err:
        call(upscale_and_wait(timeout=0.3))
    assert err.value.job_id == JOB_ID
    assert err.value.last.to_dict() == job("PENDING")
    # The deadline fires after 0.3 s of polling, late by at most the poll in flight.
    assert 0.3 <= call.elapsed < 0.3 + 0.05 + late
    assert srv.count("POST", UPSCALE_PATH) == 1
    # Polls 0.05 s apart, growing by half: at most 6 fit in 0.3 s (a loaded machine makes fewer).
    assert 1 <= srv.count("GET", GET_PATH) <= 6
    [post] = [r for r in srv.requests if r.method == "POST"]
    assert all(r.at - post.at <= 0.3 + late for r in srv.requests if r.method == "GET")


def test_waiter_deadline_bounds_a_poll_that_hangs(lv: Any, call: Caller, srv: FaultServer) -> None:
    late = late_allowance(call, srv)
    srv.script("POST", UPSCALE_PATH, reply(200, STARTED))
    srv.script("GET", GET_PATH, delay(SLOW, reply(200, job("PENDING"))))
    with pytest.raises(lv.WaitTimeoutError):
        call(upscale_and_wait(timeout=0.3))
    # The poll that hangs is cut at the deadline (its timeout is the time left), not at 60 s.
    assert 0.3 <= call.elapsed < 0.3 + 0.05 + late


@pytest.mark.parametrize("started", [{"sdUpscaleJob": None}, {}], ids=["null-job", "no-job"])
def test_waiter_without_a_job_id_raises_and_never_polls(
    lv: Any, call: Caller, srv: FaultServer, started: dict[str, Any]
) -> None:
    srv.script("POST", UPSCALE_PATH, reply(200, started))
    srv.script("GET", GET_PATH, ok("get"))
    with pytest.raises(lv.ResponseValidationError) as err:
        call(upscale_and_wait())
    assert "job id" in str(err.value)
    assert srv.count("POST", UPSCALE_PATH) == 1
    assert srv.count("GET", GET_PATH) == 0


def test_waiter_without_a_job_id_keeps_the_create_response(
    lv: Any, call: Caller, srv: FaultServer
) -> None:
    started = {"sdUpscaleJob": {"apiCreditCost": 5}}
    srv.script("POST", UPSCALE_PATH, reply(200, started))
    with pytest.raises(lv.ResponseValidationError) as err:
        call(upscale_and_wait())
    assert err.value.path == "$.sdUpscaleJob.id"
    assert err.value.response is not None
    assert err.value.response.json() == started


def test_wait_for_a_job_started_elsewhere(lv: Any, call: Caller, srv: FaultServer) -> None:
    srv.script("GET", GET_PATH, reply(200, job("PENDING")), ok("get"))
    result = call(lambda c: c.variations.wait_for_upscale(JOB_ID, timeout=5, poll_interval=0.05))
    assert result.to_dict() == job("COMPLETE")
    assert srv.count("GET", GET_PATH) == 2
    assert srv.count("POST", UPSCALE_PATH) == 0


def test_cancelling_an_async_waiter_stops_the_polling(lv: Any, srv: FaultServer) -> None:
    srv.script("POST", UPSCALE_PATH, reply(200, STARTED))
    srv.script("GET", GET_PATH, reply(200, job("PENDING")))

    async def main() -> int:
        async with lv.AsyncClient(api_key=API_KEY, base_url=srv.base_url) as client:
            task = asyncio.create_task(
                client.variations.upscale_and_wait(id=IMAGE_ID, timeout=30, poll_interval=0.02)
            )
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.05)  # let a request already on the wire reach the server
            return srv.count("GET", GET_PATH)

    polls = asyncio.run(main())
    assert polls >= 2
    time.sleep(0.3)
    assert srv.count("GET", GET_PATH) == polls
    assert srv.count("POST", UPSCALE_PATH) == 1


# ------------------------------------------------------------------------ 12: raw responses


def test_raw_response_has_status_headers_and_the_parsed_model(
    lv: Any, call: Caller, srv: FaultServer
) -> None:
    srv.script(
        "GET",
        GET_PATH,
        reply(429, {}, headers={**NOW, "X-Request-Id": "req-1"}),
        reply(200, job("COMPLETE"), headers={"X-Request-Id": "req-2"}),
    )
    raw = call(lambda client: client.with_raw_response.variations.get(id=JOB_ID))
    assert isinstance(raw, lv.RawResponse)
    assert raw.status_code == 200
    assert raw.headers["x-request-id"] == "req-2"  # the final response, after the retry
    assert isinstance(raw.parsed, lv.models.GetVariationByIdResponse)
    assert raw.parsed.to_dict() == job("COMPLETE")
    assert srv.count("GET", GET_PATH) == 2


# ------------------------------------------------------------------------------ 13: logging


@pytest.fixture
def restore_logger() -> Iterator[logging.Logger]:
    """The package logger; its handlers, level and configured flag restored afterwards."""
    log = logging.getLogger(PACKAGE)
    handlers, level, state = list(log.handlers), log.level, dict(vars(log))
    yield log
    log.handlers[:] = handlers
    log.setLevel(level)
    if "_sdkgen_configured" not in state:
        vars(log).pop("_sdkgen_configured", None)


def test_debug_log_names_each_retry_and_never_the_api_key(
    lv: Any,
    call: Caller,
    srv: FaultServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    restore_logger: logging.Logger,
) -> None:
    monkeypatch.setenv("LEONARDO_LOG", "debug")
    srv.script("GET", GET_PATH, reply(429, {}, headers=NOW), ok("get"))
    srv.script("POST", UPSCALE_PATH, reply(401, {"error": "Invalid token"}))
    call(get_job)
    with pytest.raises(lv.AuthenticationError) as err:
        call(upscale)

    assert srv.requests[0].headers["authorization"] == f"Bearer {API_KEY}"  # it was sent
    records = [r for r in caplog.records if r.name == PACKAGE]
    messages = [r.getMessage() for r in records]
    assert any("retry 1" in m and "429" in m for m in messages), messages
    assert all(r.levelno == logging.DEBUG for r in records)
    stderr = capsys.readouterr().err  # what the handler LEONARDO_LOG installed printed
    assert "retry 1" in stderr
    client_repr = call(lambda client: f"{client!r} {client} {client._core!r}")
    texts = [*messages, stderr, str(err.value), repr(err.value), repr(err.value.request.headers)]
    for text in [*texts, client_repr]:
        assert API_KEY not in text
        assert "Bearer" not in text


def test_without_the_log_variable_nothing_is_logged(
    lv: Any, call: Caller, srv: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    srv.script("GET", GET_PATH, reply(429, {}, headers=NOW), ok("get"))
    call(get_job)
    assert [r for r in caplog.records if r.name == PACKAGE] == []


# ------------------------------------------------------------------------------- 14: load


def open_connections_to(port: int) -> int:
    """Established client sockets to 127.0.0.1:`port`, from the kernel's table (Linux)."""
    remote = f"0100007F:{port:04X}"  # /proc/net/tcp: little-endian address, hex port
    rows = (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
    return sum(1 for row in rows if row[2] == remote and row[3] == "01")  # 01: ESTABLISHED


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="counts sockets in /proc/net/tcp")
@pytest.mark.parametrize("limit", [32, None], ids=["max-concurrency-32", "default-64"])
def test_a_thousand_concurrent_calls_use_a_bounded_number_of_connections(
    lv: Any, srv: FaultServer, limit: int | None
) -> None:
    srv.script("GET", GET_PATH, ok("get"))
    options = {} if limit is None else {"max_concurrency": limit}
    bound = limit or 64
    peak = 0

    async def sample_connections() -> None:
        nonlocal peak
        while True:
            peak = max(peak, open_connections_to(srv.port))
            await asyncio.sleep(0.01)

    async def main() -> list[Any]:
        async with lv.AsyncClient(api_key=API_KEY, base_url=srv.base_url, **options) as client:
            sampler = asyncio.create_task(sample_connections())
            try:
                return await asyncio.gather(*(get_job(client) for _ in range(1000)))
            finally:
                sampler.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sampler

    async def sequential(n: int) -> float:
        async with lv.AsyncClient(api_key=API_KEY, base_url=srv.base_url, **options) as client:
            start = time.monotonic()
            for _ in range(n):
                await get_job(client)
            return time.monotonic() - start

    per_call = asyncio.run(sequential(50)) / 50  # this machine's speed, measured now
    srv.reset()
    srv.script("GET", GET_PATH, ok("get"))
    start = time.monotonic()
    results = asyncio.run(main())
    elapsed = time.monotonic() - start
    print(
        f"\n1,000 concurrent calls, max_concurrency={bound}: {elapsed:.2f} s "
        f"({elapsed / (1000 * per_call):.1f}x 1,000 sequential calls), "
        f"at most {peak} connections open, {srv.connections} opened in all"
    )
    assert len(results) == 1000
    assert all(r.to_dict() == job("COMPLETE") for r in results)
    assert srv.count("GET", GET_PATH) == 1000
    assert 1 <= peak <= bound
    # httpx closes a connection idle for 5 s (keepalive_expiry) and opens another, so a long
    # run may open a few more than `bound` in all, but never one per call
    assert srv.connections <= 2 * bound
    # No call waits for a connection that never frees up. Measured 2026-11-29: 1,000 calls at 64
    # connections take 3-5x as long as 1,000 sequential ones against this local server (httpcore's
    # pool scans every connection on each event); a stall would take far longer than 20x.
    assert elapsed < 20 * 1000 * per_call + 1.0
