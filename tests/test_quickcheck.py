"""Soundness of the quick validity proof, `generator.quickcheck.proves_valid`.

`sdkgen` skips openapi-spec-validator (osv) when `proves_valid` says a document is valid, so the
proof may answer False for a valid document (osv then runs anyway) but never True for one osv
refuses, whether with an error or by raising (an unresolvable `$ref`, a recursion too deep).
Every test here holds it to `proves_valid(d) implies osv_valid(d)`, with osv 0.9 run as the CLI
runs it (the pure-Python jsonschema backend) as the oracle, on:

- every document the other tests use: tests/hostile/, the golden specs, the documents of
  tests/support/documents.py, the invalid-but-common documents of tests/test_invalid_specs.py
  and random documents from tests/strategies.py;
- the real documents in ../shared/specs (Leonardo, also with the default job's overlay, and each
  public spec), which must also be proved valid, so that the fast path is really taken (as it
  must be for the valid golden specs and GOOD_SPEC);
- targeted random documents grown from one small valid document, one strategy per group of
  modelled rules: schemas (every keyword, in the places osv walks and in places it does not,
  often with a default), defaults alone (each keyword and format the default check decides,
  values at their edges: bool/int, 1/1.0, None, int32/int64 limits, unicode digits),
  parameters and path templates (duplicates, escaped and malformed braces, $refs to
  parameters and path items, operationIds, tags), references (escaped, percent-encoded,
  anchors, broken, cycles through allOf/items/properties, a property named `$ref`);
- each counterexample found so far, as a minimal document: osv refuses it (a plain test) and
  `proves_valid` must not accept it (`xfail(strict=True)` while the bug stands). The random
  tests tolerate those bugs only (`known_bug`), so that they keep finding new ones.

The random budget is SDKGEN_QUICKCHECK_EXAMPLES documents (150 by default), split across the
strategies. `python -m tests.test_quickcheck` runs only the strategies and prints, for each, how
many documents it drew, how many were proved valid and how many osv accepted (set
SDKGEN_QUICKCHECK_EXAMPLES=3000 for a big run).
"""

from __future__ import annotations

import copy
import json
import os
import re
import string
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from generator import load, overlay, quickcheck, validate
from tests.conftest import REPO
from tests.strategies import openapi_documents
from tests.support.documents import GOOD_SPEC, big_document
from tests.test_golden import CASES as GOLDEN_CASES
from tests.test_golden import GOLDEN
from tests.test_hostile import CORPUS as HOSTILE_CORPUS
from tests.test_hostile import deepest_accepted
from tests.test_invalid_specs import CASES as INVALID_CASES
from tests.test_public_specs import public_spec

Json = Any
Pair = tuple[Json, Json]  # a schema and a value meant to match it (a default candidate)

EXAMPLES = int(os.environ.get("SDKGEN_QUICKCHECK_EXAMPLES", "150"))
PUBLIC_SPECS = (
    "box-openapi-v2025.0.json",
    "box-openapi.json",
    "github-api.github.com-2022-06.json",
    "stripe-spec3-2022-04.json",
    "twilio_conversations_v1.json",
)
LEONARDO_OVERLAY = REPO / "specs" / "leonardo-variation.overlay.yaml"


# --- the oracle ------------------------------------------------------------------------------


def osv_complaint(data: Json) -> str | None:
    """openapi-spec-validator's first complaint about `data`: its first error, or the exception
    it raises (an unresolvable $ref, a recursion too deep); None when it finds nothing wrong."""
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema"  # as the CLI
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    is_3_1 = isinstance(data, dict) and str(data.get("openapi", "")).startswith("3.1")
    spec_validator = OpenAPIV31SpecValidator if is_3_1 else OpenAPIV30SpecValidator
    try:
        found = next(iter(spec_validator(copy.deepcopy(data)).iter_errors()), None)
    except Exception as exc:
        return f"raises {type(exc).__name__}: {_first_line(exc)}"
    return None if found is None else _first_line(found)


def osv_valid(data: Json) -> bool:
    return osv_complaint(data) is None


def proves(data: Json) -> bool:
    return quickcheck.proves_valid(copy.deepcopy(data))


def assert_sound(data: Json) -> bool:
    """`proves_valid(data)`, once osv has confirmed a True answer."""
    proved = proves(data)
    if proved:
        complaint = osv_complaint(data)
        assert complaint is None, f"proves_valid says valid; openapi-spec-validator: {complaint}"
    return proved


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines() or [type(value).__name__]
    return lines[0][:300]


# --- documents as the CLI reads them ---------------------------------------------------------


def as_read(document: load.Document) -> Json:
    """What the CLI validates: the loaded data with every key a string."""
    return validate.string_keys(document.data)[0]


def read(path: Path) -> Json:
    """The document as written, its `$ref`s to other files not bundled: the hostile corpus has
    references that the loader refuses, and they must not fool the quick check either."""
    data = load.parse(path.read_bytes(), str(path))
    return validate.string_keys(data)[0]


def parse(text: str, name: str) -> Json:
    return as_read(load.document(text.encode("utf-8"), name))


# --- 1. the repository's documents -----------------------------------------------------------


@pytest.mark.parametrize("path", HOSTILE_CORPUS, ids=lambda p: p.name)
def test_hostile_documents(path: Path) -> None:
    assert_sound(read(path))


@pytest.mark.parametrize("name", sorted(INVALID_CASES))
def test_invalid_but_common_documents(name: str) -> None:
    assert_sound(parse(INVALID_CASES[name].spec, f"{name}.yaml"))


SUPPORT_DOCUMENTS: dict[str, Callable[[], Json]] = {
    "GOOD_SPEC": lambda: parse(GOOD_SPEC, "good.yaml"),
    "deepest_accepted": lambda: parse(deepest_accepted(), "deepest.json"),
    "big_document": lambda: parse(big_document(1), "big.json"),
}


