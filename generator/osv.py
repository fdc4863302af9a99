"""openapi-spec-validator, with every error placed in the document and a deterministic verdict.

The validator walks the document with keyword validators (paths, operations, parameters,
schemas, defaults...) whose errors carry no location, or one relative to the schema or the
`default` value being checked: a user would read `#` or `#/pattern`. Here each keyword
validator is subclassed so that an error it yields first is stamped (`LOCATION`) with the
absolute place of the node it was checking, found by the node's identity in the document (a
`$ref`'d schema is placed where it is defined, not where it is used).

Speed (with `fast`, the default): jsonschema-rs checks the document against the OpenAPI schema
and each schema against its meta-schema first; the pure-Python check, whose messages users see,
runs only where it finds something (for the document, on the units involved: see `locate`).
The validator's lists of visited schemas answer `in` from a set.

Two changes of verdict, both listed in the README:
- a schema's meta-schema check reports the first of its errors in document order (the validator
  raises whichever the `jsonschema` walk meets first, which for `additionalProperties` follows a
  set, so it depended on PYTHONHASHSEED);
- the meta-schema's `format: regex` on `pattern` is not checked: `pattern` is ECMA-262, which no
  Python checker fully knows, and the generated client does not enforce patterns;
  `validate.pattern_warnings` reports the patterns `regress` cannot compile as warnings.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from collections.abc import Callable, Iterator
from typing import Any

LOCATION = "sdkgen_location"  # the attribute set on an error: a tuple of path parts


def spec_validator(version: str, data: dict[str, Any], fast: bool = True) -> Any:
    """An openapi-spec-validator for `data` whose errors are located (see the module docstring).
    `fast`: jsonschema-rs first, for the document and each schema's meta-schema check; the
    pure-Python check (whose messages users see) only where it finds something."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    base = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    validator = _located_class(base)(data)
    registry = validator.keyword_validators_registry
    registry.locations, registry.fast = Locations(data), fast and _fast_possible()
    if registry.fast:
        folder = "v3.1" if version.startswith("3.1") else "v3.0"
        validator.schema_validator = _FastDocument(validator.schema_validator, folder)
    return validator


class _FastDocument:
    """The document against the OpenAPI schema: jsonschema-rs over all of it, then the
    pure-Python validator only on the units (path items, components) where it found errors."""

    def __init__(self, slow: Any, folder: str) -> None:
        self.slow = slow
        self.schema = _openapi_schema(folder)

    def iter_errors(self, document: Any) -> Iterator[Any]:
        from generator import locate

        if _rs_valid(self.schema, document):
            return iter(())
        try:
            found = _rs_validator(self.schema).iter_errors(document)
            paths = [list(map(str, e.instance_path)) for e in found]
        except (ValueError, TypeError, AttributeError):  # no jsonschema-rs validator: all of it
            return iter(self.slow.iter_errors(document))
        units = {locate.unit(p) for p in paths}
        return iter(self.slow.iter_errors(locate.subset(document, units)))


@functools.cache
def _located_class(base: Any) -> type:
    keywords = {name: _located_keyword(cls, name) for name, cls in base.keyword_validators.items()}
    return type(f"Located{base.__name__}", (base,), {"keyword_validators": keywords})


class Locations:
    """Where each object and array of the document is (its first place, for a shared one)."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self._found: dict[int, tuple[str, ...]] | None = None

    def of(self, node: Any) -> tuple[str, ...] | None:
        if not isinstance(node, dict | list):
            return None
        if self._found is None:
            self._found = _walk(self.data)
        return self._found.get(id(node))


def _walk(data: Any) -> dict[int, tuple[str, ...]]:
    found: dict[int, tuple[str, ...]] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict | list) and id(node) not in found:
            found[id(node)] = path
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((v, (*path, str(k))) for k, v in reversed(list(items)))
    return found


def _located_keyword(base: Any, keyword: str) -> type:
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        where: tuple[str, ...] | None = None
        for raw in base.__call__(self, *args, **kwargs):
            found = _wrapped(raw)  # as the validator would wrap it, which drops attributes
            if getattr(found, LOCATION, None) is None:
                where = where if where is not None else _where(self.registry.locations, args)
                setattr(found, LOCATION, (*where, *_within(keyword, found)))
                found.message = _sorted_names(found)
            yield found

    attributes: dict[str, Any] = {"__call__": __call__}
    if keyword == "schema":
        attributes["_get_schema_checker"] = _schema_checker(base)
        attributes["__init__"] = _with_id_sets(base)
    return type(f"Located{base.__name__}", (base,), attributes)


def _wrapped(found: Any) -> Any:
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    return (
        found
        if isinstance(found, OpenAPIValidationError)
        else (OpenAPIValidationError.create_from(found))
    )


def _sorted_names(found: Any) -> str:
    """The validator lists the names a `required` does not define from a set: sorted here."""
    message = str(found.message)
    head, colon, names = message.partition(": [")
    if type(found).__name__ != "ExtraParametersError" or not colon:
        return message
    try:
        listed = ast.literal_eval("[" + names)
    except (ValueError, SyntaxError):
        return message
    return f"{head}: {sorted(map(str, listed))}"


def _where(locations: Locations, args: tuple[Any, ...]) -> tuple[str, ...]:
    """The place of the first node (a jsonschema-path `SchemaPath`) a keyword validator got."""
    for arg in args:
        if hasattr(arg, "read_value") and hasattr(arg, "parts"):
            place = locations.of(arg.read_value())
            return place if place is not None else tuple(str(p) for p in arg.parts)
    return ()


def _within(keyword: str, found: Any) -> tuple[str, ...]:
    """Where, inside the node a keyword validator checked, the error's own path starts."""
    kind = type(found).__name__
    if keyword == "default":
        return ("default",)  # its path is inside the default value
    if kind == "ExtraParametersError":
        return ("required",)
    if kind == "DuplicateOperationIDError":
        return ("operationId",)
    return ()


