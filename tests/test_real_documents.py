"""Issue 15 through the command line: valid documents are never refused (ECMA-262 patterns,
YAML 1.2 scalars, empty `paths`), every validator error is at an absolute pointer that resolves
in the document, and the summary names --skip-validation only when it would help.

The references are the standards and the validators, never sdkgen's own output: patterns are
judged by `regress` (an ECMA-262 engine, the one openapi-schema-validator uses), YAML scalars by
the YAML 1.2.2 core schema's table, validity by openapi-spec-validator itself.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import regress
import yaml

from generator import load, validate
from tests.conftest import sdkgen

Json = Any


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def document(version: str = "3.0.3", **schemas: Json) -> dict[str, Json]:
    """One operation whose query parameter and response use the schemas given."""
    return {
        "openapi": version,
        "info": {"title": "Patterns", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/Q"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            },
                        },
                        "default": {"description": "error"},
                    },
                }
            }
        },
        "components": {
            "schemas": {"Q": {"type": "string"}, "Thing": {"type": "object"}, **schemas}
        },
    }


def write(data: Json, name: str = "spec.json") -> str:
    Path(name).write_text(json.dumps(data), encoding="utf-8")
    return name


def diagnostics(*args: str) -> list[dict[str, str]]:
    result = sdkgen(*args, "--format", "json")
    found: list[dict[str, str]] = json.loads(result.stdout)["diagnostics"]
    return found


def osv_errors(data: Json) -> list[str]:
    """openapi-spec-validator's own verdict (with regress installed, as sdkgen installs it)."""
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema"  # as the CLI
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(data["openapi"])
    cls = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    return [str(e.message) for e in cls(copy.deepcopy(data)).iter_errors()]


def resolves(data: Json, pointer: str) -> bool:
    """Whether a `#/a/b` pointer (RFC 6901) names a node of `data`."""
    node = data
    for raw in pointer.removeprefix("#").split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


# --- `pattern` is ECMA-262 ----------------------------------------------------------------------

# Valid ECMA-262 (regress compiles each) that Python's `re` refuses: Unicode property escapes
# (common in cloud vendors' specs), named groups without `P`, the empty negated class.
ECMA_ONLY = [r"^\p{L}+$", r"^[\p{L}\p{N} _-]{1,64}$", r"^\p{Lu}\p{Ll}*$", r"(?<year>\d{4})", r"[^]"]


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
@pytest.mark.parametrize("pattern", ECMA_ONLY)
def test_ecma_patterns_are_accepted(version: str, pattern: str) -> None:
    regress.Regex(pattern)  # the standard's engine accepts it
    with pytest.raises(re.error):
        re.compile(pattern)  # Python's does not: this is what used to refuse the document
    inner = {"type": "object", "properties": {"name": {"type": "string", "pattern": pattern}}}
    data = document(version, Q={"type": "string", "pattern": pattern}, Thing=inner)
    assert osv_errors(data) == []  # the validator's verdict, with an ECMA-262 engine
    spec = write(data)
    validated = sdkgen("validate", spec)
    assert validated.exit_code == 0, validated.output
    assert "SDK013" not in validated.output
    assert "SDK015" not in validated.output
    assert sdkgen("generate", spec, "-o", "out", "-q").exit_code == 0


@pytest.mark.parametrize(
    ("pattern", "value"),
    [(r"^\d{3}$", "123"), (r"^\d{3}$", "12"), (r"^(?<y>\d{4})$", "2020"), (r"^[^]$", "é")],
)
def test_a_default_is_matched_as_the_validator_matches_it(pattern: str, value: str) -> None:
    data = document(Q={"type": "string", "pattern": pattern, "default": value})
    expected = [("SDK013", "#/components/schemas/Q/default")] if osv_errors(data) else []
    found = diagnostics("validate", write(data))
    assert [(d["code"], d["pointer"]) for d in found if d["severity"] == "error"] == expected


UNCHECKABLE = ["(?i)abc", "[a-", "a{2,1}"]  # regress refuses each


@pytest.mark.parametrize("pattern", UNCHECKABLE)
def test_a_pattern_that_cannot_be_checked_is_a_warning(pattern: str) -> None:
    with pytest.raises(regress.RegressError):
        regress.Regex(pattern)
    inner = {"type": "object", "properties": {"name": {"type": "string", "pattern": pattern}}}
    data = document(Q={"type": "string", "pattern": pattern}, Thing=inner)
    # The validator refuses it (the one exception to "the same findings": patterns are not
    # enforced by the generated client, so it cannot matter to it).
    assert any("regex" in message for message in osv_errors(data))
    spec = write(data)
    found = diagnostics("validate", spec)
    assert [(d["severity"], d["code"], d["pointer"]) for d in found if d["code"] >= "SDK0"][:2] == [
        ("warning", "SDK015", "#/components/schemas/Q/pattern"),
        ("warning", "SDK015", "#/components/schemas/Thing/properties/name/pattern"),
    ]
    assert not [d for d in found if d["severity"] == "error"]
    assert all(resolves(data, d["pointer"]) for d in found)
    assert sdkgen("generate", spec, "-o", "out", "-q").exit_code == 0
    assert sdkgen("validate", spec, "--strict", "-q").exit_code == 1


