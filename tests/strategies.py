"""Hypothesis strategies for random, valid OpenAPI 3.0 documents with hostile names.

`openapi_documents()` draws a document as plain data (JSON-ready): component schemas (objects
with properties, arrays, string and integer enums, nullable types, `allOf` of references,
`oneOf`, `additionalProperties` maps) that refer to each other freely, cycles included; and
operations with path, query, header and cookie parameters, JSON request bodies and JSON responses.

Names come from a hostile alphabet: Python keywords and soft keywords, builtins, names the
generated code itself uses, dunders, digits first, non-ASCII, punctuation, and families of names
that collide after case conversion (userId / user_id / UserID). Every document is meant to pass
openapi-spec-validator, so each rule the validator enforces is kept here: component keys match
`^[a-zA-Z0-9._-]+$`, operationIds and enum values are unique, `required` is never empty, every
path template has its required path parameter.

Spec text (titles, descriptions, defaults, the server URL, path segments) is hostile too:
quotes that could end a docstring, backslashes, Jinja syntax, NUL and other control characters,
right-to-left overrides, emoji, lone surrogates. The title names the package.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from hypothesis import strategies as st

Json = Any
Strategy = st.SearchStrategy[Json]

KEYWORDS = sorted(set(keyword.kwlist) | set(keyword.softkwlist))
BUILTINS = ["str", "int", "float", "bool", "list", "dict", "object", "bytes", "type", "id"]
BUILTINS += ["print", "open", "input", "len", "range", "set", "map", "filter", "Exception"]
RUNTIME = ["self", "cls", "to_dict", "from_dict", "additional_properties", "raw", "timeout"]
RUNTIME += ["max_retries", "extra_headers", "client", "httpx", "typing", "enum", "UNSET", "Unset"]
RUNTIME += ["Any", "Model", "Enum", "Field", "Mapping", "Client", "AsyncClient", "models", "_rt"]
RUNTIME += ["with_raw_response", "close", "base_url", "errors", "annotations", "field", "body"]
RUNTIME += ["dataclasses", "cast", "json", "asyncio", "builtins", "os", "sys", "re", "_runtime"]
DUNDERS = ["__init__", "__class__", "__dict__", "__slots__", "__post_init__", "_missing_", "__"]
DIGITS = ["1st", "2fa", "404", "0", "3D", "4k_url", "2024-01", "1.5", "007bond"]
PUNCTUATION = ["a-b", "a.b", "a_b", "_", "-", "--", ".", "a..b", "_leading", "trailing_"]
NON_ASCII = ["名前", "ユーザー", "مستخدم", "משתמש", "ñandú", "Ünïcödé", "🐍", "ß", "ﬁle"]
NON_ASCII += ["\uff26\uff55\uff4c\uff4c", "\u0430dmin"]  # full-width; Cyrillic a
COLLIDING = ["userId", "user_id", "UserID", "USER_ID", "user-id", "UserId", "userID", "user id"]
COLLIDING += ["Pet", "pet", "PET", "pet_", "getPet", "get_pet", "GetPet", "get-pet"]

HOSTILE_NAMES = KEYWORDS + BUILTINS + RUNTIME + DUNDERS + DIGITS + PUNCTUATION + COLLIDING
# Component keys (OpenAPI: ^[a-zA-Z0-9._-]+$) and path templates cannot hold everything.
COMPONENT_NAMES = [
    n for n in HOSTILE_NAMES if n and all(c.isascii() and (c.isalnum() or c in "._-") for c in n)
]
TEMPLATE_NAMES = [
    n for n in HOSTILE_NAMES + NON_ASCII if n.strip() and not set(n) & set("/{}#?%~ ")
]

# Text for descriptions, summaries, titles, defaults, the server URL and path segments: it
# reaches docstrings, comments, string literals, README.md and pyproject.toml.
TEXT_PIECES = ['"""', "'''", '"', "\\", "\\n", "\n", "{{ x }}", "{% if %}", "#", "\x00", "\t"]
TEXT_PIECES += ["é", "名前", "\u202e", "\u2028", "import os", "os.system('touch pwned')", "  "]
TEXT_PIECES += ["\U0001f40d", "\ud800", "\\xZZ", "\\u12", "\\N{BULLET}", "\r\n", "]]", "'"]
SAFE_TEXT = st.text(st.characters(codec="ascii", exclude_characters="\"'\\"), max_size=12)


def hostile_names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_NAMES + NON_ASCII),
        st.text(max_size=8),
    )


