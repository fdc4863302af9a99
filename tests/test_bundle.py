"""Documents split over files (issue 14, part 1): bundling, its safety rule, and diagnostics
that name the file they are about. Every tree is written here, in tmp_path."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib
import yaml

from generator import bundle, confine, load
from generator.diagnostics import Fatal
from tests.conftest import run_cli
from tests.support.checks import import_in_subprocess, mypy_strict

ENTRY = """\
openapi: 3.0.3
info: {title: Split, version: "1.0"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets:
    $ref: paths/pets.yaml
components:
  schemas:
    Local: {type: object, properties: {id: {type: string}}}
"""

PETS = """\
get:
  operationId: listPets
  parameters:
    - $ref: ../parameters.json#/limit
  responses:
    "200":
      description: ok
      content:
        application/json:
          schema: {type: array, items: {$ref: ../schemas/Pet.yaml}}
    default:
      $ref: ../responses/Error.yaml
"""

FILES = {
    "openapi.yaml": ENTRY,
    "paths/pets.yaml": PETS,
    "parameters.json": json.dumps(
        {"limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}}
    ),
    "schemas/Pet.yaml": """\
type: object
required: [name]
properties:
  name: {type: string}
  owner: {$ref: "./Owner.yaml"}
  tags: {type: array, items: {$ref: "../schemas/common.yaml#/Tag"}}
""",
    # Owner and Pet refer to each other: a cycle across files
    "schemas/Owner.yaml": """\
type: object
properties:
  name: {type: string}
  pets: {type: array, items: {$ref: Pet.yaml}}
  local: {$ref: "../openapi.yaml#/components/schemas/Local"}
""",
    "schemas/common.yaml": "Tag: {type: object, properties: {label: {type: string}}}\n",
    "responses/Error.yaml": """\
description: an error
content:
  application/json:
    schema: {$ref: "../schemas/Error.yaml"}
""",
    "schemas/Error.yaml": "type: object\nproperties: {message: {type: string}}\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "openapi.yaml"


def fatal(source: Path, *allowed: str) -> list[tuple[str, str, str, str]]:
    """The (code, file, pointer, message) of each diagnostic that refuses `source`."""
    with pytest.raises(Fatal) as refused:
        load.load(str(source), allowed)
    return [(d.code, d.file, d.pointer, d.message) for d in refused.value.diagnostics]


def test_nested_references_become_components_and_inlined_parts(tmp_path: Path) -> None:
    document = load.load(str(write_tree(tmp_path / "api", FILES)))
    data = document.data
    schemas = data["components"]["schemas"]
    assert sorted(schemas) == ["Error", "Local", "Owner", "Pet", "Tag"]
    get = data["paths"]["/pets"]["get"]
    assert get["parameters"] == [{"name": "limit", "in": "query", "schema": {"type": "integer"}}]
    items = get["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    assert items == {"$ref": "#/components/schemas/Pet"}
    assert get["responses"]["default"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert schemas["Pet"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    assert schemas["Owner"]["properties"]["pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    assert schemas["Owner"]["properties"]["local"] == {"$ref": "#/components/schemas/Local"}
    assert schemas["Pet"]["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert '"$ref": "#' in json.dumps(data) and ".yaml" not in json.dumps(data)


def test_the_digest_covers_every_file_and_stays_the_file_digest_for_one(tmp_path: Path) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    document = load.load(str(entry))
    names = [name for name, _ in document.files]
    assert names == sorted([".", *(n for n in FILES if n != "openapi.yaml")])
    expected = [
        ("." if n == "openapi.yaml" else n, hashlib.sha256(t.encode()).hexdigest())
        for n, t in FILES.items()
    ]
    assert document.sha256 == bundle.tree_sha256(expected)
    (tmp_path / "api" / "schemas" / "common.yaml").write_text("Tag: {type: string}\n", "utf-8")
    assert load.load(str(entry)).sha256 != document.sha256
    renamed = dict(FILES, **{"schemas/Owner.yaml": "type: object\n"})
    renamed["other-name.yaml"] = renamed.pop("openapi.yaml")
    write_tree(tmp_path / "a", dict(FILES, **{"schemas/Owner.yaml": "type: object\n"}))
    write_tree(tmp_path / "b", renamed)
    assert (
        load.load(str(tmp_path / "a" / "openapi.yaml")).sha256
        == load.load(str(tmp_path / "b" / "other-name.yaml")).sha256
    )
    single = tmp_path / "single.yaml"
    single.write_text(FILES["openapi.yaml"].replace("$ref: paths/pets.yaml", "{}"), "utf-8")
    assert load.load(str(single)).sha256 == hashlib.sha256(single.read_bytes()).hexdigest()


def test_a_file_reached_through_two_paths_and_a_symlink_is_one_file(tmp_path: Path) -> None:
    files = dict(FILES)
    files["paths/pets.yaml"] = PETS.replace(
        "items: {$ref: ../schemas/Pet.yaml}",
        "items: {anyOf: [{$ref: ../schemas/Pet.yaml}, {$ref: ./../schemas/./Pet.yaml},"
        " {$ref: ../alias/Pet.yaml}, {$ref: ../pet-link.yaml}]}",
    )
    entry = write_tree(tmp_path / "api", files)
    (tmp_path / "api" / "alias").symlink_to(tmp_path / "api" / "schemas")
    (tmp_path / "api" / "pet-link.yaml").symlink_to(tmp_path / "api" / "schemas" / "Pet.yaml")
    document = load.load(str(entry))
    items = document.data["paths"]["/pets"]["get"]["responses"]["200"]["content"]
    refs = items["application/json"]["schema"]["items"]["anyOf"]
    assert refs == [{"$ref": "#/components/schemas/Pet"}] * 4
    assert sum(name.endswith("Pet.yaml") for name, _ in document.files) == 1
    assert "Pet_2" not in document.data["components"]["schemas"]


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("../../outside.yaml", "leads out of the entry file's directory tree"),
        ("../schemas/../../outside.yaml", "leads out of the entry file's directory tree"),
        ("%2e%2e/%2e%2e/outside.yaml", "leads out of the entry file's directory tree"),
        ("/etc/hosts", "is an absolute path"),
        ("file:///etc/passwd", "is neither a relative path nor an http(s) URL"),
        ("//evil.example/x.yaml", "is neither a relative path nor an http(s) URL"),
        ("http://127.0.0.1:9/x.yaml", "is a URL not allowed"),
    ],
)
def test_references_out_of_the_tree_are_refused_where_they_are(
    ref: str, reason: str, tmp_path: Path
) -> None:
    (tmp_path / "outside.yaml").write_text("type: string\n", encoding="utf-8")
    files = dict(FILES)
    files["schemas/Error.yaml"] = f'type: object\nproperties: {{leak: {{$ref: "{ref}"}}}}\n'
    found = fatal(write_tree(tmp_path / "api", files))
    assert found == [
        (
            "SDK010",
            f"{tmp_path}/api/schemas/Error.yaml",
            "#/properties/leak/$ref",
            found[0][3],
        )
    ]
    assert found[0][3].startswith(f"$ref {ref!r} {reason}")


def test_a_symlink_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "Pet.yaml").write_text("type: object\n", encoding="utf-8")
    files = {k: v for k, v in FILES.items() if k != "schemas/Pet.yaml"}
    entry = write_tree(tmp_path / "api", files)
    (tmp_path / "api" / "schemas" / "Pet.yaml").symlink_to(secret / "Pet.yaml")
    found = fatal(entry)
    assert [(c, f, p) for c, f, p, _ in found] == [
        (
            "SDK010",
            f"{tmp_path}/api/paths/pets.yaml",
            "#/get/responses/200/content/application~1json/schema/items/$ref",
        )
    ]
    assert "through a symlink out of the entry file's directory tree" in found[0][3]


def test_a_symlinked_directory_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Pet.yaml").write_text("type: object\n", encoding="utf-8")
    files = dict(FILES)
    files["paths/pets.yaml"] = PETS.replace("../schemas/Pet.yaml", "../linked/Pet.yaml")
    entry = write_tree(tmp_path / "api", files)
    (tmp_path / "api" / "linked").symlink_to(outside)
    assert [c for c, *_ in fatal(entry)] == ["SDK010"]


def test_an_entry_reached_through_a_symlink_has_its_real_directory_as_tree(tmp_path: Path) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    (tmp_path / "link.yaml").symlink_to(entry)
    document = load.load(str(tmp_path / "link.yaml"))
    assert "Pet" in document.data["components"]["schemas"]


def test_missing_files_fragments_and_parse_errors_name_their_file(tmp_path: Path) -> None:
    files = dict(FILES)
    files["paths/pets.yaml"] = PETS.replace("../parameters.json#/limit", "../parameters.json#/nope")
    files["schemas/Owner.yaml"] = "type: object\nproperties: {a: {$ref: Gone.yaml}}\n"
    files["schemas/common.yaml"] = "Tag: {type: object\n"
    found = fatal(write_tree(tmp_path / "api", files))
    api = f"{tmp_path}/api"
    assert sorted(found) == sorted(
        [
            (
                "SDK040",
                f"{api}/paths/pets.yaml",
                "#/get/parameters/0/$ref",
                f"{api}/parameters.json#/nope points to nothing",
            ),
            (
                "SDK001",
                f"{api}/schemas/Owner.yaml",
                "#/properties/a/$ref",
                "no such file: Gone.yaml",
            ),
            ("SDK003", f"{api}/schemas/common.yaml", "#", found_message(found, "SDK003")),
        ]
    )
    assert "malformed YAML at line 2" in found_message(found, "SDK003")


def located(output: str) -> list[tuple[str, str, str]]:
    """(severity, code, file#pointer) of each diagnostic line."""
    lines = (line.split(" ", 3) for line in output.splitlines())
    return [(p[0], p[1], p[2].rstrip(":")) for p in lines if len(p) == 4 and p[1][:3] == "SDK"]


def found_message(found: list[tuple[str, str, str, str]], code: str) -> str:
    return next(m for c, _, _, m in found if c == code)


def test_an_anchor_fragment_and_a_cycle_of_path_items_are_errors(tmp_path: Path) -> None:
    files = dict(FILES)
    files["paths/pets.yaml"] = "$ref: loop.yaml\n"
    files["paths/loop.yaml"] = "$ref: pets.yaml\n"
    files["openapi.yaml"] = ENTRY + "    Anchored: {$ref: 'schemas/Pet.yaml#pet'}\n"
    found = fatal(write_tree(tmp_path / "api", files))
    assert [(c, p) for c, _, p, _ in found] == [
        ("SDK040", "#/components/schemas/Anchored/$ref"),
        ("SDK041", "#/$ref"),
    ]
    assert found[1][1].endswith("paths/loop.yaml")


def test_colliding_names_are_deterministic_and_reported(tmp_path: Path) -> None:
    files = {
        "openapi.yaml": ENTRY.replace("    $ref: paths/pets.yaml", "    $ref: paths.yaml#/pets")
        + "    Error: {type: string}\n    Aliased: {$ref: 'v3/Thing.yaml'}\n",
        "paths.yaml": """\
pets:
  get:
    operationId: listPets
    responses:
      "200":
        description: ok
        content:
          application/json:
            schema:
              type: object
              properties:
                a: {$ref: v1/Error.yaml}
                b: {$ref: v2/Error.yaml}
                c: {$ref: "v1/more.json#/Error"}
                d: {$ref: v3/Thing.yaml}
                e: {$ref: "v3/params.yaml#/limit/schema"}
                h: {$ref: "v3/a%20b&{c}.yaml"}
                i: {$ref: "v3/Pet.v1.yaml"}
                f: {$ref: "v3/params.yaml#/0/properties/owner/items"}
                g: {$ref: "v3/params.yaml#/0/allOf/1"}
""",
        "v1/Error.yaml": "type: object\nproperties: {one: {type: string}}\n",
        "v2/Error.yaml": "type: object\nproperties: {two: {type: string}}\n",
        "v1/more.json": '{"Error": {"type": "integer"}}',
        "v3/Thing.yaml": "type: object\nproperties: {three: {type: string}}\n",
        "v3/a b&{c}.yaml": "type: object\n",
        "v3/Pet.v1.yaml": "type: object\n",
        "v3/params.yaml": "limit: {schema: {type: integer}}\n"
        "0: {properties: {owner: {items: {type: string}}}, allOf: [{}, {type: object}]}\n",
    }
    entry = write_tree(tmp_path / "api", files)
    first, second = load.load(str(entry)), load.load(str(entry))
    assert first.data == second.data
    schemas = first.data["components"]["schemas"]
    assert sorted(schemas) == [
        *("Aliased", "Error", "Error_2", "Local", "Pet.v1", "a_b__c_", "limit", "owner"),
        "params",
        *("v1_Error", "v2_Error"),
    ]
    assert schemas["Error"] == {"type": "string"}  # the entry's own name comes first
    assert schemas["v1_Error"]["properties"] == {"one": {"type": "string"}}
    assert schemas["Error_2"] == {"type": "integer"}  # v1/more.json#/Error sorts after Error.yaml
    assert schemas["Aliased"]["properties"] == {"three": {"type": "string"}}
    response = first.data["paths"]["/pets"]["get"]["responses"]["200"]
    properties = response["content"]["application/json"]["schema"]["properties"]
    assert properties["d"] == {"$ref": "#/components/schemas/Aliased"}
    notes = [(d.code, d.file, d.pointer, d.message) for d in first.notes]
    api = f"{tmp_path}/api"
    assert (
        "SDK042",
        f"{api}/openapi.yaml",
        "#/components/schemas",
        f"the schema of {api}/v2/Error.yaml is named 'v2_Error': 'Error' is taken",
    ) in notes
    assert (
        "SDK042",
        f"{api}/openapi.yaml",
        "#/components/schemas",
        f"the schema of {api}/v1/more.json#/Error is named 'Error_2': 'Error' is taken",
    ) in notes
    assert len(notes) == 3


def test_discriminator_mappings_to_files_become_component_refs(tmp_path: Path) -> None:
    files = dict(FILES)
    files["schemas/Error.yaml"] = """\
oneOf: [{$ref: ./Pet.yaml}, {$ref: ./Owner.yaml}]
discriminator:
  propertyName: kind
  mapping:
    pet: ./Pet.yaml
    owner: "Owner.yaml#"
    plain: Owner.yaml
    Pet.yaml: Pet
    local: "../openapi.yaml#/components/schemas/Local"
    named: Pet
"""
    files["schemas/common.yaml"] = "Tag: {$ref: '#/Other'}\nOther: {type: string}\n"
    data = load.load(str(write_tree(tmp_path / "api", files))).data
    schemas = data["components"]["schemas"]
    assert schemas["Error"]["discriminator"]["mapping"] == {
        "pet": "#/components/schemas/Pet",
        "owner": "#/components/schemas/Owner",
        "local": "#/components/schemas/Local",
        "named": "Pet",  # a schema name, not a reference
        "plain": "#/components/schemas/Owner",
        "Pet.yaml": "Pet",
    }
    assert schemas["Tag"] == {"$ref": "#/components/schemas/Other"}  # local to common.yaml


def test_extension_references_to_text_files_are_kept_or_left_out(tmp_path: Path) -> None:
    files = dict(FILES)
    files["paths/pets.yaml"] = (
        PETS
        + """\
  x-codeSamples:
    - {lang: C#, source: {$ref: ../samples/get.cs}}
    - {lang: PHP, source: {$ref: ../samples/get.php}}
    - {lang: Go, source: {$ref: ../samples/missing.go}}
    - {lang: C#, source: {$ref: "../samples/get.cs#/x"}}
  x-meta: {$ref: ../samples/meta.yaml}
"""
    )
    files["samples/get.cs"] = 'var pets = client.ListPets(); // "quoted"\n'
    files["samples/meta.yaml"] = "owner: team\n"
    entry = write_tree(tmp_path / "api", files)
    (tmp_path / "api" / "samples" / "get.php").write_bytes(b"<?php \xff\xfe binary")
    document = load.load(str(entry))
    samples = document.data["paths"]["/pets"]["get"]["x-codeSamples"]
    assert samples == [
        {"lang": "C#", "source": files["samples/get.cs"]},
        {"lang": "PHP"},
        {"lang": "Go"},
        {"lang": "C#"},
    ]
    assert document.data["paths"]["/pets"]["get"]["x-meta"] == {"owner": "team"}
    notes = sorted((d.code, d.file, d.pointer, d.message) for d in document.notes)
    pets, samples = f"{tmp_path}/api/paths/pets.yaml", f"{tmp_path}/api/samples"
    assert notes == [
        (
            "SDK043",
            pets,
            "#/get/x-codeSamples/1/source/$ref",
            f"$ref to {samples}/get.php left out of the extension: not UTF-8 text",
        ),
        (
            "SDK043",
            pets,
            "#/get/x-codeSamples/2/source/$ref",
            f"$ref to {samples}/missing.go left out of the extension: no such file: missing.go",
        ),
        (
            "SDK043",
            pets,
            "#/get/x-codeSamples/3/source/$ref",
            f"$ref to {samples}/get.cs left out of the extension: a fragment into a text file",
        ),
    ]
    assert any(name == "samples/get.php" for name, _ in document.files)


def test_examples_and_defaults_are_data_not_references(tmp_path: Path) -> None:
    files = dict(FILES)
    files["schemas/Error.yaml"] = (
        "type: object\nexample: {$ref: nowhere.yaml}\ndefault: {$ref: nowhere.yaml}\n"
        "properties:\n"
        "  example: {$ref: common.yaml#/Tag}\n"
    )
    schemas = load.load(str(write_tree(tmp_path / "api", files))).data["components"]["schemas"]
    assert schemas["Error"]["example"] == {"$ref": "nowhere.yaml"}
    assert schemas["Error"]["default"] == {"$ref": "nowhere.yaml"}  # refused later by validate
    assert schemas["Error"]["properties"]["example"] == {"$ref": "#/components/schemas/Tag"}


# --- through the command line ----------------------------------------------------------------


def test_diagnostics_of_later_stages_point_into_the_right_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = dict(FILES)
    files["schemas/common.yaml"] = (
        "Tag: {type: object, properties: {label: {type: string, pattern: 'a+'}}}\n"
    )
    files["paths/pets.yaml"] = PETS.replace(
        "  operationId: listPets\n", "  operationId: listPets\n  x-sdkgen-bogus: 1\n"
    )
    entry = write_tree(tmp_path / "api", files)
    monkeypatch.chdir(tmp_path)
    result = run_cli("lint", "api/openapi.yaml")
    found = {(code, where) for _, code, where in located(result.output)}
    assert ("SDK107", "api/schemas/common.yaml#/Tag/properties/label/pattern") in found, (
        result.output
    )
    assert ("SDK120", "api/paths/pets.yaml#/get/x-sdkgen-bogus") in found, result.output
    del entry


def test_validation_errors_point_into_the_right_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = dict(FILES)
    files["responses/Error.yaml"] = "content: {}\n"  # no description
    write_tree(tmp_path / "api", files)
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "api/openapi.yaml")
    assert result.exit_code == 1
    errors = [(c, w) for s, c, w in located(result.output) if s == "ERROR"]
    assert errors == [("SDK013", "api/responses/Error.yaml#")], errors


def test_a_split_document_generates_type_checks_and_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    result = run_cli("generate", str(entry), "-o", str(out), "--package-name", "split", "-q")
    assert result.exit_code == 0, result.output
    models = (out / "split" / "models.py").read_text(encoding="utf-8")
    assert all(f"class {name}" in models for name in ("Pet", "Owner", "Tag"))
    document = load.load(str(entry))
    assert document.sha256 in (out / "split" / "__init__.py").read_text("utf-8")
    provenance = tomllib.loads((out / "pyproject.toml").read_text("utf-8"))["tool"]["sdkgen"]
    assert provenance["spec-sha256"] == document.sha256
    assert [(f["file"], f["sha256"]) for f in provenance["spec-files"]] == list(document.files)
    assert import_in_subprocess(out, "split").clean
    checked = mypy_strict([out / "split"])
    assert checked.returncode == 0, checked.output
    # --check sees a change in any file of the tree
    check = run_cli("generate", str(entry), "-o", str(out), "--package-name", "split", "--check")
    assert check.exit_code == 0, check.output
    (tmp_path / "api" / "schemas" / "Owner.yaml").write_text("type: object\n", "utf-8")
    check = run_cli("generate", str(entry), "-o", str(out), "--package-name", "split", "--check")
    assert check.exit_code == 1, check.output


def test_the_pin_covers_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = write_tree(tmp_path / "specs", FILES)
    digest = load.load(str(entry)).sha256
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkgen]\nspec = "specs/openapi.yaml"\n'
        f'spec-sha256 = "{digest}"\npackage-name = "split"\noutput = "out"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert run_cli("validate", "-q").exit_code == 0
    (tmp_path / "specs" / "schemas" / "common.yaml").write_text("Tag: {type: string}\n", "utf-8")
    result = run_cli("validate")
    assert result.exit_code == 1
    assert "SDK022" in result.output and digest in result.output


