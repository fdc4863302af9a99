"""Unions and the OpenAPI 3.1 value keywords (issue 13, items 1, 5 and 6): `oneOf`/`anyOf` with
and without a discriminator, 3.1 type arrays, nullable unions, unions in arrays and maps,
`const`, boolean and integer enums, `prefixItems`, a `$ref` with siblings. Each through a
generated client against `httpx.MockTransport`, sync and async, lenient and strict, and the
generated package through `mypy --strict`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import generate_and_import, sdkgen, write_spec
from tests.support.checks import mypy_strict

BOTH = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
STRICT = pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _pet(tag: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["pet_type", "name"],
        "properties": {"pet_type": {"type": "string"}, "name": {"type": "string"}, **extra},
    }


SCHEMAS: dict[str, Any] = {
    # Cat comes first and fits every dog: only the discriminator tells them apart.
    "Cat": _pet("cat", indoor={"type": "boolean"}),
    "Dog": _pet("dog", bark={"type": "string"}),
    "Lizard": _pet("lizard"),
    "Pet": {
        "anyOf": [_ref("Cat"), _ref("Dog"), _ref("Lizard")],
        "discriminator": {
            "propertyName": "pet_type",
            "mapping": {"dog": "#/components/schemas/Dog", "kitty": "Cat"},
        },
    },
    "Circle": {
        "type": "object",
        "required": ["kind", "radius"],
        "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}},
    },
    "Square": {
        "type": "object",
        "required": ["kind", "side"],
        "properties": {"kind": {"type": "string", "enum": ["square"]}, "side": {"type": "number"}},
    },
    "Shape": {"oneOf": [_ref("Circle"), _ref("Square")]},
    "Holder": {
        "type": "object",
        "properties": {
            "either": {"type": ["string", "integer"]},
            "maybe": {"oneOf": [_ref("Circle"), _ref("Square"), {"type": "null"}]},
            "shapes": {"type": "array", "items": _ref("Shape")},
            "by_name": {"type": "object", "additionalProperties": _ref("Shape")},
            "expandable": {"anyOf": [{"type": "string"}, _ref("Cat")]},
            "mode": {"oneOf": [{"const": "auto"}, {"const": "manual"}]},
            "deleted": {"type": "boolean", "enum": [True]},
            "flag": {"enum": [True, False]},
            "level": {"type": "integer", "enum": [1, 2, 3]},
            "point": {
                "type": "array",
                "prefixItems": [{"type": "number"}, {"type": "number"}],
                "items": {"type": "string"},
            },
            "pair": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer"}],
                "items": False,
            },
            "described": {**_ref("Circle"), "description": "beside the $ref"},
            "nullable_ref": {**_ref("Circle"), "nullable": True},
        },
    },
}


def _op(op_id: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    return {
        "operationId": op_id,
        "tags": ["t"],
        "responses": {"200": {"description": "ok", "content": content}},
        **extra,
    }


def union_spec() -> dict[str, Any]:
    union_param = {
        "name": "size",
        "in": "query",
        "schema": {"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["big", "small"]}]},
    }
    body = {"required": True, "content": {"application/json": {"schema": _ref("Pet")}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Unions", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/pet": {
                "get": _op("get_pet", _ref("Pet"), parameters=[union_param]),
                "post": _op("put_pet", _ref("Pet"), requestBody=body),
            },
            "/shape": {"get": _op("get_shape", _ref("Shape"))},
            "/holder": {"get": _op("get_holder", _ref("Holder"))},
            "/value": {"get": _op("get_value", {"type": ["integer", "boolean", "null"]})},
        },
        "components": {"schemas": SCHEMAS},
    }


@pytest.fixture(scope="module")
def unions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(union_spec(), tmp_path_factory.mktemp("unions"), "unions")


def call(
    module: ModuleType,
    method: str,
    payload: Any,
    *,
    is_async: bool,
    strict: bool = False,
    **kwargs: Any,
) -> tuple[Any, list[httpx.Request]]:
    """`client.t.<method>(**kwargs)` answered with `payload` as JSON: (result, requests)."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=payload)

    options = {"transport": httpx.MockTransport(answer), "strict": strict, "max_retries": 0}
    if is_async:

        async def go() -> Any:
            async with module.AsyncClient(**options) as client:
                return await getattr(client.t, method)(**kwargs)

        return asyncio.run(go()), sent
    with module.Client(**options) as client:
        return getattr(client.t, method)(**kwargs), sent


