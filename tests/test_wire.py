"""Every request on the wire as the document says: parameter styles, cookies, headers, media
types, through a generated client and `httpx.MockTransport`, sync and async.

The style table is the "Style Examples" table of OpenAPI 3.0.4 (also in 3.1.1), which
percent-encodes the `|`, `[` and `]` that the 3.0.3 table showed raw:
https://spec.openapis.org/oas/v3.0.4.html#style-examples. Its expected strings are copied
from the specification, not from our output.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from generator import naming
from tests.conftest import generate_and_import

STRING, ARRAY, OBJECT = "blue", ["blue", "black", "brown"], {"R": 100, "G": 200, "B": 150}
UNDEFINED = None  # the table's "undefined" column: the caller passed None

# (location, style, explode) -> the table's (undefined, string, array, object); None = n/a.
TABLE: dict[tuple[str, str, bool], tuple[str | None, str | None, str | None, str | None]] = {
    ("path", "matrix", False): (
        ";color",
        ";color=blue",
        ";color=blue,black,brown",
        ";color=R,100,G,200,B,150",
    ),
    ("path", "matrix", True): (
        ";color",
        ";color=blue",
        ";color=blue;color=black;color=brown",
        ";R=100;G=200;B=150",
    ),
    ("path", "label", False): (".", ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
    ("path", "label", True): (".", ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
    ("path", "simple", False): ("", "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("path", "simple", True): ("", "blue", "blue,black,brown", "R=100,G=200,B=150"),
    ("query", "form", False): (
        "color=",
        "color=blue",
        "color=blue,black,brown",
        "color=R,100,G,200,B,150",
    ),
    ("query", "form", True): (
        "color=",
        "color=blue",
        "color=blue&color=black&color=brown",
        "R=100&G=200&B=150",
    ),
    ("query", "spaceDelimited", False): (
        None,
        None,
        "color=blue%20black%20brown",
        "color=R%20100%20G%20200%20B%20150",
    ),
    ("query", "pipeDelimited", False): (
        None,
        None,
        "color=blue%7Cblack%7Cbrown",
        "color=R%7C100%7CG%7C200%7CB%7C150",
    ),
    ("query", "deepObject", True): (
        None,
        None,
        None,
        "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150",
    ),
    # header `simple` is the path's `simple` without percent-encoding (none is needed here)
    ("header", "simple", False): (None, "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("header", "simple", True): (None, "blue", "blue,black,brown", "R=100,G=200,B=150"),
    # cookie `form` is the query's `form`, pairs joined by "; " (one Cookie header)
    ("cookie", "form", False): (
        "color=",
        "color=blue",
        "color=blue,black,brown",
        "color=R,100,G,200,B,150",
    ),
    ("cookie", "form", True): (
        "color=",
        "color=blue",
        "color=blue; color=black; color=brown",
        "R=100; G=200; B=150",
    ),
}
ROWS = [
    (key, kind, value, expected)
    for key, cells in TABLE.items()
    for kind, value, expected in zip(
        ("undefined", "string", "array", "object"),
        (UNDEFINED, STRING, ARRAY, OBJECT),
        cells,
        strict=True,
    )
    if expected is not None
]


def _op_id(location: str, style: str, explode: bool) -> str:
    """The method name: `query_space_delimited_false`."""
    return "_".join(naming.words(f"{location} {style} {explode}")).lower()


def _route(location: str, style: str, explode: bool) -> str:
    base = f"/{location}/{style}/{str(explode).lower()}"
    return base + "/{color}" if location == "path" else base


def _param(location: str, style: str, explode: bool, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "color",
        "in": location,
        "required": location == "path",
        "style": style,
        "explode": explode,
        "schema": schema,
    }


NO_CONTENT = {"204": {"description": "done"}}
RGB = {
    "type": "object",
    "properties": {k: {"type": "integer"} for k in ("R", "G", "B")},
    "x-sdkgen-name": "Rgb",
}


def _operation(op_id: str, params: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"operationId": op_id, "tags": ["wire"], "parameters": params, "responses": NO_CONTENT}


def wire_spec() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for location, style, explode in TABLE:
        paths[_route(location, style, explode)] = {
            "get": _operation(
                _op_id(location, style, explode), [_param(location, style, explode, {})]
            )
        }
    extra: dict[str, list[dict[str, Any]]] = {
        "/model/{color}": [_param("path", "matrix", True, RGB)],
        "/model/deep": [_param("query", "deepObject", True, RGB)],
        "/model/cookie": [_param("cookie", "form", False, RGB)],
        "/reserved": [
            {"name": "q", "in": "query", "allowReserved": True, "schema": {"type": "string"}},
            {"name": "plain", "in": "query", "schema": {"type": "string"}},
        ],
        "/named": [{"name": "a b/ü", "in": "query", "schema": {"type": "string"}}],
        "/json": [
            {
                "name": "coordinates",
                "in": "query",
                "content": {"application/json": {"schema": RGB | {"x-sdkgen-name": "Coords"}}},
            }
        ],
        "/enc/{id}": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "when", "in": "header", "schema": {"type": "string"}},
            {"name": "session", "in": "cookie", "schema": {"type": "string"}},
            {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
        ],
        "/enum/{kind}": [
            {
                "name": "kind",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "enum": ["a b/c", "100%", "ü#1"],
                    "x-sdkgen-name": "Kind",
                },
            }
        ],
        "/frag#variant": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
        "/fixed?kind=a": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
        "/nested": [
            {
                "name": "filter",
                "in": "query",
                "style": "deepObject",
                "explode": True,
                "schema": {"type": "object", "additionalProperties": True},
            }
        ],
    }
    for route, params in extra.items():
        op_id = "model_" + "_".join(naming.words(route))
        paths[route] = {"get": _operation(op_id, params)}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Wire", "version": "1.0.0"},
        "servers": [{"url": "http://wire.test/v1"}],
        "paths": paths,
    }


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(wire_spec(), tmp_path_factory.mktemp("wire"), "wire")


class Recorder:
    """A transport that records each request and answers 204."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(204)


