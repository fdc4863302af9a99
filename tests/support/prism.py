"""Run a Prism mock server (``@stoplight/prism-cli``) for the tests.

Prism is installed from the repo's ``package.json``/``package-lock.json`` with ``npm ci``.
It is started as::

    prism mock -h 127.0.0.1 -p PORT SPEC

and nothing else, on purpose:

* static mode (no ``-d``): responses are the spec's ``example``/``examples`` (the first one
  unless the request sends ``Prefer: example=NAME``), or, where a response has none, a fixed
  placeholder built from the schema (``"string"``, ``0``, the first enum value ...), so the
  answers are the same on every run;
* request validation is always on in ``prism mock``: an invalid parameter or body gets a 422
  ``application/problem+json`` (or the spec's own 422/400 response if it declares one), a
  missing or wrong credential for a secured operation a 401, malformed JSON a 400, a wrong
  ``Content-Type`` a 415;
* no ``--errors``: that flag also validates Prism's *responses* against the schema and turns
  every mismatch into a 500.  The Leonardo spec's own examples violate its UUID pattern, so
  with ``--errors`` four of its six operations would answer 500 instead of their example;
* no ``-m``: with multiprocess mode Prism forks the HTTP server into a second process.

Prism is started in its own session (process group) and the whole group is stopped on exit.
Its output goes to an unnamed temporary file, never to a pipe that could fill up and block it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["PRISM_HOST", "prism_executable", "start_prism"]

PRISM_HOST = "127.0.0.1"
_STOP_GRACE_SECONDS = 5.0
_POLL_INTERVAL_SECONDS = 0.1
_PROBE_TIMEOUT_SECONDS = 1.0
_LOG_TAIL_CHARS = 2000
_PORT_ATTEMPTS = 3


class _PortTakenError(Exception):
    """Prism lost the race for the port picked for it; try another one."""


def prism_executable(repo_root: Path) -> Path:
    """Return ``repo_root/node_modules/.bin/prism``, or raise if Prism is not installed."""
    exe = repo_root / "node_modules" / ".bin" / "prism"
    if not exe.is_file():
        raise RuntimeError(
            f"Prism is not installed ({exe} is missing): "
            f"run `npm ci` at the repo root ({repo_root})"
        )
    return exe


@contextlib.contextmanager
def start_prism(spec: Path, *, repo_root: Path, timeout: float = 60.0) -> Iterator[str]:
    """Serve ``spec`` with ``prism mock`` on a free port of 127.0.0.1 and yield its base URL.

    ``timeout`` bounds the start-up (until Prism answers HTTP). On exit the Prism process
    group is terminated (SIGTERM, then SIGKILL after 5 s). Raises ``RuntimeError`` with the
    end of Prism's output if it exits before answering or the deadline passes.
    """
    exe = prism_executable(repo_root)
    spec = spec.resolve()
    deadline = time.monotonic() + timeout
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        port = _free_port()
        with tempfile.TemporaryFile(prefix="prism-", suffix=".log") as log:
            proc = subprocess.Popen(
                [str(exe), "mock", "-h", PRISM_HOST, "-p", str(port), str(spec)],
                cwd=repo_root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                try:
                    _wait_until_ready(proc, port, log, deadline, timeout)
                except _PortTakenError:
                    if attempt == _PORT_ATTEMPTS:
                        raise RuntimeError(
                            f"Prism could not bind a free port in {_PORT_ATTEMPTS} attempts; "
                            f"its output ends with:\n{_log_tail(log)}"
                        ) from None
                    continue
                yield f"http://{PRISM_HOST}:{port}"
                return
            finally:
                _stop(proc)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((PRISM_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_ready(
    proc: subprocess.Popen[bytes], port: int, log: IO[bytes], deadline: float, timeout: float
) -> None:
    while True:
        # Check the process before and after the probe, so that another server that grabbed
        # the port while Prism was failing to bind it is not mistaken for Prism.
        if not _has_exited(proc.pid) and _answers_http(port) and not _has_exited(proc.pid):
            return
        status = _exit_status(proc.pid)
        if status is not None:
            tail = _log_tail(log)
            if "EADDRINUSE" in tail:
                raise _PortTakenError
            raise RuntimeError(
                f"Prism {status} before answering on port {port}; its output ends with:\n{tail}"
            )
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"Prism did not answer on port {port} within {timeout:g} s; "
                f"its output ends with:\n{_log_tail(log)}"
            )
        time.sleep(_POLL_INTERVAL_SECONDS)


def _answers_http(port: int) -> bool:
    """True if something on ``port`` answers a plain HTTP request with an HTTP status line."""
    request = f"GET / HTTP/1.1\r\nHost: {PRISM_HOST}:{port}\r\nConnection: close\r\n\r\n"
    try:
        with socket.create_connection((PRISM_HOST, port), timeout=_PROBE_TIMEOUT_SECONDS) as sock:
            sock.sendall(request.encode("ascii"))
            return sock.recv(64).startswith(b"HTTP/")
    except OSError:
        return False


def _exit_status(pid: int) -> str | None:
    """Describe how the child ended, or None while it runs; never reaps it.

    Until ``_stop`` reaps it, the (zombie) leader keeps its process-group id reserved, so the
    group can be signalled safely: the id cannot have been reused by an unrelated process.
    """
    result = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if result is None:
        return None
    if result.si_code == os.CLD_EXITED:
        return f"exited with status {result.si_status}"
    return f"was killed by signal {result.si_status}"


def _has_exited(pid: int) -> bool:
    return _exit_status(pid) is not None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.returncode is None:
        _signal_group(proc.pid, signal.SIGTERM)
        stop_by = time.monotonic() + _STOP_GRACE_SECONDS
        while not _has_exited(proc.pid) and time.monotonic() < stop_by:
            time.sleep(0.05)
        # Kills the leader if it ignored SIGTERM, and any straggler of its group either way.
        _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _log_tail(log: IO[bytes]) -> str:
    log.flush()
    size = log.seek(0, os.SEEK_END)
    # 4 bytes per character at most in UTF-8.
    log.seek(max(0, size - 4 * _LOG_TAIL_CHARS))
    text = log.read().decode("utf-8", errors="replace")
    return text[-_LOG_TAIL_CHARS:]