def test_diff_compares_split_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = write_tree(tmp_path / "old", FILES)
    files = dict(FILES)
    files["schemas/Pet.yaml"] = FILES["schemas/Pet.yaml"].replace(
        "name: {type: string}", "name: {type: integer}"
    )
    new = write_tree(tmp_path / "new", files)
    monkeypatch.chdir(tmp_path)
    result = run_cli("diff", str(old), str(new), "--format", "json")
    changes = json.loads(result.stdout)["changes"]
    assert [(c["where"], c["message"]) for c in changes] == [
        ("client.default.list_pets() result[].name", "type str -> int")
    ]


# --- URLs: refused unless allowed by prefix --------------------------------------------------


class Served:
    def __init__(self, files: dict[str, bytes | tuple[int, str]]) -> None:
        self.files = files
        self.requests: list[str] = []
        self.headers: list[str] = []
        served = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests.append(self.path)
                served.headers.append(self.headers.get("User-Agent", ""))
                found = served.files.get(self.path)
                if isinstance(found, tuple):  # a redirect
                    self.send_response(found[0])
                    self.send_header("Location", found[1])
                    self.end_headers()
                    return
                self.send_response(200 if found is not None else 404)
                body = found or b"missing"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Served]:
    served = Served({})
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()


def url_tree(tmp_path: Path, server: Served) -> Path:
    server.files["/schemas/Pet.yaml"] = b"type: object\nproperties: {owner: {$ref: Owner.yaml}}\n"
    server.files["/schemas/Owner.yaml"] = b"type: object\nproperties: {name: {type: string}}\n"
    server.files["/schemas/Away.yaml"] = (302, f"{server.url}/private/secret.yaml")
    server.files["/private/secret.yaml"] = b"type: string\n"
    files = dict(FILES)
    files["paths/pets.yaml"] = PETS.replace("../schemas/Pet.yaml", f"{server.url}/schemas/Pet.yaml")
    return write_tree(tmp_path / "api", files)


