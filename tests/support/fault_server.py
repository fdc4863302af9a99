"""A scriptable HTTP/1.1 server for injecting faults into generated API clients.

End-to-end tests point a generated client (httpx, sync or async) at a
``FaultServer`` and script, per ``(method, path)``, what each incoming request
gets: a normal reply, an abrupt connection reset, a delayed reply (for read
timeouts) or a truncated body.  Every request is recorded so tests can assert
on what the client actually sent (retries, headers, bodies).

Example::

    with FaultServer() as srv:
        srv.script("GET", "/pets", reset(), reply(200, [{"id": 1}]))
        ...  # call the client with base_url=srv.base_url
        assert srv.count("GET", "/pets") == 2

Each route consumes its steps in order; the last step repeats forever.
Unscripted routes answer 404 with ``{"error": "unscripted"}``.  Paths are
matched on the raw (not percent-decoded) path, without the query string.

Standard library only; raw sockets, one daemon thread per connection.
"""

from __future__ import annotations

import atexit
import contextlib
import enum
import functools
import http
import json
import math
import selectors
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

__all__ = [
    "Delay",
    "FaultServer",
    "Recorded",
    "Reply",
    "Reset",
    "Step",
    "Truncated",
    "closed_port",
    "delay",
    "reply",
    "reset",
    "truncated",
]

HOST = "127.0.0.1"
DEFAULT_BACKLOG = 2048
MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 200
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_CHUNK_LINE = 1024
JOIN_TIMEOUT = 2.0
ACCEPT_POLL = 1.0  # upper bound only: shutdown wakes the acceptor at once
CLOSE_DRAIN_SECONDS = 0.5
CLOSE_DRAIN_BYTES = 64 * 1024
UNSCRIPTED_BODY = {"error": "unscripted"}
NO_BODY_STATUSES = frozenset({204, 304})

JSONBody = dict[str, Any] | list[Any]
Body = bytes | str | JSONBody | None


# --------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Reply:
    """Answer with ``status`` and ``body``.

    dict/list bodies are JSON-encoded (``application/json``); str bodies are
    UTF-8 ``text/plain`` unless ``content_type`` is given; bytes bodies are
    ``application/octet-stream`` unless ``content_type`` is given.  ``headers``
    are added to (and may override) the defaults, except Content-Length.
    """

    status: int
    body: Body = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None

    def __post_init__(self) -> None:
        _check_status(self.status)
        self.encoded()  # fail fast (in the test) on bodies JSON cannot encode

    def encoded(self) -> tuple[bytes, str | None]:
        """Return the body bytes and the Content-Type to send with them."""
        return _encode_body(self.body, self.content_type)


