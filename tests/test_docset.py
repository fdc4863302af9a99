"""Several documents, one client (`sdkgen generate A B C`, `[[tool.sdkgen.documents]]`), through
the command line and the generated client on `httpx.MockTransport`, sync and async: each group
calls its own document's server with its own document's security, one set of credentials where
the schemes agree, shared definitions generated once, different same-named ones renamed, and
`--check`, `diff` and the provenance on the set; bad sets refused with one line and a code."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import inspect
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import importer, run_cli, sdkgen, write_spec
from tests.support.checks import mypy_strict

BOTH = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


def _doc(
    title: str, server: str, scheme: dict[str, Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    """A small document: `items` and an untagged operation, both returning `Item`."""
    ok = {
        "200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
        }
    }
    item_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.2.0"},
        "servers": [{"url": server}],
        "security": [{next(iter(scheme)): []}],
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": "getItem",
                    "tags": ["items"],
                    "parameters": [item_id],
                    "responses": ok,
                }
            },
            "/ping": {"get": {"operationId": "ping", "responses": ok}},
        },
        "components": {"securitySchemes": scheme, "schemas": schemas},
    }


NODE = {
    "type": "object",
    "properties": {"label": {"type": "string"}, "next": {"$ref": "#/components/schemas/Node"}},
}
META = {"type": "object", "properties": {"page": {"type": "integer"}}}


def _item(*extra: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "string"},
        "meta": {"$ref": "#/components/schemas/Meta"},
        "node": {"$ref": "#/components/schemas/Node"},
    }
    properties.update({name: {"type": "number"} for name in extra})
    return {"type": "object", "required": ["id"], "properties": properties}


def shop_v1() -> dict[str, Any]:
    schemas = {"Item": _item(), "Meta": META, "Node": NODE}
    return _doc("Shop", "https://v1.shop.test/api", {"basicAuth": BASIC}, schemas)


def shop_v2() -> dict[str, Any]:
    # Meta and Node as in v1 (documented differently): one class each; Item differs.
    meta = {**META, "description": "paging, described in other words"}
    schemas = {"Item": _item("price"), "Meta": meta, "Node": NODE}
    return _doc("Shop", "https://v2.shop.test", {"accountAuth": BASIC}, schemas)


def keys_doc() -> dict[str, Any]:
    doc = _doc(
        "Keys",
        "https://keys.test",
        {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        {"Item": _item(), "Meta": META, "Node": NODE},
    )
    doc["paths"]["/items/{id}"]["get"]["tags"] = ["keys"]
    return doc


BASIC = {"type": "http", "scheme": "basic"}


def write_set(root: Path) -> list[Path]:
    return [
        write_spec(root, shop_v1(), "shop_v1.yaml"),
        write_spec(root, shop_v2(), "shop_v2.yaml"),
        write_spec(root, keys_doc(), "keys.yaml"),
    ]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docset")
    specs = write_set(root)
    out = root / "out"
    result = run_cli("generate", *map(str, specs), "-o", str(out), "--package-name", "shop", "-v")
    assert result.exit_code == 0, result.output
    (root / "output.txt").write_text(result.output, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def shop(generated: Path) -> Iterator[ModuleType]:
    loading = importer()
    yield next(loading)(generated, "shop")
    next(loading, None)


Handler = Callable[[httpx.Request], httpx.Response]


def recording() -> tuple[list[httpx.Request], Handler]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "1", "node": {"label": "a", "next": {"label": "b"}}})

    return seen, handler


def call(
    shop: ModuleType, is_async: bool, calls: Callable[[Any], list[Any]], **kwargs: Any
) -> list[httpx.Request]:
    """The requests `calls(client)` sends through a MockTransport, sync or async."""
    seen, handler = recording()
    credentials = {"username": "ac", "password": "tok", "api_key": "k", **kwargs}
    if not is_async:
        with shop.Client(transport=httpx.MockTransport(handler), **credentials) as client:
            calls(client)
        return seen

    async def run() -> None:
        async with shop.AsyncClient(
            transport=httpx.MockTransport(handler), **credentials
        ) as client:
            for pending in calls(client):
                await pending

    asyncio.run(run())
    return seen


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- groups, servers, credentials on the wire ---------------------------------------------------


@BOTH
def test_each_group_calls_its_own_documents_server(shop: ModuleType, is_async: bool) -> None:
    sent = call(
        shop,
        is_async,
        lambda c: [
            c.shop_v1_items.get_item(id="a b"),
            c.shop_v2_items.get_item(id="2"),
            c.keys.get_item(id="3"),
            c.shop_v1_default.ping(),
            c.shop_v2_default.ping(),
            c.keys_default.ping(),
        ],
    )
    assert [str(r.url) for r in sent] == [
        "https://v1.shop.test/api/items/a%20b",
        "https://v2.shop.test/items/2",
        "https://keys.test/items/3",
        "https://v1.shop.test/api/ping",
        "https://v2.shop.test/ping",
        "https://keys.test/ping",
    ]
    # one set of credentials for the two documents whose schemes agree (HTTP basic), under
    # different names; the third document's API key only on its own requests
    assert [r.headers.get("authorization") for r in sent] == [basic("ac", "tok")] * 2 + [None] + [
        basic("ac", "tok")
    ] * 2 + [None]
    assert [r.headers.get("x-key") for r in sent] == [None, None, "k", None, None, "k"]


@BOTH
def test_a_chosen_base_url_serves_every_group(
    shop: ModuleType, is_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = call(
        shop,
        is_async,
        lambda c: [c.shop_v1_items.get_item(id="1"), c.keys.get_item(id="2")],
        base_url="http://127.0.0.1:9/mock",
    )
    assert [str(r.url) for r in sent] == [
        "http://127.0.0.1:9/mock/items/1",
        "http://127.0.0.1:9/mock/items/2",
    ]
    monkeypatch.setenv("SHOP_BASE_URL", "http://proxy.test")
    sent = call(shop, is_async, lambda c: [c.shop_v2_default.ping()])
    assert [str(r.url) for r in sent] == ["http://proxy.test/ping"]


def test_one_set_of_credentials_where_the_schemes_agree(shop: ModuleType) -> None:
    params = inspect.signature(shop.Client).parameters
    assert [p for p in ("username", "password", "api_key") if p in params] == [
        "username",
        "password",
        "api_key",
    ]
    assert not [p for p in params if p.endswith(("_username", "_password"))]
    with pytest.raises(shop.ConfigurationError, match="no credentials"):
        shop.Client(transport=httpx.MockTransport(recording()[1]))


# --- models -------------------------------------------------------------------------------------


def test_identical_definitions_are_one_class_and_different_ones_are_renamed(
    shop: ModuleType, generated: Path
) -> None:
    models = (generated / "shop" / "models.py").read_text(encoding="utf-8")
    classes = re.findall(r"^class (\w+)", models, re.MULTILINE)
    assert sorted(classes) == ["Item", "Meta", "Node", "ShopV2Item"]
    fields = {
        name: [f.name for f in dataclasses.fields(getattr(shop.models, name))]
        for name in ("Item", "ShopV2Item")
    }
    assert "price" not in fields["Item"]
    assert "price" in fields["ShopV2Item"]
    # the v2 group's result is its own class; the cycle through Node is one class in all three
    transport = httpx.MockTransport(recording()[1])
    with shop.Client(username="u", password="p", api_key="k", transport=transport) as client:
        sent_item = client.shop_v2_items.get_item(id="1")
    assert isinstance(sent_item, shop.models.ShopV2Item)
    assert isinstance(sent_item.node, shop.models.Node)
    assert isinstance(sent_item.node.next, shop.models.Node)
    output = (generated.parent / "output.txt").read_text(encoding="utf-8")
    assert re.search(
        r"INFO SDK045 \S*shop_v2\.yaml#/components/schemas/Item: class Item differs from the one "
        r"of an earlier document with that name: it is ShopV2Item here",
        output,
    ), output
    assert (
        "3 documents: 6 operations, 4 models, 0 enums (5 shared definitions generated once, "
        "1 renamed, 5 groups prefixed)" in output
    )


def test_renaming_is_deterministic_and_follows_the_order(tmp_path: Path) -> None:
    specs = write_set(tmp_path)
    outs = []
    for name, order in (("a", specs), ("b", specs), ("c", [specs[1], specs[0], specs[2]])):
        out = tmp_path / name
        result = run_cli(
            "generate", *map(str, order), "-o", str(out), "--package-name", "shop", "-q"
        )
        assert result.exit_code == 0, result.output
        outs.append((out / "shop" / "models.py").read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    assert "class ShopV1Item" in outs[2]  # v2 first: its Item keeps the name
    assert "class ShopV2Item" not in outs[2]
    # the third document's Item is v1's, now named ShopV1Item: shared, not renamed again
    assert "class KeysItem" not in outs[2]


def _ok(ref: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def test_sharing_follows_references_and_renamed_classes(tmp_path: Path) -> None:
    """A definition that differs only by what it refers to is not shared (the fixpoint); a
    field of another type with the same name is a difference; a later document's definition
    equal to a renamed one shares the renamed class."""
    paged = {"type": "object", "properties": {"page": {"type": "boolean"}}}  # v1's is integer
    two = _doc("Two", "https://two.test", {"basicAuth": BASIC}, {"Item": _item(), "Meta": paged})
    two["components"]["schemas"].update(
        Node=NODE, Zed={"type": "object", "properties": {"z": {"type": "integer"}}}
    )
    two["paths"]["/zed"] = {"get": {"operationId": "getZed", "responses": _ok("Zed")}}
    three = _doc("Three", "https://three.test", {"basicAuth": BASIC}, {"Item": _item()})
    three["components"]["schemas"].update(Meta=paged, Node=NODE)
    one = _doc(
        "One",
        "https://one.test",
        {"basicAuth": BASIC},
        {"Item": _item(), "Meta": META, "Node": NODE},
    )
    specs = [
        write_spec(tmp_path, doc, f"{name}.yaml")
        for name, doc in (("one", one), ("two", two), ("three", three))
    ]
    out = tmp_path / "out"
    result = run_cli("generate", *map(str, specs), "-o", str(out), "--package-name", "refs", "-v")
    assert result.exit_code == 0, result.output
    summary = re.search(r"documents: .*", result.output)
    assert summary is not None, result.output
    assert "6 models, 0 enums (4 shared definitions generated once, 2 renamed, " in summary[0], (
        summary[0]
    )
    notes = re.findall(
        r"INFO SDK045 \S*?(\w+\.yaml)#\S+: class (\w+) .* it is (\w+) here", result.output
    )
    assert notes == [("two.yaml", "Item", "TwoItem"), ("two.yaml", "Meta", "TwoMeta")]
    models = (out / "refs" / "models.py").read_text(encoding="utf-8")
    classes = re.findall(r"^class (\w+)", models, re.MULTILINE)
    assert sorted(classes) == ["Item", "Meta", "Node", "TwoItem", "TwoMeta", "Zed"]
    loading = importer()
    refs = next(loading)(out, "refs")
    try:

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"id": "1", "meta": {"page": True}})

        transport = httpx.MockTransport(handler)
        with refs.Client(username="u", password="p", transport=transport) as client:
            got = [client.one_items.get_item(id="1"), client.two_items.get_item(id="2")]
            got.append(client.three_items.get_item(id="3"))
            zed = client.two_default.get_zed()
    finally:
        next(loading, None)
    assert [type(g).__name__ for g in got] == ["Item", "TwoItem", "TwoItem"]
    assert [type(g.meta).__name__ for g in got[1:]] == ["TwoMeta", "TwoMeta"]
    assert [g.meta.page for g in got[1:]] == [True, True]
    assert type(zed).__name__ == "Zed"


def test_a_configured_prefix_is_not_doubled(tmp_path: Path) -> None:
    own = shop_v1()
    own["paths"]["/items/{id}"]["get"]["tags"] = ["store"]
    own["paths"]["/ping"]["get"]["tags"] = ["store stock"]
    own["paths"]["/other"] = {"get": {"operationId": "other", "responses": _ok("Item")}}
    specs = [write_spec(tmp_path, own, "a.yaml"), write_spec(tmp_path, keys_doc(), "b.yaml")]
    out = tmp_path / "out"
    args = ["--prefix", "store", "--prefix", "keys", "-o", str(out), "--package-name", "pre"]
    result = run_cli("generate", *map(str, specs), *args, "-v")
    assert result.exit_code == 0, result.output
    client = (out / "pre" / "_client.py").read_text(encoding="utf-8")
    attrs = set(re.findall(r"self\.(\w+) = \w+Resource\(", client))
    # `store` and `store_stock` already start with their prefix; the untagged group gets it
    assert attrs == {"store", "store_stock", "store_default", "keys", "keys_default"}
    assert "(1 groups prefixed)" not in result.output
    assert ", 2 groups prefixed)" in result.output


def test_the_cache_tells_overlays_prefixes_and_options_apart(tmp_path: Path) -> None:
    """The same documents generated again with an overlay, configured prefixes or another
    package name are not served the earlier client from the cache."""
    specs = [
        write_spec(tmp_path, shop_v1(), "shop_v1.yaml"),
        write_spec(tmp_path, keys_doc(), "keys.yaml"),
    ]
    overlay = tmp_path / "rename.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/ping'].get\n    update: {x-sdkgen-name: health}\n",
        encoding="utf-8",
    )
    runs = {
        "plain": ["--package-name", "shop"],
        "overlaid": ["--package-name", "shop", "--overlay", str(overlay)],
        "prefixed": ["--package-name", "shop", "--prefix", "shop_v1", "--prefix", "keys"],
        "renamed": ["--package-name", "store"],
    }
    clients = {}
    for name, args in runs.items():
        out = tmp_path / name
        result = run_cli("generate", *map(str, specs), "-o", str(out), *args, "-q")
        assert result.exit_code == 0, result.output
        package = "store" if name == "renamed" else "shop"
        clients[name] = (out / package / "_client.py").read_text(encoding="utf-8")
    attrs = {
        name: sorted(set(re.findall(r"self\.(\w+) = \w+Resource\(", text)))
        for name, text in clients.items()
    }
    assert attrs["plain"] == ["items", "keys", "keys_default", "shop_v1_default"]
    assert attrs["prefixed"] == ["keys", "keys_default", "shop_v1_default", "shop_v1_items"]
    assert "def health(" in clients["overlaid"] and "def health(" not in clients["plain"]
    assert not (tmp_path / "renamed" / "shop").exists()  # the package is `store`


def test_include_unused_and_the_package_layout_apply_to_a_set(tmp_path: Path) -> None:
    first = shop_v1()
    first["components"]["schemas"]["Unused"] = {
        "type": "object",
        "properties": {"u": {"type": "string"}},
    }
    specs = [
        write_spec(tmp_path, first, "shop_v1.yaml"),
        write_spec(tmp_path, keys_doc(), "keys.yaml"),
    ]
    out = tmp_path / "vendor" / "shop"
    args = ["-o", str(out), "--package-name", "shop", "--include-unused", "--layout", "package"]
    result = run_cli("generate", *map(str, specs), *args, "-q")
    assert result.exit_code == 0, result.output
    assert not (out / "pyproject.toml").exists()  # the package alone
    models = (out / "models.py").read_text(encoding="utf-8")
    assert "class Unused(" in models


def test_the_client_passes_mypy_strict(generated: Path) -> None:
    checked = mypy_strict([generated / "shop"])
    assert checked.returncode == 0, checked.output


# --- provenance, --check, diff ------------------------------------------------------------------


def test_the_provenance_lists_every_document(generated: Path) -> None:
    import tomllib

    root = generated.parent
    project = tomllib.loads((generated / "pyproject.toml").read_text(encoding="utf-8"))
    documents = project["tool"]["sdkgen"]["spec-documents"]
    expected = [
        (name, prefix, hashlib.sha256((root / name).read_bytes()).hexdigest())
        for name, prefix in (
            ("shop_v1.yaml", "shop_v1"),
            ("shop_v2.yaml", "shop_v2"),
            ("keys.yaml", "keys"),
        )
    ]
    assert [(d["file"], d["prefix"], d["sha256"]) for d in documents] == expected
    lines = "".join(f"{n}\0{p}\0{s}\n" for n, p, s in expected)
    assert project["tool"]["sdkgen"]["spec-sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    manifest = json.loads((generated / ".sdkgen").read_text(encoding="utf-8"))
    assert [d["file"] for d in manifest["documents"]] == [
        "shop_v1.yaml",
        "shop_v2.yaml",
        "keys.yaml",
    ]
    readme = (generated / "README.md").read_text(encoding="utf-8")
    assert "| `shop_v2.yaml` |" in readme
    assert "https://v2.shop.test" in readme


def test_check_and_diff_work_on_the_set(tmp_path: Path) -> None:
    specs = write_set(tmp_path)
    out = tmp_path / "out"
    args = [*map(str, specs), "-o", str(out), "--package-name", "shop"]
    assert run_cli("generate", *args, "-q").exit_code == 0
    assert run_cli("generate", *args, "--check", "-q").exit_code == 0
    changed = shop_v2()
    changed["paths"]["/items/{id}"]["delete"] = {
        "operationId": "deleteItem",
        "tags": ["items"],
        "parameters": changed["paths"]["/items/{id}"]["get"]["parameters"],
        "responses": {"204": {"description": "gone"}},
    }
    changed["servers"] = [{"url": "https://v2b.shop.test"}]
    (tmp_path / "new").mkdir()
    new = write_spec(tmp_path / "new", changed, "shop_v2.yaml")
    result = sdkgen(
        "generate",
        str(specs[0]),
        str(new),
        str(specs[2]),
        "-o",
        str(out),
        "--package-name",
        "shop",
        "--check",
    )
    assert result.exit_code == 1
    assert "changed: shop/_client.py" in result.output
    result = sdkgen(
        "diff", str(specs[0]), str(specs[0]), str(specs[1]), str(new), str(specs[2]), str(specs[2])
    )
    assert result.exit_code == 0, result.output
    assert "operation added: DELETE /items/{id}" in result.output
    assert "client.shop_v2_items.delete_item" in result.output
    assert (
        "server of the 'shop_v2' document 'https://v2.shop.test' -> 'https://v2b.shop.test'"
        in result.output
    )
    assert "operation removed" not in result.output
    result = sdkgen("diff", str(specs[0]), str(new), str(specs[2]), "--fail-on", "breaking")
    assert result.exit_code == 2
    assert "pairs" in result.output


def test_diff_gives_both_sides_the_same_prefixes_and_overlays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = write_set(tmp_path)
    changed = shop_v2()
    changed["paths"]["/items/{id}"]["get"]["parameters"].append(
        {"name": "q", "in": "query", "schema": {"type": "string"}}
    )
    (tmp_path / "new").mkdir()
    new = write_spec(tmp_path / "new", changed, "shop_v2_next.yaml")
    monkeypatch.chdir(tmp_path)
    pairs = [str(specs[0]), str(specs[0]), str(specs[1]), str(new), str(specs[2]), str(specs[2])]
    # no configuration: the prefixes are derived from the new files' names, on both sides
    result = sdkgen("diff", *pairs)
    assert result.exit_code == 0, result.output
    assert "client.shop_v2_next_items.get_item(q): optional argument added" in result.output, (
        result.output
    )
    assert "removed" not in result.output and "renamed" not in result.output
    # as many configured documents as pairs: their prefixes and overlays, by position
    overlay = tmp_path / "rename.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/items/{id}'].get\n    update: {x-sdkgen-name: fetch}\n"
        "  - target: $.paths['/gone'].get\n    update: {x-sdkgen-name: gone}\n",  # SDK032
        encoding="utf-8",
    )
    configured(
        tmp_path,
        entry("shop_v1.yaml", prefix="one")
        + entry("shop_v2.yaml", prefix="two", overlays=["rename.yaml"])
        + entry("keys.yaml", prefix="three"),
        '[tool.sdkgen.silence]\nSDK032 = "the overlay serves older documents too"\n',
    )
    result = sdkgen("diff", *pairs)
    assert result.exit_code == 0, result.output
    assert "client.two_items.fetch(q): optional argument added" in result.output, result.output
    assert "removed" not in result.output and "renamed" not in result.output
    assert "SDK032" not in result.output  # silenced, as the configuration says
    # a configured set of another size says nothing about these pairs: derived prefixes again
    configured(tmp_path, entry("shop_v1.yaml", prefix="one") + entry("shop_v2.yaml", prefix="two"))
    result = sdkgen("diff", *pairs)
    assert result.exit_code == 0, result.output
    assert "client.shop_v2_next_items.get_item(q): optional argument added" in result.output


# --- the configured set -------------------------------------------------------------------------


def configured(root: Path, documents: str, extra: str = "") -> None:
    (root / "pyproject.toml").write_text(
        '[tool.sdkgen]\noutput = "out"\npackage-name = "shop"\n' + extra + documents,
        encoding="utf-8",
    )


def entry(spec: str, **keys: Any) -> str:
    lines = [f'spec = "{spec}"'] + [
        f"{k.replace('_', '-')} = {json.dumps(v)}" for k, v in keys.items()
    ]
    return "[[tool.sdkgen.documents]]\n" + "\n".join(lines) + "\n"


def test_the_list_form_of_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = write_set(tmp_path)
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in specs]
    overlay = tmp_path / "rename.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/ping'].get\n    update: {x-sdkgen-name: health}\n",
        encoding="utf-8",
    )
    configured(
        tmp_path,
        entry("shop_v1.yaml", spec_sha256=digests[0], prefix="v1")
        + entry("shop_v2.yaml", spec_sha256=digests[1], prefix="v2", overlays=["rename.yaml"])
        + entry("keys.yaml"),
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 0, result.output
    client = (tmp_path / "out" / "shop" / "_client.py").read_text(encoding="utf-8")
    attrs = set(re.findall(r"self\.(\w+) = \w+Resource\(", client))
    # configured prefixes on every group of their documents; the third's derived one where needed
    assert attrs == {"v1_items", "v1_default", "v2_items", "v2_default", "keys", "keys_default"}
    assert "def health(" in client and "def ping(" in client
    assert run_cli("generate", "--check", "-q").exit_code == 0
    # a code silenced in one document only
    silence = '[tool.sdkgen.silence]\n"SDK108 keys.yaml" = "keys documents no errors"\n'
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(text + silence, encoding="utf-8")
    result = run_cli("lint")
    assert result.exit_code == 0, result.output
    warned = re.findall(r"WARNING SDK108 \S*?(\w+\.yaml)#", result.output)
    assert set(warned) == {"shop_v1.yaml", "shop_v2.yaml"}, result.output
    for command, verb in (("validate", "validated"), ("lint", "linted")):
        result = run_cli(command)
        assert result.exit_code == 0, result.output
        assert re.search(rf"{verb} \S*shop_v1.yaml, \S*shop_v2.yaml, \S*keys.yaml", result.output)
    result = sdkgen("fetch")
    assert result.exit_code == 2
    assert "Error: fetch needs a spec-url in [[tool.sdkgen.documents]]" in result.output
    # a document that is not its pin is refused
    (tmp_path / "shop_v1.yaml").write_text(
        (tmp_path / "shop_v1.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    result = sdkgen("generate", "-q")
    assert result.exit_code == 1
    assert "ERROR SDK022" in result.output and "shop_v1.yaml" in result.output


def test_validate_and_lint_of_the_configured_set_fail_on_one_bad_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_set(tmp_path)
    configured(tmp_path, entry("shop_v1.yaml") + entry("shop_v2.yaml") + entry("keys.yaml"))
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["ok"] is True
    assert [Path(s).name for s in payload["result"]["sources"]] == [
        "shop_v1.yaml",
        "shop_v2.yaml",
        "keys.yaml",
    ]
    # an error only the OpenAPI schema sees (the client does not use the contact)
    bad = keys_doc()
    bad["info"]["contact"] = {"email": 5}
    write_spec(tmp_path, bad, "keys.yaml")
    result = sdkgen("validate")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert errors and all("keys.yaml#/info/contact" in line for line in errors), result.output
    result = sdkgen("validate", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["ok"] is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('spec = "a.yaml"\n' + entry("shop_v1.yaml"), "spec and documents exclude each other"),
        (entry("shop_v1.yaml", color="red"), "unknown keys in documents[0]: color"),
        (
            entry("shop_v1.yaml", prefix=3),
            "documents[0]: spec, spec-url, spec-sha256, prefix must be strings",
        ),
        ("[[tool.sdkgen.documents]]\nprefix = 'x'\n", "documents[0] has no spec"),
        (entry("shop_v1.yaml", spec_sha256="abc"), "spec-sha256 must be 64 hexadecimal digits"),
    ],
)
def test_a_malformed_list_is_sdk020(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, message: str
) -> None:
    write_set(tmp_path)
    configured(tmp_path, table)
    monkeypatch.chdir(tmp_path)
    result = sdkgen("generate", "-q")
    assert result.exit_code == 1
    assert "ERROR SDK020" in result.output and message in result.output, result.output


# --- bad sets -----------------------------------------------------------------------------------


def one_error(result: Any, code: str, *parts: str) -> None:
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"ERROR {code} ")
    for part in parts:
        assert part in lines[0], lines[0]


def test_a_missing_document(tmp_path: Path) -> None:
    specs = write_set(tmp_path)
    result = sdkgen(
        "generate", str(specs[0]), str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "o")
    )
    one_error(result, "SDK001", "nope.yaml", "no such file")
    assert not (tmp_path / "o").exists()


def test_duplicate_documents(tmp_path: Path) -> None:
    specs = write_set(tmp_path)
    (tmp_path / "sub").mkdir()
    twice = ["generate", str(specs[0]), str(tmp_path / "sub" / ".." / "shop_v1.yaml")]
    one_error(sdkgen(*twice, "-o", str(tmp_path / "o")), "SDK047", "given twice")
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(specs[1].read_bytes())
    result = sdkgen("generate", str(specs[1]), str(copy), "-o", str(tmp_path / "o"))
    one_error(result, "SDK047", "copy.yaml is the same document as", "shop_v2.yaml")


def test_conflicting_prefixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_set(tmp_path)
    monkeypatch.chdir(tmp_path)
    configured(
        tmp_path, entry("shop_v1.yaml", prefix="shop") + entry("shop_v2.yaml", prefix="shop")
    )
    one_error(
        sdkgen("generate"),
        "SDK046",
        "shop_v1.yaml and shop_v2.yaml have the same group prefix 'shop'",
    )
    configured(tmp_path, entry("shop_v1.yaml", prefix="Not-A-Name") + entry("shop_v2.yaml"))
    one_error(sdkgen("generate"), "SDK046", "'Not-A-Name'", "not a snake_case identifier")
    # derived prefixes that coincide: the same file name in two directories of the same name
    for folder, doc in (("x", shop_v1()), ("y", shop_v2())):
        (tmp_path / folder / "api").mkdir(parents=True)
        write_spec(tmp_path / folder / "api", doc, "openapi.yaml")
    result = sdkgen("generate", "x/api/openapi.yaml", "y/api/openapi.yaml", "-o", "o")
    one_error(result, "SDK046", "same group prefix 'api' (derived from the file names)")
    # --prefix names them; once per SPEC
    result = sdkgen(
        "generate", "x/api/openapi.yaml", "y/api/openapi.yaml", "--prefix", "x", "-o", "o"
    )
    assert result.exit_code == 2
    assert "--prefix given 1 times for 2 SPECs" in result.output
    result = sdkgen("generate", "shop_v1.yaml", "--prefix", "x", "-o", "o")
    assert result.exit_code == 2
    assert "--prefix names the group prefix of each of several SPECs" in result.output
    args = ["x/api/openapi.yaml", "y/api/openapi.yaml", "--prefix", "old", "--prefix", "new"]
    assert run_cli("generate", *args, "-o", "o", "-q").exit_code == 0
    client = (tmp_path / "o" / "shop" / "_client.py").read_text(encoding="utf-8")
    assert {"old_items", "new_items", "old_default", "new_default"} == set(
        re.findall(r"self\.(\w+) = \w+Resource\(", client)
    )
    # a prefixed group that is another document's group
    other = keys_doc()
    other["paths"]["/items/{id}"]["get"]["tags"] = ["shop items"]
    write_spec(tmp_path, other, "other.yaml")
    configured(tmp_path, entry("shop_v1.yaml", prefix="shop") + entry("other.yaml"))
    one_error(
        sdkgen("generate"),
        "SDK046",
        "other.yaml#: group 'shop_items' is also one of",
        "shop_v1.yaml",
    )


# --- several documents, each split over files ---------------------------------------------------


def split_document(root: Path, title: str, server: str, extra: str) -> Path:
    """`root/openapi.yaml`, whose path item and schema are in other files of its tree."""
    (root / "paths").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "openapi.yaml").write_text(
        f"openapi: 3.0.3\ninfo: {{title: {title}, version: '1'}}\nservers: [{{url: '{server}'}}]\n"
        "paths:\n  /things/{id}:\n    $ref: paths/thing.yaml\n",
        encoding="utf-8",
    )
    (root / "paths" / "thing.yaml").write_text(
        "get:\n  operationId: getThing\n  tags: [things]\n  parameters:\n"
        "    - {name: id, in: path, required: true, schema: {type: string}}\n"
        "  responses:\n    '200':\n      description: ok\n      content:\n"
        "        application/json: {schema: {$ref: ../schemas/Thing.yaml}}\n",
        encoding="utf-8",
    )
    (root / "schemas" / "Thing.yaml").write_text(
        "type: object\nproperties:\n  id: {type: string}\n" + extra, encoding="utf-8"
    )
    return root / "openapi.yaml"


@BOTH
def test_documents_split_over_files_make_one_client(tmp_path: Path, is_async: bool) -> None:
    first = split_document(tmp_path / "catalog", "Catalog", "https://catalog.test", "")
    pattern = "  code: {type: string, pattern: '[A-Z]+'}\n"  # unanchored: lint warning SDK107
    second = split_document(tmp_path / "orders", "Orders", "https://orders.test", pattern)
    out = tmp_path / "out"
    result = run_cli("generate", str(first), str(second), "-o", str(out), "--package-name", "both")
    assert result.exit_code == 0, result.output
    # the warning names the file of the second tree it is in
    assert re.search(
        r"WARNING SDK107 \S*orders/schemas/Thing\.yaml#/properties/code", result.output
    )
    project = (out / "pyproject.toml").read_text(encoding="utf-8")
    for tree in (first, second):
        lines = sorted(
            f"{'.' if p == tree else p.relative_to(tree.parent).as_posix()}\0"
            f"{hashlib.sha256(p.read_bytes()).hexdigest()}\n"
            for p in tree.parent.rglob("*.yaml")
        )
        digest = hashlib.sha256("".join(lines).encode()).hexdigest()
        assert f'sha256 = "{digest}"' in project  # each tree's digest over its files
    loading = importer()
    both = next(loading)(out, "both")
    try:
        classes = re.findall(r"^class (\w+)", (out / "both" / "models.py").read_text(), re.M)
        assert sorted(classes) == ["OrdersThing", "Thing"]
        seen, handler = recording()
        transport = httpx.MockTransport(handler)
        if is_async:

            async def run() -> None:
                async with both.AsyncClient(transport=transport) as c:
                    await c.catalog_things.get_thing(id="1")
                    await c.orders_things.get_thing(id="2")

            asyncio.run(run())
        else:
            with both.Client(transport=transport) as c:
                c.catalog_things.get_thing(id="1")
                c.orders_things.get_thing(id="2")
        assert [str(r.url) for r in seen] == [
            "https://catalog.test/things/1",
            "https://orders.test/things/2",
        ]
    finally:
        next(loading, None)


def test_schemes_that_differ_keep_their_own_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = _doc(
        "A",
        "https://a.test",
        {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        {"Item": _item(), "Meta": META, "Node": NODE},
    )
    query = _doc(
        "B",
        "https://b.test",
        {"key": {"type": "apiKey", "in": "query", "name": "token"}},
        {"Item": _item(), "Meta": META, "Node": NODE},
    )
    specs = [write_spec(tmp_path, header, "alpha.yaml"), write_spec(tmp_path, query, "beta.yaml")]
    out = tmp_path / "out"
    result = run_cli("generate", *map(str, specs), "-o", str(out), "--package-name", "ab", "-v")
    assert result.exit_code == 0, result.output
    assert re.search(
        r"INFO SDK045 \S*beta\.yaml#/components/securitySchemes/key: security scheme 'key' "
        r"differs from an earlier document's: its arguments are beta_api_key",
        result.output,
    ), result.output
    monkeypatch.setenv("A_BETA_API_KEY", "from-env")
    loading = importer()
    ab = next(loading)(out, "ab")
    try:
        seen, handler = recording()
        with ab.Client(api_key="h", transport=httpx.MockTransport(handler)) as client:
            client.alpha_items.get_item(id="1")
            client.beta_items.get_item(id="2")
    finally:
        next(loading, None)
    assert [str(r.url) for r in seen] == [
        "https://a.test/items/1",
        "https://b.test/items/2?token=from-env",
    ]
    assert [r.headers.get("x-key") for r in seen] == ["h", None]


@BOTH
def test_waiters_poll_through_their_own_group(tmp_path: Path, is_async: bool) -> None:
    from tests.test_extensions import spec as jobs_spec

    declared = {"poll": "getJob", "id": "/job/id", "status": "/state", "success": ["DONE"]}
    specs = []
    for name in ("a", "b"):
        doc = jobs_spec(**{"x-sdkgen-waiter": {**declared, "failure": ["FAILED"]}})
        doc["servers"] = [{"url": f"https://{name}.test"}]
        specs.append(write_spec(tmp_path, doc, f"jobs_{name}.yaml"))
    out = tmp_path / "out"
    result = run_cli("generate", *map(str, specs), "-o", str(out), "--package-name", "jobs", "-q")
    assert result.exit_code == 0, result.output
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"job": {"id": "7"}} if request.method == "POST" else {"state": "DONE"}
        return httpx.Response(200, json=body)

    loading = importer()
    jobs = next(loading)(out, "jobs")
    try:
        transport = httpx.MockTransport(handler)
        if is_async:

            async def run() -> Any:
                async with jobs.AsyncClient(transport=transport) as c:
                    return await c.b_jobs.create_job_and_wait(poll_interval=0.01)

            status = asyncio.run(run())
        else:
            with jobs.Client(transport=transport) as c:
                status = c.b_jobs.create_job_and_wait(poll_interval=0.01)
        assert isinstance(status, jobs.models.Status)
    finally:
        next(loading, None)
    assert [(r.method, str(r.url)) for r in seen] == [
        ("POST", "https://b.test/jobs"),
        ("GET", "https://b.test/jobs/7"),
    ]


def test_a_set_gives_the_same_bytes_under_any_hash_seed(tmp_path: Path) -> None:
    specs = write_set(tmp_path)
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        command = [sys.executable, "-m", "generator", "generate", *map(str, specs), "-o", str(out)]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [*command, "--no-cache", "-q"], env=env, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr
        trees.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]


def test_a_document_without_a_server_uses_the_clients_base_url(tmp_path: Path) -> None:
    serverless = shop_v1()
    del serverless["servers"]
    specs = [
        write_spec(tmp_path, serverless, "shop_v1.yaml"),
        write_spec(tmp_path, shop_v2(), "shop_v2.yaml"),
    ]
    out = tmp_path / "out"
    result = run_cli(
        "generate", *map(str, specs), "-o", str(out), "--package-name", "serverless", "-q"
    )
    assert result.exit_code == 0, result.output
    loading = importer()
    shop = next(loading)(out, "serverless")
    try:
        seen, handler = recording()
        transport = httpx.MockTransport(handler)
        with shop.Client(username="u", password="p", transport=transport) as client:
            # the client's base URL: the first absolute server of the set
            assert client.base_url == "https://v2.shop.test"
            client.v1_items.get_item(id="1")  # prefixes without the common word `shop`
            client.v2_items.get_item(id="2")
    finally:
        next(loading, None)
    assert [str(r.url) for r in seen] == [
        "https://v2.shop.test/items/1",
        "https://v2.shop.test/items/2",
    ]


def test_the_first_document_names_the_set_and_credentials_are_needed_only_by_all(
    tmp_path: Path,
) -> None:
    """The package version and the title come from the documents in order; a set in which one
    document needs no credentials makes a client that can be built without any; with no
    absolute server in the set, the base URL is the user's to give."""
    first = shop_v1()
    first["info"] = {"title": "Alpha", "version": "3.4.5"}
    first["servers"] = [{"url": "/api"}]
    second = keys_doc()
    second["info"] = {"title": "Beta", "version": "1.0.0"}
    second["servers"] = [{"url": "/keys"}]
    del second["security"]
    specs = [write_spec(tmp_path, first, "alpha.yaml"), write_spec(tmp_path, second, "beta.yaml")]
    out = tmp_path / "out"
    result = run_cli("generate", *map(str, specs), "-o", str(out), "--package-name", "ab", "-q")
    assert result.exit_code == 0, result.output
    import tomllib

    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["version"].startswith("3.4.5.")
    assert project["project"]["description"] == "Typed Python client for Alpha, Beta"
    loading = importer()
    ab = next(loading)(out, "ab")
    try:
        assert ab.__spec_version__ == "3.4.5"
        with pytest.raises(ab.ConfigurationError, match="no absolute base URL"):
            ab.Client()
        seen, handler = recording()
        transport = httpx.MockTransport(handler)
        with ab.Client(base_url="https://mock.test", transport=transport) as client:
            client.keys.get_item(id="1")  # beta's operations need no credentials
    finally:
        next(loading, None)
    assert [str(r.url) for r in seen] == ["https://mock.test/items/1"]
    assert "authorization" not in seen[0].headers


