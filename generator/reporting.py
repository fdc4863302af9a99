"""Reporting a command's diagnostics: silenced ones dropped, warnings raised to errors with
`--strict`, each named by the file it is about (for a document split over files, through the
bundler's map), printed one per line on stderr or as one JSON object on stdout; and how every
command ends (`handles_errors`): `Fatal` and OS errors as diagnostics with exit 1, SIGTERM
through every `finally`, an internal error as one line, never a traceback for bad input."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import click

from generator import progress
from generator.diagnostics import Diagnostic, Fatal, Severity, error, has_errors


@dataclasses.dataclass
class Reporter:
    """Collects diagnostics (silenced codes dropped, warnings raised to errors with --strict)
    and prints them with the command's summary."""

    fmt: str = "text"
    quiet: bool = False
    verbose: int = 0
    strict: bool = False
    silenced: Mapping[str, str] = dataclasses.field(default_factory=dict)
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)
    # For a document split over files: a pointer of the bundled document -> (file, pointer)
    locate: Callable[[str], tuple[str, str]] | None = None

    def add(self, found: list[Diagnostic], source: str = "") -> None:
        for d in found:
            file, where = d.file, d.pointer
            if not file and self.locate is not None:
                file, where = self.locate(d.pointer)
            if self.is_silenced(d, file, where):
                continue
            raised = self.strict and d.severity is Severity.WARNING
            severity = Severity.ERROR if raised else d.severity
            self.diagnostics.append(
                dataclasses.replace(d, severity=severity, file=file or source, pointer=where)
            )

    def is_silenced(self, d: Diagnostic, file: str = "", where: str = "") -> bool:
        """A `silence` key is a code (`SDK108`), or a code and a pointer prefix
        (`SDK106 #/paths/~1jobs`) to silence it in one place only. For a document split over
        files, the prefix may also name the file, as the diagnostic does, by the end of its
        path (`SDK107 schemas/Order.yaml#/properties`)."""
        for key in self.silenced:
            code, _, prefix = key.partition(" ")
            named, _, pointer = prefix.strip().partition("#")
            if code != d.code:
                continue
            if not named and d.pointer.startswith(prefix.strip()):
                return True
            if named and f"/{file}".endswith(f"/{named}") and where.startswith("#" + pointer):
                return True
        return False

    def stop_on_errors(self, summary: str) -> None:
        if has_errors(self.diagnostics):
            self.finish(summary, {}, failed=True)

    def finish(self, summary: str, result: dict[str, Any], failed: bool) -> None:
        progress.stop()
        if self.fmt == "json":
            payload = {
                "version": 1,
                "ok": not failed,
                "result": result,
                "diagnostics": [d.as_json() for d in self.diagnostics],
            }
            click.echo(json.dumps(payload, indent=2))
        else:
            shown = [d for d in self.diagnostics if d.severity is not Severity.INFO or self.verbose]
            for diagnostic in shown:
                click.echo(diagnostic.render(), err=True)
            if not self.quiet:
                click.echo(f"{summary} ({self.counts()})", err=True)
        if failed:
            sys.exit(1)

    def counts(self) -> str:
        count = {s: sum(d.severity is s for d in self.diagnostics) for s in Severity}
        errors, warnings, notes = (count[s] for s in Severity)
        return f"{errors} errors, {warnings} warnings, {notes} notes"


F = TypeVar("F", bound=Callable[..., None])
PROGRESS_COMMANDS = frozenset({"generate", "validate_command", "lint_command"})


def handles_errors(command: F) -> F:
    """Turn `Fatal` into printed diagnostics and exit 1; never show a traceback for bad input."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        reporter = Reporter(
            kwargs.get("fmt", "text"),
            kwargs.get("quiet", False),
            kwargs.get("verbose", 0),
            kwargs.get("strict", False),
        )
        shows_progress = command.__name__ in PROGRESS_COMMANDS and not reporter.quiet
        progress.start(shows_progress and reporter.fmt == "text")
        try:
            with _terminated_cleanly():
                command(*args, reporter=reporter, **kwargs)
        except Fatal as exc:
            reporter.add(list(exc.diagnostics))
            reporter.finish("failed", {}, failed=True)
        except OSError as exc:  # wherever it happens: the file and the OS's reason, never a bug
            if reporter.verbose > 1:
                traceback.print_exc()
            where = exc.filename or "a file"
            reporter.add([error("SDK903", "#", f"cannot use {where}: {exc.strerror or exc}")])
            reporter.finish("failed", {}, failed=True)
        except (KeyboardInterrupt, SystemExit, click.exceptions.Exit, click.ClickException):
            raise  # click turns usage errors into exit code 2
        except Exception as exc:
            if reporter.verbose:
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (please report this)", err=True
            )
            sys.exit(1)
        finally:
            progress.stop()

    return wrapper  # type: ignore[return-value]


class Terminated(SystemExit):
    """SIGTERM, raised where the program is so that every `finally` runs (temporary files,
    the output's lock); exit status 143 as for a process the signal ends."""


@contextlib.contextmanager
def _terminated_cleanly() -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Terminated(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
