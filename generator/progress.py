"""Which stage a long run is in, on stderr, when stderr is a terminal.

A run longer than DELAY seconds (2; `SDKGEN_PROGRESS_DELAY` changes it) shows one line,
`sdkgen: validating (3 s)`, redrawn in place every half second and erased before anything
else is printed. Never with `-q` or `--format json`, never when stderr is not a terminal (a CI
log gets the diagnostics only).

A POSIX interval timer (SIGALRM) drives it, not a thread: the checks' workers are forked, and
forking a process that runs threads is unsafe. Timers are not inherited by forked children, and
an interrupted wait resumes by itself (PEP 475). Where there is no `setitimer` (Windows), or
outside the main thread, nothing is shown.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

DELAY = 2.0
INTERVAL = 0.5


class _State:
    enabled = False
    shown = False
    stage = ""
    started = 0.0
    previous: Any = None


def start(enabled: bool) -> None:
    """Begin timing a run; show progress only if `enabled` and stderr is a terminal."""
    if not (enabled and _supported() and sys.stderr.isatty()):
        return
    delay = float(os.environ.get("SDKGEN_PROGRESS_DELAY", DELAY))
    _State.enabled, _State.shown, _State.stage = True, False, "loading"
    _State.started = time.monotonic()
    _State.previous = signal.signal(signal.SIGALRM, _tick)
    signal.setitimer(signal.ITIMER_REAL, max(delay, 0.001), INTERVAL)


def stage(name: str) -> None:
    """The stage the run is in now (shown at the next tick)."""
    _State.stage = name


def stop() -> None:
    """Stop the timer and erase the line, before the run prints anything else."""
    if not _State.enabled:
        return
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    signal.signal(signal.SIGALRM, _State.previous or signal.SIG_DFL)
    _State.enabled = False
    if _State.shown:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
        _State.shown = False


def _tick(_signum: int, _frame: Any) -> None:
    if not _State.enabled:
        return
    elapsed = time.monotonic() - _State.started
    sys.stderr.write(f"\rsdkgen: {_State.stage} ({elapsed:.0f} s)\x1b[K")
    sys.stderr.flush()
    _State.shown = True


def _supported() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
