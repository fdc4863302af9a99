"""Stage 1, load: read an OpenAPI document from a path or an http(s) URL into plain data.

`.json` goes through the JSON parser (YAML loaders are 40-60x slower on JSON); anything else
through PyYAML's C parser with YAML 1.2 core-schema scalars (`yaml12`). A parse error names the
file, line and column.
Limits: MAX_BYTES of input and MAX_DEPTH of nesting; beyond them the document is refused.
A document split over files is bundled into one here (`bundle.py`; its safety rule is
`confine.py`): every later stage sees one document with local `$ref`s only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Fatal, error, pointer

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 128  # openapi-spec-validator itself recurses too deep from about 240 levels
MAX_NODES = 5_000_000  # values in the document once YAML aliases are expanded
URL_TIMEOUT = 30.0


@dataclasses.dataclass(frozen=True, slots=True)
class Document:
    source: str  # the path or URL as the user gave it
    data: Any
    sha256: str
    overlays: tuple[tuple[str, str], ...] = ()  # (file name, sha256) of each overlay applied
    # Every file of a multi-file document, (path from the entry's directory, sha256), sorted;
    # `sha256` is then the digest over this list (bundle.tree_sha256). Empty for one file.
    files: tuple[tuple[str, str], ...] = ()
    contents: Mapping[str, bytes] | None = None  # file path -> bytes, to save a downloaded tree
    locate: Callable[[str], tuple[str, str]] | None = None  # pointer -> (file, pointer in it)
    notes: tuple[Diagnostic, ...] = ()  # the bundler's notes (renamed components, omitted text)


def sha256_of(source: str) -> str:
    return hashlib.sha256(read_bytes(source)).hexdigest()


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_bytes(source: str) -> bytes:
    """The raw bytes of a path or URL, within MAX_BYTES; Fatal with a one-line reason otherwise."""
    if is_url(source):
        return _fetch(source)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise Fatal(
                [
                    error(
                        "SDK001", "#", f"document is {size} bytes; the limit is {MAX_BYTES}", source
                    )
                ]
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise Fatal([error("SDK001", "#", "no such file", source)]) from None
    except IsADirectoryError:
        raise Fatal([error("SDK001", "#", "is a directory, not a document", source)]) from None
    except OSError as exc:
        raise Fatal([error("SDK001", "#", f"cannot read: {exc.strerror}", source)]) from None


def _fetch(url: str) -> bytes:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "sdkgen"})
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT) as response:
            body: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise Fatal([error("SDK002", "#", f"HTTP {exc.code} {exc.reason}", url)]) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Fatal([error("SDK002", "#", f"cannot download: {reason}", url)]) from None
    if len(body) > MAX_BYTES:
        raise Fatal([error("SDK001", "#", f"document exceeds the limit of {MAX_BYTES} bytes", url)])
    return body


def is_json(source: str) -> bool:
    """JSON (by the file name), whose keys are all strings; else YAML."""
    return source.lower().split("?")[0].endswith(".json")


def parse(raw: bytes, source: str) -> Any:
    """Parse JSON or YAML (chosen by the file name) and check the nesting depth."""
    data = _parse_json(raw, source) if is_json(source) else _parse_yaml(raw, source)
    _check_depth(data, source)
    return data


def _parse_json(raw: bytes, source: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise Fatal(
            [error("SDK003", "#", f"malformed JSON at {where}: {exc.msg}", source)]
        ) from None
    except UnicodeDecodeError as exc:
        raise Fatal([error("SDK003", "#", f"not UTF-8 text: {exc.reason}", source)]) from None
    except RecursionError:
        where = _deep_json_pointer(raw)
        raise Fatal(
            [error("SDK004", where, f"nesting deeper than {MAX_DEPTH} levels", source)]
        ) from None


_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _deep_json_pointer(raw: bytes) -> str:
    """Where JSON text first nests deeper than MAX_DEPTH (the parser itself overflowed): the
    text up to there, with that value replaced by null and every open bracket closed, parses;
    the deep value is then its last value at every level."""
    depth, closers = 0, list[bytes]()
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token in (b"{", b"["):
            depth += 1
            if depth > MAX_DEPTH:
                text = raw[: match.start()] + b"null" + b"".join(reversed(closers))
                try:
                    return _last_path(json.loads(text))
                except (ValueError, RecursionError):
                    return "#"
            closers.append(b"}" if token == b"{" else b"]")
        elif token in (b"}", b"]"):
            depth -= 1
            closers.pop()
    return "#"


def _last_path(data: Any) -> str:
    parts: list[str | int] = []
    while isinstance(data, dict | list) and data:
        key: str | int = next(reversed(data)) if isinstance(data, dict) else len(data) - 1
        parts.append(key)
        data = data[key]  # type: ignore[index]
    return pointer(*parts)


def _parse_yaml(raw: bytes, source: str) -> Any:
    import yaml  # here, like urllib below: a JSON document from a file needs neither

    from generator.yaml12 import Loader

    try:
        return yaml.load(raw, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own limit
            where = _deep_yaml_pointer(raw, Loader)
            raise Fatal(
                [error("SDK004", where, f"nesting deeper than {MAX_DEPTH} levels", source)]
            ) from None
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise Fatal(
            [error("SDK003", "#", f"malformed YAML at {where}: {exc.problem}", source)]
        ) from None
    except yaml.YAMLError as exc:
        raise Fatal([error("SDK003", "#", f"malformed YAML: {exc}", source)]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar no constructor can take
        raise Fatal([error("SDK003", "#", f"malformed YAML: {exc}", source)]) from None
    except RecursionError:
        where = _deep_yaml_pointer(raw, Loader)
        raise Fatal(
            [error("SDK004", where, f"nesting deeper than {MAX_DEPTH} levels", source)]
        ) from None


def _deep_yaml_pointer(raw: bytes, loader: Any) -> str:
    """Where YAML text first nests deeper than MAX_DEPTH (the parser or the constructor
    overflowed), from the parser's events: each open collection's current key or index. When
    the scanner gives up first (libyaml looks ahead through flow collections), the value being
    read when it did."""
    import yaml

    frames: list[list[Any]] = []  # per open collection: [is_mapping, key or index, key next]
    try:
        for event in yaml.parse(raw, Loader=loader):
            if isinstance(event, yaml.CollectionEndEvent):
                frames.pop()
                continue
            if not isinstance(event, yaml.NodeEvent) or not frames:
                pass
            elif not frames[-1][0]:
                frames[-1][1] += 1
            elif frames[-1][2]:  # a key: the next node is its value
                if not isinstance(event, yaml.ScalarEvent):
                    return "#"  # a complex key: no pointer names it
                frames[-1][1:] = [event.value, False]
                continue
            else:
                frames[-1][2] = True
            if isinstance(event, yaml.CollectionStartEvent):
                mapping = isinstance(event, yaml.MappingStartEvent)
                frames.append([mapping, None if mapping else -1, True])
                if len(frames) > MAX_DEPTH:
                    return pointer(*(frame[1] for frame in frames[:-1]))
    except yaml.YAMLError:
        # each enclosing collection is reading the one that is open; the innermost may be
        # between two values
        known = [*frames[:-1], *itertools.takewhile(_reading, frames[-1:])]
        return pointer(*(frame[1] for frame in known))
    return "#"


def _reading(frame: list[Any]) -> bool:
    """Whether an open collection is reading a value (of a known key, or at an index)."""
    return frame[1] not in (None, -1) and not (frame[0] and frame[2])


def _check_depth(data: Any, source: str) -> None:
    """Nesting depth and expanded size, iteratively (a hostile document cannot exhaust the
    stack here). YAML aliases share nodes, so a "billion laughs" document loads cheaply but
    expands to billions of values for every later stage: its expanded size is computed from
    each shared node's size, visiting each node once."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, dict | list) or (id(node) in sizes and not done):
            continue
        children = list(node.values() if isinstance(node, dict) else node)
        if done:  # every child is sized: this node's expanded size
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[id(node)] > MAX_NODES:
                message = f"the document expands to more than {MAX_NODES} values (YAML aliases?)"
                raise Fatal([error("SDK004", _pointer_to(data, node), message, source)])
            continue
        if depth > MAX_DEPTH:
            message = f"nesting deeper than {MAX_DEPTH} levels"
            raise Fatal([error("SDK004", _pointer_to(data, node), message, source)])
        sizes[id(node)] = 0  # in progress
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children)