@pytest.mark.parametrize("name", sorted(SUPPORT_DOCUMENTS))
def test_support_documents_are_proved_valid(name: str) -> None:
    """tests/support/documents.py (the 10,000-level nesting and the alias bombs are refused by
    the loader, so they never reach validation)."""
    assert assert_sound(SUPPORT_DOCUMENTS[name]()), "valid, but not proved valid"


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden_specs_are_proved_valid(case: str) -> None:
    assert assert_sound(read(GOLDEN / case / "spec.yaml")), "valid, but not proved valid"


def test_leonardo_is_proved_valid(leonardo_spec: Path) -> None:
    assert assert_sound(read(leonardo_spec)), "valid, but the fast path is not taken"


def test_leonardo_with_the_default_jobs_overlay_is_proved_valid(leonardo_spec: Path) -> None:
    data, found = overlay.apply(read(leonardo_spec), str(LEONARDO_OVERLAY))
    assert not [d for d in found if d.severity.value == "error"], found
    assert assert_sound(data), "valid, but the fast path is not taken"


@pytest.mark.parametrize("name", PUBLIC_SPECS)
def test_public_specs_are_proved_valid(name: str) -> None:
    assert assert_sound(read(public_spec(name))), "valid, but the fast path is not taken"


# --- 2. random documents: the tolerated (known) bugs -----------------------------------------


def _nodes(data: Json) -> Iterator[Json]:
    stack = [data]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _refs(data: Json) -> Iterator[str]:
    for node in _nodes(data):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            yield node["$ref"]


def _keys(data: Json) -> Iterator[str]:
    for node in _nodes(data):
        if isinstance(node, dict):
            yield from (k for k in node if isinstance(k, str))


# Each known bug (with its xfail test below) and how to recognise its counterexamples, by the
# document and osv's complaint; remove an entry when its xfail test starts passing. The eight
# found so far are fixed; their tests below stay as regression tests.
KNOWN_BUGS: dict[str, Callable[[Json, str], bool]] = {}


def known_bug(doc: Json, complaint: str) -> str | None:
    return next((name for name, seen in KNOWN_BUGS.items() if seen(doc, complaint)), None)


STATS: Counter[tuple[str, str]] = Counter()


def check_random(strategy: str, doc: Json) -> None:
    """Soundness on one random document, counted in STATS; a known bug is only counted."""
    note(json.dumps(doc, indent=1, ensure_ascii=False, default=repr))
    proved = proves(doc)
    complaint = osv_complaint(doc)
    STATS[strategy, "examples"] += 1
    STATS[strategy, "proved valid"] += proved
    STATS[strategy, "osv valid"] += complaint is None
    event("proved valid" if proved else "not proved")
    if proved and complaint is not None:
        bug = known_bug(doc, complaint)
        assert bug is not None, f"proves_valid says valid; openapi-spec-validator: {complaint}"
        STATS[strategy, f"known bug: {bug}"] += 1
        event(f"known bug: {bug}")


def budget(share: float) -> int:
    return max(1, round(EXAMPLES * share))


RANDOM = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)


# --- 2. random documents: the small valid document they grow from ----------------------------

ITEM_PATH = "/items/{id}"


