"""Calls every operation once against an in-process transport (no network)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from petstore import AsyncClient, Client


def _answering(body: Any) -> httpx.MockTransport:
    """A transport answering 200 with `body`: `{}` for objects, `[]` for arrays."""
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


def test_every_operation_sync() -> None:
    with Client(api_key="test", base_url="http://test", transport=_answering({})) as client:
        client.pets.list_pets()
    with Client(api_key="test", base_url="http://test", transport=_answering({})) as client:
        client.pets.create_pet(name="string")
    with Client(api_key="test", base_url="http://test", transport=_answering({})) as client:
        client.pets.get_pet(pet_id="string")
    with Client(api_key="test", base_url="http://test", transport=_answering(None)) as client:
        client.pets.delete_pet(pet_id="string")
    with Client(api_key="test", base_url="http://test", transport=_answering({})) as client:
        client.store.get_inventory()


def test_every_operation_async() -> None:
    async def main() -> None:
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering({})
        ) as client:
            await client.pets.list_pets()
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering({})
        ) as client:
            await client.pets.create_pet(name="string")
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering({})
        ) as client:
            await client.pets.get_pet(pet_id="string")
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering(None)
        ) as client:
            await client.pets.delete_pet(pet_id="string")
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=_answering({})
        ) as client:
            await client.store.get_inventory()

    asyncio.run(main())
