"""Release-pipeline features through the CLI: `diff` on pairs of specs covering each kind of
change, `fetch` against a local server serving two versions, provenance and versioning,
vendoring, and the README's pipeline recipe run as written."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import tomllib

from tests.conftest import REPO, run_cli, write_spec
from tests.support.fault_server import FaultServer, reply

BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Shop", "version": "1.0.0"},
    "servers": [{"url": "https://shop.example/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "tags": ["items"],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Item"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "createItem",
                "tags": ["items"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "note": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            },
        }
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Item": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "price": {"type": "number"},
                    "state": {"type": "string", "enum": ["NEW", "SOLD"]},
                },
            }
        },
    },
}


def changed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    edit(doc)
    return doc


def items_get(doc: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = doc["paths"]["/items"]["get"]
    return op


def item_props(doc: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = doc["components"]["schemas"]["Item"]["properties"]
    return props


def body_schema(doc: dict[str, Any]) -> dict[str, Any]:
    post = doc["paths"]["/items"]["post"]
    schema: dict[str, Any] = post["requestBody"]["content"]["application/json"]["schema"]
    return schema


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    # (case, edit, level, where fragment, message fragment)
    (
        "operation removed",
        lambda d: d["paths"]["/items"].pop("post"),
        "major",
        "create_item",
        "operation removed",
    ),
    (
        "operation added",
        lambda d: d["paths"].update(
            {"/ping": {"get": {"operationId": "ping", "responses": {"204": {"description": "ok"}}}}}
        ),
        "minor",
        "client.default.ping",
        "operation added",
    ),
    (
        "required parameter added",
        lambda d: items_get(d)["parameters"].append(
            {"name": "shop", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        "major",
        "list_items(shop)",
        "required argument added",
    ),
    (
        "optional parameter added",
        lambda d: items_get(d)["parameters"].append(
            {"name": "q", "in": "query", "schema": {"type": "string"}}
        ),
        "minor",
        "list_items(q)",
        "optional argument added",
    ),
    (
        "parameter made required",
        lambda d: items_get(d)["parameters"][0].update({"required": True}),
        "major",
        "list_items(limit)",
        "argument now required",
    ),
    (
        "body field made optional",
        lambda d: body_schema(d).update({"required": []}),
        "minor",
        "create_item(name)",
        "argument now optional",
    ),
    (
        "parameter removed",
        lambda d: items_get(d).pop("parameters"),
        "major",
        "list_items(limit)",
        "argument removed",
    ),
    (
        "response field removed",
        lambda d: item_props(d).pop("price"),
        "major",
        "result[].price",
        "field removed",
    ),
    (
        "response field added",
        lambda d: item_props(d).update({"color": {"type": "string"}}),
        "minor",
        "result[].color",
        "field added",
    ),
    (
        "response field type changed",
        lambda d: item_props(d).update({"price": {"type": "string"}}),
        "major",
        "result[].price",
        "type float -> str",
    ),
    (
        "response field became nullable",
        lambda d: item_props(d)["price"].update({"nullable": True}),
        "major",
        "result[].price",
        "may now be null",
    ),
    (
        "request field became nullable",
        lambda d: body_schema(d)["properties"]["note"].update({"nullable": True}),
        "minor",
        "create_item(note)",
        "may now be null",
    ),
    (
        "response enum value added",
        lambda d: item_props(d)["state"]["enum"].append("RESERVED"),
        "minor",
        "result[].state",
        "enum value 'RESERVED' added",
    ),
    (
        "enum value removed",
        lambda d: item_props(d)["state"]["enum"].remove("SOLD"),
        "major",
        "result[].state",
        "enum value 'SOLD' removed (ItemState.SOLD)",
    ),
    (
        "documented default changed",
        lambda d: items_get(d)["parameters"][0]["schema"].update({"default": 50}),
        "patch",
        "list_items(limit)",
        "documented default 10 -> 50",
    ),
    (
        "auth changed",
        lambda d: d["components"]["securitySchemes"].update(
            {"bearer": {"type": "apiKey", "in": "header", "name": "X-Key"}}
        ),
        "major",
        "auth",
        "auth changed from bearer to header 'X-Key'",
    ),
    (
        "server changed",
        lambda d: d.update({"servers": [{"url": "https://api.shop.example"}]}),
        "major",
        "base_url",
        "default base URL",
    ),
    (
        "method renamed",
        lambda d: items_get(d).update({"x-sdkgen-name": "all_items"}),
        "major",
        "client.items.list_items",
        "method renamed to client.items.all_items",
    ),
]


@pytest.mark.parametrize(
    ("case", "edit", "level", "where", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_diff_classifies_each_kind_of_change(
    case: str,
    edit: Callable[[dict[str, Any]], None],
    level: str,
    where: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    old, new = (
        write_spec(tmp_path, BASE, "old.yaml"),
        write_spec(tmp_path, changed(edit), "new.yaml"),
    )
    result = run_cli("diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    matching = [c for c in payload["changes"] if where in c["where"] and message in c["message"]]
    assert matching, payload["changes"]
    assert matching[0]["level"] == level
    assert matching[0]["breaking"] is (level == "major")
    assert payload["version"] == 1 and payload["bump"] == level


def test_diff_of_the_leonardo_spec_against_itself_is_empty(leonardo_spec: Path) -> None:
    result = run_cli("diff", str(leonardo_spec), str(leonardo_spec), "--fail-on", "breaking")
    assert result.exit_code == 0
    assert result.stdout.strip() == "suggested version bump: none"


def test_fail_on_breaking_and_unannounced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    old = write_spec(tmp_path, BASE, "old.yaml")
    breaking = changed(lambda d: d["paths"]["/items"].pop("post"))
    new = write_spec(tmp_path, breaking, "new.yaml")
    assert run_cli("diff", str(old), str(new)).exit_code == 0
    assert run_cli("diff", str(old), str(new), "--fail-on", "breaking").exit_code == 1
    assert run_cli("diff", str(old), str(new), "--fail-on", "unannounced").exit_code == 1
    breaking["info"]["version"] = "2.0.0"  # announced by a major version
    announced = write_spec(tmp_path, breaking, "announced.yaml")
    assert run_cli("diff", str(old), str(announced), "--fail-on", "unannounced").exit_code == 0
    additive = write_spec(
        tmp_path, changed(lambda d: item_props(d).update({"x": {"type": "string"}})), "add.yaml"
    )
    assert run_cli("diff", str(old), str(additive), "--fail-on", "breaking").exit_code == 0


def test_diff_as_text_and_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    new_doc = changed(lambda d: d["paths"]["/items"].pop("post"))
    item_props(new_doc).update({"x": {"type": "string"}})
    new_doc["info"]["version"] = "1.1.0"
    old, new = write_spec(tmp_path, BASE, "old.yaml"), write_spec(tmp_path, new_doc, "new.yaml")
    text = run_cli("diff", str(old), str(new)).stdout
    assert "BREAKING client.items.create_item: operation removed: POST /items" in text
    assert "MINOR    client.items.list_items() result[].x: field added" in text
    assert text.strip().endswith("suggested version bump: major")
    markdown = run_cli("diff", str(old), str(new), "--format", "markdown").stdout
    assert markdown.startswith("## Shop 1.1.0 (was 1.0.0)\n")
    assert (
        "### Breaking changes\n\n- `client.items.create_item`: operation removed: POST /items"
        in markdown
    )
    assert "### Added\n\n- `client.items.list_items() result[].x`: field added" in markdown


# --- provenance, version, vendoring ----------------------------------------------------------


def test_provenance_and_version_rule(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    import_generated: Callable[[Path, str], ModuleType],
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path, BASE)
    overlay = tmp_path / "names.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/items'].get\n    update: {x-sdkgen-name: all_items}\n",
        encoding="utf-8",
    )
    assert (
        run_cli("generate", str(spec), "-o", "out", "--overlay", str(overlay), "-q").exit_code == 0
    )
    meta = tomllib.loads((tmp_path / "out" / "pyproject.toml").read_text(encoding="utf-8"))
    spec_sha = hashlib.sha256(spec.read_bytes()).hexdigest()
    overlay_sha = hashlib.sha256(overlay.read_bytes()).hexdigest()
    assert meta["project"]["version"] == "1.0.0.100"  # spec 1.0.0, sdkgen 0.1.0
    assert meta["tool"]["sdkgen"] == {
        "generator-version": "0.1.0",
        "spec-version": "1.0.0",
        "spec-sha256": spec_sha,
        "overlays": [{"file": "names.yaml", "sha256": overlay_sha}],
    }
    shop = import_generated(tmp_path / "out", "shop")
    assert shop.__spec_sha256__ == spec_sha and shop.__spec_version__ == "1.0.0"
    assert shop.__overlays_sha256__ == (("names.yaml", overlay_sha),)
    assert (shop.__version__, shop.__generator__) == ("1.0.0.100", "sdkgen 0.1.0")
    assert (
        run_cli("generate", str(spec), "-o", "out2", "--package-version", "7.1.0", "-q").exit_code
        == 0
    )
    assert '__version__ = "7.1.0"' in (tmp_path / "out2" / "shop" / "__init__.py").read_text(
        encoding="utf-8"
    )


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def test_vendored_copies_from_two_specs_live_in_one_process(
    tmp_path: Path,
    leonardo_spec: Path,
    server: FaultServer,
    monkeypatch: pytest.MonkeyPatch,
    import_generated: Callable[[Path, str], ModuleType],
) -> None:
    monkeypatch.chdir(tmp_path)
    vendor = tmp_path / "myapp" / "_vendor"
    for name, spec in (
        ("leonardo", leonardo_spec),
        ("leonardo_copy", leonardo_spec),
        ("shop", write_spec(tmp_path, BASE)),
    ):
        out = vendor / name
        result = run_cli(
            "generate",
            str(spec),
            "-o",
            str(out),
            "--package-name",
            name,
            "--layout",
            "package",
            "-q",
        )
        assert result.exit_code == 0, result.output
        assert (out / "__init__.py").is_file() and not (out / "pyproject.toml").exists()
    (tmp_path / "myapp" / "__init__.py").write_text("", encoding="utf-8")
    (vendor / "__init__.py").write_text("", encoding="utf-8")
    myapp = import_generated(tmp_path, "myapp")
    leonardo = __import__("myapp._vendor.leonardo", fromlist=["Client"])
    copy_ = __import__("myapp._vendor.leonardo_copy", fromlist=["Client"])
    shop = __import__("myapp._vendor.shop", fromlist=["Client"])
    assert myapp.__name__ == "myapp" and leonardo.Client is not copy_.Client
    job = {"generated_image_variation_generic": [{"status": "COMPLETE"}]}
    server.script("GET", "/variations/abc", reply(200, job))
    server.script("GET", "/items", reply(200, [{"id": "1", "price": 2.5}]))
    for module in (leonardo, copy_):
        with module.Client(api_key="k", base_url=server.base_url) as client:
            result = client.variation.get_variation_by_id(id="abc")
            assert type(result).__module__ == f"{module.__name__}.models"
    with shop.Client(api_key="k", base_url=server.base_url) as client:
        assert client.items.list_items()[0].price == 2.5
    assert server.count("GET", "/variations/abc") == 2


# --- fetch and the pipeline recipe ------------------------------------------------------------


def project(tmp_path: Path, url: str, sha256: str) -> Path:
    """A project that pins a spec, with comments and other tables that a re-pin must keep."""
    (tmp_path / "pyproject.toml").write_text(
        "# the release pipeline's project\n"
        "[project]\nname = 'app'\n\n"
        "[tool.sdkgen]\n"
        'spec = "specs/shop.json"   # git-ignored copy\n'
        f'spec-url = "{url}"\n'
        f'spec-sha256 = "{sha256}"\n'
        'output = "generated/shop"\n'
        'package-name = "shop"\n\n'
        "[tool.sdkgen.silence]\n"
        'SDK108 = "the runtime maps error statuses to exceptions"\n\n'
        "[tool.other]\nkeep = true\n",
        encoding="utf-8",
    )
    return tmp_path


def serve(server: FaultServer, path: str, doc: dict[str, Any]) -> tuple[str, str]:
    raw = json.dumps(doc, indent=1).encode()
    server.script("GET", path, reply(200, raw, content_type="application/json"))
    return server.url(path), hashlib.sha256(raw).hexdigest()


def test_fetch_downloads_checks_and_refuses_a_changed_upstream(
    tmp_path: Path, server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url, sha = serve(server, "/v1/shop.json", BASE)
    project(tmp_path, url, sha)
    result = run_cli("fetch")
    assert result.exit_code == 0, result.output
    assert hashlib.sha256((tmp_path / "specs" / "shop.json").read_bytes()).hexdigest() == sha
    serve(server, "/v1/shop.json", changed(lambda d: d["info"].update({"version": "1.0.1"})))
    before = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    refused = run_cli("fetch")
    assert refused.exit_code == 1
    assert "ERROR SDK022" in refused.output and "`sdkgen fetch --update` re-pins" in refused.output
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == before


def test_fetch_update_repins_in_place_and_prints_the_api_diff(
    tmp_path: Path, server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url, sha = serve(server, "/v1/shop.json", BASE)
    project(tmp_path, url, sha)
    assert run_cli("fetch").exit_code == 0
    before = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    new_url, new_sha = serve(
        server, "/v2/shop.json", changed(lambda d: item_props(d).update({"x": {"type": "string"}}))
    )
    result = run_cli("fetch", "--update", "--url", new_url)
    assert result.exit_code == 0, result.output
    assert "MINOR    client.items.list_items() result[].x: field added" in result.stdout
    after = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    expected = before.replace(sha, new_sha).replace(url, new_url)
    assert after == expected  # only the two pinned values changed: comments and tables kept
    breaking_url, _ = serve(
        server, "/v3/shop.json", changed(lambda d: d["paths"]["/items"].pop("post"))
    )
    refused = run_cli("fetch", "--update", "--url", breaking_url, "--fail-on", "breaking")
    assert refused.exit_code == 1 and "ERROR SDK023" in refused.output
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == after


def recipe() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- pipeline-recipe -->\n```sh\n(.*?)```", readme, re.DOTALL)
    assert match, "the README's pipeline recipe is missing"
    return match.group(1)


def run_recipe(cwd: Path, upstream: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "UPSTREAM_URL": upstream,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    script = "set -euo pipefail\n" + recipe()
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_readme_pipeline_recipe(tmp_path: Path, server: FaultServer) -> None:
    old_url, old_sha = serve(server, "/old/shop.json", BASE)
    project(tmp_path, old_url, old_sha)
    first = run_recipe(tmp_path, old_url)  # nothing upstream yet: generates the client once
    assert first.returncode == 0, first.stdout + first.stderr
    client = tmp_path / "generated" / "shop" / "shop" / "_client.py"
    assert "def create_item(" in client.read_text(encoding="utf-8")

    added = changed(
        lambda d: d["paths"]["/items"]["get"]["parameters"].append(
            {"name": "q", "in": "query", "schema": {"type": "string"}}
        )
    )
    new_url, new_sha = serve(server, "/new/shop.json", added)
    second = run_recipe(tmp_path, new_url)  # additive change: re-pinned and regenerated
    assert second.returncode == 0, second.stdout + second.stderr
    assert "### Added" in (tmp_path / "api-changes.md").read_text(encoding="utf-8")
    assert f'spec-sha256 = "{new_sha}"' in (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert "q: str | Unset = UNSET" in client.read_text(encoding="utf-8")

    removed = changed(lambda d: d["paths"]["/items"].pop("post"))
    bad_url, _ = serve(server, "/bad/shop.json", removed)
    third = run_recipe(tmp_path, bad_url)  # unannounced breaking change: the job fails
    assert third.returncode != 0
    assert f'spec-sha256 = "{new_sha}"' in (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert "def create_item(" in client.read_text(encoding="utf-8")


def _field_schemas(old: Any, new: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """BASE with a response field `extra` (old: `old`, new: `new`) and a request field `note`
    (likewise), for the type classification of issue 13."""
    docs = []
    for schema in (old, new):
        doc = copy.deepcopy(BASE)
        item_props(doc)["extra"] = schema
        body_schema(doc)["properties"]["note"] = schema
        docs.append(doc)
    return docs[0], docs[1]


RETYPED = [
    # (old schema, new schema, level for the result field, level for the argument)
    ({}, {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "minor", "minor"),
    ({}, {"enum": [True]}, "minor", "minor"),  # Stripe's `deleted`: JSON values as they were
    ({}, {"$ref": "#/components/schemas/Item"}, "major", "minor"),  # a dict becomes a model
    ({"type": "string"}, {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "major", "minor"),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, {"type": "string"}, "minor", "major"),
    ({"type": "string"}, {}, "major", "minor"),
    ({"oneOf": [{"const": "a"}]}, {"enum": ["a", 1]}, "major", "minor"),  # Literal widened
]


@pytest.mark.parametrize(("old", "new", "out_level", "in_level"), RETYPED)
def test_diff_classifies_types_made_more_or_less_precise(
    old: Any, new: Any, out_level: str, in_level: str, tmp_path: Path
) -> None:
    before, after = _field_schemas(old, new)
    result = run_cli(
        "diff",
        str(write_spec(tmp_path, before, "old.yaml")),
        str(write_spec(tmp_path, after, "new.yaml")),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    changes = {c["where"]: c for c in json.loads(result.stdout)["changes"]}
    out = next(c for w, c in changes.items() if w.endswith("].extra"))
    arg = next(c for w, c in changes.items() if w.endswith("(note)"))
    assert (out["level"], arg["level"]) == (out_level, in_level), changes
    assert out["message"].startswith("type ")
    assert "may now be null" not in json.dumps(changes)  # Any already held null