# --- fetch on a configured set ------------------------------------------------------------------


def test_fetch_checks_and_repins_each_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from tests.support.fault_server import FaultServer, reply

    texts = {
        name: yaml.safe_dump(doc, sort_keys=False).encode()
        for name, doc in (("shop_v1.yaml", shop_v1()), ("shop_v2.yaml", shop_v2()))
    }
    pins = {name: hashlib.sha256(text).hexdigest() for name, text in texts.items()}
    with FaultServer() as server:
        for name, text in texts.items():
            server.script("GET", f"/{name}", reply(200, text, content_type="text/yaml"))
        configured(
            tmp_path,
            "".join(
                entry(f"specs/{name}", spec_url=server.url(f"/{name}"), spec_sha256=pins[name])
                for name in texts
            ),
        )
        pyproject = tmp_path / "pyproject.toml"
        monkeypatch.chdir(tmp_path)
        result = run_cli("fetch")  # downloads both, saves them beside `spec`
        assert result.exit_code == 0, result.output
        assert "specs/shop_v2.yaml is up to date, sha256 " + pins["shop_v2.yaml"] in result.output
        assert (tmp_path / "specs" / "shop_v1.yaml").read_bytes() == texts["shop_v1.yaml"]
        assert run_cli("generate", "-q").exit_code == 0
        # upstream v2 gains an operation (minor) and loses one (breaking)
        grown = shop_v2()
        grown["paths"]["/extra"] = {
            "get": {"operationId": "extra", "responses": {"204": {"description": "ok"}}}
        }
        shrunk = shop_v2()
        del shrunk["paths"]["/ping"]
        before = pyproject.read_bytes()
        for changed in (shrunk, grown):
            text = yaml.safe_dump(changed, sort_keys=False).encode()
            server.script("GET", "/shop_v2.yaml", reply(200, text, content_type="text/yaml"))
            result = sdkgen("fetch")
            assert result.exit_code == 1
            assert f"ERROR SDK022 {server.url('/shop_v2.yaml')}#: upstream sha256 " in result.output
            assert pyproject.read_bytes() == before
        server.script(
            "GET",
            "/shop_v2.yaml",
            reply(200, yaml.safe_dump(shrunk, sort_keys=False).encode(), content_type="text/yaml"),
        )
        result = sdkgen("fetch", "--update", "--fail-on", "breaking")
        assert result.exit_code == 1
        assert "client.v2_default.ping: operation removed: GET /ping" in result.output
        assert (
            f"ERROR SDK023 {server.url('/shop_v2.yaml')}#: breaking changes: the pins were not "
            "updated" in result.output
        )
        assert pyproject.read_bytes() == before
        text = yaml.safe_dump(grown, sort_keys=False).encode()
        server.script("GET", "/shop_v2.yaml", reply(200, text, content_type="text/yaml"))
        result = sdkgen("fetch", "--update", "--fail-on", "breaking")
        assert result.exit_code == 0, result.output
        assert "client.v2_default.extra: operation added: GET /extra" in result.output
        new_pin = hashlib.sha256(text).hexdigest()
        assert f"specs/shop_v2.yaml re-pinned to sha256 {new_pin}" in result.output
        assert "specs/shop_v1.yaml is up to date, sha256 " + pins["shop_v1.yaml"] in result.output
        # only the second table's pin line changed
        assert pyproject.read_text(encoding="utf-8") == before.decode().replace(
            pins["shop_v2.yaml"], new_pin
        )
        assert (tmp_path / "specs" / "shop_v2.yaml").read_bytes() == text
        assert sdkgen("generate", "--check", "-q").exit_code == 1  # the client is now out of date
        result = sdkgen("fetch", "--url", server.url("/shop_v2.yaml"))
        assert result.exit_code == 2
        assert (
            "Error: --url is one document's: set spec-url in [[tool.sdkgen.documents]]"
            in result.output
        )