def test_other_errors_beside_an_uncheckable_pattern_are_still_reported() -> None:
    schema = {"type": "string", "pattern": "(?i)x", "minLength": -1}
    found = diagnostics("validate", write(document(Q=schema)))
    assert [(d["code"], d["pointer"]) for d in found if d["code"] in ("SDK013", "SDK015")] == [
        ("SDK013", "#/components/schemas/Q/minLength"),
        ("SDK015", "#/components/schemas/Q/pattern"),
    ]


def test_pattern_text_in_examples_is_not_a_pattern() -> None:
    thing = {"type": "object", "example": {"pattern": "(?i)not a schema"}}
    found = diagnostics("validate", write(document(Thing=thing)))
    assert "SDK015" not in {d["code"] for d in found}


# --- YAML 1.2 ------------------------------------------------------------------------------------

# The YAML 1.2.2 core schema (section 10.3.2): plain scalars and what they are; everything else
# is a string, whatever YAML 1.1 made of it.
CORE_SCHEMA = [
    ("~", None),
    ("null", None),
    ("NULL", None),
    ("", None),
    ("true", True),
    ("False", False),
    ("TRUE", True),
    ("0", 0),
    ("-19", -19),
    ("012", 12),  # decimal in 1.2, octal 10 in 1.1
    ("0o14", 12),
    ("0x1F", 31),
    ("1.5", 1.5),
    ("-.5", -0.5),
    ("1e3", 1000.0),
    (".inf", float("inf")),
    ("-.Inf", float("-inf")),
    ("yes", "yes"),
    ("No", "No"),
    ("on", "on"),
    ("OFF", "OFF"),
    ("y", "y"),
    ("2018-02-30T17:32:28Z", "2018-02-30T17:32:28Z"),  # no such day: 1.1 loaders crash
    ("2001-12-14", "2001-12-14"),
    ("2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5"),
    ("1_000", "1_000"),
    ("1:20", "1:20"),
    ("0b101", "0b101"),
    ("=", "="),
    ("!!timestamp 2018-02-30", "2018-02-30"),
]


@pytest.mark.parametrize(("text", "value"), CORE_SCHEMA)
def test_yaml_scalars_follow_the_yaml_1_2_core_schema(text: str, value: Json) -> None:
    loaded = load.parse(f"value: {text}\n".encode(), "doc.yaml")
    assert loaded == {"value": value}
    assert type(loaded["value"]) is type(value)


def test_yaml_nan_and_merge_keys() -> None:
    loaded = load.parse(b"a: .NaN\nbase: &b {x: 1}\nc: {<<: *b, y: 2}\n", "doc.yaml")
    assert loaded["a"] != loaded["a"]
    assert loaded["c"] == {"x": 1, "y": 2}  # kept from YAML 1.1: documents use them


YAML_DOC = """\
openapi: 3.0.3
info: {title: Dates, version: 2020-01-01}
paths:
  /events:
    get:
      operationId: listEvents
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Event"}
              example: {when: 2018-02-30T17:32:28Z, day: 2020-02-02, answer: yes}
        default: {description: error}
components:
  schemas:
    Event:
      type: object
      properties:
        when: {type: string, format: date-time, example: 2018-02-30T17:32:28Z}
        day: {type: string, format: date, default: 2020-02-02}
        answer: {type: string, enum: [yes, no, on, off], default: no}
"""


def test_a_yaml_document_with_dates_and_yes_no_validates_and_generates(
    import_generated: Any,
) -> None:
    Path("spec.yaml").write_text(YAML_DOC, encoding="utf-8")
    assert osv_errors(yaml.load(YAML_DOC, Loader=load_loader())) == []
    validated = sdkgen("validate", "spec.yaml")
    assert validated.exit_code == 0, validated.output
    assert "SDK013" not in validated.output
    assert sdkgen("generate", "spec.yaml", "-o", "out", "--package-name", "dates").exit_code == 0
    models = import_generated(Path("out"), "dates").models
    assert [m.value for m in models.EventAnswer] == ["yes", "no", "on", "off"]


def load_loader() -> Any:
    from generator.yaml12 import Loader

    return Loader


