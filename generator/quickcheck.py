"""A quick proof that openapi-spec-validator would find nothing wrong with a document.

openapi-spec-validator costs 0.3 s to import and 0.1-6 s to run (pure-Python JSON Schema over
the whole document, then a walk through every schema). `proves_valid` repeats its checks in a
fraction of the time: the document against the same OpenAPI 3.0 schema and each schema against
the same draft-4 meta-schema, both with jsonschema-rs (the Rust backend openapi-spec-validator
itself can use), then the walk below, over plain dicts.

It answers True only when it has shown that every check passes. Whatever it cannot show (an
error, a construct outside what it models, an exception) makes it answer False, and the caller
runs openapi-spec-validator, whose verdict and messages users see. So it may be stricter than the
validator, never more lenient; `tests/test_quickcheck.py` holds it to that on every document of
the test corpora and on random ones. What it models, after openapi-spec-validator 0.9's
`validation/keywords.py`: tag names unique; per path, its parameters' schemas, duplicate
parameters and path templates against path parameters; per operation, unique operationIds, its
parameters and its responses' media type schemas; every component schema. Each schema (through
allOf/anyOf/oneOf/not/items/properties) is checked against the meta-schema, its `required`
against the properties an `allOf` defines, and its `default` against itself (`conforms`).

OpenAPI 3.1 the same way, where the validator differs: the document against its 3.1 schema,
each schema against the OAS 3.1 dialect (JSON Schema 2020-12), `true`/`false` as schemas, and
defaults as `OAS31Validator` checks them (`nullable` means nothing there). Not modelled, so
left to the validator: a `jsonSchemaDialect`, and schemas with `$schema`, `$id` or anchors.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.conforms import Unsure, conforms, is_ref, resolve

MAX_DEPTH = 100  # schemas within schemas; the validator overflows its stack near 970
OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def proves_valid(data: Any, *, keys_checked: bool = False) -> bool:
    """True if openapi-spec-validator would report no error for `data` (OpenAPI 3.0 or 3.1).
    `keys_checked`: the caller has seen `modelled_keys` hold."""
    version = version_of(data)
    if version is None:
        return False
    try:
        document, meta = _validators(version)
        keys = keys_checked or modelled_keys(data, version)
        if not keys or not document.is_valid(data):
            return False
        _Walk(data, meta, version).run()
    except Exception:  # Unsure, a malformed value, RecursionError: let the validator say
        return False
    return True


def version_of(data: Any) -> str | None:
    """ "3.0" or "3.1" (as openapi-spec-validator picks its validator), or None: not modelled.
    A 3.1 document that names a `jsonSchemaDialect` is not modelled either: each schema is then
    checked against that dialect's meta-schema, which may be any."""
    if not isinstance(data, dict):
        return None
    text = str(data.get("openapi", ""))
    if text.startswith("3.0"):
        return "3.0"
    return "3.1" if text.startswith("3.1") and "jsonSchemaDialect" not in data else None


def _resource(package: str, *parts: str) -> Any:
    """A JSON file shipped inside `package`, found without importing it (0.3 s for the
    validator)."""
    return json.loads(_folder(package).joinpath(*parts).read_bytes())


