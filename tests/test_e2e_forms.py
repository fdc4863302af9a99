"""Form and multipart writes of public documents against Prism 5.14.2 (request validation on),
sync and async: every Twilio Conversations POST (form bodies, HTTP basic auth) and Box's
multipart uploads (`box-openapi.json`, OAuth2 bearer token).

Two Prism limitations are met, and told apart from client bugs as follows:
- Prism reads no array property of an `application/x-www-form-urlencoded` body as an array:
  `Permission=a` and `Permission=a&Permission=b` (the OpenAPI `form` style, exploded, which
  is the default encoding) both get "Request body property Permission must be array", and
  so does `Permission=a,b`; `Permission[]=a` gets "must have required property 'Permission'"
  (`test_prism_reads_no_form_array`, and stoplightio/prism#2473 and #2654, both open). So each
  POST is sent twice: once with every property (a 422 is accepted only when every violation
  is that message, on a property the document types as an array, and the recorded body
  carries that property as the repeated `name=value` pairs of the `form` style), and once
  without the optional array properties, which must be accepted outright.
- Prism does not decode a multipart part as JSON: Box's `attributes` (an object, so
  `application/json` by the Encoding Object's defaults, and JSON as Box documents it) gets
  "Request body property attributes must be object". The test serves a copy of the document
  without the upload operations' error responses, so Prism answers its own problem+json
  with the violations; that list must be exactly this one, and the recorded part must be
  `application/json` holding the model's JSON.
A pass means the request was validated: a wrong enum value in a form body and a missing file
part are refused (`test_prism_refuses_...`).
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from generator import build, ir
from tests.conftest import REPO, SHARED_SPECS, importer, run_cli
from tests.support.prism import start_prism

TWILIO = SHARED_SPECS / "public" / "twilio_conversations_v1.json"
BOX = SHARED_SPECS / "public" / "box-openapi.json"
SID = re.compile(r"^\^([A-Z]{2})\[0-9a-fA-F\]\{32\}\$$")
AUTH = {"username": "AC0123456789abcdef0123456789abcdef", "password": "token"}
FORM = "application/x-www-form-urlencoded"


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        pytest.fail(f"{path} is missing: the public specs are read from ../shared/specs/public")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _generate(tmp: Path, spec: Path, package: str) -> Iterator[ModuleType]:
    result = run_cli("generate", str(spec), "-o", str(tmp), "-q", "--package-name", package)
    assert result.exit_code == 0, result.output
    loading = importer()
    yield next(loading)(tmp, package)
    next(loading, None)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return _read(TWILIO)


@pytest.fixture(scope="module")
def twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from _generate(tmp_path_factory.mktemp("twilio_forms"), TWILIO, "twilio_f")


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    with start_prism(TWILIO, repo_root=REPO) as url:
        yield url


def _resolve(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema if isinstance(schema, dict) else {}


def sample(document: dict[str, Any], raw: Any) -> Any:
    """A value valid for a Twilio schema: an enum's first value, a SID matching its pattern,
    a date-time, a URI, or a value of the type."""
    schema = _resolve(document, raw)
    found = SID.match(str(schema.get("pattern", "")))
    if "enum" in schema:
        return schema["enum"][0]
    if found:
        return found[1] + "0123456789abcdef" * 2
    kind = schema.get("type")
    if kind == "array":
        return [sample(document, schema.get("items"))]
    values = {"integer": 1, "number": 1.5, "boolean": True}
    if kind in values:
        return values[kind]
    formats = {"date-time": "2020-01-02T03:04:05Z", "uri": "https://example.com/hook"}
    return formats.get(str(schema.get("format")), "text")


class Write:
    """One POST: its method, its arguments, and the body properties the document types as
    arrays (wire name -> argument name)."""

    def __init__(self, group: str, method: str, kwargs: dict[str, Any], arrays: dict[str, str]):
        self.group, self.method, self.kwargs, self.arrays = group, method, kwargs, arrays

    def without_optional_arrays(self, required: set[str]) -> dict[str, Any]:
        dropped = {py for wire, py in self.arrays.items() if wire not in required}
        return {k: v for k, v in self.kwargs.items() if k not in dropped}


def writes(document: dict[str, Any]) -> list[tuple[Write, set[str]]]:
    """Every operation with a form body, every property given; with its required names."""
    api, _ = build.build(document, package_name="twilio_f", env_prefix="TWILIO_F")
    found = []
    for group in api.groups:
        for op in group.operations:
            if not isinstance(op.body, ir.FormBody):
                continue
            item = document["paths"][op.path]
            raw = item.get("parameters", []) + item[op.method.lower()].get("parameters", [])
            schemas = {p["name"]: p.get("schema", {}) for p in raw}
            kwargs = {
                p.py_name: sample(document, schemas[p.wire_name]) for p in op.params if p.required
            }
            body = item[op.method.lower()]["requestBody"]["content"][FORM]["schema"]
            props = body["properties"]
            kwargs |= {f.py_name: sample(document, props[f.wire_name]) for f in op.body.fields}
            arrays = {
                f.wire_name: f.py_name
                for f in op.body.fields
                if _resolve(document, props[f.wire_name]).get("type") == "array"
            }
            found.append(
                (Write(group.attr_name, op.py_name, kwargs, arrays), set(body.get("required", ())))
            )
    return found


def _recording() -> tuple[list[httpx.Request], dict[str, Any]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> None:
        request.read()  # a multipart body is a stream, read again when sent
        seen.append(request)

    return seen, {"request": [record]}


def _check_form_array_limitation(
    error: Any, write: Write, sent: dict[str, Any], request: httpx.Request
) -> None:
    """A 422 is Prism's form-array limitation, not a client bug: every violation is "must be
    array" on a property typed as an array, which the body carries as `form` pairs."""
    violations = error.body["validation"]
    assert violations, error.body
    pairs = parse_qsl(request.content.decode("ascii"), keep_blank_values=True)
    for v in violations:
        assert v["code"] == "type" and v["message"].endswith("must be array"), violations
        wire = v["location"][1]
        assert wire in write.arrays, violations
        assert [value for name, value in pairs if name == wire] == sent[write.arrays[wire]]