# Header names must be HTTP tokens (RFC 9110): others are a generation error (SDK218).
HEADER_NAMES = [n for n in HOSTILE_NAMES if re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", n)]


def header_names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HEADER_NAMES),
        st.from_regex(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,8}", fullmatch=True),
    )


def component_names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(COMPONENT_NAMES),
        st.from_regex(r"[A-Za-z0-9._-]{1,10}", fullmatch=True),
    )


def texts() -> st.SearchStrategy[str]:
    pieces = st.lists(st.one_of(st.sampled_from(TEXT_PIECES), SAFE_TEXT), max_size=6)
    return pieces.map("".join)


def _ref(name: str) -> Json:
    return {"$ref": "#/components/schemas/" + name.replace("~", "~0").replace("/", "~1")}


@st.composite
def primitive_schemas(draw: st.DrawFn) -> Json:
    kind = draw(st.sampled_from(["string", "integer", "number", "boolean"]))
    schema: dict[str, Json] = {"type": kind}
    if kind == "string" and draw(st.booleans()):
        schema["format"] = draw(st.sampled_from(["date-time", "uuid", "binary", "byte", "x-odd"]))
    if "format" not in schema and draw(st.booleans()):
        schema["default"] = draw(_values_of(kind))
    if draw(st.booleans()):
        schema["description"] = draw(texts())
    return schema


def _values_of(kind: str) -> st.SearchStrategy[Json]:
    return {
        "string": texts(),
        "integer": st.integers(-(10**6), 10**6),
        "number": st.floats(allow_nan=False, allow_infinity=False, width=32),
        "boolean": st.booleans(),
    }[kind]


@st.composite
def enum_schemas(draw: st.DrawFn) -> Json:
    if draw(st.booleans()):
        values: list[Json] = draw(st.lists(hostile_names(), min_size=1, max_size=6, unique=True))
        schema: dict[str, Json] = {"type": "string", "enum": values}
    else:
        values = draw(st.lists(st.integers(-5, 500), min_size=1, max_size=6, unique=True))
        schema = {"type": "integer", "enum": values}
    if draw(st.booleans()):
        schema["nullable"] = True
        if draw(st.booleans()):
            schema["enum"] = [*values, None]
    return schema


def schemas(refs: list[str], depth: int = 2, *, anywhere: list[str] | None = None) -> Strategy:
    """A schema that refers to the components in `refs`, and inside an object's properties to
    those in `anywhere` (default: `refs`). A component refers directly (through `allOf`,
    `oneOf`, arrays and maps) only to components before it, so every cycle goes through a
    property, as in real recursive models; a direct cycle (`A: {allOf: [A]}`) has no meaning.
    Inside a property an inline `allOf` may extend its own component (`child: {allOf: [Node,
    {...}]}`), which once sent the IR builder into endless recursion."""
    anywhere = refs if anywhere is None else anywhere
    leaves: list[Strategy] = [primitive_schemas(), enum_schemas()]
    if refs:
        leaves.append(st.sampled_from(refs).map(_ref))
    leaf = st.one_of(*leaves)
    if depth == 0:
        return leaf
    inner = schemas(refs, depth - 1, anywhere=anywhere)
    all_of = st.lists(st.sampled_from(refs).map(_ref), min_size=1, max_size=3)
    annotation = st.sampled_from([{"nullable": True}, {"description": "wrapped"}, {}])
    return st.one_of(
        leaf,
        leaf,
        inner.map(lambda s: {"type": "array", "items": s}),
        inner.map(lambda s: {"type": "object", "additionalProperties": s}),
        inner.map(lambda s: {**s, "nullable": True} if "$ref" not in s else s),
        object_schemas(anywhere, depth - 1),
        st.lists(inner, min_size=1, max_size=3).map(lambda parts: {"oneOf": parts}),
        *([st.tuples(all_of, annotation).map(_all_of)] if refs else []),
    )


def _all_of(parts: tuple[list[Json], dict[str, Json]]) -> Json:
    refs, annotation = parts
    return {"allOf": [*refs, annotation] if annotation else refs}


@st.composite
def object_schemas(draw: st.DrawFn, refs: list[str], depth: int = 1) -> Json:
    names = draw(st.lists(hostile_names(), min_size=1, max_size=5, unique=True))
    properties = {name: draw(schemas(refs, depth)) for name in names}
    schema: dict[str, Json] = {"type": "object", "properties": properties}
    required = [n for n in names if draw(st.booleans())]
    if required:
        schema["required"] = required
    if draw(st.booleans()):
        schema["description"] = draw(texts())
    if draw(st.booleans()):
        schema["title"] = draw(texts())
    if draw(st.booleans()):
        schema["additionalProperties"] = draw(st.booleans())
    return schema


