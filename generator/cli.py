"""The `sdkgen` command line: each command reads as the pipeline it runs.

Exit codes: 0 success; 1 the document or the output is not acceptable (unreadable, invalid,
errors, drift); 2 usage error (click). Problems are printed one per line on stderr as
`SEVERITY CODE pointer: message`, or as one JSON object on stdout with `--format json`.
Bad input never produces a traceback; an internal error prints one line (and the traceback
with -v) and exits 1.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator import __version__, build, config, load, naming, render, validate, write
from generator.diagnostics import Diagnostic, Fatal, Severity, has_errors
from generator.format import format_files

F = TypeVar("F", bound=Callable[..., None])


@dataclasses.dataclass(frozen=True)
class Job:
    document: load.Document
    output: Path
    package_name: str
    env_prefix: str


@dataclasses.dataclass
class Reporter:
    fmt: str
    quiet: bool
    verbose: int
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)

    def add(self, found: list[Diagnostic], source: str = "") -> None:
        self.diagnostics += [dataclasses.replace(d, file=d.file or source) for d in found]

    def finish(self, summary: str, result: dict[str, Any], failed: bool) -> None:
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


def handles_errors(command: F) -> F:
    """Turn `Fatal` into printed diagnostics and exit 1; never show a traceback for bad input."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        reporter = Reporter(
            kwargs.get("fmt", "text"), kwargs.get("quiet", False), kwargs.get("verbose", 0)
        )
        try:
            command(*args, reporter=reporter, **kwargs)
        except Fatal as exc:
            reporter.add(list(exc.diagnostics))
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

    return wrapper  # type: ignore[return-value]


def output_options(command: F) -> F:
    command = click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        help="Diagnostics as text lines on stderr, or one JSON object on stdout.",
    )(command)
    command = click.option("-q", "--quiet", is_flag=True, help="No summary line.")(command)
    return click.option("-v", "--verbose", count=True, help="Also print notes.")(command)


@click.group()
@click.version_option(__version__, prog_name="sdkgen")
def main() -> None:
    """Generate a typed Python client from an OpenAPI 3.0 document."""


@main.command()
@click.argument("spec", required=False)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Directory of the generated project."
)
@click.option("--package-name", help="Import name of the generated package.")
@click.option("--env-prefix", help="Prefix of the client's environment variables (PREFIX_API_KEY).")
@click.option(
    "--check",
    is_flag=True,
    help="Compare with the tree on disk instead of writing; exit 1 on drift.",
)
@click.option("--skip-validation", is_flag=True, help="Generate even if the document is invalid.")
@click.option("--include-unused", is_flag=True, help="Also generate schemas no operation reaches.")
@output_options
@handles_errors
def generate(
    *,
    spec: str | None,
    output: Path | None,
    package_name: str | None,
    env_prefix: str | None,
    check: bool,
    skip_validation: bool,
    include_unused: bool,
    reporter: Reporter,
    **_: Any,
) -> None:
    """Generate the client for SPEC (default: the job in [tool.sdkgen])."""
    job = resolve_job(spec, output, package_name, env_prefix)
    run_validation(job.document, reporter, skip=skip_validation)
    api, found = build.build(
        job.document.data,
        package_name=job.package_name,
        env_prefix=job.env_prefix,
        include_unused=include_unused,
    )
    reporter.add(found, job.document.source)
    files = format_files(
        render.render(api, generator_version=__version__, spec_sha256=job.document.sha256)
    )
    operations = sum(len(g.operations) for g in api.groups)
    result = {
        "output": str(job.output),
        "package": api.package_name,
        "operations": operations,
        "models": len(api.models),
        "enums": len(api.enums),
        "files": len(files),
    }
    if check:
        report_drift(files, job.output, reporter, result)
        return
    write.write(files, job.output)
    summary = (
        f"generated {api.package_name} in {job.output}: {operations} operations, "
        f"{len(api.models)} models, {len(api.enums)} enums"
    )
    reporter.finish(summary, result, failed=False)


@main.command(name="validate")
@click.argument("spec", required=False)
@output_options
@handles_errors
def validate_command(spec: str | None, reporter: Reporter, **_: Any) -> None:
    """Validate SPEC (default: the pinned spec of [tool.sdkgen]) and report its problems."""
    document = load.load(spec) if spec else config.pinned_spec(config.read(Path.cwd()))
    run_validation(document, reporter, skip=False)
    found = build.build(document.data, package_name="client", env_prefix="API")[1]
    reporter.add(found, document.source)
    reporter.finish(
        f"validated {document.source}",
        {"source": document.source},
        failed=has_errors(reporter.diagnostics),
    )


def run_validation(document: load.Document, reporter: Reporter, *, skip: bool) -> None:
    found = validate.external_refs(document.data) if skip else validate.validate(document.data)
    reporter.add(found, document.source)
    if has_errors(found):
        hint = "" if skip else " (--skip-validation generates anyway)"
        reporter.finish(f"{document.source} is not a valid OpenAPI document{hint}", {}, failed=True)


def resolve_job(
    spec: str | None, output: Path | None, package_name: str | None, env_prefix: str | None
) -> Job:
    """CLI options first; `[tool.sdkgen]` only for the default job (no SPEC given)."""
    settings = config.read(Path.cwd()) if spec is None else config.Config(root=Path.cwd())
    document = load.load(spec) if spec else config.pinned_spec(settings)
    title = str(
        document.data.get("info", {}).get("title", "")
        if isinstance(document.data.get("info"), dict)
        else ""
    )
    name = package_name or settings.package_name or naming.snake(title, "client")
    if not naming.is_identifier(name) or name.startswith("_"):
        raise click.BadParameter(
            f"{name!r} is not a valid Python package name", param_hint="--package-name"
        )
    first_word = title.split(" ", maxsplit=1)[0]
    prefix = env_prefix or settings.env_prefix or naming.constant(first_word, "API")
    if not naming.is_identifier(prefix):
        raise click.BadParameter(
            f"{prefix!r} is not a valid environment variable prefix", param_hint="--env-prefix"
        )
    out = output or (
        settings.root / settings.output if settings.output else Path("generated") / name
    )
    return Job(document, out, name, prefix)


def report_drift(
    files: dict[Any, str], out: Path, reporter: Reporter, result: dict[str, Any]
) -> None:
    added, removed, changed = write.compare(files, out)
    if reporter.fmt == "text":
        for label, paths in (("added", added), ("removed", removed), ("changed", changed)):
            for path in paths:
                click.echo(f"{label}: {path}", err=True)
    result.update({"added": added, "removed": removed, "changed": changed})
    drift = bool(added or removed or changed)
    summary = f"{out} is {'out of date' if drift else 'up to date'}"
    reporter.finish(summary, result, failed=drift)
