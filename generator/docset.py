"""Several documents, one client: `sdkgen generate A B C` and `[[tool.sdkgen.documents]]`.

The same pipeline as one document, run over a set: each document is loaded (bundled when split
over files), gets its own overlays and its own checks (validation and lint, in the workers,
each cached by its digest), and its own IR; `generator.merge` makes one IR of them, rendered
once: one package, one runtime, one `Client`. `diff` compares two sets document by document
(`OLD NEW [OLD NEW]...`).

Each document has a group prefix: the one configured, or one derived from its file name
(`twilio_lookups_v2.json` -> `lookups_v2` when every file of the set starts with `twilio_`).
Bad sets are refused before anything is built: a document given twice (the same file, or the
same bytes: SDK047), two documents with one prefix, or a prefix that is no identifier (SDK046).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from generator import __version__, cli, config, load, naming, progress, workers
from generator.cache import Cache, default_root, installed_version
from generator.diagnostics import Diagnostic, Fatal, error, has_errors
from generator.reporting import Reporter

if TYPE_CHECKING:
    from generator import ir, merge


@dataclasses.dataclass(frozen=True)
class Member:
    """One document of the set, loaded and overlaid."""

    document: load.Document
    prefix: str
    explicit: bool  # the prefix was configured: every group gets it

    @property
    def name(self) -> str:
        """The document's file name, as provenance lists it."""
        return os.path.basename(urlsplit(self.document.source).path) or self.document.source


# --- the set: entries, prefixes, loading ---------------------------------------------------------


def stem(source: str) -> str:
    name = os.path.basename(urlsplit(source).path) or source
    return naming.snake(name.split(".")[0], "document")


def derived_prefixes(sources: Sequence[str]) -> list[str]:
    """Each file's stem in snake case, without the words every stem of the set starts with
    (`twilio_lookups_v1`, `twilio_verify_v2` -> `lookups_v1`, `verify_v2`); when two stems are
    the same (`shop/openapi.yaml`, `billing/openapi.yaml`), each file's directory name."""
    stems = [stem(s) for s in sources]
    if len(set(stems)) < len(stems):
        stems = [stem(os.path.dirname(urlsplit(s).path.rstrip("/")) or s) for s in sources]
    words = [s.split("_") for s in stems]
    common = 0
    if len(words) > 1:
        while all(len(w) > common + 1 and w[common] == words[0][common] for w in words):
            common += 1
    return ["_".join(w[common:]) for w in words]


def _check_prefixes(entries: Sequence[config.Entry], prefixes: Sequence[str]) -> None:
    owner: dict[str, str] = {}
    for entry, prefix in zip(entries, prefixes, strict=True):
        if not naming.is_identifier(prefix) or prefix != naming.snake(prefix) or prefix[0] == "_":
            message = f"group prefix {prefix!r} of {entry.spec} is not a snake_case identifier"
            raise Fatal([error("SDK046", "#", message)])
        if prefix in owner:
            how = "" if entry.prefix else " (derived from the file names)"
            message = (
                f"{owner[prefix]} and {entry.spec} have the same group prefix {prefix!r}{how}: "
                "give each document its own `prefix`"
            )
            raise Fatal([error("SDK046", "#", message)])
        owner[prefix] = entry.spec


def _check_duplicates(entries: Sequence[config.Entry], root: Path) -> None:
    seen: dict[str, str] = {}
    for entry in entries:
        key = entry.spec if load.is_url(entry.spec) else os.path.realpath(root / entry.spec)
        if key in seen:
            message = f"{entry.spec} is given twice (also as {seen[key]}): list each document once"
            raise Fatal([error("SDK047", "#", message)])
        seen[key] = entry.spec


