"""Calls every operation once against an in-process transport (no network)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from edge_cases import AsyncClient, Client


def _answering(body: Any) -> httpx.MockTransport:
    """A transport answering 200 with `body`: `{}` for objects, `[]` for arrays."""
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


def test_every_operation_sync() -> None:
    with Client(api_key="test", base_url="http://test", transport=_answering({})) as client:
        client.nd_things_2.get_thing(thing_id="string")
    with Client(api_key="test", base_url="http://test", transport=_answering({})) as client:
        client.nd_things_2.post_things()
    with Client(api_key="test", base_url="http://test", transport=_answering(None)) as client:
        client.default.upload(body=b"...")
    with Client(api_key="test", base_url="http://test", transport=_answering([])) as client:
        client.default.list_nodes()


def test_every_operation_async() -> None:
    async def main() -> None:
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering({})
        ) as client:
            await client.nd_things_2.get_thing(thing_id="string")
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering({})
        ) as client:
            await client.nd_things_2.post_things()
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering(None)
        ) as client:
            await client.default.upload(body=b"...")
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering([])
        ) as client:
            await client.default.list_nodes()

    asyncio.run(main())
