"""How a call's arguments go on the wire: parameter styles, percent-encoding, headers, cookies
and credentials. Static: copied unchanged into every generated package, like `_runtime.py`.

Parameters follow the "Style Examples" table of OpenAPI 3.0.4/3.1.1 (the `color` rows):
- path: `simple` (`blue,black`), `label` (`.blue.black`), `matrix` (`;color=blue,black`);
- query: `form` (`color=blue&color=black`, or `color=blue,black` without explode),
  `spaceDelimited` (`%20`), `pipeDelimited` (`%7C`), `deepObject` (`color%5BR%5D=100`);
- header: `simple`, never percent-encoded; cookie: `form`, joined with `; `.
Names and values are percent-encoded per RFC 3986 (everything but `A-Za-z0-9-._~`, UTF-8),
each value on its own, so a `,` inside a value (`%2C`) never reads as a delimiter. Objects are
models (by their wire property names, additional properties included) or dicts (by key).
`None` and empty values serialise as the table's "undefined" column (`color=`, `;color`, `.`).

Left to the caller on purpose: combinations the table marks n/a fall back to the nearest
defined form (a primitive in `spaceDelimited` is sent as `form`; an array in `deepObject` is
indexed, `expand%5B0%5D=a`, as Stripe reads it and its libraries send it; an array or object
nested inside an object, outside `deepObject`, as JSON).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any, NamedTuple
from urllib.parse import quote, unquote

from ._models import dump
from .errors import ConfigurationError

# RFC 3986 reserved characters kept by `allowReserved`, less those that would end the query
# value or the URL (`#`) or change the pairs a server reads (`&`, `=`, `+`).
_ALLOWED_RESERVED = ":/?[]@!$'()*,;"
# Headers httpx computes from the request itself: a caller's value would corrupt it.
COMPUTED_HEADERS = frozenset({"content-length", "host", "transfer-encoding"})


class Param(NamedTuple):
    """One parameter of a call: where it goes, how the document says to serialise it, and the
    caller's value (UNSET values are filtered out before this)."""

    location: str  # "path" | "query" | "header" | "cookie"
    name: str
    value: Any
    style: str = ""  # "" = the location's default
    explode: bool | None = None  # None = the style's default (true for form only)
    allow_reserved: bool = False
    json: bool = False  # a `content: application/json` parameter: the value is sent as JSON


def json_text(value: Any) -> str:
    return json.dumps(dump(value), separators=(",", ":"), ensure_ascii=False)


