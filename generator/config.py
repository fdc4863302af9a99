"""The default job: `[tool.sdkgen]` in pyproject.toml, and finding the pinned spec.

Keys: `spec` (local path, git-ignored), `spec-url` (commit-pinned upstream), `spec-sha256`,
`mirrors` (directories searched for a file of the same name), `output`, `package-name`,
`env-prefix`, `overlays` (applied in order), `silence` (diagnostic code -> the reason it is
silenced; a reason is required), `formatter` (`ruff`, the default, or `black`), `allow-urls`
(URL prefixes that `$ref`s may reach). Relative paths are relative to the directory of
pyproject.toml.
The pinned spec is looked for locally, then in each mirror, then downloaded into `spec`; in
every case its sha256 must match the pin.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import tomllib

from generator import load
from generator.diagnostics import Fatal, error

KEYS = frozenset(
    {"spec", "spec-url", "spec-sha256", "mirrors", "output", "package-name", "env-prefix"}
    | {"overlays", "silence", "formatter", "allow-urls", "documents"}
)
DOCUMENT_KEYS = frozenset({"spec", "spec-url", "spec-sha256", "overlays", "prefix"})
FORMATTERS = ("ruff", "black")


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One document of a set (`[[tool.sdkgen.documents]]`)."""

    spec: str
    spec_url: str = ""
    spec_sha256: str = ""
    overlays: tuple[str, ...] = ()
    prefix: str = ""  # "" : derived from the file name (see generator.docset)


@dataclasses.dataclass(frozen=True, slots=True)
class Config:
    root: Path
    spec: str = ""
    spec_url: str = ""
    spec_sha256: str = ""
    mirrors: tuple[str, ...] = ()
    output: str = ""
    package_name: str = ""
    env_prefix: str = ""
    overlays: tuple[str, ...] = ()
    silence: Mapping[str, str] = dataclasses.field(default_factory=dict)  # code -> reason
    formatter: str = "ruff"  # or "black" (format.black_format)
    allow_urls: tuple[str, ...] = ()
    documents: tuple[Entry, ...] = ()  # several documents, one client


STRINGS = ("spec", "spec-url", "spec-sha256", "output", "package-name", "env-prefix")
LISTS = ("mirrors", "overlays")


