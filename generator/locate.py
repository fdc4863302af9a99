"""Where an OpenAPI document may be invalid: the small part openapi-spec-validator must see.

openapi-spec-validator's time grows faster than the document (15 s on 3.9 MB, 30 minutes on
52 MB), and an invalid document used to go to it whole. Here the fast engines locate the parts
that may hold an error, in time linear in the document:
- the document against the OpenAPI 3.0 or 3.1 schema with jsonschema-rs: each error's path
  names a unit (a path item, a component, or a top-level key);
- `quickcheck`'s walk, one unit at a time (each path item, each component schema): a unit it
  cannot prove valid is a suspect; so are both path items of a duplicated operationId.

`reduced` keeps the document's top-level keys other than `paths` and `components` whole, and of
those two only the suspects and every unit their `$ref`s reach (transitively), each the very
same object. The validator then runs on that: an error keeps its path, and in a unit it sees
whole it finds what it finds in the whole document, because the units it leaves out are proved
valid and nothing in a kept unit refers to them. Known difference: the validator checks a
schema reached twice only on its first visit, and whether `required` must name defined
properties depends on that visit's route, so in rare documents that finding can differ.

Deliberately left out: what `quickcheck.version_of` does not model (a 3.1 `jsonSchemaDialect`,
other versions); such documents go to the validator whole. Returns None, for the whole
document, whenever it is not sure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import quickcheck

Unit = tuple[str, ...]
SPLIT = ("paths", "components")  # the top-level keys whose entries are units


def reduced(data: Any, *, keys_checked: bool = False) -> dict[str, Any] | None:
    """The part of `data` the validator must see (see the module docstring), or None.
    `keys_checked`: the caller has seen `quickcheck.modelled_keys` hold."""
    version = quickcheck.version_of(data)
    if not isinstance(data, dict) or version is None:
        return None
    try:
        if not keys_checked and not quickcheck.modelled_keys(data, version):
            return None  # the two engines would read such a key differently
        kept = _closure(data, suspects(data, version))
    except Exception:  # RecursionError, a malformed value: the whole document
        return None
    return subset(data, kept)


def suspects(data: dict[str, Any], version: str = "3.0") -> set[Unit]:
    document, meta = quickcheck._validators(version)
    found = {unit(list(map(str, e.instance_path))) for e in document.iter_errors(data)}
    walk = quickcheck._Walk(data, meta, version)
    found |= _path_suspects(walk, data.get("paths"))
    components = data.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    for name, schema in schemas.items() if isinstance(schemas, dict) else ():
        try:
            walk.schema(schema, require_properties=True)
        except Exception:
            found.add(("components", "schemas", str(name)))
    return found


def _path_suspects(walk: Any, paths: Any) -> set[Unit]:
    found: set[Unit] = set()
    for url, node in paths.items() if isinstance(paths, dict) else ():
        try:
            item = walk.resolve(node)
            shared = walk.parameters(item.get("parameters"))
            for method, operation in item.items():
                if method in quickcheck.OPERATIONS:
                    walk.operation(url, walk.resolve(operation), shared, set())
        except Exception:
            found.add(("paths", str(url)))
    return found | _duplicate_ids(walk, paths)


def _duplicate_ids(walk: Any, paths: Any) -> set[Unit]:
    """Both (all) path items of an operationId used more than once."""
    uses: dict[str, list[Unit]] = {}
    for url, node in paths.items() if isinstance(paths, dict) else ():
        item = walk.resolve(node)
        for method, operation in item.items() if isinstance(item, dict) else ():
            resolved = walk.resolve(operation) if method in quickcheck.OPERATIONS else None
            if isinstance(resolved, dict) and "operationId" in resolved:
                uses.setdefault(repr(resolved["operationId"]), []).append(("paths", str(url)))
    return {unit for units in uses.values() if len(units) > 1 for unit in units}


def unit(path: list[str]) -> Unit:
    """The unit an error at `path` is in."""
    if path[:1] == ["paths"]:
        return tuple(path[:2])
    if path[:1] == ["components"]:
        return tuple(path[:3])
    return tuple(path[:1])


def _closure(data: dict[str, Any], units: set[Unit]) -> set[Unit]:
    """`units` and every unit a `$ref` in them reaches, transitively."""
    kept, todo = set(units), list(units)
    while todo:
        node = _node(data, todo.pop())
        for ref in _refs(node):
            reached = unit(_pointer_parts(ref))
            if reached not in kept:
                kept.add(reached)
                todo.append(reached)
    return kept


def _node(data: Any, unit: Unit) -> Any:
    for part in unit:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                yield ref
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _pointer_parts(ref: str) -> list[str]:
    from urllib.parse import unquote

    return [unquote(p).replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]


def subset(data: dict[str, Any], kept: set[Unit]) -> dict[str, Any]:
    """`data` with only the kept entries of `paths` and of each `components` mapping (an error
    at the root itself needs neither)."""
    result = dict(data)
    paths = data.get("paths")
    if ("paths",) not in kept and isinstance(paths, dict):
        result["paths"] = {k: v for k, v in paths.items() if ("paths", str(k)) in kept}
    components = data.get("components")
    if ("components",) not in kept and isinstance(components, dict):
        result["components"] = {
            kind: _entries(entries, str(kind), kept) for kind, entries in components.items()
        }
    return result


def _entries(entries: Any, kind: str, kept: set[Unit]) -> Any:
    if not isinstance(entries, dict) or ("components", kind) in kept:
        return entries
    return {k: v for k, v in entries.items() if ("components", kind, str(k)) in kept}