def load_members(
    settings: config.Config,
    entries: Sequence[config.Entry],
    cli_overlays: tuple[str, ...],
    reporter: Reporter,
    allow_urls: tuple[str, ...],
    *,
    derived: Sequence[str] = (),
) -> list[Member]:
    """Every document of the set, pinned ones checked, each with its overlays (its own, then
    the command line's) applied; refused as a whole on a bad set. A document without a
    configured prefix gets its `derived` one (default: from the file names)."""
    _check_duplicates(entries, settings.root)
    derived = derived or derived_prefixes([e.spec for e in entries])
    prefixes = [e.prefix or d for e, d in zip(entries, derived, strict=True)]
    _check_prefixes(entries, prefixes)
    allowed = settings.allow_urls + allow_urls
    members: list[Member] = []
    by_digest: dict[str, str] = {}
    for entry, prefix in zip(entries, prefixes, strict=True):
        pinned = _pinned(settings, entry)
        if settings.documents:
            document = config.pinned_spec(pinned, allowed)
        else:
            document = load.load(entry.spec, allowed)
        if document.sha256 in by_digest:
            message = (
                f"{entry.spec} is the same document as {by_digest[document.sha256]} "
                f"(sha256 {document.sha256}): list each document once"
            )
            raise Fatal([error("SDK047", "#", message)])
        by_digest[document.sha256] = entry.spec
        add(reporter, list(document.notes), document)
        document = cli.with_overlays(document, pinned, cli_overlays, reporter)
        members.append(Member(document, prefix, bool(entry.prefix)))
    return members


def _pinned(settings: config.Config, entry: config.Entry) -> config.Config:
    """The job's settings with one document's spec, pin and overlays."""
    return dataclasses.replace(
        settings,
        spec=entry.spec,
        spec_url=entry.spec_url,
        spec_sha256=entry.spec_sha256,
        overlays=entry.overlays,
    )


def add(reporter: Reporter, found: list[Diagnostic], document: load.Document) -> None:
    """Report `found` as diagnostics of `document` (for one split over files: of its files),
    named by their file before they are silenced, so `"SDK108 keys.yaml"` silences one
    document's."""
    if document.locate is None:
        found = [d if d.file else dataclasses.replace(d, file=document.source) for d in found]
    reporter.locate = document.locate
    try:
        reporter.add(found, document.source)
    finally:
        reporter.locate = None


def start_checks(
    members: Sequence[Member], *, validation: bool, cache: Cache
) -> Callable[[], list[list[Diagnostic]]]:
    """Each document's validation and lint in the workers (`cli.start_checks` for a set: every
    document is shared with the workers before the first is submitted)."""
    versions = tuple(map(installed_version, cli.CHECK_PACKAGES))
    keys = [
        (m.document.sha256, repr(m.document.overlays), str(validation), *versions) for m in members
    ]
    hits = [cache.get("check", *key) for key in keys]
    shared = [
        workers.Shared(m.document.data) if hit is None else None
        for m, hit in zip(members, hits, strict=True)
    ]
    pending: list[tuple[Callable[[], list[Diagnostic]], ...]] = []
    for data in shared:
        if data is None:
            pending.append(())
            continue
        validated = workers.submit(cli.run_validation, data, validation)
        pending.append((validated, workers.submit(cli.run_lint, data)))

    def result() -> list[list[Diagnostic]]:
        found = []
        for key, hit, waiting in zip(keys, hits, pending, strict=True):
            if hit is not None:
                found.append([cli.diagnostic_from_json(d) for d in json.loads(hit)])
                continue
            mine = [d for wait in waiting for d in wait()]
            cache.put("check", json.dumps([d.as_json() for d in mine]), *key)
            found.append(mine)
        return found

    return result


# --- build, merge, render -----------------------------------------------------------------------


def set_sha256(members: Sequence[Member]) -> str:
    """The set's digest: sha256 over the lines `file NUL prefix NUL sha256 LF`, in order."""
    lines = "".join(f"{m.name}\0{m.prefix}\0{m.document.sha256}\n" for m in members)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def provenance(members: Sequence[Member], counts: merge.Counts) -> tuple[dict[str, Any], ...]:
    """What the generated package records of each document."""
    return tuple(
        {
            "file": m.name,
            "prefix": m.prefix,
            "sha256": m.document.sha256,
            "overlays": m.document.overlays,
            "groups": groups,
            "server": server,
        }
        for m, groups, server in zip(members, counts.groups, counts.servers, strict=True)
    )


