"""Calls every operation once against an in-process transport (no network)."""

from __future__ import annotations

import asyncio

import httpx

from edge_cases import AsyncClient, Client


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={})


def test_every_operation_sync() -> None:
    with Client(
        api_key="test", base_url="http://test", transport=httpx.MockTransport(_answer)
    ) as client:
        client.nd_things_2.get_thing(thing_id="string")
        client.nd_things_2.post_things()
        client.default.upload(body=b"...")
        client.default.list_nodes()


def test_every_operation_async() -> None:
    async def main() -> None:
        transport = httpx.MockTransport(_answer)
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=transport
        ) as client:
            await client.nd_things_2.get_thing(thing_id="string")
            await client.nd_things_2.post_things()
            await client.default.upload(body=b"...")
            await client.default.list_nodes()

    asyncio.run(main())
