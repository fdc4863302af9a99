"""The `sdkgen` command line: each command reads as the pipeline it runs.

Stage modules (build, render, lint...) are imported where they are used: `generate` forks the
checks' worker as soon as the document is loaded (unless their result is cached), and whatever
is imported before that is on every run's critical path.

Exit codes: 0 success; 1 the document or the output is not acceptable (unreadable, invalid,
errors, drift; with `--strict`, warnings too); 2 usage error (click). Problems are printed one
per line on stderr as `SEVERITY CODE file#pointer: message`, or as one JSON object on stdout
with `--format json`. Bad input never produces a traceback; an internal error prints one line
(and the traceback with -v) and exits 1.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator import __version__, config, load, naming, overlay, progress, validate, workers
from generator.cache import Cache, default_root, installed_version
from generator.diagnostics import Diagnostic, Fatal, Severity, error, has_errors
from generator.reporting import Reporter, handles_errors

if TYPE_CHECKING:
    from generator import diff as api_diff
    from generator import ir

F = TypeVar("F", bound=Callable[..., None])
# What the checks' results depend on besides the document: part of their cache key.
CHECK_PACKAGES = ("openapi_spec_validator", "openapi_schema_validator", "jsonschema_rs")


def common_options(command: F) -> F:
    return _options(command, click.argument("spec", required=False))


def _options(command: F, argument: Callable[[Any], Any]) -> F:
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "json"]),
            default="text",
            help="Diagnostics as text lines on stderr, or one JSON object on stdout.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No summary line."),
        click.option("-v", "--verbose", count=True, help="Also print notes."),
        click.option("--strict", is_flag=True, help="Treat warnings as errors."),
        click.option(
            "--overlay",
            "overlays",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="An OpenAPI Overlay 1.0 file to apply (repeatable; after [tool.sdkgen] overlays).",
        ),
        allow_url_option(),
        argument,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def allow_url_option() -> Callable[[F], F]:
    return click.option(
        "--allow-url",
        "allow_urls",
        multiple=True,
        callback=_check_prefixes,
        help="Follow $refs to URLs under this prefix (repeatable; after [tool.sdkgen] allow-urls).",
    )


def _check_prefixes(_: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Any:
    from generator import confine

    for prefix in value:
        problem = confine.check_prefix(prefix)
        if problem:
            raise click.BadParameter(problem, param=param)
    return value


@click.group()
@click.version_option(__version__, prog_name="sdkgen")
def main() -> None:
    """Generate a typed Python client from an OpenAPI 3.0 document."""


def specs_options(command: F) -> F:
    """`generate`'s options: SPEC... (several documents make one client)."""
    return _options(command, click.argument("specs", nargs=-1))


@main.command()
@specs_options
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
@click.option("--package-version", help="The generated package's version (default: see README).")
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    help="Several SPECs: the group prefix of each, in order (default: from the file names).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write sdkgen's cache.")
@click.option(
    "--discard-edits",
    is_flag=True,
    help="Overwrite (or remove) generated files that were edited by hand.",
)
@click.option(
    "--layout",
    type=click.Choice(["project", "package"]),
    default="project",
    help="project: pyproject.toml, README.md, tests/ and the package; package: the package "
    "alone, for vendoring (-o is then the package directory).",
)
@handles_errors
def generate(
    *,
    specs: tuple[str, ...],
    prefixes: tuple[str, ...],
    overlays: tuple[str, ...],
    output: Path | None,
    package_name: str | None,
    env_prefix: str | None,
    check: bool,
    skip_validation: bool,
    include_unused: bool,
    package_version: str | None,
    layout: str,
    no_cache: bool,
    discard_edits: bool,
    allow_urls: tuple[str, ...],
    reporter: Reporter,
    **_: Any,
) -> None:
    """Generate the client for SPEC (default: the job in [tool.sdkgen]); several SPECs (or a
    `documents` list in [tool.sdkgen]) make one client."""
    arguments = dict(locals())  # docset.generate takes the same arguments
    if docset_wanted(specs):
        from generator import docset

        docset.generate(**{k: v for k, v in arguments.items() if k != "_"})
        return
    if prefixes:
        raise click.UsageError("--prefix names the group prefix of each of several SPECs")
    spec = specs[0] if specs else None
    cache = Cache(None if no_cache else default_root())
    settings, document = prepare(spec, overlays, reporter, allow_urls=allow_urls)
    checked = start_checks(document, validation=not skip_validation, cache=cache)
    progress.stage("building the client (validation runs beside it)")
    job = resolve_job(settings, document, output, package_name, env_prefix)
    options = Options(job.package_name, job.env_prefix, include_unused, package_version, layout)
    options = dataclasses.replace(options, formatter=settings.formatter)
    try:  # while the checks run in a worker
        files, found, counts = generated(document, options, cache)
    except Fatal:  # the checks' errors say more about an invalid document than the builder's
        reporter.add(checked(), document.source)
        reporter.stop_on_errors(unacceptable(document, reporter, skip_validation))
        raise
    progress.stage("validating" if not skip_validation else "checking")
    reporter.add(checked(), document.source)
    reporter.stop_on_errors(unacceptable(document, reporter, skip_validation))
    reporter.add(found, document.source)
    reporter.stop_on_errors(f"{document.source} cannot be generated")
    result = {"output": str(job.output), "package": job.package_name, **counts}
    result["files"] = len(files)
    if check:
        report_drift(files, job.output, reporter, result, show_diff=reporter.verbose > 0)
    from generator import write

    progress.stage("writing")
    reporter.add(write.write(files, job.output, discard_edits=discard_edits))
    if cache.wrote:
        cache.trim()
    reporter.finish(
        f"generated {job.package_name} in {job.output}: {result['operations']} operations, "
        f"{result['models']} models, {result['enums']} enums",
        result,
        failed=False,
    )