@dataclass(frozen=True)
class Reset:
    """Read the request, then abort the connection with a TCP RST."""


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` (cut short by server shutdown), then send ``then``."""

    seconds: float
    then: Reply

    def __post_init__(self) -> None:
        if not (math.isfinite(self.seconds) and self.seconds >= 0):
            raise ValueError(f"delay must be finite and >= 0, got {self.seconds!r}")


@dataclass(frozen=True)
class Truncated:
    """Send a JSON response whose Content-Length exceeds ``body``, then close."""

    status: int
    body: bytes

    def __post_init__(self) -> None:
        _check_status(self.status)

    @property
    def declared_length(self) -> int:
        """The (too large) Content-Length announced in the headers."""
        return 2 * len(self.body) + 16


Step = Reply | Reset | Delay | Truncated


def reply(
    status: int,
    body: Body = None,
    *,
    headers: dict[str, str] | None = None,
    content_type: str | None = None,
) -> Reply:
    """Build a :class:`Reply` step."""
    return Reply(status, body, dict(headers or {}), content_type)


def reset() -> Reset:
    """Build a :class:`Reset` step (connection reset, no answer)."""
    return Reset()


def delay(seconds: float, then: Reply) -> Delay:
    """Build a :class:`Delay` step."""
    return Delay(seconds, then)


def truncated(status: int, body: bytes) -> Truncated:
    """Build a :class:`Truncated` step."""
    return Truncated(status, body)


def _check_status(status: int) -> None:
    if not 200 <= status <= 599:
        raise ValueError(f"status must be in 200..599, got {status!r}")


def _encode_body(body: Body, content_type: str | None) -> tuple[bytes, str | None]:
    if body is None:
        return b"", content_type
    if isinstance(body, bytes):
        return body, content_type or "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), content_type or "text/plain; charset=utf-8"
    return json.dumps(body).encode(), content_type or "application/json"


# ----------------------------------------------------------------- recording


@dataclass(frozen=True)
class Recorded:
    """One request as received (header names lower-cased), and when (`time.monotonic()`)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0


class _BadRequest(Exception):
    """The client sent something this server refuses to parse."""


class _Outcome(enum.Enum):
    KEEP = "keep"  # response sent, connection may serve another request
    CLOSE = "close"  # close gracefully (FIN)
    ABORT = "abort"  # close abruptly (RST)


# ------------------------------------------------------------------- parsing


class _Reader:
    """Buffered, size-limited reads from a blocking socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()

    def _fill(self) -> bool:
        data = self._sock.recv(65536)
        self._buf += data
        return bool(data)

    def read_until(self, delim: bytes, limit: int) -> bytes | None:
        """Bytes up to ``delim`` (consumed, not returned); None on EOF."""
        while True:
            idx = self._buf.find(delim)
            if idx >= 0:
                out = bytes(self._buf[:idx])
                del self._buf[: idx + len(delim)]
                return out
            if len(self._buf) > limit:
                raise _BadRequest("line or head too long")
            if not self._fill():
                return None

    def read_exact(self, size: int) -> bytes | None:
        """Exactly ``size`` bytes; None on EOF."""
        while len(self._buf) < size:
            if not self._fill():
                return None
        out = bytes(self._buf[:size])
        del self._buf[:size]
        return out


@dataclass(frozen=True)
class _Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes

    def to_recorded(self) -> Recorded:
        path, _, query = _origin_form(self.target).partition("?")
        return Recorded(self.method, path, query, dict(self.headers), self.body, time.monotonic())

    def wants_close(self) -> bool:
        tokens = _tokens(self.headers.get("connection", ""))
        if "close" in tokens:
            return True
        return self.version == "HTTP/1.0" and "keep-alive" not in tokens


def _tokens(value: str) -> set[str]:
    return {t.strip().lower() for t in value.split(",") if t.strip()}


def _origin_form(target: str) -> str:
    """Strip scheme and authority from an absolute-form request target."""
    if target.startswith("/") or "://" not in target:
        return target
    rest = target.split("://", 1)[1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def _parse_request_line(line: bytes) -> tuple[str, str, str]:
    parts = line.decode("latin-1").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(f"bad request line {line!r}")
    return parts[0].upper(), parts[1], parts[2]


def _parse_headers(lines: list[bytes]) -> dict[str, str]:
    if len(lines) > MAX_HEADERS:
        raise _BadRequest("too many headers")
    headers: dict[str, str] = {}
    for raw in lines:
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name.strip():
            raise _BadRequest(f"bad header line {raw!r}")
        key, val = name.strip().lower(), value.strip()
        headers[key] = f"{headers[key]}, {val}" if key in headers else val
    return headers


def _read_body(reader: _Reader, headers: dict[str, str]) -> bytes | None:
    if "chunked" in _tokens(headers.get("transfer-encoding", "")):
        return _read_chunked(reader)
    length = _content_length(headers)
    return reader.read_exact(length) if length else b""


def _content_length(headers: dict[str, str]) -> int:
    raw = headers.get("content-length", "0").split(",")[0].strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_BODY_BYTES:
        raise _BadRequest(f"bad or too large content-length {raw!r}")
    return int(raw)


def _read_chunked(reader: _Reader) -> bytes | None:
    body = bytearray()
    while len(body) <= MAX_BODY_BYTES:
        line = reader.read_until(b"\r\n", MAX_CHUNK_LINE)
        if line is None:
            return None
        size = _chunk_size(line)
        if size == 0:
            return bytes(body) if _skip_trailers(reader) else None
        chunk = reader.read_exact(size + 2)
        if chunk is None:
            return None
        body += chunk[:-2]
    raise _BadRequest("chunked body too large")


def _chunk_size(line: bytes) -> int:
    try:
        return int(line.split(b";", 1)[0].strip(), 16)
    except ValueError:
        raise _BadRequest(f"bad chunk size {line!r}") from None


def _skip_trailers(reader: _Reader) -> bool:
    for _ in range(MAX_HEADERS):
        line = reader.read_until(b"\r\n", MAX_CHUNK_LINE)
        if line is None:
            return False
        if not line:
            return True
    raise _BadRequest("too many trailers")


def _read_request(reader: _Reader) -> _Request | None:
    """The next request on the connection; None when the client went away."""
    head = reader.read_until(b"\r\n\r\n", MAX_HEAD_BYTES)
    if head is None:
        return None
    lines = head.split(b"\r\n")
    while lines and not lines[0]:  # tolerate stray CRLFs between requests
        lines.pop(0)
    if not lines:
        raise _BadRequest("empty request head")
    method, target, version = _parse_request_line(lines[0])
    headers = _parse_headers(lines[1:])
    body = _read_body(reader, headers)
    if body is None:
        return None
    return _Request(method, target, version, headers, body)


# ------------------------------------------------------------------ writing


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _response_bytes(
    status: int, headers: dict[str, str], body: bytes, *, send_body: bool = True
) -> bytes:
    lines = [f"HTTP/1.1 {status} {_reason(status)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if send_body else head


def _reply_headers(rep: Reply, body: bytes, ctype: str | None) -> dict[str, str]:
    merged: dict[str, str] = {"server": "sdkgen-fault-server"}
    if ctype is not None:
        merged["content-type"] = ctype
    merged.update({k.lower(): v for k, v in rep.headers.items()})
    if rep.status in NO_BODY_STATUSES:
        merged.pop("content-length", None)
    else:
        merged["content-length"] = str(len(body))
    return merged


def _send_reply(sock: socket.socket, rep: Reply, req: _Request) -> _Outcome:
    body, ctype = rep.encoded()
    if rep.status in NO_BODY_STATUSES:
        body = b""
    headers = _reply_headers(rep, body, ctype)
    close = req.wants_close() or "close" in _tokens(headers.get("connection", ""))
    if close:
        headers["connection"] = "close"
    sock.sendall(_response_bytes(rep.status, headers, body, send_body=req.method != "HEAD"))
    return _Outcome.CLOSE if close else _Outcome.KEEP


def _send_truncated(sock: socket.socket, step: Truncated) -> _Outcome:
    headers = {
        "server": "sdkgen-fault-server",
        "content-type": "application/json",
        "content-length": str(step.declared_length),
        "connection": "close",
    }
    sock.sendall(_response_bytes(step.status, headers, step.body))
    return _Outcome.CLOSE


def _abort(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN (SO_LINGER on, timeout 0)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _half_close_and_drain(sock: socket.socket) -> None:
    """Send FIN, then briefly read (and drop) what the client still sends.

    Draining before close() stops the kernel from turning the close into an
    RST, which can make the client discard response bytes it has not read.
    """
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(CLOSE_DRAIN_SECONDS)
        deadline = time.monotonic() + CLOSE_DRAIN_SECONDS
        drained = 0
        while drained < CLOSE_DRAIN_BYTES and time.monotonic() < deadline:
            data = sock.recv(65536)
            if not data:
                break
            drained += len(data)


# ------------------------------------------------------------------- server


class FaultServer:
    """Scriptable HTTP/1.1 server on 127.0.0.1; use as a context manager."""

    def __init__(
        self,
        *,
        backlog: int = DEFAULT_BACKLOG,
        idle_timeout: float = 30.0,
        max_requests_per_connection: int = 10_000,
        max_connections: int = 4096,
    ) -> None:
        self._backlog = backlog
        self._idle_timeout = idle_timeout
        self._max_requests = max_requests_per_connection
        self._max_connections = max_connections
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._scripts: dict[tuple[str, str], deque[Step]] = {}
        self._requests: list[Recorded] = []
        self._conns: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        self._port = 0
        self._accepted = 0

    # -- lifecycle

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()

    def start(self) -> None:
        """Bind a free port on 127.0.0.1 and start accepting connections."""
        if self._listener is not None:
            raise RuntimeError("FaultServer already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind((HOST, 0))
            listener.listen(self._backlog)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._wakeup = socket.socketpair()
        self._port = listener.getsockname()[1]
        self._acceptor = threading.Thread(
            target=self._accept_loop,
            args=(listener, self._wakeup[0]),
            name=f"fault-server-{self._port}",
            daemon=True,
        )
        self._acceptor.start()

    def shutdown(self) -> None:
        """Stop serving, wake every worker, close all sockets, join threads."""
        self._stop.set()
        deadline = time.monotonic() + JOIN_TIMEOUT
        self._stop_acceptor()
        self._wake_connections()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _stop_acceptor(self) -> None:
        acceptor, wakeup = self._acceptor, self._wakeup
        self._acceptor = self._wakeup = None
        if wakeup is not None:
            wakeup[1].send(b"x")
        if acceptor is not None:
            acceptor.join(JOIN_TIMEOUT)
        if wakeup is not None:
            wakeup[0].close()
            wakeup[1].close()

    def _wake_connections(self) -> None:
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    # -- public state

    @property
    def port(self) -> int:
        """The TCP port the server listens on (0 before ``start``)."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self._port}"

    def url(self, path: str) -> str:
        """``base_url`` joined with ``path`` (which should start with '/')."""
        return self.base_url + path

    def script(self, method: str, path: str, *steps: Step) -> None:
        """Replace the step queue for ``(method, path)``; the last step repeats."""
        if not steps:
            raise ValueError("script() needs at least one step")
        if not path.startswith("/") or "?" in path:
            raise ValueError(f"path must start with '/' and have no query: {path!r}")
        for step in steps:
            if not isinstance(step, Reply | Reset | Delay | Truncated):
                raise TypeError(f"not a fault-server step: {step!r}")
        with self._lock:
            self._scripts[(method.upper(), path)] = deque(steps)

    @property
    def requests(self) -> list[Recorded]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def connections(self) -> int:
        """How many TCP connections were accepted (to check keep-alive reuse)."""
        with self._lock:
            return self._accepted

    def count(self, method: str, path: str) -> int:
        """How many requests were received for ``(method, path)``."""
        key = method.upper()
        with self._lock:
            return sum(1 for r in self._requests if r.method == key and r.path == path)

    def reset(self) -> None:
        """Forget all scripts, recorded requests and the connection count."""
        with self._lock:
            self._scripts.clear()
            self._requests.clear()
            self._accepted = 0

    # -- internals: accepting

    def _accept_loop(self, listener: socket.socket, wakeup: socket.socket) -> None:
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(listener, selectors.EVENT_READ)
                sel.register(wakeup, selectors.EVENT_READ)
                while not self._stop.is_set():
                    if sel.select(ACCEPT_POLL):
                        self._accept_ready(listener)
        finally:
            listener.close()

    def _accept_ready(self, listener: socket.socket) -> None:
        for _ in range(self._backlog):
            try:
                conn, _addr = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. EMFILE: back off briefly, retry on next poll
                self._stop.wait(0.01)
                return
            self._spawn(conn)

    def _spawn(self, conn: socket.socket) -> None:
        with self._lock:
            if self._stop.is_set() or len(self._conns) >= self._max_connections:
                _abort(conn)
                return
            conn.settimeout(self._idle_timeout)
            thread = threading.Thread(
                target=self._serve_connection, args=(conn,), name="fault-conn", daemon=True
            )
            self._conns.add(conn)
            self._threads.add(thread)
            self._accepted += 1
        thread.start()

    # -- internals: one connection

    def _serve_connection(self, conn: socket.socket) -> None:
        outcome = _Outcome.CLOSE
        try:
            outcome = self._request_loop(conn)
        except (OSError, _BadRequest):
            outcome = _Outcome.CLOSE
        finally:
            self._forget(conn, outcome)

    def _forget(self, conn: socket.socket, outcome: _Outcome) -> None:
        # Drain while still in _conns (so shutdown() can wake us), but leave
        # _conns before close(), so shutdown() never touches a closed (maybe
        # reused) descriptor; leave _threads last, so shutdown() joins us.
        try:
            if outcome is not _Outcome.ABORT:
                _half_close_and_drain(conn)
            with self._lock:
                self._conns.discard(conn)
            if outcome is _Outcome.ABORT:
                _abort(conn)
            else:
                conn.close()
        finally:
            with self._lock:
                self._conns.discard(conn)
                self._threads.discard(threading.current_thread())

    def _request_loop(self, conn: socket.socket) -> _Outcome:
        reader = _Reader(conn)
        for _ in range(self._max_requests):
            if self._stop.is_set():
                break
            try:
                req = _read_request(reader)
            except _BadRequest as err:
                return self._send_bad_request(conn, str(err))
            if req is None:
                break
            outcome = self._handle(conn, req)
            if outcome is not _Outcome.KEEP:
                return outcome
        return _Outcome.CLOSE

    def _send_bad_request(self, conn: socket.socket, message: str) -> _Outcome:
        headers = {"content-type": "text/plain", "connection": "close"}
        body = message.encode()
        headers["content-length"] = str(len(body))
        conn.sendall(_response_bytes(400, headers, body))
        return _Outcome.CLOSE

    def _handle(self, conn: socket.socket, req: _Request) -> _Outcome:
        recorded = req.to_recorded()
        step = self._record_and_next_step(recorded)
        if step is None:
            return _send_reply(conn, Reply(404, UNSCRIPTED_BODY), req)
        return self._run_step(conn, req, step)

    def _record_and_next_step(self, recorded: Recorded) -> Step | None:
        with self._lock:
            self._requests.append(recorded)
            queue = self._scripts.get((recorded.method, recorded.path))
            if not queue:
                return None
            return queue.popleft() if len(queue) > 1 else queue[0]

    def _run_step(self, conn: socket.socket, req: _Request, step: Step) -> _Outcome:
        if isinstance(step, Reply):
            return _send_reply(conn, step, req)
        if isinstance(step, Reset):
            return _Outcome.ABORT
        if isinstance(step, Delay):
            if self._stop.wait(step.seconds):
                return _Outcome.ABORT  # shutting down: don't answer
            return _send_reply(conn, step.then, req)
        if isinstance(step, Truncated):
            return _send_truncated(conn, step)
        raise TypeError(f"not a fault-server step: {step!r}")


# ------------------------------------------------------------- closed ports


@functools.cache
def _reserved_socket() -> socket.socket:
    """A socket bound to 127.0.0.1:0 that never listens, closed at exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    atexit.register(sock.close)
    return sock


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused).

    The port stays bound (but never listening) for the life of the process,
    so no other socket, not even an outgoing connection, can take it over.
    """
    port: int = _reserved_socket().getsockname()[1]
    return port