# --- discriminators -----------------------------------------------------------------------------


@BOTH
@STRICT
def test_the_discriminator_picks_the_variant_the_structure_cannot(
    unions: ModuleType, is_async: bool, strict: bool
) -> None:
    """`{"pet_type": "dog", "name": "x"}` fits Cat (first, anyOf) as well as Dog; the mapping
    says Dog. Peers that try variants in order decode it as Cat."""
    models = unions.models
    assert unions._runtime.ModelOf(models.Cat).fits({"pet_type": "dog", "name": "x"})  # a trap
    dog, _ = call(
        unions, "get_pet", {"pet_type": "dog", "name": "x"}, is_async=is_async, strict=strict
    )
    assert type(dog) is models.Dog
    assert (dog.pet_type, dog.name) == ("dog", "x")


@BOTH
def test_explicit_mapping_by_name_and_implicit_mapping(unions: ModuleType, is_async: bool) -> None:
    models = unions.models
    kitty, _ = call(unions, "get_pet", {"pet_type": "kitty", "name": "k"}, is_async=is_async)
    assert type(kitty) is models.Cat  # explicit: `kitty: Cat` (a bare schema name)
    lizard, _ = call(unions, "get_pet", {"pet_type": "Lizard", "name": "l"}, is_async=is_async)
    assert type(lizard) is models.Lizard  # implicit: the schema name
    # an explicit mapping replaces the schema's implicit name (OpenAPI 3.0.3, discriminator)
    for name in ("Cat", "Dog"):
        kept, _ = call(unions, "get_pet", {"pet_type": name, "name": "d"}, is_async=is_async)
        assert type(kept) is dict


@BOTH
def test_an_unknown_discriminator_value_is_kept_or_refused(
    unions: ModuleType, is_async: bool
) -> None:
    payload = {"pet_type": "parrot", "name": "p"}
    kept, _ = call(unions, "get_pet", payload, is_async=is_async)
    assert kept == payload
    with pytest.raises(unions.ResponseValidationError) as caught:
        call(unions, "get_pet", payload, is_async=is_async, strict=True)
    assert "pet_type 'parrot' names no variant (known: Lizard, dog, kitty)" in str(caught.value)


# --- the structural rule ------------------------------------------------------------------------


@BOTH
@STRICT
def test_structural_rule_uses_const_and_enum_values(
    unions: ModuleType, is_async: bool, strict: bool
) -> None:
    models = unions.models
    circle, _ = call(
        unions, "get_shape", {"kind": "circle", "radius": 2}, is_async=is_async, strict=strict
    )
    square, _ = call(
        unions, "get_shape", {"kind": "square", "side": 3.5}, is_async=is_async, strict=strict
    )
    assert type(circle) is models.Circle and circle.radius == 2
    assert type(square) is models.Square and square.side == 3.5


@BOTH
def test_no_variant_fits_lenient_keeps_the_value_strict_names_candidates_and_path(
    unions: ModuleType, is_async: bool
) -> None:
    payload = {"kind": "triangle", "side": 1}
    kept, _ = call(unions, "get_shape", payload, is_async=is_async)
    assert kept == payload
    with pytest.raises(unions.ResponseValidationError) as caught:
        call(unions, "get_shape", payload, is_async=is_async, strict=True)
    assert caught.value.path == "$"
    assert "object fits no variant (Circle | Square)" in str(caught.value)


def test_a_oneof_value_fitting_two_variants_is_ambiguous(unions: ModuleType) -> None:
    """Both Circle and Square would take an object with both shapes' properties: oneOf says
    exactly one, so no variant is chosen (kept lenient, refused strict with both names)."""
    payload = {"holder_shapes": 1}
    holder_payload = {"shapes": [{"kind": "circle", "radius": 1}, payload]}
    holder, _ = call(unions, "get_holder", holder_payload, is_async=False)
    assert type(holder.shapes[0]) is unions.models.Circle
    assert holder.shapes[1] == payload
    conv = unions.models.Holder._fields[2].conv.item
    ambiguous = unions._runtime.OneOf(conv.variants + conv.variants[:1], exclusive=True)
    with pytest.raises(unions.ResponseValidationError, match=r"more than one variant \(Circle"):
        ambiguous.load({"kind": "circle", "radius": 1}, "$.x", True)


