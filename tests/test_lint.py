"""Tests for generator/lint.py: one positive and one negative case per detector on small inline
specs, the quirks of the real Leonardo spec, and documents that must not make lint raise."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diagnostics import Diagnostic, Severity
from generator.lint import RULES, lint

Doc = dict[str, Any]
WARNING, INFO = Severity.WARNING, Severity.INFO
OP = "#/paths/~1things/post"
BODY_SCHEMA = f"{OP}/requestBody/content/application~1json/schema"
RESPONSE = f"{OP}/responses/200/content/application~1json"


def spec(paths: Doc | None = None, schemas: Doc | None = None, **components: Any) -> Doc:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths if paths is not None else {},
        "components": {"schemas": schemas or {}, **components},
    }


def operation(op_id: str = "createThing", **fields: Any) -> Doc:
    return {
        "operationId": op_id,
        "responses": {"200": {"description": "ok"}, "default": {"description": "error"}},
        **fields,
    }


def with_body(schema: Any, schemas: Doc | None = None, **media: Any) -> Doc:
    body = {"content": {"application/json": {"schema": schema, **media}}}
    return spec({"/things": {"post": operation(requestBody=body)}}, schemas)


def with_response(schema: Any, schemas: Doc | None = None, **media: Any) -> Doc:
    ok = {"description": "ok", "content": {"application/json": {"schema": schema, **media}}}
    op = operation(responses={"200": ok, "default": {"description": "error"}})
    return spec({"/things": {"post": op}}, schemas)


def found(doc: Doc, code: str) -> list[Diagnostic]:
    return [d for d in lint(doc) if d.code == code]


def one(doc: Doc, code: str) -> Diagnostic:
    hits = found(doc, code)
    assert len(hits) == 1, [d.render() for d in lint(doc)]
    return hits[0]


def assert_one(doc: Doc, code: str, severity: Severity, at: str, fragment: str) -> None:
    hit = one(doc, code)
    assert (hit.severity, hit.pointer) == (severity, at), hit.render()
    assert fragment in hit.message, hit.message
    assert hit.message.startswith(RULES[code][0] + ": ")


OBJECT = {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}
COST = {
    "nullable": True,
    "type": "object",
    "properties": {"amount": {"type": "string"}, "unit": {"type": "string", "enum": ["USD"]}},
}


# --- SDK101 example-schema-mismatch -----------------------------------------------------------


def test_example_type_error_points_into_the_example() -> None:
    doc = with_response(OBJECT, example={"name": "a", "size": "big"})
    assert_one(doc, "SDK101", WARNING, f"{RESPONSE}/example/size", "'big' is not of type 'integer'")


def test_example_refs_resolve_and_nullable_is_honoured() -> None:
    job = {"type": "object", "properties": {"cost": {"$ref": "#/components/schemas/cost"}}}
    schemas = {"cost": COST, "Job": job}
    bad = with_response(
        {"$ref": "#/components/schemas/Job"}, schemas, example={"cost": {"amount": 1}}
    )
    assert_one(bad, "SDK101", WARNING, f"{RESPONSE}/example/cost/amount", "is not of type 'string'")
    good = with_response({"$ref": "#/components/schemas/Job"}, schemas, example={"cost": None})
    assert found(good, "SDK101") == []


def test_example_matching_its_schema_is_quiet() -> None:
    assert found(with_response(OBJECT, example={"name": "a", "size": 3}), "SDK101") == []


def test_unknown_example_key_suggests_the_property() -> None:
    schema = {"type": "object", "properties": {"sdUpscaleJob": {"type": "object"}}}
    doc = with_response(schema, example={"sdUpscalerjob": {}})
    at = f"{RESPONSE}/example/sdUpscalerjob"
    assert_one(
        doc, "SDK101", WARNING, at, "unknown key 'sdUpscalerjob'; did you mean 'sdUpscaleJob'?"
    )


def test_unknown_key_without_a_close_match_has_no_hint() -> None:
    hit = one(with_response(OBJECT, example={"zzzzzz": 1}), "SDK101")
    assert hit.message == "example-schema-mismatch: unknown key 'zzzzzz'"


def test_unknown_keys_are_found_in_nested_arrays_through_refs() -> None:
    item = {"type": "object", "properties": {"name": {"type": "string"}}}
    schema = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}},
    }
    doc = with_response(schema, {"Item": item}, example={"items": [{"name": "a"}, {"NAEM": "b"}]})
    assert_one(doc, "SDK101", WARNING, f"{RESPONSE}/example/items/1/NAEM", "did you mean 'name'?")


def test_a_typed_additional_properties_welcomes_other_keys() -> None:
    schema = {**OBJECT, "additionalProperties": {"type": "string"}}
    assert found(with_response(schema, example={"other": "x"}), "SDK101") == []


def test_named_examples_and_parameter_examples_are_checked() -> None:
    doc = with_body(
        OBJECT, examples={"ok": {"value": {"size": 1}}, "bad": {"value": {"size": "x"}}}
    )
    assert_one(
        doc,
        "SDK101",
        WARNING,
        f"{OP}/requestBody/content/application~1json/examples/bad/value/size",
        "not of type",
    )
    param = {
        "name": "id",
        "in": "query",
        "schema": {"type": "string", "maxLength": 2},
        "example": "abc",
    }
    doc = spec({"/things": {"post": operation(parameters=[param])}})
    assert_one(doc, "SDK101", WARNING, f"{OP}/parameters/0/example", "is too long")


# --- SDK102 duplicate-title -------------------------------------------------------------------


def two_responses(first: Doc, second: Doc) -> Doc:
    ok = {"type": "object", "properties": {"a": first, "b": second}}
    return with_response(ok)


def test_a_title_shared_by_two_object_schemas_is_reported_at_the_second() -> None:
    job = {"title": "JobOutput", "type": "object", "properties": {"id": {"type": "string"}}}
    doc = two_responses(job, {**job, "properties": {"url": {"type": "string"}}})
    schema = f"{RESPONSE}/schema/properties"
    assert_one(
        doc,
        "SDK102",
        WARNING,
        f"{schema}/b",
        f"'JobOutput' also names a different schema, {schema}/a",
    )


def test_primitive_titles_and_shared_refs_are_not_duplicates() -> None:
    string = {"title": "String", "type": "string"}
    ref = {"$ref": "#/components/schemas/Job"}
    doc = two_responses(string, string)
    doc["components"]["schemas"]["Job"] = {
        "title": "Job",
        "type": "object",
        "properties": {"a": ref, "b": ref},
    }
    assert found(doc, "SDK102") == []


# --- SDK103 operation-id-casing, SDK104 operation-id-acronym ----------------------------------


def operations(*op_ids: str, **extra: Any) -> Doc:
    paths = {f"/p{i}": {"get": operation(op_id, **extra)} for i, op_id in enumerate(op_ids)}
    return spec(paths)


def test_an_operation_id_off_the_majority_style_names_the_method() -> None:
    doc = operations("createVariationUnzoom", "getVariationById", "CreateUniversalUpscalerJob")
    assert_one(
        doc, "SDK103", WARNING, "#/paths/~1p2/get/operationId",
        "'CreateUniversalUpscalerJob' is PascalCase while most operationIds are camelCase; "
        "the method is create_universal_upscaler_job",
    )  # fmt: skip


def test_no_casing_warning_without_a_majority_or_with_an_explicit_name() -> None:
    assert found(operations("getThing", "listThings", "delete"), "SDK103") == []
    assert found(operations("getThing", "ListThings"), "SDK103") == []
    doc = operations("getThing", "listThings", "CreateThing")
    doc["paths"]["/p2"]["get"]["x-sdkgen-name"] = "create_thing"
    assert found(doc, "SDK103") == []


def test_an_acronym_in_an_operation_id_names_the_method() -> None:
    doc = operations("createVariationNoBG")
    assert_one(
        doc, "SDK104", INFO, "#/paths/~1p0/get/operationId", "the method is create_variation_no_bg"
    )


def test_no_acronym_note_for_plain_or_explicitly_named_operations() -> None:
    assert found(operations("getVariationById"), "SDK104") == []
    assert found(operations("getHTTPThing", **{"x-sdkgen-name": "get_http"}), "SDK104") == []


# --- SDK105 enum-value-not-identifier ---------------------------------------------------------


def test_an_enum_value_that_is_no_identifier_names_its_member() -> None:
    style = {"type": "string", "enum": ["GENERAL", "2D ART & ILLUSTRATION"]}
    doc = with_body({"$ref": "#/components/schemas/style"}, {"style": style})
    assert_one(
        doc, "SDK105", INFO, "#/components/schemas/style/enum/1",
        "'2D ART & ILLUSTRATION' is not a Python identifier; its member is ART_AND_ILLUSTRATION_2D",
    )  # fmt: skip


def test_identifier_enum_values_and_example_data_are_quiet() -> None:
    schema = {"type": "string", "enum": ["GENERAL", "v1_5"], "example": {"enum": ["a b"]}}
    assert found(with_body(schema, example="v1_5"), "SDK105") == []


def test_example_data_is_never_read_as_a_schema() -> None:
    data: Doc = {"$ref": "#/x", "description": "d", "pattern": "x", "enum": ["a b"], "title": "T"}
    data |= {"type": "object", "properties": {"id": {"nullable": True}}, "deprecated": True}
    schema = {"type": "object", "title": "T", "properties": {"a": {"type": "string"}}}
    doc = with_response(schema, example={"a": "x"}, examples={"e": {"value": data}})
    doc["components"]["schemas"]["S"] = {**schema, "title": "S", "example": data, "default": data}
    quiet = {"SDK102", "SDK105", "SDK107", "SDK109", "SDK110", "SDK111", "SDK114"}
    assert [d.render() for d in lint(doc) if d.code in quiet] == []


def test_a_property_named_like_a_data_key_is_still_a_schema() -> None:
    props = {"example": {"type": "string", "pattern": "x"}, "enum": {"type": "string"}}
    doc = with_body({"type": "object", "required": ["enum"], "properties": props})
    assert_one(doc, "SDK107", WARNING, f"{BODY_SCHEMA}/properties/example/pattern", "no ^ or $")


# --- SDK106 body-without-required -------------------------------------------------------------


def test_a_json_body_with_no_required_list_is_reported() -> None:
    doc = with_body(OBJECT)
    assert_one(
        doc,
        "SDK106",
        WARNING,
        BODY_SCHEMA,
        "no property is required, so the client cannot insist on any; add `required`",
    )
    via_ref = with_body({"$ref": "#/components/schemas/Body"}, {"Body": OBJECT})
    assert_one(via_ref, "SDK106", WARNING, BODY_SCHEMA, "add `required`")


def test_bodies_with_required_or_not_json_are_quiet() -> None:
    assert found(with_body({**OBJECT, "required": ["name"]}), "SDK106") == []
    doc = with_body(OBJECT)
    body = doc["paths"]["/things"]["post"]["requestBody"]
    body["content"] = {"multipart/form-data": body["content"]["application/json"]}
    assert found(doc, "SDK106") == []


# --- SDK107 unanchored-pattern ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "missing"),
    [
        ("[a-f0-9]{8}", "no ^ or $ anchor"),
        ("^[a-f]+", "no $ anchor"),
        ("^a\\$", "no $ anchor"),
        ("a$", "no ^ anchor"),
    ],
)
def test_an_unanchored_pattern_is_reported(pattern: str, missing: str) -> None:
    doc = with_body(
        {
            **OBJECT,
            "required": ["name"],
            "properties": {"name": {"type": "string", "pattern": pattern}},
        }
    )
    assert_one(doc, "SDK107", WARNING, f"{BODY_SCHEMA}/properties/name/pattern", missing)


def test_anchored_patterns_and_patterns_in_examples_are_quiet() -> None:
    schema = {"type": "string", "pattern": "^a\\\\$", "example": {"pattern": "x"}}
    doc = with_body(schema, example={"pattern": "[a-z]"})
    assert found(doc, "SDK107") == []


# --- SDK108 no-error-responses ----------------------------------------------------------------


def test_an_operation_with_only_success_responses_is_reported() -> None:
    doc = spec({"/things": {"post": operation(responses={"200": {"description": "ok"}})}})
    assert_one(doc, "SDK108", WARNING, f"{OP}/responses", "only 200 is documented")


@pytest.mark.parametrize("code", ["default", "4XX", "5xx", "404", 500])
def test_any_error_response_is_enough(code: str | int) -> None:
    responses = {"200": {"description": "ok"}, code: {"description": "error"}}
    assert found(spec({"/things": {"post": operation(responses=responses)}}), "SDK108") == []


# --- SDK109 deprecated-property ---------------------------------------------------------------


def deprecated_cost(**siblings: Any) -> Doc:
    old = {"type": "integer", "deprecated": True, "description": "Please use the cost instead."}
    schema = {"type": "object", "properties": {"apiCreditCost": old, **siblings}}
    return with_response(schema)


def test_a_deprecated_property_names_its_sibling_replacement() -> None:
    doc = deprecated_cost(cost={"type": "string"})
    at = f"{RESPONSE}/schema/properties/apiCreditCost"
    assert_one(doc, "SDK109", INFO, at, "'apiCreditCost' is deprecated; use 'cost'")
    assert one(deprecated_cost(), "SDK109").message.endswith("'apiCreditCost' is deprecated")


def test_properties_not_deprecated_are_quiet() -> None:
    assert found(with_response(OBJECT), "SDK109") == []


# --- SDK110 ref-siblings, SDK111 allof-single-ref ---------------------------------------------


def test_siblings_of_a_ref_are_reported() -> None:
    status = {"$ref": "#/components/schemas/status", "description": "Status", "x-note": 1}
    doc = with_response(
        {"type": "object", "properties": {"status": status}}, {"status": {"type": "string"}}
    )
    at = f"{RESPONSE}/schema/properties/status"
    assert_one(
        doc, "SDK110", WARNING, at, "siblings of $ref are ignored by OpenAPI 3.0: description"
    )


def test_a_parameter_reference_with_siblings_is_reported() -> None:
    param = {"$ref": "#/components/parameters/id", "required": True}
    doc = spec(
        {"/things": {"post": operation(parameters=[param])}},
        parameters={"id": {"name": "id", "in": "query"}},
    )
    assert_one(doc, "SDK110", WARNING, f"{OP}/parameters/0", ": required")


def test_plain_refs_and_3_1_documents_are_quiet() -> None:
    status = {"$ref": "#/components/schemas/status", "x-note": 1}
    doc = with_response(
        {"type": "object", "properties": {"status": status}}, {"status": {"type": "string"}}
    )
    assert found(doc, "SDK110") == []
    doc = with_response(
        {"$ref": "#/components/schemas/s", "description": "d"}, {"s": {"type": "string"}}
    )
    assert found({**doc, "openapi": "3.1.0"}, "SDK110") == []


@pytest.mark.parametrize(
    "wrapper",
    [
        {"allOf": [{"$ref": "#/components/schemas/uuid"}], "nullable": False},
        {"allOf": [{"$ref": "#/components/schemas/uuid"}, {"nullable": False, "description": "d"}]},
    ],
)
def test_allof_wrapping_one_ref_is_noted(wrapper: Doc) -> None:
    doc = with_response(
        {"type": "object", "properties": {"id": wrapper}}, {"uuid": {"type": "string"}}
    )
    at = f"{RESPONSE}/schema/properties/id/allOf"
    assert_one(
        doc, "SDK111", INFO, at, "allOf wraps the single $ref '#/components/schemas/uuid' to add"
    )
    assert "nullable" in one(doc, "SDK111").message


def test_real_allof_compositions_are_quiet() -> None:
    a, b = {"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}
    schemas = {"A": OBJECT, "B": OBJECT}
    assert found(with_response({"allOf": [a, b]}, schemas), "SDK111") == []
    assert found(with_response({"allOf": [a, OBJECT]}, schemas), "SDK111") == []


# --- SDK112 bearer-format, SDK113 body-mentions-query-parameters ------------------------------


def bearer(token_format: str) -> Doc:
    scheme = {"type": "http", "scheme": "bearer", "bearerFormat": token_format}
    return spec(securitySchemes={"bearerAuth": scheme})


def test_a_bearer_format_that_is_no_token_format_is_noted() -> None:
    at = "#/components/securitySchemes/bearerAuth/bearerFormat"
    assert_one(
        bearer("auth-scheme"),
        "SDK112",
        INFO,
        at,
        "'auth-scheme' names no token format; it is documentation only",
    )


@pytest.mark.parametrize("token_format", ["JWT", "jwt", "opaque", "PASETO"])
def test_token_formats_are_quiet(token_format: str) -> None:
    assert found(bearer(token_format), "SDK112") == []


def test_a_body_description_mentioning_query_parameters_is_noted() -> None:
    doc = with_body(OBJECT)
    doc["paths"]["/things"]["post"]["requestBody"]["description"] = (
        "Query parameters can also be provided"
    )
    assert_one(doc, "SDK113", INFO, f"{OP}/requestBody/description", "query parameters")
    doc["paths"]["/things"]["post"]["requestBody"]["description"] = "The thing to create"
    assert found(doc, "SDK113") == []


# --- SDK114 nullable-identifier ---------------------------------------------------------------


def test_a_nullable_identifier_is_noted_through_its_ref() -> None:
    props = {"id": {"$ref": "#/components/schemas/uuid"}, "userId": {"type": "string"}}
    doc = with_response(
        {"type": "object", "properties": props}, {"uuid": {"type": "string", "nullable": True}}
    )
    assert_one(
        doc,
        "SDK114",
        INFO,
        f"{RESPONSE}/schema/properties/id",
        "'id' names an identifier but may be null",
    )


def test_non_nullable_identifiers_and_other_names_are_quiet() -> None:
    nullable = {"type": "string", "nullable": True}
    props = {"id": {"type": "string"}, "valid": nullable, "identity": nullable}
    assert found(with_response({"type": "object", "properties": props}), "SDK114") == []


# --- scope and order --------------------------------------------------------------------------


def test_warnings_in_unreachable_component_schemas_become_info() -> None:
    pattern = {"type": "string", "pattern": "[a-z]"}
    schemas = {"Used": pattern, "Unused": pattern, "AlsoUnused": pattern}
    example = {"$ref": "#/components/schemas/AlsoUnused"}  # data, not a reference
    doc = with_response({"$ref": "#/components/schemas/Used"}, schemas, example=example)
    severities = {d.pointer: d.severity for d in found(doc, "SDK107")}
    assert severities == {
        "#/components/schemas/Used/pattern": WARNING,
        "#/components/schemas/Unused/pattern": INFO,
        "#/components/schemas/AlsoUnused/pattern": INFO,
    }


def test_results_are_sorted_by_pointer_then_code() -> None:
    doc = operations("createVariationNoBG", "getThing", "listThings", "DeleteThing")
    doc["paths"]["/p0"]["get"]["responses"] = {"200": {"description": "ok"}}
    result = lint(doc)
    assert result == sorted(result, key=lambda d: (d.pointer, d.code))
    assert [d.code for d in result] == ["SDK104", "SDK108", "SDK103"]


# --- the Leonardo spec ------------------------------------------------------------------------

UPSCALE, UNZOOM = "#/paths/~1variations~1upscale/post", "#/paths/~1variations~1unzoom/post"
NOBG, UNIVERSAL = "#/paths/~1variations~1nobg/post", "#/paths/~1variations~1universal-upscaler/post"
BY_ID, MOTION = "#/paths/~1variations~1{id}/get", "#/paths/~1motion-variations~1{id}/get"
JSON_200 = "responses/200/content/application~1json"


@pytest.fixture(scope="module")
def leonardo(leonardo_spec: Path) -> list[Diagnostic]:
    return lint(json.loads(leonardo_spec.read_text(encoding="utf-8")))


def at(diagnostics: list[Diagnostic], code: str) -> set[str]:
    return {d.pointer for d in diagnostics if d.code == code}


def test_leonardo_messages_are_one_line_and_named(leonardo: list[Diagnostic]) -> None:
    for d in leonardo:
        assert d.message.startswith(RULES[d.code][0] + ": ") and "\n" not in d.message
        assert d.severity in (RULES[d.code][1], INFO)
    assert leonardo == sorted(leonardo, key=lambda d: (d.pointer, d.code))


def test_leonardo_quirks_1_to_4(leonardo: list[Diagnostic]) -> None:
    # 1: the upscale example's key; the two ids that do not match the uuid pattern come with it
    assert at(leonardo, "SDK101") == {
        f"{UPSCALE}/{JSON_200}/example/sdUpscalerjob",
        f"{NOBG}/{JSON_200}/example/sdNobgJob/id",
        f"{UNIVERSAL}/{JSON_200}/example/universalUpscaler/id",
    }
    key = next(d for d in leonardo if d.pointer.endswith("sdUpscalerjob"))
    assert key.severity is WARNING and "did you mean 'sdUpscaleJob'?" in key.message
    # 2: the no-background job reuses the upscale job's title
    (title,) = [d for d in leonardo if d.code == "SDK102"]
    assert title.pointer == f"{NOBG}/{JSON_200}/schema/properties/sdNobgJob"
    assert f"'SDUpscaleJobOutput' also names a different schema, {UPSCALE}/" in title.message
    # 3: casing and the acronym
    assert at(leonardo, "SDK103") == {f"{UNIVERSAL}/operationId"}
    assert at(leonardo, "SDK104") == {f"{NOBG}/operationId"}
    # 4: enum values
    style = "#/components/schemas/universal_upscaler_style/enum"
    assert at(leonardo, "SDK105") == {f"{style}/2", f"{style}/3"}
    assert any("'2D ART & ILLUSTRATION'" in d.message for d in leonardo if d.code == "SDK105")


def test_leonardo_quirks_5_to_8(leonardo: list[Diagnostic]) -> None:
    # 5: the unzoom body (and the universal upscaler's, where nothing is required either)
    body = "requestBody/content/application~1json/schema"
    assert at(leonardo, "SDK106") == {f"{UNZOOM}/{body}", f"{UNIVERSAL}/{body}"}
    # 6: the uuid pattern and the path parameters' patterns; ids typed by the nullable uuid
    param = "parameters/0/schema/pattern"
    assert at(leonardo, "SDK107") == {
        "#/components/schemas/uuid/pattern", f"{BY_ID}/{param}", f"{MOTION}/{param}",
    }  # fmt: skip
    assert {d.severity for d in leonardo if d.code == "SDK107"} == {WARNING}
    uuid_ids = {
        f"{NOBG}/{JSON_200}/schema/properties/sdNobgJob/properties/id",
        f"{UNIVERSAL}/{JSON_200}/schema/properties/universalUpscaler/properties/id",
        f"{BY_ID}/{JSON_200}/schema/properties/generated_image_variation_generic/items/properties/id",
        f"{MOTION}/{JSON_200}/schema/properties/generated_image_variation_motion/items/properties/id",
    }
    assert uuid_ids <= at(leonardo, "SDK114")
    # 7: no error responses on any of the six operations
    ops = (UPSCALE, UNZOOM, NOBG, UNIVERSAL, BY_ID, MOTION)
    assert at(leonardo, "SDK108") == {f"{op}/responses" for op in ops}
    # 8: apiCreditCost beside cost
    jobs = {
        UPSCALE: "sdUpscaleJob",
        UNZOOM: "sdUnzoomJob",
        NOBG: "sdNobgJob",
        UNIVERSAL: "universalUpscaler",
    }
    expected = {
        f"{op}/{JSON_200}/schema/properties/{job}/properties/apiCreditCost"
        for op, job in jobs.items()
    }
    assert at(leonardo, "SDK109") == expected
    assert all(d.message.endswith("use 'cost'") for d in leonardo if d.code == "SDK109")


def test_leonardo_quirks_9_10_12(leonardo: list[Diagnostic]) -> None:
    # 9: $ref siblings and allOf wrappers, all in component schemas no operation reaches
    schemas = "#/components/schemas"
    assert at(leonardo, "SDK110") == {
        f"{schemas}/BlueprintExecution/properties/status",
        f"{schemas}/BlueprintExecution/properties/createdAt",
        f"{schemas}/BlueprintExecutionGenerationEdge/properties/cursor",
        f"{schemas}/BlueprintExecutionGeneration/properties/status",
        f"{schemas}/BlueprintExecutionGeneration/properties/failedReason",
    }
    assert at(leonardo, "SDK111") == {
        f"{schemas}/BlueprintExecution/properties/akUUID/allOf",
        f"{schemas}/BlueprintExecution/properties/public/allOf",
        f"{schemas}/BlueprintExecutionGeneration/properties/akUUID/allOf",
        f"{schemas}/pageInfo/properties/startCursor/allOf",
        f"{schemas}/pageInfo/properties/endCursor/allOf",
    }
    assert {d.severity for d in leonardo if d.code in ("SDK110", "SDK111")} == {INFO}
    # 10: the bearer format
    assert at(leonardo, "SDK112") == {"#/components/securitySchemes/bearerAuth/bearerFormat"}
    # 12: every POST body's description speaks of query parameters
    posts = (UPSCALE, UNZOOM, NOBG, UNIVERSAL)
    assert at(leonardo, "SDK113") == {f"{op}/requestBody/description" for op in posts}


# --- malformed documents ----------------------------------------------------------------------


def nested(depth: int, leaf: Any, key: str = "properties") -> Any:
    node = leaf
    for _ in range(depth):
        node = {"type": "object", key: {"a": node}} if key == "properties" else {key: node}
    return node


def deep_example(depth: int) -> Any:
    node: Any = "leaf"
    for _ in range(depth):
        node = {"a": node}
    return node


def ref_chain(length: int) -> Doc:
    return {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(length)}


MALFORMED: list[Any] = [
    {},
    {"paths": []},
    {"paths": {"/a": []}},
    {"paths": {"/a": {"get": []}}},
    {"paths": {"/a": {"get": {"responses": 5}}}},
    {"paths": {"/a": {"get": {"responses": {"200": 5}, "parameters": {"a": 1}}}}},
    {"paths": {"/a": {"get": {"operationId": 5, "x-sdkgen-name": 5, "responses": []}}}},
    with_response("x", example={"a": 1}),
    with_response({"$ref": "#/components/schemas/Nowhere"}, example={"a": 1}),
    with_response({"$ref": "http://example.com/x"}, example={"a": 1}),
    with_response({"$ref": 5}, example=[1]),
    with_response(
        {"$ref": "#/components/schemas/A"},
        {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
        example={"a": 1},
    ),
    with_response(
        {"$ref": "#/components/schemas/A"},
        {"A": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}},
        example=deep_example(50),
    ),
    with_response({"$ref": "#/components/schemas/S0"}, ref_chain(300), example={"a": 1}),
    with_response(
        {"allOf": [{"$ref": "#/components/schemas/A"}]},
        {"A": {"allOf": [{"$ref": "#/components/schemas/A"}]}},
        example={"a": 1},
    ),
    with_response(OBJECT, examples=5),
    with_response(OBJECT, examples={"a": 5, "b": {"value": 5}, "c": {"$ref": "#/nowhere"}}),
    with_response(OBJECT, example="not an object"),
    with_response({"type": "string", "pattern": "("}, example="abc"),
    with_response(
        {
            "type": 5,
            "properties": [],
            "items": 5,
            "allOf": {},
            "enum": "abc",
            "required": "id",
            "title": 5,
            "pattern": 5,
        }
    ),
    with_response(
        {"type": "object", "properties": {"id": 5, "x": {"deprecated": True, "description": 5}}}
    ),
    with_response(nested(300, {"type": "string", "pattern": "a"}), example=deep_example(300)),
    with_response(nested(300, {"type": "string"}, key="items")),
    with_response(nested(300, {"type": "string"}, key="allOf")),
    with_body(OBJECT, example=deep_example(300)),
    spec(securitySchemes={"a": 5, "b": {"type": "http", "scheme": 5, "bearerFormat": {"x": 1}}}),
    {"openapi": 3.1, "components": {"schemas": [], "securitySchemes": []}},
    {"paths": {5: {"get": {"responses": {200: {"description": "ok"}}, "operationId": "A"}}}},
]


@pytest.mark.parametrize("doc", MALFORMED)
def test_lint_never_raises_on_malformed_documents(doc: Any) -> None:
    result = lint(doc)
    assert all(isinstance(d, Diagnostic) for d in result)


@pytest.mark.parametrize("doc", [None, [], "x", 5])
def test_a_document_that_is_no_dict_has_nothing_to_lint(doc: Any) -> None:
    assert lint(doc) == []


# --- property test ----------------------------------------------------------------------------

KEYS = [
    "$ref",
    "properties",
    "items",
    "allOf",
    "type",
    "nullable",
    "example",
    "examples",
    "value",
    "enum",
    "pattern",
    "title",
]
KEYS += ["required", "deprecated", "description", "content", "schema", "additionalProperties"]
REFS = ["#/components/schemas/Job", "#/components/schemas/Loop", "#/nowhere", "#", "#/paths"]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
JSON_LIKE = st.recursive(
    SCALARS | st.sampled_from(REFS),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=16,
)
BASE = with_response(
    {"$ref": "#/components/schemas/Job"},
    {
        "Job": {
            "title": "Job",
            "type": "object",
            "properties": {"id": {"$ref": "#/components/schemas/Loop"}, "n": {"type": "integer"}},
        },
        "Loop": {
            "nullable": True,
            "allOf": [{"$ref": "#/components/schemas/Loop"}],
            "pattern": "a",
        },
    },
    example={"id": "x", "n": 1},
)
POSITIONS: list[tuple[str, ...]] = [
    ("paths",),
    ("paths", "/things"),
    ("paths", "/things", "post"),
    ("paths", "/things", "post", "responses"),
    ("paths", "/things", "post", "responses", "200"),
    ("paths", "/things", "post", "responses", "200", "content"),
    ("paths", "/things", "post", "responses", "200", "content", "application/json"),
    ("paths", "/things", "post", "responses", "200", "content", "application/json", "schema"),
    ("paths", "/things", "post", "responses", "200", "content", "application/json", "example"),
    ("paths", "/things", "post", "responses", "200", "content", "application/json", "examples"),
    ("paths", "/things", "post", "operationId"),
    ("paths", "/things", "post", "parameters"),
    ("paths", "/things", "post", "requestBody"),
    ("components",),
    ("components", "schemas"),
    ("components", "schemas", "Job"),
    ("components", "schemas", "Job", "properties"),
    ("components", "schemas", "Job", "properties", "id"),
    ("components", "schemas", "Loop"),
    ("components", "schemas", "Loop", "allOf"),
    ("components", "securitySchemes"),
]


@settings(max_examples=200, deadline=None)
@given(position=st.sampled_from(POSITIONS), value=JSON_LIKE)
def test_lint_never_raises_on_random_values(position: tuple[str, ...], value: Any) -> None:
    doc = copy.deepcopy(BASE)
    node = doc
    for key in position[:-1]:
        node = node[key]
    node[position[-1]] = value
    assert all(isinstance(d, Diagnostic) for d in lint(doc))