def test_a_url_reference_is_refused_then_allowed_by_prefix(
    tmp_path: Path, server: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = url_tree(tmp_path, server)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    refused = run_cli("generate", str(entry), "-o", "out", "--package-name", "split")
    assert refused.exit_code == 1
    assert f"ERROR SDK010 {tmp_path}/api/paths/pets.yaml#/get/responses/200" in refused.output
    assert server.requests == []
    near_miss = run_cli("generate", str(entry), "-o", "out", "--allow-url", server.url + "/schem")
    assert near_miss.exit_code == 1 and server.requests == []
    allowed = run_cli(
        "generate",
        str(entry),
        "-o",
        "out",
        "--package-name",
        "split",
        "-q",
        "--allow-url",
        f"{server.url}/schemas/",
    )
    assert allowed.exit_code == 0, allowed.output
    assert sorted(server.requests) == ["/schemas/Owner.yaml", "/schemas/Pet.yaml"]
    assert "class Owner" in (tmp_path / "out" / "split" / "models.py").read_text("utf-8")
    files = [name for name, _ in load.load(str(entry), [f"{server.url}/schemas/"]).files]
    assert f"{server.url}/schemas/Pet.yaml" in files


def test_allowed_urls_come_from_the_configuration_too(
    tmp_path: Path, server: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    url_tree(tmp_path, server)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.sdkgen]\nspec = "api/openapi.yaml"\nallow-urls = ["{server.url}/schemas/"]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert run_cli("validate", "-q").exit_code == 0
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkgen]\nspec = "api/openapi.yaml"\nallow-urls = ["file:///"]\n', "utf-8"
    )
    result = run_cli("validate")
    assert result.exit_code == 1 and "SDK020" in result.output