# --- empty paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"openapi": "3.0.3", "info": {"title": "Empty", "version": "1"}, "paths": {}},
        {"openapi": "3.1.0", "info": {"title": "Empty", "version": "1"}, "components": {}},
    ],
    ids=["3.0-empty-paths", "3.1-no-paths"],
)
def test_a_document_without_paths_generates_an_empty_client(
    data: Json, import_generated: Any
) -> None:
    assert osv_errors(data) == []
    result = sdkgen("generate", write(data), "-o", "out", "--package-name", "empty")
    assert result.exit_code == 0, result.output
    assert "WARNING SDK208 spec.json#/paths: the document has no paths" in result.stderr
    package = import_generated(Path("out"), "empty")
    with package.Client(base_url="http://test") as client:  # no security scheme: no key
        assert client.with_raw_response is not None


# --- the summary's hint --------------------------------------------------------------------------

HINT = "--skip-validation generates anyway"


def test_the_hint_is_given_when_skipping_validation_would_generate() -> None:
    spec = write(document(Q={"type": "string", "minLength": -1}))
    refused = sdkgen("generate", spec, "-o", "out")
    assert refused.exit_code == 1
    assert HINT in refused.stderr
    assert sdkgen("generate", spec, "-o", "out", "--skip-validation", "-q").exit_code == 0


@pytest.mark.parametrize(
    "change",
    [
        # SDK010: refused even with --skip-validation (a $ref the bundler does not follow)
        {"Q": {"type": "object", "default": {"$ref": "other.yaml#/Q"}}},
        {"Q": {"type": "string", "minLength": -1, "x-sdkgen-bogus": 1}},  # SDK013 and SDK120
    ],
    ids=["external-ref", "extension-error-too"],
)
def test_the_hint_is_not_given_when_skipping_validation_would_not_help(
    change: dict[str, Json],
) -> None:
    spec = write(document(**change))
    refused = sdkgen("generate", spec, "-o", "out")
    assert refused.exit_code == 1
    assert "is not acceptable" in refused.stderr
    assert HINT not in refused.stderr
    assert sdkgen("generate", spec, "-o", "out", "--skip-validation", "-q").exit_code == 1


# --- every error at an absolute pointer, worded for a person --------------------------------------

# The shapes of the errors OpenAI's document gave at `#` or at pointers relative to an inner
# schema: defaults that break their schema, and a meta-schema error deep inside a schema reached
# through a `$ref`.
JOB = {
    "type": "object",
    "properties": {
        "meta": {"type": "object", "default": None},
        "mode": {"type": "string", "enum": ["auto"], "default": ["auto"]},
        "name": {"type": "string", "default": []},
        "hyperparameters": {"type": "object", "properties": {"n": {"type": 7}}},
    },
}
JOB_ERRORS = {
    "3.0.3": [
        (
            "#/components/schemas/Job/properties/hyperparameters/properties/n/type",
            "7 is not of type 'string'",
        ),
        (
            "#/components/schemas/Job/properties/hyperparameters/properties/n/type",
            "7 is not one of ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']",
        ),
        (
            "#/components/schemas/Job/properties/meta/default",
            "the default does not match: None for not nullable (keyword 'type' of the schema "
            "at #/components/schemas/Job/properties/meta)",
        ),
        (
            "#/components/schemas/Job/properties/meta/default",
            "the default does not match: None is not of type 'object' (keyword 'type' of the "
            "schema at #/components/schemas/Job/properties/meta)",
        ),
        (
            "#/components/schemas/Job/properties/mode/default",
            "the default does not match: ['auto'] is not of type 'string' (keyword 'type' of "
            "the schema at #/components/schemas/Job/properties/mode)",
        ),
        (
            "#/components/schemas/Job/properties/mode/default",
            "the default does not match: ['auto'] is not one of ['auto'] (keyword 'enum' of "
            "the schema at #/components/schemas/Job/properties/mode)",
        ),
        (
            "#/components/schemas/Job/properties/name/default",
            "the default does not match: [] is not of type 'string' (keyword 'type' of the "
            "schema at #/components/schemas/Job/properties/name)",
        ),
    ],
}
JOB_ERRORS["3.1.0"] = [e for e in JOB_ERRORS["3.0.3"] if "for not nullable" not in e[1]][1:]


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_schema_errors_are_at_absolute_pointers(version: str) -> None:
    data = document(version, Job=JOB)
    data["components"]["schemas"]["Thing"] = {"$ref": "#/components/schemas/Job"}
    found = diagnostics("validate", write(data))
    errors = [(d["pointer"], d["message"]) for d in found if d["code"] == "SDK013"]
    assert errors == JOB_ERRORS[version]
    assert len(osv_errors(data)) == len(errors)  # the validator's findings, each once


