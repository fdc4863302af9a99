"""Lint: warn about the quirks of messy specs that a generated client silently inherits.

`lint(doc)` runs fourteen small detectors (SDK101-SDK114) over the plain decoded document and
returns their diagnostics sorted by (pointer, code). It never raises: the document may be invalid
(lint also runs with --skip-validation), any value may have any type, and walks are iterative.

Detectors find schemas structurally (components, parameters, headers, media types, and their
`properties`/`items`/`allOf`/... below), so example and default data is never read as a schema.
A warning located inside a component schema that no operation reaches is downgraded to info: it
cannot affect the generated client.

Deliberately left out: what the validate stage reports (structural errors, broken `$ref`s),
unused component schemas (build's SDK207), `example` keywords inside schemas (only media types,
parameters and headers have their examples checked), callbacks, links and 3.1 webhooks, and
`format` checks on examples (their result would depend on optional packages being installed).
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from generator import naming
from generator.conforms import conforms, explain
from generator.diagnostics import Diagnostic, Severity, info, pointer, warning

# code -> (short name, severity); a message starts with the short name.
RULES = {
    "SDK101": ("example-schema-mismatch", Severity.WARNING),
    "SDK102": ("duplicate-title", Severity.WARNING),
    "SDK103": ("operation-id-casing", Severity.WARNING),
    "SDK104": ("operation-id-acronym", Severity.INFO),
    "SDK105": ("enum-value-not-identifier", Severity.INFO),
    "SDK106": ("body-without-required", Severity.WARNING),
    "SDK107": ("unanchored-pattern", Severity.WARNING),
    "SDK108": ("no-error-responses", Severity.WARNING),
    "SDK109": ("deprecated-property", Severity.INFO),
    "SDK110": ("ref-siblings", Severity.WARNING),
    "SDK111": ("allof-single-ref", Severity.INFO),
    "SDK112": ("bearer-format", Severity.INFO),
    "SDK113": ("body-mentions-query-parameters", Severity.INFO),
    "SDK114": ("nullable-identifier", Severity.INFO),
}

Parts = tuple[str | int, ...]  # a location: the parts of a JSON pointer
Located = tuple[dict[str, Any], Parts]
Site = tuple[dict[str, Any], Parts, str]  # an object holding `schema` and examples; read/write
Found = tuple[str, Any, Parts]  # (kind of object, the object, its location)

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MAX_HOPS = 64  # $ref chains and allOf parts followed before giving up (cycles end here too)
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
_TOKEN_FORMATS = frozenset({"jwt", "jwe", "jws", "opaque", "paseto", "macaroon", "saml"})
_STRUCTURE_KEYS = frozenset(  # keys that make an allOf member more than added keywords
    {"$ref", "properties", "items", "additionalProperties", "allOf", "oneOf", "anyOf", "not"}
)
_NO_STYLE = ("lowercase", "mixed-case")
_CONTAINS = "any string that merely contains a match"
_ERROR_CODE = re.compile(r"[45](?:[0-9][0-9]|XX)", re.IGNORECASE)
_ACRONYM = re.compile(r"[A-Z]{2,}")
_REPLACEMENT = re.compile(
    r"\buse\s+(?:the\s+)?[`'\"]?([A-Za-z_]\w*)[`'\"]?(?:\s+\w+)?\s+instead", re.IGNORECASE
)
_STYLES = (
    ("camelCase", re.compile(r"[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*")),
    ("PascalCase", re.compile(r"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*")),
    ("snake_case", re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")),
    ("kebab-case", re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")),
    ("lowercase", re.compile(r"[a-z][a-z0-9]*")),  # one word: fits every lower-first style
)


def lint(doc: dict[str, Any]) -> list[Diagnostic]:
    """Every quirk found in `doc`, sorted by (pointer, code)."""
    if not isinstance(doc, dict):
        return []
    index = _index(doc)
    found = [found for detect in _DETECTORS for found in detect(index)]
    unreachable = _unreachable_components(doc)
    scoped = dict.fromkeys(
        info(d.code, d.pointer, d.message) if _component_of(d.pointer) in unreachable else d
        for d in found
    )
    return sorted(scoped, key=lambda d: (d.pointer, d.code, d.message))


def _report(code: str, parts: Parts, text: str) -> Diagnostic:
    name, severity = RULES[code]
    make = warning if severity is Severity.WARNING else info
    return make(code, pointer(*parts), f"{name}: {text}")


# --- plain-data helpers -----------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[str, Any]]:
    return [(str(k), v) for k, v in value.items()] if isinstance(value, dict) else []


def _clip(text: str, limit: int = 240) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _short(value: Any) -> str:
    """Spec data for a message: one line, short, never a deep repr."""
    text = repr(value) if isinstance(value, str | int | float | bool) else type(value).__name__
    return _clip(text, 80)


def _decode(ref: str) -> list[str]:
    body = ref[1:].lstrip("/")
    return [p.replace("~1", "/").replace("~0", "~") for p in body.split("/")] if body else []


def _lookup(doc: dict[str, Any], ref: str) -> tuple[Any, Parts]:
    """The node a local `$ref` points to and its location, or (None, ())."""
    node: Any = doc
    parts = _decode(ref) if ref.startswith("#") else None
    for part in parts or ():
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None, ()
    return (node, tuple(parts)) if parts is not None else (None, ())


def _resolve(doc: dict[str, Any], node: Any, parts: Parts = ()) -> tuple[Any, Parts]:
    """Follow a `$ref` chain to its end; (None, ()) when it breaks or does not end."""
    for _ in range(_MAX_HOPS):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str):
            return node, parts
        node, parts = _lookup(doc, ref)
    return None, ()


def _component_of(at: str) -> str:
    """The pointer of the component schema `at` lies in, or ""."""
    parts = at.split("/")
    return "/".join(parts[:4]) if parts[1:3] == ["components", "schemas"] and len(parts) > 3 else ""


# --- where things are -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Index:
    """Every object a detector looks at, with its location, in document order."""

    doc: dict[str, Any]
    operations: list[Located]
    bodies: list[Located]  # request bodies written in place
    sites: list[Site]  # parameters, headers and media types
    refs: list[Located]  # reference objects standing for parameters, bodies, responses, headers
    schemas: list[Located]  # every schema object, nested ones included


def _index(doc: dict[str, Any]) -> _Index:
    operations: list[Located] = []
    found: list[Found] = []
    for path, item in _items(doc.get("paths")):
        found += _listed("parameter", _dict(item).get("parameters"), ("paths", path, "parameters"))
        for method in METHODS:
            op = _dict(item).get(method)
            if isinstance(op, dict):
                operations.append((op, ("paths", path, method)))
                found += _operation_objects(op, ("paths", path, method))
    components = _dict(doc.get("components"))
    for kind, key in (
        ("parameter", "parameters"),
        ("body", "requestBodies"),
        ("header", "headers"),
    ):
        found += _named(kind, _items(components.get(key)), ("components", key))
    for name, response in _items(components.get("responses")):
        found += _response_objects(response, ("components", "responses", name))
    refs = [(n, p) for _, n, p in found if isinstance(n, dict) and "$ref" in n]
    inline = [(kind, n, p) for kind, n, p in found if isinstance(n, dict) and "$ref" not in n]
    sites = [site for kind, n, p in inline for site in _sites(kind, n, p)]
    roots = [(s.get("schema"), (*p, "schema")) for s, p, _ in sites if "schema" in s]
    roots += [(v, ("components", "schemas", k)) for k, v in _items(components.get("schemas"))]
    bodies = [(n, p) for kind, n, p in inline if kind == "body"]
    return _Index(doc, operations, bodies, sites, refs, _walk_schemas(roots))


def _listed(kind: str, value: Any, parts: Parts) -> list[Found]:
    return [(kind, v, (*parts, i)) for i, v in enumerate(value)] if isinstance(value, list) else []


def _operation_objects(op: dict[str, Any], parts: Parts) -> list[Found]:
    found = _listed("parameter", op.get("parameters"), (*parts, "parameters"))
    if "requestBody" in op:
        found.append(("body", op["requestBody"], (*parts, "requestBody")))
    for code, response in _items(op.get("responses")):
        found += _response_objects(response, (*parts, "responses", code))
    return found


def _response_objects(response: Any, parts: Parts) -> list[Found]:
    headers = _items(_dict(response).get("headers"))
    return [("response", response, parts), *_named("header", headers, (*parts, "headers"))]


def _named(kind: str, pairs: list[tuple[str, Any]], parts: Parts) -> list[Found]:
    return [(kind, v, (*parts, k)) for k, v in pairs]


def _sites(kind: str, node: dict[str, Any], parts: Parts) -> list[Site]:
    """The objects holding a `schema` and examples: parameters, headers and media types."""
    mode = "read" if kind in ("response", "header") else "write"
    own = [(node, parts, mode)] if kind in ("parameter", "header") else []
    content = _items(node.get("content"))
    return own + [(m, (*parts, "content", k), mode) for k, m in content if isinstance(m, dict)]


def _subschemas(node: dict[str, Any], parts: Parts) -> list[tuple[Any, Parts]]:
    found = [(v, (*parts, "properties", k)) for k, v in _items(node.get("properties"))]
    found += [(node[k], (*parts, k)) for k in ("items", "additionalProperties", "not") if k in node]
    for key in ("allOf", "oneOf", "anyOf"):
        found += [(v, (*parts, key, i)) for i, v in enumerate(_list(node.get(key)))]
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _walk_schemas(roots: list[tuple[Any, Parts]]) -> list[Located]:
    """Every schema object below `roots`, pre-order; `$ref`s are not followed."""
    found: list[Located] = []
    stack = list(reversed(roots))
    while stack:
        node, parts = stack.pop()
        if isinstance(node, dict):
            found.append((node, parts))
            stack.extend(reversed(_subschemas(node, parts)))
    return found


def _unreachable_components(doc: dict[str, Any]) -> set[str]:
    """Pointers of the component schemas no operation reaches through `$ref`s."""
    seen: set[str] = set()
    stack: list[tuple[Any, str]] = [(doc.get("paths"), "")]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, list):
            stack.extend((v, parent) for v in node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                stack.append((_lookup(doc, ref)[0], ""))
            # a data key is a property's name, not data, right under `properties`
            data = _DATA_KEYS if parent != "properties" else frozenset()
            stack.extend((v, str(k)) for k, v in node.items() if str(k) not in data)
    schemas = _items(_dict(doc.get("components")).get("schemas"))
    every = {pointer("components", "schemas", k) for k, _ in schemas}
    return every - {_component_of(pointer(*_decode(r))) for r in seen if r.startswith("#")}


# --- SDK101 example-schema-mismatch -----------------------------------------------------------


def _example_schema_mismatch(index: _Index) -> Iterator[Diagnostic]:
    for site, parts, mode in index.sites:
        if "schema" not in site:
            continue
        for value, at in _examples(index.doc, site, parts):
            for where, text in _schema_errors(index.doc, (*parts, "schema"), value, mode):
                yield _report("SDK101", (*at, *where), text)
            yield from _unknown_keys(index.doc, site["schema"], value, at)


def _examples(doc: dict[str, Any], site: dict[str, Any], parts: Parts) -> list[tuple[Any, Parts]]:
    found = [(site["example"], (*parts, "example"))] if "example" in site else []
    for name, raw in _items(site.get("examples")):
        example, at = _resolve(doc, raw, (*parts, "examples", name))
        if isinstance(example, dict) and "value" in example:
            found.append((example["value"], (*at, "value")))
    return found


def _schema_errors(
    doc: dict[str, Any], schema_at: Parts, value: Any, mode: str
) -> list[tuple[Parts, str]]:
    """JSON-Schema errors of `value` against the schema at `schema_at`, refs resolving in `doc`."""
    schema: Any = doc
    for part in schema_at:
        schema = schema[part]
    if conforms(doc, schema, value, mode):  # most examples, in microseconds
        return []
    explained = explain(doc, schema, value, mode)  # a wrong type, enum value or pattern
    if explained is not None:
        return [(where, _clip(text)) for where, text in explained]
    # Imported here: it costs a quarter of a second, and only examples that `conforms` cannot
    # vouch for need it.
    from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

    validator = OAS30ReadValidator if mode == "read" else OAS30WriteValidator
    target = "#" + "".join(
        "/" + quote(str(p).replace("~", "~0").replace("/", "~1")) for p in schema_at
    )
    # The root is the document (so its `$ref`s resolve) minus keys that would act as keywords.
    skip = {"id", "$id", "$schema", *validator.VALIDATORS}
    root = {k: v for k, v in doc.items() if k not in skip} | {"$ref": target}
    try:
        errors = list(validator(root).iter_errors(value))
        return [(tuple(e.absolute_path), _clip(str(e.message))) for e in errors]
    except Exception:  # a broken or cyclic schema: the validate stage reports those
        return []


def _unknown_keys(doc: dict[str, Any], schema: Any, value: Any, at: Parts) -> Iterator[Diagnostic]:
    stack: list[tuple[Any, Any, Parts]] = [(value, schema, at)]
    while stack:
        value, schema, at = stack.pop()
        schema = _resolve(doc, schema)[0]
        if isinstance(value, list) and isinstance(schema, dict):
            stack.extend((v, schema.get("items"), (*at, i)) for i, v in enumerate(value))
        known = _declared_properties(doc, schema) if isinstance(value, dict) else None
        if known is None:
            continue
        for key, sub in _items(value):
            if key in known:
                stack.append((sub, known[key], (*at, key)))
            else:
                yield _report("SDK101", (*at, key), _unknown_key(key, list(known)))


def _declared_properties(doc: dict[str, Any], schema: Any) -> dict[str, Any] | None:
    """Properties of an object schema and its `allOf` parts; None when it declares none, or
    when other keys are welcome (a typed `additionalProperties`, `oneOf`/`anyOf` variants)."""
    known: dict[str, Any] = {}
    declared, stack = False, [schema]
    for _ in range(_MAX_HOPS):
        if not stack:
            break
        part = _dict(_resolve(doc, stack.pop())[0])
        extra = part.get("additionalProperties")
        if "oneOf" in part or "anyOf" in part or (isinstance(extra, dict) and extra):
            return None
        declared |= isinstance(part.get("properties"), dict)
        known.update(_items(part.get("properties")))
        stack.extend(_list(part.get("allOf")))
    return known if declared else None


def _unknown_key(key: str, known: list[str]) -> str:
    lowered = {k.lower(): k for k in reversed(known)}  # the first of names equal but for case
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    hint = f"; did you mean {lowered[close[0]]!r}?" if close else ""
    return f"unknown key {_short(key)}{hint}"


# --- SDK102-SDK105: names -------------------------------------------------------------------


def _duplicate_title(index: _Index) -> Iterator[Diagnostic]:
    first: dict[str, str] = {}
    for node, parts in index.schemas:
        title = node.get("title")
        is_object = node.get("type") == "object" or isinstance(node.get("properties"), dict)
        if isinstance(title, str) and is_object and "$ref" not in node:
            if title in first:
                text = f"the title {_short(title)} also names a different schema, {first[title]}"
                yield _report("SDK102", parts, text)
            first.setdefault(title, pointer(*parts))


def _named_operations(index: _Index) -> Iterator[tuple[str, Parts]]:
    """The operationIds sdkgen derives method names from (no explicit `x-sdkgen-name`)."""
    for op, parts in index.operations:
        op_id, explicit = op.get("operationId"), op.get("x-sdkgen-name")
        named = isinstance(explicit, str) and naming.is_identifier(explicit)
        if isinstance(op_id, str) and not named:
            yield op_id, (*parts, "operationId")


def _style(op_id: str) -> str:
    return next((name for name, rx in _STYLES if rx.fullmatch(op_id)), "mixed-case")


def _operation_id_casing(index: _Index) -> Iterator[Diagnostic]:
    ids = [op.get("operationId") for op, _ in index.operations]
    styles = [_style(i) for i in ids if isinstance(i, str)]
    ranked = collections.Counter(s for s in styles if s not in _NO_STYLE).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return  # no majority style
    majority = ranked[0][0]
    for op_id, parts in _named_operations(index):
        style = _style(op_id)
        if style != majority and not (style == "lowercase" and majority != "PascalCase"):
            text = f"{_short(op_id)} is {style} while most operationIds are {majority}"
            yield _report("SDK103", parts, f"{text}; the method is {naming.snake(op_id)}")


def _operation_id_acronym(index: _Index) -> Iterator[Diagnostic]:
    for op_id, parts in _named_operations(index):
        runs = _ACRONYM.findall(op_id)
        if runs:
            text = f"{_short(op_id)} contains the all-caps run {runs[0]!r}"
            yield _report("SDK104", parts, f"{text}; the method is {naming.snake(op_id)}")


def _enum_value_not_identifier(index: _Index) -> Iterator[Diagnostic]:
    for node, parts in index.schemas:
        for i, value in enumerate(_list(node.get("enum"))):
            if isinstance(value, str) and not naming.is_identifier(value):
                text = f"{_short(value)} is not a Python identifier; its member is "
                yield _report("SDK105", (*parts, "enum", i), text + naming.constant(value))


# --- SDK106-SDK114: shapes --------------------------------------------------------------------


def _body_without_required(index: _Index) -> Iterator[Diagnostic]:
    for body, parts in index.bodies:
        for media_type, media in _items(body.get("content")):
            base = media_type.split(";", maxsplit=1)[0].strip().lower()
            is_json = base in ("application/json", "*/*") or base.endswith("+json")
            schema = _dict(_resolve(index.doc, _dict(media).get("schema"))[0])
            if is_json and _dict(schema.get("properties")) and not _list(schema.get("required")):
                text = "no property is required, so the client cannot insist on any; add `required`"
                yield _report("SDK106", (*parts, "content", media_type, "schema"), text)


def _unanchored_pattern(index: _Index) -> Iterator[Diagnostic]:
    for node, parts in index.schemas:
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            body = pattern[:-1]  # a final `$` preceded by an odd number of `\\` is a dollar sign
            ends = pattern.endswith("$") and (len(body) - len(body.rstrip("\\"))) % 2 == 0
            missing = [a for a, ok in (("^", pattern.startswith("^")), ("$", ends)) if not ok]
            if missing:
                text = f"{_short(pattern)} has no {' or '.join(missing)} anchor, so it matches"
                yield _report("SDK107", (*parts, "pattern"), f"{text} {_CONTAINS}")


def _no_error_responses(index: _Index) -> Iterator[Diagnostic]:
    for op, parts in index.operations:
        codes = sorted(code for code, _ in _items(op.get("responses")))
        errors = [c for c in codes if c == "default" or _ERROR_CODE.fullmatch(c)]
        if isinstance(op.get("responses"), dict) and not errors:
            documented = f"only {', '.join(codes)} is documented" if codes else "none is"
            text = f"no 4xx, 5xx or default response ({documented}); error bodies have no schema"
            yield _report("SDK108", (*parts, "responses"), text)


_Property = tuple[str, dict[str, Any], dict[str, Any], Parts, set[str]]


def _properties(index: _Index) -> Iterator[_Property]:
    """(name, property schema, its resolved schema, location, sibling names) of every property."""
    for node, parts in index.schemas:
        props = _items(node.get("properties"))
        names = {name for name, _ in props}
        for name, prop in props:
            target = _dict(_resolve(index.doc, prop)[0])
            yield name, _dict(prop), target, (*parts, "properties", name), names - {name}


def _deprecated_property(index: _Index) -> Iterator[Diagnostic]:
    for name, prop, target, parts, siblings in _properties(index):
        if prop.get("deprecated") is True or target.get("deprecated") is True:
            description = prop.get("description") or target.get("description")
            match = _REPLACEMENT.search(description) if isinstance(description, str) else None
            hint = f"; use {match.group(1)!r}" if match and match.group(1) in siblings else ""
            yield _report("SDK109", parts, f"{_short(name)} is deprecated{hint}")


def _ref_siblings(index: _Index) -> Iterator[Diagnostic]:
    if str(index.doc.get("openapi", "")).startswith("3.1"):
        return  # 3.1 gives siblings of $ref a meaning
    for node, parts in [*index.refs, *((n, p) for n, p in index.schemas if "$ref" in n)]:
        # extensions (x-...) are for tools, which read them next to a $ref by design
        siblings = sorted(k for k, _ in _items(node) if k != "$ref" and not k.startswith("x-"))
        if siblings:
            text = f"siblings of $ref are ignored by OpenAPI 3.0: {', '.join(siblings)}"
            yield _report("SDK110", parts, text)


def _allof_single_ref(index: _Index) -> Iterator[Diagnostic]:
    for node, parts in index.schemas:
        members = _list(node.get("allOf"))
        refs = [m for m in members if isinstance(m, dict) and "$ref" in m]
        others = [_dict(m) for m in members if not (isinstance(m, dict) and "$ref" in m)]
        if len(refs) != 1 or any(_STRUCTURE_KEYS & set(m) for m in others):
            continue  # several references, or a real composition
        added = {k for k, _ in _items(node) if k != "allOf" and not k.startswith("x-")}
        added |= {str(k) for m in others for k in m}
        what = f"to add {', '.join(sorted(added))}" if added else "adding nothing"
        text = f"allOf wraps the single $ref {_short(refs[0]['$ref'])} {what}"
        tail = "; OpenAPI 3.0 does not apply nullable across allOf" if "nullable" in added else ""
        yield _report("SDK111", (*parts, "allOf"), text + tail)


def _bearer_format(index: _Index) -> Iterator[Diagnostic]:
    schemes = _dict(index.doc.get("components")).get("securitySchemes")
    for name, raw in _items(schemes):
        scheme = _dict(raw)
        token = scheme.get("bearerFormat")
        is_bearer = scheme.get("type") == "http" and str(scheme.get("scheme")).lower() == "bearer"
        if is_bearer and token is not None and str(token).lower() not in _TOKEN_FORMATS:
            text = f"{_short(token)} names no token format; it is documentation only"
            yield _report("SDK112", ("components", "securitySchemes", name, "bearerFormat"), text)


def _body_mentions_query_parameters(index: _Index) -> Iterator[Diagnostic]:
    for body, parts in index.bodies:
        description = body.get("description")
        if isinstance(description, str) and "query parameter" in description.lower():
            text = "the description speaks of query parameters; the client sends a JSON body only"
            yield _report("SDK113", (*parts, "description"), text)


def _nullable_identifier(index: _Index) -> Iterator[Diagnostic]:
    for name, _, target, parts, _ in _properties(index):
        if (name == "id" or name.endswith(("Id", "_id"))) and target.get("nullable") is True:
            text = f"{_short(name)} names an identifier but may be null (nullable: true)"
            yield _report("SDK114", parts, text)


_DETECTORS = (
    _example_schema_mismatch,
    _duplicate_title,
    _operation_id_casing,
    _operation_id_acronym,
    _enum_value_not_identifier,
    _body_without_required,
    _unanchored_pattern,
    _no_error_responses,
    _deprecated_property,
    _ref_siblings,
    _allof_single_ref,
    _bearer_format,
    _body_mentions_query_parameters,
    _nullable_identifier,
)
