"""Stage 3, validate: openapi-spec-validator over the document, each error a diagnostic.

`quickcheck` first tries to prove the document valid in milliseconds; only when it cannot does
openapi-spec-validator run (0.3 s to import, up to seconds on large documents), so its verdict
and messages are what users see.

External `$ref`s are refused before the validator runs, because resolving them would make the
validator read files or URLs named by an untrusted document. An unresolvable local `$ref`, which
the validator reports by raising, becomes a diagnostic too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from generator import quickcheck
from generator.diagnostics import Diagnostic, error, pointer, warning

_ROOT_KEYS = {
    "openapi",
    "info",
    "servers",
    "paths",
    "components",
    "security",
    "tags",
    "externalDocs",
}


def external_refs(data: Any) -> list[Diagnostic]:
    """Every `$ref` that leaves the document (another file or a URL), as an error."""
    found: list[Diagnostic] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                found.append(
                    error("SDK010", pointer(*path, "$ref"), f"external $ref {ref!r} is not allowed")
                )
            stack.extend(
                (v, (*path, str(k))) for k, v in node.items() if not _is_data(path, str(k))
            )
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))
    return sorted(found, key=lambda d: d.pointer)


# Defaults are data too, but openapi-spec-validator reads them through their `$ref`s (it would
# open the file or URL), so they are searched like the rest.
_DATA_KEYS = frozenset({"example", "enum", "const"})


def _is_data(path: tuple[str | int, ...], key: str) -> bool:
    """Whether `key` under `path` holds example data, where `$ref` is no reference."""
    in_example = len(path) >= 2 and path[-2] == "examples" and key == "value"
    return key in _DATA_KEYS or in_example


def string_keys(data: Any) -> tuple[Any, list[Diagnostic]]:
    """`data` with every mapping key a string, as in JSON. YAML reads `200:` or `2:` as an
    integer: such a key becomes its string (a warning each); one that then collides with an
    existing key is an error. Shared (aliased) nodes are converted once."""
    found: list[Diagnostic] = []
    done: dict[int, Any] = {}

    def convert(node: Any, path: tuple[str | int, ...]) -> Any:
        if not isinstance(node, dict | list) or id(node) in done:
            return done.get(id(node), node)
        if isinstance(node, list):
            done[id(node)] = node
            node[:] = [convert(v, (*path, i)) for i, v in enumerate(node)]
            return node
        fixed: dict[str, Any] = {}
        done[id(node)] = fixed
        for key, value in node.items():
            name = key if isinstance(key, str) else _yaml_text(key)
            if not isinstance(key, str):
                kind = type(key).__name__
                found.append(
                    warning(
                        "SDK014", pointer(*path, name), f"key {key!r} is a {kind}; read as {name!r}"
                    )
                )
                if name in node or name in fixed:
                    found.append(
                        error("SDK014", pointer(*path, name), f"key {name!r} is given twice")
                    )
            fixed[name] = convert(value, (*path, name))
        return fixed

    # Recursive: load.MAX_DEPTH (128) bounds the nesting well below the recursion limit.
    return convert(data, ()), sorted(found, key=lambda d: (d.pointer, d.code))


def _yaml_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def validate(data: dict[str, Any]) -> list[Diagnostic]:
    refused = external_refs(data)
    if refused:
        return refused
    version = str(data.get("openapi", ""))
    if not version.startswith("3."):
        found = data.get("swagger") or data.get("openapi")
        what = f"version {found!r}" if found else "no 'openapi' field"
        return [error("SDK011", pointer("openapi"), f"not an OpenAPI 3.x document ({what})")]
    if quickcheck.proves_valid(data):  # milliseconds; otherwise the validator decides and says why
        return []
    return list(_iter_errors(data, version))


def _iter_errors(data: dict[str, Any], version: str) -> Iterator[Diagnostic]:
    # Its pure-Python backend, whose messages and paths the diagnostics are built on, even
    # though jsonschema-rs (which the quick check uses) is installed.
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema"
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_class = (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    errors = iter(validator_class(data).iter_errors())
    last_absolute: tuple[str, ...] = ()
    locations: dict[int, tuple[str, ...]] = {}
    while True:
        try:
            found = next(errors)
        except StopIteration:
            return
        except RecursionError:
            yield error("SDK004", "#", "the document nests too deeply to be validated")
            return
        except Exception as exc:  # the validator raises on a $ref it cannot resolve
            yield error("SDK012", "#", f"cannot resolve a reference: {_first_line(exc)}")
            return
        cause = _deepest(found)
        path = tuple(str(p) for p in getattr(cause, "absolute_path", ()))
        path = path or _operation_of(data, str(getattr(cause, "message", "")))
        if path and path[0] in _ROOT_KEYS:
            last_absolute = path
        elif path:  # schema errors come relative to the schema being checked
            locations = locations or _locations(data)
            instance = getattr(cause, "instance", None)
            found_at = locations.get(id(instance)) if isinstance(instance, dict | list) else None
            path = found_at or last_absolute + path
        yield error("SDK013", pointer(*path), _first_line(getattr(cause, "message", cause)))


def _locations(data: Any) -> dict[int, tuple[str, ...]]:
    """Where each object and array of the document is (the first place, for a shared one): a
    schema error's offending value, when it is one of them, says exactly where it is."""
    found: dict[int, tuple[str, ...]] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict | list) and id(node) not in found:
            found[id(node)] = path
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((v, (*path, str(k))) for k, v in reversed(list(items)))
    return found


_DUPLICATE_ID = re.compile(r"Operation ID '([^']*)'")


def _operation_of(data: dict[str, Any], message: str) -> tuple[str, ...]:
    """The validator reports a duplicate operationId without a path: point at its second use."""
    match = _DUPLICATE_ID.search(message)
    paths = data.get("paths")
    if match is None or not isinstance(paths, dict):
        return ()
    uses = [
        (str(p), str(m))
        for p, item in paths.items()
        if isinstance(item, dict)
        for m, op in item.items()
        if isinstance(op, dict) and op.get("operationId") == match.group(1)
    ]
    return ("paths", *uses[1]) if len(uses) > 1 else ()


def _deepest(exc: Any) -> Any:
    """The most specific cause of a schema error: for `oneOf`/`anyOf` failures the validator
    reports the whole subschema; its deepest sub-error names the offending keyword."""
    while getattr(exc, "context", None):
        exc = max(exc.context, key=lambda e: (len(e.absolute_path), e.validator != "required"))
    return exc


def _first_line(value: object) -> str:
    text = str(value).strip().splitlines()
    line = text[0] if text else type(value).__name__
    return line if len(line) <= 300 else line[:297] + "..."