def test_a_redirect_out_of_the_allowed_prefix_is_refused(tmp_path: Path, server: Served) -> None:
    entry = url_tree(tmp_path, server)
    pet = server.url + "/schemas/Pet.yaml"
    text = entry.parent.joinpath("paths", "pets.yaml").read_text("utf-8")
    entry.parent.joinpath("paths", "pets.yaml").write_text(
        text.replace(pet, pet.replace("Pet", "Away"))
    )
    found = fatal(entry, f"{server.url}/schemas/")
    assert [c for c, *_ in found] == ["SDK010"], found
    assert "/private/secret.yaml" not in server.requests


@pytest.mark.parametrize("prefix", ["file:///etc/", "ftp://x/", "https://", "https://u@h/"])
def test_an_allowed_prefix_must_be_an_http_url_with_a_host(prefix: str, tmp_path: Path) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    result = run_cli("validate", str(entry), "--allow-url", prefix)
    assert result.exit_code == 2, result.output


def test_an_entry_url_may_reach_its_own_directory(server: Served) -> None:
    for name, text in FILES.items():
        server.files["/v1/" + name] = text.encode("utf-8")
    document = load.load(server.url + "/v1/openapi.yaml")
    assert sorted(document.data["components"]["schemas"]) == [
        "Error",
        "Local",
        "Owner",
        "Pet",
        "Tag",
    ]
    assert (
        "schemas/Pet.yaml",
        hashlib.sha256(FILES["schemas/Pet.yaml"].encode()).hexdigest(),
    ) in document.files
    server.files["/v1/schemas/Pet.yaml"] = b"$ref: ../../v2/x.yaml\n"
    with pytest.raises(Fatal) as refused:
        load.load(server.url + "/v1/openapi.yaml")
    assert [d.code for d in refused.value.diagnostics] == ["SDK010"]


