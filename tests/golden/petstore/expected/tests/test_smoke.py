"""Calls every operation once against an in-process transport (no network)."""

from __future__ import annotations

import asyncio

import httpx

from petstore import AsyncClient, Client


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={})


def test_every_operation_sync() -> None:
    with Client(
        api_key="test", base_url="http://test", transport=httpx.MockTransport(_answer)
    ) as client:
        client.pets.list_pets()
        client.pets.create_pet(name="string")
        client.pets.get_pet(pet_id="string")
        client.pets.delete_pet(pet_id="string")
        client.store.get_inventory()


def test_every_operation_async() -> None:
    async def main() -> None:
        transport = httpx.MockTransport(_answer)
        async with AsyncClient(
            api_key="test", base_url="http://test", transport=transport
        ) as client:
            await client.pets.list_pets()
            await client.pets.create_pet(name="string")
            await client.pets.get_pet(pet_id="string")
            await client.pets.delete_pet(pet_id="string")
            await client.store.get_inventory()

    asyncio.run(main())