def test_every_form_write_is_accepted(
    twilio: ModuleType, prism: str, document: dict[str, Any]
) -> None:
    todo = writes(document)
    assert len(todo) == 38  # every POST of this version
    limited = set()
    seen, hooks = _recording()
    with (
        httpx.Client(event_hooks=hooks) as http,
        twilio.Client(base_url=prism, http_client=http, **AUTH) as client,
    ):
        for write, required in todo:
            call = getattr(getattr(client, write.group), write.method)
            try:
                call(**write.kwargs)
            except twilio.UnprocessableEntityError as error:
                _check_form_array_limitation(error, write, write.kwargs, seen[-1])
                limited.add(write.method)
            fewer = write.without_optional_arrays(required)
            if set(write.arrays) & required:  # Roles' Permission: the limitation again
                with pytest.raises(twilio.UnprocessableEntityError) as raised:
                    call(**fewer)
                _check_form_array_limitation(raised.value, write, fewer, seen[-1])
            else:
                call(**fewer)  # accepted, or it raises
    # the limitation is met exactly where arrays are sent
    assert limited == {w.method for w, _ in todo if w.arrays}
    assert len(limited) < len(todo)


def test_every_form_write_is_accepted_async(
    twilio: ModuleType, prism: str, document: dict[str, Any]
) -> None:
    todo = [(w, r) for w, r in writes(document) if not set(w.arrays) & r]

    async def main() -> None:
        async with twilio.AsyncClient(base_url=prism, **AUTH) as client:
            for write, required in todo:
                call = getattr(getattr(client, write.group), write.method)
                await call(**write.without_optional_arrays(required))

    asyncio.run(main())
    assert len(todo) >= 30