def merged_api(
    members: Sequence[Member], *, package_name: str, env_prefix: str, include_unused: bool = False
) -> tuple[ir.Api, list[list[Diagnostic]], list[Diagnostic], merge.Counts]:
    """Each document's IR (and what building it found), merged (and what merging found)."""
    from generator import build, merge

    parts, found = [], []
    for m in members:
        api, mine = build.build(
            m.document.data,
            package_name=package_name,
            env_prefix=env_prefix,
            include_unused=include_unused,
        )
        parts.append(merge.Part(api, m.prefix, m.explicit, m.document.source))
        found.append(mine)
    api, merged, counts = merge.merge(parts, package_name=package_name, env_prefix=env_prefix)
    return api, found, merged, counts


def generated(
    members: Sequence[Member], options: cli.Options, cache: Cache
) -> tuple[dict[PurePosixPath, str], list[list[Diagnostic]], list[Diagnostic], dict[str, int]]:
    """`cli.generated` for a set: the files, each document's builder diagnostics, the merge's
    and the counts; cached by every document's digest, overlays and prefix."""
    try:
        tool = installed_version(options.formatter)
    except ImportError:
        tool = "not installed"
    each = repr([(m.document.overlays, m.explicit) for m in members])
    key = (set_sha256(members), each, repr(options), tool)
    hit = cache.get("generate-set", *key)
    if hit is not None:
        saved = json.loads(hit)
        files = {PurePosixPath(p): text for p, text in saved["files"].items()}
        found = [[cli.diagnostic_from_json(d) for d in mine] for mine in saved["found"]]
        merged = [cli.diagnostic_from_json(d) for d in saved["merged"]]
        return files, found, merged, saved["counts"]
    from generator import render, write
    from generator.format import black_format, format_files

    api, found, merged, counted = merged_api(
        members,
        package_name=options.package_name,
        env_prefix=options.env_prefix,
        include_unused=options.include_unused,
    )
    progress.stage("rendering")
    digest = set_sha256(members)
    documents = provenance(members, counted)
    rendered = render.render(
        api,
        generator_version=__version__,
        spec_sha256=digest,
        overlays=tuple(o for m in members for o in m.document.overlays),
        documents=documents,
        version=options.package_version,
        layout=options.layout,
        cache_root=cache.root,
    )
    progress.stage(f"formatting ({options.formatter})")
    formatter = black_format if options.formatter == "black" else format_files
    files = formatter(rendered, cache, render.runtime_paths(api.package_name, options.layout))
    files[PurePosixPath(write.MANIFEST)] = write.manifest(
        files,
        version=__version__,
        spec_sha256=digest,
        documents=[{k: d[k] for k in ("file", "prefix", "sha256")} for d in documents],
    )
    counts = {
        "documents": counted.documents,
        "operations": sum(len(g.operations) for g in api.groups),
        "models": len(api.models),
        "enums": len(api.enums),
        "shared": counted.shared,
        "renamed": counted.renamed,
        "prefixed_groups": counted.prefixed_groups,
    }
    saved = {
        "files": {str(p): text for p, text in files.items()},
        "found": [[d.as_json() for d in mine] for mine in found],
        "merged": [d.as_json() for d in merged],
        "counts": counts,
    }
    cache.put("generate-set", json.dumps(saved), *key)
    return files, found, merged, counts


