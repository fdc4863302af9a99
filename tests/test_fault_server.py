"""Tests of the fault-injection HTTP server used by the end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import socket
import threading
import time

import httpx
import pytest

from tests.support.fault_server import (
    Delay,
    FaultServer,
    Recorded,
    Reply,
    Reset,
    Truncated,
    closed_port,
    delay,
    reply,
    reset,
    truncated,
)


def _raw_exchange(port: int, payload: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, then read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(payload)
        chunks: list[bytes] = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def _get(path: str, *extra: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: x", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# ------------------------------------------------------------------ basics


def test_base_url_and_helpers() -> None:
    with FaultServer() as srv:
        assert srv.port > 0
        assert srv.base_url == f"http://127.0.0.1:{srv.port}"
        assert srv.url("/a") == srv.base_url + "/a"
    assert reply(201, {"a": 1}, headers={"X": "y"}) == Reply(201, {"a": 1}, {"X": "y"})
    assert reset() == Reset()
    assert delay(0.5, reply(200)) == Delay(0.5, Reply(200))
    assert truncated(200, b"{") == Truncated(200, b"{")


def test_step_validation() -> None:
    with pytest.raises(ValueError):
        Reply(99)
    with pytest.raises(TypeError):
        Reply(200, {"when": object()})  # not JSON-encodable: fails at scripting time
    with pytest.raises(ValueError):
        Delay(-1.0, Reply(200))
    with pytest.raises(ValueError):
        Delay(float("inf"), Reply(200))
    with FaultServer() as srv:
        with pytest.raises(ValueError):
            srv.script("GET", "/x")
        with pytest.raises(ValueError):
            srv.script("GET", "/x?a=1", reply(200))
        with pytest.raises(TypeError):
            srv.script("GET", "/x", 200)  # type: ignore[arg-type]


def test_unscripted_route_is_404_json() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        resp = client.get("/nowhere")
        assert resp.status_code == 404
        assert resp.headers["content-type"] == "application/json"
        assert resp.json() == {"error": "unscripted"}
        assert srv.count("GET", "/nowhere") == 1


# ------------------------------------------------------------------- Reply


def test_reply_bodies_and_content_types() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/dict", reply(200, {"id": 1}))
        srv.script("GET", "/list", reply(200, [1, 2]))
        srv.script("GET", "/text", reply(200, "hello"))
        srv.script("GET", "/html", reply(502, "<h1>Bad</h1>", content_type="text/html"))
        srv.script("GET", "/bytes", reply(200, b"\x00\x01"))
        srv.script("GET", "/empty", reply(204))
        srv.script("GET", "/hdr", reply(429, {}, headers={"Retry-After": "3"}))

        dict_resp = client.get("/dict")
        assert (dict_resp.status_code, dict_resp.json()) == (200, {"id": 1})
        assert dict_resp.headers["content-type"] == "application/json"
        assert client.get("/list").json() == [1, 2]
        text = client.get("/text")
        assert text.text == "hello"
        assert text.headers["content-type"].startswith("text/plain")
        html = client.get("/html")
        assert (html.status_code, html.text) == (502, "<h1>Bad</h1>")
        assert html.headers["content-type"] == "text/html"
        assert html.reason_phrase == "Bad Gateway"
        raw = client.get("/bytes")
        assert raw.content == b"\x00\x01"
        assert raw.headers["content-type"] == "application/octet-stream"
        empty = client.get("/empty")
        assert (empty.status_code, empty.content) == (204, b"")
        limited = client.get("/hdr")
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")


def test_head_request_gets_no_body() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("HEAD", "/h", reply(200, {"a": 1}))
        resp = client.head("/h")
        assert resp.status_code == 200
        assert resp.content == b""
        assert resp.headers["content-length"] == str(len(json.dumps({"a": 1})))
        srv.script("GET", "/after", reply(200, "ok"))
        assert client.get("/after").text == "ok"  # connection still in sync


# ------------------------------------------------------- queue / recording


def test_steps_are_consumed_and_last_step_repeats() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/flaky", reply(503), reply(500), reply(200, {"ok": True}))
        codes = [client.get("/flaky").status_code for _ in range(5)]
        assert codes == [503, 500, 200, 200, 200]
        assert srv.count("GET", "/flaky") == 5
        assert client.post("/flaky").status_code == 404  # method is part of the key


def test_script_replaces_previous_queue() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/x", reply(500))
        srv.script("get", "/x", reply(201))
        assert client.get("/x").status_code == 201


def test_requests_are_recorded() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("POST", "/pets", reply(201, {"id": 7}))
        resp = client.post(
            "/pets",
            params={"dry_run": "true", "n": "2"},
            json={"name": "Rex"},
            headers={"X-Request-ID": "abc", "Authorization": "Bearer t"},
        )
        assert resp.status_code == 201
        (rec,) = srv.requests
        assert isinstance(rec, Recorded)
        assert (rec.method, rec.path, rec.query) == ("POST", "/pets", "dry_run=true&n=2")
        assert rec.headers["x-request-id"] == "abc"
        assert rec.headers["authorization"] == "Bearer t"
        assert rec.headers["content-type"] == "application/json"
        assert all(name == name.lower() for name in rec.headers)
        assert json.loads(rec.body) == {"name": "Rex"}
        assert srv.count("post", "/pets") == 1
        assert srv.count("GET", "/pets") == 0


def test_chunked_request_body_is_recorded() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("PUT", "/blob", reply(200))
        resp = client.put("/blob", content=iter([b"ab", b"cd", b"ef"]))
        assert resp.status_code == 200
        (rec,) = srv.requests
        assert rec.headers["transfer-encoding"] == "chunked"
        assert rec.body == b"abcdef"


def test_reset_clears_scripts_and_recordings() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/x", reply(200))
        assert client.get("/x").status_code == 200
        srv.reset()
        assert srv.requests == []
        assert srv.count("GET", "/x") == 0
        assert client.get("/x").status_code == 404


def test_requests_returns_a_snapshot() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        client.get("/a")
        snapshot = srv.requests
        client.get("/b")
        assert [r.path for r in snapshot] == ["/a"]
        assert [r.path for r in srv.requests] == ["/a", "/b"]


# ------------------------------------------------------------------ faults


def test_reset_step_aborts_connection() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/r", reset(), reply(200, {"ok": True}))
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            client.get("/r")
        assert client.get("/r").json() == {"ok": True}  # client recovers
        assert srv.count("GET", "/r") == 2


def test_reset_step_sends_rst() -> None:
    with FaultServer() as srv:
        srv.script("GET", "/r", reset())
        with pytest.raises(ConnectionResetError):
            _raw_exchange(srv.port, _get("/r"))


def test_delay_step_triggers_read_timeout() -> None:
    with FaultServer() as srv:
        srv.script("GET", "/slow", delay(5.0, reply(200)), reply(200, "fast"))
        timeout = httpx.Timeout(5.0, read=0.2)
        with httpx.Client(base_url=srv.base_url, timeout=timeout) as client:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                client.get("/slow")
            assert time.monotonic() - started < 2.0
            assert client.get("/slow").text == "fast"


def test_delay_step_answers_after_waiting() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/d", delay(0.3, reply(200, {"late": True})))
        started = time.monotonic()
        resp = client.get("/d")
        assert resp.json() == {"late": True}
        assert time.monotonic() - started >= 0.3


def test_shutdown_cuts_delay_short() -> None:
    srv = FaultServer()
    with srv, socket.create_connection(("127.0.0.1", srv.port)) as sock:
        srv.script("GET", "/slow", delay(60.0, reply(200)))
        sock.sendall(_get("/slow"))
        deadline = time.monotonic() + 5
        while srv.count("GET", "/slow") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        srv.shutdown()
        assert time.monotonic() - started < 2.0
        sock.settimeout(2.0)
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(1024) == b""


def test_truncated_step_breaks_body() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/t", truncated(200, b'{"id": 1, "na'), reply(200, {"id": 1}))
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/t")
        assert client.get("/t").json() == {"id": 1}


def test_truncated_step_on_the_wire() -> None:
    with FaultServer() as srv:
        srv.script("GET", "/t", truncated(200, b'{"a": [1, 2'))
        raw = _raw_exchange(srv.port, _get("/t"))
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        declared = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        assert body == b'{"a": [1, 2'
        assert declared > len(body)


# -------------------------------------------------------------- keep-alive


def test_keep_alive_serves_sequential_requests_on_one_connection() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/k", reply(200, {"n": 1}))
        srv.script("POST", "/k", reply(201, "made"))
        for _ in range(5):
            assert client.get("/k").json() == {"n": 1}
            assert client.post("/k", json={"x": 1}).status_code == 201
        assert srv.connections == 1
        assert len(srv.requests) == 10


def test_connection_close_is_honoured() -> None:
    with FaultServer() as srv:
        srv.script("GET", "/c", reply(200, "bye"))
        raw = _raw_exchange(srv.port, _get("/c", "Connection: close"))
        assert raw.startswith(b"HTTP/1.1 200 OK")
        assert b"\r\nconnection: close\r\n" in raw.lower()
        assert raw.endswith(b"\r\n\r\nbye")
        with httpx.Client(base_url=srv.base_url) as client:
            for _ in range(3):
                resp = client.get("/c", headers={"Connection": "close"})
                assert resp.headers["connection"] == "close"
        assert srv.connections == 4


def test_reply_can_ask_to_close_the_connection() -> None:
    with FaultServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        srv.script("GET", "/bye", reply(503, "later", headers={"Connection": "close"}))
        for _ in range(3):
            assert client.get("/bye").headers["connection"] == "close"
        assert srv.connections == 3


def test_raw_pipelined_requests_on_one_socket() -> None:
    with FaultServer() as srv:
        srv.script("GET", "/p", reply(200, "x"))
        payload = _get("/p") + _get("/p") + _get("/p", "Connection: close")
        raw = _raw_exchange(srv.port, payload)
        assert raw.count(b"HTTP/1.1 200 OK") == 3
        assert srv.connections == 1


def test_malformed_request_gets_400() -> None:
    with FaultServer() as srv:
        raw = _raw_exchange(srv.port, b"NONSENSE\r\n\r\n")
        assert raw.startswith(b"HTTP/1.1 400 ")


def test_shutdown_with_idle_keep_alive_connection_is_fast() -> None:
    with httpx.Client() as client:
        srv = FaultServer()
        with srv:
            srv.script("GET", "/i", reply(200))
            assert client.get(srv.url("/i")).status_code == 200
            started = time.monotonic()
        assert time.monotonic() - started < 2.0
        assert not [t for t in threading.enumerate() if t.name == "fault-conn"]


# ------------------------------------------------------------ closed_port


def test_closed_port_refuses_connections() -> None:
    port = closed_port()
    assert 0 < port < 65536
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
    with httpx.Client(timeout=2.0) as client, pytest.raises(httpx.ConnectError):
        client.get(f"http://127.0.0.1:{port}/")


# ------------------------------------------------------------------- async


def test_async_client_faults_and_concurrency() -> None:
    total = 100  # httpx's default pool size

    async def main(srv: FaultServer) -> list[int]:
        async with httpx.AsyncClient(base_url=srv.base_url) as client:
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                await client.get("/reset")
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/truncated")
            with pytest.raises(httpx.ReadTimeout):
                await client.get("/slow", timeout=httpx.Timeout(5.0, read=0.2))
            assert (await client.get("/nowhere")).status_code == 404
            responses = await asyncio.gather(*(client.get(f"/item?i={i}") for i in range(total)))
            return [r.status_code for r in responses]

    with FaultServer() as srv:
        srv.script("GET", "/reset", reset())
        srv.script("GET", "/truncated", truncated(200, b"{"))
        srv.script("GET", "/slow", delay(5.0, reply(200)))
        srv.script("GET", "/item", delay(0.2, reply(200, {"ok": True})))
        codes = asyncio.run(main(srv))
        assert codes == [200] * total
        assert srv.count("GET", "/item") == total
        queries = {r.query for r in srv.requests if r.path == "/item"}
        assert queries == {f"i={i}" for i in range(total)}


def test_a_thousand_concurrent_connections() -> None:
    # Raw asyncio streams: httpx's own pool bookkeeping is quadratic in the
    # number of connections (~30 s for 1000), which would only test httpx.
    total = 1000

    async def one(port: int, i: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(_get(f"/item?i={i}", "Connection: close"))
            return await asyncio.wait_for(reader.read(), timeout=30)
        finally:
            writer.close()
            await writer.wait_closed()

    async def main(port: int) -> list[bytes]:
        return await asyncio.gather(*(one(port, i) for i in range(total)))

    with FaultServer() as srv:
        srv.script("GET", "/item", delay(0.5, reply(200, {"ok": True})))
        started = time.monotonic()
        answers = asyncio.run(main(srv.port))
        elapsed = time.monotonic() - started
        assert all(a.startswith(b"HTTP/1.1 200 OK") for a in answers)
        assert all(a.endswith(b'{"ok": true}') for a in answers)
        assert srv.connections == total
        assert srv.count("GET", "/item") == total
        assert elapsed < 20  # served concurrently (serially it would be 500 s)
