"""Diagnostics: every problem found in an input, with a location.

A diagnostic names a severity, a stable code, a JSON pointer into the source document and a
one-line message. Stages collect them instead of stopping at the first; the CLI prints them.
`Fatal` carries diagnostics out of a stage that cannot go on (an unreadable file, an invalid
document), so the CLI can print them and exit 1 without a traceback.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Iterable


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclasses.dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: str
    pointer: str
    message: str
    file: str = ""

    def render(self) -> str:
        where = f"{self.file}{self.pointer}" if self.file else self.pointer
        return f"{self.severity.name} {self.code} {where}: {self.message}"

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "file": self.file,
            "pointer": self.pointer,
            "message": self.message,
        }


class Fatal(Exception):
    """A stage cannot go on; the diagnostics say why."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("; ".join(d.render() for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[Fatal], tuple[tuple[Diagnostic, ...]]]:
        return (Fatal, (self.diagnostics,))  # so it survives the trip back from a worker


def error(code: str, pointer: str, message: str, file: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, pointer, message, file)


def warning(code: str, pointer: str, message: str, file: str = "") -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, pointer, message, file)


def info(code: str, pointer: str, message: str, file: str = "") -> Diagnostic:
    return Diagnostic(Severity.INFO, code, pointer, message, file)


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) in URI-fragment form: pointer("paths", "/a") == "#/paths/~1a"."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped) if parts else "#"


def join(base: str, *parts: str | int) -> str:
    """Extend a pointer made by `pointer`."""
    return base.rstrip("/") + pointer(*parts)[1:] if parts else base


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps({"version": 1, "diagnostics": [d.as_json() for d in diagnostics]}, indent=2)