def test_yaml_integer_keys_in_a_referenced_file_of_a_json_entry(tmp_path: Path) -> None:
    entry = tmp_path / "api" / "openapi.json"
    files = {k: v for k, v in FILES.items() if k != "openapi.yaml"}
    files["schemas/Owner.yaml"] = files["schemas/Owner.yaml"].replace(
        "openapi.yaml", "openapi.json"
    )
    files["paths/pets.yaml"] = PETS.replace('"200":', "200:").replace(
        "$ref: ../responses/Error.yaml", "$ref: ../responses/all.yaml#/500"
    )
    files["responses/all.yaml"] = "500: {$ref: Error.yaml}\n"  # a number, in YAML
    write_tree(tmp_path / "api", files)
    entry.write_text(json.dumps(yaml.safe_load(ENTRY)), encoding="utf-8")
    result = run_cli("validate", str(entry))
    assert result.exit_code == 0, result.output
    where = f"{tmp_path}/api/paths/pets.yaml#/get/responses/200"
    assert f"WARNING SDK014 {where}: key 200 is a int" in result.output


def test_fetch_pins_and_saves_a_tree_file_by_file(
    tmp_path: Path, server: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in FILES.items():
        server.files["/v1/" + name] = text.encode("utf-8")
    url = server.url + "/v1/openapi.yaml"
    digest = load.load(url).sha256
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        f'[tool.sdkgen]\nspec = "specs/openapi.yaml"\nspec-url = "{url}"\n'
        f'spec-sha256 = "{digest}"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert run_cli("fetch", "-q").exit_code == 0
    assert (tmp_path / "specs" / "openapi.yaml").read_text("utf-8") == FILES["openapi.yaml"]
    assert (tmp_path / "specs" / "schemas" / "Pet.yaml").read_text("utf-8") == FILES[
        "schemas/Pet.yaml"
    ]
    assert load.load("specs/openapi.yaml").sha256 == digest
    server.files["/v1/schemas/Pet.yaml"] = b"type: object\nproperties: {name: {type: integer}}\n"
    refused = run_cli("fetch")
    assert refused.exit_code == 1 and "SDK022" in refused.output
    updated = run_cli("fetch", "--update")
    assert updated.exit_code == 0, updated.output
    assert "type str -> int" in updated.output
    new_digest = load.load("specs/openapi.yaml").sha256
    assert new_digest != digest and new_digest in pyproject.read_text("utf-8")
    assert run_cli("validate", "-q").exit_code == 0


def test_a_file_copied_in_twice_reports_its_problem_once(tmp_path: Path) -> None:
    files = dict(FILES)
    files["paths/pets.yaml"] = PETS.replace(
        '"200":', '"404": {$ref: ../responses/Error.yaml}\n    "200":'
    )
    files["responses/Error.yaml"] = "description: x\nx-sample: {$ref: ../../../secret.txt}\n"
    found = fatal(write_tree(tmp_path / "api", files))
    assert [(c, p) for c, _, p, _ in found] == [("SDK010", "#/x-sample/$ref")]


def test_unreachable_and_failing_urls_are_reported_at_their_ref(
    tmp_path: Path, server: Served
) -> None:
    entry = url_tree(tmp_path, server)
    pets = entry.parent / "paths" / "pets.yaml"
    text = pets.read_text("utf-8")
    pets.write_text(text.replace("/schemas/Pet.yaml", "/schemas/Gone.yaml"), "utf-8")
    found = fatal(entry, f"{server.url}/schemas/")
    assert [(c, m) for c, _, _, m in found] == [
        ("SDK002", f"{server.url}/schemas/Gone.yaml: HTTP 404 Not Found")
    ]
    closed = "http://127.0.0.1:9/schemas/"
    pets.write_text(text.replace(f"{server.url}/schemas/", closed), "utf-8")
    found = fatal(entry, closed)
    assert [c for c, *_ in found] == ["SDK002"]
    assert found[0][3].startswith(f"{closed}Pet.yaml: cannot download: ")
    assert server.headers and all(h == "sdkgen" for h in server.headers)


# --- limits: hostile trees ---------------------------------------------------------------------


def test_a_fifo_in_the_tree_is_refused_without_hanging(tmp_path: Path) -> None:
    files = {k: v for k, v in FILES.items() if k != "schemas/Error.yaml"}
    entry = write_tree(tmp_path / "api", files)
    os.mkfifo(tmp_path / "api" / "schemas" / "Error.yaml")
    found = fatal(entry)
    assert [(c, m) for c, _, _, m in found] == [("SDK001", "Error.yaml is not a regular file")]


def test_too_many_files_or_bytes_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    monkeypatch.setattr(confine, "MAX_FILES", 3)
    assert {c for c, *_ in fatal(entry)} == {"SDK001"}
    monkeypatch.setattr(confine, "MAX_FILES", 100)
    monkeypatch.setattr(confine, "MAX_TREE_BYTES", 600)
    found = fatal(entry)
    assert found and all(m.startswith("the document's files exceed 600 bytes") for *_, m in found)


def test_a_long_chain_of_copied_references_is_a_clear_sdk004(tmp_path: Path) -> None:
    files = dict(FILES)
    files["paths/pets.yaml"] = "$ref: chain/0.yaml\n"
    for i in range(200):
        files[f"paths/chain/{i}.yaml"] = f"$ref: {i + 1}.yaml\n"
    files["paths/chain/200.yaml"] = PETS.replace("../", "../../")
    found = fatal(write_tree(tmp_path / "api", files))
    assert [(c, p, m) for c, _, p, m in found] == [("SDK004", "#", bundle._TOO_BIG)]
    assert "/api/paths/chain/" in found[0][1]  # the file where the depth ran out


def test_a_stack_overflow_while_bundling_is_a_clear_sdk004(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = write_tree(tmp_path / "api", FILES)

    def overflow(*_: object) -> None:
        raise RecursionError

    monkeypatch.setattr(bundle._Bundler, "emit", overflow)
    assert fatal(entry) == [("SDK004", str(entry), "#", bundle._TOO_BIG)]


def test_a_long_chain_of_schema_files_bundles_without_recursion(tmp_path: Path) -> None:
    files = dict(FILES)
    files["schemas/Error.yaml"] = "$ref: chain/S0.yaml\n"
    for i in range(1500):
        files[f"schemas/chain/S{i}.yaml"] = (
            f"type: object\nproperties: {{next: {{$ref: S{i + 1}.yaml}}}}\n"
        )
    files["schemas/chain/S1500.yaml"] = "type: string\n"
    document = load.load(str(write_tree(tmp_path / "api", files)))
    assert len(document.data["components"]["schemas"]) == 5 + 1501


def test_bundling_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    script = (
        "import json, sys\nfrom generator import load\n"
        "d = load.load(sys.argv[1])\n"
        "print(json.dumps([d.data, d.sha256, d.files, sorted(d.notes, key=str)], default=str))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(entry)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout
        for seed in ("0", "1", "2")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize(
    "path", ["/schemas/../private/secret.yaml", "/schemas/%2e%2e/private/secret.yaml"]
)
def test_a_url_climbing_out_of_an_allowed_prefix_is_refused(
    path: str, tmp_path: Path, server: Served
) -> None:
    entry = url_tree(tmp_path, server)
    pets = entry.parent / "paths" / "pets.yaml"
    text = pets.read_text("utf-8")
    pets.write_text(text.replace("/schemas/Pet.yaml", path), "utf-8")
    found = fatal(entry, f"{server.url}/schemas/")
    assert [c for c, *_ in found] == ["SDK010"]
    assert found[0][3].endswith(" is a URL with '..' or user information")
    assert server.requests == []


def test_a_prefix_without_a_slash_matches_at_a_path_boundary(
    tmp_path: Path, server: Served
) -> None:
    entry = url_tree(tmp_path, server)
    document = load.load(str(entry), [f"{server.url}/schemas"])
    assert "Owner" in document.data["components"]["schemas"]
    assert [c for c, *_ in fatal(entry, f"{server.url}/schema")] == ["SDK010"]


@pytest.mark.parametrize("prefix", ["https://schemas.example.com/v1/", "http://127.0.0.1:1"])
def test_http_and_https_prefixes_are_accepted(prefix: str, tmp_path: Path) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    result = run_cli("validate", str(entry), "--allow-url", prefix, "-q")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("place", "silenced"),
    [
        ("schemas/common.yaml#/Tag/properties", True),
        ("common.yaml#/Tag", True),
        ("#/components/schemas/Tag", True),
        ("mon.yaml#/Tag", False),  # the end of the path, at a directory boundary
        ("schemas/common.yaml#/Other", False),
        ("schemas/Pet.yaml#/Tag", False),
    ],
)
def test_a_silenced_place_in_a_split_document(
    place: str, silenced: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = dict(FILES)
    files["schemas/common.yaml"] = (
        "Tag: {type: object, properties: {a: {type: string, pattern: b}}}\n"
    )
    write_tree(tmp_path / "api", files)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkgen]\nspec = "api/openapi.yaml"\n'
        f'[tool.sdkgen.silence]\n"SDK107 {place}" = "why"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("lint")
    assert ("SDK107" not in result.output) is silenced, result.output


def test_locate_maps_a_bundled_pointer_to_its_file() -> None:
    origins = {
        "#/paths/~1a": ("paths/a.yaml", "#"),
        "#/components/schemas/T": ("common.yaml", "#/Tag"),
    }
    found = bundle.Bundle({}, "", (), {}, origins, ())
    assert found.locate("#/paths/~1a") == ("paths/a.yaml", "#")
    assert found.locate("#/paths/~1a/get/responses") == ("paths/a.yaml", "#/get/responses")
    assert found.locate("#/components/schemas/T") == ("common.yaml", "#/Tag")
    assert found.locate("#/components/schemas/T/items/0") == ("common.yaml", "#/Tag/items/0")
    assert found.locate("#/components/schemas/Tx") == ("", "#/components/schemas/Tx")
    assert found.locate("#") == ("", "#")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"paths": {"/a": {"$ref": "#/x"}}}, False),
        ({"paths": {"/a": {"$ref": "a.yaml"}}}, True),
        ({"p": [{"q": [{"$ref": "a.yaml"}]}]}, True),
        ({"s": {"example": {"$ref": "a.yaml"}, "enum": [{"$ref": "a.yaml"}]}}, False),
        ({"s": {"const": {"$ref": "a.yaml"}}}, False),
        ({"components": {"examples": {"E": {"value": {"$ref": "http://x/y"}}}}}, False),
        ({"m": {"examples": {"E": {"$ref": "examples/e.yaml"}}}}, True),
        ({"m": {"examples": {"E": {"summary": "s", "x": {"$ref": "e.yaml"}}}}}, True),
        ({"m": {"value": {"$ref": "e.yaml"}}}, True),  # `value` outside an example object
        ({"m": {"$ref": 3}}, False),
    ],
)
def test_has_external_skips_example_data_only(data: dict[str, object], expected: bool) -> None:
    assert bundle.has_external(data) is expected


