"""`generator.conforms` against openapi-schema-validator, the validator it stands in for.

`conforms` may only say True when the validator finds no error, and `explain` may only answer
with exactly the validator's errors (paths, messages, order): on every example of the real
specs, and on random schemas and values.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator import lint, load, validate
from generator.conforms import conforms, explain
from tests.conftest import SHARED_SPECS as SPECS

MODES = (None, "read", "write")
EXAMPLES = int(os.environ.get("SDKGEN_CONFORMS_EXAMPLES", "300"))


def validator_errors(
    doc: dict[str, Any], schema_at: tuple[Any, ...], value: Any, mode: str | None
) -> list[tuple[tuple[Any, ...], str]] | None:
    """What openapi-schema-validator reports (None when it raises), worded as lint words it."""
    from openapi_schema_validator import OAS30ReadValidator, OAS30Validator, OAS30WriteValidator

    cls = {None: OAS30Validator, "read": OAS30ReadValidator, "write": OAS30WriteValidator}[mode]
    pointer = "#" + "".join(
        "/" + quote(str(p).replace("~", "~0").replace("/", "~1")) for p in schema_at
    )
    skip = {"id", "$id", "$schema", *cls.VALIDATORS}
    root = {k: v for k, v in doc.items() if k not in skip} | {"$ref": pointer}
    try:
        errors = cls(root).iter_errors(value)
        return [(tuple(e.absolute_path), lint._clip(str(e.message))) for e in errors]
    except Exception:
        return None


def check(doc: dict[str, Any], schema_at: tuple[Any, ...], value: Any, mode: str | None) -> str:
    """Compare; 'conforms', 'explained' or 'validator' (the fast paths declined)."""
    schema: Any = doc
    for part in schema_at:
        schema = schema[part]
    truth = validator_errors(doc, schema_at, value, mode)
    if conforms(doc, schema, value, mode):
        # None: the validator itself fails (a recursion it never leaves), so there is no
        # verdict to compare with; conforms' yes then only spares lint that crash.
        assert truth in ([], None), f"conforms said yes, the validator: {truth}"
        return "conforms"
    explained = explain(doc, schema, value, mode)
    if explained is not None:
        assert truth is not None
        assert [(p, lint._clip(m)) for p, m in explained] == truth
        return "explained"
    return "validator"


# --- every example of the real specs ----------------------------------------------------------


def real_specs() -> list[Path]:
    if not SPECS.is_dir():
        pytest.fail(f"{SPECS} is missing: the Leonardo spec and public/ are read from there")
    return [
        SPECS / "leonardo-ai-variation-openapi.json",
        *sorted((SPECS / "public").glob("*.json")),
    ]


@pytest.mark.parametrize("name", ["leonardo", "box-openapi-v2025.0", "twilio_conversations_v1"])
def test_every_example_of_the_real_specs(name: str) -> None:
    path = next(p for p in real_specs() if p.stem.startswith(name))
    doc = validate.string_keys(load.load(str(path)).data)[0]
    index = lint._index(doc)
    outcomes: list[str] = []
    for site, parts, mode in index.sites:
        if "schema" in site:
            for value, _ in lint._examples(doc, site, parts):
                outcomes.append(check(doc, (*parts, "schema"), value, mode))
    assert outcomes
    if name == "leonardo":  # its four examples need no validator: two conform, two explained
        assert sorted(outcomes) == ["conforms", "conforms", "explained", "explained"]
    assert "validator" not in outcomes  # lint never imports the validator for these specs


# --- random schemas and values ----------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "a", "A1", "abc", "2024-01-31", "2024-02-30T10:00:00Z", "x@y", "٣"]),
    st.text(max_size=6),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c", "$ref"]), inner, max_size=3),
    ),
    max_leaves=8,
)
leaf_rules = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["string", "integer", "number", "boolean", "array", "object"]),
        "nullable": st.booleans(),
        "enum": st.lists(scalars, min_size=1, max_size=3),
        "format": st.sampled_from(
            ["int32", "int64", "float", "date", "date-time", "email", "uuid", "uri", "byte", "x"]
        ),
        "pattern": st.sampled_from(["^a", "[0-9]$", "^\\d+$", "b|c"]),
        "minLength": st.integers(0, 3),
        "maxLength": st.integers(0, 3),
        "minimum": st.integers(-5, 5),
        "maximum": st.integers(-5, 5),
        "exclusiveMinimum": st.booleans(),
        "readOnly": st.booleans(),
        "writeOnly": st.booleans(),
        "description": st.just("d"),
    },
)


def compound(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from(["a", "b", "c"])
    return st.one_of(
        st.fixed_dictionaries(
            {"properties": st.dictionaries(names, inner, max_size=3)},
            optional={
                "type": st.just("object"),
                "required": st.lists(names, min_size=1, max_size=2, unique=True),
                "additionalProperties": st.one_of(st.booleans(), inner),
                "minProperties": st.integers(0, 2),
            },
        ),
        st.fixed_dictionaries(
            {"items": inner},
            optional={
                "type": st.just("array"),
                "minItems": st.integers(0, 2),
                "uniqueItems": st.booleans(),
            },
        ),
        st.fixed_dictionaries({"allOf": st.lists(inner, min_size=1, max_size=2)}),
        st.fixed_dictionaries({"anyOf": st.lists(inner, min_size=1, max_size=2)}),
        st.fixed_dictionaries({"oneOf": st.lists(inner, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"$ref": st.just("#/components/schemas/Shared")}),
    )


schemas = st.recursive(leaf_rules, compound, max_leaves=6)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    schema=schemas,
    shared=schemas,
    value=values,
    mode=st.sampled_from(MODES),
)
@example(  # anyOf's {} accepts anything; the validator recurses forever into Shared first
    schema={"anyOf": [{"$ref": "#/components/schemas/Shared"}, {}]},
    shared={"allOf": [{"type": "string"}, {"$ref": "#/components/schemas/Shared"}]},
    value=None,
    mode=None,
)
def test_random_schemas_and_values(
    schema: dict[str, Any], shared: dict[str, Any], value: Any, mode: str | None
) -> None:
    doc = {"components": {"schemas": {"S": schema, "Shared": shared}}}
    check(doc, ("components", "schemas", "S"), value, mode)