def call(module: ModuleType, is_async: bool, method: str, **kwargs: Any) -> httpx.Request:
    """Call `client.wire.<method>(**kwargs)` sync or async and return the request sent."""
    recorder = Recorder()
    if is_async:

        async def go() -> None:
            transport = httpx.MockTransport(recorder)
            async with module.AsyncClient(transport=transport) as client:
                await getattr(client.wire, method)(**kwargs)

        asyncio.run(go())
    else:
        with module.Client(transport=httpx.MockTransport(recorder)) as client:
            getattr(client.wire, method)(**kwargs)
    assert len(recorder.requests) == 1
    return recorder.requests[0]


def sent(request: httpx.Request, location: str, prefix: str) -> str:
    """What the request carries for `color` in `location`."""
    if location == "path":
        segment = request.url.raw_path.decode().removeprefix("/v1" + prefix + "/")
        # a lone `.` would be a dot segment, which URL resolution removes (RFC 3986 5.2.4), so
        # the client sends its equivalent `%2E`
        return "." if segment == "%2E" else segment
    if location == "query":
        return request.url.query.decode()
    if location == "header":
        return request.headers["color"]
    return request.headers["cookie"]


BOTH = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


@BOTH
@pytest.mark.parametrize(
    ("key", "kind", "value", "expected"),
    ROWS,
    ids=[f"{k[0]}-{k[1]}-{'explode' if k[2] else 'flat'}-{kind}" for k, kind, _, _ in ROWS],
)
def test_the_openapi_style_table(
    wire: ModuleType,
    is_async: bool,
    key: tuple[str, str, bool],
    kind: str,
    value: Any,
    expected: str,
) -> None:
    location, style, explode = key
    request = call(wire, is_async, _op_id(location, style, explode), color=value)
    prefix = _route(location, style, explode).removesuffix("/{color}")
    assert sent(request, location, prefix) == expected


@BOTH
def test_a_model_serialises_by_its_wire_property_names(wire: ModuleType, is_async: bool) -> None:
    rgb = wire.models.Rgb(r=100, g=200, b=150)
    path = call(wire, is_async, "model_model_color", color=rgb).url.raw_path
    assert path == b"/v1/model/;R=100;G=200;B=150"
    deep = call(wire, is_async, "model_model_deep", color=rgb).url.query
    assert deep == b"color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"
    cookie = call(wire, is_async, "model_model_cookie", color=rgb).headers["cookie"]
    assert cookie == "color=R,100,G,200,B,150"


@BOTH
def test_values_are_percent_encoded_per_rfc_3986(wire: ModuleType, is_async: bool) -> None:
    value = "a b,c&d=e/f?g#h%i+j;ü€"
    request = call(wire, is_async, "model_reserved", q=value, plain=value)
    encoded = "a%20b%2Cc%26d%3De%2Ff%3Fg%23h%25i%2Bj%3B%C3%BC%E2%82%AC"
    assert (
        request.url.query.decode()
        == f"q=a%20b,c%26d%3De/f?g%23h%25i%2Bj;%C3%BC%E2%82%AC&plain={encoded}"
    )


@BOTH
def test_names_are_percent_encoded_too(wire: ModuleType, is_async: bool) -> None:
    request = call(wire, is_async, "model_named", a_b_u="x y")
    assert request.url.query == b"a%20b%2F%C3%BC=x%20y"