def _folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise Unsure(f"{package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def meta_schemas() -> tuple[tuple[str, Any], ...]:
    """Every meta-schema and vocabulary openapi-schema-validator resolves (its own and
    jsonschema's), as (URI, contents), read from their files: its `REGISTRY`, without the
    0.3 s import."""
    found: dict[str, Any] = {}
    for package in ("openapi_schema_validator", "jsonschema_specifications"):
        for path in sorted(_folder(package).joinpath("schemas").rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                contents = json.loads(path.read_bytes())
                uri = contents.get("$id", contents.get("id"))
                if isinstance(uri, str):
                    found.setdefault(uri.rstrip("#"), contents)
    return tuple(sorted(found.items()))


@functools.cache
def _validators(version: str = "3.0") -> tuple[Any, Any]:
    import jsonschema_rs

    if version == "3.1":
        return _validators_3_1()
    document = _resource("openapi_spec_validator", "resources", "schemas", "v3.0", "schema.json")
    meta = _resource("jsonschema_specifications", "schemas", "draft4", "metaschema.json")
    # Formats are annotations for the document, as in the validator; the meta-schema's only
    # format, `regex` on `pattern`, is checked by `_Walk._meta` with the validator's own rule.
    return (
        jsonschema_rs.Draft4Validator(document, validate_formats=False),
        jsonschema_rs.Draft4Validator(meta, validate_formats=False),
    )


def _validators_3_1() -> tuple[Any, Any]:
    """The OpenAPI 3.1 schema, and the OAS 3.1 dialect (`OAS31Validator.META_SCHEMA`), which
    is what each schema is checked against without a `jsonSchemaDialect` or `$schema`. The
    meta-schemas' formats (`uri`, `uri-reference`, `regex`) are checked by the validator only
    with optional packages (see `osv._fast_possible`) or, for `regex`, by `_Walk._meta`."""
    import jsonschema_rs

    from generator import osv

    if not osv._fast_possible():
        raise Unsure("a format checker the meta-schemas' formats would use is installed")
    registry = jsonschema_rs.Registry(list(meta_schemas()))
    document = _resource("openapi_spec_validator", "resources", "schemas", "v3.1", "schema.json")
    meta = dict(meta_schemas())[DIALECT_3_1]
    return tuple(  # type: ignore[return-value]
        jsonschema_rs.validator_for(s, registry=registry, validate_formats=False)
        for s in (document, meta)
    )


DIALECT_3_1 = "https://spec.openapis.org/oas/3.1/dialect/base"
# Keywords that change how a schema is resolved or which meta-schema checks it: not modelled.
_RESOLUTION = frozenset({"$schema", "$id", "$anchor", "$dynamicAnchor", "$dynamicRef"})


class _Walk:
    def __init__(self, data: dict[str, Any], meta: Any, version: str = "3.0") -> None:
        self.data = data
        self.meta = meta
        self.version = version
        self.visited: set[int] = set()
        self.meta_checked: set[int] = set()
        self.collected: dict[int, frozenset[str]] = {}  # properties() of each schema
        self.collecting: set[int] = set()

    def run(self) -> None:
        data = self.data
        tags = [self.resolve(t) for t in self.resolve(data.get("tags", []))]
        names = [t["name"] for t in tags]
        if len(names) != len(set(names)):
            raise Unsure("duplicate tag")
        operation_ids: set[Any] = set()
        for url, node in self.resolve(data.get("paths", {})).items():
            item = self.resolve(node)
            shared = self.parameters(item.get("parameters"))
            for method, operation in item.items():
                if method in OPERATIONS:
                    self.operation(url, self.resolve(operation), shared, operation_ids)
        components = self.resolve(data.get("components", {}))
        for schema in self.resolve(components.get("schemas", {})).values():
            self.schema(schema, require_properties=True)

    def operation(
        self, url: str, operation: dict[str, Any], shared: list[str], seen: set[Any]
    ) -> None:
        operation_id = operation.get("operationId")
        if operation_id is not None:
            if operation_id in seen:
                raise Unsure("duplicate operationId")
            seen.add(operation_id)
        for response in self.resolve(operation.get("responses", {})).values():
            for node in self.resolve(self.resolve(response).get("content", {})).values():
                media = self.resolve(node)
                if "schema" in media:
                    self.schema(media["schema"], require_properties=True)
        names = set(self.parameters(operation.get("parameters")) + shared)
        templated = set(filter(None, (f[1] for f in string.Formatter().parse(url))))
        if names != templated:
            raise Unsure("unresolved path parameter")

    def parameters(self, parameters: Any) -> list[str]:
        """Check a parameter list; the names of its path parameters."""
        if parameters is None:
            return []
        seen, path = set(), []
        for node in self.resolve(parameters):
            parameter = self.resolve(node)
            if "schema" in parameter:
                self.schema(parameter["schema"], require_properties=True)
            key = (parameter["name"], parameter["in"])
            if key in seen:
                raise Unsure("duplicate parameter")
            seen.add(key)
            if parameter["in"] == "path":
                path.append(parameter["name"])
        return path

    def schema(
        self, node: Any, *, require_properties: bool, depth: int = 0, covered: bool = False
    ) -> None:
        """Check a schema as the validator walks it. `covered`: written inside a schema that
        passed the meta-schema, which checked it too (the meta-schemas apply themselves to
        every subschema); a schema reached through a `$ref` is checked on its own."""
        if depth > MAX_DEPTH:  # the validator's recursion would overflow first
            raise Unsure("schemas nested too deep")
        schema = self.resolve(node)
        if isinstance(schema, bool) and self.version == "3.1":
            return  # valid against the dialect, and the validator looks no further
        if not isinstance(schema, dict):
            raise Unsure("a schema is not an object")
        if not covered and id(schema) not in self.meta_checked:  # more than the validator does
            self.meta_checked.add(id(schema))
            self._meta(schema)
        if "allOf" in schema:  # the validator collects their properties on every visit
            self._required(schema, require_properties)
        if id(schema) in self.visited:
            return
        self.visited.add(id(schema))
        for inner in self._inner(schema):
            self.schema(inner, require_properties=False, depth=depth + 1, covered=not is_ref(inner))
        self._default(schema)

    def _inner(self, schema: dict[str, Any]) -> Iterator[Any]:
        """The schemas the validator walks into, in its order."""
        for keyword in ("allOf", "anyOf", "oneOf"):
            yield from self.resolve(schema.get(keyword, []))
        for keyword in ("not", "items"):
            if keyword in schema:
                yield schema[keyword]
        yield from self.resolve(schema.get("properties", {})).values()

    def _default(self, schema: dict[str, Any]) -> None:
        """The validator checks a default unless it is null in a nullable schema."""
        if "default" not in schema:
            return
        value = schema["default"]
        if any(isinstance(n.get("$ref"), str) for n in _mappings(value)):  # osv resolves it
            raise Unsure("a default holding a $ref")
        mode = "3.1" if self.version == "3.1" else None  # OAS31Validator: no `nullable`
        if (value is not None or schema.get("nullable") is not True) and not conforms(
            self.data, schema, value, mode
        ):
            raise Unsure("a default that may not match its schema")

    def _required(self, schema: dict[str, Any], require_properties: bool) -> None:
        """The properties of each allOf member (which never ends on a cycle); on a top-level
        schema, `required` may only name properties defined somewhere."""
        defined = set(self.resolve(schema.get("properties", {})))
        for inner in self.resolve(schema["allOf"]):
            defined |= self.properties(inner)
        if require_properties and set(self.resolve(schema.get("required", []))) - defined:
            raise Unsure("required names a property no allOf member defines")

    def _meta(self, schema: dict[str, Any]) -> None:
        if not self.meta.is_valid(schema):
            raise Unsure("a schema the meta-schema rejects")
        for pattern in _patterns(schema):  # the meta-schema's `format: regex`
            if not _valid_regex(pattern):
                raise Unsure("a pattern that may not compile")

    def properties(self, node: Any) -> frozenset[str]:
        """Every property name a schema defines, through allOf/anyOf/oneOf/items/not (as the
        validator collects them for `required`); computed once per schema."""
        schema = self.resolve(node)
        if not isinstance(schema, dict):
            return frozenset()
        key = id(schema)
        if key in self.collected:
            return self.collected[key]
        if key in self.collecting:  # the validator recurses without end here
            raise Unsure("a cycle through allOf")
        self.collecting.add(key)
        found = set(self.resolve(schema.get("properties", {})))
        for keyword in ("allOf", "anyOf", "oneOf"):
            for inner in self.resolve(schema.get(keyword, [])):
                found |= self.properties(inner)
        for keyword in ("items", "not"):
            if keyword in schema:
                found |= self.properties(schema[keyword])
        self.collecting.discard(key)
        self.collected[key] = frozenset(found)
        return self.collected[key]

    def resolve(self, node: Any) -> Any:
        return resolve(self.data, node)


def _mappings(value: Any) -> Iterator[dict[Any, Any]]:
    """Every object in `value`, itself included, at any depth."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def modelled_keys(data: Any, version: str) -> bool:
    """Whether no key of the document stops the proof. One ending in a newline would be checked
    differently by the two engines: Python's `$` (the validator's patternProperties) matches
    before it, Rust's not. In 3.1, `$schema`, `$id` and anchors as keywords change how schemas
    resolve or which meta-schema checks them; as the name of a property (a key of a mapping
    under `properties` and the like) they are no keywords (Box's API has a `$id` field).
    Elsewhere, example data included, they stop it: an over-approximation."""
    stop = _RESOLUTION if version == "3.1" else frozenset()
    stack: list[tuple[Any, bool]] = [(data, False)]  # a node; whether its keys are names
    while stack:
        node, names = stack.pop()
        if isinstance(node, list):
            stack.extend((v, False) for v in node if isinstance(v, dict | list))
            continue
        for key, value in node.items() if isinstance(node, dict) else ():
            if isinstance(key, str) and key.endswith("\n"):
                return False
            if key in stop and not names:
                return False
            if isinstance(value, dict | list):
                stack.append((value, not names and key in _NAME_MAPS))
    return True


# Mappings whose keys name schemas (a schema's or components'), never keywords. A schema may be
# named "properties" too: then its mapping is under one of these, and its keys are keywords.
_NAME_MAPS = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "$defs", "definitions", "schemas"}
)


def _patterns(schema: Any) -> Iterator[str]:
    """Every `pattern` string in a schema and the schemas nested in it (over-approximated:
    any `pattern` key with a string value)."""
    return (n["pattern"] for n in _mappings(schema) if isinstance(n.get("pattern"), str))


@functools.cache
def _valid_regex(pattern: str) -> bool:
    """openapi-schema-validator accepts a pattern that compiles with `regress` (an ECMA-262
    engine, a dependency of sdkgen, so always installed)."""
    import regress

    try:
        regress.Regex(pattern)
    except regress.RegressError:
        return False
    return True