def text(value: Any) -> str:
    """A dumped primitive as text: `true`/`false`, None as empty; anything else that is not a
    primitive (a nested array or object) as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json_text(value)


def encode(value: str, allow_reserved: bool = False) -> str:
    """RFC 3986 percent-encoding of UTF-8: only unreserved characters stay as they are."""
    return quote(value, safe=_ALLOWED_RESERVED if allow_reserved else "")


def _shape(param: Param) -> tuple[str, Any]:
    """("primitive" | "array" | "object", the value in that shape)."""
    value = param.value
    if param.json:
        return "primitive", json_text(value)
    value = dump(value)
    if isinstance(value, list):
        return "array", value
    if isinstance(value, dict):
        return "object", value
    return "primitive", value


def _explode(param: Param, style: str) -> bool:
    return param.explode if param.explode is not None else style == "form"


# --- path ---------------------------------------------------------------------------------------


def path_segment(param: Param) -> str:
    """The text that replaces `{name}` in the path template."""
    style = param.style or "simple"
    explode = _explode(param, style)
    kind, value = _shape(param)
    name = encode(param.name)
    if kind == "array":
        items = [encode(text(v)) for v in value]
    elif kind == "object":
        pairs = [(encode(str(k)), encode(text(v))) for k, v in value.items()]
        items = [f"{k}={v}" for k, v in pairs] if explode else [x for kv in pairs for x in kv]
    else:
        items = [encode(text(value))]
    if style == "label":
        return "." + ("." if explode else ",").join(items)
    if style == "matrix":
        return _matrix(name, kind, items, explode)
    return ",".join(items)


def _matrix(name: str, kind: str, items: list[str], explode: bool) -> str:
    if not items or items == [""]:
        return f";{name}"
    if kind == "object" and explode:
        return "".join(f";{item}" for item in items)
    if kind == "array" and explode:
        return "".join(f";{name}={item}" for item in items)
    return f";{name}=" + ",".join(items)


# --- query --------------------------------------------------------------------------------------

_DELIMITERS = {"spaceDelimited": "%20", "pipeDelimited": "%7C", "form": ","}


def query_pairs(param: Param) -> list[str]:
    """`name=value` pieces, already encoded, to be joined with `&`."""
    style = param.style or "form"
    explode = _explode(param, style)
    kind, value = _shape(param)
    name = encode(param.name)

    def enc(v: Any) -> str:
        return encode(text(v), param.allow_reserved)

    if kind == "primitive" or not value:
        return [f"{name}={enc(value) if kind == 'primitive' else ''}"]
    if style == "deepObject":  # an array is n/a in the table: indexed, as Stripe reads it
        return _deep(name, value, enc)
    if kind == "array":
        if explode:
            return [f"{name}={enc(v)}" for v in value]
        return [f"{name}=" + _DELIMITERS.get(style, ",").join(enc(v) for v in value)]
    if explode and style == "form":
        return [f"{encode(str(k))}={enc(v)}" for k, v in value.items()]
    flat = [x for k, v in value.items() for x in (encode(str(k)), enc(v))]
    return [f"{name}=" + _DELIMITERS.get(style, ",").join(flat)]


def _deep(prefix: str, value: Any, enc: Callable[[Any], str]) -> list[str]:
    """deepObject: `color%5BR%5D=100`; nested objects and arrays go deeper (`a%5Bb%5D%5B0%5D`)."""
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [f"{prefix}={enc(value)}"]
    return [
        pair for k, v in items for pair in _deep(f"{prefix}%5B{encode(str(k))}%5D", v, enc)
    ] or [f"{prefix}="]


# --- form and multipart bodies ------------------------------------------------------------------


class Part(NamedTuple):
    """One property of a form or multipart body, as the document's `encoding` entry says to
    send it (UNSET values are filtered out before this)."""

    name: str
    value: Any
    style: str = ""  # an explicit query style; "" = none given
    explode: bool | None = None  # None = the style's default (true for form only)
    allow_reserved: bool = False
    content_type: str = ""  # `encoding.contentType`; "" = the default for the value
    file: bool = False  # multipart: a binary property, sent as a file


# What a binary multipart property takes: the content, a binary file object, or
# `(filename, content)` / `(filename, content, content_type)` (None: no filename, or guessed).
FileBody = bytes | IO[bytes]
FileContent = FileBody | tuple[str | None, FileBody] | tuple[str | None, FileBody, str | None]


def is_json(media: str) -> bool:
    base = media.split(";", maxsplit=1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def form_body(parts: Iterable[Part]) -> bytes:
    """`application/x-www-form-urlencoded`: each property as a query parameter of its style
    (`form`, exploded, unless the encoding says otherwise), pairs joined with `&`. A property
    whose only encoding is a JSON `contentType` is sent as JSON text (OpenAPI 3.1.1)."""
    pairs: list[str] = []
    for part in parts:
        explicit = bool(part.style) or part.explode is not None or part.allow_reserved
        as_json = not explicit and is_json(part.content_type)
        param = Param("query", part.name, part.value, part.style, part.explode)
        param = param._replace(allow_reserved=part.allow_reserved, json=as_json)
        pairs.extend(query_pairs(param))
    return "&".join(pairs).encode("ascii")


Upload = tuple[str | None, str | FileBody, str | None]


def multipart_files(parts: Iterable[Part]) -> list[tuple[str, Upload]]:
    """`multipart/form-data` parts for httpx's `files=` (which writes the boundary), in the
    properties' order. A list repeats the part per item. A file part is named by its
    filename (a file object's base name, else the property's name); other values are text
    (`true`/`false`, None as empty), objects JSON (`application/json`), unless `contentType`
    says otherwise. An explicit style sends the style's pairs as text parts (OpenAPI 3.1.1)."""
    found: list[tuple[str, Upload]] = []
    for part in parts:
        if part.style or part.explode is not None:
            param = Param("query", part.name, part.value, part.style, part.explode)
            for pair in query_pairs(param):
                name, _, value = pair.partition("=")
                found.append((unquote(name), (None, unquote(value), None)))
            continue
        items = part.value if isinstance(part.value, list) else [part.value]
        for item in items:
            found.append((part.name, _file(part, item) if part.file else _text_part(part, item)))
    return found


def _file(part: Part, value: Any) -> Upload:
    content_type = part.content_type or None
    if isinstance(value, tuple):
        filename, content = value[0], value[1]
        given = value[2] if len(value) > 2 else None
        return filename, content, given or content_type
    if isinstance(value, bytes | bytearray | memoryview):
        return part.name, bytes(value), content_type or "application/octet-stream"
    name = getattr(value, "name", None)
    filename = os.path.basename(name) if isinstance(name, str) and name else part.name
    return filename, value, content_type  # None: httpx guesses from the filename


def _text_part(part: Part, value: Any) -> Upload:
    value = dump(value)
    if is_json(part.content_type) or (not part.content_type and isinstance(value, dict)):
        return None, json_text(value), part.content_type or "application/json"
    if isinstance(value, bytes):
        return None, value, part.content_type or "application/octet-stream"
    return None, text(value), part.content_type or None


# --- headers and cookies ------------------------------------------------------------------------


def header_value(param: Param) -> str:
    """`simple` style, not percent-encoded (a header is not a URL)."""
    kind, value = _shape(param)
    if kind == "array":
        return ",".join(text(v) for v in value)
    if kind == "object":
        if _explode(param, "simple"):
            return ",".join(f"{k}={text(v)}" for k, v in value.items())
        return ",".join(x for k, v in value.items() for x in (str(k), text(v)))
    return text(value)


