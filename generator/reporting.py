"""Reporting a command's diagnostics: silenced ones dropped, warnings raised to errors with
`--strict`, each named by the file it is about (for a document split over files, through the
bundler's map), printed one per line on stderr or as one JSON object on stdout."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

import click

from generator import progress
from generator.diagnostics import Diagnostic, Severity, has_errors


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
