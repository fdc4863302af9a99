"""Form (`application/x-www-form-urlencoded`) and `multipart/form-data` bodies on the wire,
through a generated client and `httpx.MockTransport`, sync and async.

A form body's property is serialised as a query parameter of its `encoding` style (OpenAPI
3.0.3/3.1.1 "Encoding Object": "The behavior follows the same values as query parameters,
including default values"), so the table below is the query rows of the "Style Examples"
table of OpenAPI 3.0.4/3.1.1 (https://spec.openapis.org/oas/v3.0.4.html#style-examples),
strings copied from the specification. Multipart bodies are read back with the standard
library's MIME parser (RFC 7578 parts), not with our own code.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import io
from collections.abc import Iterator
from email.message import Message
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from generator import build, ir
from tests.conftest import generate_and_import

BOTH = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
STRING, ARRAY, OBJECT = "blue", ["blue", "black", "brown"], {"R": 100, "G": 200, "B": 150}
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

# (style, explode) -> the table's query strings for (undefined, string, array, object); None: n/a
TABLE: dict[tuple[str, bool], tuple[str | None, str | None, str | None, str | None]] = {
    ("form", False): ("color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"),
    ("form", True): (
        "color=",
        "color=blue",
        "color=blue&color=black&color=brown",
        "R=100&G=200&B=150",
    ),
    ("spaceDelimited", False): (
        None,
        None,
        "color=blue%20black%20brown",
        "color=R%20100%20G%20200%20B%20150",
    ),
    ("pipeDelimited", False): (
        None,
        None,
        "color=blue%7Cblack%7Cbrown",
        "color=R%7C100%7CG%7C200%7CB%7C150",
    ),
    ("deepObject", True): (None, None, None, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
}
ROWS = [
    (key, value, expected)
    for key, cells in TABLE.items()
    for value, expected in zip((None, STRING, ARRAY, OBJECT), cells, strict=True)
    if expected is not None
]
RGB = {
    "type": "object",
    "properties": {k: {"type": "integer"} for k in ("R", "G", "B")},
    "x-sdkgen-name": "Rgb",
}
OK = {"204": {"description": "done"}}


def _post(op_id: str, media: str, schema: dict[str, Any], **media_extra: Any) -> dict[str, Any]:
    content = {media: {"schema": schema, **media_extra}}
    return {
        "post": {
            "operationId": op_id,
            "tags": ["forms"],
            "requestBody": {"required": True, "content": content},
            "responses": OK,
        }
    }


def _obj(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        **({"required": list(required)} if required else {}),
    }


def forms_spec() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for style, explode in TABLE:
        encoding = {"color": {"style": style, "explode": explode}}
        paths[f"/table/{style}/{str(explode).lower()}"] = _post(
            f"table_{style}_{explode}".lower(), FORM, _obj({"color": {}}), encoding=encoding
        )
    paths["/model/form"] = _post(
        "model_form", FORM, _obj({"color": {"$ref": "#/components/schemas/Rgb"}})
    )
    paths["/model/deep"] = _post(
        "model_deep",
        FORM,
        _obj({"color": {"$ref": "#/components/schemas/Rgb"}}),
        encoding={"color": {"style": "deepObject", "explode": True}},
    )
    paths["/kinds"] = _post(
        "kinds",
        FORM,
        _obj(
            {
                "email": {"type": "string"},
                "on": {"type": "boolean"},
                "count": {"type": "integer"},
                "note": {"description": "any value, None included"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "nested": {"type": "object", "additionalProperties": {}},
                "json": _obj({"a": {"type": "integer"}}),
                "raw path": {"type": "string"},
                "expand": {"type": "array", "items": {"type": "string"}},
            },
            required=("email",),
        ),
        encoding={
            "nested": {"style": "deepObject", "explode": True},
            "json": {"contentType": "application/json"},
            "raw path": {"allowReserved": True},
            "expand": {"style": "deepObject", "explode": True},
        },
    )
    paths["/optional"] = {
        "post": {
            "operationId": "optional",
            "tags": ["forms"],
            "requestBody": {"content": {FORM: {"schema": _obj({"a": {"type": "string"}})}}},
            "responses": OK,
        }
    }
    paths["/empty"] = {
        "get": {
            "operationId": "empty",
            "tags": ["forms"],
            "requestBody": {
                "content": {
                    FORM: {
                        "schema": {
                            "type": "object",
                            "properties": {},
                            "additionalProperties": False,
                        }
                    }
                }
            },
            "responses": OK,
        }
    }
    paths["/upload"] = _post(
        "upload",
        MULTIPART,
        _obj(
            {
                "attributes": _obj({"name": {"type": "string"}, "parent_id": {"type": "string"}}),
                "file": {"type": "string", "format": "binary"},
                "more": {"type": "array", "items": {"type": "string", "format": "binary"}},
                "purpose": {"type": "string"},
                "on": {"type": "boolean"},
                "ids": {"type": "array", "items": {"type": "integer"}},
                "meta": _obj({"k": {"type": "string"}}),
                "image": {"type": "string", "contentMediaType": "image/png"},
                "link": _obj(
                    {"create": {"type": "boolean"}, "tags": {"type": "array", "items": {}}}
                ),
            },
            required=("file",),
        ),
        encoding={
            "meta": {"contentType": "text/plain"},
            "image": {"contentType": "image/png"},
            "link": {"style": "deepObject", "explode": True},
        },
    )
    paths["/octets"] = _post(
        "octets", "application/octet-stream", {"type": "string", "format": "binary"}
    )
    paths["/text"] = _post("text", "text/plain", {"type": "string"})
    return {
        "openapi": "3.1.0",  # for `contentMediaType`
        "info": {"title": "Forms", "version": "1"},
        "servers": [{"url": "https://forms.test"}],
        "paths": paths,
        "components": {"schemas": {"Rgb": RGB}},
    }


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(forms_spec(), tmp_path_factory.mktemp("forms"), "forms_c")


def send(module: ModuleType, is_async: bool, method: str, **kwargs: Any) -> httpx.Request:
    """Call `forms.<method>(**kwargs)` and return the one request it sent."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(204)

    if is_async:

        async def main() -> None:
            transport = httpx.MockTransport(handler)
            async with module.AsyncClient(base_url="https://forms.test", transport=transport) as c:
                await getattr(c.forms, method)(**kwargs)

        asyncio.run(main())
    else:
        with module.Client(
            base_url="https://forms.test", transport=httpx.MockTransport(handler)
        ) as c:
            getattr(c.forms, method)(**kwargs)
    assert len(seen) == 1
    return seen[0]