def test_fetch_update_checks_against_the_pinned_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from tests.support.fault_server import FaultServer, reply

    texts = {
        name: yaml.safe_dump(doc, sort_keys=False).encode()
        for name, doc in (("shop_v1.yaml", shop_v1()), ("shop_v2.yaml", shop_v2()))
    }
    with FaultServer() as server:
        for name, text in texts.items():
            server.script("GET", f"/{name}", reply(200, text, content_type="text/yaml"))
        configured(
            tmp_path,
            "".join(
                entry(
                    f"specs/{name}",
                    spec_url=server.url(f"/{name}"),
                    spec_sha256=hashlib.sha256(text).hexdigest(),
                )
                for name, text in texts.items()
            ),
        )
        pyproject = tmp_path / "pyproject.toml"
        monkeypatch.chdir(tmp_path)
        assert run_cli("fetch").exit_code == 0
        shrunk = shop_v2()
        del shrunk["paths"]["/ping"]
        # a breaking change announced by a new major version of the first document (whose
        # version is the package's) passes `--fail-on unannounced`
        major = shop_v1()
        del major["paths"]["/ping"]
        major["info"]["version"] = "2.0.0"
        text = yaml.safe_dump(major, sort_keys=False).encode()
        server.script("GET", "/shop_v1.yaml", reply(200, text, content_type="text/yaml"))
        result = sdkgen("fetch", "--update", "--fail-on", "unannounced", "--format", "markdown")
        assert result.exit_code == 0, result.output
        assert "Shop 2.0.0 (was 1.2.0)" in result.output, result.output
        assert "client.v1_default.ping" in result.output
        assert "specs/shop_v1.yaml re-pinned to sha256" in result.stderr
        assert "re-pinned" not in result.stdout  # the status lines are not the report
        major_pin = hashlib.sha256(text).hexdigest()
        assert f'spec-sha256 = "{major_pin}"' in pyproject.read_text(encoding="utf-8")
        # the pinned copy is gone: the change cannot be checked, so --fail-on refuses it
        (tmp_path / "specs" / "shop_v2.yaml").unlink()
        text = yaml.safe_dump(shrunk, sort_keys=False).encode()
        server.script("GET", "/shop_v2.yaml", reply(200, text, content_type="text/yaml"))
        before = pyproject.read_bytes()
        result = sdkgen("fetch", "--update", "--fail-on", "breaking")
        assert result.exit_code == 1
        assert (
            f"ERROR SDK023 {server.url('/shop_v2.yaml')}#: a previously pinned document is not "
            "available, so the change cannot be checked" in result.output
        )
        assert pyproject.read_bytes() == before
        result = sdkgen("fetch", "--update")  # without --fail-on it re-pins, unchecked
        assert result.exit_code == 0, result.output
        shrunk_pin = hashlib.sha256(text).hexdigest()
        assert f'spec-sha256 = "{shrunk_pin}"' in pyproject.read_text(encoding="utf-8")