def test_a_single_file_naming_itself_keeps_its_own_digest(tmp_path: Path) -> None:
    entry = tmp_path / "self.yaml"
    entry.write_text(
        ENTRY.replace(
            "    $ref: paths/pets.yaml", "    get: {responses: {'200': {description: ok}}}"
        )
        + "    Copy: {$ref: 'self.yaml#/components/schemas/Local'}\n",
        encoding="utf-8",
    )
    document = load.load(str(entry))
    assert document.sha256 == hashlib.sha256(entry.read_bytes()).hexdigest()
    assert document.files == ()
    copy = document.data["components"]["schemas"]["Copy"]
    assert copy == {"$ref": "#/components/schemas/Local"}


def test_a_broken_components_object_is_refused_cleanly(tmp_path: Path) -> None:
    for components, where in (("[]", "#/components"), ("{schemas: []}", "#/components/schemas")):
        files = dict(FILES)
        files["openapi.yaml"] = (
            ENTRY.split("components:", maxsplit=1)[0] + f"components: {components}\n"
        )
        found = fatal(write_tree(tmp_path / where.replace("/", "_"), files))
        assert [(c, p) for c, _, p, _ in found] == [("SDK013", where)]


def test_discriminator_mapping_problems_are_reported_at_the_mapping(tmp_path: Path) -> None:
    files = dict(FILES)
    files["schemas/Error.yaml"] = (
        "oneOf: [{$ref: ./Pet.yaml}]\n"
        "discriminator: {propertyName: kind, mapping: {a: ./Gone.yaml, b: ../../out.yaml,"
        " c: '#/nothing'}}\n"
    )
    found = fatal(write_tree(tmp_path / "api", files))
    error_file = f"{tmp_path}/api/schemas/Error.yaml"
    assert sorted((c, f, p) for c, f, p, _ in found) == [
        ("SDK001", error_file, "#/discriminator/mapping/a"),
        ("SDK010", error_file, "#/discriminator/mapping/b"),
        ("SDK040", error_file, "#/discriminator/mapping/c"),
    ]