def form_of(request: httpx.Request) -> str:
    assert request.headers["content-type"] == FORM
    return request.content.decode("ascii")


@BOTH
@pytest.mark.parametrize(("key", "value", "expected"), ROWS)
def test_form_body_follows_the_style_table(
    forms: ModuleType, is_async: bool, key: tuple[str, bool], value: Any, expected: str
) -> None:
    style, explode = key
    request = send(forms, is_async, f"table_{style}_{explode}".lower(), color=value)
    assert form_of(request) == expected


@BOTH
@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("model_form", "R=100&G=200&B=150"),
        ("model_deep", "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
    ],
)
def test_a_model_is_sent_by_its_wire_names(
    forms: ModuleType, is_async: bool, method: str, expected: str
) -> None:
    color = forms.models.Rgb(r=100, g=200, b=150)
    assert form_of(send(forms, is_async, method, color=color)) == expected


@BOTH
def test_form_values_of_every_kind(forms: ModuleType, is_async: bool) -> None:
    request = send(
        forms,
        is_async,
        "kinds",
        email="a b@c.d",
        on=False,
        count=3,
        note=None,
        tags=["x", "y,z"],
        nested={"a": {"b": {"c": "v"}}, "list": ["p", "q"]},
        json=forms.models.KindsBodyJson(a=1)
        if hasattr(forms.models, "KindsBodyJson")
        else {"a": 1},
        raw_path="/a:b?",
        expand=["a", "b"],
    )
    body = form_of(request)
    assert body.split("&") == [
        "email=a%20b%40c.d",
        "on=false",
        "count=3",
        "note=",  # an explicit None: the table's empty value
        "tags=x",
        "tags=y%2Cz",
        "nested%5Ba%5D%5Bb%5D%5Bc%5D=v",
        "nested%5Blist%5D%5B0%5D=p",
        "nested%5Blist%5D%5B1%5D=q",
        "json=%7B%22a%22%3A1%7D",  # contentType application/json: JSON text
        "raw%20path=/a:b?",  # allowReserved
        "expand%5B0%5D=a",  # n/a in the table: indexed, as Stripe reads it
        "expand%5B1%5D=b",
    ]
    assert parse_qsl(body)[0] == ("email", "a b@c.d")


@BOTH
def test_unset_form_fields_are_not_sent(forms: ModuleType, is_async: bool) -> None:
    assert form_of(send(forms, is_async, "kinds", email="e")) == "email=e"
    optional = send(forms, is_async, "optional")
    assert optional.content == b"" and "content-type" not in optional.headers
    assert form_of(send(forms, is_async, "optional", a="1")) == "a=1"