# --- the commands -------------------------------------------------------------------------------


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
) -> None:
    """`sdkgen generate A B ...` or the configured set: one package from every document."""
    cache = Cache(None if no_cache else default_root())
    settings = config.read(Path.cwd()) if not specs else config.Config(root=Path.cwd())
    reporter.silenced = settings.silence
    if prefixes and len(prefixes) != len(specs):
        raise click.UsageError(f"--prefix given {len(prefixes)} times for {len(specs)} SPECs")
    named = prefixes or ("",) * len(specs)
    entries = tuple(config.Entry(spec=s, prefix=p) for s, p in zip(specs, named, strict=True))
    entries = entries or settings.documents
    members = load_members(settings, entries, overlays, reporter, allow_urls)
    reporter.stop_on_errors("an overlay could not be applied")
    checked = start_checks(members, validation=not skip_validation, cache=cache)
    progress.stage(f"building the client of {len(members)} documents")
    job = cli.resolve_job(settings, members[0].document, output, package_name, env_prefix)
    options = cli.Options(job.package_name, job.env_prefix, include_unused, package_version, layout)
    options = dataclasses.replace(options, formatter=settings.formatter)
    try:
        files, found, merged, counts = generated(members, options, cache)
    except Fatal:
        _report_checks(members, checked(), reporter, skip_validation)
        raise
    progress.stage("validating" if not skip_validation else "checking")
    _report_checks(members, checked(), reporter, skip_validation)
    for member, mine in zip(members, found, strict=True):
        add(reporter, mine, member.document)
    reporter.add(merged)
    reporter.stop_on_errors(f"the {len(members)} documents cannot be generated")
    result = {"output": str(job.output), "package": job.package_name, **counts}
    result["files"] = len(files)
    if check:
        cli.report_drift(files, job.output, reporter, result, show_diff=reporter.verbose > 0)
    from generator import write

    progress.stage("writing")
    reporter.add(write.write(files, job.output, discard_edits=discard_edits))
    if cache.wrote:
        cache.trim()
    reporter.finish(
        f"generated {job.package_name} in {job.output} from {counts['documents']} documents: "
        f"{counts['operations']} operations, {counts['models']} models, {counts['enums']} enums "
        f"({counts['shared']} shared definitions generated once, {counts['renamed']} renamed, "
        f"{counts['prefixed_groups']} groups prefixed)",
        result,
        failed=False,
    )


def _report_checks(
    members: Sequence[Member], found: list[list[Diagnostic]], reporter: Reporter, skip: bool
) -> None:
    from generator import validate

    for member, mine in zip(members, found, strict=True):
        add(reporter, mine, member.document)
    helps = not skip and validate.skipping_helps(reporter.diagnostics)
    hint = " (--skip-validation generates anyway)" if helps else ""
    reporter.stop_on_errors(f"a document of the set is not acceptable{hint}")


def report_checks(
    overlays: tuple[str, ...],
    allow_urls: tuple[str, ...],
    reporter: Reporter,
    *,
    validation: bool,
    verb: str,
) -> None:
    """`validate` and `lint` of the configured set: each document's checks, then what building
    and merging the client finds; never writes."""
    settings = config.read(Path.cwd())
    reporter.silenced = settings.silence
    members = load_members(settings, settings.documents, overlays, reporter, allow_urls)
    progress.stage("validating" if validation else "linting")
    checked = start_checks(members, validation=validation, cache=Cache(None))()
    for member, mine in zip(members, checked, strict=True):
        add(reporter, mine, member.document)
    progress.stage("building the client")
    name = settings.package_name or "client"
    _, built, merged, _ = merged_api(members, package_name=name, env_prefix="API")
    for member, mine in zip(members, built, strict=True):
        add(reporter, mine, member.document)
    reporter.add(merged)
    failed = has_errors(reporter.diagnostics)
    sources = [m.document.source for m in members]
    reporter.finish(f"{verb} {', '.join(sources)}", {"sources": sources}, failed=failed)


