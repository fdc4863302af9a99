"""`readOnly` and `writeOnly` (issue 13, item 6), per OpenAPI 3.0.4 (Schema Object, fixed
fields): a `readOnly` property "SHOULD NOT be sent as part of the request" and, when required,
"the required will take effect on the response only"; a `writeOnly` one "SHOULD NOT be sent
as part of the response" and is required "on the request only". Checked on the wire through
the generated client, sync and async, lenient and strict."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import generate_and_import
from tests.formats_spec import spec

BOTH = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
MODES = pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])


@pytest.fixture(scope="module")
def rw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(spec(), tmp_path_factory.mktemp("rw"), "rw")


def call(
    rw: ModuleType, is_async: bool, answer: Any, method: str, strict: bool = False, **kwargs: Any
) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=answer)

    options = {"base_url": "https://api.example.com", "strict": strict, "max_retries": 0}
    transport = httpx.MockTransport(handler)
    if is_async:

        async def run() -> Any:
            async with rw.AsyncClient(transport=transport, **options) as client:
                return await getattr(client.accounts, method)(**kwargs)

        return asyncio.run(run()), sent
    with rw.Client(transport=transport, **options) as client:
        return getattr(client.accounts, method)(**kwargs), sent


def test_read_only_body_properties_are_not_arguments(rw: ModuleType) -> None:
    signature = inspect.signature(rw._client.AccountsResource.signup)
    names = [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
    # `id` and `created` are readOnly; `password` is writeOnly and required: a required argument
    assert names[:4] == ["email", "password", "account", "draft"]
    assert "id" not in names and "created" not in names
    assert signature.parameters["password"].default is inspect.Parameter.empty


def test_constructors_require_what_every_direction_requires(rw: ModuleType) -> None:
    def required(cls: type) -> set[str]:
        parameters = inspect.signature(cls).parameters.values()
        return {p.name for p in parameters if p.default is inspect.Parameter.empty}

    # sent and received: readOnly `id` is never sent, writeOnly `password` never received
    assert required(rw.models.Account) == {"name"}
    # only received: the readOnly `id` is required, the writeOnly `pin` is not
    assert required(rw.models.Receipt) == {"id"}
    # only sent: the writeOnly `secret` is required, the readOnly `id` is not
    assert required(rw.models.Draft) == {"secret"}


@BOTH
def test_a_request_sends_no_read_only_property(rw: ModuleType, is_async: bool) -> None:
    answer = {"id": "a1", "name": "n", "created": "2024-01-31T12:00:00Z"}
    account, sent = call(
        rw,
        is_async,
        answer,
        "signup",
        email="e@example.com",
        password="secret",
        account=rw.models.Account(name="n", password="pw"),
        draft=rw.models.Draft(secret="s"),
    )
    (request,) = sent
    assert json.loads(request.content) == {
        "email": "e@example.com",
        "password": "secret",
        "account": {"name": "n", "password": "pw"},
        "draft": {"secret": "s"},
    }
    assert account.id == "a1"
    assert account.password is rw.UNSET


@BOTH
@MODES
def test_a_required_write_only_field_may_be_missing_from_a_response(
    rw: ModuleType, is_async: bool, strict: bool
) -> None:
    receipt, _ = call(rw, is_async, {"id": "r1"}, "get_receipt", strict=strict)
    assert receipt.id == "r1" and receipt.pin is rw.UNSET
    account, _ = call(
        rw,
        is_async,
        {"id": "a1", "name": "n"},
        "signup",
        strict=strict,
        email="e",
        password="p",
        account=rw.models.Account(name="n"),
    )
    assert account.password is rw.UNSET


@BOTH
def test_a_required_read_only_field_is_required_in_responses(
    rw: ModuleType, is_async: bool
) -> None:
    receipt, _ = call(rw, is_async, {"pin": "1234"}, "get_receipt")  # lenient: kept as sent
    assert receipt.id is rw.UNSET and receipt.pin == "1234"
    with pytest.raises(rw.ResponseValidationError) as info:
        call(rw, is_async, {"pin": "1234"}, "get_receipt", strict=True)
    assert info.value.path == "$.id"
    with pytest.raises(rw.ResponseValidationError) as info:
        call(
            rw,
            is_async,
            {"name": "n"},
            "signup",
            strict=True,
            email="e",
            password="p",
            account=rw.models.Account(name="n"),
        )
    assert info.value.path == "$.id"


@BOTH
def test_a_model_read_from_a_response_is_sent_as_it_is(rw: ModuleType, is_async: bool) -> None:
    """The documented rule: a model the caller passes is the caller's value, sent whole
    (`to_dict()`); only arguments leave readOnly properties out."""
    read = rw.models.Account.from_dict({"id": "a1", "name": "n", "created": "2024-01-31T12:00:00Z"})
    _, sent = call(
        rw, is_async, {"id": "a1", "name": "n"}, "signup", email="e", password="p", account=read
    )
    body = json.loads(sent[0].content)
    assert body["account"] == {"id": "a1", "name": "n", "created": "2024-01-31T12:00:00Z"}