def docset_wanted(specs: tuple[str, ...]) -> bool:
    """Several SPECs, or none and a `documents` list in [tool.sdkgen]."""
    return len(specs) > 1 or (not specs and bool(config.read(Path.cwd()).documents))


def unacceptable(document: load.Document, reporter: Reporter, skip_validation: bool) -> str:
    """The summary of a refused document: names --skip-validation only when it would help."""
    helps = not skip_validation and validate.skipping_helps(reporter.diagnostics)
    hint = " (--skip-validation generates anyway)" if helps else ""
    return f"{document.source} is not acceptable{hint}"


@dataclasses.dataclass(frozen=True)
class Options:
    package_name: str
    env_prefix: str
    include_unused: bool
    package_version: str | None
    layout: str
    formatter: str = "ruff"


def generated(
    document: load.Document, options: Options, cache: Cache
) -> tuple[dict[PurePosixPath, str], list[Diagnostic], dict[str, int]]:
    """build -> render -> format: the files, the builder's diagnostics and what was counted.
    The whole result is cached by the document's and overlays' digests, the options and the
    formatter's version (and, as every entry, sdkgen's code): an unchanged job needs neither
    Jinja2 nor the IR."""
    try:
        tool = installed_version(options.formatter)
    except ImportError:  # black, an optional dependency: format.black_format says so
        tool = "not installed"
    key = (document.sha256, repr(document.overlays), repr(options), tool)
    hit = cache.get("generate", *key)
    if hit is not None:
        saved = json.loads(hit)
        files = {PurePosixPath(p): text for p, text in saved["files"].items()}
        return files, [diagnostic_from_json(d) for d in saved["found"]], saved["counts"]
    from generator import build, render, write
    from generator.format import black_format, format_files

    api, found = build.build(
        document.data,
        package_name=options.package_name,
        env_prefix=options.env_prefix,
        include_unused=options.include_unused,
    )
    progress.stage("rendering")
    rendered = render.render(
        api,
        generator_version=__version__,
        spec_sha256=document.sha256,
        overlays=document.overlays,
        spec_files=document.files,
        version=options.package_version,
        layout=options.layout,
        cache_root=cache.root,
    )
    progress.stage(f"formatting ({options.formatter})")
    formatter = black_format if options.formatter == "black" else format_files
    files = formatter(rendered, cache, render.runtime_paths(api.package_name, options.layout))
    files[PurePosixPath(write.MANIFEST)] = write.manifest(
        files, version=__version__, spec_sha256=document.sha256
    )
    counts = {
        "operations": sum(len(g.operations) for g in api.groups),
        "models": len(api.models),
        "enums": len(api.enums),
    }
    saved = {
        "files": {str(p): text for p, text in files.items()},
        "found": [d.as_json() for d in found],
        "counts": counts,
    }
    cache.put("generate", json.dumps(saved), *key)
    return files, found, counts


