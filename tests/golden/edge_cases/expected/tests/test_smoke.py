"""Calls every operation once against an in-process transport (no network) and checks the
request it sends (method, path, required parameters, body keys) and the type of its result."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import unquote

import httpx

from edge_cases import AsyncClient, Client, models


class _Answer(httpx.MockTransport):
    """A transport answering 200 with `body` (`{}` for objects, `[]` for arrays) that records
    the requests it gets."""

    def __init__(self, body: Any) -> None:
        self.requests: list[httpx.Request] = []
        super().__init__(self._answer)
        self.body = body

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.body)

    def check(
        self,
        method: str,
        path: str,
        query: list[str],
        headers: list[str],
        cookies: list[str],
        body: list[str] | None,
    ) -> None:
        (request,) = self.requests
        self.requests.clear()
        assert request.method == method
        decoded = unquote(request.url.raw_path.decode().split("?")[0])
        assert re.fullmatch("/base" + path, decoded), decoded
        sent_query = "&" + request.url.query.decode()
        assert all("&" + q in sent_query for q in query), sent_query
        assert all(h in request.headers for h in headers), request.headers
        sent_cookies = "; " + request.headers.get("cookie", "")
        assert all("; " + c in sent_cookies for c in cookies), sent_cookies
        if body is not None:
            assert sorted(json.loads(request.content or b"{}")) == body


def test_every_operation_sync() -> None:
    transport = _Answer({})
    with Client(api_key="test", base_url="http://test/base", transport=transport) as client:
        assert isinstance(client.nd_things_2.get_thing(thing_id="string"), models.Thing)
        transport.check("GET", "/things/string", [], [], [], None)

    transport = _Answer({})
    with Client(api_key="test", base_url="http://test/base", transport=transport) as client:
        assert isinstance(client.nd_things_2.post_things(), models.PostThingsResponse)
        transport.check("POST", "/things", [], [], [], [])

    transport = _Answer(None)
    with Client(api_key="test", base_url="http://test/base", transport=transport) as client:
        assert isinstance(client.default.upload(body=b"..."), bytes)
        transport.check("PUT", "/upload", [], [], [], None)

    transport = _Answer(None)
    with Client(api_key="test", base_url="http://test/base", transport=transport) as client:
        client.default.submit_form(email="string")
        transport.check("POST", "/forms", [], [], [], None)

    transport = _Answer(None)
    with Client(api_key="test", base_url="http://test/base", transport=transport) as client:
        client.default.upload_form(file=b"...")
        transport.check("POST", "/forms/upload", [], [], [], None)

    transport = _Answer([])
    with Client(api_key="test", base_url="http://test/base", transport=transport) as client:
        assert isinstance(client.default.list_nodes(), list)
        transport.check("GET", "/nodes", [], [], [], None)


def test_every_operation_async() -> None:
    async def main() -> None:
        transport = _Answer({})
        async with AsyncClient(
            api_key="test", base_url="http://test/base", transport=transport
        ) as client:
            assert isinstance(await client.nd_things_2.get_thing(thing_id="string"), models.Thing)
            transport.check("GET", "/things/string", [], [], [], None)

        transport = _Answer({})
        async with AsyncClient(
            api_key="test", base_url="http://test/base", transport=transport
        ) as client:
            assert isinstance(await client.nd_things_2.post_things(), models.PostThingsResponse)
            transport.check("POST", "/things", [], [], [], [])

        transport = _Answer(None)
        async with AsyncClient(
            api_key="test", base_url="http://test/base", transport=transport
        ) as client:
            assert isinstance(await client.default.upload(body=b"..."), bytes)
            transport.check("PUT", "/upload", [], [], [], None)

        transport = _Answer(None)
        async with AsyncClient(
            api_key="test", base_url="http://test/base", transport=transport
        ) as client:
            await client.default.submit_form(email="string")
            transport.check("POST", "/forms", [], [], [], None)

        transport = _Answer(None)
        async with AsyncClient(
            api_key="test", base_url="http://test/base", transport=transport
        ) as client:
            await client.default.upload_form(file=b"...")
            transport.check("POST", "/forms/upload", [], [], [], None)

        transport = _Answer([])
        async with AsyncClient(
            api_key="test", base_url="http://test/base", transport=transport
        ) as client:
            assert isinstance(await client.default.list_nodes(), list)
            transport.check("GET", "/nodes", [], [], [], None)

    asyncio.run(main())
