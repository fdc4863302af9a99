"""IR tests for generator/build.py on small inline specs (never the Leonardo spec).

Each test builds a few lines of OpenAPI and asserts on the returned `ir.Api` and diagnostics.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
import yaml

from generator import ir
from generator.build import build
from generator.diagnostics import Diagnostic, Fatal, Severity

Doc = dict[str, Any]
RESPONSE_SCHEMA = "#/paths/~1things/get/responses/200/content/application~1json/schema"
JSON_POINTER = re.compile(r"^#(/([^~/]|~[01])*)*$")


# --- helpers ----------------------------------------------------------------------------------


def ok(schema: Any = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


def spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None, **extra: Any) -> Doc:
    doc: Doc = {"openapi": "3.0.3", "info": {"title": "Test", "version": "1.0"}, "paths": paths}
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    doc.update(extra)
    return doc


def returning(schema: Any, schemas: dict[str, Any] | None = None, **extra: Any) -> Doc:
    """A document with one operation `GET /things` (operationId getThing) returning `schema`."""
    return spec(
        {"/things": {"get": {"operationId": "getThing", "responses": {"200": ok(schema)}}}},
        schemas,
        **extra,
    )


def run(doc: Doc, **kwargs: Any) -> tuple[ir.Api, list[Diagnostic]]:
    """Build `doc`, checking the IR invariants every test relies on."""
    api, diagnostics = build(doc, package_name="pkg", env_prefix="PKG", **kwargs)
    for d in diagnostics:
        assert JSON_POINTER.match(d.pointer), d
    assert_refs_resolved(api)
    return api, diagnostics


def referenced(t: ir.TypeRef) -> list[ir.ModelRef | ir.EnumRef]:
    match t:
        case ir.ListType(item=inner) | ir.MapType(value=inner) | ir.NullableType(inner=inner):
            return referenced(inner)
        case ir.ModelRef() | ir.EnumRef():
            return [t]
    return []


def assert_refs_resolved(api: ir.Api) -> None:
    """Every ModelRef/EnumRef names a Model/Enum of `api` (ir.py's invariant)."""
    types: list[ir.TypeRef] = [f.type for m in api.models for f in m.fields]
    for op in (op for g in api.groups for op in g.operations):
        types += [p.type for p in op.params] + [op.response.type]
        if isinstance(op.body, ir.JsonBody | ir.FormBody):
            types += [f.type for f in op.body.fields]
        elif op.body is not None and op.body.type is not None:
            types.append(op.body.type)
    models, enums = {m.name for m in api.models}, {e.name for e in api.enums}
    for ref in (r for t in types for r in referenced(t)):
        assert ref.name in (models if isinstance(ref, ir.ModelRef) else enums), ref


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]


def model(api: ir.Api, name: str) -> ir.Model:
    by_name = {m.name: m for m in api.models}
    assert name in by_name, sorted(by_name)
    return by_name[name]


def enum(api: ir.Api, name: str) -> ir.Enum:
    by_name = {e.name: e for e in api.enums}
    assert name in by_name, sorted(by_name)
    return by_name[name]


def field(m: ir.Model, wire: str) -> ir.Field:
    return next(f for f in m.fields if f.wire_name == wire)


def operations(api: ir.Api) -> dict[str, ir.Operation]:
    return {op.py_name: op for group in api.groups for op in group.operations}


def single_op(api: ir.Api) -> ir.Operation:
    ops = list(operations(api).values())
    assert len(ops) == 1, ops
    return ops[0]


def response_type(schema: Any, schemas: dict[str, Any] | None = None) -> ir.TypeRef:
    api, _ = run(returning(schema, schemas))
    return single_op(api).response.type


PET = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
}


# --- models -----------------------------------------------------------------------------------


def test_component_object_becomes_pascal_case_model() -> None:
    api, _ = run(returning({"$ref": "#/components/schemas/pet_record"}, {"pet_record": PET}))
    pet = model(api, "PetRecord")
    assert pet.pointer == "#/components/schemas/pet_record"
    assert [(f.py_name, f.wire_name, f.required) for f in pet.fields] == [
        ("name", "name", True),
        ("age", "age", False),
    ]
    assert field(pet, "name").type == ir.StrType()
    assert field(pet, "age").type == ir.IntType()
    assert single_op(api).response.type == ir.ModelRef("PetRecord")


def test_field_names_are_snake_case_and_reserved_words_escaped() -> None:
    schema = {
        "type": "object",
        "properties": {
            "petName": {"type": "string"},
            "class": {"type": "string"},
            "str": {"type": "string"},
            "to_dict": {"type": "string"},
            "pet-name": {"type": "string"},
        },
    }
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, {"Pet": schema}))
    assert [f.py_name for f in model(api, "Pet").fields] == [
        "pet_name",
        "class_",
        "str_",
        "to_dict_",
        "pet_name_2",
    ]


def test_reserved_component_names_are_escaped() -> None:
    props = {"value": {"type": "string"}}
    schemas = {k: {"type": "object", "properties": props} for k in ("None", "Model", "Client")}
    top = {
        "type": "object",
        "properties": {k.lower(): {"$ref": f"#/components/schemas/{k}"} for k in schemas},
    }
    api, _ = run(returning(top, schemas))
    names = {m.name for m in api.models}
    assert {"None_", "Model_", "Client2"} <= names
    for name in names:
        assert name.isidentifier()


def test_inline_object_named_by_unique_title() -> None:
    schema = {
        "type": "object",
        "properties": {
            "owner": {
                "type": "object",
                "title": "person info",
                "properties": {"n": {"type": "string"}},
            }
        },
    }
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, {"Pet": schema}))
    assert field(model(api, "Pet"), "owner").type == ir.ModelRef("PersonInfo")
    assert model(api, "PersonInfo").pointer == "#/components/schemas/Pet/properties/owner"