@main.command(name="validate")
@common_options
@handles_errors
def validate_command(
    *,
    spec: str | None,
    overlays: tuple[str, ...],
    allow_urls: tuple[str, ...],
    reporter: Reporter,
    **_: Any,
) -> None:
    """Validate SPEC (default: the job in [tool.sdkgen]) and lint it."""
    if spec is None and docset_wanted(()):
        from generator import docset

        docset.report_checks(overlays, allow_urls, reporter, validation=True, verb="validated")
        return
    document = prepare(spec, overlays, reporter, allow_urls=allow_urls)[1]
    report_checks(document, reporter, validation=True, verb="validated")


@main.command(name="lint")
@common_options
@handles_errors
def lint_command(
    *,
    spec: str | None,
    overlays: tuple[str, ...],
    allow_urls: tuple[str, ...],
    reporter: Reporter,
    **_: Any,
) -> None:
    """Report the quirks of SPEC (default: the job in [tool.sdkgen]) without validating it."""
    if spec is None and docset_wanted(()):
        from generator import docset

        docset.report_checks(overlays, allow_urls, reporter, validation=False, verb="linted")
        return
    document = prepare(spec, overlays, reporter, allow_urls=allow_urls)[1]
    report_checks(document, reporter, validation=False, verb="linted")


def report_checks(
    document: load.Document, reporter: Reporter, *, validation: bool, verb: str
) -> None:
    """`validate` and `lint`: the checks, then what building the IR finds; never writes."""
    progress.stage("validating" if validation else "linting")
    reporter.add(
        start_checks(document, validation=validation, cache=Cache(None))(), document.source
    )
    from generator import build

    progress.stage("building the client")

    found = build.build(document.data, package_name="client", env_prefix="API")[1]
    reporter.add(found, document.source)
    failed = has_errors(reporter.diagnostics)
    reporter.finish(f"{verb} {document.source}", {"source": document.source}, failed=failed)


def prepare(
    spec: str | None,
    overlays: tuple[str, ...],
    reporter: Reporter,
    *,
    use_config: bool = False,
    allow_urls: tuple[str, ...] = (),
) -> tuple[config.Config, load.Document]:
    """load (bundling a document split over files) -> overlay: the document with the job's
    overlays, then the command line's, applied. `[tool.sdkgen]` (overlays, silenced codes,
    allowed URLs) applies to the default job (no SPEC), and to any SPEC with `use_config`
    (diff, which compares versions of the configured spec)."""
    configured = spec is None or use_config
    settings = config.read(Path.cwd()) if configured else config.Config(root=Path.cwd())
    reporter.silenced = settings.silence
    allowed = settings.allow_urls + allow_urls
    document = load.load(spec, allowed) if spec else config.pinned_spec(settings, allowed)
    reporter.locate = document.locate
    reporter.add(list(document.notes), document.source)
    return settings, with_overlays(document, settings, overlays, reporter)


def with_overlays(
    document: load.Document, settings: config.Config, overlays: tuple[str, ...], reporter: Reporter
) -> load.Document:
    paths = [str(settings.root / p) for p in settings.overlays] + list(overlays)
    data, found = document.data, list[Diagnostic]()
    if not load.is_json(document.source) or document.files:  # JSON keys are strings already
        data, found = validate.string_keys(document.data)
    reporter.add(found, document.source)
    for path in paths:
        data, found = overlay.apply(data, path)
        reporter.add(found)
    reporter.stop_on_errors("an overlay could not be applied")
    overlay_digests = tuple((Path(p).name, load.sha256_of(p)) for p in paths)
    return dataclasses.replace(document, data=data, overlays=overlay_digests)


@main.command(name="diff")
@click.argument("old")
@click.argument("new")
@click.argument("more", nargs=-1)
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="An overlay applied to both documents (after [tool.sdkgen] overlays).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "unannounced"]),
    help="Exit 1 on a breaking change (unannounced: unless the spec's major version grew).",
)
@click.option("-q", "--quiet", is_flag=True, help="No diagnostics summary.")
@allow_url_option()
@handles_errors
def diff_command(
    *,
    old: str,
    new: str,
    more: tuple[str, ...],
    overlays: tuple[str, ...],
    fail_on: str | None,
    allow_urls: tuple[str, ...],
    reporter: Reporter,
    **_: Any,
) -> None:
    """Compare OLD and NEW (paths or URLs) at the level of the generated client; more pairs
    (OLD NEW OLD NEW...) compare the clients made of several documents."""
    from generator import diff as api_diff

    if more:
        if len(more) % 2:
            raise click.UsageError("documents of a set are compared in pairs: OLD NEW [OLD NEW]...")
        from generator import docset

        names = (old, new, *more)
        pairs = list(zip(names[::2], names[1::2], strict=True))
        apis = list(docset.diff_apis(pairs, overlays, allow_urls, reporter))
    else:
        apis = [
            api_of(prepare(spec, overlays, reporter, use_config=True, allow_urls=allow_urls))
            for spec in (old, new)
        ]
    changes = api_diff.diff(*apis)
    click.echo(render_diff(changes, reporter.fmt, apis[0], apis[1]))
    for d in reporter.diagnostics:
        click.echo(d.render(), err=True)
    sys.exit(1 if diff_fails(changes, fail_on, apis[0], apis[1]) else 0)