@st.composite
def component_schemas(draw: st.DrawFn) -> dict[str, Json]:
    names = draw(st.lists(component_names(), min_size=0, max_size=5, unique=True))
    components = {}
    for number, name in enumerate(names):
        earlier = names[:number]
        choices = [object_schemas(names, 1), enum_schemas(), schemas(earlier, 1, anywhere=names)]
        if earlier:  # an object extending earlier ones, with properties of its own
            parts = st.lists(st.sampled_from(earlier).map(_ref), min_size=1, max_size=3)
            own = object_schemas(names, 1)
            choices.append(st.tuples(parts, own).map(lambda p: {"allOf": [*p[0], p[1]]}))
        components[name] = draw(st.one_of(*choices))
    return components


@st.composite
def parameters(draw: st.DrawFn, refs: list[str], path_names: list[str]) -> list[Json]:
    found: list[Json] = [
        {"name": name, "in": "path", "required": True, "schema": draw(primitive_schemas())}
        for name in path_names
    ]
    for location in ("query", "header", "cookie"):
        names = header_names() if location == "header" else hostile_names()
        for name in draw(st.lists(names, max_size=3, unique=True)):
            parameter: dict[str, Json] = {
                "name": name,
                "in": location,
                "schema": draw(schemas(refs, 1)),
            }
            if draw(st.booleans()):
                parameter["required"] = True
            if draw(st.booleans()):
                parameter["description"] = draw(texts())
            found.append(parameter)
    return found


@st.composite
def operations(draw: st.DrawFn, refs: list[str], path_names: list[str], op_id: str) -> Json:
    operation: dict[str, Json] = {
        "operationId": op_id,
        "parameters": draw(parameters(refs, path_names)),
        "responses": {"default": {"description": "error"}},
    }
    if draw(st.booleans()):
        operation["tags"] = [draw(hostile_names())]
    if draw(st.booleans()):
        operation["summary"] = draw(texts())
    if draw(st.booleans()):
        operation["description"] = draw(texts())
    if draw(st.booleans()):
        body = draw(st.one_of(object_schemas(refs, 1), schemas(refs, 1)))
        operation["requestBody"] = {
            "required": draw(st.booleans()),
            "content": {"application/json": {"schema": body}},
        }
    status = draw(st.sampled_from(["200", "201", "204"]))
    if status == "204":
        operation["responses"][status] = {"description": "done"}
    else:
        schema = draw(schemas(refs, 2))
        operation["responses"][status] = {
            "description": draw(texts()),
            "content": {"application/json": {"schema": schema}},
        }
    return operation


@st.composite
def openapi_documents(draw: st.DrawFn) -> Json:
    """A valid OpenAPI 3.0.3 document (a dict) with hostile names throughout."""
    components = draw(component_schemas())
    refs = list(components)
    op_ids = draw(st.lists(hostile_names(), min_size=1, max_size=6, unique=True))
    paths: dict[str, Json] = {}
    methods = ["get", "put", "post", "delete", "patch"]
    for number, op_id in enumerate(op_ids):
        path_names = draw(st.lists(st.sampled_from(TEMPLATE_NAMES), max_size=2, unique=True))
        literal = draw(texts()).translate({ord(c): None for c in "/{}"})
        segments = [f"p{number}{literal}", *(f"{{{name}}}" for name in path_names)]
        path = "/" + "/".join(segments)
        item = paths.setdefault(path, {})
        free = [m for m in methods if m not in item]
        item[draw(st.sampled_from(free))] = draw(operations(refs, path_names, op_id))
    document: dict[str, Json] = {
        "openapi": "3.0.3",
        "info": {
            "title": draw(texts()),
            "version": draw(st.sampled_from(["1.0.0", "v2", "2024-01-01", "0", "beta"])),
            "description": draw(texts()),
        },
        "servers": [{"url": "https://api.example.com/v1" + draw(texts())}],
        "paths": paths,
    }
    if components:
        document["components"] = {"schemas": components}
    if draw(st.booleans()):
        document["components"] = {
            **document.get("components", {}),
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        }
        document["security"] = [{"key": []}]
    return document