def test_inline_objects_sharing_a_title_get_context_names() -> None:
    shared = {"type": "object", "title": "Shared"}
    schema = {
        "type": "object",
        "properties": {
            "first": {**shared, "properties": {"x": {"type": "string"}}},
            "second": {**shared, "properties": {"y": {"type": "string"}}},
        },
    }
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, {"Pet": schema}))
    pet = model(api, "Pet")
    assert field(pet, "first").type == ir.ModelRef("First")
    assert field(pet, "second").type == ir.ModelRef("Second")
    assert "Shared" not in {m.name for m in api.models}


def test_inline_object_without_title_named_by_property() -> None:
    schema = {
        "type": "object",
        "properties": {
            "sdUpscaleJob": {"type": "object", "properties": {"id": {"type": "string"}}}
        },
    }
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, {"Pet": schema}))
    assert field(model(api, "Pet"), "sdUpscaleJob").type == ir.ModelRef("SdUpscaleJob")


def test_inline_response_object_named_from_operation() -> None:
    assert response_type(PET) == ir.ModelRef("GetThingResponse")


def test_inline_enum_named_parent_plus_property() -> None:
    schema = {
        "type": "object",
        "properties": {"status": {"type": "string", "enum": ["PENDING", "COMPLETE", "FAILED"]}},
    }
    api, _ = run(returning({"$ref": "#/components/schemas/Job"}, {"Job": schema}))
    assert field(model(api, "Job"), "status").type == ir.EnumRef("JobStatus")
    status = enum(api, "JobStatus")
    assert status.value_type == "str"
    assert status.pointer == "#/components/schemas/Job/properties/status"


def test_enum_member_names() -> None:
    values = ["2D ART & ILLUSTRATION", "CG ART & GAME ASSETS", "class", "a-b", "a b", "", "404"]
    api, _ = run(
        returning(
            {"$ref": "#/components/schemas/Style"}, {"Style": {"type": "string", "enum": values}}
        )
    )
    style = enum(api, "Style")
    assert [(m.py_name, m.value) for m in style.members] == [
        ("ART_AND_ILLUSTRATION_2D", "2D ART & ILLUSTRATION"),
        ("CG_ART_AND_GAME_ASSETS", "CG ART & GAME ASSETS"),
        ("CLASS", "class"),
        ("A_B", "a-b"),
        ("A_B_2", "a b"),
        ("VALUE", ""),
        ("VALUE_404", "404"),
    ]


def test_integer_enum() -> None:
    api, _ = run(
        returning(
            {"$ref": "#/components/schemas/Level"},
            {"Level": {"type": "integer", "enum": [1, 2, 404]}},
        )
    )
    level = enum(api, "Level")
    assert level.value_type == "int"
    assert [(m.py_name, m.value) for m in level.members] == [
        ("VALUE_1", 1),
        ("VALUE_2", 2),
        ("VALUE_404", 404),
    ]


def test_enum_with_null_is_nullable() -> None:
    schema = {"type": "string", "nullable": True, "enum": ["a", None]}
    assert response_type({"$ref": "#/components/schemas/E"}, {"E": schema}) == ir.NullableType(
        ir.EnumRef("E")
    )


def test_inline_mixed_enum_is_a_literal() -> None:
    api, diagnostics = run(returning({"enum": ["a", 1, True]}))
    assert single_op(api).response.type == ir.LiteralType(("a", 1, True))
    assert not [d for d in diagnostics if d.code in {"SDK201", "SDK206"}]


@pytest.mark.parametrize(
    ("enum", "expected"),
    [
        ([True], ir.LiteralType((True,))),
        ([True, False, None], ir.NullableType(ir.BoolType())),
        ([1, 2.5], ir.FloatType()),
    ],
)
def test_boolean_and_number_enums(enum: list[Any], expected: ir.TypeRef) -> None:
    assert response_type({"enum": enum}) == expected


def test_component_enum_of_objects_is_any_with_warning() -> None:
    api, diagnostics = run(
        returning({"$ref": "#/components/schemas/E"}, {"E": {"enum": [{"a": 1}, "b"]}})
    )
    assert single_op(api).response.type == ir.AnyType()
    sdk206 = only(diagnostics, "SDK206")
    assert sdk206.severity is Severity.WARNING
    assert sdk206.pointer == "#/components/schemas/E/enum"
    assert sdk206.message == "enum values include an array or an object; typed as Any"


# --- types ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, ir.StrType()),
        ({"type": "string", "format": "date-time"}, ir.StrType("date-time")),
        ({"type": "integer"}, ir.IntType()),
        ({"type": "number"}, ir.FloatType()),
        ({"type": "boolean"}, ir.BoolType()),
        ({"type": "array", "items": {"type": "string"}}, ir.ListType(ir.StrType())),
        ({}, ir.AnyType()),
        ({"type": "object"}, ir.MapType(ir.AnyType())),
    ],
)
def test_plain_types(schema: dict[str, Any], expected: ir.TypeRef) -> None:
    assert response_type(schema) == expected


def test_nullable_becomes_nullable_type() -> None:
    assert response_type({"type": "string", "nullable": True}) == ir.NullableType(ir.StrType())


def test_nullable_component_ref_is_nullable() -> None:
    schemas = {"Maybe": {**PET, "nullable": True}}
    assert response_type({"$ref": "#/components/schemas/Maybe"}, schemas) == ir.NullableType(
        ir.ModelRef("Maybe")
    )


def test_all_of_single_ref_with_nullable_false_is_not_nullable() -> None:
    schemas = {"Maybe": {**PET, "nullable": True}}
    schema = {"allOf": [{"$ref": "#/components/schemas/Maybe"}], "nullable": False}
    assert response_type(schema, schemas) == ir.ModelRef("Maybe")