def _pointer_to(data: Any, wanted: Any) -> str:
    """The pointer of `wanted`'s first place in `data` (depth first, each shared node entered
    once, as `_check_depth` walks): only computed for an error."""
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if node is wanted:
            return pointer(*path)
        if not isinstance(node, dict | list) or id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend((child, (*path, key)) for key, child in items)
    return "#"


def document(raw: bytes, source: str, allowed_urls: Sequence[str] = ()) -> Document:
    """The document parsed from `raw` (read from `source`), with the files it references
    bundled in; URLs under `allowed_urls` may be fetched."""
    data = parse(raw, source)
    if not isinstance(data, dict):
        raise Fatal(
            [error("SDK005", "#", "the document is not a mapping (an OpenAPI object)", source)]
        )
    digest = hashlib.sha256(raw).hexdigest()
    from generator import bundle

    if not bundle.may_need(raw) or not bundle.has_external(data):
        return Document(source=source, data=data, sha256=digest)
    found = bundle.bundle(data, raw, source, allowed_urls)
    if len(found.files) == 1:
        return Document(source=source, data=found.data, sha256=digest, notes=found.notes)
    return Document(
        source=source,
        data=found.data,
        sha256=found.sha256,
        files=found.files,
        contents=found.contents,
        locate=found.locate,
        notes=found.notes,
    )


def load(source: str, allowed_urls: Sequence[str] = ()) -> Document:
    return document(read_bytes(source), source, allowed_urls)
