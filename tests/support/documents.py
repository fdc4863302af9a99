"""Documents too big or too deep to keep in tests/hostile/, built on demand (by the hostile
tests and by `tests/sweep.py --big`), and the ordinary document they grow from."""

from __future__ import annotations

import json

GOOD_SPEC = """\
openapi: 3.0.3
info: {title: Good, version: "1.0"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Pet"}}
        default: {description: error}
components:
  schemas:
    Pet: {type: object, required: [name], properties: {name: {type: string}}}
"""


def nested_properties(levels: int) -> str:
    """A document whose response schema nests `levels` objects, as JSON text (built as text:
    `json.dumps` itself cannot write 10,000 levels)."""
    head = "".join(f'{{"type": "object", "properties": {{"p{i}": ' for i in range(levels))
    schema = head + '{"type": "string"}' + "}}" * levels
    return (
        '{"openapi": "3.0.3", "info": {"title": "Deep", "version": "1"}, '
        '"servers": [{"url": "https://api.example.com"}], '
        '"paths": {"/a": {"get": {"operationId": "getA", "responses": '
        '{"default": {"description": "error"}, '
        '"200": {"description": "ok", "content": {"application/json": {"schema": '
        + schema
        + "}}}}}}}}"
    )


def alias_bomb(where: str) -> str:
    """A "billion laughs" YAML document: nine levels of ten aliases, 10**9 strings expanded."""
    anchors = ["&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    anchors += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    if where == "extension":
        bomb = "".join(f"x-lol{i}: {a}\n" for i, a in enumerate(anchors))
        return GOOD_SPEC + bomb + "x-bomb: *l8\n"
    items = "".join(f"                - {a}\n" for a in anchors)
    return GOOD_SPEC.replace(
        '            application/json: {schema: {$ref: "#/components/schemas/Pet"}}\n',
        '            application/json:\n              schema: {$ref: "#/components/schemas/Pet"}\n'
        "              example:\n" + items,
    )


def big_document(megabytes: float) -> str:
    """An OpenAPI document of about `megabytes` MB: 50 operations, each with a model, their
    descriptions long enough to reach the size, plus 200 unused component schemas."""
    operations = 50
    chunk = int(megabytes * 1024 * 1024) // (operations * 2)
    text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * (chunk // 57 + 1))[:chunk]
    paths = {}
    schemas: dict[str, object] = {}
    for i in range(operations):
        paths[f"/items{i}/{{id}}"] = {
            "get": {
                "operationId": f"getItem{i}",
                "description": text,
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/M{i}"}}
                        },
                    },
                    "default": {"description": "error"},
                },
            }
        }
        schemas[f"M{i}"] = {
            "type": "object",
            "description": text,
            "required": ["a"],
            "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        }
    for i in range(200):
        schemas[f"Unused{i}"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Big", "version": "1.0.0"},
        "servers": [{"url": "https://big.example.com"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
    return json.dumps(doc)