def test_all_of_single_ref_keeps_target_nullability() -> None:
    schemas = {"Maybe": {**PET, "nullable": True}}
    schema = {"allOf": [{"$ref": "#/components/schemas/Maybe"}]}
    assert response_type(schema, schemas) == ir.NullableType(ir.ModelRef("Maybe"))


def test_all_of_single_ref_with_nullable_true_is_nullable() -> None:
    schema = {"allOf": [{"$ref": "#/components/schemas/Pet"}], "nullable": True}
    assert response_type(schema, {"Pet": PET}) == ir.NullableType(ir.ModelRef("Pet"))


def test_all_of_several_parts_merges_fields() -> None:
    schemas = {
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
        "Pet": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}},
                },
            ]
        },
    }
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, schemas))
    pet = model(api, "Pet")
    assert [(f.py_name, f.type, f.required) for f in pet.fields] == [
        ("id", ir.IntType(), True),
        ("name", ir.StrType(), True),
    ]


def test_all_of_later_part_replaces_property() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"id": {"type": "integer"}}},
            {"type": "object", "properties": {"id": {"type": "string"}}},
        ]
    }
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, {"Pet": schema}))
    assert [(f.wire_name, f.type) for f in model(api, "Pet").fields] == [("id", ir.StrType())]


@pytest.mark.parametrize("key", ["oneOf", "anyOf"])
def test_one_of_a_type_and_null_is_nullable(key: str) -> None:
    schema = {key: [{"type": "string"}, {"type": "null"}]}
    assert response_type(schema) == ir.NullableType(ir.StrType())


def test_one_of_single_variant_is_that_type() -> None:
    assert response_type({"oneOf": [{"type": "integer"}]}) == ir.IntType()


def test_real_union_is_a_union_type() -> None:
    api, diagnostics = run(returning({"oneOf": [{"type": "string"}, {"type": "integer"}]}))
    expected = ir.UnionType((ir.StrType(), ir.IntType()), None, exclusive=True)
    assert single_op(api).response.type == expected
    assert not [d for d in diagnostics if d.code == "SDK201"]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (  # flattened, deduplicated, null lifted out
            {"anyOf": [{"type": "string"}, {"oneOf": [{"type": "integer"}, {"type": "string"}]}]},
            ir.UnionType((ir.StrType(), ir.IntType()), None, exclusive=False),
        ),
        (
            {"type": ["string", "integer", "null"]},
            ir.NullableType(ir.UnionType((ir.StrType(), ir.IntType()), None, exclusive=True)),
        ),
        ({"oneOf": [{"const": "a"}, {"const": "b"}]}, ir.LiteralType(("a", "b"))),
        ({"oneOf": [{"type": "string"}, {}]}, ir.AnyType()),  # a variant takes anything
        (
            {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
            ir.TupleType((ir.StrType(),), None),
        ),
        (  # `maxItems` ends the tuple as `items: false` would
            {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "number"}],
                "maxItems": 2,
            },
            ir.TupleType((ir.StrType(), ir.FloatType()), None),
        ),
    ],
)
def test_union_shapes(schema: dict[str, Any], expected: ir.TypeRef) -> None:
    assert response_type(schema) == expected


def test_discriminator_mapping_names_no_variant() -> None:
    schemas = {
        "A": {"type": "object", "properties": {"t": {"type": "string"}}},
        "B": {"type": "object", "properties": {"t": {"type": "string"}}},
        "C": {"type": "object", "properties": {"t": {"type": "string"}}},
    }
    union = {
        "oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
        "discriminator": {"propertyName": "t", "mapping": {"a": "A", "c": "C"}},
    }
    api, diagnostics = run(returning(union, schemas))
    t = single_op(api).response.type
    assert isinstance(t, ir.UnionType)
    assert t.discriminator == ir.Discriminator("t", (("B", 1), ("a", 0)))
    sdk225 = only(diagnostics, "SDK225")
    assert sdk225.pointer == RESPONSE_SCHEMA + "/discriminator/mapping"
    assert sdk225.message == "mapping 'c' -> 'C' names no variant of the union; ignored"


def test_additional_properties_is_map() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert response_type(schema) == ir.MapType(ir.IntType())


def test_additional_properties_of_objects_is_map_of_models() -> None:
    schema = {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Pet"}}
    assert response_type(schema, {"Pet": PET}) == ir.MapType(ir.ModelRef("Pet"))


def test_recursive_component_builds() -> None:
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"$ref": "#/components/schemas/Node"},
        },
    }
    api, diagnostics = run(returning({"$ref": "#/components/schemas/Node"}, {"Node": node}))
    tree = model(api, "Node")
    assert field(tree, "children").type == ir.ListType(ir.ModelRef("Node"))
    assert field(tree, "parent").type == ir.ModelRef("Node")
    assert [m.name for m in api.models] == ["Node"]
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]


def test_mutually_recursive_aliases_do_not_crash() -> None:
    schemas = {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}
    api, diagnostics = run(returning({"$ref": "#/components/schemas/A"}, schemas))
    assert single_op(api).response.type == ir.AnyType()
    assert "SDK203" in codes(diagnostics)


# --- reachability -----------------------------------------------------------------------------


UNUSED = {
    "Pet": PET,
    "Orphan": {"type": "object", "properties": {"a": {"type": "string"}}},
    "Lonely": {"type": "string", "enum": ["x"]},
}


def test_unused_components_are_not_emitted_and_reported() -> None:
    api, diagnostics = run(returning({"$ref": "#/components/schemas/Pet"}, UNUSED))
    assert [m.name for m in api.models] == ["Pet"]
    assert api.enums == ()
    sdk207 = only(diagnostics, "SDK207")
    assert sdk207.pointer == "#/components/schemas"
    assert "Lonely, Orphan" in sdk207.message
    assert "Pet" not in sdk207.message.split(":")[-1]


