"""Differential tests of `locate` (issue 15): on mutated copies of real documents, what
`sdkgen validate` reports (the validator on the part `locate` keeps) equals what
openapi-spec-validator finds on the whole document (located and ordered the same way), and
every pointer resolves in the document.

Mutations: wrong types and bounds, defaults that break their schema, duplicate enum values,
missing required fields, 3.1-only keywords in a 3.0 document, duplicate operationIds and
`required` lists naming nothing; in 3.0 and, read as 3.1, the same documents (`locate` then
models the 3.1 walk: the 3.1 schema, the OAS 3.1 dialect, boolean schemas, defaults without
`nullable`). The default suite mutates the two small public specs and a document of its own;
`python -m tests.test_locate` runs the large ones (minutes: the validator on a whole large
document is what `locate` avoids).
"""

from __future__ import annotations

import copy
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator import locate, validate
from generator.cli import main
from generator.diagnostics import Diagnostic, pointer
from tests.test_golden import GOLDEN
from tests.test_public_specs import PUBLIC, REDOCLY_CAFE, public_spec
from tests.test_real_documents import resolves

Json = Any


def schemas(doc: Json) -> list[dict[str, Json]]:
    """Every schema object under components/schemas (nested ones included), in document order."""
    found: list[dict[str, Json]] = []
    stack = list(reversed(list(doc.get("components", {}).get("schemas", {}).values())))
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and "$ref" not in node:
            found.append(node)
            inner = list(node.get("properties", {}).values()) if "properties" in node else []
            inner += [node[k] for k in ("items", "not") if isinstance(node.get(k), dict)]
            stack.extend(reversed(inner))
    return found


def operations(doc: Json) -> list[dict[str, Json]]:
    return [
        op
        for item in doc.get("paths", {}).values()
        for method, op in item.items()
        if method in ("get", "put", "post", "delete", "patch") and isinstance(op, dict)
    ]


def wrong_type(doc: Json, rng: random.Random) -> None:
    schema = rng.choice(schemas(doc))
    schema[rng.choice(["type", "minLength", "maxItems", "nullable"])] = rng.choice([7, -1, "x"])


def bad_default(doc: Json, rng: random.Random) -> None:
    schema = rng.choice(schemas(doc))
    schema["default"] = rng.choice([None, [], {"a": 1}, "text", 3.5, True])


def duplicate_enum(doc: Json, rng: random.Random) -> None:
    for schema in rng.sample(schemas(doc), 3):
        schema["enum"] = ["a", "b", "a"]


def missing_required(doc: Json, rng: random.Random) -> None:
    operation = rng.choice(operations(doc))
    if rng.random() < 0.5:
        operation.pop("responses", None)
    else:
        operation.setdefault("parameters", []).append({"name": "q"})  # no `in`


def keyword_of_3_1(doc: Json, rng: random.Random) -> None:
    schema = rng.choice(schemas(doc))
    schema.update(rng.choice([{"type": ["string", "null"]}, {"const": 1}, {"examples": [1]}]))


def duplicate_operation_id(doc: Json, rng: random.Random) -> None:
    first, second = rng.sample(operations(doc), 2)
    second["operationId"] = first.setdefault("operationId", "sameId")


def required_names_nothing(doc: Json, rng: random.Random) -> None:
    names = sorted(doc["components"]["schemas"])
    target = rng.choice(names)
    doc["components"]["schemas"]["Zz" + target] = {
        "allOf": [{"$ref": f"#/components/schemas/{target}"}],
        "required": ["no_such_a", "no_such_b", "no_such_c"],
    }


MUTATIONS: list[Callable[[Json, random.Random], None]] = [
    wrong_type,
    bad_default,
    duplicate_enum,
    missing_required,
    keyword_of_3_1,
    duplicate_operation_id,
    required_names_nothing,
]


def mutated(doc: Json, seed: int) -> Json:
    rng = random.Random(seed)
    result = copy.deepcopy(doc)
    for mutation in rng.sample(MUTATIONS, 4):
        mutation(result, rng)
    return result


def whole(doc: Json) -> list[Diagnostic]:
    """The validator (pure Python) on the whole document, located and ordered as sdkgen
    reports."""
    return validate.ordered(validate._iter_errors(doc, str(doc["openapi"]), fast=False))


def reported(doc: Json, tmp_path: Path) -> list[dict[str, str]]:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(spec), "--format", "json"])
    assert "Traceback" not in result.output
    found: list[dict[str, str]] = json.loads(result.stdout)["diagnostics"]
    return [d for d in found if d["code"] in ("SDK012", "SDK013")]


def check(doc: Json, tmp_path: Path) -> int:
    expected = [(d.code, d.pointer, d.message) for d in whole(doc)]
    found = [(d["code"], d["pointer"], d["message"]) for d in reported(doc, tmp_path)]
    assert found == expected
    assert all(resolves(doc, pointer) for _, pointer, _ in found if pointer != "#")
    assert locate.reduced(doc) is not None  # the fast route was taken
    return len(found)


OWN = GOLDEN / "edge_cases" / "spec.yaml"