def diff_apis(
    pairs: Sequence[tuple[str, str]],
    overlays: tuple[str, ...],
    allow_urls: tuple[str, ...],
    reporter: Reporter,
) -> tuple[ir.Api, ir.Api]:
    """The merged APIs of the old and the new documents of `pairs`. Both sides get the same
    prefixes (and per-document overlays): `[[tool.sdkgen.documents]]`'s by position when the
    set has as many documents as `pairs`, else derived from the new files' names."""
    settings = config.read(Path.cwd())
    reporter.silenced = settings.silence
    configured = settings.documents if len(settings.documents) == len(pairs) else ()
    derived = derived_prefixes([new for _, new in pairs])
    apis = []
    for side in (0, 1):
        entries = tuple(
            config.Entry(
                spec=pair[side],
                overlays=configured[i].overlays if configured else (),
                prefix=configured[i].prefix if configured else "",
            )
            for i, pair in enumerate(pairs)
        )
        plain = dataclasses.replace(settings, documents=())
        members = load_members(plain, entries, overlays, reporter, allow_urls, derived=derived)
        name = settings.package_name or "client"
        apis.append(merged_api(members, package_name=name, env_prefix="API")[0])
    return apis[0], apis[1]


def fetch(*, update: bool, url: str | None, fail_on: str | None, reporter: Reporter) -> None:
    """`sdkgen fetch [--update]` for the configured set: each document with a `spec-url` is
    downloaded and checked against its pin; with --update, the changed ones are re-pinned after
    the API diff of the whole client (old set against new), which `--fail-on` may refuse."""
    if url is not None:
        raise click.UsageError("--url is one document's: set spec-url in [[tool.sdkgen.documents]]")
    settings = config.read(Path.cwd())
    entries = settings.documents
    fetched = {}
    for index, entry in enumerate(entries):
        if entry.spec_url:
            raw = load.read_bytes(entry.spec_url)
            fetched[index] = (load.document(raw, entry.spec_url, settings.allow_urls), raw)
    if not fetched:
        raise click.UsageError("fetch needs a spec-url in [[tool.sdkgen.documents]]")
    changed = {i: f for i, f in fetched.items() if f[0].sha256 != entries[i].spec_sha256}
    if changed and not update:
        raise Fatal(
            [
                error(
                    "SDK022",
                    "#",
                    f"upstream sha256 {doc.sha256} differs from the pinned "
                    f"{entries[i].spec_sha256}; `sdkgen fetch --update` re-pins",
                    entries[i].spec_url,
                )
                for i, (doc, _) in changed.items()
            ]
        )
    if changed:
        _check_changes(settings, changed, fail_on, reporter)
    for index, (document, raw) in fetched.items():
        config.save_document(settings.root / entries[index].spec, document, raw)
        if index in changed:
            config.repin_document(settings.root / "pyproject.toml", index, document.sha256)
    if not reporter.quiet:
        for index, (document, _) in fetched.items():
            what = "re-pinned to" if index in changed else "is up to date,"
            click.echo(f"{entries[index].spec} {what} sha256 {document.sha256}", err=True)


def _check_changes(
    settings: config.Config,
    changed: dict[int, tuple[load.Document, bytes]],
    fail_on: str | None,
    reporter: Reporter,
) -> None:
    """Print the API diff of the client before and after the changed documents (SDK023 when
    `--fail-on` refuses it, or when the pinned copies are gone and it cannot be checked)."""
    from generator import diff as api_diff

    try:
        old = load_members(settings, settings.documents, (), reporter, ())
    except Fatal:  # no copy of a pinned document is left to compare with
        old = None
    source = settings.documents[min(changed)].spec_url
    if old is None:
        if fail_on is not None:
            message = (
                "a previously pinned document is not available, so the change cannot be checked"
            )
            raise Fatal([error("SDK023", "#", message, source)])
        return
    new = [
        dataclasses.replace(
            m,
            document=cli.with_overlays(
                changed[i][0], _pinned(settings, settings.documents[i]), (), reporter
            ),
        )
        if i in changed
        else m
        for i, m in enumerate(old)
    ]
    name = settings.package_name or "client"
    apis = [merged_api(ms, package_name=name, env_prefix="API")[0] for ms in (old, new)]
    changes = api_diff.diff(*apis)
    click.echo(cli.render_diff(changes, reporter.fmt, apis[0], apis[1]))
    if cli.diff_fails(changes, fail_on, apis[0], apis[1]):
        raise Fatal([error("SDK023", "#", "breaking changes: the pins were not updated", source)])