def test_include_unused_emits_them() -> None:
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, UNUSED), include_unused=True)
    assert [m.name for m in api.models] == ["Orphan", "Pet"]
    assert [e.name for e in api.enums] == ["Lonely"]


def test_include_unused_does_not_claim_they_are_skipped() -> None:
    _, diagnostics = run(
        returning({"$ref": "#/components/schemas/Pet"}, UNUSED), include_unused=True
    )
    assert not [d for d in diagnostics if "not generated" in d.message]


def test_models_and_enums_are_sorted_by_name() -> None:
    schemas = {k: {"type": "object", "properties": {"v": {"type": "string"}}} for k in "CAB"}
    top = {
        "type": "object",
        "properties": {k.lower(): {"$ref": f"#/components/schemas/{k}"} for k in "CAB"},
    }
    api, _ = run(returning(top, schemas))
    assert [m.name for m in api.models] == sorted(m.name for m in api.models)


# --- operations -------------------------------------------------------------------------------


def test_grouping_by_first_tag_extension_and_default() -> None:
    doc = spec(
        {
            "/a": {
                "get": {
                    "operationId": "getA",
                    "tags": ["Pet Store", "other"],
                    "responses": {"200": ok()},
                },
                "post": {
                    "operationId": "postA",
                    "x-sdkgen-group": "admin",
                    "tags": ["Pet Store"],
                    "responses": {"200": ok()},
                },
                "put": {"operationId": "putA", "responses": {"200": ok()}},
            }
        }
    )
    api, _ = run(doc)
    groups = {
        g.attr_name: (g.class_name, g.async_class_name, [o.py_name for o in g.operations])
        for g in api.groups
    }
    assert groups == {
        "admin": ("AdminResource", "AsyncAdminResource", ["post_a"]),
        "pet_store": ("PetStoreResource", "AsyncPetStoreResource", ["get_a"]),
        "default": ("DefaultResource", "AsyncDefaultResource", ["put_a"]),
    }


def test_method_name_from_operation_id() -> None:
    doc = spec({"/v": {"post": {"operationId": "createVariationNoBG", "responses": {"200": ok()}}}})
    op = single_op(run(doc)[0])
    assert (op.py_name, op.operation_id, op.method, op.path) == (
        "create_variation_no_bg",
        "createVariationNoBG",
        "POST",
        "/v",
    )
    assert op.pointer == "#/paths/~1v/post"


def test_method_name_from_extension() -> None:
    doc = spec(
        {
            "/v": {
                "post": {
                    "operationId": "createVariationNoBG",
                    "x-sdkgen-name": "remove_bg",
                    "responses": {"200": ok()},
                }
            }
        }
    )
    op = single_op(run(doc)[0])
    assert (op.py_name, op.operation_id) == ("remove_bg", "createVariationNoBG")


def test_method_name_from_method_and_path_without_operation_id() -> None:
    doc = spec({"/pets/{petId}": {"get": {"responses": {"200": ok()}}}})
    api, diagnostics = run(doc)
    assert single_op(api).py_name == "get_pets_pet_id"
    sdk209 = only(diagnostics, "SDK209")
    assert sdk209.severity is Severity.WARNING
    assert sdk209.pointer == "#/paths/~1pets~1{petId}/get"


def test_duplicate_operation_ids_get_suffix_and_warning() -> None:
    doc = spec(
        {
            "/a": {"get": {"operationId": "listPets", "responses": {"200": ok()}}},
            "/b": {"get": {"operationId": "listPets", "responses": {"200": ok()}}},
        }
    )
    api, diagnostics = run(doc)
    assert sorted(operations(api)) == ["list_pets", "list_pets_2"]
    assert operations(api)["list_pets_2"].path == "/b"
    sdk210 = only(diagnostics, "SDK210")
    assert sdk210.severity is Severity.WARNING
    assert sdk210.pointer == "#/paths/~1b/get"
    assert "list_pets_2" in sdk210.message


def test_operation_names_avoid_reserved_words() -> None:
    doc = spec({"/a": {"get": {"operationId": "class", "responses": {"200": ok()}}}})
    assert single_op(run(doc)[0]).py_name == "class_"


def test_summary_description_deprecated() -> None:
    doc = spec(
        {
            "/a": {
                "get": {
                    "operationId": "a",
                    "summary": "S",
                    "description": "D",
                    "deprecated": True,
                    "responses": {"200": ok()},
                }
            }
        }
    )
    op = single_op(run(doc)[0])
    assert (op.summary, op.description, op.deprecated) == ("S", "D", True)


# --- bodies and parameters ----------------------------------------------------------------------


def test_json_object_body_is_flattened_into_fields() -> None:
    body = {
        "required": True,
        "description": "the pet",
        "content": {"application/json": {"schema": PET}},
    }
    doc = spec(
        {
            "/pets": {
                "post": {
                    "operationId": "createPet",
                    "requestBody": body,
                    "responses": {"200": ok()},
                }
            }
        }
    )
    op = single_op(run(doc)[0])
    assert isinstance(op.body, ir.JsonBody)
    assert op.body.required is True
    assert op.body.description == "the pet"
    assert [(f.py_name, f.required, f.type) for f in op.body.fields] == [
        ("name", True, ir.StrType()),
        ("age", False, ir.IntType()),
    ]


def test_json_body_via_component_ref_is_flattened() -> None:
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}
    doc = spec(
        {
            "/pets": {
                "post": {
                    "operationId": "createPet",
                    "requestBody": body,
                    "responses": {"200": ok()},
                }
            }
        },
        {"Pet": PET},
    )
    op = single_op(run(doc)[0])
    assert isinstance(op.body, ir.JsonBody)
    assert op.body.required is False
    assert [f.wire_name for f in op.body.fields] == ["name", "age"]