def read(root: Path) -> Config:
    """`[tool.sdkgen]` of `root/pyproject.toml`; an empty Config when there is none. Every
    key is checked: an unknown key, a value of the wrong type, a silence without its reason,
    or a malformed pin is SDK020, never ignored."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return Config(root=root)

    def refuse(message: str) -> Fatal:
        return Fatal([error("SDK020", "#", message, str(path))])

    try:
        tool: Any = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise refuse(f"cannot read [tool.sdkgen]: {exc}") from None
    table: Any = tool.get("sdkgen", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise refuse("[tool.sdkgen] must be a table")
    problem = _shape_problem(table)
    if problem:
        raise refuse(problem)
    allow_urls = _allow_urls(table.get("allow-urls", []), path)
    silence = table.get("silence", {})
    if not isinstance(silence, dict) or not all(
        isinstance(reason, str) and reason.strip() for reason in silence.values()
    ):
        raise refuse("silence must map each diagnostic code to the reason it is silenced")
    pin = _pin(table.get("spec-sha256", ""), refuse)
    documents = _documents(table, refuse)
    formatter = table.get("formatter", "ruff")
    if formatter not in FORMATTERS:
        raise refuse(f"formatter must be one of {', '.join(FORMATTERS)}, not {formatter!r}")
    return Config(
        root=root,
        spec=table.get("spec", ""),
        spec_url=table.get("spec-url", ""),
        spec_sha256=pin,
        mirrors=tuple(table.get("mirrors", ())),
        output=table.get("output", ""),
        package_name=table.get("package-name", ""),
        env_prefix=table.get("env-prefix", ""),
        overlays=tuple(table.get("overlays", ())),
        silence=dict(silence),
        formatter=formatter,
        allow_urls=allow_urls,
        documents=documents,
    )


def _pin(value: str, refuse: Callable[[str], Fatal]) -> str:
    pin = value.lower()
    if pin and not re.fullmatch(r"[0-9a-f]{64}", pin):
        raise refuse(f"spec-sha256 must be 64 hexadecimal digits, not {pin!r}")
    return pin


def _documents(table: dict[str, Any], refuse: Callable[[str], Fatal]) -> tuple[Entry, ...]:
    """`[[tool.sdkgen.documents]]`: each table's keys and types checked like the top level's;
    the top-level spec keys and overlays are refused beside it (which would they apply to?)."""
    raw = table.get("documents")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(d, dict) for d in raw):
        raise refuse("documents must be a non-empty list of tables ([[tool.sdkgen.documents]])")
    both = sorted({"spec", "spec-url", "spec-sha256", "overlays"} & set(table))
    if both:
        raise refuse(f"{', '.join(both)} and documents exclude each other: set them per document")
    entries = []
    for index, entry in enumerate(raw):
        where = f"documents[{index}]"
        unknown = sorted(set(entry) - DOCUMENT_KEYS)
        if unknown:
            raise refuse(f"unknown keys in {where}: {', '.join(unknown)}")
        strings = ("spec", "spec-url", "spec-sha256", "prefix")
        if not all(isinstance(entry.get(key, ""), str) for key in strings):
            raise refuse(f"{where}: {', '.join(strings)} must be strings")
        overlays = entry.get("overlays", [])
        if not isinstance(overlays, list) or not all(isinstance(o, str) for o in overlays):
            raise refuse(f"{where}: overlays must be a list of strings")
        if not entry.get("spec"):
            raise refuse(f"{where} has no spec")
        entries.append(
            Entry(
                spec=entry["spec"],
                spec_url=entry.get("spec-url", ""),
                spec_sha256=_pin(entry.get("spec-sha256", ""), refuse),
                overlays=tuple(overlays),
                prefix=entry.get("prefix", ""),
            )
        )
    return tuple(entries)


def _shape_problem(table: dict[str, Any]) -> str:
    """What is wrong with the keys and value types of the table, or ''."""
    unknown = sorted(set(table) - KEYS)
    if unknown:
        return f"unknown [tool.sdkgen] keys: {', '.join(unknown)}"
    for key in STRINGS:
        if not isinstance(table.get(key, ""), str):
            return f"{key} must be a string"
    for key in LISTS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return f"{key} must be a list of strings"
    return ""


def _allow_urls(value: Any, path: Path) -> tuple[str, ...]:
    from generator import confine

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Fatal([error("SDK020", "#", "allow-urls must be a list of URL prefixes", str(path))])
    for prefix in value:
        problem = confine.check_prefix(prefix)
        if problem:
            raise Fatal([error("SDK020", "#", f"allow-urls: {problem}", str(path))])
    return tuple(value)


def pinned_spec(config: Config, allowed_urls: Sequence[str] = ()) -> load.Document:
    """The pinned spec: local file, then mirrors, then the URL; checked against its sha256
    (the digest over every file, for a document split over files)."""
    if not config.spec:
        raise Fatal([error("SDK021", "#", "no SPEC given and no `spec` in [tool.sdkgen]")])
    local = config.root / config.spec
    candidates = [local] + [
        Path(os.path.normpath(config.root / m / local.name)) for m in config.mirrors
    ]
    allowed = (*config.allow_urls, *allowed_urls)
    for candidate in candidates:
        if candidate.is_file():
            return checked(load.read_bytes(str(candidate)), str(candidate), config, allowed)
    if not config.spec_url:
        tried = ", ".join(str(c) for c in candidates)
        raise Fatal(
            [error("SDK021", "#", f"pinned spec not found (tried {tried}) and no spec-url")]
        )
    raw = load.read_bytes(config.spec_url)
    document = checked(raw, config.spec_url, config, allowed)
    save_document(local, document, raw)
    return document


def checked(
    raw: bytes, source: str, config: Config, allowed_urls: Sequence[str] = ()
) -> load.Document:
    """The document, refused (SDK022) when its digest is not the pin. A single file is
    checked before it is parsed."""
    from generator import bundle

    digest = hashlib.sha256(raw).hexdigest()
    if digest != config.spec_sha256 and not bundle.may_need(raw):
        _check_pin(digest, source, config)
    document = load.document(raw, source, allowed_urls)
    _check_pin(document.sha256, source, config)
    return document


def _check_pin(digest: str, source: str, config: Config) -> None:
    if config.spec_sha256 and digest != config.spec_sha256:
        message = (
            f"sha256 {digest} does not match the pinned {config.spec_sha256}; "
            "if the new document is wanted, re-pin spec-sha256 in [tool.sdkgen]"
        )
        raise Fatal([error("SDK022", "#", message, source)])


def save_document(path: Path, document: load.Document, raw: bytes) -> None:
    """The entry file at `path` and, for a document split over files, each other file of its
    directory tree beside it (files reached by an allowed URL outside it are fetched again)."""
    save(path, raw)
    entry = os.path.basename(urlsplit(document.source).path) if document.files else ""
    for key, content in (document.contents or {}).items():
        parts = PurePosixPath(key).parts
        if key == entry or "://" in key or "?" in key or ".." in parts or not parts:
            continue
        save(path.parent.joinpath(*parts), content)


def save(path: Path, raw: bytes) -> None:
    """Write `raw` to `path` atomically (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    os.replace(tmp, path)


_TABLE = re.compile(
    r"^\[tool\.sdkgen\][ \t]*(?:#[^\n]*)?$(.*?)(?=^\[|\Z)", re.MULTILINE | re.DOTALL
)


def repin(pyproject: Path, sha256: str, url: str | None) -> None:
    """Set `spec-sha256` (and `spec-url` when given) in `[tool.sdkgen]`, editing those lines
    only: comments, order and every other table stay as they were."""
    text = pyproject.read_text(encoding="utf-8")
    table = _TABLE.search(text)
    if table is None:
        raise Fatal([error("SDK020", "#", "no [tool.sdkgen] table to re-pin", str(pyproject))])
    body = _set_key(table.group(1), "spec-sha256", sha256, pyproject)
    if url is not None:
        body = _set_key(body, "spec-url", url, pyproject)
    save(pyproject, (text[: table.start(1)] + body + text[table.end(1) :]).encode("utf-8"))


_DOCUMENT = re.compile(
    r"^\[\[tool\.sdkgen\.documents\]\][ \t]*(?:#[^\n]*)?$(.*?)(?=^\[|\Z)", re.MULTILINE | re.DOTALL
)


def repin_document(pyproject: Path, index: int, sha256: str) -> None:
    """Set `spec-sha256` of the `index`th `[[tool.sdkgen.documents]]` table, editing that line
    only."""
    text = pyproject.read_text(encoding="utf-8")
    tables = list(_DOCUMENT.finditer(text))
    if index >= len(tables):
        message = f"no [[tool.sdkgen.documents]] table number {index + 1} to re-pin"
        raise Fatal([error("SDK020", "#", message, str(pyproject))])
    table = tables[index]
    body = _set_key(table.group(1), "spec-sha256", sha256, pyproject)
    save(pyproject, (text[: table.start(1)] + body + text[table.end(1) :]).encode("utf-8"))


def _set_key(body: str, key: str, value: str, pyproject: Path) -> str:
    line = re.compile(rf'^(\s*{re.escape(key)}\s*=\s*)"[^"\n]*"', re.MULTILINE)
    if not line.search(body):
        raise Fatal(
            [error("SDK020", "#", f"[tool.sdkgen] has no {key} line to update", str(pyproject))]
        )
    return line.sub(lambda m: f"{m.group(1)}{json.dumps(value)}", body, count=1)