@BOTH
def test_an_empty_form_body_is_no_argument_and_not_sent(forms: ModuleType, is_async: bool) -> None:
    request = send(forms, is_async, "empty")
    assert (
        request.method == "GET" and request.content == b"" and "content-type" not in request.headers
    )
    with pytest.raises(TypeError):
        send(forms, is_async, "empty", body=b"")


def parts_of(request: httpx.Request) -> list[Message]:
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    assert message.is_multipart() and message.get_content_type() == MULTIPART
    return list(message.iter_parts())


def _part(part: Message) -> tuple[str | None, str | None, str | None, bytes]:
    """(name, filename, Content-Type or None, content) of one part."""
    name = part.get_param("name", header="content-disposition")
    declared = part.get("content-type")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(name), part.get_filename(), declared and part.get_content_type(), payload


@BOTH
def test_multipart_parts(forms: ModuleType, is_async: bool, tmp_path: Any) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF")
    with path.open("rb") as handle:
        request = send(
            forms,
            is_async,
            "upload",
            attributes=forms.models.Attributes(name="n", parent_id="0"),
            file=b"\x00\x01bin",
            more=[handle, ("a.png", b"png", "image/png"), ("notes", io.BytesIO(b"n"))],
            purpose="dispute",
            on=True,
            ids=[1, 2],
            meta={"k": "v"},
            image=b"img",
            link={"create": True, "tags": ["a", "b"]},
        )
    assert [_part(p) for p in parts_of(request)] == [
        ("attributes", None, "application/json", b'{"name":"n","parent_id":"0"}'),
        ("file", "file", "application/octet-stream", b"\x00\x01bin"),
        ("more", "report.pdf", "application/pdf", b"%PDF"),
        ("more", "a.png", "image/png", b"png"),
        ("more", "notes", "application/octet-stream", b"n"),  # guessed from the filename
        ("purpose", None, None, b"dispute"),
        ("on", None, None, b"true"),
        ("ids", None, None, b"1"),  # an array repeats the part
        ("ids", None, None, b"2"),
        ("meta", None, "text/plain", b'{"k":"v"}'),  # contentType wins over the JSON default
        ("image", "image", "image/png", b"img"),  # contentMediaType: a file
        # an explicit style: the style's pairs as text parts (3.1.1; Stripe's uploads)
        ("link[create]", None, None, b"true"),
        ("link[tags][0]", None, None, b"a"),
        ("link[tags][1]", None, None, b"b"),
    ]


@BOTH
def test_multipart_boundary_is_httpx_s_and_unset_parts_are_left_out(
    forms: ModuleType, is_async: bool
) -> None:
    request = send(forms, is_async, "upload", file=("x.txt", b"hello", None))
    assert [_part(p) for p in parts_of(request)] == [("file", "x.txt", "text/plain", b"hello")]
    boundary = request.headers["content-type"].split("boundary=")[1]
    assert request.content.startswith(b"--" + boundary.encode() + b"\r\n")


@BOTH
def test_octet_stream_and_text_bodies(forms: ModuleType, is_async: bool) -> None:
    octets = send(forms, is_async, "octets", body=b"\xff\x00")
    assert (
        octets.headers["content-type"] == "application/octet-stream"
        and octets.content == b"\xff\x00"
    )
    text = send(forms, is_async, "text", body="h\u00e9llo")
    assert text.headers["content-type"] == "text/plain" and text.content == "h\u00e9llo".encode()


def test_typed_bodies_carry_no_fallback_note() -> None:
    """Forms, uploads, octets and text are typed: no SDK201; a form body that is any object
    (no properties to make arguments of) stays bytes, with the note."""
    _, diagnostics = build.build(forms_spec(), package_name="forms_c", env_prefix="FORMS_C")
    # Properties that allow any value (the style table's untyped `color`, a free-form object)
    # carry their own notes (issue 13, item 7); no body falls back.
    body_notes = [d for d in diagnostics if d.code == "SDK201" and "/properties/" not in d.pointer]
    assert body_notes == []
    spec = forms_spec()
    spec["paths"]["/any"] = _post("any", MULTIPART, {"type": "object"})
    api, diagnostics = build.build(spec, package_name="forms_c", env_prefix="FORMS_C")
    notes = [d.pointer for d in diagnostics if d.code == "SDK201" and d.pointer.endswith("/schema")]
    assert notes == ["#/paths/~1any/post/requestBody/content/multipart~1form-data/schema"]
    op = next(op for g in api.groups for op in g.operations if op.operation_id == "any")
    assert op.body == ir.WholeBody("body", None, MULTIPART, True, "")