class _IdList(list[int]):
    """The validator's lists of visited schema ids, with a set for `in` (a list made its walk
    quadratic: 11 s of 27 on a 3 MB 3.1 document)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[int] = set()

    def append(self, value: int) -> None:
        super().append(value)
        self.ids.add(value)

    def __contains__(self, value: object) -> bool:
        return value in self.ids


def _with_id_sets(base: Any) -> Callable[..., None]:
    def __init__(self: Any, registry: Any) -> None:
        base.__init__(self, registry)
        self.visited_schema_ids = _IdList()
        self.meta_checked_schema_ids = _IdList()

    return __init__


def _schema_checker(base: Any) -> Callable[..., Callable[[Any], None]]:
    def _get_schema_checker(self: Any, schema: Any, schema_value: Any) -> Callable[[Any], None]:
        checker = base._get_schema_checker(self, schema, schema_value)
        owner = getattr(checker, "func", checker).__self__  # check_schema of a validator class
        given = getattr(checker, "keywords", {}).get("format_checker")
        return functools.partial(_check_schema, owner, given, self.registry.fast)

    return _get_schema_checker


def _check_schema(owner: Any, format_checker: Any, fast: bool, schema: Any) -> None:
    """`owner.check_schema(schema)` as openapi-schema-validator 0.9 defines it, raising the
    first error in document order, with `regex` left out of the format checks (and skipped when
    jsonschema-rs finds the schema valid, with `fast`)."""
    if fast and _rs_valid(owner.META_SCHEMA, schema):
        return
    from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]
    from jsonschema.validators import validator_for  # type: ignore[import-untyped]
    from openapi_schema_validator._specifications import REGISTRY

    meta = validator_for(owner.META_SCHEMA, default=owner)
    checks = _without_regex(format_checker or owner.FORMAT_CHECKER)
    validator = meta(owner.META_SCHEMA, format_checker=checks, registry=REGISTRY)
    first = min(validator.iter_errors(schema), key=_order, default=None)
    if first is not None:
        raise SchemaError.create_from(first)


@functools.cache
def _fast_possible() -> bool:
    """jsonschema-rs checks no format here; the pure-Python validator checks `uri` and
    `uri-reference` (in meta-schemas and the OpenAPI schema) only with one of these."""
    return not any(importlib.util.find_spec(m) for m in ("rfc3987", "rfc3986_validator"))


@functools.cache
def _openapi_schema(folder: str) -> Any:
    """The OpenAPI schema openapi-spec-validator ships, as plain data."""
    from generator.quickcheck import _resource

    return _resource("openapi_spec_validator", "resources", "schemas", folder, "schema.json")


def _rs_valid(schema: Any, instance: Any) -> bool:
    """Whether jsonschema-rs finds `instance` valid; False when it cannot tell (a value that is
    not plain JSON data, such as a resolved reference's proxy)."""
    fast = _rs_validator(schema)
    try:
        return fast is not None and bool(fast.is_valid(instance))
    except (ValueError, TypeError):
        return False


_RS: dict[int, tuple[Any, Any]] = {}  # id of a schema -> (the schema, its validator or None)


def _rs_validator(schema: Any) -> Any:
    """jsonschema-rs for one of the validators' own schemas, with the JSON Schema and OpenAPI
    meta-schemas openapi-schema-validator ships (never fetched); None if it cannot have one."""
    import jsonschema_rs
    from openapi_schema_validator._specifications import REGISTRY

    if id(schema) not in _RS:
        resources = [(str(uri), REGISTRY.contents(str(uri))) for uri in REGISTRY]
        try:
            registry = jsonschema_rs.Registry(resources)
            fast = jsonschema_rs.validator_for(schema, registry=registry, validate_formats=False)
        except (ValueError, TypeError, jsonschema_rs.ReferencingError):
            fast = None
        _RS[id(schema)] = (schema, fast)
    return _RS[id(schema)][1]


def _order(found: Any) -> tuple[tuple[str, ...], str, str]:
    return tuple(map(str, found.absolute_path)), str(found.validator), found.message


@functools.cache
def _without_regex(format_checker: Any) -> Any:
    from jsonschema import FormatChecker  # type: ignore[import-untyped]

    checks = FormatChecker(())
    checks.checkers = {k: v for k, v in format_checker.checkers.items() if k != "regex"}
    return checks