def cookie_pairs(param: Param) -> list[str]:
    """`form` style, values percent-encoded (RFC 6265 allows no space, comma or semicolon)."""
    return query_pairs(param._replace(style="form", allow_reserved=False))


class Headers:
    """Request headers merged case-insensitively: a later `set` replaces an earlier value under
    any spelling of the same name, keeping the later spelling."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, str]] = {}

    def set(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, value)

    def update(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self.set(name, value)

    def items(self) -> list[tuple[str, str]] | list[tuple[bytes, bytes]]:
        """The headers as text when all are ASCII (httpx's fast path), else as bytes with values
        in UTF-8 (httpx would refuse text that is not ASCII)."""
        pairs = list(self._items.values())
        if all(v.isascii() for _, v in pairs):
            return pairs
        return [(n.encode("ascii"), v.encode()) for n, v in pairs]


# --- credentials --------------------------------------------------------------------------------


class Scheme(NamedTuple):
    """A security scheme of the document, as the client applies it."""

    key: str  # its name under components/securitySchemes
    kind: str  # "basic" | "bearer" | "apiKey"
    location: str  # "header" | "query" | "cookie"
    name: str  # the header, query parameter or cookie that carries it
    args: tuple[str, ...]  # the client's arguments: ("api_key",) or ("username", "password")
    envs: tuple[str, ...]  # the environment variables read when an argument is not given


Secret = str | Callable[[], str]


def secret(value: Secret) -> str:
    """The credential's text; a callable is asked for a fresh value on every request."""
    return value() if callable(value) else value


def basic(username: str, password: str) -> str:
    """RFC 7617: base64 of `username:password` in UTF-8."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def slot(location: str, name: str) -> tuple[str, str]:
    """Where a value goes: header names are case-insensitive, the others are not."""
    return location, name.lower() if location == "header" else name


class Credentials:
    """The secrets a client was given, or found in the environment, for the schemes whose first
    credential (the key, the token, the user name) is known. Never shown: see __repr__."""

    def __init__(
        self,
        given: Mapping[str, tuple[Secret | None, ...]],
        schemes: tuple[Scheme, ...],
        environ: Mapping[str, str],
    ) -> None:
        self._schemes = {s.key: s for s in schemes}
        self.__found: dict[str, tuple[Secret | None, ...]] = {}
        for scheme in schemes:
            args = given.get(scheme.key, ())
            values = tuple(
                args[i] if i < len(args) and args[i] is not None else environ.get(env) or None
                for i, env in enumerate(scheme.envs)
            )
            if values and values[0] is not None:
                self.__found[scheme.key] = values

    def __repr__(self) -> str:
        return "<Credentials>"

    def __bool__(self) -> bool:
        return bool(self.__found)

    def authorize(
        self,
        security: tuple[tuple[str, ...], ...],
        given: set[tuple[str, str]],
        headers: Headers,
        query: list[str],
        cookies: list[str],
    ) -> None:
        """Apply the first alternative whose schemes all have credentials (the empty one, "no
        auth", last); an argument the caller gave for the same header, query parameter or
        cookie wins over the credential."""
        if not security:
            return
        for alternative in sorted(security, key=lambda alt: not alt):
            if all(key in self.__found for key in alternative):
                for key in alternative:
                    scheme = self._schemes[key]
                    if slot(scheme.location, scheme.name) not in given:
                        self._apply(scheme, headers, query, cookies)
                return
        needed = {key: self._schemes[key] for alt in security for key in alt}
        raise ConfigurationError(
            f"this operation needs credentials: {how_to_pass(tuple(needed.values()))}"
        )

    def _apply(
        self, scheme: Scheme, headers: Headers, query: list[str], cookies: list[str]
    ) -> None:
        values = [secret(v) if v is not None else "" for v in self.__found[scheme.key]]
        if scheme.kind == "basic":
            headers.set("Authorization", basic(values[0], values[1]))
        elif scheme.kind == "bearer":
            headers.set("Authorization", f"Bearer {values[0]}")
        elif scheme.location == "query":
            query.extend(query_pairs(Param("query", scheme.name, values[0])))
        elif scheme.location == "cookie":
            cookies.extend(cookie_pairs(Param("cookie", scheme.name, values[0])))
        else:
            headers.set(scheme.name, values[0])


def how_to_pass(schemes: tuple[Scheme, ...]) -> str:
    ways = [
        " and ".join(f"{arg}= (or {env})" for arg, env in zip(s.args, s.envs, strict=True))
        for s in schemes
    ]
    return "pass " + ", or ".join(ways)


def merge_extra(headers: Headers, extra: Mapping[str, str] | None) -> None:
    """`extra_headers` replace what the client would send, whatever their case; the headers
    httpx computes from the request (Content-Length, Host, Transfer-Encoding) are refused."""
    if not extra:
        return
    for name, value in extra.items():
        if name.lower() in COMPUTED_HEADERS:
            raise ConfigurationError(f"extra_headers cannot set {name}: httpx computes it")
        headers.set(name, value)