@BOTH
def test_a_content_typed_parameter_is_sent_as_json(wire: ModuleType, is_async: bool) -> None:
    coords = wire.models.Coords(r=1, g=2, b=3)
    request = call(wire, is_async, "model_json", coordinates=coords)
    assert request.url.query == b"coordinates=%7B%22R%22%3A1%2C%22G%22%3A2%2C%22B%22%3A3%7D"
    unicode = call(wire, is_async, "model_json", coordinates={"n": "ü"})
    assert unicode.url.query == b"coordinates=%7B%22n%22%3A%22%C3%BC%22%7D"  # UTF-8, not \\u00fc


@BOTH
@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("100%", "100%25"),
        ("a#b", "a%23b"),
        ("a/b", "a%2Fb"),
        ("a b", "a%20b"),
        ("ünï", "%C3%BCn%C3%AF"),
        ("", ""),
        ("..", "%2E%2E"),  # not a dot segment: the server sees the value
        ("a.b", "a.b"),
    ],
)
def test_path_values_are_encoded(wire: ModuleType, is_async: bool, value: str, path: str) -> None:
    request = call(wire, is_async, "model_enc_id", id=value)
    assert request.url.raw_path == f"/v1/enc/{path}".encode()


@BOTH
@pytest.mark.parametrize(
    ("member", "path"), [("A_B_C", "a%20b%2Fc"), ("VALUE_100", "100%25"), ("U_1", "%C3%BC%231")]
)
def test_enum_path_values_are_encoded(
    wire: ModuleType, is_async: bool, member: str, path: str
) -> None:
    value = getattr(wire.models.Kind, member)
    request = call(wire, is_async, "model_enum_kind", kind=value)
    assert request.url.raw_path == f"/v1/enum/{path}".encode()


@BOTH
def test_a_fragment_in_the_path_is_not_sent_and_a_query_in_it_is_kept(
    wire: ModuleType, is_async: bool
) -> None:
    assert (
        str(call(wire, is_async, "model_frag_variant", q="x").url) == "http://wire.test/v1/frag?q=x"
    )
    fixed = call(wire, is_async, "model_fixed_kind_a", q="x")
    assert str(fixed.url) == "http://wire.test/v1/fixed?kind=a&q=x"


@BOTH
def test_headers_cookies_and_booleans(wire: ModuleType, is_async: bool) -> None:
    request = call(
        wire, is_async, "model_enc_id", id="x", when="ünï, ok", session="a b;c", flag=False
    )
    assert request.headers.raw[-2:] == [
        (b"when", "ünï, ok".encode()),
        (b"Cookie", b"session=a%20b%3Bc"),
    ]
    assert request.url.query == b"flag=false"


@BOTH
def test_unset_arguments_are_not_sent(wire: ModuleType, is_async: bool) -> None:
    request = call(wire, is_async, "model_enc_id", id="x")
    assert request.url.query == b""
    assert "cookie" not in request.headers and "when" not in request.headers


@BOTH
@pytest.mark.parametrize(
    ("value", "query"),
    [
        ({"a": {"b": "c"}}, "filter%5Ba%5D%5Bb%5D=c"),
        ({"a": ["x", "y"]}, "filter%5Ba%5D%5B0%5D=x&filter%5Ba%5D%5B1%5D=y"),
        ({}, "filter="),
        ({"k": None, "t": True}, "filter%5Bk%5D=&filter%5Bt%5D=true"),
        ({"a": {}, "b": []}, "filter%5Ba%5D=&filter%5Bb%5D="),
        (["x", "y"], "filter%5B0%5D=x&filter%5B1%5D=y"),  # n/a in the table: indexed
    ],
)
def test_deep_objects_nest(wire: ModuleType, is_async: bool, value: Any, query: str) -> None:
    assert call(wire, is_async, "model_nested", filter=value).url.query.decode() == query


@BOTH
@pytest.mark.parametrize(
    ("operation", "value", "expected"),
    [
        ("query_form_true", [], "color="),
        ("query_form_false", {}, "color="),
        ("path_simple_false", [], ""),
        ("path_label_true", {}, "."),
        ("query_form_true", "a,b", "color=a%2Cb"),  # a comma inside a value is data
        ("query_form_false", ["a,b", "c"], "color=a%2Cb,c"),
    ],
)
def test_empty_values_and_delimiters_inside_values(
    wire: ModuleType, is_async: bool, operation: str, value: Any, expected: str
) -> None:
    location, style, flag = operation.split("_")
    explode = flag == "true"
    request = call(wire, is_async, operation, color=value)
    prefix = _route(location, style, explode).removesuffix("/{color}")
    assert sent(request, location, prefix) == expected