MANY = """\
openapi: 3.0.3
info: {title: Many, version: "1"}
tags: [{name: a}, {name: a}]
paths:
  /a/{id}:
    get:
      operationId: same
      parameters:
        - {name: q, in: query, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Broken"}
  /b:
    get:
      operationId: same
      responses: {"200": {description: ok}}
components:
  schemas:
    Broken:
      type: object
      properties:
        x: {type: string, minLength: -1}
    Combined:
      allOf: [{$ref: "#/components/schemas/Broken"}]
      required: [x, zeta, alpha, mid]
"""


def test_the_validators_own_checks_are_at_absolute_pointers() -> None:
    Path("spec.yaml").write_text(MANY, encoding="utf-8")
    found = diagnostics("validate", "spec.yaml")
    errors = [(d["pointer"], d["message"]) for d in found if d["code"] == "SDK013"]
    expected = [
        ("#/components/schemas/Broken/properties/x/minLength", "-1 is less than the minimum of 0"),
        (
            "#/components/schemas/Combined/required",
            "Required list has not defined properties: ['alpha'",
        ),
        ("#/paths/~1a~1{id}/get", "Path parameter 'id' for 'get' operation in '/a/{id"),
        ("#/paths/~1a~1{id}/get/parameters", "Duplicate parameter 'q'"),
        ("#/paths/~1a~1{id}/get/parameters", "[{'name': 'q', 'in': 'query', 'schema': {'type':"),
        ("#/paths/~1b/get/operationId", "Operation ID 'same' for 'get' in '/b' is not uniqu"),
        ("#/tags", "Duplicate tag name 'a'"),
        ("#/tags", "[{'name': 'a'}, {'name': 'a'}] has non-unique elements"),
    ]
    assert [p for p, _ in errors] == [p for p, _ in expected]
    assert all(m.startswith(start) for (_, m), (_, start) in zip(errors, expected, strict=True))
    data = yaml.safe_load(MANY)
    assert all(resolves(data, d["pointer"]) for d in found)
    # The validator's nine findings; two are one (the document schema's `oneOf` on Broken, whose
    # deepest cause is the meta-schema check's finding), reported once.
    assert len(osv_errors(data)) == len(errors) + 1
    assert "['alpha', 'mid', 'zeta']" in found[1]["message"]  # sorted, whatever the hash seed


def test_an_unresolvable_ref_is_at_its_pointer_without_the_document() -> None:
    data = document(Thing={"type": "object", "properties": {"b": {"$ref": "#/components/x/Nope"}}})
    found = diagnostics("validate", write(data))
    unresolved = [(d["pointer"], d["message"]) for d in found if d["code"] == "SDK012"]
    assert unresolved == [
        (
            "#/components/schemas/Thing/properties/b/$ref",
            "$ref '#/components/x/Nope' points to nothing",
        )
    ]


# --- SDK004 at the place that nests too deeply (issue 15: it was always `#`) ------------------


def sdk004_pointer(text: str, name: str) -> str:
    from generator import load
    from generator.diagnostics import Fatal

    with pytest.raises(Fatal) as raised:
        load.parse(text.encode("utf-8"), name)
    (found,) = raised.value.diagnostics
    assert found.code == "SDK004"
    return found.pointer


def test_nesting_too_deep_is_reported_where_it_goes_too_deep() -> None:
    from generator.load import MAX_DEPTH

    deep = "[" * 200 + "]" * 200
    expected = "#/x-deep" + "/0" * (MAX_DEPTH - 1)
    assert sdk004_pointer('{"a": 1, "x-deep": ' + deep + "}", "spec.json") == expected
    assert sdk004_pointer("a: 1\nx-deep: " + deep + "\n", "spec.yaml") == expected
    # past the parsers' own limits (json's recursion, libyaml's flow level): the same place
    very = "[" * 5000 + "]" * 5000
    assert sdk004_pointer('{"a": 1, "x-deep": ' + very + "}", "spec.json") == expected
    assert sdk004_pointer("a: 1\nx-deep: " + very + "\n", "spec.yaml") == "#/x-deep"
    mapping = "a: 1\nx-deep: " + "{k: " * 5000 + "1" + "}" * 5000 + "\n"
    assert sdk004_pointer(mapping, "spec.yaml") == "#/x-deep" + "/k" * (MAX_DEPTH - 1)


def test_a_document_that_expands_too_far_is_reported_at_the_node_that_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generator import load

    monkeypatch.setattr(load, "MAX_NODES", 50)
    text = "a: 1\nx-lol: &l [a, b, c, d, e, f, g, h]\nx-bomb: [*l, *l, *l, *l, *l, *l, *l, *l]\n"
    assert sdk004_pointer(text, "spec.yaml") == "#/x-bomb"


def test_a_schema_the_validator_cannot_walk_is_reported_where_its_walk_starts() -> None:
    from tests.test_quickcheck import chain

    found = validate.validate(chain(3000))
    assert [(d.code, d.pointer) for d in found] == [("SDK004", "#/components/schemas/A0")]