@BOTH
@STRICT
def test_unions_in_arrays_maps_nullable_and_with_primitives(
    unions: ModuleType, is_async: bool, strict: bool
) -> None:
    models = unions.models
    payload = {
        "either": 7,
        "maybe": None,
        "shapes": [{"kind": "square", "side": 1}, {"kind": "circle", "radius": 1}],
        "by_name": {"a": {"kind": "circle", "radius": 4}},
        "expandable": {"pet_type": "cat", "name": "c"},
    }
    holder, _ = call(unions, "get_holder", payload, is_async=is_async, strict=strict)
    assert holder.either == 7 and holder.maybe is None
    assert [type(s) for s in holder.shapes] == [models.Square, models.Circle]
    assert type(holder.by_name["a"]) is models.Circle
    assert type(holder.expandable) is models.Cat
    plain, _ = call(unions, "get_holder", {"expandable": "cat_123", "either": "x"}, is_async=False)
    assert plain.expandable == "cat_123" and plain.either == "x"
    assert holder.to_dict() == payload  # round trip: every variant dumps back to its JSON


@BOTH
def test_a_type_array_with_null_at_the_top(unions: ModuleType, is_async: bool) -> None:
    for value in (3, True, None):
        got, _ = call(unions, "get_value", value, is_async=is_async, strict=True)
        assert got is value
    with pytest.raises(unions.ResponseValidationError, match="string fits no variant"):
        call(unions, "get_value", "3", is_async=is_async, strict=True)


# --- encoding -----------------------------------------------------------------------------------


@BOTH
def test_any_variant_is_encoded_in_bodies_and_parameters(
    unions: ModuleType, is_async: bool
) -> None:
    models = unions.models
    dog = models.Dog(pet_type="dog", name="rex", bark="woof")
    _, sent = call(
        unions, "put_pet", {"pet_type": "dog", "name": "rex"}, is_async=is_async, body=dog
    )
    assert json.loads(sent[0].content) == {"pet_type": "dog", "name": "rex", "bark": "woof"}
    _, sent = call(unions, "put_pet", {}, is_async=is_async, body={"pet_type": "x", "name": "y"})
    assert json.loads(sent[0].content) == {"pet_type": "x", "name": "y"}
    for size, wire in ((3, "size=3"), ("big", "size=big")):
        _, sent = call(unions, "get_pet", {}, is_async=is_async, size=size)
        assert sent[0].url.query.decode() == wire


# --- 3.1 keywords and enums ---------------------------------------------------------------------


@BOTH
@STRICT
def test_const_literals_boolean_and_integer_enums_and_tuples(
    unions: ModuleType, is_async: bool, strict: bool
) -> None:
    payload = {
        "mode": "manual",
        "deleted": True,
        "flag": False,
        "level": 2,
        "point": [1.5, 2, "label", "more"],
        "pair": ["a", 1],
    }
    holder, _ = call(unions, "get_holder", payload, is_async=is_async, strict=strict)
    assert holder.mode == "manual" and holder.deleted is True and holder.flag is False
    assert holder.level is unions.models.HolderLevel(2)
    assert holder.point == (1.5, 2, "label", "more")  # `items` reads the rest: strict accepts it
    assert holder.pair == ("a", 1)
    assert holder.to_dict() == payload


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mode", "other", "expected 'auto' or 'manual', got string"),
        ("deleted", False, "expected True, got boolean"),
        ("deleted", 1, "expected True, got integer"),
        ("pair", ["a", 1, 2], "expected at most 2 items, got 3"),
        ("point", [1, 2, 3], "expected string, got integer"),
    ],
)
def test_strict_refuses_values_outside_literals_and_tuples(
    unions: ModuleType, field: str, value: Any, message: str
) -> None:
    with pytest.raises(unions.ResponseValidationError, match=message):
        call(unions, "get_holder", {field: value}, is_async=False, strict=True)
    lenient, _ = call(unions, "get_holder", {field: value}, is_async=False)
    assert getattr(lenient, field) == (tuple(value) if isinstance(value, list) else value)


