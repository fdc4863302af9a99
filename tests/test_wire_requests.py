"""Security schemes, headers, media types, stable argument names and the runtime regressions of
issue 12, through generated clients and `httpx.MockTransport`, sync and async."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import generate_and_import

OK = {"204": {"description": "done"}}
BOTH = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


def _get(op_id: str, *, params: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "get": {
            "operationId": op_id,
            "tags": ["t"],
            "parameters": params or [],
            "responses": OK,
            **extra,
        }
    }


def _post(op_id: str, media: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"required": True, "content": {media: {"schema": schema}}}
    return {
        "post": {"operationId": op_id, "tags": ["t"], "requestBody": body, "responses": OK, **extra}
    }


def _string(name: str, location: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": location, "schema": {"type": "string"}, **extra}


SCHEMES = {
    "basic": {"type": "http", "scheme": "basic"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "hkey": {"type": "apiKey", "in": "header", "name": "X-Key"},
    "qkey": {"type": "apiKey", "in": "query", "name": "key"},
    "ckey": {"type": "apiKey", "in": "cookie", "name": "sid"},
    "oauth": {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {}}},
    },
}
NOTE = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "note": {"type": "string", "nullable": True}},
}


def requests_spec() -> dict[str, Any]:
    paths: dict[str, Any] = {
        f"/{key}": _get(f"with_{key}", security=[{key: []}]) for key in SCHEMES
    }
    paths["/either"] = _get("either", security=[{"basic": []}, {"bearer": []}])
    paths["/both"] = _get("both", security=[{"hkey": [], "qkey": []}])
    paths["/optional"] = _get("optional", security=[{}, {"bearer": []}])
    paths["/open"] = _get("open", security=[])
    paths["/collide"] = _get(
        "collide",
        params=[_string("key", "query"), _string("x-key", "header"), _string("sid", "cookie")],
        security=[{"hkey": [], "qkey": [], "ckey": []}],
    )
    paths["/near_miss"] = _get(
        "near_miss",
        params=[_string("Key", "query"), _string("SID", "cookie")],
        security=[{"qkey": [], "ckey": []}],
    )
    paths["/headers"] = _get(
        "headers",
        params=[
            _string("X-Trace", "header"),
            _string("x-trace", "header"),
            _string("Accept", "header"),
        ],
    )
    paths["/vendor"] = _post("vendor", "application/vnd.example+json", NOTE)
    paths["/charset"] = _post(
        "charset",
        "application/json; charset=utf-8",
        {"type": "array", "items": {"type": "integer"}},
    )
    paths["/plain"] = _post("plain", "application/json", NOTE)
    paths["/retry"] = {
        **_get("retry_get"),
        **_post("retry_post", "application/json", NOTE),
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Reqs", "version": "1.0.0"},
        "servers": [{"url": "http://reqs.test"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": SCHEMES},
        "paths": paths,
    }


@pytest.fixture(scope="module")
def reqs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(requests_spec(), tmp_path_factory.mktemp("reqs"), "reqs")


class Recorder:
    def __init__(self, *statuses: int) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses = list(statuses)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 204
        return httpx.Response(status, headers={"Retry-After": "0"})


def calls(
    module: ModuleType,
    is_async: bool,
    method: str,
    client_args: dict[str, Any] | None = None,
    recorder: Recorder | None = None,
    times: int = 1,
    **kwargs: Any,
) -> list[httpx.Request]:
    """Call `client.t.<method>(**kwargs)` `times` times; the requests that went out."""
    recorder = recorder or Recorder()
    options = {"transport": httpx.MockTransport(recorder), **(client_args or {})}
    if is_async:

        async def go() -> None:
            async with module.AsyncClient(**options) as client:
                for _ in range(times):
                    await getattr(client.t, method)(**kwargs)

        asyncio.run(go())
    else:
        with module.Client(**options) as client:
            for _ in range(times):
                getattr(client.t, method)(**kwargs)
    return recorder.requests


def one(
    module: ModuleType,
    is_async: bool,
    method: str,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> httpx.Request:
    (request,) = calls(module, is_async, method, client_args, **kwargs)
    return request


# --- security -----------------------------------------------------------------------------------


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@BOTH
def test_basic_auth_is_base64_per_rfc_7617(reqs: ModuleType, is_async: bool) -> None:
    request = one(reqs, is_async, "with_basic", {"username": "AC123", "password": "tök:en"})
    assert request.headers["authorization"] == _basic("AC123", "tök:en")
    assert request.headers["authorization"] == "Basic QUMxMjM6dMO2azplbg=="


@BOTH
def test_basic_auth_without_a_password(
    reqs: ModuleType, is_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQS_PASSWORD", raising=False)
    request = one(reqs, is_async, "with_basic", {"username": "only"})
    assert request.headers["authorization"] == _basic("only", "")


@BOTH
def test_basic_auth_from_the_environment(
    reqs: ModuleType, is_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQS_USERNAME", "env-user")
    monkeypatch.setenv("REQS_PASSWORD", "env-pass")
    request = one(reqs, is_async, "with_basic")
    assert request.headers["authorization"] == _basic("env-user", "env-pass")


@BOTH
@pytest.mark.parametrize(
    ("method", "args", "where", "expected"),
    [
        ("with_bearer", {"bearer": "tok"}, ("header", "authorization"), "Bearer tok"),
        ("with_hkey", {"hkey": "k1"}, ("header", "x-key"), "k1"),
        ("with_qkey", {"qkey": "k 2"}, ("query", ""), "key=k%202"),
        ("with_ckey", {"ckey": "k;3"}, ("header", "cookie"), "sid=k%3B3"),
        ("with_oauth", {"access_token": "at"}, ("header", "authorization"), "Bearer at"),
    ],
)
def test_each_scheme_sends_its_credential(
    reqs: ModuleType,
    is_async: bool,
    method: str,
    args: dict[str, str],
    where: tuple[str, str],
    expected: str,
) -> None:
    request = one(reqs, is_async, method, args)
    got = request.url.query.decode() if where[0] == "query" else request.headers[where[1]]
    assert got == expected
    assert sum(k.lower() == "authorization" for k in request.headers) <= 1


@BOTH
def test_a_callable_token_is_asked_on_every_request(reqs: ModuleType, is_async: bool) -> None:
    tokens = iter(["t1", "t2"])
    sent = calls(reqs, is_async, "with_oauth", {"access_token": lambda: next(tokens)}, times=2)
    assert [r.headers["authorization"] for r in sent] == ["Bearer t1", "Bearer t2"]


@BOTH
def test_alternatives_take_the_first_that_has_credentials(reqs: ModuleType, is_async: bool) -> None:
    only_bearer = one(reqs, is_async, "either", {"bearer": "b"})
    assert only_bearer.headers["authorization"] == "Bearer b"
    both = one(reqs, is_async, "either", {"bearer": "b", "username": "u", "password": "p"})
    assert both.headers["authorization"] == _basic("u", "p")


@BOTH
def test_a_combination_sends_every_credential(reqs: ModuleType, is_async: bool) -> None:
    request = one(reqs, is_async, "both", {"hkey": "h", "qkey": "q"})
    assert request.headers["x-key"] == "h" and request.url.query == b"key=q"


@BOTH
def test_missing_credentials_fail_before_sending(reqs: ModuleType, is_async: bool) -> None:
    recorder = Recorder()
    with pytest.raises(reqs.ConfigurationError) as raised:
        calls(reqs, is_async, "either", {"hkey": "h"}, recorder)
    assert str(raised.value) == (
        "this operation needs credentials: pass username= (or REQS_USERNAME) and "
        "password= (or REQS_PASSWORD), or bearer= (or REQS_BEARER)"
    )
    with pytest.raises(reqs.ConfigurationError, match=r"qkey= \(or REQS_QKEY\)"):
        calls(reqs, is_async, "both", {"hkey": "h"}, recorder)
    assert recorder.requests == []


@BOTH
def test_security_none_and_optional(reqs: ModuleType, is_async: bool) -> None:
    assert "authorization" not in one(reqs, is_async, "open", {"bearer": "b"}).headers
    assert one(reqs, is_async, "optional", {"bearer": "b"}).headers["authorization"] == "Bearer b"
    assert "authorization" not in one(reqs, is_async, "optional").headers


@BOTH
def test_the_callers_argument_is_never_replaced_by_a_credential(
    reqs: ModuleType, is_async: bool
) -> None:
    creds = {"hkey": "H", "qkey": "Q", "ckey": "C"}
    given = one(reqs, is_async, "collide", creds, key="mine", x_key="mine", sid="mine")
    assert given.url.query == b"key=mine"
    assert given.headers.get_list("x-key") == ["mine"]
    assert given.headers["cookie"] == "sid=mine"
    default = one(reqs, is_async, "collide", creds)
    assert default.url.query == b"key=Q"
    assert (default.headers["x-key"], default.headers["cookie"]) == ("H", "sid=C")


@BOTH
def test_query_and_cookie_names_are_case_sensitive(reqs: ModuleType, is_async: bool) -> None:
    request = one(reqs, is_async, "near_miss", {"qkey": "Q", "ckey": "C"}, key="mine", sid="mine")
    assert request.url.query == b"key=Q&Key=mine"
    assert request.headers["cookie"] == "sid=C; SID=mine"


def test_secrets_never_show(reqs: ModuleType) -> None:
    client = reqs.Client(username="user-secret", password="pw-secret", bearer="tok-secret")
    shown = repr(client) + repr(client.t) + str(vars(client)) + str(vars(client._core))
    assert not any(s in shown for s in ("user-secret", "pw-secret", "tok-secret"))


# --- headers ------------------------------------------------------------------------------------


@BOTH
def test_extra_headers_replace_whatever_their_case(reqs: ModuleType, is_async: bool) -> None:
    request = one(
        reqs,
        is_async,
        "plain",
        {"bearer": "b"},
        id="1",
        extra_headers={"content-type": "application/merge+json", "AUTHORIZATION": "Token x"},
    )
    assert request.headers.get_list("content-type") == ["application/merge+json"]
    assert request.headers.get_list("authorization") == ["Token x"]


@BOTH
@pytest.mark.parametrize("name", ["Content-Length", "host", "Transfer-Encoding"])
def test_extra_headers_cannot_set_what_httpx_computes(
    reqs: ModuleType, is_async: bool, name: str
) -> None:
    recorder = Recorder()
    with pytest.raises(reqs.ConfigurationError, match=f"^extra_headers cannot set {name}: "):
        calls(reqs, is_async, "plain", {"bearer": "b"}, recorder, id="1", extra_headers={name: "1"})
    assert recorder.requests == []


@BOTH
def test_header_parameters_win_over_default_headers_and_differ_in_case_once(
    reqs: ModuleType, is_async: bool
) -> None:
    request = one(
        reqs, is_async, "headers", {"bearer": "b", "default_headers": {"x-TRACE": "d"}}, x_trace="p"
    )
    assert request.headers.get_list("x-trace") == ["p"]
    assert request.headers["accept"] != "p"  # the ignored Accept parameter is no argument


# --- media types and bodies ---------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize(
    ("method", "kwargs", "content_type", "body"),
    [
        ("vendor", {"id": "1"}, "application/vnd.example+json", {"id": "1"}),
        ("charset", {"body": [1, 2]}, "application/json; charset=utf-8", [1, 2]),
        ("plain", {"id": "1", "note": None}, "application/json", {"id": "1", "note": None}),
    ],
)
def test_the_declared_media_type_is_sent(
    reqs: ModuleType,
    is_async: bool,
    method: str,
    kwargs: dict[str, Any],
    content_type: str,
    body: Any,
) -> None:
    request = one(reqs, is_async, method, {"bearer": "b"}, **kwargs)
    assert request.headers["content-type"] == content_type
    assert json.loads(request.content) == body  # an explicit None is sent as null


# --- retries ------------------------------------------------------------------------------------


@BOTH
def test_a_post_is_not_retried_after_408_but_a_get_is(reqs: ModuleType, is_async: bool) -> None:
    post = Recorder(408)
    with pytest.raises(reqs.APIStatusError):
        calls(reqs, is_async, "retry_post", {"bearer": "b"}, post, id="1")
    assert len(post.requests) == 1
    get = Recorder(408)
    calls(reqs, is_async, "retry_get", {"bearer": "b"}, get)
    assert len(get.requests) == 2


# --- stable names -------------------------------------------------------------------------------


def _items(with_query_id: bool) -> dict[str, Any]:
    params = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    if with_query_id:
        params.append({"name": "id", "in": "query", "schema": {"type": "string"}})
    body = {"type": "object", "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}}
    op = _post("update", "application/json", body)["post"]
    return {
        "openapi": "3.0.3",
        "info": {"title": "Items", "version": "1.0.0"},
        "servers": [{"url": "http://items.test"}],
        "paths": {"/items/{id}": {"post": {**op, "parameters": params}}},
    }


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(_items(False), tmp_path_factory.mktemp("v1"), "items_v1")


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(_items(True), tmp_path_factory.mktemp("v2"), "items_v2")


@BOTH
def test_adding_a_parameter_keeps_every_name_where_it_was(
    before: ModuleType, after: ModuleType, is_async: bool
) -> None:
    """Path `id` and body `id` are `id` and `body_id`; when the next version adds a query `id`,
    it becomes `query_id` and the same call still sends the same request."""
    old = one(before, is_async, "update", id="p", body_id="b", n=1)
    new = one(after, is_async, "update", id="p", body_id="b", n=1)
    assert (old.method, old.url, old.content) == (new.method, new.url, new.content)
    assert old.url.path == "/items/p" and json.loads(old.content) == {"id": "b", "n": 1}
    query = one(after, is_async, "update", id="p", query_id="q", body_id="b")
    assert query.url.query == b"id=q"
