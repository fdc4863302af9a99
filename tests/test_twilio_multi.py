"""Five Twilio documents, one client (issue 14's "done when"): every operation of every document
present once, the v1 and v2 products side by side, the shared definitions generated once, each
group calling its own document's host on the wire (sync and async), `mypy --strict` clean.

The documents are read from ../shared/specs/public/twilio-multi/ (never committed)."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import SHARED_SPECS, importer, run_cli
from tests.support.checks import METHODS, mypy_strict

TWILIO = SHARED_SPECS / "public" / "twilio-multi"
NAMES = ("lookups_v1", "lookups_v2", "pricing_v1", "pricing_v2", "verify_v2")
HOSTS = {
    "lookups": "lookups.twilio.com",
    "pricing": "pricing.twilio.com",
    "verify": "verify.twilio.com",
}


def documents() -> list[Path]:
    paths = [TWILIO / f"twilio_{name}.json" for name in NAMES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.fail(f"the Twilio documents are missing: {', '.join(missing)} (shared/specs)")
    return paths


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("twilio") / "out"
    args = [*map(str, documents()), "-o", str(out), "--package-name", "twilio", "--format", "json"]
    result = run_cli("generate", *args)
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)["result"]


@pytest.fixture(scope="module")
def twilio(generated: tuple[Path, dict[str, Any]]) -> Iterator[ModuleType]:
    loading = importer()
    yield next(loading)(generated[0], "twilio")
    next(loading, None)


def operations_of(path: Path) -> list[tuple[str, str]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [
        (method.upper(), p)
        for p, item in doc["paths"].items()
        for method in METHODS
        if isinstance(item.get(method), dict)
    ]


def test_every_operation_of_every_document_is_there_once(
    generated: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, result = generated
    expected = Counter(op for path in documents() for op in operations_of(path))
    assert max(expected.values()) == 1  # no two documents share a method and path
    assert result["documents"] == 5
    assert result["operations"] == sum(expected.values()) == 81
    client = (out / "twilio" / "_client.py").read_text(encoding="utf-8")
    calls = Counter(re.findall(r'_rt\.Call\(\s*"(\w+)",\s*"([^"]+)"', client))
    # each operation once in the sync client and once in the async one
    assert calls == Counter({op: 2 for op in expected})
    # the shared definitions (the list responses' `Meta` and others), generated once
    assert result["shared"] >= 5
    assert (
        result["renamed"] >= 2
    )  # pricing v1 and v2 both have a different ListVoiceCountryResponse
    assert result["models"] + result["enums"] + result["shared"] == separate_classes(tmp_path)


def separate_classes(root: Path) -> int:
    """Models and enums of the five documents generated one by one."""
    total = 0
    for path in documents():
        out = root / path.stem
        result = run_cli("generate", str(path), "-o", str(out), "--format", "json")
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)["result"]
        total += payload["models"] + payload["enums"]
    return total


def test_v1_and_v2_side_by_side(twilio: ModuleType) -> None:
    client = twilio.Client(username="AC1", password="tok")
    groups = {name for name in vars(client) if not name.startswith("_")}
    assert {"lookups_v1_phone_number", "lookups_v2_phone_number"} <= groups
    assert {
        "pricing_v1_country",
        "pricing_v2_country",
        "lookups_v2_default",
        "verify_v2_default",
    } <= groups
    client.close()


Calls = Callable[[Any], list[Any]]


def calls(c: Any) -> list[Any]:
    return [
        c.lookups_v1_phone_number.fetch_phone_number(phone_number="+15551234567"),
        c.lookups_v2_phone_number.fetch_phone_number(phone_number="+15551234567"),
        c.pricing_v1_number.fetch_voice_number(number="+15551234567"),
        c.pricing_v2_number.fetch_voice_number(destination_number="+15551234567"),
        c.verify_v2_service.fetch_service(sid="VA1"),
    ]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_each_group_calls_its_own_host(twilio: ModuleType, is_async: bool) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(handler)
    if is_async:

        async def run() -> None:
            async with twilio.AsyncClient(username="AC1", password="tok", transport=transport) as c:
                for pending in calls(c):
                    await pending

        asyncio.run(run())
    else:
        with twilio.Client(username="AC1", password="tok", transport=transport) as c:
            calls(c)
    assert [(r.method, r.url.host, r.url.path) for r in seen] == [
        ("GET", HOSTS["lookups"], "/v1/PhoneNumbers/+15551234567"),
        ("GET", HOSTS["lookups"], "/v2/PhoneNumbers/+15551234567"),
        ("GET", HOSTS["pricing"], "/v1/Voice/Numbers/+15551234567"),
        ("GET", HOSTS["pricing"], "/v2/Voice/Numbers/+15551234567"),
        ("GET", HOSTS["verify"], "/v2/Services/VA1"),
    ]
    # one set of credentials: the five documents' HTTP basic schemes agree
    expected = "Basic " + base64.b64encode(b"AC1:tok").decode()
    assert {r.headers["authorization"] for r in seen} == {expected}
    assert all(r.url.scheme == "https" for r in seen)


def test_the_client_passes_mypy_strict(generated: tuple[Path, dict[str, Any]]) -> None:
    checked = mypy_strict([generated[0] / "twilio"])
    assert checked.returncode == 0, checked.output