def test_json_array_body_is_whole_body() -> None:
    body = {
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}
    }
    doc = spec(
        {"/pets": {"post": {"operationId": "tag", "requestBody": body, "responses": {"200": ok()}}}}
    )
    op = single_op(run(doc)[0])
    assert op.body == ir.WholeBody("body", ir.ListType(ir.StrType()), "application/json", False, "")


def test_non_json_body_is_raw_whole_body() -> None:
    body = {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object"}}}}
    doc = spec(
        {
            "/up": {
                "post": {"operationId": "upload", "requestBody": body, "responses": {"200": ok()}}
            }
        }
    )
    api, diagnostics = run(doc)
    op = single_op(api)
    assert isinstance(op.body, ir.WholeBody)
    assert op.body.type is None
    assert op.body.content_type == "multipart/form-data"
    assert op.body.required is True
    pointer = "#/paths/~1up/post/requestBody/content/multipart~1form-data/schema"
    assert only(diagnostics, "SDK201").pointer == pointer  # any object: not one of properties


def test_body_field_and_parameter_names_are_unique() -> None:
    body = {"content": {"application/json": {"schema": PET}}}
    doc = spec(
        {
            "/pets": {
                "post": {
                    "operationId": "createPet",
                    "requestBody": body,
                    "responses": {"200": ok()},
                    "parameters": [{"name": "name", "in": "query", "schema": {"type": "string"}}],
                }
            }
        }
    )
    op = single_op(run(doc)[0])
    assert isinstance(op.body, ir.JsonBody)
    names = [p.py_name for p in op.params] + [f.py_name for f in op.body.fields]
    assert len(names) == len(set(names)), names
    # a collision is resolved by location: neither is the bare name (issue 12: stable names)
    assert [p.py_name for p in op.params] == ["query_name"]
    assert op.body.fields[0].wire_name == "name"
    assert op.body.fields[0].py_name == "body_name"


def test_whole_body_name_does_not_clash_with_a_body_parameter() -> None:
    body = {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}
    doc = spec(
        {
            "/up": {
                "post": {
                    "operationId": "upload",
                    "requestBody": body,
                    "responses": {"200": ok()},
                    "parameters": [{"name": "body", "in": "query", "schema": {"type": "string"}}],
                }
            }
        }
    )
    op = single_op(run(doc)[0])
    assert isinstance(op.body, ir.WholeBody)
    assert op.params[0].py_name == "query_body"
    assert op.body.py_name == "body_body"
    assert op.body.py_name.isidentifier()


def test_path_level_parameters_merge_and_operation_wins() -> None:
    doc = spec(
        {
            "/pets": {
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "description": "path-level",
                        "schema": {"type": "integer"},
                    },
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
                "get": {
                    "operationId": "listPets",
                    "responses": {"200": ok()},
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "required": True,
                            "description": "op-level",
                            "schema": {"type": "string"},
                        }
                    ],
                },
            }
        }
    )
    op = single_op(run(doc)[0])
    params = {p.wire_name: p for p in op.params}
    assert sorted(params) == ["X-Trace", "limit"]
    assert params["limit"] == ir.Param(
        "limit",
        "limit",
        "query",
        ir.StrType(),
        True,
        "op-level",
        False,
        None,
        "form",
        True,
        False,
        False,
    )
    assert params["X-Trace"].py_name == "x_trace"
    assert params["X-Trace"].location == "header"


def test_same_name_in_different_locations_are_both_kept() -> None:
    doc = spec(
        {
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "responses": {"200": ok()},
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "id", "in": "query", "schema": {"type": "string"}},
                    ],
                }
            }
        }
    )
    op = single_op(run(doc)[0])
    assert [(p.py_name, p.location) for p in op.params] == [("id", "path"), ("query_id", "query")]


def test_required_parameters_come_first() -> None:
    doc = spec(
        {
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "responses": {"200": ok()},
                    "parameters": [
                        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                        {
                            "name": "petId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                }
            }
        }
    )
    op = single_op(run(doc)[0])
    assert [(p.py_name, p.required) for p in op.params] == [("pet_id", True), ("verbose", False)]


def test_parameter_via_component_ref() -> None:
    doc = spec(
        {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "responses": {"200": ok()},
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                }
            }
        }
    )
    doc["components"] = {
        "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}}
    }
    op = single_op(run(doc)[0])
    assert [(p.py_name, p.type) for p in op.params] == [("limit", ir.IntType())]


def _with_params(*params: dict[str, Any], **op: Any) -> Doc:
    return spec(
        {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "responses": {"200": ok()},
                    "parameters": list(params),
                    **op,
                }
            }
        }
    )


def test_cookie_parameters_are_arguments() -> None:
    doc = _with_params(
        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
        {"name": "q", "in": "query", "schema": {"type": "string"}},
    )
    api, diagnostics = run(doc)
    assert [(p.wire_name, p.location) for p in single_op(api).params] == [
        ("session", "cookie"),
        ("q", "query"),
    ]
    assert not [d for d in diagnostics if d.code == "SDK211"]


def test_unknown_parameter_location_is_left_out_with_warning() -> None:
    doc = _with_params({"name": "x", "in": "body", "schema": {"type": "string"}})
    api, diagnostics = run(doc)
    assert single_op(api).params == ()
    sdk211 = only(diagnostics, "SDK211")
    assert sdk211.severity is Severity.WARNING
    assert sdk211.pointer == "#/paths/~1pets/get/parameters/0"