def test_prism_refuses_a_form_value_outside_its_enum(
    twilio: ModuleType, prism: str, document: dict[str, Any]
) -> None:
    write, required = next((w, r) for w, r in writes(document) if w.method == "create_role")
    kwargs = write.without_optional_arrays(required) | {"type": "nope"}
    with (
        twilio.Client(base_url=prism, **AUTH) as client,
        pytest.raises(twilio.UnprocessableEntityError) as raised,
    ):
        client.conversations_v1_role.create_role(**kwargs)
    codes = {v["code"] for v in raised.value.body["validation"]}
    assert "enum" in codes


def test_prism_reads_no_form_array(prism: str) -> None:
    """The evidence for the first limitation, with raw httpx (no generated code involved)."""
    base = "FriendlyName=x&Type=conversation&"
    messages = {}
    for permission in (
        "Permission=a",
        "Permission=a&Permission=b",
        "Permission=a,b",
        "Permission%5B%5D=a",
    ):
        response = httpx.post(
            f"{prism}/v1/Roles",
            content=base + permission,
            headers={"Content-Type": FORM},
            auth=(AUTH["username"], AUTH["password"]),
        )
        assert response.status_code == 422
        messages[permission] = [v["message"] for v in response.json()["validation"]]
    assert messages == {
        "Permission=a": ["Request body property Permission must be array"],
        "Permission=a&Permission=b": ["Request body property Permission must be array"],
        "Permission=a,b": ["Request body property Permission must be array"],
        "Permission%5B%5D=a": ["Request body must have required property 'Permission'"],
    }


# --- Box multipart uploads ----------------------------------------------------------------------