@main.command(name="fetch")
@click.option("--update", is_flag=True, help="Re-pin spec-sha256 (and spec-url with --url).")
@click.option("--url", help="Download from here instead of spec-url.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "unannounced"]),
    help="With --update: refuse to re-pin (exit 1) on a breaking change.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
@handles_errors
def fetch_command(
    *, update: bool, url: str | None, fail_on: str | None, reporter: Reporter, **_: Any
) -> None:
    """Download the configured spec, check it against the pin; with --update, re-pin it."""
    settings = config.read(Path.cwd())
    source = url or settings.spec_url
    if settings.documents:
        from generator import docset

        docset.fetch(update=update, url=url, fail_on=fail_on, reporter=reporter)
        return
    if not settings.spec or not source:
        raise click.UsageError("fetch needs `spec` and `spec-url` (or --url) in [tool.sdkgen]")
    raw = load.read_bytes(source)
    new = load.document(raw, source, settings.allow_urls)
    if new.sha256 == settings.spec_sha256:
        config.save_document(settings.root / settings.spec, new, raw)
        if not reporter.quiet:
            click.echo(f"{settings.spec} is up to date (sha256 {new.sha256})", err=True)
        return
    if not update:
        message = f"upstream sha256 {new.sha256} differs from the pinned {settings.spec_sha256}; "
        raise Fatal([error("SDK022", "#", message + "`sdkgen fetch --update` re-pins", source)])
    try:
        old = config.pinned_spec(settings)
    except Fatal:  # no copy of the pinned document is left to compare with
        old = None
    if old is not None:
        from generator import diff as api_diff

        apis = [api_of((settings, with_overlays(d, settings, (), reporter))) for d in (old, new)]
        changes = api_diff.diff(*apis)
        click.echo(render_diff(changes, reporter.fmt, apis[0], apis[1]))
        if diff_fails(changes, fail_on, apis[0], apis[1]):
            raise Fatal([error("SDK023", "#", "breaking changes: the pin was not updated", source)])
    elif fail_on is not None:
        message = "the previously pinned document is not available, so the change cannot be checked"
        raise Fatal([error("SDK023", "#", message, source)])
    config.save_document(settings.root / settings.spec, new, raw)
    config.repin(settings.root / "pyproject.toml", new.sha256, url)
    if not reporter.quiet:
        click.echo(f"re-pinned {settings.spec} to sha256 {new.sha256}", err=True)


def diff_fails(
    changes: list[api_diff.Change], fail_on: str | None, old: ir.Api, new: ir.Api
) -> bool:
    """`--fail-on breaking`: any breaking change; `unannounced`: one while the spec's major
    version did not grow."""
    if not any(c.breaking for c in changes) or fail_on is None:
        return False
    return fail_on == "breaking" or _major(new.spec_version) <= _major(old.spec_version)


def api_of(prepared: tuple[config.Config, load.Document]) -> ir.Api:
    from generator import build

    settings, document = prepared
    name = settings.package_name or "client"
    return build.build(document.data, package_name=name, env_prefix="API")[0]


def render_diff(changes: list[api_diff.Change], fmt: str, old: ir.Api, new: ir.Api) -> str:
    from generator import diff as api_diff

    if fmt == "json":
        return api_diff.as_json(changes, old.spec_version, new.spec_version)
    if fmt == "markdown":
        title = f"{new.title} {new.spec_version} (was {old.spec_version})"
        return api_diff.as_markdown(changes, title)
    return api_diff.as_text(changes)


def _major(version: str) -> int:
    from generator import render

    digits = render.version_numbers(version)
    return digits[0] if digits else 0


def start_checks(
    document: load.Document, *, validation: bool, cache: Cache
) -> Callable[[], list[Diagnostic]]:
    """validate and lint, each started in a worker: extension misuse and validation errors,
    then the quirk detectors (lint may import openapi-schema-validator, 0.25 s, for examples
    `conforms` cannot vouch for, so it does not wait for validation). The result is cached by
    the document's and overlays' digests and the validators' versions; the returned function
    waits for it."""
    key = (
        document.sha256,
        repr(document.overlays),
        str(validation),
        *map(installed_version, CHECK_PACKAGES),
    )
    hit = cache.get("check", *key)
    if hit is not None:
        found = [diagnostic_from_json(d) for d in json.loads(hit)]
        return lambda: found
    data = workers.Shared(document.data)  # inherited by the workers, not pickled
    validated = workers.submit(run_validation, data, validation)
    linted = workers.submit(run_lint, data)

    def result() -> list[Diagnostic]:
        found = validated() + linted()
        cache.put("check", json.dumps([d.as_json() for d in found]), *key)
        return found

    return result


def run_validation(shared: workers.Shared[dict[str, Any]], validation: bool) -> list[Diagnostic]:
    from generator import extensions

    data = shared.get()
    found = extensions.check(data)
    return found + (validate.validate(data) if validation else validate.external_refs(data))


def run_lint(shared: workers.Shared[dict[str, Any]]) -> list[Diagnostic]:
    from generator import lint

    return lint.lint(shared.get())


@dataclasses.dataclass(frozen=True)
class Job:
    output: Path
    package_name: str
    env_prefix: str


def resolve_job(
    settings: config.Config,
    document: load.Document,
    output: Path | None,
    package_name: str | None,
    env_prefix: str | None,
) -> Job:
    """Names and places: CLI options first, then `[tool.sdkgen]`, then derived from the title."""
    info = document.data.get("info")
    title = str(info.get("title", "")) if isinstance(info, dict) else ""
    if package_name is not None and not package_name.strip():  # say, an unset CI variable
        raise click.BadParameter("the package name is empty", param_hint="--package-name")
    name = package_name or settings.package_name
    if not name:  # derived from the title: made safe rather than refused
        name = naming.snake(title, "client")
        if not naming.is_identifier(name) or name in naming.TAKEN_MODULES:
            name += "_client"
    if not naming.is_identifier(name) or name.startswith("_"):
        message = f"{name!r} is not a valid Python package name"
        raise click.BadParameter(message, param_hint="--package-name")
    if name in naming.TAKEN_MODULES:
        message = f"{name!r} would shadow a module the client imports or the standard library"
        raise click.BadParameter(message, param_hint="--package-name")
    first_word = title.split(" ", maxsplit=1)[0]
    prefix = env_prefix or settings.env_prefix or naming.constant(first_word, "API")
    if not naming.is_identifier(prefix):
        message = f"{prefix!r} is not a valid environment variable prefix"
        raise click.BadParameter(message, param_hint="--env-prefix")
    default_out = settings.root / settings.output if settings.output else Path("generated") / name
    return Job(output or default_out, name, prefix)


def diagnostic_from_json(d: dict[str, str]) -> Diagnostic:
    return Diagnostic(Severity(d["severity"]), d["code"], d["pointer"], d["message"], d["file"])


def report_drift(
    files: dict[Any, str], out: Path, reporter: Reporter, result: dict[str, Any], show_diff: bool
) -> None:
    """`--check`: list what differs from the tree on disk (with -v, as a unified diff, and the
    files sdkgen did not write) and stop (exit 1 on drift)."""
    from generator import write

    drift = write.compare(files, out)
    progress.stop()
    if reporter.fmt == "text":
        for label in ("added", "removed", "changed"):
            for path in getattr(drift, label):
                click.echo(f"{label}: {path}", err=True)
        if drift.interrupted:
            click.echo(
                "interrupted: a run was interrupted; the next generate completes it", err=True
            )
        if show_diff:
            for path in drift.added + drift.removed + drift.changed:
                click.echo(write.unified_diff(files, out, path), err=True, nl=False)
            for path in drift.foreign:
                click.echo(f"not sdkgen's (left alone): {path}", err=True)
    result.update(dataclasses.asdict(drift))
    failed = bool(drift.added or drift.removed or drift.changed or drift.interrupted)
    summary = f"{out} is {'out of date' if failed else 'up to date'}"
    if drift.foreign and not show_diff:
        one = len(drift.foreign) == 1
        summary += (
            f"; {len(drift.foreign)} {'entry' if one else 'entries'} sdkgen did not write "
            f"{'is' if one else 'are'} left alone (-v lists {'it' if one else 'them'})"
        )
    reporter.finish(summary, result, failed=failed)
    sys.exit(0)