@pytest.mark.parametrize(
    ("param", "style", "explode", "allow_reserved"),
    [
        ({"in": "query"}, "form", True, False),
        ({"in": "query", "style": "pipeDelimited"}, "pipeDelimited", False, False),
        ({"in": "query", "explode": False, "allowReserved": True}, "form", False, True),
        ({"in": "path", "required": True}, "simple", False, False),
        (
            {"in": "path", "required": True, "style": "matrix", "explode": True},
            "matrix",
            True,
            False,
        ),
        ({"in": "header"}, "simple", False, False),
        ({"in": "cookie"}, "form", True, False),
        ({"in": "header", "allowReserved": True}, "simple", False, False),
    ],
)
def test_parameter_serialisation(
    param: dict[str, Any], style: str, explode: bool, allow_reserved: bool
) -> None:
    doc = _with_params({"name": "v", "schema": {"type": "string"}, **param})
    if param["in"] == "path":
        doc["paths"] = {"/pets/{v}": doc["paths"]["/pets"]}
    (p,) = single_op(run(doc)[0]).params
    assert (p.style, p.explode, p.allow_reserved, p.content_json) == (
        style,
        explode,
        allow_reserved,
        False,
    )


def test_a_style_the_location_does_not_allow_is_a_warning() -> None:
    doc = _with_params({"name": "v", "in": "query", "style": "matrix", "schema": {}})
    api, diagnostics = run(doc)
    assert single_op(api).params[0].style == "form"
    assert only(diagnostics, "SDK222").pointer == "#/paths/~1pets/get/parameters/0/style"


def test_content_parameter_is_typed_from_its_media_type() -> None:
    schema = {"type": "object", "properties": {"lat": {"type": "number"}}}
    doc = _with_params(
        {"name": "at", "in": "query", "content": {"application/json": {"schema": schema}}}
    )
    (p,) = single_op(run(doc)[0]).params
    assert p.content_json and isinstance(p.type, ir.ModelRef)


@pytest.mark.parametrize("name", ["X Trace", "Tr\u00e4ce", "a:b", ""])
def test_a_header_name_that_is_not_a_token_is_an_error(name: str) -> None:
    doc = _with_params({"name": name, "in": "header", "schema": {"type": "string"}})
    api, diagnostics = run(doc)
    error = only(diagnostics, "SDK218")
    assert error.severity is Severity.ERROR
    assert error.pointer == "#/paths/~1pets/get/parameters/0/name"
    assert single_op(api).params == ()


@pytest.mark.parametrize("name", ["Accept", "content-type", "AUTHORIZATION"])
def test_reserved_header_parameters_are_ignored_with_a_warning(name: str) -> None:
    doc = _with_params({"name": name, "in": "header", "schema": {"type": "string"}})
    api, diagnostics = run(doc)
    assert single_op(api).params == ()
    assert only(diagnostics, "SDK219").pointer == "#/paths/~1pets/get/parameters/0"


def test_headers_differing_only_in_case_are_one_argument() -> None:
    doc = _with_params(
        {"name": "Call", "in": "header", "schema": {"type": "string"}},
        {"name": "call", "in": "header", "schema": {"type": "string"}},
    )
    api, diagnostics = run(doc)
    assert [p.wire_name for p in single_op(api).params] == ["Call"]
    assert only(diagnostics, "SDK220").pointer == "#/paths/~1pets/get/parameters/1"


@pytest.mark.parametrize("location", ["query", "header", "cookie"])
def test_a_parameter_where_a_credential_goes_is_a_warning(location: str) -> None:
    doc = _with_params({"name": "api_key", "in": location, "schema": {"type": "string"}})
    doc["security"] = [{"key": []}]
    doc["components"] = {
        "securitySchemes": {"key": {"type": "apiKey", "in": location, "name": "api_key"}}
    }
    api, diagnostics = run(doc)
    assert [p.py_name for p in single_op(api).params] == ["api_key"]
    assert "instead of the credential" in only(diagnostics, "SDK221").message


def test_security_alternatives_overrides_and_none() -> None:
    doc = _with_params(security=[{"basic": [], "key": []}, {"oauth": ["read"]}])
    doc["paths"]["/open"] = {
        "get": {"operationId": "open", "security": [], "responses": {"200": ok()}}
    }
    doc["security"] = [{"key": []}]
    doc["components"] = {
        "securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "oauth": {"type": "oauth2", "flows": {}},
            "digest": {"type": "http", "scheme": "digest"},
        }
    }
    api, diagnostics = run(doc)
    by_name = {op.py_name: op for g in api.groups for op in g.operations}
    assert by_name["list_pets"].security == (("basic", "key"), ("oauth",))
    assert by_name["open"].security == ()
    assert [s.key for s in api.schemes] == ["basic", "key", "oauth"]
    assert [s.args for s in api.schemes] == [
        ("username", "password"),
        ("api_key",),
        ("access_token",),
    ]
    assert not api.needs_credentials
    assert "digest" in only(diagnostics, "SDK223").message


def test_several_schemes_of_one_kind_are_named_by_their_keys() -> None:
    doc = _with_params(security=[{"HeaderKey": []}, {"QueryKey": []}])
    doc["components"] = {
        "securitySchemes": {
            "HeaderKey": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "QueryKey": {"type": "apiKey", "in": "query", "name": "key"},
        }
    }
    api, _ = run(doc)
    assert [(s.args, s.envs) for s in api.schemes] == [
        (("header_key",), ("PKG_HEADER_KEY",)),
        (("query_key",), ("PKG_QUERY_KEY",)),
    ]


# --- responses --------------------------------------------------------------------------------