UPLOADS = ("/files/content", "/files/{file_id}/content", "/users/{user_id}/avatar")


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The Box client, and Prism serving a copy of the document whose upload operations keep
    only their success responses (so a refused request shows Prism's own violations)."""
    document = _read(BOX)
    tmp = tmp_path_factory.mktemp("box_uploads")
    for path in UPLOADS:
        responses = document["paths"][path]["post"]["responses"]
        for code in [c for c in responses if not c.startswith("2")]:
            del responses[code]
    served = tmp / "box-uploads.json"
    served.write_text(json.dumps(document), encoding="utf-8")
    generated = _generate(tmp / "client", BOX, "box_u")
    module = next(generated)
    with start_prism(served, repo_root=REPO) as url:
        yield module, url
    next(generated, None)


def _parts(request: httpx.Request) -> list[tuple[str, str | None, str, bytes]]:
    raw = (
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.content
    )
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    found = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        name = str(part.get_param("name", header="content-disposition"))
        found.append((name, part.get_filename(), part.get_content_type(), payload))
    return found


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_box_avatar_upload_is_accepted(box: tuple[ModuleType, str], is_async: bool) -> None:
    module, url = box
    seen, hooks = _recording()
    picture = ("me.png", b"\x89PNG\r\n", "image/png")
    if is_async:

        async def main() -> Any:
            async with (
                httpx.AsyncClient(event_hooks={"request": [_async(seen)]}) as http,
                module.AsyncClient(base_url=url, http_client=http, access_token="t") as client,
            ):
                return await client.user_avatars.post_users_id_avatar(user_id="12345", pic=picture)

        result = asyncio.run(main())
    else:
        with (
            httpx.Client(event_hooks=hooks) as http,
            module.Client(base_url=url, http_client=http, access_token="t") as client,
        ):
            result = client.user_avatars.post_users_id_avatar(user_id="12345", pic=picture)
    assert isinstance(result, module.models.UserAvatar)
    assert _parts(seen[-1]) == [("pic", "me.png", "image/png", b"\x89PNG\r\n")]


def _async(seen: list[httpx.Request]) -> Any:
    async def record(request: httpx.Request) -> None:
        await request.aread()
        seen.append(request)

    return record


def test_prism_refuses_an_upload_without_its_file_part(box: tuple[ModuleType, str]) -> None:
    _, url = box
    response = httpx.post(
        f"{url}/users/12345/avatar",
        files=[("picture", ("me.png", b"x", "image/png"))],
        headers={"Authorization": "Bearer t"},
    )
    assert response.status_code == 422
    assert [v["message"] for v in response.json()["validation"]] == [
        "Request body must have required property 'pic'"
    ]


def test_box_file_upload_meets_only_the_json_part_limitation(box: tuple[ModuleType, str]) -> None:
    module, url = box
    models = module.models
    attributes = models.PostFilesContentBodyAttributes(
        name="a.txt", parent=models.PostFilesContentBodyAttributesParent(id="0")
    )
    seen, hooks = _recording()
    with (
        httpx.Client(event_hooks=hooks) as http,
        module.Client(base_url=url, http_client=http, access_token="t") as client,
        pytest.raises(module.UnprocessableEntityError) as raised,
    ):
        client.uploads.post_files_content(
            attributes=attributes, file=("a.txt", b"hello", "text/plain")
        )
    assert [v["message"] for v in raised.value.body["validation"]] == [
        "Request body property attributes must be object"
    ]
    parts = _parts(seen[-1])
    assert [p[:3] for p in parts] == [
        ("attributes", None, "application/json"),
        ("file", "a.txt", "text/plain"),
    ]
    assert json.loads(parts[0][3]) == {"name": "a.txt", "parent": {"id": "0"}}
    assert parts[1][3] == b"hello"


# --- Stripe on the wire -------------------------------------------------------------------------

STRIPE = SHARED_SPECS / "public" / "stripe-spec3-2022-04.json"


@pytest.fixture(scope="module")
def stripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    _read(STRIPE)
    yield from _generate(tmp_path_factory.mktemp("stripe_forms"), STRIPE, "stripe_f")


def _stripe_send(module: ModuleType, is_async: bool, method: str, **kwargs: Any) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(200, json={})

    options = {"base_url": "https://stripe.test", "api_key": "sk_test"}
    if is_async:

        async def main() -> None:
            transport = httpx.MockTransport(handler)
            async with module.AsyncClient(transport=transport, **options) as client:
                await getattr(client.default, method)(**kwargs)

        asyncio.run(main())
    else:
        with module.Client(transport=httpx.MockTransport(handler), **options) as client:
            getattr(client.default, method)(**kwargs)
    assert len(seen) == 1
    return seen[0]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_stripe_customer_create_sends_deep_objects(stripe: ModuleType, is_async: bool) -> None:
    """`POST /v1/customers` (operationId PostCustomers): its `encoding` says deepObject for
    `metadata` and `address`, so `metadata[order]=42`, as Stripe reads it."""
    request = _stripe_send(
        stripe,
        is_async,
        "post_customers",
        email="a@b.c",
        metadata={"order": "42"},
        address={"city": "Paris"},
        expand=["sources"],
    )
    assert request.method == "POST" and request.url.path == "/v1/customers"
    assert request.headers["content-type"] == FORM
    assert sorted(parse_qsl(request.content.decode("ascii"))) == [
        ("address[city]", "Paris"),
        ("email", "a@b.c"),
        ("expand[0]", "sources"),
        ("metadata[order]", "42"),
    ]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_stripe_empty_form_bodies_add_no_argument(stripe: ModuleType, is_async: bool) -> None:
    request = _stripe_send(stripe, is_async, "get_balance")
    assert request.method == "GET" and request.content == b""
    assert "content-type" not in request.headers
    with pytest.raises(TypeError):
        _stripe_send(stripe, is_async, "get_balance", body=b"")


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_stripe_file_upload_is_multipart(stripe: ModuleType, is_async: bool) -> None:
    """`POST /v1/files`: multipart, `file_link_data` with an explicit deepObject style."""
    request = _stripe_send(
        stripe,
        is_async,
        "post_files",
        file="%PDF-1.4",
        purpose="dispute_evidence",
        file_link_data=stripe.models.FileLinkCreationParams(create=True),
    )
    assert [p[:3] for p in _parts(request)] == [
        # no Content-Type: RFC 7578's text/plain (`file` is `type: string` in the document)
        ("file", None, "text/plain"),
        ("file_link_data[create]", None, "text/plain"),
        ("purpose", None, "text/plain"),
    ]
    assert [p[3] for p in _parts(request)] == [b"%PDF-1.4", b"true", b"dispute_evidence"]