def ref(name: str, where: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{where}/" + name.replace("~", "~0").replace("/", "~1")}


def base_document() -> dict[str, Json]:
    """One path with a path parameter, one operation, one component schema: valid. (The
    strategies add HELPERS, the component schemas their random schemas may refer to.)"""
    path_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    response = {
        "description": "ok",
        "content": {"application/json": {"schema": ref("Item")}},
    }
    operation = {
        "operationId": "getItem",
        "parameters": [path_parameter],
        "responses": {"200": response},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Quick", "version": "1"},
        "paths": {ITEM_PATH: {"get": operation}},
        "components": {
            "schemas": {"Item": {"type": "object", "properties": {"name": {"type": "string"}}}}
        },
    }


def get_operation(doc: Json) -> dict[str, Json]:
    operation: dict[str, Json] = doc["paths"][ITEM_PATH]["get"]
    return operation


def check_base_document() -> None:
    assert proves(base_document()) and osv_valid(base_document())


# Components with a value known to match them, so that a `$ref` can carry a default.
HELPERS: dict[str, Pair] = {
    "Str": ({"type": "string", "maxLength": 3}, "abc"),
    "Int": ({"type": "integer", "format": "int32", "minimum": 0}, 7),
    "Node": (
        {"type": "object", "properties": {"v": {"type": "integer"}, "next": ref("Node")}},
        {"v": 1, "next": {"v": 2}},
    ),
    "Tree": ({"type": "array", "items": ref("Tree")}, [[], [[]]]),
}


def with_helpers(doc: Json) -> Json:
    doc["components"]["schemas"].update({k: copy.deepcopy(v[0]) for k, v in HELPERS.items()})
    return doc


# --- 2a. schemas and defaults ----------------------------------------------------------------

INT_EDGES = [0, 1, -1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**53 + 1]
INT_EDGES += [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**30]
FLOATS = [0.0, -0.0, 0.5, 1.0, 3.0, 1e300, -1e-300, 2.0**31, 2.0**63]
UUID = "12345678-1234-1234-1234-123456789012"
# Strings near each format's edge, unicode digits included; any format may get any of them.
FORMAT_SAMPLES: dict[str, list[Json]] = {
    "date": ["2020-01-01", "2020-02-30", "2020-1-1", "0000-01-01", "2020-01-01\n"],
    "date-time": ["2020-01-01T00:00:00Z", "2020-01-01t00:00:00z", "2020-01-01T00:00:00.5+01:00"],
    "time": ["12:00:00", "12:00:00Z", "12:00:00+01:00", "12:00:00.5Z", "25:00:00", "12:00"],
    "email": ["a@b", "ab", "@", "\u0663@\u0663"],
    "uuid": [UUID, UUID.replace("-", ""), "{" + UUID + "}", UUID.upper(), "urn:uuid:" + UUID],
    "byte": ["aGVsbG8=", "aGVsbG8", "====", "", "\u0663\u0663\u0663\u0663"],
    "ipv4": ["127.0.0.1", "0.0.0.0", "01.2.3.4", "1.2.3", "\u0661.2.3.4"],
    "ipv6": ["::1", "fe80::1%eth0", "::ffff:1.2.3.4", ":::", "1::2::3"],
    "int32": [0, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 1.5, True],
    "int64": [0, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2.0**63, False],
    "float": [0.5, 1, 2**64, True, "1.5", -0.0],
    "other": ["example.com", "http://x", "a b", "(", "", "\x00", "\u0663"],
}
FORMAT_SAMPLES["date-time"] += [
    "2020-01-01T24:00:00Z",
    "2020-01-01T23:59:60Z",
    "2020-02-30T00:00:00Z",
]
FORMAT_SAMPLES["idn-email"] = FORMAT_SAMPLES["email"]
FORMAT_SAMPLES["double"] = FORMAT_SAMPLES["float"]
FORMATS = [*FORMAT_SAMPLES, "binary", "password", "uri", "uri-reference", "hostname"]
FORMATS += ["idn-hostname", "regex", "x-custom"]
STRINGS = ["", "a", "abc", "0", "1", "true", "null", "\n", "a\n", "\x00", "é", "x" * 40]
STRINGS += [
    "\u0663",
    "\u0661\u0662\u0663",
    "\uff11",
    "\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0661",
]
STRINGS += [v for values in FORMAT_SAMPLES.values() for v in values if isinstance(v, str)]
PATTERNS = ["^a", "^[a-z]*$", "\\d+", "^\\d{3}$", "^$", ".*", "é", "(", "[a-", "a{2,1}"]
PATTERNS += ["\\p{L}", "(?P<n>a)", "(?<n>a)", "\\Z", "^\\w+$"]
PROPERTY_NAMES = ["name", "id", "$ref", "a/b", "~1", "..", "", "pattern", "default", "\u0663"]
PROPERTY_NAMES += ["x-y", "required", "é"]
KINDS = ["string", "integer", "number", "boolean", None]


def values_of(kind: str | None) -> st.SearchStrategy[Json]:
    ints = st.one_of(st.sampled_from(INT_EDGES), st.integers(-1000, 1000))
    floats = st.one_of(st.sampled_from(FLOATS), st.floats(allow_nan=False, allow_infinity=False))
    strings = st.one_of(st.sampled_from(STRINGS), st.text(max_size=5))
    by_kind: dict[str | None, st.SearchStrategy[Json]] = {
        "string": strings,
        "integer": ints,
        "number": st.one_of(ints, floats),
        "boolean": st.booleans(),
    }
    return by_kind.get(kind, st.one_of(strings, ints, floats, st.booleans(), st.none()))


def kind_of(value: Json) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string"}.get(type(value), "object")


def near_misses(value: Json) -> list[Json]:
    """Values a careless check would confuse with `value`: bool/int, 1/1.0, None, a longer
    string, a list around it, an object with a member more or less."""
    found: list[Json] = [None]
    if isinstance(value, bool):
        found += [int(value), float(value), not value]
    elif isinstance(value, int):
        found += [value + 1, value - 1, str(value), float(value) if abs(value) < 2**53 else 1.5]
        found += [bool(value)] if value in (0, 1) else []
    elif isinstance(value, float):
        found += [-value, value * 2, int(value) if value.is_integer() and abs(value) < 2**53 else 0]
    elif isinstance(value, str):
        found += [value + "x", value[:-1], value.upper(), [value]]
    elif isinstance(value, list):
        found += [value + value, value[:-1], [value], [True], [1]]
    elif isinstance(value, dict):
        found += [{}, {**value, "extra": 1}, dict(list(value.items())[:-1])]
        found += [{"$ref": "#/components/schemas/Str"}, {"$ref": "#/nowhere"}]
    return found


Adder = Callable[[st.DrawFn, dict[str, Json], Json], None]


def add_bounds(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else 0
    offsets = st.sampled_from([0, 0, 1, -1, 0.5])
    if draw(st.booleans()):
        schema["minimum"] = number - draw(offsets)
        if draw(st.booleans()):
            schema["exclusiveMinimum"] = draw(st.booleans())
    if draw(st.booleans()):
        schema["maximum"] = number + draw(offsets)
        if draw(st.booleans()):
            schema["exclusiveMaximum"] = draw(st.booleans())


def add_lengths(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    size = len(value) if isinstance(value, str) else 2
    keyword = draw(st.sampled_from(["minLength", "maxLength"]))
    schema[keyword] = max(0, size + draw(st.sampled_from([0, 0, 1, -1])))


def add_pattern(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    exact = "^" + re.escape(value) + "$" if isinstance(value, str) else "^$"
    schema["pattern"] = draw(st.sampled_from([exact, *PATTERNS]))


def add_format(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    schema["format"] = draw(st.sampled_from(FORMATS))


def add_enum(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    misses = st.sampled_from(near_misses(value))
    choices = draw(st.lists(misses, min_size=1, max_size=3, unique_by=repr))
    if draw(st.booleans()):  # the value itself, first or last (1 and 1.0 are not unique)
        choices = [value, *choices] if draw(st.booleans()) else [*choices, value]
    schema["enum"] = choices


def add_nullable(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    schema["nullable"] = draw(st.sampled_from([True, True, False]))


def add_annotations(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    annotations = {
        "description": "d",
        "title": "t",
        "example": value,
        "deprecated": True,
        "readOnly": True,
        "writeOnly": True,
        "x-note": {"$ref": "#/nowhere"},
    }
    for keyword in draw(st.lists(st.sampled_from(sorted(annotations)), max_size=2)):
        schema[keyword] = annotations[keyword]


def add_multiple_of(draw: st.DrawFn, schema: dict[str, Json], value: Json) -> None:
    schema["multipleOf"] = draw(st.sampled_from([1, 2, 0.5]))


ADDERS: list[Adder] = [
    add_bounds,
    add_lengths,
    add_pattern,
    add_format,
    add_enum,
    add_nullable,
    add_annotations,
    add_multiple_of,
]


@st.composite
def primitives(draw: st.DrawFn) -> Pair:
    """A scalar schema and a value: often a format with a value near its edge."""
    fmt = draw(st.one_of(st.none(), st.sampled_from(FORMATS)))
    if fmt is None:
        kind = draw(st.sampled_from(KINDS))
        value = draw(values_of(kind))
    else:
        value = draw(st.sampled_from(FORMAT_SAMPLES.get(fmt, FORMAT_SAMPLES["other"])))
        kind = draw(st.sampled_from([kind_of(value), kind_of(value), None, "string"]))
    schema: dict[str, Json] = {} if kind is None else {"type": kind}
    if fmt is not None:
        schema["format"] = fmt
    for adder in draw(st.lists(st.sampled_from(ADDERS), max_size=3, unique=True)):
        adder(draw, schema, value)
    return schema, value


@st.composite
def helper_refs(draw: st.DrawFn) -> Pair:
    name = draw(st.sampled_from(sorted(HELPERS)))
    node: dict[str, Json] = ref(name)
    siblings: dict[str, Json] = draw(
        st.sampled_from([{}, {}, {"description": "d"}, {"nullable": True}])
    )
    return {**node, **siblings}, copy.deepcopy(HELPERS[name][1])


@st.composite
def arrays(draw: st.DrawFn, inner: st.SearchStrategy[Pair]) -> Pair:
    item_schema, item_value = draw(inner)
    count = draw(st.integers(0, 3))
    schema: dict[str, Json] = {"type": "array"} if draw(st.booleans()) else {}
    if draw(st.integers(0, 4)):
        schema["items"] = item_schema
    if draw(st.booleans()):
        schema[draw(st.sampled_from(["minItems", "maxItems"]))] = count + draw(
            st.sampled_from([0, 1, -1])
        )
    if draw(st.booleans()):
        schema["uniqueItems"] = draw(st.booleans())
    schema = {k: max(v, 0) if k in ("minItems", "maxItems") else v for k, v in schema.items()}
    return schema, [copy.deepcopy(item_value) for _ in range(count)]


@st.composite
def objects(draw: st.DrawFn, inner: st.SearchStrategy[Pair]) -> Pair:
    names = draw(st.lists(st.sampled_from(PROPERTY_NAMES), max_size=3, unique=True))
    pairs = {name: draw(inner) for name in names}
    schema: dict[str, Json] = {"type": "object"} if draw(st.integers(0, 3)) else {}
    if bool(names) or draw(st.booleans()):
        schema["properties"] = {name: pair[0] for name, pair in pairs.items()}
    present = [name for name in names if draw(st.integers(0, 3))]
    required = draw(st.lists(st.sampled_from([*names, "missing"]), max_size=2, unique=True))
    if required:
        schema["required"] = required
    extra = draw(st.sampled_from([None, None, True, False, {"type": "string"}]))
    if extra is not None:
        schema["additionalProperties"] = extra
    if draw(st.integers(0, 5)) == 0:
        schema[draw(st.sampled_from(["minProperties", "maxProperties"]))] = len(present)
    value: dict[str, Json] = {name: pairs[name][1] for name in present}
    if extra is not None and draw(st.integers(0, 3)) == 0:
        value["extra"] = "x"
    return schema, value


@st.composite
def combinations(draw: st.DrawFn, inner: st.SearchStrategy[Pair]) -> Pair:
    schema, value = draw(inner)
    other = draw(inner)[0]
    keyword = draw(st.sampled_from(["allOf", "anyOf", "oneOf", "not", "required", "tagged"]))
    if keyword == "not":
        return {"not": other}, value
    if keyword == "required":  # `required` against what the allOf members define
        defined = list(schema.get("properties", {})) if isinstance(schema, dict) else []
        names = draw(st.lists(st.sampled_from([*defined, "missing", "v"]), min_size=1, max_size=2))
        return {"allOf": [schema, other], "required": sorted(set(names))}, value
    members = draw(st.permutations([schema, other]))
    if keyword == "tagged":
        return {"oneOf": members, "discriminator": {"propertyName": "name"}}, value
    return {keyword: members}, value


@st.composite
def defaulted(draw: st.DrawFn, pairs: st.SearchStrategy[Pair]) -> Pair:
    """A schema with, often, a default: its matching value or a near miss."""
    schema, value = draw(pairs)
    if isinstance(schema, dict) and draw(st.integers(0, 2)):
        schema = dict(schema)
        schema["default"] = draw(st.one_of(st.just(value), st.sampled_from(near_misses(value))))
    return schema, value


def schemas_with_values(depth: int) -> st.SearchStrategy[Pair]:
    leaves = st.one_of(primitives(), primitives(), helper_refs())
    if depth == 0:
        return defaulted(leaves)
    inner = schemas_with_values(depth - 1)
    return defaulted(st.one_of(leaves, arrays(inner), objects(inner), combinations(inner)))


COMPONENT_KEYS = ["Item", "Other", "a.b", "-", "..", "\u0663", "a/b", "a~b", "$ref"]


def _parameter(schema: Json, where: str) -> dict[str, Json]:
    return {"name": "q", "in": where, "schema": schema}


def put_component(doc: Json, schema: Json, key: str) -> None:
    doc["components"]["schemas"][key] = schema


def put_path_parameter(doc: Json, schema: Json, key: str) -> None:
    get_operation(doc)["parameters"][0]["schema"] = schema


def put_query_parameter(doc: Json, schema: Json, key: str) -> None:
    get_operation(doc)["parameters"].append(_parameter(schema, "query"))


def put_path_level_parameter(doc: Json, schema: Json, key: str) -> None:
    doc["paths"][ITEM_PATH].setdefault("parameters", []).append(_parameter(schema, "header"))


def put_response(doc: Json, schema: Json, key: str) -> None:
    media = {"application/json": {"schema": schema}, "text/plain": {}}
    get_operation(doc)["responses"]["201"] = {"description": "made", "content": media}


def put_response_ref(doc: Json, schema: Json, key: str) -> None:
    responses = doc["components"].setdefault("responses", {})
    responses["R"] = {"description": "r", "content": {"application/json": {"schema": schema}}}
    get_operation(doc)["responses"]["default"] = ref("R", "responses")


def put_parameter_ref(doc: Json, schema: Json, key: str) -> None:
    doc["components"].setdefault("parameters", {})["P"] = _parameter(schema, "cookie")
    get_operation(doc)["parameters"].append(ref("P", "parameters"))


def put_request_body(doc: Json, schema: Json, key: str) -> None:  # osv does not walk it
    get_operation(doc)["requestBody"] = {"content": {"application/json": {"schema": schema}}}


def put_response_header(doc: Json, schema: Json, key: str) -> None:  # nor this
    get_operation(doc)["responses"]["200"]["headers"] = {"X-Rate": {"schema": schema}}


def put_unused_parameter(doc: Json, schema: Json, key: str) -> None:  # nor this
    doc["components"].setdefault("parameters", {})["Unused"] = _parameter(schema, "query")


def put_parameter_content(doc: Json, schema: Json, key: str) -> None:  # nor this
    content = {"application/json": {"schema": schema}}
    get_operation(doc)["parameters"].append({"name": "c", "in": "query", "content": content})


PLACES: dict[str, Callable[[Json, Json, str], None]] = {
    "component": put_component,
    "path parameter": put_path_parameter,
    "query parameter": put_query_parameter,
    "path-level parameter": put_path_level_parameter,
    "response": put_response,
    "response $ref": put_response_ref,
    "parameter $ref": put_parameter_ref,
    "request body": put_request_body,
    "response header": put_response_header,
    "unused parameter": put_unused_parameter,
    "parameter content": put_parameter_content,
}


@st.composite
def schema_documents(draw: st.DrawFn) -> Json:
    """The base document with random schemas, often with defaults, in places osv walks
    (component schemas, parameter schemas, response media types) and places it does not."""
    doc = with_helpers(base_document())
    for place in draw(st.lists(st.sampled_from(sorted(PLACES)), min_size=1, max_size=3)):
        schema = draw(schemas_with_values(2))[0]
        PLACES[place](doc, schema, draw(st.sampled_from(COMPONENT_KEYS)))
    return doc


WALKED = ["component", "path parameter", "query parameter", "path-level parameter", "response"]
WALKED += ["response $ref", "parameter $ref"]


@st.composite
def default_documents(draw: st.DrawFn) -> Json:
    """One schema with a default, its matching value or a near miss, in a place osv walks:
    mostly a scalar or an array of them (each keyword and format the default check decides,
    alone), else an object or a combination (allOf, oneOf, ...) one level deep."""
    scalars = primitives()
    schema, value = draw(st.one_of(scalars, scalars, arrays(scalars), schemas_with_values(1)))
    default = draw(st.one_of(st.just(value), st.sampled_from(near_misses(value))))
    doc = with_helpers(base_document())
    PLACES[draw(st.sampled_from(WALKED))](doc, {**schema, "default": default}, "Item")
    return doc


# --- 2b. parameters, path templates, operationIds and tags -----------------------------------

TEMPLATES = ["/items/{id}", "/items/{id}/{extra}", "/items/{{id}}", "/items/{{{id}}}"]
TEMPLATES += ["/items/{}", "/items/{id", "/items/id}", "/items/{id:x}", "/items/{id.a}"]
TEMPLATES += ["/items/{id[0]}", "/items/{id!r}", "/items", "/items/{ id }", "/items/{\u0663}"]
TEMPLATES += ["/items/{id}{id}", "/items/{id}/{{extra}}", "/items/{id}}}"]
PARAMETER_NAMES = ["id", "extra", "id.a", "id:x", "\u0663", " id ", "{id}", "", "q"]
LOCATIONS = ["path", "query", "query", "header", "cookie"]


def template_fields(template: str) -> list[str]:
    """The names a path template asks for, as osv reads them (none if it is malformed)."""
    try:
        return [f[1] for f in string.Formatter().parse(template) if f[1]]
    except ValueError:
        return []


def path_parameter(name: str) -> dict[str, Json]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


@st.composite
def parameters(draw: st.DrawFn) -> dict[str, Json]:
    where = draw(st.sampled_from(LOCATIONS))
    parameter: dict[str, Json] = {"name": draw(st.sampled_from(PARAMETER_NAMES)), "in": where}
    if where == "path" or draw(st.booleans()):
        parameter["required"] = draw(st.sampled_from([True, True, False]))
    parameter["schema"] = draw(schemas_with_values(0))[0]
    return parameter


@st.composite
def parameter_lists(draw: st.DrawFn, wanted: list[str]) -> list[Json]:
    """Mostly the path parameters `wanted`, with some dropped, doubled or added."""
    found: list[Json] = [path_parameter(name) for name in wanted if draw(st.integers(0, 5))]
    found += draw(st.lists(parameters(), max_size=2))
    if found and draw(st.integers(0, 5)) == 0:
        found.append(copy.deepcopy(draw(st.sampled_from(found))))
    return draw(st.permutations(found))


def refer_to_a_parameter(draw: st.DrawFn, doc: Json, listed: list[Json]) -> None:
    """Move one parameter to components.parameters and refer to it."""
    index = draw(st.integers(0, len(listed) - 1))
    name = draw(st.sampled_from(["P", "a.b", "P-1"]))
    doc["components"].setdefault("parameters", {})[name] = listed[index]
    listed[index] = ref(name, "parameters")


@st.composite
def parameter_documents(draw: st.DrawFn) -> Json:
    """Path templates (escaped, malformed, with format specs) against path-level and operation
    parameters (missing, extra, duplicated, behind a $ref), operationIds shared by operations
    and by a path item that refers to another one, tag names (duplicated or not)."""
    doc = with_helpers(base_document())
    template = draw(st.one_of(st.just(ITEM_PATH), st.sampled_from(TEMPLATES)))
    wanted = template_fields(template)
    item: dict[str, Json] = {}
    doc["paths"] = {template: item}
    shared_names = [name for name in wanted if draw(st.integers(0, 3)) == 0]
    if bool(shared_names) or draw(st.booleans()):
        item["parameters"] = draw(parameter_lists(shared_names))
    own = [name for name in wanted if name not in shared_names]
    for method in draw(
        st.lists(st.sampled_from(["get", "post", "x-get"]), min_size=1, max_size=2, unique=True)
    ):
        operation = copy.deepcopy(get_operation(base_document()))
        operation["operationId"] = draw(st.sampled_from(["getItem", "postItem", "getItem "]))
        operation["parameters"] = draw(parameter_lists(own))
        if operation["parameters"] and draw(st.booleans()):
            refer_to_a_parameter(draw, doc, operation["parameters"])
        if draw(st.booleans()):
            operation["tags"] = [draw(st.sampled_from(["a", "b"]))]
        item[method] = operation
    if draw(st.booleans()):  # a path item that is a reference to this one
        pointer = "#/paths/" + template.replace("~", "~0").replace("/", "~1")
        doc["paths"]["/copy" + template] = {
            "$ref": draw(st.sampled_from([pointer, quote(pointer, safe="#/~")]))
        }
    tags = draw(st.lists(st.sampled_from(["a", "b", "A", "a "]), max_size=3, unique=True))
    if tags and draw(st.integers(0, 3)) == 0:
        tags.append(draw(st.sampled_from(tags)))
    if tags:
        doc["tags"] = [{"name": tag} for tag in tags]
    return doc


# --- 2c. references --------------------------------------------------------------------------

POINTERS = ["#/components/schemas/Item", "#/components/schemas/Item/properties/name"]
POINTERS += ["#/components/schemas/Missing", "#/components/schemas/", "#foo", "#", "#/info"]
POINTERS += ["#/openapi", "#/paths/~1items~1{id}/get/parameters/0/schema"]
POINTERS += ["#/paths/~1items~1%7Bid%7D/get/parameters/0/schema"]
POINTERS += ["#/paths/~1items~1{id}/get/parameters/00/schema"]
POINTERS += ["#/paths/~1items~1{id}/get/parameters/-1/schema"]
POINTERS += ["#/paths/~1items~1{id}/get/parameters/\u0660/schema"]
POINTERS += ["#/paths/~1items~1{id}/get/parameters/0/schema/", "#/components/schemas/It%65m"]
POINTERS += ["#/components/schemas/Item%", "#/components%2Fschemas/Item", "#//components"]
POINTERS += ["#/components/schemas/Item#", "#/components/schemas/Item?x", "#/components/schemas/~2"]
POINTERS += ["#%2Fcomponents%2Fschemas%2FItem", "%23/components/schemas/Item", "Item.yaml"]
REFERENCE_KEYS = [*COMPONENT_KEYS, "Item\n"]


def pointers_to(keys: list[str]) -> list[str]:
    found = list(POINTERS)
    for key in keys:
        escaped = key.replace("~", "~0").replace("/", "~1")
        found += ["#/components/schemas/" + e for e in (escaped, quote(escaped, safe=""), key)]
    return found


@st.composite
def ref_schemas(draw: st.DrawFn, pointers: list[str], depth: int) -> Json:
    leaf = st.one_of(
        st.sampled_from(pointers).map(lambda p: {"$ref": p}),
        st.sampled_from(pointers).map(lambda p: {"$ref": p, "description": "sibling"}),
        st.just({"type": "string"}),
    )
    if depth == 0:
        return draw(leaf)
    inner = ref_schemas(pointers, depth - 1)
    shape = draw(
        st.sampled_from(["leaf", "properties", "items", "allOf", "anyOf", "oneOf", "not", "map"])
    )
    if shape == "leaf":
        return draw(leaf)
    if shape == "properties":
        names = draw(st.lists(st.sampled_from(PROPERTY_NAMES), min_size=1, max_size=2, unique=True))
        schema: dict[str, Json] = {"type": "object", "properties": {n: draw(inner) for n in names}}
        if draw(st.booleans()):
            schema["required"] = names[:1]
        return schema
    if shape == "items":
        return {"type": "array", "items": draw(inner)}
    if shape in ("not", "map"):
        return {"not": draw(inner)} if shape == "not" else {"additionalProperties": draw(inner)}
    return {shape: draw(st.lists(inner, min_size=1, max_size=2))}


@st.composite
def reference_documents(draw: st.DrawFn) -> Json:
    """Component schemas referring to each other (cycles through allOf, items, properties),
    with references escaped, percent-encoded, broken, to anchors or non-schemas."""
    doc = base_document()
    keys = draw(st.lists(st.sampled_from(REFERENCE_KEYS), min_size=1, max_size=4, unique=True))
    pointers = pointers_to(keys)
    for key in keys:
        doc["components"]["schemas"][key] = draw(ref_schemas(pointers, 2))
    media = get_operation(doc)["responses"]["200"]["content"]["application/json"]
    media["schema"] = draw(ref_schemas(pointers, 1))
    if draw(st.booleans()):
        get_operation(doc)["parameters"][0]["schema"] = draw(ref_schemas(pointers, 1))
    return doc


# --- 2. the random tests ---------------------------------------------------------------------


def test_the_base_document_is_proved_valid() -> None:
    check_base_document()


@settings(RANDOM, max_examples=budget(0.3))
@given(doc=schema_documents())
def test_random_schemas(doc: Json) -> None:
    check_random("schemas", doc)


@settings(RANDOM, max_examples=budget(0.2))
@given(doc=default_documents())
def test_random_defaults(doc: Json) -> None:
    check_random("defaults", doc)


@settings(RANDOM, max_examples=budget(0.15))
@given(doc=parameter_documents())
def test_random_parameters_and_path_templates(doc: Json) -> None:
    check_random("parameters", doc)


@settings(RANDOM, max_examples=budget(0.15))
@given(doc=reference_documents())
def test_random_references(doc: Json) -> None:
    check_random("references", doc)


@settings(RANDOM, max_examples=budget(0.2))
@given(doc=openapi_documents())
def test_random_documents_of_the_fuzz_tests(doc: Json) -> None:
    check_random("tests/strategies.py", doc)


def as_3_1(doc: Json) -> Json:
    """The same document read as OpenAPI 3.1: `nullable` means nothing, defaults are checked
    by `OAS31Validator`, each schema against the OAS 3.1 dialect."""
    return {**doc, "openapi": "3.1.0"}


@settings(RANDOM, max_examples=budget(0.2))
@given(doc=schema_documents())
def test_random_schemas_read_as_3_1(doc: Json) -> None:
    check_random("schemas 3.1", as_3_1(doc))


@settings(RANDOM, max_examples=budget(0.2))
@given(doc=default_documents())
def test_random_defaults_read_as_3_1(doc: Json) -> None:
    check_random("defaults 3.1", as_3_1(doc))


@settings(RANDOM, max_examples=budget(0.1))
@given(doc=parameter_documents())
def test_random_parameters_read_as_3_1(doc: Json) -> None:
    check_random("parameters 3.1", as_3_1(doc))


# --- 3. counterexamples: osv refuses each, and proves_valid must too -------------------------


def with_item(schema: Json) -> Json:
    doc = base_document()
    doc["components"]["schemas"]["Item"] = schema
    return doc


def with_response_ref(pointer: str) -> Json:
    doc = base_document()
    get_operation(doc)["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": pointer
    }
    return doc


def with_component(key: str, schema: Json) -> Json:
    doc = base_document()
    doc["components"]["schemas"][key] = schema
    return doc


NAN_ONE_OF = """\
openapi: 3.0.3
info: {title: Quick, version: "1"}
paths: {}
components:
  schemas:
    Item:
      type: array
      default: [.nan]
      oneOf:
        - {type: array}
        - {type: array, items: {enum: [.nan]}}
"""

COUNTEREXAMPLES: dict[str, Callable[[], Json]] = {
    "percent-encoded '#'": lambda: with_response_ref("%23/components/schemas/Item"),
    "percent-encoded '/' after '#'": lambda: with_response_ref("#%2Fcomponents%2Fschemas%2FItem"),
    "component key ending in a newline": lambda: with_component(
        "Pet\n", {"type": ["string", "null"]}
    ),
    "allOf cycle in a nested schema": lambda: with_item(
        {"type": "array", "items": {"allOf": [ref("Item")]}}
    ),
    "format time": lambda: with_item({"type": "string", "format": "time", "default": "12:00:00Z"}),
    "NaN in an enum": lambda: parse(NAN_ONE_OF, "nan.yaml"),
    "default object with a $ref": lambda: with_item(
        {"type": "object", "default": {"$ref": "#/nowhere"}}
    ),
}


@pytest.mark.parametrize("name", sorted(COUNTEREXAMPLES))
def test_osv_refuses_each_counterexample(name: str) -> None:
    assert osv_complaint(COUNTEREXAMPLES[name]()) is not None


# Fixed (was a strict xfail): generator/conforms.py target() percent-decodes the whole $ref before
# checking for '#/': '%23/components/schemas/Item' resolves there, but referencing (osv) reads it
# as a relative URI and raises Unresolvable
def test_a_percent_encoded_hash_is_no_local_reference() -> None:
    assert not proves(COUNTEREXAMPLES["percent-encoded '#'"]())


# Fixed (was a strict xfail): generator/conforms.py target() percent-decodes the whole $ref:
# '#%2Fcomponents%2Fschemas%2FItem' resolves as a JSON pointer, but referencing (osv) decodes only
# after the '#/', reads '%2Fcomponents...' as an anchor and raises NoSuchAnchor
def test_a_percent_encoded_slash_after_the_hash_is_an_anchor() -> None:
    assert not proves(COUNTEREXAMPLES["percent-encoded '/' after '#'"]())


# Fixed (was a strict xfail): jsonschema-rs matches schema.json's patternProperties with ECMA `$`
# (end of input), osv's jsonschema with Python re.search, where `$` also matches before a final
# newline: a components map key 'Pet\n' (or a Reference key '$ref\n') is checked by osv (here:
# type ['string', 'null'] is no OpenAPI 3.0 Schema) and by nothing in quickcheck
def test_a_component_key_ending_in_a_newline_is_checked() -> None:
    assert not proves(COUNTEREXAMPLES["component key ending in a newline"]())


# Fixed (was a strict xfail): osv collects the properties of every allOf member
# (SchemaValidator._collect_properties, through allOf/anyOf/oneOf/items/not) also for nested
# schemas, and recurses without end on a cycle; quickcheck calls properties() (which detects the
# cycle) only when require_properties is True, i.e. for top-level schemas
def test_a_cycle_below_an_allof_member_of_a_nested_schema() -> None:
    assert not proves(COUNTEREXAMPLES["allOf cycle in a nested schema"]())


# Fixed (was a strict xfail): generator/conforms.py checks format 'time' as RFC 3339 (jsonschema's
# draft-7 is_time), but the FormatChecker openapi-schema-validator builds holds jsonschema's
# class-level 'time' checker, which is is_draft3_time (registered last): strptime '%H:%M:%S', so
# '12:00:00Z' fails and '12:00:00' passes
def test_a_default_with_format_time() -> None:
    assert not proves(COUNTEREXAMPLES["format time"]())


# Fixed (was a strict xfail): generator/conforms.py refutes() treats NaN as unequal to NaN
# (not_listed uses !=), but jsonschema's equal() starts with `is`, and the JSON and YAML loaders
# return one shared NaN object: the second oneOf branch also holds, so oneOf fails in osv
def test_nan_in_an_enum_does_not_refute_a_oneof_branch() -> None:
    assert not proves(COUNTEREXAMPLES["NaN in an enum"]())


# Fixed (was a strict xfail): osv reads a default through jsonschema-path, which resolves a `$ref`
# in every node it reads: a default {'$ref': '#/nowhere'} raises PointerToNowhere, and {'$ref':
# '#/components/schemas/Str'} is checked as the Str schema itself (e.g. against maxProperties: 1);
# generator/conforms.py checks the literal object
def test_a_default_object_with_a_ref_is_what_osv_resolves() -> None:
    assert not proves(COUNTEREXAMPLES["default object with a $ref"]())


# --- 4. OpenAPI 3.1: what its walk does differently -----------------------------------------


def item_3_1(schema: Json, **root: Json) -> Json:
    return {**as_3_1(with_item(schema)), **root}


PROVED_3_1 = {
    "a boolean schema": lambda: item_3_1(True),
    "a false property": lambda: item_3_1({"type": "object", "properties": {"no": False}}),
    "a null type with a null default": lambda: item_3_1(
        {"type": ["string", "null"], "default": None}
    ),
    "null default skipped where nullable (the walk reads it in 3.1 too)": lambda: item_3_1(
        {"type": "string", "nullable": True, "default": None}
    ),
    "null matching one oneOf branch": lambda: item_3_1(
        {"oneOf": [{"type": ["string", "null"]}, {"type": "string"}], "default": None}
    ),
    "an integer default": lambda: item_3_1({"type": "integer", "minimum": 0, "default": 0}),
    "a property named $id": lambda: item_3_1(
        {"type": "object", "properties": {"$id": {"type": "string"}}, "required": ["$id"]}
    ),
}
REFUSED_3_1 = {
    "a default of the wrong type": lambda: item_3_1({"type": "integer", "default": "many"}),
    "a negative minLength": lambda: item_3_1({"type": "string", "minLength": -1}),
    "a null default, nullable meaning nothing": lambda: item_3_1(
        {
            "type": "object",
            "properties": {"a": {"type": "string", "nullable": True}},
            "default": {"a": None},
        }
    ),
    "null matching two oneOf branches": lambda: item_3_1(
        {"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}], "default": None}
    ),
    "an exclusive minimum as a number": lambda: item_3_1(
        {"type": "integer", "exclusiveMinimum": 0, "default": 0}
    ),
    "a dialect the schema names": lambda: item_3_1(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "integer",
            "minimum": "x",
        }
    ),
}
NOT_MODELLED_3_1 = {
    "jsonSchemaDialect": lambda: item_3_1(
        {"type": "string"}, jsonSchemaDialect="https://json-schema.org/draft/2020-12/schema"
    ),
    "$id in a schema": lambda: item_3_1({"$id": "https://example.com/item", "type": "string"}),
    "an anchor": lambda: item_3_1({"$anchor": "item", "type": "string"}),
    "$id in a property named properties": lambda: item_3_1(
        {"properties": {"properties": {"$id": "https://example.com/p", "type": "string"}}}
    ),
    "$id in an example": lambda: item_3_1({"type": "object", "example": {"$id": "x"}}),
}


@pytest.mark.parametrize("name", sorted(PROVED_3_1))
def test_3_1_documents_are_proved_valid(name: str) -> None:
    assert assert_sound(PROVED_3_1[name]())


@pytest.mark.parametrize("name", sorted(REFUSED_3_1))
def test_3_1_documents_osv_refuses_are_not_proved_valid(name: str) -> None:
    doc = REFUSED_3_1[name]()
    assert osv_complaint(doc) is not None
    assert not proves(doc)


@pytest.mark.parametrize("name", sorted(NOT_MODELLED_3_1))
def test_3_1_constructs_not_modelled_go_to_the_validator(name: str) -> None:
    doc = NOT_MODELLED_3_1[name]()
    assert osv_valid(doc)
    assert not proves(doc)


def chain(length: int) -> Json:
    """Component schemas A0 -> A1 -> ... through a property each, the response using A0."""
    doc = with_response_ref("#/components/schemas/A0")
    schemas = doc["components"]["schemas"]
    for i in range(length):
        schemas[f"A{i}"] = {"type": "object", "properties": {"next": ref(f"A{i + 1}")}}
    schemas[f"A{length}"] = {"type": "string"}
    return doc


def test_a_short_chain_is_proved_valid() -> None:
    assert assert_sound(chain(1)) and not proves(chain(5000))


# Fixed (was a strict xfail): a long chain of references: osv's walk needs ~20 more frames than
# quickcheck's, so near the recursion limit (a chain of ~970 schemas from a shallow stack) osv
# raises RecursionError (sdkgen: SDK004) while proves_valid still answers True; quickcheck bounds
# reference hops (64) but not the depth of its walk
def test_the_longest_chain_proved_valid_is_one_osv_can_walk() -> None:
    low, high = 1, 5000  # proved valid (see below); not (quickcheck's own RecursionError)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if proves(chain(middle)) else (low, middle)
    assert osv_valid(chain(low)), f"a chain of {low}: {osv_complaint(chain(low))}"


if __name__ == "__main__":  # the random strategies alone, with their numbers
    check_base_document()
    for test in (
        test_random_schemas,
        test_random_defaults,
        test_random_parameters_and_path_templates,
        test_random_references,
        test_random_documents_of_the_fuzz_tests,
        test_random_schemas_read_as_3_1,
        test_random_defaults_read_as_3_1,
        test_random_parameters_read_as_3_1,
    ):
        try:
            test()
        except Exception as exc:  # a new counterexample: show it (minimal) and go on
            print("".join(traceback.format_exception(exc)))
    for (strategy, what), count in sorted(STATS.items()):
        print(f"{strategy:22} {what:60} {count}")