def own_document() -> Json:
    import yaml

    return yaml.safe_load(OWN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
@pytest.mark.parametrize("seed", range(4))
def test_mutated_own_document(version: str, seed: int, tmp_path: Path) -> None:
    assert check(mutated({**own_document(), "openapi": version}, seed), tmp_path) > 0


@pytest.mark.parametrize("version", ["3.0", "3.1.0"])
@pytest.mark.parametrize("name", ["box-openapi-v2025.0.json", "twilio_conversations_v1.json"])
@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_public_spec(version: str, name: str, seed: int, tmp_path: Path) -> None:
    """3.1: the same documents read as 3.1 (`nullable` is then an error too), where jsonschema-rs
    vouches for what it finds valid and the validator checks the rest."""
    doc = json.loads(public_spec(name).read_text(encoding="utf-8"))
    if version != "3.0":
        doc["openapi"] = version
    found = check(mutated(doc, seed), tmp_path)
    assert found > 0 or version != "3.0"  # 3.1 allows some of the mutations


@pytest.mark.parametrize("seed", range(4))
def test_mutated_redocly_cafe(seed: int, tmp_path: Path) -> None:
    """OpenAPI 3.1 split over files (bundled as `sdkgen` reads it): webhooks, examples, `const`,
    `type` lists. The CLI reads the bundled copy written out as one file."""
    from generator import load

    doc = load.load(str(public_spec(REDOCLY_CAFE))).data
    assert doc["openapi"].startswith("3.1")
    assert check(mutated(doc, seed), tmp_path) > 0


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_generated_documents(version: str, tmp_path: Path) -> None:
    """The benchmark's documents (small ones: the validator on the whole is the slow part)."""
    from tests.benchmarks.validation import document

    doc = document(0.05, version, invalid=True)
    assert check(doc, tmp_path) == (5 if version == "3.0" else 3)
    assert check(mutated(doc, 7), tmp_path) > 0


def test_a_3_1_property_named_like_a_keyword_keeps_the_fast_route(tmp_path: Path) -> None:
    """`$id` as a property name (Box's API has one) is no keyword: `locate` still models it."""
    doc = {**own_document(), "openapi": "3.1.0"}
    schema = schemas(doc)[0]
    schema.setdefault("properties", {})["$id"] = {"type": "string", "minLength": -1}
    assert check(doc, tmp_path) == 1


def test_the_validator_sees_only_the_suspect_part() -> None:
    doc = json.loads(public_spec("twilio_conversations_v1.json").read_text(encoding="utf-8"))
    doc["components"]["schemas"][sorted(doc["components"]["schemas"])[0]]["minLength"] = -1
    part = locate.reduced(doc)
    assert part is not None
    assert len(part["paths"]) == 0
    assert len(part["components"]["schemas"]) < len(doc["components"]["schemas"]) / 10


def test_a_3_1_document_with_a_json_schema_dialect_goes_to_the_validator_whole() -> None:
    """Each schema is then checked against that dialect, which `quickcheck` does not model."""
    doc = {**own_document(), "openapi": "3.1.0"}
    assert locate.reduced(doc) is not None
    dialect = "https://json-schema.org/draft/2020-12/schema"
    assert locate.reduced({**doc, "jsonSchemaDialect": dialect}) is None


def sweep(names: list[str], seeds: int) -> Iterator[str]:
    """The large public specs, mutated: the findings and both times."""
    for name in names:
        doc = json.loads((PUBLIC / name).read_text(encoding="utf-8"))
        for seed in range(seeds):
            bad = mutated(doc, seed)
            started = time.perf_counter()
            expected = whole(bad)
            slow = time.perf_counter() - started
            started = time.perf_counter()
            part = locate.reduced(bad)
            found = validate.ordered(validate._iter_errors(part or bad, str(bad["openapi"])))
            fast = time.perf_counter() - started
            same = "same" if found == expected else "DIFFERENT"
            yield f"{name} seed {seed}: {len(found)} findings, {same}; {slow:.1f} s -> {fast:.1f} s"


if __name__ == "__main__":
    large = ["box-openapi.json", "stripe-spec3-2022-04.json", "github-api.github.com-2022-06.json"]
    for line in sweep(sys.argv[1:] or large, seeds=2):
        print(line, flush=True)


def test_path_level_findings_are_found() -> None:
    """What only the walk of a path item's own `parameters` finds: a duplicate (not an identical
    one, which the OpenAPI schema's `uniqueItems` finds too)."""
    doc = own_document()
    item = next(iter(doc["paths"].values()))
    query = {"name": "dup", "in": "query", "schema": {"type": "string"}}
    item["parameters"] = [query, {**query, "schema": {"type": "integer"}}]
    part = locate.reduced(doc)
    assert part is not None
    assert list(part["paths"]) == [next(iter(doc["paths"]))]
    expected = [(d.pointer, d.message) for d in whole(doc)]
    found = validate.ordered(validate._iter_errors(part, str(doc["openapi"])))
    assert [(d.pointer, d.message) for d in found] == expected
    assert expected == [
        (pointer("paths", next(iter(doc["paths"])), "parameters"), "Duplicate parameter 'dup'")
    ]