def test_annotations_of_the_generated_models(unions: ModuleType) -> None:
    hints = {
        name: str(annotation) for name, annotation in unions.models.Holder.__annotations__.items()
    }
    assert hints["either"] == "str | int | Unset"
    assert hints["maybe"] == "Circle | Square | None | Unset"
    assert hints["shapes"] == "list[Circle | Square] | Unset"
    assert hints["by_name"] == "dict[str, Circle | Square] | Unset"
    assert hints["expandable"] == "str | Cat | Unset"
    assert hints["mode"] == "Literal['auto', 'manual'] | Unset"
    assert hints["deleted"] == "Literal[True] | Unset"
    assert hints["flag"] == "bool | Unset"
    assert hints["level"] == "HolderLevel | int | Unset"
    assert hints["point"] == "tuple[float | str, ...] | Unset"
    assert hints["pair"] == "tuple[str, int] | Unset"
    assert hints["described"] == "Circle | Unset"
    assert hints["nullable_ref"] == "Circle | None | Unset"  # 3.1 honours a $ref's siblings


def test_the_generated_package_passes_mypy_strict_and_black(tmp_path: Path) -> None:
    from tests.test_black import assert_black_agrees

    spec = write_spec(tmp_path, union_spec())
    result = sdkgen("generate", str(spec), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    checked = mypy_strict([tmp_path / "out" / "unions"])
    assert checked.returncode == 0, checked.output
    assert_black_agrees(tmp_path / "out")


def test_unions_carry_no_sdk201(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, union_spec())
    result = sdkgen("generate", str(spec), "-o", str(tmp_path / "out"), "-v", "--format", "json")
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert "SDK201" not in codes and "SDK206" not in codes


KEYWORDS_31 = """\
openapi: 3.1.0
info: {title: KW, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /things:
    get:
      operationId: getThing
      parameters:
        - name: n
          in: query
          schema: {type: integer, exclusiveMinimum: 0, exclusiveMaximum: 100, examples: [1, 2]}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
        "400": {description: bad}
webhooks:
  thing-changed:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
      responses:
        "200": {description: ok}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      examples: [{id: "a"}]
      properties:
        id: {type: string, examples: ["a", "b"]}
        blob: {type: string, contentMediaType: image/png, contentEncoding: base64}
        ratio: {type: number, exclusiveMinimum: 0}
"""


def test_other_31_keywords_validate_lint_and_generate(tmp_path: Path) -> None:
    """Numeric `exclusiveMinimum`/`exclusiveMaximum`, `examples` arrays, `contentMediaType` with
    `contentEncoding` (the encoded text: `str`) and `webhooks` (a note, SDK226)."""
    spec = tmp_path / "kw.yaml"
    spec.write_text(KEYWORDS_31, encoding="utf-8")
    for command in ("validate", "lint"):
        result = sdkgen(command, str(spec), "--format", "json")
        assert result.exit_code == 0, result.output
        problems = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] != "info"]
        assert problems == []
    result = sdkgen("generate", str(spec), "-o", str(tmp_path / "out"), "--format", "json")
    assert result.exit_code == 0, result.output
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert codes == ["SDK226"]  # the webhook is noted, and nothing is untyped
    models = (tmp_path / "out" / "kw" / "models.py").read_text(encoding="utf-8")
    assert "blob: str | Unset = UNSET" in models
    assert "ratio: float | Unset = UNSET" in models
    client = (tmp_path / "out" / "kw" / "_client.py").read_text(encoding="utf-8")
    assert "n: int | Unset = UNSET" in client


def test_hostile_literal_text_stays_one_member_of_its_union() -> None:
    """Spec text in a `Literal` may hold ` | `, brackets, quotes and backslashes: deduplicating
    union members must not split it (SECURITY: it is untrusted input that becomes code)."""
    from generator import ir
    from generator.typetext import annotation

    hostile = ("a] | [b", "it's | \\", '"""; import os #')
    union = ir.UnionType(
        (ir.LiteralType(hostile), ir.StrType(), ir.LiteralType(("x",)), ir.StrType()), None, True
    )
    text = annotation(union)
    assert text == f"Literal[{', '.join(repr(h) for h in hostile)}] | str | Literal['x']"
    compile(f"x: {text}", "<annotation>", "exec")