def test_the_expansion_of_copied_parts_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = write_tree(tmp_path / "api", FILES)
    monkeypatch.setattr(load, "MAX_NODES", 40)  # each file is smaller, the whole is not
    found = fatal(entry)
    assert [(c, m) for c, _, _, m in found] == [("SDK004", bundle._TOO_BIG)]


def test_sibling_keys_of_a_reference_are_laid_over_its_copy(tmp_path: Path) -> None:
    files = dict(FILES)
    files["openapi.yaml"] = ENTRY.replace(
        "    $ref: paths/pets.yaml",
        "    $ref: paths/pets.yaml\n    summary: Pets, here\n    description: from the entry",
    )
    files["paths/pets.yaml"] = "summary: Pets, there\n" + PETS.replace(
        "      $ref: ../responses/Error.yaml",
        "      $ref: ../responses/Error.yaml\n      description: overridden",
    )
    data = load.load(str(write_tree(tmp_path / "api", files))).data
    item = data["paths"]["/pets"]
    assert (item["summary"], item["description"]) == ("Pets, here", "from the entry")
    assert item["get"]["responses"]["default"]["description"] == "overridden"
    assert "content" in item["get"]["responses"]["default"]


def test_example_objects_values_are_data_and_local_refs_stay(tmp_path: Path) -> None:
    files = dict(FILES)
    files["responses/Error.yaml"] = """\
description: an error
content:
  application/json:
    schema: {$ref: "../schemas/Error.yaml"}
    examples:
      shown: {value: {$ref: "../not/followed.yaml"}, summary: data}
      shared: {$ref: "../examples/shared.yaml"}
"""
    files["examples/shared.yaml"] = "value: {a: 1}\n"
    files["openapi.yaml"] = ENTRY + "    Alias: {$ref: '#/components/schemas/Local'}\n"
    data = load.load(str(write_tree(tmp_path / "api", files))).data
    media = data["paths"]["/pets"]["get"]["responses"]["default"]["content"]["application/json"]
    assert media["examples"]["shown"]["value"] == {"$ref": "../not/followed.yaml"}
    assert media["examples"]["shared"] == {"value": {"a": 1}}
    assert data["components"]["schemas"]["Alias"] == {"$ref": "#/components/schemas/Local"}


def test_a_referenced_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = dict(FILES)
    files["schemas/Error.yaml"] = "type: object\ndescription: " + "x" * 400 + "\n"
    entry = write_tree(tmp_path / "api", files)
    raw = entry.read_bytes()
    monkeypatch.setattr(load, "MAX_BYTES", 300)
    with pytest.raises(Fatal) as refused:
        bundle.bundle(yaml.safe_load(raw), raw, str(entry))
    found = [(d.code, d.message) for d in refused.value.diagnostics]
    assert found == [("SDK001", "Error.yaml is over the limit of 300 bytes")]