def test_fetch_reads_a_document_under_the_allowed_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from tests.support.fault_server import FaultServer, reply

    with FaultServer() as server:
        remote = shop_v2()
        remote["components"]["schemas"]["Meta"] = {"$ref": server.url("/schemas/Meta.yaml")}
        text = yaml.safe_dump(remote, sort_keys=False).encode()
        server.script("GET", "/api/shop_v2.yaml", reply(200, text, content_type="text/yaml"))
        meta = yaml.safe_dump(META).encode()
        server.script("GET", "/schemas/Meta.yaml", reply(200, meta, content_type="text/yaml"))
        write_spec(tmp_path, shop_v1(), "shop_v1.yaml")
        allowed = f'allow-urls = ["{server.url("/schemas/")}"]\n'
        url = server.url("/api/shop_v2.yaml")
        configured(
            tmp_path,
            entry("shop_v1.yaml") + entry("specs/shop_v2.yaml", spec_url=url, spec_sha256="0" * 64),
            allowed,
        )
        monkeypatch.chdir(tmp_path)
        result = sdkgen("fetch")
    # the document and the schema it refers to were read: only the pin differs
    assert result.exit_code == 1
    one_error(result, "SDK022", f"{url}#: upstream sha256 ")


def test_hostile_servers_titles_and_file_names_stay_data(tmp_path: Path) -> None:
    evil = 'https://evil.test/"""); import os; os.system("x") #\'\\'
    first = shop_v1()
    first["servers"] = [{"url": evil}]
    first["info"]["title"] = 'Shop """ \\ \x00 {{ 7*7 }}'
    specs = [
        write_spec(tmp_path, first, 'we\'ird "name".yaml'),
        write_spec(tmp_path, shop_v2(), "b`|c.yaml"),
    ]
    out = tmp_path / "out"
    result = run_cli(
        "generate", *map(str, specs), "-o", str(out), "--package-name", "hostile", "-q"
    )
    assert result.exit_code == 0, result.output
    for path in (out / "hostile").glob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    import tomllib

    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    files = [d["file"] for d in project["tool"]["sdkgen"]["spec-documents"]]
    assert files == ['we\'ird "name".yaml', "b`|c.yaml"]
    loading = importer()
    hostile = next(loading)(out, "hostile")
    try:
        assert hostile.__spec_documents__ == files
        seen, handler = recording()
        transport = httpx.MockTransport(handler)
        with hostile.Client(username="u", password="p", transport=transport) as client:
            group = next(
                name for name in vars(client) if name.endswith("_items") and name.startswith("we")
            )
            getattr(client, group).get_item(id="1")
    finally:
        next(loading, None)
    assert seen[0].url.host == "evil.test"  # the URL is data: httpx parses it, nothing runs


