"""Progress on stderr (issue 15): shown when stderr is a terminal and the run is long, erased
before the diagnostics; never with -q, --format json or a stderr that is not a terminal.

The runs are real processes whose stderr is a pseudo-terminal; `SDKGEN_PROGRESS_DELAY`
shortens the two seconds a run must last before progress shows.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_golden import GOLDEN

SDKGEN = Path(sys.executable).parent / "sdkgen"
SPEC = GOLDEN / "petstore" / "spec.yaml"


def run(*args: str, tty: bool = True, delay: str = "0") -> str:
    """`sdkgen ARGS`'s stderr, read through a pseudo-terminal when `tty`."""
    env = {**os.environ, "SDKGEN_PROGRESS_DELAY": delay, "SDKGEN_CACHE_DIR": "off"}
    if not tty:
        done = subprocess.run(
            [str(SDKGEN), *args], env=env, capture_output=True, text=True, check=False
        )
        return done.stderr
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(SDKGEN), *args], env=env, stdout=subprocess.DEVNULL, stderr=secondary
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    process.wait(timeout=60)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_progress_shows_on_a_terminal_and_is_erased(command: str, tmp_path: Path) -> None:
    extra = ["-o", str(tmp_path / "out")] if command == "generate" else []
    stderr = run(command, str(SPEC), *extra)
    assert "\rsdkgen: " in stderr
    assert " s)\x1b[K" in stderr
    last = stderr.rindex("\rsdkgen: ")
    erased = stderr.index("\r\x1b[K", last)  # the line is erased before anything else
    assert erased < stderr.rindex("(0 errors")


@pytest.mark.parametrize(
    ("extra", "tty"),
    [(("-q",), True), (("--format", "json"), True), ((), False)],
    ids=["quiet", "json", "not-a-terminal"],
)
def test_no_progress_when_quiet_machine_read_or_not_a_terminal(
    extra: tuple[str, ...], tty: bool
) -> None:
    stderr = run("validate", str(SPEC), *extra, tty=tty)
    assert "sdkgen: " not in stderr
    assert "\x1b[K" not in stderr


def test_no_progress_for_a_short_run() -> None:
    stderr = run("validate", str(SPEC), delay="30")
    assert "sdkgen: " not in stderr
    assert "validated" in stderr