def test_response_picks_lowest_2xx() -> None:
    doc = spec(
        {
            "/a": {
                "get": {
                    "operationId": "a",
                    "responses": {
                        "404": ok({"type": "string"}),
                        "202": ok({"type": "boolean"}),
                        "201": ok({"type": "integer"}),
                        "default": ok({"type": "string"}),
                    },
                }
            }
        }
    )
    assert single_op(run(doc)[0]).response == ir.Response("json", ir.IntType(), "201")


def test_integer_response_codes_work() -> None:
    doc = spec(
        {
            "/a": {
                "get": {
                    "operationId": "a",
                    "responses": {201: ok({"type": "string"}), 200: ok({"type": "integer"})},
                }
            }
        }
    )
    assert single_op(run(doc)[0]).response == ir.Response("json", ir.IntType(), "200")


def test_integer_response_codes_from_yaml() -> None:
    doc = yaml.safe_load("""
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: a
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {type: string}
""")
    assert single_op(run(doc)[0]).response == ir.Response("json", ir.StrType(), "200")


def test_response_without_content_is_empty() -> None:
    doc = spec({"/a": {"delete": {"operationId": "a", "responses": {"204": ok()}}}})
    assert single_op(run(doc)[0]).response == ir.Response("empty", ir.AnyType(), "204")


def test_response_without_2xx_is_empty() -> None:
    responses = {"default": ok({"type": "string"})}
    doc = spec({"/a": {"get": {"operationId": "a", "responses": responses}}})
    assert single_op(run(doc)[0]).response.kind == "empty"


def test_non_json_response_is_bytes() -> None:
    response = {"description": "png", "content": {"image/png": {"schema": {"type": "string"}}}}
    doc = spec({"/a": {"get": {"operationId": "a", "responses": {"200": response}}}})
    assert single_op(run(doc)[0]).response == ir.Response("bytes", ir.AnyType(), "200")


def test_response_via_component_ref() -> None:
    doc = spec(
        {
            "/a": {
                "get": {
                    "operationId": "a",
                    "responses": {"200": {"$ref": "#/components/responses/Ok"}},
                }
            }
        }
    )
    doc["components"] = {"responses": {"Ok": ok({"type": "integer"})}}
    assert single_op(run(doc)[0]).response == ir.Response("json", ir.IntType(), "200")


# --- api-level --------------------------------------------------------------------------------


def _scheme(key: str, kind: Any, location: Any, name: str, *args: str) -> ir.SecurityScheme:
    return ir.SecurityScheme(
        key, kind, location, name, args, tuple(f"PKG_{a.upper()}" for a in args)
    )


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ({"type": "http", "scheme": "bearer"}, ("bearer", "header", "Authorization", "api_key")),
        ({"type": "http", "scheme": "Bearer"}, ("bearer", "header", "Authorization", "api_key")),
        (
            {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            ("apiKey", "header", "X-Api-Key", "api_key"),
        ),
        ({"type": "apiKey", "in": "query", "name": "key"}, ("apiKey", "query", "key", "api_key")),
        ({"type": "apiKey", "in": "cookie", "name": "sid"}, ("apiKey", "cookie", "sid", "api_key")),
        (
            {"type": "http", "scheme": "basic"},
            ("basic", "header", "Authorization", "username", "password"),
        ),
        (
            {"type": "oauth2", "flows": {}},
            ("bearer", "header", "Authorization", "access_token"),
        ),
        (
            {"type": "openIdConnect", "openIdConnectUrl": "https://x"},
            ("bearer", "header", "Authorization", "access_token"),
        ),
    ],
)
def test_auth_from_security_schemes(scheme: dict[str, Any], expected: tuple[str, ...]) -> None:
    doc = returning({"type": "string"}, security=[{"main": []}])
    doc["components"] = {"securitySchemes": {"main": scheme}}
    api = run(doc)[0]
    assert api.schemes == (_scheme("main", *expected),)
    assert api.needs_credentials
    assert single_op(api).security == (("main",),)


def test_no_security_is_no_auth() -> None:
    api = run(returning({"type": "string"}))[0]
    assert api.schemes == () and not api.needs_credentials


def test_base_url_with_server_variables() -> None:
    servers = [
        {
            "url": "https://{region}.example.com/{version}/",
            "variables": {"region": {"default": "eu"}, "version": {"default": "v1"}},
        },
        {"url": "https://other.example.com"},
    ]
    api, diagnostics = run(returning({"type": "string"}, servers=servers))
    assert api.base_url == "https://eu.example.com/v1"
    assert "SDK212" not in codes(diagnostics)


def test_relative_server_url_warns() -> None:
    api, diagnostics = run(returning({"type": "string"}, servers=[{"url": "/api"}]))
    assert api.base_url == "/api"
    assert only(diagnostics, "SDK212").pointer == "#/servers/0/url"


def test_api_metadata() -> None:
    api, _ = run(returning({"type": "string"}))
    assert (api.title, api.spec_version, api.package_name, api.env_prefix) == (
        "Test",
        "1.0",
        "pkg",
        "PKG",
    )


# --- broken references and hostile documents --------------------------------------------------


def test_unresolvable_ref_is_an_error_not_an_exception() -> None:
    api, diagnostics = run(returning({"$ref": "#/definitions/Missing"}))
    assert single_op(api).response.type == ir.AnyType()
    sdk202 = [d for d in diagnostics if d.code == "SDK202"]
    assert sdk202
    assert sdk202[0].severity is Severity.ERROR
    assert sdk202[0].pointer == RESPONSE_SCHEMA
    assert "#/definitions/Missing" in sdk202[0].message


def test_unresolvable_component_ref_is_an_error_not_an_exception() -> None:
    api, diagnostics = run(returning({"$ref": "#/components/schemas/Missing"}))
    assert single_op(api).response.type == ir.AnyType()
    assert "SDK202" in codes(diagnostics)