def test_a_shared_model_travels_every_way_any_document_uses_it(tmp_path: Path) -> None:
    """One document only reads `Item` (its readOnly `id` required on the constructor), the other
    also sends it: the shared class is one, and its constructor leaves `id` out (UNSET)."""
    item = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}},
    }
    scheme = {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
    reader = _doc("Reader", "https://r.example.com", scheme, {"Item": item})
    writer = _doc("Writer", "https://w.example.com", scheme, {"Item": item})
    body = {"$ref": "#/components/schemas/Item"}
    writer["paths"]["/items"] = {
        "put": {
            "operationId": "putItems",
            "tags": ["items"],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "array", "items": body}}},
            },
            "responses": {"204": {"description": "done"}},
        }
    }
    specs = [
        write_spec(tmp_path, reader, "reader.yaml"),
        write_spec(tmp_path, writer, "writer.yaml"),
    ]
    out = tmp_path / "out"
    result = run_cli("generate", *map(str, specs), "-o", str(out), "--package-name", "rw", "-q")
    assert result.exit_code == 0, result.output
    models = (out / "rw" / "models.py").read_text(encoding="utf-8")
    assert re.findall(r"^class (\w+)", models, re.MULTILINE) == ["Item"]
    loading = importer()
    rw = next(loading)(out, "rw")
    try:
        made = rw.models.Item(name="n")  # id is the server's: not required to send one
        assert made.to_dict() == {"name": "n"}
    finally:
        next(loading, None)


def test_a_renamed_integer_enum_stays_an_integer_enum(tmp_path: Path) -> None:
    """Two documents with different `Level` enums of integers: the second is renamed, and
    fields of it are still annotated `... | int` (an unknown value stays the integer sent)."""
    scheme = {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}

    def item(levels: list[int]) -> dict[str, Any]:
        return {
            "Item": {
                "type": "object",
                "properties": {"level": {"$ref": "#/components/schemas/Level"}},
            },
            "Level": {"type": "integer", "enum": levels},
        }

    one = _doc("One", "https://one.example.com", scheme, item([1, 2]))
    two = _doc("Two", "https://two.example.com", scheme, item([1, 2, 3]))
    specs = [write_spec(tmp_path, one, "one.yaml"), write_spec(tmp_path, two, "two.yaml")]
    out = tmp_path / "out"
    result = run_cli("generate", *map(str, specs), "-o", str(out), "--package-name", "lv", "-q")
    assert result.exit_code == 0, result.output
    models = (out / "lv" / "models.py").read_text(encoding="utf-8")
    assert "level: Level | int | Unset = UNSET" in models, models
    assert "level: TwoLevel | int | Unset = UNSET" in models, models
    assert "| str" not in models