def test_unresolvable_component_ref_reported_once_where_it_is() -> None:
    _, diagnostics = run(returning({"$ref": "#/components/schemas/Missing"}))
    assert [(d.code, d.pointer) for d in diagnostics if d.code in ("SDK202", "SDK204")] == [
        ("SDK202", RESPONSE_SCHEMA)
    ]


def test_unresolvable_ref_reported_once() -> None:
    _, diagnostics = run(returning({"$ref": "#/definitions/Missing"}))
    assert codes(diagnostics).count("SDK202") == 1


def test_empty_paths_build_a_client_without_operations() -> None:
    api, diagnostics = run(spec({}))
    assert api.groups == ()
    assert [(d.code, d.severity.value, d.pointer) for d in diagnostics if d.code == "SDK208"] == [
        ("SDK208", "warning", "#/paths")
    ]


def test_paths_that_are_not_a_mapping_are_fatal() -> None:
    with pytest.raises(Fatal) as caught:
        run({**spec({}), "paths": ["/a"]})
    assert [(d.code, d.pointer) for d in caught.value.diagnostics] == [("SDK208", "#/paths")]


@pytest.mark.parametrize(
    "junk",
    [
        None,
        1,
        "string",
        [],
        {"type": 7},
        {"properties": []},
        {"allOf": "x"},
        {"enum": []},
        {"items": 3, "type": "array"},
        {"additionalProperties": "no", "type": "object"},
    ],
)
def test_malformed_schemas_do_not_crash(junk: Any) -> None:
    api, _ = run(returning({"type": "object", "properties": {"f": junk}}))
    assert single_op(api).response.kind == "json"


def test_malformed_operation_parts_do_not_crash() -> None:
    doc = spec(
        {
            "/a": {
                "parameters": "nope",
                "get": {
                    "operationId": 5,
                    "parameters": [None, 3, {"in": "query"}],
                    "requestBody": [],
                    "responses": [],
                },
            }
        }
    )
    api, _ = run(doc)
    assert single_op(api).py_name


@pytest.mark.parametrize("security", [True, 5])
def test_malformed_security_does_not_crash(security: Any) -> None:
    api, _ = run(returning({"type": "string"}, security=security))
    assert api.schemes == ()


# --- frozen IR --------------------------------------------------------------------------------


def test_ir_is_frozen() -> None:
    api, _ = run(returning({"$ref": "#/components/schemas/Pet"}, {"Pet": PET}))
    targets: list[Any] = [api, api.models[0], single_op(api), api.models[0].fields[0]]
    for target in targets:
        name = dataclasses.fields(target)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(target, name, "changed")
    assert isinstance(api.groups, tuple)
    assert isinstance(api.models[0].fields, tuple)


def test_build_is_deterministic() -> None:
    doc = returning({"$ref": "#/components/schemas/Pet"}, {"Pet": PET, **UNUSED})
    assert run(doc) == run(doc)


@pytest.mark.parametrize(
    ("key", "name"), [("Self", "Self_"), ("Mapping", "Mapping_"), ("str", "Str")]
)
def test_a_schema_named_like_what_the_generated_code_uses_is_renamed_with_a_note(
    key: str, name: str
) -> None:
    api, diagnostics = run(returning({"$ref": f"#/components/schemas/{key}"}, {key: PET}))
    assert [m.name for m in api.models] == [name]
    notes = [d for d in diagnostics if d.code == "SDK224"]
    assert [d.pointer for d in notes] == (
        [f"#/components/schemas/{key}"] if name.endswith("_") else []
    )


def _inline_doc(inner_props: dict[str, Any], entry: str) -> dict[str, Any]:
    ok = {"description": "ok", "content": {"application/json": {"schema": {"$ref": entry}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": ok}}}},
        "components": {
            "schemas": {"A": {"type": "object", "properties": {"node": inner_props}}},
        },
    }


def _sdk214(doc: dict[str, Any]) -> list[str]:
    _, diagnostics = build(doc, package_name="p", env_prefix="P")
    return [f"{d.pointer}: {d.message}" for d in diagnostics if d.code == "SDK214"]


def test_an_inline_schema_reached_twice_is_not_called_recursive() -> None:
    """Issue 13: SDK214 said "a recursive model" for an inline schema merely reached twice."""
    node = {"type": "object", "properties": {"x": {"type": "string"}}}
    doc = _inline_doc(node, "#/components/schemas/A")
    doc["components"]["schemas"]["A"]["properties"]["again"] = {
        "$ref": "#/components/schemas/A/properties/node"
    }
    assert _sdk214(doc) == []


def test_an_inline_schema_containing_itself_is_recursive() -> None:
    node = {
        "type": "object",
        "properties": {"child": {"$ref": "#/components/schemas/A/properties/node"}},
    }
    assert _sdk214(_inline_doc(node, "#/components/schemas/A")) == [
        "#/components/schemas/A/properties/node: this schema contains itself: a recursive model"
    ]


def test_a_discriminated_union_made_nullable_keeps_its_discriminator() -> None:
    """opc-e2e's `oneOf: [{$ref: ADiscriminatedUnion}, {type: "null"}]`: the outer union adds
    null only; flattening must not lose the inner mapping."""
    model = {"type": "object", "properties": {"kind": {"type": "string"}}}
    schemas = {
        "A": model,
        "B": model,
        "U": {
            "oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
            "discriminator": {"propertyName": "kind", "mapping": {"a": "A", "b": "B"}},
        },
    }
    wrapped = {"oneOf": [{"$ref": "#/components/schemas/U"}, {"type": "null"}]}
    t = response_type(wrapped, schemas)
    assert isinstance(t, ir.NullableType) and isinstance(t.inner, ir.UnionType)
    assert t.inner.discriminator == ir.Discriminator("kind", (("a", 0), ("b", 1)))
